//! The digital platform (mini-program): a logit bonus on every activity, online redemption and a cheaper proposal.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A digital platform (online mini-program) that lowers the cost of taking part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Platform {
    /// Turns the platform on.
    pub enabled: bool,
    /// Daily redemption chance online (replaces `time_bank.redeem_chance`).
    pub online_redeem_chance: f64,
    /// Share of the proposal effort the platform removes.
    pub effort_discount: f64,
    /// Logit bonus on volunteering and attending (sign-up from a phone, reminders).
    pub participation_bonus: f64,
}

impl Default for Platform {
    fn default() -> Platform {
        Platform { enabled: false, online_redeem_chance: 0.1, effort_discount: 0.5, participation_bonus: 0.3 }
    }
}
