//! A study's final outputs from its part files: the tidy table of every run, point means, the
//! sweep plot or the sensitivity indices, their JSON and bar charts. Nothing here depends on
//! how the parts were produced (threads, shards, resumes), so the outputs are byte-identical.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use super::Staging;
use super::study::{Gathered, columns, point_fields};
use super::study_plots::{self, GroupMean};
use crate::experiment::calibrate::abc::weighted_quantile;
use crate::experiment::compare::Outcome;
use crate::experiment::explore::analyse::{Indices, indices};
use crate::experiment::explore::{Kind, Study};
use crate::experiment::posterior::Draws;
use crate::experiment::study::Values;

/// Per-point means of the outcomes that results need, gathered while the parts stream past.
struct PointMeans {
    /// Outcome column positions (in [`Outcome::all`] order) to keep.
    kept: Vec<usize>,
    /// `means[o][p]`: kept outcome `o` at point `p`.
    means: Vec<Vec<f64>>,
    /// Under a posterior: the first kept outcome's replicate values at each point.
    replicate_values: Vec<Vec<f64>>,
}

/// What was written, and the findings in a few lines of text for the screen.
pub struct Results {
    pub files: Vec<PathBuf>,
    pub findings: String,
}

/// Writes every final output of a gathered study through `staging`.
pub fn write_results(mut staging: Staging, gathered: &Gathered) -> anyhow::Result<Results> {
    let study = &gathered.study;
    let kept_names = kept_outcomes(study);
    let means = stream_tables(&mut staging, gathered, &kept_names)?;
    let findings = match study.kind {
        Kind::Sweep => write_sweep(&mut staging, study, &kept_names[0], &means)?,
        Kind::Sensitivity => write_sensitivity(&mut staging, study, &kept_names, &means.means)?,
    };
    Ok(Results { files: staging.commit()?, findings })
}

fn kept_outcomes(study: &Study) -> Vec<String> {
    match study.kind {
        Kind::Sweep => vec![study.plan.sweep.as_ref().expect("a sweep").outcome.clone()],
        Kind::Sensitivity => study.plan.sensitivity.as_ref().expect("a sensitivity").outcomes.clone(),
    }
}

/// The raw table's name: every (point, replicate) row.
pub fn runs_file(kind: Kind) -> &'static str {
    match kind {
        Kind::Sweep => "sweep.csv",
        Kind::Sensitivity => "runs.csv",
    }
}

/// Streams the parts into the raw table and `points.csv`, one point in memory at a time.
fn stream_tables(staging: &mut Staging, gathered: &Gathered, kept_names: &[String]) -> anyhow::Result<PointMeans> {
    let study = &gathered.study;
    let all = Outcome::names();
    let kept = kept_names.iter().map(|n| all.iter().position(|a| a == n).expect("checked outcome")).collect();
    let mut means = PointMeans {
        kept,
        means: vec![Vec::with_capacity(study.points.len()); kept_names.len()],
        replicate_values: Vec::new(),
    };
    let header = columns(study);
    let leading = header.len() - all.len();
    let raw_path = staging.path(runs_file(study.kind));
    let mut raw = std::io::BufWriter::new(fs::File::create(&raw_path)?);
    let mut points = csv::Writer::from_writer(std::io::BufWriter::new(fs::File::create(staging.path("points.csv"))?));
    csv::Writer::from_writer(&mut raw).write_record(&header)?;
    let mut point_header: Vec<&str> =
        header[..leading].iter().map(String::as_str).filter(|c| *c != "replicate").collect();
    point_header.extend(all.iter().map(String::as_str));
    points.write_record(&point_header)?;
    for (index, part) in gathered.parts.iter().enumerate() {
        let bytes = fs::read(part).with_context(|| format!("cannot read {}", part.display()))?;
        raw.write_all(&bytes)?;
        let point_means = part_means(&bytes, leading, all.len())
            .with_context(|| format!("{} is damaged: delete it and resume", part.display()))?;
        let mut record = point_fields(study, index);
        record.extend(point_means.iter().map(f64::to_string));
        points.write_record(&record)?;
        for (slot, &column) in means.kept.iter().enumerate() {
            means.means[slot].push(point_means[column]);
        }
        if study.posterior.is_some() {
            means.replicate_values.push(part_column(&bytes, leading + means.kept[0])?);
        }
    }
    raw.flush()?;
    points.flush()?;
    Ok(means)
}

/// One column of a part's replicate rows.
fn part_column(bytes: &[u8], column: usize) -> anyhow::Result<Vec<f64>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    reader.records().map(|record| Ok(record?.get(column).context("a short row")?.parse::<f64>()?)).collect()
}

/// The mean over a part's replicate rows of each outcome column.
fn part_means(bytes: &[u8], leading: usize, outcomes: usize) -> anyhow::Result<Vec<f64>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut sums = vec![0.0; outcomes];
    let mut rows = 0usize;
    for record in reader.records() {
        let record = record?;
        anyhow::ensure!(
            record.len() == leading + outcomes,
            "a row has {} fields, not {}",
            record.len(),
            leading + outcomes
        );
        for (sum, field) in sums.iter_mut().zip(record.iter().skip(leading)) {
            *sum += field.parse::<f64>()?;
        }
        rows += 1;
    }
    anyhow::ensure!(rows > 0, "no rows");
    Ok(sums.into_iter().map(|s| s / rows as f64).collect())
}

fn write_sweep(staging: &mut Staging, study: &Study, outcome: &str, kept: &PointMeans) -> anyhow::Result<String> {
    let spec = study.plan.sweep.as_ref().expect("a sweep");
    let means = &kept.means[0];
    let groups: Vec<Vec<GroupMean>> =
        (0..study.parameters.len()).map(|j| study_plots::grouped_means(study, j, means)).collect();
    let mut summary = json!({
        "linli": crate::VERSION,
        "scenario": study.plan.scenario.scenario.name,
        "kind": "sweep",
        "design": spec.design,
        "points": study.points.len(),
        "replicates": study.plan.scenario.scenario.replicates,
        "seed": study.plan.scenario.scenario.seed,
        "window_days": study.window_days,
        "outcome": outcome,
        "parameters": parameters_json(study),
        "outcome_by_parameter": main_effects(study, &groups),
    });
    let spread = study.posterior.as_ref().map(|draws| PosteriorSpread::of(study, draws, &kept.replicate_values));
    if let Some(spread) = &spread {
        summary["posterior"] = serde_json::to_value(spread)?;
    }
    staging.write("sweep.json", (serde_json::to_string_pretty(&summary)? + "\n").as_bytes())?;
    let stem = format!("sweep-{outcome}");
    let (png, svg) = (staging.path(&format!("{stem}.png")), staging.path(&format!("{stem}.svg")));
    study_plots::sweep(study, outcome, means, &groups, &png, &svg)?;
    let mut findings = sweep_findings(study, outcome, &groups);
    if let Some(spread) = &spread {
        findings.push_str(&spread.findings(outcome));
    }
    Ok(findings)
}

/// A sweep under a calibration's posterior: where the draws came from and, per point, the
/// outcome's spread over its replicates, each under its own draw.
#[derive(serde::Serialize)]
struct PosteriorSpread {
    draws: usize,
    replicates: u32,
    scope: &'static str,
    points: Vec<PointSpread>,
}

#[derive(serde::Serialize)]
struct PointSpread {
    point: usize,
    q05: f64,
    median: f64,
    q95: f64,
}

impl PosteriorSpread {
    fn of(study: &Study, draws: &Draws, values: &[Vec<f64>]) -> PosteriorSpread {
        let points = values
            .iter()
            .enumerate()
            .map(|(point, v)| {
                let q = |p| weighted_quantile(v, &vec![1.0; v.len()], p);
                PointSpread { point, q05: q(0.05), median: q(0.5), q95: q(0.95) }
            })
            .collect();
        PosteriorSpread {
            draws: draws.rows.len(),
            replicates: study.plan.scenario.scenario.replicates,
            scope: POSTERIOR_SWEEP_SCOPE,
            points,
        }
    }

    /// The widest and narrowest points' 90% ranges, in words.
    fn findings(&self, outcome: &str) -> String {
        let width = |p: &PointSpread| p.q95 - p.q05;
        let widest = self.points.iter().max_by(|a, b| width(a).total_cmp(&width(b))).expect("a point");
        let narrowest = self.points.iter().min_by(|a, b| width(a).total_cmp(&width(b))).expect("a point");
        format!(
            "\nUnder the calibration's uncertainty ({} replicates per point, each under one of {} posterior draws): \
             {POSTERIOR_SWEEP_SCOPE}. {outcome}'s 90% range is widest at point {} ({:.4} to {:.4}) and narrowest at \
             point {} ({:.4} to {:.4}); sweep.json lists every point's.\n",
            self.replicates,
            self.draws,
            widest.point,
            widest.q05,
            widest.q95,
            narrowest.point,
            narrowest.q05,
            narrowest.q95
        )
    }
}

/// What the points' ranges under a posterior cover.
const POSTERIOR_SWEEP_SCOPE: &str = "the points' means and ranges include the parameters the calibration \
     left uncertain, not only the model's chance";

/// The plotted outcome at each value (or fifth of the range) of each parameter.
fn sweep_findings(study: &Study, outcome: &str, groups: &[Vec<GroupMean>]) -> String {
    let mut s = format!("{outcome}, averaged over the other parameters and the replicates:\n");
    for (parameter, groups) in study.parameters.iter().zip(groups) {
        let _ = writeln!(s, "  {}", parameter.path);
        let cells: Vec<String> = groups.iter().map(|g| format!("{} -> {:.4}", g.label, g.mean)).collect();
        let _ = writeln!(s, "    {}", cells.join(", "));
    }
    s
}

fn parameters_json(study: &Study) -> serde_json::Value {
    let described = study.parameters.iter().map(|p| match &p.values {
        Values::List(list) => json!({ "path": p.path, "values": list }),
        Values::Range { min, max, integer } => json!({ "path": p.path, "min": min, "max": max, "integer": integer }),
    });
    serde_json::Value::Array(described.collect())
}

/// For each parameter, the outcome averaged over the points at each of its values (factorial)
/// or in each fifth of its range (Latin hypercube).
fn main_effects(study: &Study, groups: &[Vec<GroupMean>]) -> serde_json::Value {
    let effects = study.parameters.iter().zip(groups).map(|(parameter, groups)| {
        let rows: Vec<_> = groups.iter().map(|g| json!({ "at": g.label, "mean": g.mean })).collect();
        json!({ "path": parameter.path, "means": rows })
    });
    serde_json::Value::Array(effects.collect())
}

fn write_sensitivity(
    staging: &mut Staging,
    study: &Study,
    outcomes: &[String],
    means: &[Vec<f64>],
) -> anyhow::Result<String> {
    let spec = study.plan.sensitivity.as_ref().expect("a sensitivity");
    let found = indices(study, outcomes, means, spec.bootstrap as usize);
    if study.morris.is_some() {
        staging.write("morris.csv", &morris_csv(&found)?)?;
    }
    if study.saltelli.is_some() {
        staging.write("sobol.csv", &sobol_csv(&found)?)?;
    }
    let summary = json!({
        "linli": crate::VERSION,
        "scenario": study.plan.scenario.scenario.name,
        "kind": "sensitivity",
        "methods": spec.methods,
        "points": study.points.len(),
        "replicates": study.plan.scenario.scenario.replicates,
        "seed": study.plan.scenario.scenario.seed,
        "window_days": study.window_days,
        "trajectories": spec.trajectories,
        "levels": spec.levels,
        "samples": spec.samples,
        "bootstrap": spec.bootstrap,
        "parameters": parameters_json(study),
        "indices": found,
    });
    staging.write("sensitivity.json", (serde_json::to_string_pretty(&summary)? + "\n").as_bytes())?;
    for outcome in outcomes {
        let stem = format!("sensitivity-{outcome}");
        let (png, svg) = (staging.path(&format!("{stem}.png")), staging.path(&format!("{stem}.svg")));
        study_plots::indices(study, &found, outcome, &png, &svg)?;
    }
    Ok(sensitivity_findings(study, outcomes, &found))
}

/// Per outcome, a line per parameter with its indices and intervals.
fn sensitivity_findings(study: &Study, outcomes: &[String], found: &Indices) -> String {
    let mut s = String::from("indices with 95% bootstrap intervals (S first-order, ST total, mu* Morris):\n");
    let width = study.parameters.iter().map(|p| p.path.len()).max().unwrap_or(0);
    for outcome in outcomes {
        let _ = writeln!(s, "  {outcome}");
        for parameter in &study.parameters {
            let mut line = format!("    {:<width$}", parameter.path);
            let matches = |o: &String, p: &String| o == outcome && *p == parameter.path;
            if let Some(r) = found.sobol.iter().find(|r| matches(&r.outcome, &r.parameter)) {
                let i = &r.index;
                let _ = write!(line, "  S {:.2} ({:.2} to {:.2})", i.first, i.first_ci95.0, i.first_ci95.1);
                let _ = write!(line, "  ST {:.2} ({:.2} to {:.2})", i.total, i.total_ci95.0, i.total_ci95.1);
            }
            if let Some(r) = found.morris.iter().find(|r| matches(&r.outcome, &r.parameter)) {
                let i = &r.index;
                let _ = write!(line, "  mu* {:.4} ({:.4} to {:.4})", i.mu_star, i.mu_star_ci95.0, i.mu_star_ci95.1);
            }
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

fn morris_csv(found: &Indices) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["outcome", "parameter", "mu", "mu_star", "mu_star_ci95_low", "mu_star_ci95_high", "sigma"])?;
    for row in &found.morris {
        let i = &row.index;
        let numbers = [i.mu, i.mu_star, i.mu_star_ci95.0, i.mu_star_ci95.1, i.sigma].map(|x| format!("{x:.6}"));
        writer.write_record([row.outcome.clone(), row.parameter.clone()].into_iter().chain(numbers))?;
    }
    Ok(writer.into_inner()?)
}

fn sobol_csv(found: &Indices) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "outcome",
        "parameter",
        "first_order",
        "first_order_ci95_low",
        "first_order_ci95_high",
        "total",
        "total_ci95_low",
        "total_ci95_high",
    ])?;
    for row in &found.sobol {
        let i = &row.index;
        let numbers = [i.first, i.first_ci95.0, i.first_ci95.1, i.total, i.total_ci95.0, i.total_ci95.1]
            .map(|x| format!("{x:.4}"));
        writer.write_record([row.outcome.clone(), row.parameter.clone()].into_iter().chain(numbers))?;
    }
    Ok(writer.into_inner()?)
}
