//! Global sensitivity analysis: Morris screening and Sobol indices from Saltelli sampling.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::Serialize;
use std::f64::consts::PI;

// ---------------------------------------------------------------------------------------------
// Morris screening
// ---------------------------------------------------------------------------------------------

/// A Morris (1991) screening design in the unit cube [0,1]^k: `trajectories` one-at-a-time
/// trajectories of k+1 points each, on a grid of `levels` levels, step delta = levels / (2 (levels - 1)).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MorrisDesign {
    pub factors: usize,
    pub levels: u32,
    pub trajectories: Vec<Trajectory>,
}

/// One Morris trajectory: a random walk that moves every factor exactly once.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trajectory {
    /// k+1 points; point j+1 differs from point j in factor `changed[j]` only, by `steps[j]` (+delta or -delta).
    pub points: Vec<Vec<f64>>,
    pub changed: Vec<usize>,
    pub steps: Vec<f64>,
}

/// Builds `trajectories` Morris trajectories over `factors` factors on a grid of `levels` levels
/// (even, at least 2), deterministically from `seed`.
pub fn morris_design(factors: usize, trajectories: usize, levels: u32, seed: u64) -> MorrisDesign {
    assert!(factors > 0, "a Morris design needs at least one factor");
    assert!(trajectories > 0, "a Morris design needs at least one trajectory");
    assert!(
        levels >= 2 && levels.is_multiple_of(2),
        "Morris levels must be even and at least 2 (got {levels}), so that x ± delta stays on the grid"
    );
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let trajectories = (0..trajectories).map(|_| trajectory(factors, levels, &mut rng)).collect();
    MorrisDesign { factors, levels, trajectories }
}

/// The Morris step for a grid of `levels` levels: levels / (2 (levels - 1)).
pub fn morris_delta(levels: u32) -> f64 {
    f64::from(levels) / (2.0 * f64::from(levels - 1))
}

impl MorrisDesign {
    /// The step every factor moves by, in normalised units.
    pub fn delta(&self) -> f64 {
        morris_delta(self.levels)
    }

    /// Every point, trajectory after trajectory (the order model outputs must follow).
    pub fn points(&self) -> Vec<Vec<f64>> {
        self.trajectories.iter().flat_map(|t| t.points.iter().cloned()).collect()
    }
}

fn trajectory(factors: usize, levels: u32, rng: &mut Pcg64Mcg) -> Trajectory {
    // Work in integer grid units so that points land exactly on the grid (1.0 is 1.0, not 1 + ulp).
    let half = levels / 2;
    let delta = morris_delta(levels);
    let (mut grid, goes_up) = base_point(factors, half, rng);
    let mut order: Vec<usize> = (0..factors).collect();
    order.shuffle(rng);

    let mut points = vec![grid_to_unit(&grid, levels)];
    let mut steps = Vec::with_capacity(factors);
    for &i in &order {
        if goes_up[i] {
            grid[i] += half;
            steps.push(delta);
        } else {
            grid[i] -= half;
            steps.push(-delta);
        }
        points.push(grid_to_unit(&grid, levels));
    }
    Trajectory { points, changed: order, steps }
}

/// A random base point in grid units, with a random direction per factor. Delta is `half` grid
/// units, so factors going up start in the lower half of the grid and factors going down in the
/// upper half: either way the move stays inside [0, 1].
fn base_point(factors: usize, half: u32, rng: &mut Pcg64Mcg) -> (Vec<u32>, Vec<bool>) {
    (0..factors)
        .map(|_| {
            let up = rng.random_bool(0.5);
            let level = rng.random_range(0..half);
            (if up { level } else { level + half }, up)
        })
        .unzip()
}

fn grid_to_unit(grid: &[u32], levels: u32) -> Vec<f64> {
    let last = f64::from(levels - 1);
    grid.iter().map(|&g| f64::from(g) / last).collect()
}

/// Morris statistics of one factor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MorrisIndex {
    /// Mean elementary effect (signed: effects of opposite sign cancel).
    pub mu: f64,
    /// Mean absolute elementary effect (Campolongo 2007).
    pub mu_star: f64,
    /// Standard deviation of elementary effects (0 with a single trajectory).
    pub sigma: f64,
    /// Bootstrap percentile interval of `mu_star` over trajectories; collapses to `mu_star` when
    /// `bootstrap` is 0.
    pub mu_star_ci95: (f64, f64),
}

/// outputs[i] is the model output at design.points()[i]. Elementary effects are in output
/// units per unit of the normalised factor (i.e. per whole range): EE = (f(x + step e_i) - f(x)) / step.
pub fn morris_indices(design: &MorrisDesign, outputs: &[f64], bootstrap: usize, seed: u64) -> Vec<MorrisIndex> {
    let effects = elementary_effects(design, outputs);
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    // One set of resamples shared by all factors: trajectories are the unit of replication.
    let resamples: Vec<Vec<usize>> = (0..bootstrap).map(|_| resample(effects.len(), &mut rng)).collect();
    (0..design.factors)
        .map(|i| {
            let column: Vec<f64> = effects.iter().map(|e| e[i]).collect();
            let mu_star = mean_abs(column.iter().copied());
            let replicates = resamples.iter().map(|rows| mean_abs(rows.iter().map(|&t| column[t]))).collect();
            MorrisIndex {
                mu: mean(&column),
                mu_star,
                sigma: sample_sd(&column),
                mu_star_ci95: percentile_interval(replicates, mu_star),
            }
        })
        .collect()
}

/// Elementary effects, one row per trajectory, indexed by factor.
fn elementary_effects(design: &MorrisDesign, outputs: &[f64]) -> Vec<Vec<f64>> {
    let k = design.factors;
    assert!(!design.trajectories.is_empty(), "a Morris design needs at least one trajectory");
    for t in &design.trajectories {
        assert!(
            t.points.len() == k + 1 && t.changed.len() == k && t.steps.len() == k,
            "every Morris trajectory needs {} points and {k} steps",
            k + 1
        );
    }
    assert_eq!(
        outputs.len(),
        design.trajectories.len() * (k + 1),
        "one output per Morris design point, in design.points() order"
    );
    assert_finite(outputs);
    design
        .trajectories
        .iter()
        .zip(outputs.chunks_exact(k + 1))
        .map(|(t, f)| {
            let mut effects = vec![0.0; k];
            for (j, (&i, &step)) in t.changed.iter().zip(&t.steps).enumerate() {
                effects[i] = (f[j + 1] - f[j]) / step;
            }
            effects
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sobol indices
// ---------------------------------------------------------------------------------------------

/// Saltelli (2010) sampling for Sobol indices: base matrices A and B of `samples` rows each,
/// drawn from a scrambled Sobol sequence (A from dimensions 0..k, B from k..2k), and for each
/// factor i the matrix AB_i = A with column i taken from B.
///
/// Powers of two for `samples` keep the Sobol points balanced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SaltelliDesign {
    pub factors: usize,
    pub samples: usize,
    pub seed: u64,
}

/// `sobol_burley` provides 256 dimensions; A and B take k each.
pub const SALTELLI_MAX_FACTORS: usize = sobol_burley::NUM_DIMENSIONS as usize / 2;
/// `sobol_burley` supports sequence indices below 2^16.
pub const SALTELLI_MAX_SAMPLES: usize = 1 << 16;

impl SaltelliDesign {
    /// A validated design (see [`SALTELLI_MAX_FACTORS`] and [`SALTELLI_MAX_SAMPLES`]).
    pub fn new(factors: usize, samples: usize, seed: u64) -> Self {
        let design = Self { factors, samples, seed };
        design.validate();
        design
    }

    /// Rows in this order, for each base row j in 0..samples: A_j, B_j, AB_1j, ..., AB_kj
    /// (so samples * (k + 2) points).
    pub fn points(&self) -> Vec<Vec<f64>> {
        self.validate();
        let mut points = Vec::with_capacity(self.len());
        for j in 0..self.samples {
            let a = self.sobol_row(j, 0);
            let b = self.sobol_row(j, self.factors);
            let mixed: Vec<Vec<f64>> = (0..self.factors)
                .map(|i| {
                    let mut ab = a.clone();
                    ab[i] = b[i];
                    ab
                })
                .collect();
            points.push(a);
            points.push(b);
            points.extend(mixed);
        }
        points
    }

    /// Number of points, samples * (k + 2).
    pub fn len(&self) -> usize {
        self.samples * (self.factors + 2)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn validate(&self) {
        assert!(self.factors > 0, "a Saltelli design needs at least one factor");
        assert!(
            self.factors <= SALTELLI_MAX_FACTORS,
            "a Saltelli design supports at most {SALTELLI_MAX_FACTORS} factors (got {})",
            self.factors
        );
        assert!(
            (1..=SALTELLI_MAX_SAMPLES).contains(&self.samples),
            "Saltelli samples must be between 1 and {SALTELLI_MAX_SAMPLES} (got {})",
            self.samples
        );
    }

    /// Sobol point `row`, dimensions first_dimension..first_dimension + k.
    fn sobol_row(&self, row: usize, first_dimension: usize) -> Vec<f64> {
        let seed = fold_seed(self.seed);
        (first_dimension..first_dimension + self.factors)
            .map(|d| f64::from(sobol_burley::sample(row as u32, d as u32, seed)))
            .collect()
    }
}

/// `sobol_burley` takes a 32-bit seed; fold so both halves of ours matter.
fn fold_seed(seed: u64) -> u32 {
    (seed ^ (seed >> 32)) as u32
}

/// Sobol indices of one factor, as fractions of the output variance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SobolIndex {
    pub first: f64,
    /// Bootstrap percentile interval; collapses to `first` when `bootstrap` is 0.
    pub first_ci95: (f64, f64),
    pub total: f64,
    pub total_ci95: (f64, f64),
}

/// First-order (Saltelli 2010: mean(f_B (f_ABi - f_A)) / V) and total (Jansen 1999:
/// mean((f_A - f_ABi)^2) / 2 / V) indices, V the variance of f_A and f_B pooled; intervals by a
/// bootstrap over base rows (percentile, `bootstrap` resamples). A constant model gets indices 0.
pub fn sobol_indices(design: &SaltelliDesign, outputs: &[f64], bootstrap: usize, seed: u64) -> Vec<SobolIndex> {
    design.validate();
    assert_eq!(outputs.len(), design.len(), "one output per Saltelli design point, in design.points() order");
    assert_finite(outputs);
    let runs = SaltelliOutputs { outputs, factors: design.factors };
    let all_rows: Vec<usize> = (0..design.samples).collect();
    let estimates = runs.estimate(&all_rows);

    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut firsts = vec![Vec::with_capacity(bootstrap); design.factors];
    let mut totals = vec![Vec::with_capacity(bootstrap); design.factors];
    for _ in 0..bootstrap {
        let rows = resample(design.samples, &mut rng);
        for (i, e) in runs.estimate(&rows).into_iter().enumerate() {
            firsts[i].push(e.first);
            totals[i].push(e.total);
        }
    }

    estimates
        .into_iter()
        .zip(firsts.into_iter().zip(totals))
        .map(|(e, (first_replicates, total_replicates))| SobolIndex {
            first: e.first,
            first_ci95: percentile_interval(first_replicates, e.first),
            total: e.total,
            total_ci95: percentile_interval(total_replicates, e.total),
        })
        .collect()
}

/// Model outputs laid out as [`SaltelliDesign::points`]: blocks of A, B, AB_1..AB_k per base row.
struct SaltelliOutputs<'a> {
    outputs: &'a [f64],
    factors: usize,
}

#[derive(Clone, Copy)]
struct FirstTotal {
    first: f64,
    total: f64,
}

impl SaltelliOutputs<'_> {
    fn a(&self, row: usize) -> f64 {
        self.outputs[row * (self.factors + 2)]
    }

    fn b(&self, row: usize) -> f64 {
        self.outputs[row * (self.factors + 2) + 1]
    }

    fn ab(&self, row: usize, factor: usize) -> f64 {
        self.outputs[row * (self.factors + 2) + 2 + factor]
    }

    /// First-order and total indices of every factor from the base rows `rows` (repeats allowed).
    fn estimate(&self, rows: &[usize]) -> Vec<FirstTotal> {
        let n = rows.len() as f64;
        let mean = rows.iter().map(|&j| self.a(j) + self.b(j)).sum::<f64>() / (2.0 * n);
        let variance =
            rows.iter().map(|&j| (self.a(j) - mean).powi(2) + (self.b(j) - mean).powi(2)).sum::<f64>() / (2.0 * n);
        if variance <= 0.0 {
            return vec![FirstTotal { first: 0.0, total: 0.0 }; self.factors];
        }
        (0..self.factors)
            .map(|i| {
                let (mut first, mut total) = (0.0, 0.0);
                for &j in rows {
                    let (a, b, ab) = (self.a(j), self.b(j), self.ab(j, i));
                    // Centring f_B leaves the estimator's expectation unchanged (f_ABi - f_A has
                    // mean 0) but stops a large output offset from inflating its variance.
                    first += (b - mean) * (ab - a);
                    total += (a - ab).powi(2);
                }
                FirstTotal { first: first / n / variance, total: total / (2.0 * n) / variance }
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Ishigami test function
// ---------------------------------------------------------------------------------------------

const ISHIGAMI_A: f64 = 7.0;
const ISHIGAMI_B: f64 = 0.1;
const PI4: f64 = PI * PI * PI * PI;
/// Partial variances (Ishigami and Homma 1990): V1, V2, V3 = 0 and the interaction V13.
const ISHIGAMI_V1: f64 = 0.5 * (1.0 + ISHIGAMI_B * PI4 / 5.0) * (1.0 + ISHIGAMI_B * PI4 / 5.0);
const ISHIGAMI_V2: f64 = ISHIGAMI_A * ISHIGAMI_A / 8.0;
const ISHIGAMI_V13: f64 = ISHIGAMI_B * ISHIGAMI_B * PI4 * PI4 * 8.0 / 225.0;
const ISHIGAMI_V: f64 = ISHIGAMI_V1 + ISHIGAMI_V2 + ISHIGAMI_V13;

/// Analytic first-order indices of [`ishigami`]: about 0.3139, 0.4424, 0.
pub const ISHIGAMI_FIRST: [f64; 3] = [ISHIGAMI_V1 / ISHIGAMI_V, ISHIGAMI_V2 / ISHIGAMI_V, 0.0];
/// Analytic total indices of [`ishigami`]: about 0.5576, 0.4424, 0.2437.
pub const ISHIGAMI_TOTAL: [f64; 3] =
    [(ISHIGAMI_V1 + ISHIGAMI_V13) / ISHIGAMI_V, ISHIGAMI_V2 / ISHIGAMI_V, ISHIGAMI_V13 / ISHIGAMI_V];

/// The Ishigami function on [-pi, pi]^3 with a = 7, b = 0.1; `x` is already in [-pi, pi].
pub fn ishigami(x: &[f64]) -> f64 {
    assert_eq!(x.len(), 3, "the Ishigami function takes three inputs");
    x[0].sin() + ISHIGAMI_A * x[1].sin().powi(2) + ISHIGAMI_B * x[2].powi(4) * x[0].sin()
}

// ---------------------------------------------------------------------------------------------
// Shared statistics
// ---------------------------------------------------------------------------------------------

fn assert_finite(outputs: &[f64]) {
    // One NaN would silently poison every index of every factor.
    if let Some(i) = outputs.iter().position(|y| !y.is_finite()) {
        panic!("model output {i} is not finite ({})", outputs[i]);
    }
}

/// `n` indices drawn uniformly with replacement from 0..n.
fn resample(n: usize, rng: &mut Pcg64Mcg) -> Vec<usize> {
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn mean_abs(values: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = values.len() as f64;
    values.map(f64::abs).sum::<f64>() / n
}

fn sample_sd(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values);
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
}

/// The 2.5% and 97.5% quantiles of bootstrap replicates; `point` twice when there are none.
fn percentile_interval(mut replicates: Vec<f64>, point: f64) -> (f64, f64) {
    if replicates.is_empty() {
        return (point, point);
    }
    replicates.sort_by(f64::total_cmp);
    (quantile(&replicates, 0.025), quantile(&replicates, 0.975))
}

/// Quantile `p` of sorted values, interpolating linearly between order statistics.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let weight = position - below as f64;
    sorted[below] + weight * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(points: &[Vec<f64>], model: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        points.iter().map(|x| model(x)).collect()
    }

    fn to_ishigami_box(unit: &[f64]) -> Vec<f64> {
        unit.iter().map(|u| -PI + 2.0 * PI * u).collect()
    }

    fn contains(interval: (f64, f64), value: f64) -> bool {
        interval.0 - 1e-12 <= value && value <= interval.1 + 1e-12
    }

    #[test]
    fn morris_trajectories_move_each_factor_once_by_delta_inside_the_cube() {
        let (k, levels) = (5, 4);
        let design = morris_design(k, 20, levels, 7);
        let delta = morris_delta(levels);
        assert!((delta - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(design.trajectories.len(), 20);
        for t in &design.trajectories {
            assert_eq!(t.points.len(), k + 1);
            let mut changed = t.changed.clone();
            changed.sort_unstable();
            assert_eq!(changed, (0..k).collect::<Vec<_>>(), "every factor changed exactly once");
            for (j, pair) in t.points.windows(2).enumerate() {
                let moved: Vec<usize> = (0..k).filter(|&i| pair[1][i] != pair[0][i]).collect();
                assert_eq!(moved, vec![t.changed[j]], "exactly one factor moves per step");
                assert_eq!(t.steps[j].abs(), delta);
                let i = t.changed[j];
                assert!((pair[1][i] - pair[0][i] - t.steps[j]).abs() < 1e-12);
            }
            assert!(t.points.iter().flatten().all(|&x| (0.0..=1.0).contains(&x)));
        }
        assert_eq!(design.points().len(), 20 * (k + 1));
    }

    #[test]
    fn morris_design_is_determined_by_its_seed_and_randomised_by_it() {
        assert_eq!(morris_design(4, 10, 6, 3), morris_design(4, 10, 6, 3));
        assert_ne!(morris_design(4, 10, 6, 3), morris_design(4, 10, 6, 4));
        // Both directions and several factor orders occur, so neither is fixed.
        let design = morris_design(4, 10, 6, 3);
        assert!(design.trajectories.iter().flat_map(|t| &t.steps).any(|&s| s > 0.0));
        assert!(design.trajectories.iter().flat_map(|t| &t.steps).any(|&s| s < 0.0));
        assert!(design.trajectories.iter().any(|t| t.changed != design.trajectories[0].changed));
    }

    #[test]
    fn morris_with_two_levels_walks_between_the_cube_faces() {
        let design = morris_design(3, 5, 2, 1);
        assert!(design.points().iter().flatten().all(|&x| x == 0.0 || x == 1.0));
    }

    #[test]
    #[should_panic(expected = "even")]
    fn morris_rejects_odd_levels() {
        morris_design(3, 5, 3, 1);
    }

    #[test]
    fn morris_indices_recover_a_known_function() {
        let design = morris_design(3, 40, 4, 11);
        let outputs = run(&design.points(), |x| 2.0 * x[0] + 0.0 * x[1] + x[2] * x[2]);
        let indices = morris_indices(&design, &outputs, 500, 5);

        assert!((indices[0].mu_star - 2.0).abs() < 1e-12);
        assert!((indices[0].mu - 2.0).abs() < 1e-12);
        assert!(indices[0].sigma < 1e-12);
        assert_eq!(indices[1].mu_star, 0.0);
        assert_eq!(indices[1].sigma, 0.0);
        // d(x^2)/dx averages 1 over [0,1]; EE = 2x + step varies along the grid.
        assert!(indices[2].sigma > 0.1);
        assert!((indices[2].mu_star - 1.0).abs() < 0.2, "mu_star_3 = {}", indices[2].mu_star);
        for index in &indices {
            assert!(contains(index.mu_star_ci95, index.mu_star), "{index:?}");
        }
        assert!(indices[2].mu_star_ci95.1 > indices[2].mu_star_ci95.0, "x3 has a non-degenerate interval");
    }

    #[test]
    fn morris_of_a_constant_model_is_all_zero() {
        let design = morris_design(2, 5, 4, 1);
        let outputs = vec![3.5; design.points().len()];
        for index in morris_indices(&design, &outputs, 50, 1) {
            assert_eq!(index, MorrisIndex { mu: 0.0, mu_star: 0.0, sigma: 0.0, mu_star_ci95: (0.0, 0.0) });
        }
    }

    #[test]
    #[should_panic(expected = "one output per Morris design point")]
    fn morris_indices_reject_mismatched_outputs() {
        let design = morris_design(2, 5, 4, 1);
        morris_indices(&design, &[0.0; 3], 10, 1);
    }

    #[test]
    fn saltelli_design_mixes_columns_from_a_and_b() {
        let design = SaltelliDesign::new(4, 64, 9);
        let points = design.points();
        assert_eq!(points.len(), 64 * 6);
        assert_eq!(design.len(), points.len());
        for block in points.chunks_exact(6) {
            let (a, b) = (&block[0], &block[1]);
            assert!(a.iter().zip(b).all(|(x, y)| x != y), "A and B come from different dimensions");
            for (i, ab) in block[2..].iter().enumerate() {
                for c in 0..4 {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
                }
            }
            assert!(block.iter().flatten().all(|&x| (0.0..1.0).contains(&x)));
        }
        assert_eq!(points, SaltelliDesign::new(4, 64, 9).points());
        assert_ne!(points, SaltelliDesign::new(4, 64, 10).points());
    }

    #[test]
    fn ishigami_constants_match_the_literature() {
        let round = |x: f64| (x * 1e4).round() / 1e4;
        assert_eq!(ISHIGAMI_FIRST.map(round), [0.3139, 0.4424, 0.0]);
        assert_eq!(ISHIGAMI_TOTAL.map(round), [0.5576, 0.4424, 0.2437]);
    }

    #[test]
    fn sobol_indices_of_ishigami_match_the_analytic_values() {
        let design = SaltelliDesign::new(3, 1 << 13, 2024);
        let outputs = run(&design.points(), |u| ishigami(&to_ishigami_box(u)));
        let indices = sobol_indices(&design, &outputs, 200, 1);

        let mut covered = 0;
        for (i, index) in indices.iter().enumerate() {
            assert!((index.first - ISHIGAMI_FIRST[i]).abs() < 0.01, "S{} = {index:?}", i + 1);
            assert!((index.total - ISHIGAMI_TOTAL[i]).abs() < 0.01, "ST{} = {index:?}", i + 1);
            for (interval, point) in [(index.first_ci95, index.first), (index.total_ci95, index.total)] {
                let width = interval.1 - interval.0;
                assert!(width > 1e-4 && width < 0.1, "interval {interval:?} for {index:?}");
                assert!(contains(interval, point));
            }
            covered += usize::from(contains(index.first_ci95, ISHIGAMI_FIRST[i]));
            covered += usize::from(contains(index.total_ci95, ISHIGAMI_TOTAL[i]));
        }
        assert!(covered >= 5, "only {covered} of 6 intervals contain the analytic value: {indices:?}");
    }

    #[test]
    fn sobol_indices_of_an_additive_function_split_variance_by_coefficient_squared() {
        let design = SaltelliDesign::new(2, 1 << 12, 3);
        let outputs = run(&design.points(), |x| x[0] + 2.0 * x[1]);
        let indices = sobol_indices(&design, &outputs, 0, 0);
        for (index, expected) in indices.iter().zip([0.2, 0.8]) {
            assert!((index.first - expected).abs() < 0.02, "{index:?}");
            assert!((index.total - expected).abs() < 0.02, "{index:?}");
            assert!((index.total - index.first).abs() < 0.02, "no interactions: {index:?}");
            assert_eq!(index.first_ci95, (index.first, index.first));
        }
    }

    #[test]
    fn sobol_indices_ignore_a_large_output_offset() {
        let design = SaltelliDesign::new(2, 1 << 10, 3);
        let plain = sobol_indices(&design, &run(&design.points(), |x| x[0] + 2.0 * x[1]), 0, 0);
        let shifted = sobol_indices(&design, &run(&design.points(), |x| 1e6 + x[0] + 2.0 * x[1]), 0, 0);
        for (p, s) in plain.iter().zip(&shifted) {
            assert!((p.first - s.first).abs() < 1e-6, "{p:?} vs {s:?}");
            assert!((p.total - s.total).abs() < 1e-6, "{p:?} vs {s:?}");
        }
    }

    #[test]
    fn sobol_of_a_constant_model_is_zero_not_nan() {
        let design = SaltelliDesign::new(3, 16, 1);
        let outputs = vec![0.1; design.len()];
        for index in sobol_indices(&design, &outputs, 20, 1) {
            assert_eq!(index, SobolIndex { first: 0.0, first_ci95: (0.0, 0.0), total: 0.0, total_ci95: (0.0, 0.0) });
        }
    }

    #[test]
    #[should_panic(expected = "one output per Saltelli design point")]
    fn sobol_indices_reject_mismatched_outputs() {
        let design = SaltelliDesign::new(2, 8, 1);
        sobol_indices(&design, &[1.0; 8], 0, 0);
    }

    #[test]
    #[should_panic(expected = "not finite")]
    fn sobol_indices_reject_nan_outputs() {
        let design = SaltelliDesign::new(1, 4, 1);
        let mut outputs = vec![1.0; design.len()];
        outputs[5] = f64::NAN;
        sobol_indices(&design, &outputs, 0, 0);
    }

    #[test]
    fn bootstrap_intervals_are_determined_by_their_seed() {
        let saltelli = SaltelliDesign::new(3, 256, 5);
        let outputs = run(&saltelli.points(), |u| ishigami(&to_ishigami_box(u)));
        let sobol = |seed| sobol_indices(&saltelli, &outputs, 100, seed);
        assert_eq!(sobol(8), sobol(8));
        assert_ne!(sobol(8), sobol(9));

        let morris = morris_design(3, 30, 4, 5);
        let outputs = run(&morris.points(), |u| ishigami(&to_ishigami_box(u)));
        let screen = |seed| morris_indices(&morris, &outputs, 100, seed);
        assert_eq!(screen(8), screen(8));
        assert_ne!(screen(8), screen(9));
    }
}
