//! How residents behave, one phase of the day per file: the decision rule and the decide pass
//! (with its first look at blocks of residents, `gates.rs`, and that look's bounds on the
//! logistic factor, `ceiling.rs`),
//! allocation and taking part, churn, needs and complaints, and the slow drift of the end of
//! day; `rules.rs` has every equation as a small pure function.

pub mod allocate;
pub mod ceiling;
pub mod churn;
pub mod decide;
pub mod drift;
pub mod gates;
pub mod needs;
pub mod rules;
