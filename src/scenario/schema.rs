//! The scenario format: every key, its type, its default and its meaning.
//!
//! Doc comments on fields are user documentation: they become the JSON Schema descriptions
//! and the comments of `linli init`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::policy::{Costs, Merchants, Policy};
pub use crate::model::core::date::Date;
pub use crate::model::core::events::{Event, Repeat, WeekdayName};
pub use crate::model::core::params::{
    AgeShares, Behaviour, CohortParams, CohortPatch, Cohorts, CohortsInput, Committee, Community, Needs, Network,
};
pub use crate::model::core::types::{AgeBand, Cohort};

/// The scenario format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A linli scenario: a community, its people, its committee and its events.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub scenario: Meta,
    #[serde(default)]
    pub community: Community,
    #[serde(default)]
    pub cohorts: Cohorts,
    #[serde(default)]
    pub behaviour: Behaviour,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub committee: Committee,
    #[serde(default)]
    pub needs: Needs,
    #[serde(default)]
    pub merchants: Merchants,
    #[serde(default)]
    pub policy: Policy,
    #[serde(default)]
    pub costs: Costs,
    /// Dated or recurring events (activities) residents may attend. Add new events at the end:
    /// each event's random draws sit at its position in this list.
    #[serde(default, rename = "event")]
    pub events: Vec<Event>,
    /// Optional outputs of `linli run` (the same as its command-line flags).
    #[serde(default, skip_serializing_if = "Output::is_default")]
    pub output: Output,
}

/// Optional outputs of `linli run`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// Also write individual-level data, every resident's acts (as `linli run --agents`).
    pub agents: bool,
    /// The format of the individual-level data: "parquet" (events.parquet) or "csv" (events.csv).
    pub agents_format: AgentsFormat,
}

impl Output {
    fn is_default(&self) -> bool {
        *self == Output::default()
    }
}

/// How the individual-level data is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum AgentsFormat {
    /// `events.parquet`: columnar, dictionary-encoded (read with pandas, polars or R arrow).
    #[default]
    Parquet,
    /// `events.csv`: the same columns as text.
    Csv,
}

impl AgentsFormat {
    /// The file the individual-level data is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            AgentsFormat::Parquet => "events.parquet",
            AgentsFormat::Csv => "events.csv",
        }
    }
}

/// What the run is: name, period, replicates and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Scenario format version; must be 1.
    pub version: u32,
    /// Short name; also the default output folder `outputs/<name>/`.
    #[serde(default = "defaults::name")]
    pub name: String,
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    /// First recorded day, YYYY-MM-DD (the burn-in runs before it).
    #[serde(default = "defaults::start_date")]
    pub start_date: Date,
    /// Number of recorded days from `start_date` (one step is one day).
    #[serde(default = "defaults::days")]
    pub days: u32,
    /// Days simulated before `start_date` and not recorded, so habits and ties settle first.
    #[serde(default = "defaults::burn_in_days")]
    pub burn_in_days: u32,
    /// Number of replicates (independent runs with derived random streams).
    #[serde(default = "defaults::replicates")]
    pub replicates: u32,
    /// Base random seed; replicate k uses the streams keyed by (seed, k).
    #[serde(default = "defaults::seed")]
    pub seed: u64,
}

mod defaults {
    use super::Date;

    pub fn name() -> String {
        "wanke-chenghua".into()
    }
    pub fn start_date() -> Date {
        Date::from_ymd(2024, 1, 1)
    }
    pub fn days() -> u32 {
        1096
    }
    pub fn burn_in_days() -> u32 {
        365
    }
    pub fn replicates() -> u32 {
        20
    }
    pub fn seed() -> u64 {
        20240101
    }
}

impl Default for Meta {
    fn default() -> Meta {
        Meta {
            version: FORMAT_VERSION,
            name: defaults::name(),
            description: String::new(),
            start_date: defaults::start_date(),
            days: defaults::days(),
            burn_in_days: defaults::burn_in_days(),
            replicates: defaults::replicates(),
            seed: defaults::seed(),
        }
    }
}
