//! Experiments on a scenario: the whole scenario file (`Plan`), arms and their comparison,
//! sweeps and sensitivity analyses, and the statistics behind them. No IO here.
//!
//! `scenario` is the format of one scenario; the sections that describe runs of it (`[comparison]`,
//! `[[arm]]`, `[sweep]`, `[sensitivity]`) are read, checked and documented here.

pub mod arms;
pub mod calibrate;
pub mod compare;
pub mod compare_measures;
pub mod explore;
pub mod json_schema;
pub mod measures;
pub mod plan;
pub mod posterior;
pub mod stats;
pub mod study;
pub mod template;
pub mod validate;

pub use json_schema::json_schema;
pub use plan::{ArmSpec, ComparisonSettings, Plan, default_plan, parse};
