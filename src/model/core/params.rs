//! The core model's parameters: the community's structure, the three thirds, behaviour,
//! network, committee and needs, and `Params`, everything one replicate of the model reads.
//!
//! Doc comments on fields are user documentation: they become the JSON Schema descriptions
//! and the comments of `linli init`.

use crate::model::mechanisms::reward_image::ImageParams;
use crate::model::motives::cooperation::CooperationParams;
use crate::model::motives::identity::IdentityParams;
use crate::model::motives::tenure::TenureParams;
use crate::model::motives::thresholds::ThresholdParams;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::events::Event;
use crate::model::mechanisms::Policy;
use crate::model::mechanisms::merchants::MerchantParams;

/// Everything one replicate of the model reads: the run's seed and burn-in, the core
/// parameters, the events and each mechanism's parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// Base random seed; replicate k uses the streams keyed by (seed, k).
    pub seed: u64,
    /// Days simulated before the first recorded day; mechanisms act only after them.
    pub burn_in_days: u32,
    pub community: Community,
    pub cohorts: Cohorts,
    pub behaviour: Behaviour,
    pub network: Network,
    pub committee: Committee,
    pub needs: Needs,
    pub events: Vec<Event>,
    pub merchants: MerchantParams,
    pub policy: Policy,
}

/// The built structure: compounds -> buildings -> stairwell units -> households -> residents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Community {
    /// Gated compounds (小区/院落).
    pub compounds: u32,
    /// Residential buildings (楼栋).
    pub buildings: u32,
    /// Stairwell units (单元), spread evenly over buildings.
    pub stairwells: u32,
    /// Households, spread evenly over stairwell units.
    pub households: u32,
    /// Residents, spread over households (every household has at least one).
    pub residents: u32,
    /// Micro-grids (微网格) grouping neighbouring households.
    pub micro_grids: u32,
}

/// The three thirds (三三制): original owners, new young families, transient renters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(from = "CohortsInput")]
pub struct Cohorts {
    pub original: CohortParams,
    pub new_family: CohortParams,
    pub transient: CohortParams,
}

/// The three thirds as written in a file: any key left out of a cohort's table takes that
/// cohort's own default.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CohortsInput {
    /// Original owners (老业主), many of twenty years' standing.
    pub original: CohortPatch,
    /// New young families (新家庭), with children and fragmented weekdays.
    pub new_family: CohortPatch,
    /// Transient renters (流动人口), who move out and are replaced.
    pub transient: CohortPatch,
}

impl From<CohortsInput> for Cohorts {
    fn from(input: CohortsInput) -> Cohorts {
        let defaults = Cohorts::default();
        Cohorts {
            original: input.original.over(defaults.original),
            new_family: input.new_family.over(defaults.new_family),
            transient: input.transient.over(defaults.transient),
        }
    }
}

/// Declares [`CohortParams`] and its all-optional twin [`CohortPatch`] from one field list,
/// so the two (and their user documentation) cannot drift apart.
macro_rules! cohort_params {
    ($($(#[doc = $doc:expr])+ $field:ident: $ty:ty,)+) => {
        /// How one cohort is made up and how it behaves.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct CohortParams {
            $($(#[doc = $doc])+ pub $field: $ty,)+
        }

        /// How one cohort is made up and how it behaves (keys left out keep the cohort's default).
        #[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct CohortPatch {
            $($(#[doc = $doc])+ pub $field: Option<$ty>,)+
        }

        impl CohortPatch {
            /// The cohort `base` with this patch's keys replaced.
            pub fn over(self, base: CohortParams) -> CohortParams {
                CohortParams { $($field: self.$field.unwrap_or(base.$field),)+ }
            }
        }
    };
}

cohort_params! {
    /// Share of households in this cohort; the three shares sum to 1.
    share: f64,
    /// Shares of the cohort's residents in each age band; they sum to 1. Give all four. Household
    /// heads are adults; the other members carry the children, so these shares hold overall.
    age_shares: AgeShares,
    /// Shortest tenure at the start, in years.
    tenure_min_years: f64,
    /// Longest tenure at the start, in years.
    tenure_max_years: f64,
    /// Mean share of a weekday that is free for community life (0-1).
    weekday_free: f64,
    /// Mean share of a weekend day that is free for community life (0-1).
    weekend_free: f64,
    /// Logit intercept of taking part (higher = more inclined).
    propensity: f64,
    /// Mean initial trust in the committee (0-1).
    trust: f64,
    /// Level (0-1) that attachment relaxes towards (ties raise it further); newcomers start lower.
    attachment: f64,
    /// Level (0-1) that awareness of what the committee offers relaxes towards; newcomers start lower.
    awareness: f64,
    /// Mean intrinsic motivation to serve the community (0-1).
    intrinsic: f64,
    /// Logit intercept of raising a need as a complaint rather than staying silent.
    voice: f64,
    /// Share of the cohort's households that move out in a year (replaced by newcomers).
    move_out_rate: f64,
}

/// Shares of residents by age band.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeShares {
    /// Under 18.
    pub child: f64,
    /// 18 to 34.
    pub young_adult: f64,
    /// 35 to 59.
    pub adult: f64,
    /// 60 and over.
    pub senior: f64,
}

/// Weights of the participation model and the rates of its dynamics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Days a resident counts as active after taking part (active_rate window).
    pub active_window_days: u32,
    /// Logit weight of habit (0-1).
    pub habit_weight: f64,
    /// Logit weight of the share of ties who took part within the active window.
    pub social_weight: f64,
    /// Logit weight of trust in the committee, centred at 0.5.
    pub trust_weight: f64,
    /// Logit weight of attachment, centred at 0.5.
    pub attachment_weight: f64,
    /// Logit weight of intrinsic motivation, centred at 0.5.
    pub intrinsic_weight: f64,
    /// Logit offset of volunteering for a committee task on a given day.
    pub volunteer_offset: f64,
    /// Logit offset of attending the deliberation day.
    pub deliberation_offset: f64,
    /// Logit bonus of young adults (18-34) at special (yearly or one-off) events such as the
    /// music festival: drawn in by events, not routines (seed 003, 重活动、轻持续).
    pub young_event_bonus: f64,
    /// Extra free time of residents aged 60+ (added to the cohort's free-time means).
    pub senior_free_time_bonus: f64,
    /// Spread (standard deviation) of individual traits around the cohort means.
    pub trait_spread: f64,
    /// Habit gained on a day of taking part, as a share of the gap to 1.
    pub habit_gain: f64,
    /// Share of habit lost on each day.
    pub habit_decay: f64,
    /// Daily rate at which attachment approaches its cohort's level (`cohorts.*.attachment`);
    /// newcomers start lower, so attachment grows with tenure.
    pub attachment_relaxation: f64,
    /// Daily attachment growth per unit share of the maximum degree held in ties.
    pub attachment_ties_rate: f64,
    /// Attachment gained on a day of taking part, as a share of the gap to 1.
    pub attachment_participation_gain: f64,
    /// Daily awareness gained per unit share of active ties (word of mouth).
    pub awareness_social_gain: f64,
    /// Awareness gained on a day of taking part, as a share of the gap to 1.
    pub awareness_participation_gain: f64,
    /// Daily rate at which awareness returns to its cohort's baseline (`cohorts.*.awareness`).
    pub awareness_relaxation: f64,
    /// Trust gained when one's complaint is resolved, as a share of the gap to 1.
    pub trust_resolved_gain: f64,
    /// Share of trust lost when one's complaint is left unresolved.
    pub trust_unresolved_loss: f64,
    /// Logit weight of trust (centred) on voicing a need as a complaint.
    pub voice_trust_weight: f64,
    /// Logit weight of attachment (centred) on voicing a need.
    pub voice_attachment_weight: f64,
    /// Logit weight of awareness (centred) on voicing a need.
    pub voice_awareness_weight: f64,
    /// Starting attachment and awareness of a newcomer, as a share of the cohort's level; initial
    /// residents start from there too and have relaxed towards the level for their tenure.
    pub newcomer_factor: f64,
    /// Participant identity: a lasting disposition and an identity built by taking part.
    pub identity: IdentityParams,
    /// Threshold-type influence of ties who take part.
    pub thresholds: ThresholdParams,
    /// Conditional cooperation: beliefs about others' taking part, and report-back.
    pub cooperation: CooperationParams,
    /// Attachment that grows with the years lived here.
    pub tenure: TenureParams,
    /// Image motivation: a small reward framed as pay makes volunteering look paid.
    pub image: ImageParams,
}

/// The social network: ties generated at the start and ties formed by taking part together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Ties each resident makes to others in the same stairwell unit (besides the household).
    pub stairwell_ties: u32,
    /// Ties each resident makes to others in the same building.
    pub building_ties: u32,
    /// Ties each resident makes to anyone in the community.
    pub long_range_ties: u32,
    /// The most ties a resident can hold (1-255); household ties come first.
    pub max_degree: u32,
    /// Chance that a participant forms a tie with another participant of the same activity.
    pub co_participation_tie_chance: f64,
}

/// What the neighbourhood committee offers and how it handles complaints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Committee {
    /// Volunteer tasks offered on a weekday (places go by random priority; the rest are turned away).
    pub volunteer_tasks_per_day: u32,
    /// Volunteer tasks offered on a weekend day.
    pub volunteer_tasks_per_weekend_day: u32,
    /// Day of the month of the deliberation day (爱邻议事日), 1-28.
    pub deliberation_day: u32,
    /// Seats at the deliberation day.
    pub deliberation_seats: u32,
    /// Hours of one volunteer task (for volunteer hours in comparisons).
    pub hours_per_task: f64,
    /// Share of complaints the committee resolves.
    pub resolve_share: f64,
    /// Fewest days to resolve a complaint.
    pub resolve_days_min: u32,
    /// Most days to resolve a complaint; an unresolved complaint is judged stalled then.
    pub resolve_days_max: u32,
}

/// How needs arise: personal needs, neighbour disputes and building problems.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Needs {
    /// Personal needs (repairs, services) per adult resident per year.
    pub personal_per_year: f64,
    /// Neighbour disputes per adult resident per year.
    pub disputes_per_year: f64,
    /// Pipe bursts in the whole community per year; each hits one stairwell unit.
    pub pipe_bursts_per_year: f64,
    /// Chance that an adult in a stairwell unit hit by a pipe burst has a need from it.
    pub pipe_burst_need_chance: f64,
}

// Defaults: Wanke Chenghua (万科城花), seed 003; sources per value are in docs/MODEL.md.
impl Default for Community {
    fn default() -> Community {
        Community { compounds: 4, buildings: 101, stairwells: 328, households: 3346, residents: 10685, micro_grids: 34 }
    }
}

impl Default for Cohorts {
    fn default() -> Cohorts {
        Cohorts {
            original: CohortParams {
                share: 1.0 / 3.0,
                age_shares: AgeShares { child: 0.08, young_adult: 0.12, adult: 0.50, senior: 0.30 },
                tenure_min_years: 10.0,
                tenure_max_years: 22.0,
                weekday_free: 0.45,
                weekend_free: 0.55,
                propensity: 0.5,
                trust: 0.6,
                attachment: 0.7,
                awareness: 0.7,
                intrinsic: 0.55,
                voice: 0.0,
                move_out_rate: 0.02,
            },
            new_family: CohortParams {
                share: 1.0 / 3.0,
                age_shares: AgeShares { child: 0.32, young_adult: 0.33, adult: 0.30, senior: 0.05 },
                tenure_min_years: 0.0,
                tenure_max_years: 6.0,
                weekday_free: 0.2,
                weekend_free: 0.6,
                propensity: 0.5,
                trust: 0.5,
                attachment: 0.45,
                awareness: 0.5,
                intrinsic: 0.5,
                voice: 0.2,
                move_out_rate: 0.06,
            },
            transient: CohortParams {
                share: 1.0 / 3.0,
                age_shares: AgeShares { child: 0.10, young_adult: 0.56, adult: 0.30, senior: 0.04 },
                tenure_min_years: 0.0,
                tenure_max_years: 2.0,
                weekday_free: 0.3,
                weekend_free: 0.45,
                propensity: 0.7,
                trust: 0.4,
                attachment: 0.25,
                awareness: 0.3,
                intrinsic: 0.4,
                voice: -0.8,
                move_out_rate: 0.45,
            },
        }
    }
}

impl Default for Behaviour {
    fn default() -> Behaviour {
        Behaviour {
            active_window_days: 30,
            habit_weight: 1.5,
            social_weight: 1.5,
            trust_weight: 1.0,
            attachment_weight: 1.5,
            intrinsic_weight: 2.0,
            volunteer_offset: -6.5,
            deliberation_offset: -5.0,
            young_event_bonus: 1.0,
            senior_free_time_bonus: 0.25,
            trait_spread: 0.15,
            habit_gain: 0.25,
            habit_decay: 0.01,
            attachment_relaxation: 0.002,
            attachment_ties_rate: 0.0005,
            attachment_participation_gain: 0.02,
            awareness_social_gain: 0.004,
            awareness_participation_gain: 0.1,
            awareness_relaxation: 0.003,
            trust_resolved_gain: 0.15,
            trust_unresolved_loss: 0.2,
            voice_trust_weight: 2.0,
            voice_attachment_weight: 1.0,
            voice_awareness_weight: 1.5,
            newcomer_factor: 0.5,
            identity: IdentityParams::default(),
            thresholds: ThresholdParams::default(),
            cooperation: CooperationParams::default(),
            tenure: TenureParams::default(),
            image: ImageParams::default(),
        }
    }
}

impl Default for Network {
    fn default() -> Network {
        Network {
            stairwell_ties: 3,
            building_ties: 1,
            long_range_ties: 1,
            max_degree: 16,
            co_participation_tie_chance: 0.05,
        }
    }
}

impl Default for Committee {
    fn default() -> Committee {
        Committee {
            volunteer_tasks_per_day: 20,
            volunteer_tasks_per_weekend_day: 40,
            deliberation_day: 20,
            deliberation_seats: 120,
            hours_per_task: 2.0,
            resolve_share: 0.4,
            resolve_days_min: 3,
            resolve_days_max: 45,
        }
    }
}

impl Default for Needs {
    fn default() -> Needs {
        Needs {
            personal_per_year: 0.0035,
            disputes_per_year: 0.0015,
            pipe_bursts_per_year: 15.0,
            pipe_burst_need_chance: 0.03,
        }
    }
}

impl Cohorts {
    /// The parameters of each cohort in [`Cohort::ALL`] order.
    pub fn by_cohort(&self) -> [&CohortParams; 3] {
        [&self.original, &self.new_family, &self.transient]
    }
}

impl AgeShares {
    /// Shares in age-band order: child, young adult, adult, senior.
    pub fn as_array(&self) -> [f64; 4] {
        [self.child, self.young_adult, self.adult, self.senior]
    }
}
