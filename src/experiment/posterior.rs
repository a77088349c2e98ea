//! Comparing arms under the calibration's uncertainty (`linli compare --posterior`): each
//! replicate runs under its own posterior draw, every arm under the same draw and random
//! numbers, and the comparison reports the probability that an arm beats the baseline and the
//! cost per extra participant as distributions over the draws.

use rayon::prelude::*;
use serde::Serialize;
use toml::Value;

use super::arms::{Arm, apply_overrides, base_value, value_at};
use super::calibrate::abc::weighted_quantile;
use super::compare::{ArmRun, Comparison, Group, Metric, POSTERIOR_SCOPE, metric_value, run_arm};
use crate::scenario::Scenario;
use crate::scenario::validate::Problem;

/// Posterior draws: parameter paths and one row of values per draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Draws {
    pub paths: Vec<String>,
    pub rows: Vec<Vec<f64>>,
    /// The file's line of each row (1-based), for errors.
    pub lines: Vec<usize>,
}

/// A problem with a draws file: where, and what.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawsProblem {
    pub line: usize,
    pub column: usize,
    pub key: String,
    pub expected: String,
    pub found: String,
}

impl Draws {
    /// Reads `posterior.csv` as `linli calibrate` writes it: `draw,<path>,<path>...` then one
    /// row per draw.
    pub fn parse(text: &str) -> Result<Draws, DrawsProblem> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let problem = |line: usize, column: usize, key: &str, expected: &str, found: &str| DrawsProblem {
            line: line + 1,
            column,
            key: key.into(),
            expected: expected.into(),
            found: found.into(),
        };
        let Some((_, header)) = lines.next() else {
            return Err(problem(0, 1, "draw", "a header `draw,<parameter path>,...`", "an empty file"));
        };
        let fields: Vec<&str> = header.split(',').map(str::trim).collect();
        if fields.first() != Some(&"draw") || fields.len() < 2 {
            return Err(problem(0, 1, "draw", "a header `draw,<parameter path>,...`", header));
        }
        let paths: Vec<String> = fields[1..].iter().map(|p| p.trim_matches('"').to_string()).collect();
        let (mut rows, mut numbers) = (Vec::new(), Vec::new());
        for (n, line) in lines {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != fields.len() {
                let expected = format!("{} values", fields.len());
                return Err(problem(n, 1, "draw", &expected, &format!("{} values", cells.len())));
            }
            let mut row = Vec::new();
            for (k, cell) in cells[1..].iter().enumerate() {
                let column = line.split(',').take(k + 1).map(|c| c.len() + 1).sum::<usize>() + 1;
                match cell.parse::<f64>() {
                    Ok(x) if x.is_finite() => row.push(x),
                    _ => return Err(problem(n, column, &paths[k], "a finite number", cell)),
                }
            }
            rows.push(row);
            numbers.push(n + 1);
        }
        if rows.is_empty() {
            return Err(problem(1, 1, "draw", "at least one draw", "no rows"));
        }
        Ok(Draws { paths, rows, lines: numbers })
    }

    /// The draws as `posterior.csv` text, which [`Draws::parse`] reads back to the same values.
    pub fn to_csv(&self) -> String {
        let mut text = format!("draw,{}\n", self.paths.join(","));
        for (k, row) in self.rows.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(f64::to_string).collect();
            text.push_str(&format!("{k},{}\n", cells.join(",")));
        }
        text
    }

    /// The first path at which `arm` differs from `baseline`: a draw would overwrite the arm's
    /// own setting there, so the arm could not be compared under the posterior.
    pub fn overwritten_setting(&self, baseline: &Scenario, arm: &Scenario) -> Option<String> {
        let (base, own) = (base_value(baseline), base_value(arm));
        self.paths.iter().find(|path| value_at(&base, path).ok() != value_at(&own, path).ok()).cloned()
    }

    /// The draw that replicate `replicate` runs under (the draws in turn).
    pub fn for_replicate(&self, replicate: u32) -> &[f64] {
        &self.rows[replicate as usize % self.rows.len()]
    }

    /// `scenario` under `draw`: each path set to its value (rounded where the key is a whole
    /// number), checked as an override is.
    pub fn apply(&self, scenario: &Scenario, draw: &[f64]) -> Result<Scenario, Problem> {
        let base = base_value(scenario);
        let mut overrides = Vec::new();
        for (path, &x) in self.paths.iter().zip(draw) {
            let value = match value_at(&base, path)? {
                Value::Integer(_) => Value::Integer(x.round() as i64),
                _ => Value::Float(x),
            };
            overrides.push((path.clone(), value));
        }
        apply_overrides(&base, &overrides)
    }
}

/// Why draws cannot run a comparison's arms.
#[derive(Debug)]
pub enum Misfit {
    /// An arm sets a key the draws set too: under the posterior it would lose its own setting.
    SetsDrawnKey { arm: String, path: String },
    /// Draw `draw` makes an invalid scenario of an arm.
    Invalid { draw: usize, arm: String, problem: Problem },
}

/// Whether every draw runs every arm: the first reason it does not.
pub fn misfit(draws: &Draws, arms: &[Arm]) -> Option<Misfit> {
    for arm in &arms[1..] {
        if let Some(path) = draws.overwritten_setting(&arms[0].scenario, &arm.scenario) {
            return Some(Misfit::SetsDrawnKey { arm: arm.name.clone(), path });
        }
    }
    for (draw, row) in draws.rows.iter().enumerate() {
        for arm in arms {
            if let Err(problem) = draws.apply(&arm.scenario, row) {
                return Some(Misfit::Invalid { draw, arm: arm.name.clone(), problem });
            }
        }
    }
    None
}

/// Marks `comparison` as made under the draws of `draws_file` (`draws` of them): adds each
/// arm's effects over the replicates and words its intervals as including the parameters'
/// uncertainty.
pub fn add_posterior(comparison: &mut Comparison, runs: &[ArmRun], draws_file: &str, draws: usize) {
    comparison.posterior = Some(PosteriorComparison {
        draws_file: draws_file.to_string(),
        draws,
        replicates: runs[0].output.replicates.len(),
        effects: posterior_effects(runs, comparison.window_days),
    });
    comparison.interval_scope = POSTERIOR_SCOPE;
}

/// Runs every arm on `replicates`, replicate r of every arm under draw r (common random numbers
/// and a common draw). The draws must apply to every arm (check with [`Draws::apply`]).
pub fn run_arms_under(arms: &[Arm], replicates: &[u32], draws: &Draws, on_day: &(dyn Fn() + Sync)) -> Vec<ArmRun> {
    arms.iter()
        .map(|arm| {
            let runs: Vec<ArmRun> = replicates
                .par_iter()
                .map(|&r| {
                    let scenario = draws.apply(&arm.scenario, draws.for_replicate(r)).expect("draws are checked first");
                    run_arm(&Arm { scenario, ..arm.clone() }, &[r], on_day)
                })
                .collect();
            join(arm, runs)
        })
        .collect()
}

/// One arm's runs of single replicates as one run of them all, under the arm's own scenario.
fn join(arm: &Arm, runs: Vec<ArmRun>) -> ArmRun {
    let mut runs = runs.into_iter();
    let mut first = runs.next().expect("at least one replicate");
    first.output.scenario = arm.scenario.clone();
    for run in runs {
        first.extend(run);
    }
    first
}

/// What a comparison under the posterior adds: where the draws came from, how many replicates
/// ran under them, and every arm's effects.
#[derive(Clone, Debug, Serialize)]
pub struct PosteriorComparison {
    pub draws_file: String,
    pub draws: usize,
    /// Replicates, each under one draw (the draws in turn when there are more replicates).
    pub replicates: usize,
    pub effects: Vec<PosteriorEffect>,
}

/// An arm against the baseline over the posterior, for one group's mean active rate.
#[derive(Clone, Debug, Serialize)]
pub struct PosteriorEffect {
    pub arm: String,
    pub group: Group,
    /// Share of replicates, each under its own draw, in which the arm's rate is above the
    /// baseline's (ties count half): a predictive probability, over the parameters the evidence
    /// leaves open and the model's own chance together.
    pub probability_better: f64,
    /// The change in mean active rate over the draws: 5%, 50% and 95% quantiles.
    pub change_q05: f64,
    pub change_median: f64,
    pub change_q95: f64,
    /// Cost per extra active resident (every resident) over the draws with a gain: 5%, 50%,
    /// 95% quantiles; none for a group other than everyone or without a gain under any draw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yuan_per_extra_active: Option<[f64; 3]>,
    /// Share of draws under which the arm gains no active resident (every resident only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_without_gain: Option<f64>,
    /// The answer in words, saying plainly when it depends on what the evidence leaves open.
    pub reading: String,
}

/// The posterior effects of every arm on every group's mean active rate.
pub fn posterior_effects(runs: &[ArmRun], window_days: usize) -> Vec<PosteriorEffect> {
    let baseline = &runs[0];
    let n = baseline.output.replicates.len();
    let value = |run: &ArmRun, k, group, metric| metric_value(&run.output, k, group, metric, window_days);
    let mut effects = Vec::new();
    for run in &runs[1..] {
        for group in Group::ALL {
            let changes: Vec<f64> = (0..n)
                .map(|k| {
                    value(run, k, group, Metric::MeanActiveRate) - value(baseline, k, group, Metric::MeanActiveRate)
                })
                .collect();
            let better = changes
                .iter()
                .map(|&d| {
                    if d > 0.0 {
                        1.0
                    } else if d == 0.0 {
                        0.5
                    } else {
                        0.0
                    }
                })
                .sum::<f64>();
            let probability_better = better / n as f64;
            let ones = vec![1.0; n];
            let q = |p| weighted_quantile(&changes, &ones, p);
            let (yuan_per_extra_active, share_without_gain) = if group == Group::All {
                let (ratios, without) = cost_ratios(run, baseline, n, window_days);
                let quantiles = (!ratios.is_empty())
                    .then(|| [0.05, 0.5, 0.95].map(|p| weighted_quantile(&ratios, &vec![1.0; ratios.len()], p)));
                (quantiles, Some(without))
            } else {
                (None, None)
            };
            effects.push(PosteriorEffect {
                arm: run.name.clone(),
                group,
                probability_better,
                change_q05: q(0.05),
                change_median: q(0.5),
                change_q95: q(0.95),
                yuan_per_extra_active,
                share_without_gain,
                reading: reading(&run.name, group, probability_better, changes.iter().all(|&d| d == 0.0)),
            });
        }
    }
    effects
}

/// Per draw with a gain, the extra cost per extra active resident; and the share without one.
fn cost_ratios(run: &ArmRun, baseline: &ArmRun, n: usize, window_days: usize) -> (Vec<f64>, f64) {
    let cost = |r: &ArmRun, k| metric_value(&r.output, k, Group::All, Metric::CostYuan, window_days);
    let active = |r: &ArmRun, k| {
        let rate = metric_value(&r.output, k, Group::All, Metric::MeanActiveRate, window_days);
        rate * f64::from(r.output.scenario.community.residents)
    };
    let mut ratios = Vec::new();
    for k in 0..n {
        let gain = active(run, k) - active(baseline, k);
        if gain > 0.0 {
            ratios.push((cost(run, k) - cost(baseline, k)) / gain);
        }
    }
    let without = (n - ratios.len()) as f64 / n as f64;
    (ratios, without)
}

/// The probability in words: no difference at all, firm beyond 90% either way, otherwise it
/// depends on the parameters.
fn reading(arm: &str, group: Group, p: f64, identical: bool) -> String {
    let who = group.name();
    if identical {
        format!("«{arm}» makes no difference to {who}'s participation under any posterior draw")
    } else if p >= 0.9 {
        format!("«{arm}» raises {who}'s participation in {:.0}% of the replicates run under the posterior", 100.0 * p)
    } else if p <= 0.1 {
        format!(
            "«{arm}» does not raise {who}'s participation: it is behind or level in {:.0}% of the replicates run \
             under the posterior",
            100.0 * (1.0 - p)
        )
    } else {
        format!(
            "for {who}, the answer depends on what the evidence leaves open (and on chance): «{arm}» is ahead in \
             {:.0}% of the replicates run under the posterior and behind or level in the rest",
            100.0 * p
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_read_and_bad_cells_are_located() {
        let draws = Draws::parse("draw,a.b,c\n0,1.5,2\n1,2.5,3\n").unwrap();
        assert_eq!(draws.paths, ["a.b", "c"]);
        assert_eq!(draws.for_replicate(3), [2.5, 3.0]);
        let err = Draws::parse("draw,a.b,c\n0,1.5,2\n1,x,3\n").unwrap_err();
        assert_eq!((err.line, err.column, err.key.as_str(), err.found.as_str()), (3, 3, "a.b", "x"));
        assert_eq!(Draws::parse("drew,a\n").unwrap_err().line, 1);
        let odd = Draws::parse("draw,a\n0,0.1\n1,3.0000000000000004e-7\n").unwrap();
        assert_eq!(Draws::parse(&odd.to_csv()).unwrap().rows, odd.rows, "written draws read back exactly");
    }

    #[test]
    fn readings_say_when_the_answer_depends_on_the_parameters() {
        assert!(reading("a", Group::All, 0.95, false).contains("raises"));
        assert!(reading("a", Group::All, 0.5, false).contains("depends on what the evidence leaves open"));
        assert!(reading("a", Group::All, 0.5, true).contains("no difference"));
        assert!(reading("a", Group::All, 0.02, false).contains("does not raise"));
    }
}
