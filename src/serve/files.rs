//! A finished run's downloads, made in memory: the tables and JSON `linli compare` writes, each
//! table also as Parquet, and the self-contained `report.html`.

use crate::experiment::compare::Comparison;
use crate::output::comparison::ComparisonContext;
use crate::output::{compare_plots, comparison_tables, report, tidy_parquet};

use super::runs::Files;

/// The downloads of a comparison.
pub fn render(comparison: &Comparison, context: &ComparisonContext<'_>) -> anyhow::Result<Files> {
    let mut files = Files::new();
    for (name, bytes) in comparison_tables(comparison, context)? {
        if let Some(stem) = name.strip_suffix(".csv") {
            files.insert(format!("{stem}.parquet"), tidy_parquet::from_csv(&bytes)?);
        }
        files.insert(name.to_string(), bytes);
    }
    let svgs = compare_plots::svgs(context.runs, comparison)?;
    files.insert("report.html".into(), report::html(comparison, context, &svgs).into_bytes());
    Ok(files)
}

/// The content type a download is served with.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("parquet") => "application/vnd.apache.parquet",
        _ => "text/plain; charset=utf-8",
    }
}
