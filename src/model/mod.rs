//! The model: the core community (structure, residents, network, events, counters), the
//! behaviour of residents, the motives from the evidence, the mechanisms (policies and the local economy) and `World`, which
//! runs them in the fixed order of a day. The model knows no file format.

pub mod behaviour;
pub mod core;
pub mod mechanisms;
pub mod motives;
pub mod world;

pub use core::counters::{CohortDay, DayRecord};
pub use core::params::Params;
pub use core::types::{AgeBand, Cohort, PerResident, ResidentId};
pub use world::{AgeBandCounts, Phase, World};
