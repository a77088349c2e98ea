//! Motives from the evidence on volunteering and participation, each switchable in its own file
//! and present from the first day (unlike the policies, which act after the burn-in).

pub mod cooperation;
pub mod identity;
pub mod tenure;
pub mod thresholds;

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::engine::rng::unit_f32;
use crate::model::core::params::Behaviour;
use crate::model::core::types::ResidentId;
use cooperation::Cooperation;
use identity::Identity;
use tenure::Tenure;
use thresholds::Thresholds;

/// The state of every motive for every resident.
#[derive(Clone, Debug, Default)]
pub struct Motives {
    pub identity: Identity,
    pub thresholds: Thresholds,
    pub cooperation: Cooperation,
    pub tenure: Tenure,
}

impl Motives {
    pub fn new(behaviour: &Behaviour, n: usize) -> Motives {
        Motives {
            identity: Identity::new(&behaviour.identity, n),
            thresholds: Thresholds::new(&behaviour.thresholds, n),
            cooperation: Cooperation::new(&behaviour.cooperation, n),
            tenure: Tenure::new(&behaviour.tenure),
        }
    }

    /// A resident moves in (or is drawn at the start): their own disposition and threshold come
    /// from `rng`, their stream for moving in, read in a fixed layout (a normal, then a uniform).
    pub fn on_move_in(&mut self, i: ResidentId, rng: &mut impl Rng) {
        let z: f64 = StandardNormal.sample(rng);
        let u = unit_f32(rng.next_u32());
        self.identity.on_move_in(i, z as f32);
        self.thresholds.on_move_in(i, u);
        self.cooperation.on_move_in(i);
    }

    /// The motives' logit terms for resident `i`, whose share of active ties is `social` and who
    /// has lived here `tenure_days`.
    #[inline]
    pub fn utility(&self, i: ResidentId, social: f32, tenure_days: i32) -> f32 {
        self.identity.utility(i)
            + self.thresholds.utility(i, social)
            + self.cooperation.utility(i)
            + self.tenure.utility(tenure_days)
    }

    /// Resident `i` takes part today.
    pub fn on_take_part(&mut self, i: ResidentId) {
        self.identity.on_take_part(i);
    }

    /// The end of the day: identities fade, beliefs follow `active_share(i)`.
    pub fn end_of_day(&mut self, active_share: impl Fn(usize) -> f32 + Sync) {
        self.identity.end_of_day();
        self.cooperation.end_of_day(active_share);
    }

    pub fn heap_bytes(&self) -> usize {
        self.identity.heap_bytes() + self.thresholds.heap_bytes() + self.cooperation.heap_bytes()
    }
}
