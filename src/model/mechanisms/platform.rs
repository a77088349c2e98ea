//! The digital platform (mini-program): it frees time for taking part (sign-up from a phone), redeems online and makes a proposal cheaper.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Mechanism;
use crate::model::core::check::Check;
use crate::model::core::day::Today;
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::{AgeBand, N_AGE_BANDS};

/// A digital platform (online mini-program) that lowers the cost of taking part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlatformParams {
    /// Turns the platform on.
    pub enabled: bool,
    /// Daily redemption chance online (replaces `time_bank.redeem_chance`).
    pub online_redeem_chance: f64,
    /// Share of the proposal effort the platform removes.
    pub effort_discount: f64,
    /// Logit bonus on volunteering and attending for everyone (0 by default: the platform's
    /// effect on taking part is through time, `time_relief`).
    pub participation_bonus: f64,
    /// Share of the gap between a resident's free time and a whole free day that the platform
    /// closes for a user (one-click sign-up and reminders fit participation into fragments of
    /// time); it helps most those with least time.
    pub time_relief: f64,
    /// Share of residents aged 60+ who use the platform (all younger residents do).
    pub senior_use: f64,
}

impl Default for PlatformParams {
    fn default() -> PlatformParams {
        PlatformParams {
            enabled: false,
            online_redeem_chance: 0.1,
            effort_discount: 0.5,
            participation_bonus: 0.0,
            time_relief: 0.3,
            senior_use: 0.5,
        }
    }
}

impl PlatformParams {
    /// The ranges of the platform's keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.share(&format!("{at}.online_redeem_chance"), self.online_redeem_chance);
        check.share(&format!("{at}.effort_discount"), self.effort_discount);
        check.real_range(&format!("{at}.participation_bonus"), self.participation_bonus, -50.0, 50.0);
        check.share(&format!("{at}.time_relief"), self.time_relief);
        check.share(&format!("{at}.senior_use"), self.senior_use);
    }
}

/// The platform's effect on taking part: the time it frees by age band, and a flat bonus. Its
/// other effects are read-only inputs of the time bank (online redemption) and the proposal
/// fund (less effort to propose).
pub struct Platform {
    /// Logit bonus on every activity (0 without the platform).
    bonus: f32,
    /// Share of the free-time gap closed, by age band (0 without the platform).
    relief: [f32; N_AGE_BANDS],
}

impl Mechanism for Platform {
    type Counters = ();
    type Wishes = ();

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, _core: &Core) -> Platform {
        let p = &params.policy.platform;
        if !p.enabled {
            return Platform { bonus: 0.0, relief: [0.0; N_AGE_BANDS] };
        }
        let relief = |band: AgeBand| {
            let users = if band == AgeBand::Senior { p.senior_use } else { 1.0 };
            (p.time_relief * users) as f32
        };
        Platform { bonus: p.participation_bonus as f32, relief: AgeBand::ALL.map(relief) }
    }

    fn utility_bonus(&self, _today: &Today) -> f32 {
        self.bonus
    }

    /// free + relief (1 - free): the relief is worth most to the time-poor (Brady, Verba &
    /// Schlozman 1995: time is a resource of participation; Spada et al. 2016: online voting
    /// drew new participants into participatory budgeting).
    fn free_time(&self, age: AgeBand, free: f32) -> f32 {
        let relief = self.relief[age.index()];
        // Without the platform (or for a band it does not reach) the free time is as it was.
        if relief == 0.0 { free } else { free + relief * (1.0 - free) }
    }
}
