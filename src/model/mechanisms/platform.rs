//! The digital platform (mini-program): a logit bonus on every activity, online redemption and a cheaper proposal.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Mechanism;
use crate::model::core::check::Check;
use crate::model::core::day::Today;
use crate::model::core::params::Params;
use crate::model::core::state::Core;

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
    /// Logit bonus on volunteering and attending (sign-up from a phone, reminders).
    pub participation_bonus: f64,
}

impl Default for PlatformParams {
    fn default() -> PlatformParams {
        PlatformParams { enabled: false, online_redeem_chance: 0.1, effort_discount: 0.5, participation_bonus: 0.3 }
    }
}

impl PlatformParams {
    /// The ranges of the platform's keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.share(&format!("{at}.online_redeem_chance"), self.online_redeem_chance);
        check.share(&format!("{at}.effort_discount"), self.effort_discount);
        check.real_range(&format!("{at}.participation_bonus"), self.participation_bonus, -50.0, 50.0);
    }
}

/// The platform's bonus on taking part in anything. Its other effects are read-only inputs of
/// the time bank (online redemption) and the proposal fund (less effort to propose).
pub struct Platform {
    /// Logit bonus on every activity (0 without the platform).
    bonus: f32,
}

impl Mechanism for Platform {
    type Counters = ();
    type Wishes = ();

    fn build(params: &Params, _core: &Core) -> Platform {
        let p = &params.policy.platform;
        Platform { bonus: if p.enabled { p.participation_bonus as f32 } else { 0.0 } }
    }

    fn utility_bonus(&self, _today: &Today) -> f32 {
        self.bonus
    }
}
