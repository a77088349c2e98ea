//! A calibration's outputs: the waves' implausibilities, the posterior draws and particles, the
//! generations, the predictive checks, the pairs plot and `calibration.json` with the verdict.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::Staging;
use super::calibration_plot;
use crate::experiment::calibrate::Calibration;
use crate::experiment::calibrate::run::{Fit, Outcome, Trial};

/// Every file `linli calibrate` writes.
pub const FILES: [&str; 8] = [
    "calibration.json",
    "waves.csv",
    "posterior.csv",
    "particles.csv",
    "generations.csv",
    "predictive.csv",
    "posterior.png",
    "posterior.svg",
];

/// What ran, for the record (not the threads or the time: the outputs are the same whatever they were).
pub struct Provenance<'a> {
    pub source: &'a str,
    pub seed: u64,
}

/// Writes the outputs into `staging` and commits them; returns their paths.
pub fn write(
    mut staging: Staging,
    cal: &Calibration,
    outcome: &Outcome,
    provenance: &Provenance,
) -> anyhow::Result<Vec<PathBuf>> {
    staging.write("waves.csv", waves_csv(cal, outcome).as_bytes())?;
    if let Some(fit) = &outcome.fit {
        staging.write("posterior.csv", draws_csv(cal, fit).as_bytes())?;
        staging.write("particles.csv", particles_csv(cal, fit).as_bytes())?;
        staging.write("generations.csv", generations_csv(fit).as_bytes())?;
        staging.write("predictive.csv", predictive_csv(fit).as_bytes())?;
        let (png, svg) = (staging.path("posterior.png"), staging.path("posterior.svg"));
        calibration_plot::pairs(cal, fit, &png, &svg)?;
    }
    let json = serde_json::to_string_pretty(&summary_json(cal, outcome, provenance))? + "\n";
    staging.write("calibration.json", json.as_bytes())?;
    staging.commit()
}

fn parameter_header(cal: &Calibration) -> String {
    cal.parameters.iter().map(|p| p.parameter.path.clone()).collect::<Vec<_>>().join(",")
}

fn target_header(cal: &Calibration, fitted_only: bool, prefix: &str) -> String {
    let targets = if fitted_only { &cal.targets[..cal.fitted()] } else { &cal.targets[..] };
    targets.iter().map(|t| format!("\"{prefix}{}\"", t.name())).collect::<Vec<_>>().join(",")
}

fn joined(values: impl IntoIterator<Item = f64>) -> String {
    values.into_iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}

/// One row per design point: its parameters, each fitted target's mean and implausibility.
fn waves_csv(cal: &Calibration, outcome: &Outcome) -> String {
    let mut s = format!(
        "wave,point,{},{},{},max_implausibility,not_ruled_out\n",
        parameter_header(cal),
        target_header(cal, true, "mean:"),
        target_header(cal, true, "I:")
    );
    for wave in &outcome.waves {
        for (p, u) in wave.points.iter().enumerate() {
            let values = cal.parameters.iter().zip(u).map(|(q, &x)| q.taken(x));
            let max = wave.implausibility[p].iter().copied().fold(0.0, f64::max);
            let _ = writeln!(
                s,
                "{},{p},{},{},{},{max},{}",
                wave.wave,
                joined(values),
                joined(wave.means[p].iter().copied()),
                joined(wave.implausibility[p].iter().copied()),
                wave.not_ruled_out[p]
            );
        }
    }
    s
}

/// Equal-weight posterior draws: what `linli compare --posterior` reads.
fn draws_csv(cal: &Calibration, fit: &Fit) -> String {
    let mut s = format!("draw,{}\n", parameter_header(cal));
    for (i, draw) in fit.draws.iter().enumerate() {
        let _ = writeln!(s, "{i},{}", joined(draw.iter().copied()));
    }
    s
}

/// The final population: weight, parameters and every target's simulated value.
fn particles_csv(cal: &Calibration, fit: &Fit) -> String {
    let mut s = format!("particle,weight,{},{}\n", parameter_header(cal), target_header(cal, false, ""));
    for (i, ((u, w), row)) in fit.particles.iter().zip(&fit.weights).zip(&fit.summaries).enumerate() {
        let values = cal.parameters.iter().zip(u).map(|(p, &x)| p.value(x));
        let _ = writeln!(s, "{i},{w},{},{}", joined(values), joined(row.iter().copied()));
    }
    s
}

fn generations_csv(fit: &Fit) -> String {
    let mut s = String::from("generation,epsilon,ess,acceptance,simulations\n");
    for (g, r) in fit.generations.iter().enumerate() {
        let _ = writeln!(s, "{},{},{},{},{}", g + 1, r.epsilon, r.ess, r.acceptance, r.simulations);
    }
    s
}

fn predictive_csv(fit: &Fit) -> String {
    let mut s = String::from("target,fitted,observed,q05,median,q95,p_value\n");
    for p in &fit.predictive {
        let _ =
            writeln!(s, "\"{}\",{},{},{},{},{},{}", p.target, p.fitted, p.observed, p.q05, p.median, p.q95, p.p_value);
    }
    s
}

/// The verdict in words: what was fitted, or why nothing could be.
pub fn verdict(cal: &Calibration, outcome: &Outcome) -> String {
    let names: Vec<String> = cal.targets[..cal.fitted()].iter().map(|t| t.name()).collect();
    let Some(last) = outcome.waves.last() else {
        return match &outcome.fit {
            Some(fit) => fit_verdict(fit),
            None => "nothing was run".into(),
        };
    };
    if outcome.fit.is_none() {
        let mut s = format!(
            "MISSPECIFIED: no parameter set in the region tried meets every target within its error and the \
             stated discrepancy (implausibility cutoff {}).",
            cal.spec.cutoff
        );
        let never: Vec<&str> =
            names.iter().zip(&last.met_alone).filter(|(_, met)| !**met).map(|(n, _)| n.as_str()).collect();
        if !never.is_empty() {
            let _ = write!(s, " Met nowhere, even alone: {}.", never.join(", "));
        }
        for &(a, b) in &last.conflicts {
            let _ = write!(s, " Cannot be met together: {} and {}.", names[a], names[b]);
        }
        return s;
    }
    let left = last.not_ruled_out.iter().filter(|&&k| k).count();
    let fit = outcome.fit.as_ref().expect("checked above");
    format!("History matching left {left} of the last wave's {} points. {}", last.points.len(), fit_verdict(fit))
}

fn fit_verdict(fit: &Fit) -> String {
    let reached = if fit.reached {
        "ABC-SMC reached the targets' own error"
    } else {
        "ABC-SMC did NOT reach the targets' own error within its generations: the posterior is too wide"
    };
    let mmd = if fit.mmd.p_value < 0.05 {
        format!(
            "MISSPECIFIED: the observed figures together are atypical of the fitted model (MMD test p = {:.3})",
            fit.mmd.p_value
        )
    } else {
        format!("no evidence of misspecification (MMD test p = {:.3})", fit.mmd.p_value)
    };
    format!("{reached}; {mmd}.")
}

fn summary_json(cal: &Calibration, outcome: &Outcome, provenance: &Provenance) -> serde_json::Value {
    let parameters: Vec<_> = cal
        .parameters
        .iter()
        .map(|p| {
            let (min, max) = p.range();
            let prior = match p.normal {
                Some((mean, sd)) => {
                    json!({ "kind": "truncated_normal", "min": min, "max": max, "mean": mean, "sd": sd })
                }
                None => json!({ "kind": "uniform", "min": min, "max": max }),
            };
            json!({ "path": p.parameter.path, "prior": prior })
        })
        .collect();
    let targets: Vec<_> = cal
        .targets
        .iter()
        .map(|t| {
            json!({
                "name": t.name(), "fit": t.spec.fit, "observed": t.spec.observed, "at_least": t.spec.at_least,
                "observation_sd": t.spec.observation_sd, "discrepancy_sd": t.spec.discrepancy_sd, "source": t.spec.source,
            })
        })
        .collect();
    let waves: Vec<_> = outcome
        .waves
        .iter()
        .map(|w| {
            let names = |(a, b): &(usize, usize)| [cal.targets[*a].name(), cal.targets[*b].name()];
            json!({
                "wave": w.wave, "points": w.points.len(),
                "not_ruled_out": w.not_ruled_out.iter().filter(|&&k| k).count(),
                "conflicts": w.conflicts.iter().map(names).collect::<Vec<_>>(),
            })
        })
        .collect();
    let fit = outcome.fit.as_ref().map(|fit| {
        json!({
            "reached_target_error": fit.reached, "marginals": fit.marginals, "predictive": fit.predictive,
            "mmd_test": fit.mmd, "generations": fit.generations,
        })
    });
    json!({
        "linli_version": crate::VERSION,
        "source": provenance.source,
        "seed": provenance.seed,
        "simulations": outcome.simulations,
        "settings": cal.spec,
        "verdict": verdict(cal, outcome),
        "misspecified": outcome.misspecified(),
        "parameters": parameters,
        "targets": targets,
        "waves": waves,
        "fit": fit,
    })
}

/// Every file `linli calibrate --coverage` writes.
pub const COVERAGE_FILES: [&str; 2] = ["coverage.csv", "coverage.json"];

/// The nominal level of the intervals a coverage study checks, and the band their coverage
/// must fall in (fixed before any run: docs/CALIBRATION.md).
pub const COVERAGE_NOMINAL: f64 = 0.90;
pub const COVERAGE_BAND: (f64, f64) = (0.85, 0.95);

/// Coverage over every parameter of every trial.
pub fn coverage_rate(trials: &[Trial]) -> f64 {
    let all: Vec<bool> = trials.iter().flat_map(Trial::covered).collect();
    all.iter().filter(|&&c| c).count() as f64 / all.len().max(1) as f64
}

/// Writes a coverage study's outputs and commits them.
pub fn write_coverage(
    mut staging: Staging,
    cal: &Calibration,
    trials: &[Trial],
    seed: u64,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut csv = String::from("trial,parameter,truth,q05,q95,covered\n");
    let covered: Vec<Vec<bool>> = trials.iter().map(Trial::covered).collect();
    for (t, trial) in trials.iter().enumerate() {
        for (a, p) in cal.parameters.iter().enumerate() {
            let (low, high) = trial.intervals.as_ref().map_or((f64::NAN, f64::NAN), |i| i[a]);
            let _ = writeln!(csv, "{t},{},{},{low},{high},{}", p.parameter.path, trial.truth[a], covered[t][a]);
        }
    }
    staging.write("coverage.csv", csv.as_bytes())?;
    let per_parameter: Vec<_> = cal
        .parameters
        .iter()
        .enumerate()
        .map(|(a, p)| {
            let covered = covered.iter().filter(|c| c[a]).count();
            json!({ "parameter": p.parameter.path, "covered": covered, "rate": covered as f64 / trials.len().max(1) as f64 })
        })
        .collect();
    let rate = coverage_rate(trials);
    let json = json!({
        "linli_version": crate::VERSION,
        "seed": seed,
        "trials": trials.len(),
        "nominal": COVERAGE_NOMINAL,
        "criterion": format!("coverage of every parameter's 90% interval, pooled, within {:?}", COVERAGE_BAND),
        "rate": rate,
        "pass": (COVERAGE_BAND.0..=COVERAGE_BAND.1).contains(&rate),
        "without_fit": trials.iter().filter(|t| t.intervals.is_none()).count(),
        "per_parameter": per_parameter,
        "trial_details": trials,
    });
    staging.write("coverage.json", (serde_json::to_string_pretty(&json)? + "\n").as_bytes())?;
    staging.commit()
}
