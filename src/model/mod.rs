//! The model: the community's structure, residents, social network and daily decisions.

pub mod complaints;
pub mod events;
pub mod merchants;
pub mod metrics;
pub mod network;
pub mod population;
pub mod proposals;
pub mod rules;
pub mod structure;
pub mod types;
pub mod world;

pub use metrics::{CohortDay, DayRecord};
pub use types::{AgeBand, Cohort, HouseholdId, ResidentId};
pub use world::{AgeBandCounts, World};
