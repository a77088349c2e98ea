//! Threshold-type social influence: a resident joins in once the share of their ties taking part reaches their own threshold.

use super::ZEROS;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::behaviour::rules;
use crate::model::core::check::Check;
use crate::model::core::types::{PerResident, ResidentId};

/// Individual thresholds (Granovetter 1978; Centola & Macy 2007): a step in the logit when the
/// share of one's ties active in the window reaches one's own threshold, drawn on moving in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ThresholdParams {
    /// Turns the mechanism on.
    pub enabled: bool,
    /// Logit step when the share of active ties reaches the resident's threshold.
    pub weight: f64,
    /// Lowest threshold (share of ties active, 0-1); thresholds are uniform between the bounds.
    pub low: f64,
    /// Highest threshold (0-1).
    pub high: f64,
}

impl Default for ThresholdParams {
    fn default() -> ThresholdParams {
        ThresholdParams { enabled: true, weight: 1.0, low: 0.1, high: 0.6 }
    }
}

impl ThresholdParams {
    /// The ranges of the keys, at `at` in the scenario file; `low` may not exceed `high`.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.real_range(&format!("{at}.weight"), self.weight, -50.0, 50.0);
        check.share(&format!("{at}.low"), self.low);
        check.share(&format!("{at}.high"), self.high);
        if self.low > self.high {
            check.inconsistent(&format!("{at}.low"), format!("at most high ({})", self.high), self.low.to_string());
        }
    }
}

/// Every resident's threshold (a share of ties).
#[derive(Clone, Debug, Default)]
pub struct Thresholds {
    on: bool,
    weight: f32,
    low: f32,
    span: f32,
    threshold: PerResident<f32>,
}

impl Thresholds {
    pub fn new(params: &ThresholdParams, n: usize) -> Thresholds {
        Thresholds {
            on: params.enabled,
            weight: params.weight as f32,
            low: params.low as f32,
            span: (params.high - params.low) as f32,
            threshold: PerResident::filled(1.0, if params.enabled { n } else { 0 }),
        }
    }

    /// A newcomer's threshold from the uniform draw `u`.
    pub fn on_move_in(&mut self, i: ResidentId, u: f32) {
        if self.on {
            self.threshold[i] = self.low + self.span * u;
        }
    }

    /// The logit term: w_θ if the share of active ties `social` has reached the threshold.
    #[inline]
    pub fn utility(&self, i: ResidentId, social: f32) -> f32 {
        if self.on { Thresholds::term(self.weight, social, self.threshold[i]) } else { 0.0 }
    }

    /// The weight and the thresholds of residents `first..first + n` (0 and zeros with the
    /// motive off), for [`super::MotiveBlock`].
    pub fn block(&self, first: usize, n: usize) -> (f32, &[f32]) {
        if self.on { (self.weight, &self.threshold.0[first..first + n]) } else { (0.0, &ZEROS[..n]) }
    }

    /// The logit term of a resident whose share of active ties is `social`.
    #[inline(always)]
    pub fn term(weight: f32, social: f32, threshold: f32) -> f32 {
        rules::value_if(social >= threshold, weight)
    }

    /// A resident's threshold (1, never reached, with the mechanism off).
    pub fn threshold(&self, i: ResidentId) -> f32 {
        if self.on { self.threshold[i] } else { 1.0 }
    }

    pub fn heap_bytes(&self) -> usize {
        self.threshold.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_comes_at_the_residents_own_threshold() {
        let mut t = Thresholds::new(&ThresholdParams::default(), 1);
        let i = ResidentId::new(0);
        t.on_move_in(i, 0.5); // threshold 0.1 + 0.5 x 0.5 = 0.35
        assert_eq!(t.utility(i, 0.34), 0.0);
        assert_eq!(t.utility(i, 0.35), 1.0);
        let off = Thresholds::new(&ThresholdParams { enabled: false, ..ThresholdParams::default() }, 1);
        assert_eq!(off.utility(i, 1.0), 0.0);
    }
}
