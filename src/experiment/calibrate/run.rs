//! Running a calibration: history-matching waves on common random numbers, then, if any region
//! is left, ABC-SMC inside it, then the diagnostics. Parallel over points and particles; every
//! number depends only on the seed, never on the thread count.

use std::collections::BTreeMap;

use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use super::abc::{self, Population, Prior, Scale, Settings};
use super::diagnostics::{Marginal, MmdTest, Predictive, marginal, mmd_test, predictive};
use super::targets::Quantity;
use super::{Calibration, Target};
use crate::engine::parallel::Split;
use crate::experiment::arms::Arm;
use crate::experiment::compare::run_arm;
use crate::experiment::explore::design::latin_hypercube;
use crate::experiment::explore::history::{
    Match, Stochasticity, Verdict, implausibility, nearest_is_kept, next_design,
};
use crate::simulate::{RunOutput, simulate_replicates_split};

/// What the driver tells the caller as it goes.
pub trait Listener: Sync {
    /// A simulated day of any run finished.
    fn day(&self);
    /// A stage begins: its description and how many replicate-days it will run.
    fn stage(&self, description: &str, days: u64);
    /// The running stage starts `days` more replicate-days than it said.
    fn more_days(&self, days: u64);
    /// An ABC-SMC generation ended.
    fn generation(&self, number: usize, generation: &abc::Generation);
}

/// Every target's value in each replicate of one job: a point run on some replicates.
pub type JobResult = Vec<Vec<f64>>;

/// Where a calibration keeps the results of its batches of simulations (a wave's design, a
/// generation's proposals, the predictive replicates), so that an interrupted run resumes
/// without redoing them and shards of one run share the work. The batches and their jobs are
/// the same in every run of the same file and seed, so saved results stand in for new ones.
pub trait Store: Sync {
    /// The results of batch `batch` saved so far, by job.
    fn saved(&self, batch: usize) -> anyhow::Result<BTreeMap<usize, JobResult>>;
    /// Saves the results of some jobs of batch `batch`.
    fn save(&self, batch: usize, results: &BTreeMap<usize, JobResult>) -> anyhow::Result<()>;
    /// Whether this process runs job `job` (another shard runs the rest).
    fn holds(&self, job: usize) -> bool;
    /// Every job's results of batch `batch`, waiting for other shards' as needed.
    fn gather(&self, batch: usize, jobs: usize) -> anyhow::Result<BTreeMap<usize, JobResult>>;
}

/// Runs the calibration's batches of simulations in order, through the store when there is one.
struct Batches<'a> {
    cal: &'a Calibration,
    store: Option<&'a dyn Store>,
    listener: &'a dyn Listener,
    next: usize,
}

impl Batches<'_> {
    /// Each job is a point and its replicates; the results come back in job order.
    fn run(&mut self, jobs: &[(Vec<f64>, Vec<u32>)]) -> anyhow::Result<Vec<JobResult>> {
        let batch = self.next;
        self.next += 1;
        let saved = match self.store {
            Some(store) => store.saved(batch)?,
            None => BTreeMap::new(),
        };
        let mine: Vec<usize> = (0..jobs.len())
            .filter(|j| !saved.contains_key(j) && self.store.is_none_or(|store| store.holds(*j)))
            .collect();
        let days = crate::simulate::days_per_replicate(&self.cal.base);
        self.listener.more_days(mine.iter().map(|&j| jobs[j].1.len() as u64 * days).sum());
        let computed: BTreeMap<usize, JobResult> =
            mine.par_iter().map(|&j| (j, simulate_point(self.cal, &jobs[j].0, &jobs[j].1, self.listener))).collect();
        let Some(store) = self.store else { return Ok(computed.into_values().collect()) };
        if !computed.is_empty() {
            store.save(batch, &computed)?;
        }
        let mut all = store.gather(batch, jobs.len())?;
        let targets = self.cal.targets.len();
        (0..jobs.len())
            .map(|j| {
                let result = all.remove(&j).ok_or_else(|| anyhow::anyhow!("batch {batch}: job {j} was not saved"))?;
                let whole = result.len() == jobs[j].1.len() && result.iter().all(|r| r.len() == targets);
                anyhow::ensure!(
                    whole,
                    "batch {batch}: job {j}'s saved result is incomplete (a damaged part file): delete the batch's \
                     folder and resume"
                );
                Ok(result)
            })
            .collect()
    }
}

/// One history-matching wave.
#[derive(Clone, Debug, Serialize)]
pub struct Wave {
    pub wave: usize,
    /// Points on the unit cube of the parameters' ranges.
    pub points: Vec<Vec<f64>>,
    /// Per point and fitted target: the replicates' mean.
    pub means: Vec<Vec<f64>>,
    /// Per point and fitted target: the implausibility.
    pub implausibility: Vec<Vec<f64>>,
    pub not_ruled_out: Vec<bool>,
    /// Target pairs each met somewhere but never together (indices of fitted targets).
    pub conflicts: Vec<(usize, usize)>,
    pub met_alone: Vec<bool>,
}

/// The fit, when history matching left a region.
#[derive(Clone, Debug, Serialize)]
pub struct Fit {
    pub marginals: Vec<Marginal>,
    pub predictive: Vec<Predictive>,
    pub mmd: MmdTest,
    pub generations: Vec<abc::Generation>,
    /// Whether the tolerance reached the targets' own error.
    pub reached: bool,
    /// Equal-weight posterior draws (systematic resampling of the final population), in the
    /// parameters' units (integers rounded as the scenario takes them).
    pub draws: Vec<Vec<f64>>,
    /// Per particle: its simulated values of every target (fitted and checks) and its weight.
    pub summaries: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    pub particles: Vec<Vec<f64>>,
}

/// Everything a calibration found.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub waves: Vec<Wave>,
    /// None when no region was left: the model, with the stated discrepancies, cannot meet the
    /// targets together where it was tried.
    pub fit: Option<Fit>,
    pub simulations: u64,
}

impl Outcome {
    /// Whether the targets could not be met together (no point of the last wave survived, or
    /// the observed figures are atypical of the fit: the MMD test's p below 0.05).
    pub fn misspecified(&self) -> bool {
        match &self.fit {
            None => true,
            Some(fit) => fit.mmd.p_value < 0.05,
        }
    }
}

/// Runs the calibration from `seed`, keeping (and reusing) its simulations in `store` when
/// given.
pub fn calibrate(
    cal: &Calibration,
    seed: u64,
    listener: &dyn Listener,
    store: Option<&dyn Store>,
) -> anyhow::Result<Outcome> {
    let mut batches = Batches { cal, store, listener, next: 0 };
    let mut waves: Vec<Wave> = Vec::new();
    let mut simulations = 0u64;
    let dims = cal.parameters.len();
    for w in 0..cal.spec.waves as usize {
        let points = cal.spec.points as usize;
        let design = match waves.last() {
            None => latin_hypercube(points, dims, seed ^ 0xCA11_B8A7E),
            Some(last) => next_design(&last.points, &last.not_ruled_out, points, seed ^ (0xCA11 + w as u64)),
        };
        if design.is_empty() {
            break;
        }
        let replicates = cal.spec.replicates as usize;
        listener
            .stage(&format!("history matching, wave {}: {} points x {replicates} replicates", w + 1, design.len()), 0);
        simulations += (design.len() * replicates) as u64;
        let wave = run_wave(cal, w + 1, design, &mut batches)?;
        let left = wave.not_ruled_out.iter().any(|&k| k);
        waves.push(wave);
        if !left {
            return Ok(Outcome { waves, fit: None, simulations });
        }
    }
    let region = Region { cal, waves: &waves };
    let first_replicate = cal.spec.replicates;
    let settings = Settings {
        particles: cal.spec.particles as usize,
        ess_kept: cal.spec.ess_kept,
        final_moves: cal.spec.final_moves as usize,
        max_generations: cal.spec.max_generations as usize,
        seed,
    };
    let scales: Vec<Scale> = cal.targets[..cal.fitted()].iter().map(Target::scale).collect();
    // How many generations the sampler needs is not known in advance: the progress grows
    // by each batch of simulations as it starts.
    listener.stage(&format!("ABC-SMC: {} particles", settings.particles), 0);
    // The sampler keeps every target's value (its distance reads the fitted ones, first). A
    // store that fails stops the simulations (NaN, never accepted) and the error is returned.
    let mut failure: Option<anyhow::Error> = None;
    let mut simulate = |points: &[Vec<f64>], first: u64| -> Vec<Vec<f64>> {
        if failure.is_some() {
            return vec![vec![f64::NAN; cal.targets.len()]; points.len()];
        }
        let jobs: Vec<(Vec<f64>, Vec<u32>)> = points
            .iter()
            .enumerate()
            .map(|(k, u)| (u.clone(), vec![first_replicate + (first + k as u64) as u32]))
            .collect();
        match batches.run(&jobs) {
            Ok(results) => results.into_iter().map(|mut r| r.pop().expect("one replicate")).collect(),
            Err(err) => {
                failure = Some(err);
                vec![vec![f64::NAN; cal.targets.len()]; points.len()]
            }
        }
    };
    let mut number = 0;
    let mut on_generation = |g: &abc::Generation| {
        number += 1;
        listener.generation(number, g);
    };
    let population = abc::abc_smc(&region, &scales, &settings, &mut simulate, &mut on_generation);
    let sampled = population.generations.iter().map(|g| g.simulations as u64).sum::<u64>() + settings.particles as u64;
    // The predictive checks' fresh replicates, numbered after every simulation of the sampler.
    let picks = equal_weight_picks(&population, seed);
    let points: Vec<Vec<f64>> = picks.iter().map(|&i| population.particles[i].clone()).collect();
    listener.stage(&format!("posterior predictive: {} fresh replicates", points.len()), 0);
    let fresh = simulate(&points, sampled);
    if let Some(err) = failure {
        return Err(err);
    }
    simulations += sampled + points.len() as u64;
    let fit = diagnose(cal, &population, &picks, &fresh, seed);
    Ok(Outcome { waves, fit: Some(fit), simulations })
}

/// Runs a wave's points on replicates 0..R (common random numbers) and judges them.
fn run_wave(cal: &Calibration, wave: usize, points: Vec<Vec<f64>>, batches: &mut Batches) -> anyhow::Result<Wave> {
    let replicates: Vec<u32> = (0..cal.spec.replicates).collect();
    let fitted = cal.fitted();
    let jobs: Vec<(Vec<f64>, Vec<u32>)> = points.iter().map(|u| (u.clone(), replicates.clone())).collect();
    let values = batches.run(&jobs)?;
    let mut means = Vec::new();
    let mut implausibilities = Vec::new();
    for per_replicate in &values {
        let (mut m, mut imp) = (Vec::new(), Vec::new());
        for (t, target) in cal.targets[..fitted].iter().enumerate() {
            let xs: Vec<f64> = per_replicate.iter().map(|r| r[t]).filter(|x| x.is_finite()).collect();
            let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
            let variance = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len().max(2) - 1) as f64;
            let observed = target.observed();
            // A one-sided target met on average has nothing to explain.
            let met = target.spec.at_least.is_some() && mean >= observed;
            let matched = Match {
                mean: if met { observed } else { mean },
                variance,
                replicates: xs.len(),
                observed,
                observation_sd: target.spec.observation_sd,
                discrepancy_sd: target.spec.discrepancy_sd,
            };
            m.push(mean);
            imp.push(implausibility(&matched, Stochasticity::OneRealisation));
        }
        means.push(m);
        implausibilities.push(imp);
    }
    let verdict = Verdict::of(&implausibilities, cal.spec.cutoff);
    Ok(Wave {
        wave,
        points,
        means,
        implausibility: implausibilities,
        not_ruled_out: verdict.not_ruled_out,
        conflicts: verdict.conflicts,
        met_alone: verdict.met_alone,
    })
}

/// Every target's value (fitted, then checks) in each of `replicates` at point `u`.
pub fn simulate_point(cal: &Calibration, u: &[f64], replicates: &[u32], listener: &dyn Listener) -> Vec<Vec<f64>> {
    // Each range's ends were checked alone; a point that breaks a rule between two parameters
    // cannot fit (its values are NaN, its distance infinite).
    let Ok(scenario) = cal.scenario_at(u) else { return vec![vec![f64::NAN; cal.targets.len()]; replicates.len()] };
    let on_day = || listener.day();
    let output = run(cal, scenario, replicates, &on_day);
    (0..output.replicates.len()).map(|k| target_values(cal, &output, k)).collect()
}

/// One run, with the measures of who took part only when a target reads them.
fn run(
    cal: &Calibration,
    scenario: crate::scenario::Scenario,
    replicates: &[u32],
    on_day: &(dyn Fn() + Sync),
) -> RunOutput {
    let needs = cal
        .targets
        .iter()
        .any(|t| t.quantity.needs_measures() || t.minus.as_ref().is_some_and(Quantity::needs_measures));
    if needs {
        let arm = Arm { name: String::new(), description: String::new(), scenario, sections: Default::default() };
        run_arm(&arm, replicates, on_day).output
    } else {
        simulate_replicates_split(&scenario, replicates, Split::Sequential, on_day)
    }
}

/// Every target's value in replicate `k` of `output`.
pub fn target_values(cal: &Calibration, output: &RunOutput, k: usize) -> Vec<f64> {
    cal.targets
        .iter()
        .map(|t| {
            let value = t.quantity.value(output, k, cal.window_days);
            t.minus.as_ref().map_or(value, |m| value - m.value(output, k, cal.window_days))
        })
        .collect()
}

/// The prior restricted to what history matching left: a point is allowed when, in every wave,
/// the nearest design point was not ruled out.
struct Region<'a> {
    cal: &'a Calibration,
    waves: &'a [Wave],
}

impl Region<'_> {
    fn allowed(&self, u: &[f64]) -> bool {
        self.waves.iter().all(|wave| nearest_is_kept(&wave.points, &wave.not_ruled_out, u))
    }

    fn prior_density(&self, u: &[f64]) -> f64 {
        self.cal.parameters.iter().zip(u).map(|(p, &x)| p.density(x)).product()
    }
}

impl Prior for Region<'_> {
    fn sample(&self, rng: &mut rand_pcg::Pcg64Mcg) -> Vec<f64> {
        // Rejection from the prior: uniform proposals accepted in proportion to the density
        // (at most 1), then kept only inside the region.
        loop {
            let u: Vec<f64> = (0..self.cal.parameters.len()).map(|_| rng.random::<f64>()).collect();
            if rng.random::<f64>() < self.prior_density(&u) && self.allowed(&u) {
                return u;
            }
        }
    }

    fn density(&self, u: &[f64]) -> f64 {
        let d = self.prior_density(u);
        if d > 0.0 && self.allowed(u) { d } else { 0.0 }
    }
}

/// The equal-weight draws of the final population (systematic resampling, then a seeded
/// shuffle so that any leading subset is a random sample), as particle indices.
fn equal_weight_picks(pop: &Population, seed: u64) -> Vec<usize> {
    let mut picks = abc::systematic(&pop.weights, 0.5 / pop.weights.len() as f64);
    let mut rng = abc::stream(seed, 0, 0, 5);
    for i in (1..picks.len()).rev() {
        picks.swap(i, rng.random_range(0..=i));
    }
    picks
}

/// Marginals, predictive checks and the misspecification test of the final population.
/// `fresh[k]` is every target's value in a new replicate at the k-th of `picks`: the
/// predictive must not reuse the simulations the sampler kept for being close to the
/// observation, or every fitted figure would look reproduced.
fn diagnose(cal: &Calibration, pop: &Population, picks: &[usize], fresh: &[Vec<f64>], seed: u64) -> Fit {
    let marginals = cal
        .parameters
        .iter()
        .enumerate()
        .map(|(a, p)| {
            let values: Vec<f64> = pop.particles.iter().map(|u| p.value(u[a])).collect();
            marginal(&p.parameter.path, &values, &pop.weights, p.prior_sd())
        })
        .collect();
    // Predictive draws of each figure: a fresh replicate plus the stated error.
    let noisy: Vec<Vec<f64>> = fresh
        .iter()
        .enumerate()
        .map(|(k, row)| {
            let mut rng = abc::stream(seed, 0, k, 4);
            row.iter().zip(&cal.targets).map(|(x, t)| x + t.sd() * abc::standard_normal(&mut rng)).collect()
        })
        .collect();
    let predictive = cal
        .targets
        .iter()
        .enumerate()
        .map(|(t, target)| {
            let draws: Vec<f64> = noisy.iter().map(|r| r[t]).collect();
            let one_sided = target.spec.at_least.is_some();
            predictive(&target.name(), target.spec.fit, target.observed(), one_sided, &draws)
        })
        .collect();
    let fitted = cal.fitted();
    let standardise =
        |row: &[f64]| -> Vec<f64> { cal.targets[..fitted].iter().zip(row).map(|(t, x)| t.scale().z(*x)).collect() };
    let predictive_z: Vec<Vec<f64>> = noisy.iter().map(|row| standardise(&row[..fitted])).collect();
    let mmd = mmd_test(&vec![0.0; fitted], &predictive_z);
    let draws = picks
        .iter()
        .map(|&i| cal.parameters.iter().zip(&pop.particles[i]).map(|(p, &u)| p.taken(u)).collect())
        .collect();
    Fit {
        marginals,
        predictive,
        mmd,
        generations: pop.generations.clone(),
        reached: pop.reached,
        draws,
        summaries: pop.summaries.clone(),
        weights: pop.weights.clone(),
        particles: pop.particles.clone(),
    }
}

/// One synthetic truth of a coverage study: the parameters drawn from the prior, the figures
/// they produced (one replicate plus the stated error), and what the calibration made of them.
#[derive(Clone, Debug, Serialize)]
pub struct Trial {
    pub truth: Vec<f64>,
    pub observed: Vec<f64>,
    /// Per parameter: the 90% credible interval (5% and 95% posterior quantiles); none when the
    /// calibration found the synthetic figures misspecified.
    pub intervals: Option<Vec<(f64, f64)>>,
}

impl Trial {
    /// Per parameter: whether its interval covers the truth (not, without a fit).
    pub fn covered(&self) -> Vec<bool> {
        match &self.intervals {
            Some(intervals) => {
                intervals.iter().zip(&self.truth).map(|(&(low, high), &t)| low <= t && t <= high).collect()
            }
            None => vec![false; self.truth.len()],
        }
    }
}

/// A coverage study (Talts et al. 2018's idea, read as interval coverage): `truths` times,
/// draw parameters from the prior, simulate the fitted targets once at them (a replicate no
/// calibration uses), add the stated error, calibrate to those figures from a seed of its own,
/// and record the 90% intervals. Every trial depends only on `seed` and its number.
/// `on_trial` hears each trial as it ends.
pub fn coverage(
    cal: &Calibration,
    truths: usize,
    seed: u64,
    listener: &dyn Listener,
    on_trial: &dyn Fn(usize, &Trial),
) -> Vec<Trial> {
    let fitted = cal.fitted();
    let whole_prior = Region { cal, waves: &[] };
    (0..truths)
        .map(|t| {
            let mut rng = abc::stream(seed, 0, t, 3);
            let u = whole_prior.sample(&mut rng);
            let mut trial_cal = cal.clone();
            // A seed of its own per trial (a TOML integer: 63 bits).
            trial_cal.base.scenario.seed = crate::engine::rng::mix64(seed ^ (t as u64 + 1)) >> 1;
            let values = simulate_point(&trial_cal, &u, &[u32::MAX - t as u32], listener).pop().expect("one replicate");
            let observed: Vec<f64> =
                (0..fitted).map(|j| values[j] + cal.targets[j].sd() * abc::standard_normal(&mut rng)).collect();
            trial_cal.targets.truncate(fitted);
            for (target, &x) in trial_cal.targets.iter_mut().zip(&observed) {
                target.spec.observed = Some(x);
                target.spec.at_least = None;
            }
            let outcome = calibrate(&trial_cal, trial_cal.base.scenario.seed, listener, None)
                .expect("a calibration without a store cannot fail");
            let truth = cal.parameters.iter().zip(&u).map(|(p, &x)| p.value(x)).collect();
            let intervals = outcome.fit.map(|fit| fit.marginals.iter().map(|m| (m.q05, m.q95)).collect());
            let trial = Trial { truth, observed, intervals };
            on_trial(t, &trial);
            trial
        })
        .collect()
}
