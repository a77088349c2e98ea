//! Comparisons: common random numbers shrink the noise of differences, identical arms show no
//! difference, the statistics match hand computations, and `linli compare` says what it found
//! (bottom line first, what the intervals cover, which arms ran) and exports what it computed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use linli::experiment::arms::Arm;
use linli::experiment::compare::{Group, INTERVAL_SCOPE, Metric, compare, metric_value, run_arms};
use linli::experiment::stats::{estimate, paired_difference};

use crate::common::small;

fn arm(name: &str, scenario: linli::Scenario) -> Arm {
    Arm { name: name.into(), description: String::new(), scenario, sections: Default::default() }
}

fn base() -> linli::Scenario {
    let mut s = small(3_000, 240, 8);
    s.policy = Default::default();
    s
}

#[test]
fn common_random_numbers_make_paired_differences_less_noisy() {
    let baseline = base();
    let mut treated = baseline.clone();
    treated.policy.time_bank.enabled = true;
    let mut independent = treated.clone();
    independent.scenario.seed += 1_000; // the same design on unrelated streams
    let replicates: Vec<u32> = (0..8).collect();
    let runs =
        run_arms(&[arm("base", baseline), arm("tb", treated), arm("tb-indep", independent)], &replicates, &|| {});
    let values = |k: usize| -> Vec<f64> {
        (0..8).map(|r| metric_value(&runs[k].output, r, Group::All, Metric::MeanActiveRate, 365)).collect()
    };
    let (a, b, b_independent) = (values(0), values(1), values(2));
    let paired_se = paired_difference(&b, &a).se;
    let (ea, eb) = (estimate(&a), estimate(&b_independent));
    let unpaired_se = (ea.sd.powi(2) / 8.0 + eb.sd.powi(2) / 8.0).sqrt();
    assert!(paired_se < 0.7 * unpaired_se, "paired {paired_se} vs unpaired {unpaired_se}");
}

#[test]
fn identical_arms_differ_by_nothing() {
    let replicates: Vec<u32> = (0..4).collect();
    let runs = run_arms(&[arm("a", base()), arm("b", base())], &replicates, &|| {});
    let comparison = compare(&runs, 365);
    for row in comparison.rows.iter().filter(|r| r.arm == "b") {
        let d = row.difference.expect("compared with the baseline");
        assert!(d.includes_zero(), "{:?} {:?}", row.group, row.metric);
        assert_eq!(d.mean, 0.0, "common random numbers: identical arms give identical runs");
    }
    assert!(comparison.costs[0].yuan_per_additional_active.is_none(), "no gain, no cost per gain");
}

#[test]
fn the_comparison_has_every_arm_group_and_metric() {
    let mut treated = base();
    treated.policy.proposal_fund.enabled = true;
    let runs = run_arms(&[arm("base", base()), arm("fund", treated)], &[0, 1, 2], &|| {});
    let comparison = compare(&runs, 90);
    assert_eq!(comparison.baseline, "base");
    let headline: Vec<_> = comparison.rows.iter().filter(|r| r.metric == Metric::MeanActiveRate).collect();
    assert_eq!(headline.len(), 8, "two arms x four groups");
    assert!(headline.iter().all(|r| (r.arm == "base") == r.difference.is_none()));
    assert!(headline.iter().filter(|r| r.arm == "fund").all(|r| r.p_holm.unwrap() >= r.difference.unwrap().p_value));
    let cost = comparison.rows.iter().find(|r| r.metric == Metric::CostYuan && r.arm == "fund").unwrap();
    assert!(cost.difference.unwrap().mean > 0.0, "the fund costs money");
}

#[test]
fn a_failed_chart_write_names_the_file_without_a_debug_dump() {
    let runs = run_arms(&[arm("a", base()), arm("b", base())], &[0, 1], &|| {});
    let comparison = compare(&runs, 90);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("missing-folder").join("effects.png");
    let svg = dir.path().join("effects.svg");
    let err = linli::output::compare_plots::effects(&comparison, &png, &svg).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("effects.png"), "{message}");
    assert!(!message.contains("Os {") && !message.contains("kind:") && !message.contains("Error("), "{message}");
}

/// A small comparison with a question, an arm whose name a spreadsheet would run as a formula,
/// and an arm that is the file's own design but not the baseline.
const ARMS: &str = r#"
[scenario]
version = 1
name = "cli-arms"
days = 60
burn_in_days = 10
replicates = 3

[comparison]
question = "Does a time bank get more residents to take part?"

[community]
compounds = 1
buildings = 5
stairwells = 10
households = 100
residents = 300
micro_grids = 2

[policy.time_bank]
enabled = true

[[arm]]
name = "=1+1"
description = "no time bank"
"policy.time_bank.enabled" = false

[[arm]]
name = "time bank"
"#;

/// One `linli compare` of [`ARMS`] shared by the tests below: (folder, stdout).
fn compared() -> &'static (PathBuf, String) {
    static RUN: OnceLock<(PathBuf, String)> = OnceLock::new();
    RUN.get_or_init(|| run_cli("cli-arms", &["--threads", "2"]))
}

fn run_cli(folder: &str, extra: &[&str]) -> (PathBuf, String) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("arms.toml");
    std::fs::write(&scenario, ARMS).unwrap();
    let out = dir.join("out");
    let mut args = vec!["compare", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    let result = crate::common::linli(&args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    (out, String::from_utf8(result.stdout).unwrap())
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap()
}

#[test]
fn the_screen_report_and_json_say_what_the_intervals_cover() {
    let (out, stdout) = compared();
    assert!(stdout.contains(INTERVAL_SCOPE), "{stdout}");
    assert!(read(out, "report.html").contains(INTERVAL_SCOPE));
    let json: serde_json::Value = serde_json::from_str(&read(out, "comparison.json")).unwrap();
    assert_eq!(json["interval_scope"], INTERVAL_SCOPE);
    assert!(INTERVAL_SCOPE.contains("do not include uncertainty about the parameters"));
}

#[test]
fn the_screen_and_the_report_open_with_the_bottom_line() {
    let (out, stdout) = compared();
    assert!(stdout.starts_with("Does a time bank get more residents to take part?"), "{stdout}");
    let first_lines: String = stdout.lines().take(12).collect::<Vec<_>>().join("\n");
    assert!(first_lines.contains("结论") && first_lines.contains("Answer:"), "{first_lines}");
    assert!(first_lines.contains("How sure:") && first_lines.contains("把握程度"), "{first_lines}");
    let html = read(out, "report.html");
    let bottom = html.find("id=\"bottom-line\"").expect("a bottom line");
    assert!(bottom < html.find("<h2>").unwrap(), "the bottom line comes before every section");
    assert!(html[bottom..].contains("Does a time bank get more residents to take part?"));
    let json: serde_json::Value = serde_json::from_str(&read(out, "comparison.json")).unwrap();
    assert_eq!(json["question"], "Does a time bank get more residents to take part?");
    assert!(json["bottom_line"]["zh"][0].as_str().unwrap().starts_with("结论"));
}

#[test]
fn differences_read_in_percentage_points_and_p_values_never_read_zero() {
    let (out, stdout) = compared();
    let html = read(out, "report.html");
    let start = html.find("id=\"headline\"").unwrap();
    let headline = &html[start..start + html[start..].find("</table>").unwrap()];
    let final_rate = html.lines().find(|l| l.contains("<td>time bank</td><td>final_active_rate</td>")).unwrap();
    assert!(final_rate.contains(" pp</td>"), "other rates change in pp too: {final_rate}");
    for text in [stdout.as_str(), headline] {
        assert!(text.contains(" pp"), "percentage points as pp");
        let number_then_points =
            text.match_indices(" points").any(|(i, _)| text[..i].ends_with(|c: char| c.is_ascii_digit()));
        assert!(!number_then_points && !text.contains("(points)"), "no bare 'points' for percentage points");
        assert!(!text.contains("p = 0.000") && !text.contains("<td>0.000</td>"), "p-values below 0.001 read < 0.001");
    }
}

#[test]
fn compare_exports_replicates_daily_series_and_costs() {
    let (out, _) = compared();
    let replicates = read(out, "replicates.csv");
    let outcomes = linli::experiment::compare::Outcome::all().len();
    assert!(replicates.starts_with("arm,replicate,outcome,value\n"));
    assert_eq!(replicates.lines().count(), 1 + 2 * 3 * outcomes, "two arms, three replicates, every outcome");
    assert!(replicates.contains("time bank,2,all_mean_active_rate,"));
    let series = read(out, "arms_timeseries.csv");
    assert!(
        series.starts_with("arm,date,group,replicates,active_rate,active_rate_ci95_low,active_rate_ci95_high,active\n")
    );
    assert_eq!(series.lines().count(), 1 + 2 * 60 * 4, "two arms, 60 days, four groups");
    let comparison = read(out, "comparison.csv");
    let cost = comparison.lines().find(|l| l.starts_with("time bank,") && l.contains(",yuan_per_additional_active,"));
    assert!(cost.is_some(), "the cost per additional active resident is a row of comparison.csv");
    let json: serde_json::Value = serde_json::from_str(&read(out, "comparison.json")).unwrap();
    let costs = &json["costs"][0];
    assert!(
        costs.get("yuan_per_additional_active_ci95_low").is_some()
            && costs.get("yuan_per_additional_active_ci95_high").is_some()
    );
    assert!(json["cost_ranking"].is_array() && json["bootstrap_resamples"] == 2000);
}

#[test]
fn the_arms_that_run_and_the_baseline_are_named() {
    let (out, stdout) = compared();
    let expected = "2 arms run: «=1+1» (baseline), «time bank». The file's own design (its settings without \
                    overrides) is arm «time bank», not the baseline: the baseline «=1+1» sets policy.time_bank.enabled = false.";
    assert!(stdout.contains(expected), "{stdout}");
    assert!(read(out, "report.html").contains("is arm «time bank», not the baseline"));
    let check = crate::common::linli(&["check", out.parent().unwrap().join("arms.toml").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&check.stdout).contains(expected), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn formula_like_arm_names_are_quoted_in_every_csv() {
    let (out, _) = compared();
    for file in ["comparison.csv", "replicates.csv", "arms_timeseries.csv"] {
        let text = read(out, file);
        assert!(text.lines().all(|l| !l.starts_with('=') && !l.contains(",=")), "{file}");
        assert!(text.contains("'=1+1"), "{file}");
    }
}

#[test]
fn results_are_byte_identical_at_any_thread_count() {
    let (two, _) = compared();
    let (one, _) = run_cli("cli-arms-one-thread", &["--threads", "1"]);
    for file in ["comparison.csv", "replicates.csv", "arms_timeseries.csv"] {
        assert_eq!(read(&one, file), read(two, file), "{file}");
    }
    let costs = |out: &Path| {
        let json: serde_json::Value = serde_json::from_str(&read(out, "comparison.json")).unwrap();
        (json["costs"].clone(), json["cost_ranking"].clone(), json["bottom_line"].clone())
    };
    assert_eq!(costs(&one), costs(two), "the bootstrap depends on the seed alone");
}

#[test]
fn until_ci_refuses_values_that_are_not_interval_widths() {
    for value in ["-1", "nan", "inf", "0", "NaN", "abc"] {
        let result = crate::common::linli(&["compare", "no-such.toml", &format!("--until-ci={value}")]);
        assert_eq!(result.status.code(), Some(2), "{value}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("--until-ci"), "{value}: {stderr}");
    }
}

#[test]
fn arms_are_compared_on_who_took_part_in_the_report_csv_and_json() {
    let (out, stdout) = compared();
    assert!(stdout.contains("who took part:"), "{stdout}");
    let csv = read(out, "measures_comparison.csv");
    let rows: Vec<&str> = csv.lines().filter(|l| l.contains(",volunteer_retention,young_adult,")).collect();
    assert_eq!(rows.len(), 2, "the baseline and the time bank, for an age band: {csv}");
    assert!(csv.lines().any(|l| l.contains(",mean_active_rate,senior,window,")), "age bands' active rates");
    let json: serde_json::Value = serde_json::from_str(&read(out, "comparison.json")).unwrap();
    assert!(json["measures"].as_array().is_some_and(|m| m.len() == csv.lines().count() - 1));
    let html = read(out, "report.html");
    let start = html.find("id=\"who-took-part\"").expect("a table of who took part");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    assert!(table.contains("<td>ever_took_part</td><td>all</td><td>time bank</td>"), "{table}");
    assert!(table.contains("<td>mean_active_rate</td><td>senior</td>"), "{table}");
}
