//! The outputs of `linli validate`: `validation.csv` (tidy), `validation.md` (the table and a section per pattern), `validation.json` and one plot per pattern.

use std::fmt::Write;

use serde_json::json;

use super::Staging;
use super::validation_plots::pattern_plot;
use crate::experiment::compare::INTERVAL_SCOPE;
use crate::experiment::validate::criteria::number;
use crate::experiment::validate::{Part, PatternResult, Validation};

/// Every file `linli validate` may write (besides the plots, named by [`plot_names`]).
pub fn validation_files() -> Vec<String> {
    let mut files: Vec<String> = ["validation.csv", "validation.md", "validation.json"].map(String::from).to_vec();
    for n in 1..=15 {
        files.extend(plot_names(n));
    }
    files
}

/// The plot files of pattern `n`.
pub fn plot_names(n: u32) -> [String; 2] {
    [format!("pattern-{n:02}.svg"), format!("pattern-{n:02}.png")]
}

/// Writes every output of a validation into `staging`.
pub fn write_validation(staging: &mut Staging, validation: &Validation, runtime_seconds: f64) -> anyhow::Result<()> {
    staging.write("validation.csv", csv(validation).as_bytes())?;
    staging.write("validation.md", markdown(validation).as_bytes())?;
    staging.write("validation.json", json_text(validation, runtime_seconds)?.as_bytes())?;
    for pattern in &validation.patterns {
        let [svg, png] = plot_names(pattern.number);
        let (svg, png) = (staging.path(&svg), staging.path(&png));
        pattern_plot(pattern, validation.replicates, &png, &svg)?;
    }
    Ok(())
}

/// A part's verdict in words.
fn part_verdict(part: &Part) -> &'static str {
    match part.verdict {
        Some(true) => "PASS",
        Some(false) => "FAIL",
        None => "reported",
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

/// A number for a file: up to 6 significant decimals, NaN as empty.
fn value(x: f64) -> String {
    if x.is_finite() { format!("{x:.6}") } else { String::new() }
}

/// One row per part: pattern, title, part, measure, contrast, estimate, lo, hi, criterion,
/// verdict (the part's), pattern_verdict.
pub fn csv(validation: &Validation) -> String {
    let mut out =
        String::from("pattern,title,part,measure,contrast,estimate,lo,hi,criterion,verdict,pattern_verdict\n");
    for p in &validation.patterns {
        for part in &p.parts {
            let fields = [
                p.number.to_string(),
                csv_field(p.title),
                part.part.to_string(),
                csv_field(&part.measure),
                csv_field(&part.contrast),
                value(part.interval.estimate),
                value(part.interval.lo),
                value(part.interval.hi),
                csv_field(&part.criterion.text()),
                part_verdict(part).to_string(),
                p.verdict().to_string(),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}

/// `estimate [lo, hi]`, rounded to 4 decimals.
fn interval_text(part: &Part) -> String {
    let i = &part.interval;
    if i.lo == i.hi {
        number(i.estimate)
    } else {
        format!("{} [{}, {}]", number(i.estimate), number(i.lo), number(i.hi))
    }
}

/// The judged parts of a pattern in one cell.
fn measured_cell(p: &PatternResult) -> String {
    let judged: Vec<String> = p
        .parts
        .iter()
        .filter(|part| part.verdict.is_some())
        .map(|part| format!("({}) {}", part.part, interval_text(part)))
        .collect();
    judged.join("; ")
}

pub fn markdown(validation: &Validation) -> String {
    let mut md = String::new();
    let _ =
        writeln!(md, "# linli validate: {} of {} patterns passed\n", validation.passed(), validation.patterns.len());
    let _ = writeln!(
        md,
        "{} replicates per arm on common random numbers (replicate k of every arm uses the same seed); {} distinct \
         arms run. The patterns and criteria are those pre-registered in docs/VALIDATION.md. {INTERVAL_SCOPE}\n",
        validation.replicates, validation.arms_run
    );
    md.push_str("| # | pattern | measured (estimate [lo, hi]) | criterion | verdict |\n|---|---|---|---|---|\n");
    for p in &validation.patterns {
        let _ =
            writeln!(md, "| {} | {} | {} | {} | {} |", p.number, p.title, measured_cell(p), p.criterion, p.verdict());
    }
    for p in &validation.patterns {
        md.push_str(&pattern_section(p));
    }
    md
}

fn pattern_section(p: &PatternResult) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "\n## {}. {}: {}\n", p.number, p.title, p.verdict());
    let _ = writeln!(md, "Criterion: {}.\n", p.criterion);
    md.push_str("Arms:\n");
    for arm in &p.arms {
        let _ = writeln!(md, "- `{}`: {} with {}", arm.name, arm.scenario, arm.overrides);
    }
    md.push_str(
        "\n| part | measure | arm or contrast | estimate [lo, hi] | criterion | verdict |\n|---|---|---|---|---|---|\n",
    );
    for part in &p.parts {
        let label = if part.part.is_empty() { "–" } else { part.part };
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {} | {} |",
            part.measure,
            part.contrast,
            interval_text(part),
            part.criterion.text(),
            part_verdict(part)
        );
    }
    let [svg, _] = plot_names(p.number);
    let _ = writeln!(md, "\n![pattern {}]({svg})", p.number);
    md
}

fn json_text(validation: &Validation, runtime_seconds: f64) -> anyhow::Result<String> {
    let value = json!({
        "linli_version": crate::VERSION,
        "replicates": validation.replicates,
        "arms_run": validation.arms_run,
        "passed": validation.passed(),
        "patterns_run": validation.patterns.len(),
        "interval_scope": INTERVAL_SCOPE,
        "runtime_seconds": runtime_seconds,
        "patterns": validation.patterns.iter().map(|p| json!({
            "number": p.number,
            "title": p.title,
            "criterion": p.criterion,
            "verdict": p.verdict(),
            "arms": p.arms,
            "parts": p.parts,
        })).collect::<Vec<_>>(),
    });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// The console summary: one line per pattern and the count passed.
pub fn console_summary(validation: &Validation) -> String {
    let mut out = String::new();
    for p in &validation.patterns {
        let _ = writeln!(out, "{:>2}. {:<4} {}", p.number, p.verdict(), p.title);
    }
    let _ = writeln!(out, "{} of {} passed", validation.passed(), validation.patterns.len());
    out
}
