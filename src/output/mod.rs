//! Outputs of a run: tidy CSV, a JSON summary and plots, written atomically.

pub mod agents;
pub mod bottom_line;
pub mod calibration;
pub mod calibration_plot;
pub mod calibration_store;
pub mod compare_plots;
pub mod comparison;
pub mod input;
pub mod measure_plots;
pub mod plot;
pub mod progress;
pub mod report;
pub mod residents;
pub mod staging;
pub mod study;
pub mod study_plots;
pub mod study_results;
pub mod summary;
pub mod tidy_parquet;
pub mod timeseries;
pub mod validation;
pub mod validation_plots;
pub mod wording;

use std::path::PathBuf;

use crate::experiment::measures::MeasureSet;
use crate::experiment::plan::Sections;
use crate::simulate::RunOutput;
pub use staging::Staging;

/// The files `linli run` writes; a folder holding only these (from before the output marker) is
/// taken as an earlier run's and replaced.
pub const RUN_FILES: [&str; 17] = [
    "measures.png",
    "measures.svg",
    "timeseries_groups.csv",
    "events.parquet",
    "events.csv",
    "residents.parquet",
    "residents.csv",
    "timeseries.csv",
    "merchants.csv",
    "summary.json",
    "participation.png",
    "participation.svg",
    "points.png",
    "points.svg",
    "proposals.png",
    "proposals.svg",
    "community.csv",
];

/// The files `linli compare` writes.
pub const COMPARE_FILES: [&str; 12] = [
    "measures_comparison.csv",
    "comparison.csv",
    "comparison.json",
    "arms.png",
    "arms.svg",
    "effects.png",
    "effects.svg",
    "cost.png",
    "cost.svg",
    "report.html",
    "replicates.csv",
    "arms_timeseries.csv",
];

/// Where the run's scenario came from, for the summary.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The scenario file, or the embedded default's name.
    pub source: String,
    /// Worker threads used.
    pub threads: usize,
    /// The file's experiment sections, recorded beside its scenario.
    pub sections: Sections,
}

/// Writes every output of `run` through `staging`; files appear only once all are complete.
pub fn write_all(
    mut staging: Staging,
    run: &RunOutput,
    provenance: &Provenance,
    measures: &MeasureSet,
) -> anyhow::Result<Vec<PathBuf>> {
    staging.write("timeseries.csv", &timeseries::to_csv(run)?)?;
    staging.write("community.csv", &timeseries::community_csv(run)?)?;
    if run.replicates.iter().any(|r| r.groups.is_some()) {
        staging.write("timeseries_groups.csv", &timeseries::groups_csv(run)?)?;
    }
    staging.write("merchants.csv", &timeseries::merchants_csv(run)?)?;
    staging.write("summary.json", summary::to_json(run, provenance, measures)?.as_bytes())?;
    plot::participation(run, &staging.path("participation.png"), &staging.path("participation.svg"))?;
    if run.replicates.iter().any(|r| !r.measures.is_empty()) {
        let estimates = measures.estimates(run);
        measure_plots::measures(&estimates, &staging.path("measures.png"), &staging.path("measures.svg"))?;
    }
    let policy = &run.scenario.policy;
    if policy.time_bank.enabled {
        plot::points_economy(run, &staging.path("points.png"), &staging.path("points.svg"))?;
    }
    if policy.proposal_fund.enabled {
        plot::proposal_pipeline(run, &staging.path("proposals.png"), &staging.path("proposals.svg"))?;
    }
    staging.commit()
}

/// A comparison's tables and JSON, in memory: what [`write_comparison`] writes besides the
/// charts and the report (the workbench serves them as downloads).
pub fn comparison_tables(
    comparison: &crate::experiment::compare::Comparison,
    context: &comparison::ComparisonContext<'_>,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        ("comparison.csv", comparison::to_csv(comparison)?),
        ("comparison.json", comparison::to_json(comparison, context)?.into_bytes()),
        ("replicates.csv", comparison::replicates_csv(context.runs, comparison.window_days)?),
        ("measures_comparison.csv", comparison::measures_csv(comparison)?),
        ("arms_timeseries.csv", comparison::arms_timeseries_csv(context.runs)?),
    ])
}

/// Writes a comparison's outputs through `staging`: CSV, JSON, plots and the HTML report.
pub fn write_comparison(
    mut staging: Staging,
    comparison: &crate::experiment::compare::Comparison,
    context: &comparison::ComparisonContext<'_>,
) -> anyhow::Result<Vec<PathBuf>> {
    for (name, bytes) in comparison_tables(comparison, context)? {
        staging.write(name, &bytes)?;
    }
    compare_plots::arms_participation(context.runs, &staging.path("arms.png"), &staging.path("arms.svg"))?;
    compare_plots::effects(comparison, &staging.path("effects.png"), &staging.path("effects.svg"))?;
    compare_plots::cost_per_active(comparison, &staging.path("cost.png"), &staging.path("cost.svg"))?;
    let svgs = ["arms.svg", "effects.svg", "cost.svg"]
        .map(|name| std::fs::read_to_string(staging.path_of(name)).unwrap_or_default());
    staging.write("report.html", report::html(comparison, context, &svgs).as_bytes())?;
    staging.commit()
}
