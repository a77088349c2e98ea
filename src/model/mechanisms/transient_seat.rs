//! Seats at the deliberation day reserved for transient residents (流动人口席位), and the invitation that goes with them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Mechanism;
use crate::model::core::check::Check;
use crate::model::core::day::{Activity, DELIBERATION, Reservation, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::{Cohort, ResidentId};

/// Seats at the deliberation day reserved for transient residents (流动人口席位).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TransientSeatParams {
    /// Reserved seats (0 = none); transient applicants fill them first.
    pub seats: u32,
    /// Logit bonus on transients' attending while seats are reserved (a seat kept for you is an invitation).
    pub invitation_bonus: f64,
}

impl Default for TransientSeatParams {
    fn default() -> TransientSeatParams {
        TransientSeatParams { seats: 0, invitation_bonus: 1.0 }
    }
}

impl TransientSeatParams {
    /// The ranges of the seats' keys, at `at` in the scenario file; `deliberation_seats` (the
    /// committee's, at `seats_key`) caps the reserved seats.
    pub fn check(&self, at: &str, deliberation_seats: (u32, &str), check: &mut impl Check) {
        check.real_range(&format!("{at}.invitation_bonus"), self.invitation_bonus, -50.0, 50.0);
        let (seats, seats_key) = deliberation_seats;
        if self.seats > seats {
            check.inconsistent(
                &format!("{at}.seats"),
                format!("at most {seats_key} ({seats})"),
                self.seats.to_string(),
            );
        }
    }
}

/// Reserved seats: transient applicants to the deliberation day get the first `seats` places,
/// and an invitation raises their wish to come.
pub struct TransientSeat {
    seats: u32,
    /// Logit bonus of transients at the deliberation day (0 without seats).
    invitation: f32,
}

impl Mechanism for TransientSeat {
    type Counters = ();
    type Wishes = ();

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, _core: &Core) -> TransientSeat {
        let p = &params.policy.transient_seat;
        TransientSeat { seats: p.seats, invitation: if p.seats > 0 { p.invitation_bonus as f32 } else { 0.0 } }
    }

    #[inline]
    fn activity_offset(&self, core: &Core, i: ResidentId, activity: Activity, _today: &Today) -> f32 {
        let invited = activity == DELIBERATION && core.residents.cohort[i] == Cohort::Transient;
        if invited { self.invitation } else { 0.0 }
    }

    fn most_activity_offset(&self, activity: Activity, _today: &Today) -> f32 {
        if activity == DELIBERATION { self.invitation.max(0.0) } else { 0.0 }
    }

    fn reservation(&self, _today: &Today) -> Option<Reservation> {
        (self.seats > 0).then_some(Reservation {
            activity: DELIBERATION,
            cohort: Cohort::Transient,
            places: self.seats,
        })
    }
}
