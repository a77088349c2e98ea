//! `summary.json`: version, resolved scenario, seeds, runtime and per-cohort estimates.

use serde::Serialize;
use serde_json::json;

use super::Provenance;
use crate::experiment::plan::file_json;
use crate::experiment::stats::{Estimate, estimate};
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
            let residents: u32 = d.iter().map(|c| c.residents).sum();
            let active: u32 = d.iter().map(|c| c.active).sum();
            active as f64 / residents.max(1) as f64
        })
        .collect()
}

/// Calendar-year totals of the policy flows, each an estimate across replicates.
#[derive(Clone, Debug, Serialize)]
pub struct YearTotals {
    pub year: i32,
    /// Days of the year that were simulated.
    pub days: usize,
    /// Complaints plus proposals (what the documents call suggestions, 意见建议).
    pub suggestions: Estimate,
    pub complaints: Estimate,
    pub proposals_submitted: Estimate,
    pub proposals_approved: Estimate,
    pub proposals_implemented: Estimate,
    pub proposals_stalled: Estimate,
    pub fund_spent_yuan: Estimate,
    pub points_issued: Estimate,
    pub points_redeemed: Estimate,
    pub redemptions_failed: Estimate,
    pub merchant_grievances: Estimate,
    /// Merchants in the alliance on the last day of the year.
    pub alliance_size: Estimate,
}

/// Totals per calendar year.
pub fn yearly_totals(run: &RunOutput) -> Vec<YearTotals> {
    use chrono::Datelike;
    let mut years: Vec<i32> = run.dates.iter().map(|d| d.year()).collect();
    years.dedup();
    years
        .into_iter()
        .map(|year| {
            let days: Vec<usize> = (0..run.dates.len()).filter(|&d| run.dates[d].year() == year).collect();
            let sum = |f: fn(&CohortDay) -> f64| -> Estimate {
                let totals: Vec<f64> =
                    run.replicates.iter().map(|r| days.iter().flat_map(|&d| r.days[d].iter()).map(f).sum()).collect();
                estimate(&totals)
            };
            let last_day = *days.last().expect("a year has days");
            let alliance: Vec<f64> = run.replicates.iter().map(|r| r.days[last_day][0].alliance_size as f64).collect();
            YearTotals {
                year,
                days: days.len(),
                suggestions: sum(|c| (c.complaints + c.proposals_submitted) as f64),
                complaints: sum(|c| c.complaints as f64),
                proposals_submitted: sum(|c| c.proposals_submitted as f64),
                proposals_approved: sum(|c| c.proposals_approved as f64),
                proposals_implemented: sum(|c| c.proposals_implemented as f64),
                proposals_stalled: sum(|c| c.proposals_stalled as f64),
                fund_spent_yuan: sum(|c| c.fund_spent_yuan),
                points_issued: sum(|c| c.points_issued as f64),
                points_redeemed: sum(|c| c.points_redeemed as f64),
                redemptions_failed: sum(|c| c.redemptions_failed as f64),
                merchant_grievances: sum(|c| c.merchant_grievances as f64),
                alliance_size: estimate(&alliance),
            }
        })
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

pub fn to_json(run: &RunOutput, provenance: &Provenance) -> anyhow::Result<String> {
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
    });
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}
