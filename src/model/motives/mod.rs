//! Motives from the evidence on volunteering and participation, each switchable in its own file
//! and present from the first day (unlike the policies, which act after the burn-in).

pub mod cooperation;
pub mod identity;
pub mod tenure;
pub mod thresholds;

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::engine::parallel::CHUNK;
use crate::engine::rng::unit_f32;
use crate::model::behaviour::gates::BLOCK;
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

    /// The motives' values for residents `first..first + n` (at most [`BLOCK`]).
    pub fn block(&self, first: usize, n: usize) -> MotiveBlock<'_> {
        MotiveBlock {
            identity: self.identity.block(first, n),
            thresholds: self.thresholds.block(first, n),
            cooperation: self.cooperation.block(first, n),
            tenure: self.tenure,
        }
    }

    /// Resident `i` takes part today.
    pub fn on_take_part(&mut self, i: ResidentId) {
        self.identity.on_take_part(i);
    }

    /// The end of the day, chunk by chunk as the drift pass goes: the rates, and each chunk's
    /// identities and beliefs (empty slices for a motive switched off).
    pub fn drift(&mut self) -> (MotiveDrift, impl Iterator<Item = MotiveChunk<'_>>) {
        let rates = MotiveDrift {
            keep: self.identity.keep(),
            learning_rate: self.cooperation.learning_rate(),
            gain_far: self.cooperation.gain_far(),
            posted: self.cooperation.take_posted(),
        };
        let stocks = chunks_or_empty(self.identity.stocks_mut());
        let beliefs = chunks_or_empty(self.cooperation.beliefs_mut());
        (rates, stocks.zip(beliefs).map(|(stocks, beliefs)| MotiveChunk { stocks, beliefs }))
    }

    pub fn heap_bytes(&self) -> usize {
        self.identity.heap_bytes() + self.thresholds.heap_bytes() + self.cooperation.heap_bytes()
    }
}

/// A switched-off motive's per-resident values in a block.
static ZEROS: [f32; BLOCK] = [0.0; BLOCK];

/// The motives' values for a block of residents, a switched-off motive's as a weight of 0 and
/// zeros (its terms are then 0, as [`Motives::utility`] gives them), so one loop gives every
/// resident's terms.
pub struct MotiveBlock<'a> {
    identity: (f32, &'a [f32], &'a [f32]),
    thresholds: (f32, &'a [f32]),
    cooperation: (f32, f32, &'a [f32]),
    tenure: Tenure,
}

impl MotiveBlock<'_> {
    /// The block's `k`-th resident's [`Motives::utility`]: the same terms summed in the same order.
    #[inline(always)]
    pub fn utility(&self, k: usize, social: f32, tenure_days: i32) -> f32 {
        let ((w_i, disposition, stock), (w_t, threshold)) = (self.identity, self.thresholds);
        let (w_c, prior, belief) = self.cooperation;
        Identity::term(w_i, disposition[k], stock[k])
            + Thresholds::term(w_t, social, threshold[k])
            + Cooperation::term(w_c, prior, belief[k])
            + self.tenure.utility(tenure_days)
    }

    /// Asserts every slice holds `n` residents (so the loop's bounds checks go).
    #[inline(always)]
    pub fn assert_len(&self, n: usize) {
        let lens = [self.identity.1.len(), self.identity.2.len(), self.thresholds.1.len(), self.cooperation.2.len()];
        assert!(lens.iter().all(|&len| len == n), "a block of {n} residents");
    }
}

/// The chunks of one per-resident array, then empty slices (the array of a motive switched off
/// is empty).
fn chunks_or_empty(values: &mut [f32]) -> impl Iterator<Item = &mut [f32]> {
    values.chunks_mut(CHUNK).chain(std::iter::repeat_with(|| &mut [][..]))
}

/// The motives' daily rates, read once for the end-of-day pass.
#[derive(Clone, Copy, Debug)]
pub struct MotiveDrift {
    keep: f32,
    learning_rate: f32,
    gain_far: f32,
    /// Results posted on the notice board today.
    posted: u32,
}

/// One chunk of residents' identities and beliefs.
pub struct MotiveChunk<'a> {
    stocks: &'a mut [f32],
    beliefs: &'a mut [f32],
}

impl MotiveDrift {
    /// Identities fade; beliefs take in today's notice board, as far as each resident is aware
    /// (`awareness`, the day's, before it drifts), then follow `shares`, the chunk's shares of
    /// active ties.
    pub fn drift(&self, chunk: MotiveChunk<'_>, shares: &[f32], awareness: &[f32]) {
        Identity::fade(self.keep, chunk.stocks);
        Cooperation::see_notices(self.gain_far, self.posted, chunk.beliefs, awareness);
        Cooperation::learn(self.learning_rate, chunk.beliefs, shares);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::behaviour::drift;
    use crate::model::core::counters::DayRecord;
    use crate::model::core::state::Core;

    #[test]
    fn moving_in_draws_each_resident_a_disposition_and_a_threshold() {
        let (core, params) = Core::for_tests(600);
        let m = &core.motives;
        let ds: Vec<f32> = core.residents.ids().map(|i| m.identity.disposition(i)).collect();
        let mean = ds.iter().sum::<f32>() / ds.len() as f32;
        let sd = (ds.iter().map(|d| (d - mean).powi(2)).sum::<f32>() / ds.len() as f32).sqrt();
        let spread = params.behaviour.identity.disposition_spread as f32;
        assert!(mean.abs() < 0.15 && (sd - spread).abs() < 0.15 * spread, "mean {mean}, sd {sd}");
        let (low, high) = (params.behaviour.thresholds.low as f32, params.behaviour.thresholds.high as f32);
        assert!(core.residents.ids().all(|i| (low..=high).contains(&m.thresholds.threshold(i))));
        assert!(core.residents.ids().all(|i| m.cooperation.belief(i) == params.behaviour.cooperation.prior as f32));
    }

    #[test]
    fn every_motive_enters_the_residents_utility() {
        let (mut core, _) = Core::for_tests(30);
        let i = ResidentId::new(0);
        let d = core.residents.move_in_day[i] + 365;
        let base = core.utility(i, d);
        assert!(core.utility(i, d + 3650) > base + 0.3, "tenure raises it");
        core.motives.identity.on_take_part(i);
        let with_identity = core.utility(i, d);
        assert!(with_identity > base + 0.2, "identity raises it");
        core.motives.cooperation.see_result_near(i);
        let with_belief = core.utility(i, d);
        assert!(with_belief > with_identity + 0.1, "a result reported back raises it");
        // A third of the ties active: past a threshold of 0.1, short of one of 0.6.
        let degree = core.network.degree(i);
        assert!(degree >= 3, "{degree}");
        core.residents.active_ties[i] = (degree / 3) as u16;
        core.motives.thresholds.on_move_in(i, 0.0);
        let crossed = core.utility(i, d);
        core.motives.thresholds.on_move_in(i, 1.0);
        let short = core.utility(i, d);
        assert!((crossed - short - 1.0).abs() < 1e-5, "the step is the threshold weight: {crossed} vs {short}");
    }

    #[test]
    fn taking_part_builds_identity_and_the_day_s_end_fades_it_and_moves_beliefs() {
        let (mut core, _) = Core::for_tests(30);
        let (i, d) = (ResidentId::new(0), 10);
        core.mark_taking_part(i, d);
        let built = core.motives.identity.stock(i);
        assert!(built > 0.1, "{built}");
        let j = core.network.ties(i)[0];
        let belief = core.motives.cooperation.belief(j);
        drift::end_of_day(&mut core, d, &mut DayRecord::default());
        assert!(core.motives.identity.stock(i) < built);
        // j's belief moves towards the share of j's ties active (i among them).
        let share = core.residents.active_ties[j] as f32 / core.network.degree(j) as f32;
        let moved = core.motives.cooperation.belief(j);
        assert!((moved - belief).abs() > 0.0 && (moved - share).abs() < (belief - share).abs(), "{belief} -> {moved}");
    }
}
