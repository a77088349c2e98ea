//! Conditional cooperation: residents take part more when they believe others do; the belief follows what their ties do and what is reported back.

use super::ZEROS;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::behaviour::rules;
use crate::model::core::check::Check;
use crate::model::core::types::{PerResident, ResidentId};

/// Conditional cooperation (Fischbacher, Gächter & Fehr 2001; Fischbacher & Gächter 2010):
/// a resident's belief about how many others contribute follows what they see of their ties,
/// so where most free-ride the belief and participation decay together; visible results that
/// are reported back (晒事) raise it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CooperationParams {
    /// Turns the mechanism on.
    pub enabled: bool,
    /// Logit weight of the belief, centred at `prior`.
    pub weight: f64,
    /// Belief (0-1) a resident brings on moving in: the share of neighbours they expect to take part.
    pub prior: f64,
    /// Daily rate at which the belief moves towards the share of one's ties active in the window.
    pub learning_rate: f64,
    /// Belief gained by a resident of the proposer's building, or a tie, when a result is
    /// reported back, as a share of the gap to 1.
    pub report_gain_near: f64,
    /// Belief gained by every other resident, times their awareness, when a result is reported back.
    pub report_gain_far: f64,
}

impl Default for CooperationParams {
    fn default() -> CooperationParams {
        CooperationParams {
            enabled: true,
            weight: 1.5,
            prior: 0.5,
            learning_rate: 0.005,
            report_gain_near: 0.2,
            report_gain_far: 0.03,
        }
    }
}

impl CooperationParams {
    /// The ranges of the keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.real_range(&format!("{at}.weight"), self.weight, -50.0, 50.0);
        check.share(&format!("{at}.prior"), self.prior);
        check.share(&format!("{at}.learning_rate"), self.learning_rate);
        check.share(&format!("{at}.report_gain_near"), self.report_gain_near);
        check.share(&format!("{at}.report_gain_far"), self.report_gain_far);
    }
}

/// Every resident's belief that others take part.
#[derive(Clone, Debug, Default)]
pub struct Cooperation {
    on: bool,
    weight: f32,
    prior: f32,
    learning_rate: f32,
    gain_near: f32,
    gain_far: f32,
    belief: PerResident<f32>,
    /// Results posted on the notice board today, seen by everyone at the end of the day.
    posted_today: u32,
}

impl Cooperation {
    pub fn new(params: &CooperationParams, n: usize) -> Cooperation {
        Cooperation {
            on: params.enabled,
            weight: params.weight as f32,
            prior: params.prior as f32,
            learning_rate: params.learning_rate as f32,
            gain_near: params.report_gain_near as f32,
            gain_far: params.report_gain_far as f32,
            belief: PerResident::filled(params.prior as f32, if params.enabled { n } else { 0 }),
            posted_today: 0,
        }
    }

    /// A newcomer brings the prior belief.
    pub fn on_move_in(&mut self, i: ResidentId) {
        if self.on {
            self.belief[i] = self.prior;
        }
    }

    /// The logit term: w_c (b_i - prior).
    #[inline]
    pub fn utility(&self, i: ResidentId) -> f32 {
        if self.on { Cooperation::term(self.weight, self.prior, self.belief[i]) } else { 0.0 }
    }

    /// The weight, the prior and the beliefs of residents `first..first + n` (0, 0 and zeros
    /// with the motive off), for [`super::MotiveBlock`].
    pub fn block(&self, first: usize, n: usize) -> (f32, f32, &[f32]) {
        if self.on { (self.weight, self.prior, &self.belief.0[first..first + n]) } else { (0.0, 0.0, &ZEROS[..n]) }
    }

    /// The logit term of a resident of belief `belief`.
    #[inline(always)]
    pub fn term(weight: f32, prior: f32, belief: f32) -> f32 {
        weight * (belief - prior)
    }

    /// A result reported back reaches resident `i` of the proposer's building or ties at once.
    pub fn see_result_near(&mut self, i: ResidentId) {
        if self.on {
            self.belief[i] = rules::gain(self.belief[i], self.gain_near);
        }
    }

    /// A result is posted on the notice board: everyone sees it at the end of the day, as far as
    /// they are aware ([`Cooperation::see_notices`]). Counted, not applied, so a report costs
    /// the same in a city as in a compound.
    pub fn post_result(&mut self) {
        self.posted_today += 1;
    }

    /// The results posted today, and the count restarted for tomorrow.
    pub fn take_posted(&mut self) -> u32 {
        std::mem::take(&mut self.posted_today)
    }

    pub fn gain_far(&self) -> f32 {
        self.gain_far
    }

    /// `posted` results on the notice board seen by residents of awareness `awareness`: each
    /// result is gain(b, gain_far x awareness), so `posted` of them leave the gap to 1 times
    /// (1 - gain_far x awareness)^posted.
    pub fn see_notices(gain_far: f32, posted: u32, beliefs: &mut [f32], awareness: &[f32]) {
        if posted == 0 {
            return;
        }
        for (b, &a) in beliefs.iter_mut().zip(awareness) {
            *b = 1.0 - (1.0 - *b) * powi(1.0 - gain_far * a, posted);
        }
    }

    /// Beliefs move towards what each resident sees: `active_share(i)`, the share of their ties
    /// active in the window.
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// Every resident's belief (empty with the mechanism off), for the end-of-day pass.
    pub fn beliefs_mut(&mut self) -> &mut [f32] {
        &mut self.belief
    }

    /// One day's learning of `beliefs` (a chunk of [`Cooperation::beliefs_mut`]) from the
    /// shares of active ties `shares` of the same residents.
    pub fn learn(rate: f32, beliefs: &mut [f32], shares: &[f32]) {
        for (b, &share) in beliefs.iter_mut().zip(shares) {
            *b += rate * (share - *b);
        }
    }

    /// A resident's belief (the prior with the mechanism off).
    pub fn belief(&self, i: ResidentId) -> f32 {
        if self.on { self.belief[i] } else { self.prior }
    }

    pub fn heap_bytes(&self) -> usize {
        self.belief.len() * 4
    }
}

/// x^n by binary exponentiation, in the order `f32::powi` computes it (compiler-builtins'
/// `__powisf2`, so the results are the same to the bit), but inline rather than a call per
/// resident.
#[inline]
fn powi(mut x: f32, mut n: u32) -> f32 {
    let mut power = 1.0;
    loop {
        if n & 1 != 0 {
            power *= x;
        }
        n >>= 1;
        if n == 0 {
            return power;
        }
        x *= x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inline_power_is_powi_to_the_bit() {
        for k in 0..2000u32 {
            let x = 1.0 - k as f32 * 4.99e-4;
            for n in 0..40 {
                assert_eq!(powi(x, n).to_bits(), x.powi(n as i32).to_bits(), "{x}^{n}");
            }
        }
    }

    #[test]
    fn belief_decays_where_others_free_ride_and_reports_raise_it() {
        let mut c = Cooperation::new(&CooperationParams::default(), 2);
        let (a, b) = (ResidentId::new(0), ResidentId::new(1));
        assert_eq!(c.utility(a), 0.0);
        for _ in 0..200 {
            Cooperation::learn(c.learning_rate(), c.beliefs_mut(), &[0.1, 0.1]);
        }
        assert!(c.belief(a) < 0.3, "{}", c.belief(a));
        assert!(c.utility(a) < -0.3);
        let before = c.belief(b);
        c.see_result_near(b);
        assert!((c.belief(b) - (before + 0.2 * (1.0 - before))).abs() < 1e-6);
        let (far, near) = (c.belief(a), c.belief(b));
        Cooperation::see_notices(c.gain_far(), 2, c.beliefs_mut(), &[0.0, 1.0]);
        assert_eq!(c.belief(a), far, "the unaware do not see the notice board");
        // Two results seen in full: the gap to 1 shrinks by (1 - gain_far) twice.
        let expected = 1.0 - (1.0 - near) * (1.0 - 0.03) * (1.0 - 0.03);
        assert!((c.belief(b) - expected).abs() < 1e-6, "{} vs {expected}", c.belief(b));
    }
}
