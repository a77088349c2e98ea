//! Attachment that grows with length of residence: the longer one has lived here, the more one takes part.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::core::check::Check;

/// Tenure (Kasarda & Janowitz 1974; Sampson 1988): an individual effect of the years lived here,
/// w_T (T / (T + T_half) - 0.5), rising fastest in the first years and levelling off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TenureParams {
    /// Turns the mechanism on.
    pub enabled: bool,
    /// Logit weight of the tenure term (from -0.5 w on moving in towards +0.5 w).
    pub weight: f64,
    /// Years of residence at which the term is half way (zero).
    pub half_years: f64,
}

impl Default for TenureParams {
    fn default() -> TenureParams {
        TenureParams { enabled: true, weight: 1.0, half_years: 3.0 }
    }
}

impl TenureParams {
    /// The ranges of the keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.real_range(&format!("{at}.weight"), self.weight, -50.0, 50.0);
        check.real_range(&format!("{at}.half_years"), self.half_years, 0.01, 100.0);
    }
}

/// The tenure term's constants (no per-resident state: tenure is today minus the move-in day).
#[derive(Clone, Copy, Debug, Default)]
pub struct Tenure {
    weight: f32,
    half_days: f32,
}

impl Tenure {
    pub fn new(params: &TenureParams) -> Tenure {
        let weight = if params.enabled { params.weight as f32 } else { 0.0 };
        Tenure { weight, half_days: (params.half_years * 365.0) as f32 }
    }

    /// The logit term for `days` lived here.
    #[inline(always)]
    pub fn utility(&self, days: i32) -> f32 {
        let t = days.max(0) as f32;
        self.weight * (t / (t + self.half_days) - 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenure_rises_from_minus_half_to_plus_half_the_weight() {
        let t = Tenure::new(&TenureParams::default());
        assert_eq!(t.utility(0), -0.5);
        assert!(t.utility(3 * 365).abs() < 1e-6);
        assert!(t.utility(30 * 365) > 0.4);
        assert_eq!(Tenure::new(&TenureParams { enabled: false, ..TenureParams::default() }).utility(0), 0.0);
    }
}
