//! `summary.json`: version, resolved scenario, seeds, runtime and per-cohort estimates.

use serde::Serialize;
use serde_json::json;

use super::Provenance;
use crate::model::{Cohort, CohortDay};
use crate::simulate::RunOutput;
use crate::stats::{Estimate, estimate};

/// Per-cohort estimates across replicates.
#[derive(Clone, Debug, Serialize)]
pub struct CohortSummary {
    pub cohort: &'static str,
    /// `active_rate` on the last simulated day.
    pub final_active_rate: Estimate,
    /// `active_rate` averaged over all simulated days.
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
        "scenario": run.scenario,
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
        "all_residents": {
            "final_active_rate": estimate(&overall_final),
            "mean_active_rate": estimate(&overall_mean),
        },
    });
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}
