//! The comparison's tables and JSON: `comparison.csv` (tidy: one row per arm, group and
//! metric, then the cost per additional active resident), `replicates.csv`,
//! `arms_timeseries.csv` and `comparison.json`.

use serde_json::json;

use super::bottom_line::BottomLine;
use crate::experiment::compare::{ArmRun, Comparison, CostEffect, Group, Outcome};
use crate::experiment::plan::file_json;
use crate::experiment::stats::{PairedDifference, estimate};

pub const COLUMNS: [&str; 17] = [
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
    "verdict",
];

/// The metric name of the cost rows of `comparison.csv`.
pub const COST_METRIC: &str = "yuan_per_additional_active";

fn number(x: f64) -> String {
    if x.is_finite() { format!("{x:.6}") } else { String::new() }
}

/// Text for a CSV cell that a spreadsheet will not run as a formula: a leading `=`, `+`, `-`,
/// `@`, tab or carriage return gets a single quote in front (OWASP's advice).
pub fn csv_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

/// The CSV bytes of a comparison.
pub fn to_csv(comparison: &Comparison) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for row in &comparison.rows {
        let d = row.difference;
        let field = |f: fn(&PairedDifference) -> f64| d.as_ref().map_or(String::new(), |d| number(f(d)));
        let note = row
            .verdict
            .map_or("baseline".to_string(), |v| super::wording::verdict(v, row.metric, comparison.smallest_difference));
        let verdict = row.verdict.map_or(String::new(), |v| json!(v).as_str().unwrap_or_default().to_string());
        writer.write_record([
            csv_text(&row.arm),
            csv_text(&comparison.baseline),
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
            verdict,
        ])?;
    }
    for cost in &comparison.costs {
        writer.write_record(cost_record(comparison, cost))?;
    }
    Ok(writer.into_inner()?)
}

/// The cost per additional active resident as a row: the estimate in `mean`, its paired
/// bootstrap interval in `ci95_low` and `ci95_high` (empty when unbounded).
fn cost_record(comparison: &Comparison, cost: &CostEffect) -> Vec<String> {
    let optional = |x: Option<f64>| x.map_or(String::new(), number);
    let note = match (cost.yuan_per_additional_active, cost.yuan_per_additional_active_ci95_high) {
        (None, _) => "no gain detected: the interval of additional active residents includes zero",
        (Some(_), None) => "paired bootstrap interval; no upper end: some resamples show no gain",
        (Some(_), Some(_)) => "paired bootstrap interval",
    };
    let mut record = vec![String::new(); COLUMNS.len()];
    record[0] = csv_text(&cost.arm);
    record[1] = csv_text(&comparison.baseline);
    record[2] = Group::All.name().to_string();
    record[3] = COST_METRIC.to_string();
    record[4] = optional(cost.yuan_per_additional_active);
    record[5] = optional(cost.yuan_per_additional_active_ci95_low);
    record[6] = optional(cost.yuan_per_additional_active_ci95_high);
    record[13] = comparison.replicates.to_string();
    record[14] = comparison.window_days.to_string();
    record[15] = note.to_string();
    record
}

/// `replicates.csv`: every outcome of every replicate of every arm (arm, replicate, outcome, value).
pub fn replicates_csv(runs: &[ArmRun], window_days: usize) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["arm", "replicate", "outcome", "value"])?;
    let outcomes = Outcome::all();
    for run in runs {
        for (k, replicate) in run.output.replicates.iter().enumerate() {
            for outcome in &outcomes {
                let value = outcome.value(&run.output, k, window_days);
                let record = [csv_text(&run.name), replicate.replicate.to_string(), outcome.name(), number(value)];
                writer.write_record(record)?;
            }
        }
    }
    Ok(writer.into_inner()?)
}

/// `arms_timeseries.csv`: per arm, recorded day and group, the active rate's mean across
/// replicates with its 95% interval, and the mean number of active residents.
pub fn arms_timeseries_csv(runs: &[ArmRun]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "arm",
        "date",
        "group",
        "replicates",
        "active_rate",
        "active_rate_ci95_low",
        "active_rate_ci95_high",
        "active",
    ])?;
    for run in runs {
        for (day, date) in run.output.dates.iter().enumerate() {
            for group in Group::ALL {
                let days = run.output.replicates.iter().map(|r| group.of(&r.days[day]));
                let (rates, active): (Vec<f64>, Vec<f64>) =
                    days.map(|c| (c.active_rate(), c.core.active as f64)).unzip();
                let rate = estimate(&rates);
                writer.write_record([
                    csv_text(&run.name),
                    date.to_string(),
                    group.name().to_string(),
                    rates.len().to_string(),
                    number(rate.mean),
                    number(rate.ci95_low),
                    number(rate.ci95_high),
                    number(estimate(&active).mean),
                ])?;
            }
        }
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
    /// Which arms run, which is the baseline, and whether the file's own design is an arm.
    pub arms_statement: &'a str,
    pub bottom_line: &'a BottomLine,
}

pub fn to_json(comparison: &Comparison, context: &ComparisonContext<'_>) -> anyhow::Result<String> {
    let arms: Vec<_> = context
        .runs
        .iter()
        .map(|run| json!({ "name": run.name, "description": run.description, "scenario": file_json(&run.output.scenario, &run.sections) }))
        .collect();
    let line = context.bottom_line;
    let mut value = json!({
        "linli_version": crate::VERSION,
        "sources": context.sources,
        "seed": context.seed,
        "replicates": comparison.replicates,
        "window_days": comparison.window_days,
        "runtime_seconds": context.runtime_seconds,
        "question": line.question_en,
        "bottom_line": { "en": line.en, "zh": line.zh },
        "interval_scope": comparison.interval_scope,
        "smallest_difference_pp": comparison.smallest_difference * 100.0,
        "baseline": comparison.baseline,
        "arms_statement": context.arms_statement,
        "arms": arms,
        "rows": comparison.rows,
        "measures": comparison.measures,
        "costs": comparison.costs,
        "bootstrap_resamples": comparison.bootstrap_resamples,
        "cost_ranking": comparison.cost_ranking,
    });
    if let Some(posterior) = &comparison.posterior {
        value["posterior"] = json!(posterior);
    }
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Columns of `measures_comparison.csv`.
pub const MEASURE_COLUMNS: [&str; 15] = [
    "arm",
    "baseline",
    "measure",
    "group",
    "over",
    "mean",
    "ci95_low",
    "ci95_high",
    "difference",
    "difference_ci95_low",
    "difference_ci95_high",
    "p_value",
    "p_holm",
    "replicates",
    "verdict",
];

/// `measures_comparison.csv`: one row per arm, measure of who took part and group (empty
/// fields where a measure is undefined, or for the baseline's differences).
pub fn measures_csv(comparison: &Comparison) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(MEASURE_COLUMNS)?;
    for row in &comparison.measures {
        let e = row.estimate;
        let estimate =
            |f: fn(&crate::experiment::stats::Estimate) -> f64| e.as_ref().map_or(String::new(), |e| number(f(e)));
        let d = row.difference;
        let field = |f: fn(&PairedDifference) -> f64| d.as_ref().map_or(String::new(), |d| number(f(d)));
        let verdict = row.verdict.map_or(String::new(), |v| json!(v).as_str().unwrap_or_default().to_string());
        writer.write_record([
            csv_text(&row.arm),
            csv_text(&comparison.baseline),
            csv_text(&row.measure),
            row.group.clone(),
            row.over.to_string(),
            estimate(|e| e.mean),
            estimate(|e| e.ci95_low),
            estimate(|e| e.ci95_high),
            field(|d| d.mean),
            field(|d| d.ci95_low),
            field(|d| d.ci95_high),
            field(|d| d.p_value),
            row.p_holm.map_or(String::new(), number),
            e.map_or(0, |e| e.n).to_string(),
            verdict,
        ])?;
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_characters_are_quoted() {
        for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_text(text), format!("'{text}"));
        }
        assert_eq!(csv_text("50 points"), "50 points");
        assert_eq!(csv_text("时间银行"), "时间银行");
    }
}
