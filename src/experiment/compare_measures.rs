//! Comparing arms on who took part: every measure of every group (whole run), and the mean
//! active rate of each age band and compound (over the window), each paired by replicate
//! against the baseline with Holm's correction within the measure.

use serde::Serialize;

use super::compare::{ArmRun, Verdict, adjust_holm, verdict};
use super::measures::Entry;
use super::stats::{Estimate, PairedDifference, estimate, paired_difference};
use crate::simulate::RunOutput;

/// The measure name of the age-band and compound split of the headline.
pub const GROUP_ACTIVE_RATE: &str = "mean_active_rate";

/// One arm's value of a measure for a group, and its difference from the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct MeasureRow {
    pub arm: String,
    pub measure: String,
    pub group: String,
    /// "run" (every recorded day) or "window" (the comparison's window).
    pub over: &'static str,
    /// Shares are read in percentage points against the smallest difference worth reporting.
    pub share: bool,
    /// Over the replicates where the measure is defined; none if it is nowhere.
    pub estimate: Option<Estimate>,
    /// Over the replicates where both arms define it (at least two).
    pub difference: Option<PairedDifference>,
    pub p_holm: Option<f64>,
    pub verdict: Option<Verdict>,
}

/// A measure's values in every replicate of an arm.
struct Series {
    measure: String,
    group: String,
    over: &'static str,
    share: bool,
    values: Vec<f64>,
}

/// Every measure row: for each measure and group of the baseline, every arm.
pub fn measure_rows(runs: &[ArmRun], window_days: usize, smallest: f64) -> Vec<MeasureRow> {
    let per_arm: Vec<Vec<Series>> = runs.iter().map(|run| series(run, window_days)).collect();
    let mut rows = Vec::new();
    for base in &per_arm[0] {
        for (run, own) in runs.iter().zip(&per_arm) {
            let Some(mine) = own.iter().find(|s| s.measure == base.measure && s.group == base.group) else { continue };
            let defined: Vec<f64> = mine.values.iter().copied().filter(|v| v.is_finite()).collect();
            let difference = (!std::ptr::eq(run, &runs[0])).then(|| paired(&mine.values, &base.values)).flatten();
            rows.push(MeasureRow {
                arm: run.name.clone(),
                measure: base.measure.clone(),
                group: base.group.clone(),
                over: base.over,
                share: base.share,
                estimate: (!defined.is_empty()).then(|| estimate(&defined)),
                difference,
                p_holm: None,
                verdict: None,
            });
        }
    }
    // Holm within each measure, across arms and groups (a measure's rows are consecutive).
    let mut start = 0;
    while start < rows.len() {
        let end = (start..rows.len()).find(|&k| rows[k].measure != rows[start].measure).unwrap_or(rows.len());
        let family = &mut rows[start..end];
        adjust_holm(family, |r| r.difference, |r, p| r.p_holm = Some(p));
        for row in family {
            let threshold = if row.share { smallest } else { 0.0 };
            row.verdict = row.difference.map(|d| verdict(&d, row.p_holm.unwrap_or(1.0), threshold));
        }
        start = end;
    }
    rows
}

/// The paired difference over replicates where both values are defined (at least two).
fn paired(arm: &[f64], baseline: &[f64]) -> Option<PairedDifference> {
    let (a, b): (Vec<f64>, Vec<f64>) =
        arm.iter().zip(baseline).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).unzip();
    (a.len() >= 2).then(|| paired_difference(&a, &b))
}

fn series(run: &ArmRun, window_days: usize) -> Vec<Series> {
    let output = &run.output;
    let entries: Vec<Entry> = run.measures.entries();
    let mut all: Vec<Series> = entries
        .iter()
        .enumerate()
        .map(|(k, entry)| Series {
            measure: entry.measure.clone(),
            group: entry.group.name().to_string(),
            over: "run",
            share: entry.aggregate.is_share(),
            values: output.replicates.iter().map(|r| r.measures.get(k).copied().unwrap_or(f64::NAN)).collect(),
        })
        .collect();
    all.extend(group_active_rates(output, window_days));
    all
}

/// The mean active rate over the window of each age band and each compound (when there are
/// several: see [`crate::simulate::GroupDays::splits`]).
fn group_active_rates(output: &RunOutput, window_days: usize) -> Vec<Series> {
    let Some(first) = output.replicates.first().and_then(|r| r.groups.as_ref()) else { return Vec::new() };
    let splits = first.splits();
    let n = output.dates.len();
    let window = n.saturating_sub(window_days)..n;
    splits
        .iter()
        .enumerate()
        .map(|(g, split)| {
            let (kind, name) = split.names();
            let values = output
                .replicates
                .iter()
                .map(|r| {
                    let groups = r.groups.as_ref().expect("every replicate records its groups");
                    let rate = |d: usize| {
                        let c = &groups.day(d)[g];
                        if c.residents == 0 { 0.0 } else { f64::from(c.active) / f64::from(c.residents) }
                    };
                    window.clone().map(rate).sum::<f64>() / window.len().max(1) as f64
                })
                .collect();
            let group = if kind == "compound" { format!("compound_{name}") } else { name };
            Series { measure: GROUP_ACTIVE_RATE.into(), group, over: "window", share: true, values }
        })
        .collect()
}
