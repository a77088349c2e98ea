//! The scenario: schema, defaults, the embedded default community, reading and validation.

pub use crate::model::core::date;
pub mod error;
pub mod json_schema;
pub mod load;
pub mod policy;
pub mod schema;
pub mod template;
pub mod validate;

pub use error::{ErrorKind, Location, ScenarioError};
pub use load::{Reading, decode, parse, read_with_sections};
pub use schema::Scenario;

use crate::model::core::day::{DELIBERATION, FIRST_EVENT};
use crate::model::mechanisms::integration::WORKSHOP;

/// The embedded default scenario: Wanke Chenghua (万科城花), as in `scenarios/wanke-chenghua.toml`.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../../scenarios/wanke-chenghua.toml");

/// The largest scenario file read (1 MiB): far above any real scenario (the shipped ones hold
/// under 4 KiB), so that `linli check /dev/zero` stops at once.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// The name shown for the embedded default in errors and outputs.
pub const DEFAULT_SCENARIO_NAME: &str = "<embedded>/wanke-chenghua.toml";

/// The embedded default scenario, parsed.
pub fn default_scenario() -> Scenario {
    parse(DEFAULT_SCENARIO_TOML, std::path::Path::new(DEFAULT_SCENARIO_NAME)).expect("the embedded scenario is valid")
}

impl Scenario {
    /// The parameters one replicate of the model reads.
    pub fn model_params(&self) -> crate::model::Params {
        crate::model::Params {
            seed: self.scenario.seed,
            burn_in_days: self.scenario.burn_in_days,
            community: self.community.clone(),
            cohorts: self.cohorts.clone(),
            behaviour: self.behaviour.clone(),
            network: self.network.clone(),
            committee: self.committee.clone(),
            needs: self.needs.clone(),
            events: self.events.clone(),
            merchants: self.merchants.clone(),
            policy: self.policy.clone(),
        }
    }

    /// The activities a measure's `activity` may name, with their codes in the event log:
    /// the deliberation day, the integration workshop, then the events by name, in order.
    pub fn activities(&self) -> Vec<(String, u64)> {
        let fixed = [("deliberation", DELIBERATION), ("workshop", WORKSHOP)];
        let events =
            self.events.iter().enumerate().map(|(e, event)| (event.name.clone(), u64::from(FIRST_EVENT) + e as u64));
        fixed.into_iter().map(|(name, code)| (name.to_string(), u64::from(code))).chain(events).collect()
    }

    /// The same community scaled to `residents` (every structural count scaled alike, at least
    /// one of each); for benchmarks and city-scale runs.
    pub fn scaled_to(&self, residents: u32) -> Scenario {
        let mut scaled = self.clone();
        let factor = residents as f64 / self.community.residents as f64;
        let scale = |count: u32| ((count as f64 * factor).round() as u32).max(1);
        let c = &mut scaled.community;
        c.residents = residents.max(1);
        c.households = scale(c.households).min(c.residents);
        c.stairwells = scale(c.stairwells).min(c.households);
        c.buildings = scale(c.buildings).min(c.stairwells);
        c.compounds = scale(c.compounds).min(c.buildings);
        c.micro_grids = scale(c.micro_grids).min(c.households);
        for event in &mut scaled.events {
            event.capacity = scale(event.capacity);
        }
        let committee = &mut scaled.committee;
        committee.volunteer_tasks_per_day = scale(committee.volunteer_tasks_per_day);
        committee.volunteer_tasks_per_weekend_day = scale(committee.volunteer_tasks_per_weekend_day);
        committee.deliberation_seats = scale(committee.deliberation_seats);
        scaled.needs.pipe_bursts_per_year *= factor;
        scaled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_matches_the_brief() {
        let s = default_scenario();
        let c = &s.community;
        assert_eq!((c.residents, c.households, c.buildings, c.stairwells), (10685, 3346, 101, 328));
        assert_eq!((s.scenario.days, s.scenario.replicates), (1096, 20));
        assert_eq!(s.scenario.start_date.to_string(), "2024-01-01");
    }

    #[test]
    fn scaled_scenarios_stay_valid() {
        for residents in [1, 50, 1_000_000] {
            let scaled = default_scenario().scaled_to(residents);
            assert_eq!(validate::validate(&scaled), vec![], "{residents}");
            assert_eq!(scaled.community.residents, residents);
        }
    }
}
