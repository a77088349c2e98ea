//! Summary statistics across replicates: mean and 95% t-interval.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The mean of replicate values with its 95% confidence interval (Student's t).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    /// Lower end of the 95% interval; equal to the mean with a single replicate.
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// Standard deviation across replicates (0 with a single replicate).
    pub sd: f64,
    pub n: usize,
}

/// Mean and 95% t-interval of `values` (at least one value).
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    assert!(n > 0, "an estimate needs at least one value");
    let mean = values.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate { mean, ci95_low: mean, ci95_high: mean, sd: 0.0, n };
    }
    let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = variance.sqrt();
    let half_width = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
    Estimate { mean, ci95_low: mean - half_width, ci95_high: mean + half_width, sd, n }
}

/// A paired difference (arm minus baseline, replicate by replicate) with its 95% interval and
/// two-sided p-value from Student's t.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PairedDifference {
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// Standard error of the mean difference.
    pub se: f64,
    pub p_value: f64,
    pub n: usize,
}

impl PairedDifference {
    /// Whether the 95% interval includes zero (no difference detected).
    pub fn includes_zero(&self) -> bool {
        self.ci95_low <= 0.0 && self.ci95_high >= 0.0
    }
}

/// The paired t analysis of `arm[k] - baseline[k]` (equal lengths, at least two pairs).
pub fn paired_difference(arm: &[f64], baseline: &[f64]) -> PairedDifference {
    assert_eq!(arm.len(), baseline.len(), "paired samples");
    let differences: Vec<f64> = arm.iter().zip(baseline).map(|(a, b)| a - b).collect();
    let e = estimate(&differences);
    let n = differences.len();
    let se = if n > 1 { e.sd / (n as f64).sqrt() } else { 0.0 };
    let p_value = if n < 2 {
        f64::NAN
    } else if se == 0.0 {
        if e.mean == 0.0 { 1.0 } else { 0.0 }
    } else {
        let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).expect("positive degrees of freedom");
        2.0 * (1.0 - t.cdf((e.mean / se).abs()))
    };
    PairedDifference { mean: e.mean, ci95_low: e.ci95_low, ci95_high: e.ci95_high, se, p_value, n }
}

/// Holm's step-down adjustment of a family of p-values, in the given order.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running_max: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let scaled = ((m - rank) as f64 * p_values[i]).min(1.0);
        running_max = running_max.max(scaled);
        adjusted[i] = running_max;
    }
    adjusted
}

/// The 97.5% quantile of Student's t with `dof` degrees of freedom.
pub fn t_quantile_975(dof: usize) -> f64 {
    StudentsT::new(0.0, 1.0, dof as f64).expect("positive degrees of freedom").inverse_cdf(0.975)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_matches_a_hand_computation() {
        // mean 3, sample sd sqrt(2.5), t(4, 0.975) = 2.776445.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!((e.sd - 2.5f64.sqrt()).abs() < 1e-12);
        let half = 2.776445 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((e.ci95_high - (3.0 + half)).abs() < 1e-5, "{e:?}");
        assert!((e.ci95_low - (3.0 - half)).abs() < 1e-5);
    }

    #[test]
    fn paired_t_matches_a_hand_computation() {
        // Differences 1, 2, 3, 4, 5: mean 3, se sqrt(2.5)/sqrt(5) = 0.7071, t = 4.2426 on 4 dof.
        let arm = [2.0, 4.0, 6.0, 8.0, 10.0];
        let baseline = [1.0, 2.0, 3.0, 4.0, 5.0];
        let d = paired_difference(&arm, &baseline);
        assert_eq!(d.mean, 3.0);
        assert!((d.se - 0.5f64.sqrt()).abs() < 1e-12);
        // Two-sided p for t = 4.2426, 4 dof (R: 2*pt(-4.2426, 4) = 0.013236).
        assert!((d.p_value - 0.013236).abs() < 1e-5, "{}", d.p_value);
        assert!(!d.includes_zero());
    }

    #[test]
    fn identical_arms_give_an_interval_that_covers_zero() {
        let values = [0.31, 0.29, 0.33, 0.30];
        let d = paired_difference(&values, &values);
        assert!(d.includes_zero());
        assert_eq!(d.p_value, 1.0);
    }

    #[test]
    fn holm_adjustment() {
        // Sorted 0.01, 0.02, 0.04 -> 0.03, 0.04, 0.04 (step-down, monotone).
        assert_eq!(holm(&[0.04, 0.01, 0.02]), vec![0.04, 0.03, 0.04]);
        assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn single_value_has_a_degenerate_interval() {
        let e = estimate(&[0.25]);
        assert_eq!((e.ci95_low, e.mean, e.ci95_high, e.sd), (0.25, 0.25, 0.25, 0.0));
    }
}
