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
    fn single_value_has_a_degenerate_interval() {
        let e = estimate(&[0.25]);
        assert_eq!((e.ci95_low, e.mean, e.ci95_high, e.sd), (0.25, 0.25, 0.25, 0.0));
    }
}
