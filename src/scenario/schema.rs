//! The scenario format: every key, its type, its default and its meaning.
//!
//! Doc comments on fields are user documentation: they become the JSON Schema descriptions
//! and the comments of `linli init`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::policy::{Costs, Merchants, Policy};
use crate::model::core::acts::ATTENDED;
pub use crate::model::core::date::Date;
pub use crate::model::core::events::{Event, Repeat, WeekdayName};
pub use crate::model::core::params::{
    AgeShares, Behaviour, CohortParams, CohortPatch, Cohorts, CohortsInput, Committee, Community, Needs, Network,
};
pub use crate::model::core::types::{AgeBand, Cohort};
use crate::model::mechanisms::all_act_kinds;

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
    /// The format of the individual-level data: "parquet" (events.parquet, residents.parquet)
    /// or "csv" (events.csv, residents.csv).
    pub agents_format: AgentsFormat,
    /// Measures of your own, computed from every resident's acts and reported beside the
    /// built-in ones (in summary.json and on the screen; `linli compare` compares arms on them).
    #[serde(rename = "measure", skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<MeasureSpec>,
}

/// A measure computed from individual-level data: which acts, of whom, and how they are
/// aggregated over residents, per replicate (then averaged over replicates with a 95% interval).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// Its name in outputs: lowercase letters, digits and underscores, not a built-in measure's.
    pub name: String,
    /// Which acts: a kind of act as named in the event log (for example "volunteered",
    /// "attended", "complained", "points_earned") or "took_part" (volunteered or attended).
    pub act: String,
    /// Only attendances of one activity: an event's name, "deliberation" or "workshop" (with
    /// act "attended" or "took_part").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// Only residents who did this kind of act at least once in the run (for example
    /// "points_earned": the time bank's members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub among: Option<String>,
    /// Report only this group: "all", a cohort or an age band (default: every group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// How the acts are aggregated over the residents who lived here during the run.
    pub aggregate: Aggregate,
}

impl Aggregate {
    /// Whether its values are shares (of residents, participants or acts), shown as percents.
    pub fn is_share(self) -> bool {
        use Aggregate::*;
        matches!(self, EverShare | Top20Share | Retention | FirstTimerFollowup | SimilarNonParticipantFollowup)
    }
}

/// How a measure aggregates acts over residents (each counts the acts of the whole run unless
/// it says otherwise; "participants" did the act at least once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// The number of acts.
    Total,
    /// Acts per resident.
    MeanPerResident,
    /// The share of residents who did the act at least once.
    EverShare,
    /// The share of the acts done by the most active 20% of participants.
    Top20Share,
    /// The Gini coefficient of acts among participants (0: all alike; near 1: one does all).
    Gini,
    /// Acts per participant: mean.
    MeanPerParticipant,
    /// Acts per participant: median.
    MedianPerParticipant,
    /// Acts per participant: 90th percentile.
    P90PerParticipant,
    /// Of those who did the act in a calendar year and lived here the next, the share who did
    /// it again the next year (pooled over consecutive years).
    Retention,
    /// Of those who did the act for the first time in the run in a year after the first, the
    /// share who did it again the next year.
    FirstTimerFollowup,
    /// The same next-year share for similar residents (same cohort and age band, weighted to
    /// the first-timers' mix) who had not done it by then.
    SimilarNonParticipantFollowup,
}

/// The act name of a measure meaning "volunteered or attended".
pub const TOOK_PART: &str = "took_part";

/// The built-in measures, each reported for every group: (name, act, among, aggregate). A
/// measure of the scenario's own may not take one of their names.
pub const BUILT_IN_MEASURES: [(&str, &str, Option<&str>, Aggregate); 12] = [
    ("ever_took_part", TOOK_PART, None, Aggregate::EverShare),
    ("ever_volunteered", "volunteered", None, Aggregate::EverShare),
    ("volunteering_top20_share", "volunteered", None, Aggregate::Top20Share),
    ("volunteering_gini", "volunteered", None, Aggregate::Gini),
    ("earners_who_redeemed", "points_redeemed", Some("points_earned"), Aggregate::EverShare),
    ("volunteer_retention", "volunteered", None, Aggregate::Retention),
    ("attendee_retention", "attended", None, Aggregate::Retention),
    ("first_timer_followup", TOOK_PART, None, Aggregate::FirstTimerFollowup),
    ("similar_non_participant_followup", TOOK_PART, None, Aggregate::SimilarNonParticipantFollowup),
    ("acts_per_participant_mean", TOOK_PART, None, Aggregate::MeanPerParticipant),
    ("acts_per_participant_median", TOOK_PART, None, Aggregate::MedianPerParticipant),
    ("acts_per_participant_p90", TOOK_PART, None, Aggregate::P90PerParticipant),
];

/// The names a measure's `act` and `among` may take: every kind of act as named in the event
/// log, then "took_part".
pub fn act_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = all_act_kinds().into_iter().map(|(_, name)| name).collect();
    names.push(TOOK_PART);
    names
}

/// The acts a measure may restrict to one `activity`: attendances, as "attended" or as
/// "took_part" (which then counts attendances only).
pub fn activity_acts() -> [&'static str; 2] {
    let attended = all_act_kinds().into_iter().find(|&(kind, _)| kind == ATTENDED).map(|(_, name)| name);
    [attended.expect("attended is a kind of act"), TOOK_PART]
}

/// Whose acts a measure is reported for: the values of a measure's `group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    All,
    Cohort(Cohort),
    AgeBand(AgeBand),
}

impl Group {
    /// Everyone, each cohort, each age band.
    pub fn all() -> Vec<Group> {
        let cohorts = Cohort::ALL.into_iter().map(Group::Cohort);
        std::iter::once(Group::All).chain(cohorts).chain(AgeBand::ALL.into_iter().map(Group::AgeBand)).collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Group::All => "all",
            Group::Cohort(c) => c.name(),
            Group::AgeBand(a) => a.name(),
        }
    }

    /// The group called `name`.
    pub fn parse(name: &str) -> Option<Group> {
        Group::all().into_iter().find(|g| g.name() == name)
    }

    /// Whether a resident of `cohort` and `age_band` belongs to the group.
    pub fn holds(self, cohort: Cohort, age_band: AgeBand) -> bool {
        match self {
            Group::All => true,
            Group::Cohort(c) => c == cohort,
            Group::AgeBand(a) => a == age_band,
        }
    }
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
