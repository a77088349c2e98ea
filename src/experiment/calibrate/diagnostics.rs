//! What a statistician reads of a calibration: posterior summaries and contraction per
//! parameter, posterior predictive checks per target, and a kernel test of misspecification.

use serde::Serialize;

use super::abc::weighted_quantile;

/// A parameter's prior and posterior, in its own units.
#[derive(Clone, Debug, Serialize)]
pub struct Marginal {
    pub parameter: String,
    pub prior_sd: f64,
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub median: f64,
    pub q95: f64,
    /// 1 − posterior variance / prior variance (Vernon et al. 2010): near 0, the targets say
    /// nothing of the parameter (unidentified); near 1, they pin it down.
    pub contraction: f64,
}

/// The weighted marginal of `values` against a prior of standard deviation `prior_sd`.
pub fn marginal(parameter: &str, values: &[f64], weights: &[f64], prior_sd: f64) -> Marginal {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let var = values.iter().zip(weights).map(|(v, w)| w * (v - mean).powi(2)).sum::<f64>() / total;
    let q = |p| weighted_quantile(values, weights, p);
    Marginal {
        parameter: parameter.to_string(),
        prior_sd,
        mean,
        sd: var.sqrt(),
        q05: q(0.05),
        median: q(0.5),
        q95: q(0.95),
        contraction: 1.0 - var / (prior_sd * prior_sd),
    }
}

/// A target (or a check) against the posterior predictive: the figure a community like the
/// model would report, one replicate plus the stated error per particle.
#[derive(Clone, Debug, Serialize)]
pub struct Predictive {
    pub target: String,
    pub fitted: bool,
    pub observed: f64,
    pub q05: f64,
    pub median: f64,
    pub q95: f64,
    /// Two-sided posterior predictive p-value: 2 min(P(pred ≤ obs), P(pred ≥ obs)); small
    /// values say the fit does not reproduce the figure. One-sided targets: P(pred ≥ bound).
    pub p_value: f64,
}

/// The predictive check of one figure from its (equally weighted) predictive draws.
pub fn predictive(target: &str, fitted: bool, observed: f64, at_least: bool, draws: &[f64]) -> Predictive {
    let share = |f: &dyn Fn(f64) -> bool| draws.iter().filter(|d| f(**d)).count() as f64 / draws.len() as f64;
    let p_value = if !observed.is_finite() {
        f64::NAN
    } else if at_least {
        share(&|d| d >= observed)
    } else {
        (2.0 * share(&|d| d <= observed).min(share(&|d| d >= observed))).min(1.0)
    };
    let equal = vec![1.0; draws.len()];
    let q = |p| weighted_quantile(draws, &equal, p);
    Predictive { target: target.to_string(), fitted, observed, q05: q(0.05), median: q(0.5), q95: q(0.95), p_value }
}

/// A kernel two-sample test of the observed summary against the posterior predictive (Gretton
/// et al. 2012): MMD² between the observed point and the predictive sample, with a Gaussian
/// kernel of median-heuristic bandwidth on standardised summaries, and its Monte Carlo p-value
/// from the same statistic for each predictive draw held out in turn (exchangeable if the
/// model is right). Small p: the observed figures are atypical of the fitted model together,
/// even if each is met alone.
#[derive(Clone, Debug, Serialize)]
pub struct MmdTest {
    pub statistic: f64,
    pub p_value: f64,
    pub draws: usize,
}

pub fn mmd_test(observed: &[f64], predictive: &[Vec<f64>]) -> MmdTest {
    let mut pool: Vec<&[f64]> = vec![observed];
    pool.extend(predictive.iter().map(Vec::as_slice));
    let n = pool.len();
    let squared = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
    let mut distances: Vec<f64> = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            distances.push(squared(pool[i], pool[j]));
        }
    }
    distances.sort_by(f64::total_cmp);
    let bandwidth = distances.get(distances.len() / 2).copied().filter(|m| *m > 0.0).unwrap_or(1.0);
    let kernel = |a: &[f64], b: &[f64]| (-squared(a, b) / bandwidth).exp();
    // Row sums of the kernel matrix without the diagonal, and the total.
    let rows: Vec<f64> = (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| kernel(pool[i], pool[j])).sum()).collect();
    let total: f64 = rows.iter().sum();
    let m = (n - 1) as f64;
    // MMD² of {x_i} against the rest: k(x,x) − 2 mean k(x, y) + mean k(y, y').
    let statistic_of = |i: usize| {
        let rest_pairs = total - 2.0 * rows[i];
        1.0 - 2.0 * rows[i] / m + rest_pairs / (m * (m - 1.0))
    };
    let observed_statistic = statistic_of(0);
    let as_extreme = (1..n).filter(|&i| statistic_of(i) >= observed_statistic).count();
    MmdTest { statistic: observed_statistic, p_value: (1 + as_extreme) as f64 / n as f64, draws: n - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud(n: usize) -> Vec<Vec<f64>> {
        (0..n).map(|i| vec![((i * 37) % 101) as f64 / 50.0 - 1.0, ((i * 53) % 97) as f64 / 48.0 - 1.0]).collect()
    }

    #[test]
    fn an_observation_far_from_the_predictive_is_flagged() {
        let sample = cloud(200);
        assert!(mmd_test(&[0.0, 0.0], &sample).p_value > 0.2);
        let far = mmd_test(&[6.0, -6.0], &sample);
        assert!(far.p_value < 0.01, "{far:?}");
    }

    #[test]
    fn contraction_is_one_minus_the_variance_ratio() {
        let m = marginal("x", &[0.0, 1.0], &[1.0, 1.0], 1.0);
        assert!((m.contraction - 0.75).abs() < 1e-12 && (m.mean - 0.5).abs() < 1e-12);
    }

    #[test]
    fn predictive_p_values_are_two_sided_and_one_sided_for_bounds() {
        let draws: Vec<f64> = (0..100).map(f64::from).collect();
        assert!((predictive("t", true, 49.5, false, &draws).p_value - 1.0).abs() < 1e-9);
        assert!(predictive("t", true, 150.0, false, &draws).p_value == 0.0);
        assert!((predictive("t", true, 90.0, true, &draws).p_value - 0.10).abs() < 1e-9);
    }
}
