//! `summary.json`: version, resolved scenario, seeds, runtime and per-cohort estimates.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::Provenance;
use crate::experiment::calibrate::targets::SUGGESTIONS;
use crate::experiment::measures::MeasureSet;
use crate::experiment::plan::file_json;
use crate::experiment::stats::{Estimate, estimate};
use crate::model::core::counters::Kind;
use crate::model::{Cohort, CohortDay};
use crate::simulate::RunOutput;

/// Per-cohort estimates across replicates.
#[derive(Clone, Debug, Serialize)]
pub struct CohortSummary {
    pub cohort: &'static str,
    /// `active_rate` on the last recorded day.
    pub final_active_rate: Estimate,
    /// `active_rate` averaged over all recorded days.
    pub mean_active_rate: Estimate,
}

/// Estimates for each cohort, in cohort order.
pub fn cohort_summaries(run: &RunOutput) -> Vec<CohortSummary> {
    Cohort::ALL
        .into_iter()
        .map(|cohort| {
            let series = |r: &crate::simulate::ReplicateRun| -> Vec<f64> {
                r.days.iter().map(|d| d[cohort.index()].active_rate()).collect()
            };
            let finals: Vec<f64> = run.replicates.iter().map(|r| *series(r).last().unwrap_or(&0.0)).collect();
            let means: Vec<f64> = run.replicates.iter().map(|r| mean(&series(r))).collect();
            CohortSummary {
                cohort: cohort.name(),
                final_active_rate: estimate(&finals),
                mean_active_rate: estimate(&means),
            }
        })
        .collect()
}

/// `active_rate` of the whole population on each day of one replicate.
pub fn overall_active_rate(days: &[[CohortDay; 3]]) -> Vec<f64> {
    days.iter()
        .map(|d| {
            let residents: u32 = d.iter().map(|c| c.core.residents).sum();
            let active: u32 = d.iter().map(|c| c.core.active).sum();
            active as f64 / residents.max(1) as f64
        })
        .collect()
}

/// Calendar-year totals, each an estimate across replicates: every counter marked yearly in
/// the counter table (flows summed over the year; community-level stocks on its last day).
#[derive(Clone, Debug, Serialize)]
pub struct YearTotals {
    pub year: i32,
    /// Days of the year that were simulated.
    pub days: usize,
    /// Complaints plus proposals (what the documents call suggestions, 意见建议).
    pub suggestions: Estimate,
    #[serde(flatten)]
    pub totals: BTreeMap<&'static str, Estimate>,
}

impl YearTotals {
    /// The total of the counter called `name` (zero if no counter has that name).
    pub fn total(&self, name: &str) -> f64 {
        self.totals.get(name).map_or(0.0, |e| e.mean)
    }
}

/// Totals per calendar year.
pub fn yearly_totals(run: &RunOutput) -> Vec<YearTotals> {
    use chrono::Datelike;
    let columns = CohortDay::counter_columns();
    let position = |name: &str| columns.iter().position(|c| c.name == name);
    let suggestion_columns: Vec<usize> = SUGGESTIONS.into_iter().filter_map(position).collect();
    let mut years: Vec<i32> = run.dates.iter().map(|d| d.year()).collect();
    years.dedup();
    years
        .into_iter()
        .map(|year| {
            let days: Vec<usize> = (0..run.dates.len()).filter(|&d| run.dates[d].year() == year).collect();
            let last_day = *days.last().expect("a year has days");
            // Per replicate: each counter's year value.
            let per_replicate: Vec<Vec<f64>> = run
                .replicates
                .iter()
                .map(|r| {
                    let mut sums = vec![0.0; columns.len()];
                    for &d in &days {
                        for cohort in &r.days[d] {
                            for (sum, value) in sums.iter_mut().zip(cohort.counter_values()) {
                                *sum += value;
                            }
                        }
                    }
                    let last = r.days[last_day][0].counter_values();
                    // The community's counters are in every cohort's record: read them once.
                    for (k, column) in columns.iter().enumerate() {
                        match column.kind {
                            Kind::Community => sums[k] = last[k],
                            Kind::CommunityFlow => sums[k] /= r.days[last_day].len() as f64,
                            Kind::Flow | Kind::Stock => {}
                        }
                    }
                    sums
                })
                .collect();
            let across = |k: usize| estimate(&per_replicate.iter().map(|sums| sums[k]).collect::<Vec<_>>());
            let suggestions: Vec<f64> =
                per_replicate.iter().map(|sums| suggestion_columns.iter().map(|&k| sums[k]).sum()).collect();
            YearTotals {
                year,
                days: days.len(),
                suggestions: estimate(&suggestions),
                totals: columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.yearly)
                    .map(|(k, c)| (c.name, across(k)))
                    .collect(),
            }
        })
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// The measures of who took part: their definitions and their estimates per group.
fn measures_json(run: &RunOutput, measures: &MeasureSet) -> serde_json::Value {
    json!({
        "definitions": measures.specs(),
        "estimates": measures.estimates(run),
    })
}

pub fn to_json(run: &RunOutput, provenance: &Provenance, measures: &MeasureSet) -> anyhow::Result<String> {
    let meta = &run.scenario.scenario;
    let seconds = run.elapsed.as_secs_f64();
    let overall_final: Vec<f64> =
        run.replicates.iter().map(|r| *overall_active_rate(&r.days).last().unwrap_or(&0.0)).collect();
    let overall_mean: Vec<f64> = run.replicates.iter().map(|r| mean(&overall_active_rate(&r.days))).collect();
    let summary = json!({
        "linli_version": crate::VERSION,
        "scenario_source": provenance.source,
        "scenario": file_json(&run.scenario, &provenance.sections),
        "seed": meta.seed,
        "replicates": run.replicates.iter().map(|r| r.replicate).collect::<Vec<_>>(),
        "streams": "every draw comes from a stream keyed by (seed, replicate, day, agent, purpose)",
        "threads": provenance.threads,
        "runtime_seconds": seconds,
        "resident_days": run.resident_days,
        "resident_days_per_second": run.resident_days as f64 / seconds.max(1e-9),
        "first_date": run.dates.first().map(|d| d.to_string()),
        "last_date": run.dates.last().map(|d| d.to_string()),
        "cohorts": cohort_summaries(run),
        "years": yearly_totals(run),
        "all_residents": {
            "final_active_rate": estimate(&overall_final),
            "mean_active_rate": estimate(&overall_mean),
        },
        "measures": measures_json(run, measures),
    });
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}
