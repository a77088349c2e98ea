//! The `linli` binary as a user runs it: outputs, summary, template, schema, errors.

use std::path::Path;

use crate::common::linli;

fn small_scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("small.toml");
    let text = "[scenario]\nversion = 1\nname = \"small\"\ndays = 60\nburn_in_days = 20\nreplicates = 3\n\
                [community]\ncompounds = 1\nbuildings = 10\nstairwells = 30\nhouseholds = 300\nresidents = 1000\nmicro_grids = 3\n";
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn run_writes_every_output_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small_scenario(dir.path());
    let out = dir.path().join("out");
    let result = linli(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "2"]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let stdout = String::from_utf8(result.stdout).unwrap();
    assert!(stdout.contains("transient") && stdout.contains("outputs in"), "{stdout}");
    for file in ["timeseries.csv", "summary.json", "participation.png", "participation.svg"] {
        assert!(out.join(file).metadata().unwrap().len() > 100, "{file}");
    }
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("replicate,day,date,cohort,residents,active_rate,volunteer_rate,attendance_rate,complaints")
    );
    assert!(header.contains("mean_trust,mean_attachment"));
    assert_eq!(csv.lines().count(), 1 + 3 * 60 * 3);
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["linli_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(summary["scenario"]["community"]["residents"], 1000);
    assert_eq!(summary["scenario"]["behaviour"]["active_window_days"], 30, "defaults are filled in");
    assert_eq!(summary["replicates"].as_array().unwrap().len(), 3);
    let original = &summary["cohorts"][0];
    assert_eq!(original["cohort"], "original");
    let final_rate = &original["final_active_rate"];
    assert!(final_rate["ci95_low"].as_f64() <= final_rate["mean"].as_f64());
    assert!(summary["runtime_seconds"].as_f64().unwrap() > 0.0);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.') && e.file_name() != ".linli-output")
        .collect();
    assert!(leftovers.is_empty(), "no staging folder left behind");
}

#[test]
fn timeseries_files_are_identical_at_1_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small_scenario(dir.path());
    let mut files = vec![];
    for threads in ["1", "8"] {
        let out = dir.path().join(format!("t{threads}"));
        let status =
            linli(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", threads]).status;
        assert!(status.success());
        files.push(std::fs::read(out.join("timeseries.csv")).unwrap());
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn init_template_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let template = linli(&["init"]);
    assert!(template.status.success());
    let path = dir.path().join("init.toml");
    std::fs::write(&path, &template.stdout).unwrap();
    let check = linli(&["check", path.to_str().unwrap()]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("ok:"));
}

#[test]
fn schema_is_json_schema_with_descriptions() {
    let schema = linli(&["schema"]);
    assert!(schema.status.success());
    let value: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert!(value["$schema"].as_str().unwrap().contains("json-schema.org"));
    let residents = &value["properties"]["community"]["properties"]["residents"];
    assert!(residents["description"].is_string());
    assert_eq!(residents["maximum"], 50_000_000, "ranges are in the schema");
}

#[test]
fn shipped_scenarios_pass_check() {
    for file in ["scenarios/wanke-chenghua.toml", "scenarios/jiahong-road.toml"] {
        let check = linli(&["check", file]);
        assert!(check.status.success(), "{file}: {}", String::from_utf8_lossy(&check.stderr));
    }
}

#[test]
fn a_missing_file_is_an_error_with_status_2() {
    let result = linli(&["check", "no/such/file.toml"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no/such/file.toml"));
}

#[test]
fn until_ci_adds_replicates_up_to_the_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arms.toml");
    let text = "[scenario]\nversion = 1\nname = \"arms\"\ndays = 30\nburn_in_days = 10\nreplicates = 2\n\
                [community]\ncompounds = 1\nbuildings = 5\nstairwells = 10\nhouseholds = 100\nresidents = 300\nmicro_grids = 2\n\
                [[arm]]\nname = \"base\"\n[[arm]]\nname = \"bank\"\n\"policy.time_bank.enabled\" = true\n";
    std::fs::write(&path, text).unwrap();
    let compare = |width: &str, out: &str| {
        let out = dir.path().join(out);
        let args = [
            "compare",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--until-ci",
            width,
            "--max-replicates",
            "8",
        ];
        let result = linli(&args);
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
        let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
        let replicates: usize = csv.lines().nth(1).unwrap().split(',').nth(13).unwrap().parse().unwrap();
        (String::from_utf8(result.stdout).unwrap(), replicates)
    };
    let (stdout, replicates) = compare("0.0000001", "tight");
    assert_eq!(replicates, 8, "doubling from 2 stops at the maximum");
    assert!(stdout.contains("not reached at the maximum"), "{stdout}");
    let (stdout, replicates) = compare("1.0", "loose");
    assert_eq!(replicates, 2, "a loose target needs no more replicates");
    assert!(stdout.contains("reached"), "{stdout}");
}

/// Issue #9: a scenario that is not UTF-8 is located at its first invalid byte, not refused as
/// a whole file.
#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"[scenario]\nversion = 1\nname = \"caf\xe9\"\n").unwrap();
    let result = linli(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("latin1.toml:3:12"), "{stderr}");
    assert!(stderr.contains("UTF-8") && stderr.contains("0xe9"), "{stderr}");
    assert!(result.stdout.is_empty());
}

/// Issue #9: a scenario is read up to a cap, so `/dev/zero` or a huge file is refused at once.
#[test]
fn a_scenario_larger_than_the_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    let mut text = String::from("[scenario]\nversion = 1\n");
    text.push_str(&"# padding\n".repeat(110_000));
    std::fs::write(&path, text).unwrap();
    for file in [path.to_str().unwrap(), "/dev/zero"] {
        let started = std::time::Instant::now();
        let result = linli(&["check", file]);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(file) && stderr.contains("1 MiB"), "{file}: {stderr}");
        assert!(started.elapsed().as_secs() < 30, "{file} took {:?}", started.elapsed());
    }
}

/// Issue #9: scenario files compared as arms must have different names, and the error says
/// which files share which name; nothing is written.
#[test]
fn compare_refuses_two_files_with_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let first = small_scenario(dir.path());
    let second = dir.path().join("also-small.toml");
    std::fs::copy(&first, &second).unwrap();
    let out = dir.path().join("out");
    let args = ["compare", first.to_str().unwrap(), second.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let result = linli(&args);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("small.toml") && stderr.contains("also-small.toml"), "{stderr}");
    assert!(stderr.contains("\"small\""), "{stderr}");
    assert!(!out.exists());
}

/// Issue #9: `[[arm]]`s with one name are refused by `check`, not run as two identical rows.
#[test]
fn check_refuses_two_arms_with_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arms.toml");
    std::fs::write(&path, "[scenario]\nversion = 1\n[[arm]]\nname = \"a\"\n[[arm]]\nname = \"a\"\n").unwrap();
    let result = linli(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("arms.toml:6:8") && stderr.contains("arm[1].name"), "{stderr}");
}

/// Issue 10: `check` reports every problem of a file, the scenario's, the arms' and the
/// studies', not only the first.
#[test]
fn check_reports_scenario_arm_and_sweep_problems_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("three.toml");
    let text = "[scenario]\nversion = 1\n[policy.time_bank]\nitem_cost_points = 0\n\
                [[arm]]\nname = \"a\"\n[[arm]]\nname = \"b\"\npolicy.time_bank.points_per_chekin = 5\n\
                [sweep.parameters]\n\"behaviour.social_weigth\" = [0.5, 1.0]\n";
    std::fs::write(&path, text).unwrap();
    let result = linli(&["check", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(result.stdout.is_empty(), "{}", String::from_utf8_lossy(&result.stdout));
    for (location, key) in [
        ("three.toml:4:", "policy.time_bank.item_cost_points"),
        ("three.toml:9:", "arm[1].policy.time_bank.points_per_chekin"),
        ("three.toml:11:", "sweep.parameters.behaviour.social_weigth"),
    ] {
        assert!(stderr.contains(location) && stderr.contains(key), "{location} {key}:\n{stderr}");
    }
    assert!(stderr.contains("2 more problems in this file:"), "{stderr}");
    assert!(stderr.contains("did you mean `points_per_checkin`?"), "{stderr}");
    assert!(stderr.contains("did you mean `social_weight`?"), "{stderr}");
}

#[test]
fn bench_alternates_one_and_all_threads_in_the_large_replicate() {
    let result = std::process::Command::new(crate::common::BIN)
        .args(["bench", "--replicates", "1", "--days", "2", "--large-residents", "9000", "--large-days", "3"])
        .args(["--large-pairs", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(stdout.contains("2 pairs of runs, 1 thread then"), "{stdout}");
    assert!(stdout.contains("the median of the pairs' ratios"), "{stdout}");
}

#[test]
fn bench_times_individual_data_beside_the_plain_run_and_cleans_up() {
    // A temporary folder of its own: another test's bench may be running beside this one.
    let temp = tempfile::tempdir().unwrap();
    let result = std::process::Command::new(crate::common::BIN)
        .args(["bench", "--replicates", "1", "--days", "10", "--large-residents", "0"])
        .env("TMPDIR", temp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let line = stdout.lines().find(|l| l.contains("with individual data")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("x the time"), "{line}");
    let leftovers = std::fs::read_dir(temp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("linli-bench-"));
    assert!(!leftovers, "the benchmark's temporary folder is removed");
    let phases = stdout.lines().find(|l| l.contains("time by phase")).unwrap_or_else(|| panic!("{stdout}"));
    for phase in ["churn and today", "decide", "apply", "end of day"] {
        assert!(phases.contains(phase), "{phases}");
    }
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("cycles:")), "{stdout}");
}

#[test]
fn bench_against_a_baseline_alternates_both_builds_and_gives_the_ratio() {
    let args = ["bench", "--replicates", "1", "--days", "5", "--pairs", "2", "--baseline", crate::common::BIN];
    let result = linli(&args);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(stdout.lines().filter(|l| l.trim_start().starts_with("pair ")).count(), 2, "{stdout}");
    let ratio = stdout.lines().find(|l| l.contains("1 thread: median")).unwrap_or_else(|| panic!("{stdout}"));
    let ratio: f64 =
        ratio.rsplit("ratio ").next().and_then(|r| r.trim().parse().ok()).unwrap_or_else(|| panic!("{ratio}"));
    assert!(ratio > 0.2 && ratio < 5.0, "a build against itself: {ratio}");
    let missing = linli(&["bench", "--baseline", "/no/such/linli"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/linli"));
}
