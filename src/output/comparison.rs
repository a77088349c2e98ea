//! `comparison.csv` (tidy: one row per arm, group and metric) and `comparison.json`.

use serde_json::json;

use crate::compare::{ArmRun, Comparison};

pub const COLUMNS: [&str; 16] = [
    "arm",
    "baseline",
    "group",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
    "difference",
    "difference_ci95_low",
    "difference_ci95_high",
    "p_value",
    "p_holm",
    "interval_includes_zero",
    "replicates",
    "window_days",
    "note",
];

fn number(x: f64) -> String {
    if x.is_finite() { format!("{x:.6}") } else { String::new() }
}

/// The CSV bytes of a comparison.
pub fn to_csv(comparison: &Comparison) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for row in &comparison.rows {
        let d = row.difference;
        let field = |f: fn(&crate::stats::PairedDifference) -> f64| d.as_ref().map_or(String::new(), |d| number(f(d)));
        let note = match d {
            None => "baseline".to_string(),
            Some(d) => super::report::verdict(d.includes_zero(), row.p_holm.unwrap_or(1.0), d.mean).1.to_string(),
        };
        writer.write_record([
            row.arm.clone(),
            comparison.baseline.clone(),
            row.group.name().to_string(),
            row.metric.name().to_string(),
            number(row.estimate.mean),
            number(row.estimate.ci95_low),
            number(row.estimate.ci95_high),
            field(|d| d.mean),
            field(|d| d.ci95_low),
            field(|d| d.ci95_high),
            field(|d| d.p_value),
            row.p_holm.map_or(String::new(), number),
            d.map_or(String::new(), |d| d.includes_zero().to_string()),
            comparison.replicates.to_string(),
            comparison.window_days.to_string(),
            note,
        ])?;
    }
    Ok(writer.into_inner()?)
}

/// What a comparison was run on, for the JSON and the report.
pub struct ComparisonContext<'a> {
    pub runs: &'a [ArmRun],
    pub sources: &'a [String],
    /// The text of each source file, for the report.
    pub texts: &'a [String],
    pub seed: u64,
    pub runtime_seconds: f64,
}

pub fn to_json(comparison: &Comparison, context: &ComparisonContext<'_>) -> anyhow::Result<String> {
    let arms: Vec<_> = context
        .runs
        .iter()
        .map(|run| json!({ "name": run.name, "description": run.description, "scenario": run.output.scenario }))
        .collect();
    let value = json!({
        "linli_version": crate::VERSION,
        "sources": context.sources,
        "seed": context.seed,
        "replicates": comparison.replicates,
        "window_days": comparison.window_days,
        "runtime_seconds": context.runtime_seconds,
        "baseline": comparison.baseline,
        "arms": arms,
        "rows": comparison.rows,
        "costs": comparison.costs,
    });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}
