//! Seats at the deliberation day reserved for transient residents (流动人口席位), and the invitation that goes with them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Seats at the deliberation day reserved for transient residents (流动人口席位).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TransientSeat {
    /// Reserved seats (0 = none); transient applicants fill them first.
    pub seats: u32,
    /// Logit bonus on transients' attending while seats are reserved (a seat kept for you is an invitation).
    pub invitation_bonus: f64,
}

impl Default for TransientSeat {
    fn default() -> TransientSeat {
        TransientSeat { seats: 0, invitation_bonus: 1.0 }
    }
}
