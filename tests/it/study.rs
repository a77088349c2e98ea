//! Sweeps and sensitivity analyses: designs, resuming, shards merged byte for byte, indices.

use std::path::{Path, PathBuf};

use linli::experiment::explore::Study;
use linli::experiment::{Plan, parse};
use toml::Value;

use crate::common::linli;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios").join(name)
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs linli and insists it succeeds; returns stderr (where the progress lines go).
fn ok(args: &[&str]) -> String {
    let out = linli(args);
    assert!(out.status.success(), "linli {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stderr).unwrap()
}

/// Runs linli and insists it fails with status 2; returns stderr.
fn fails(args: &[&str]) -> String {
    let out = linli(args);
    assert_eq!(out.status.code(), Some(2), "linli {args:?}: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

/// The top-level files of a folder (the results, not the saved points), by name.
fn top_level_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

fn scenario_with(text: &str) -> Plan {
    parse(text, Path::new("inline.toml")).unwrap()
}

#[test]
fn a_factorial_sweep_has_every_combination_once() {
    let scenario = scenario_with(
        r#"
[scenario]
version = 1
[sweep.parameters]
"policy.time_bank.points_per_checkin" = [5, 10, 20]
"policy.time_bank.enabled" = [false, true]
"behaviour.social_weight" = [0.5, 1.0]
"#,
    );
    let study = Study::sweep(&scenario).unwrap();
    assert_eq!(study.points.len(), 3 * 2 * 2);
    assert_eq!(study.points[0].values, [Value::Integer(5), Value::Boolean(false), Value::Float(0.5)]);
    assert_eq!(study.points[1].values, [Value::Integer(5), Value::Boolean(false), Value::Float(1.0)]);
    assert_eq!(study.points[11].values, [Value::Integer(20), Value::Boolean(true), Value::Float(1.0)]);
    let mut seen: Vec<String> = study.points.iter().map(|p| format!("{:?}", p.values)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12);
    let last = study.point_scenario(11).unwrap();
    assert_eq!(last.policy.time_bank.points_per_checkin, 20);
    assert!(last.policy.time_bank.enabled);
}

#[test]
fn a_latin_hypercube_puts_one_point_in_every_stratum_of_every_range() {
    let scenario = scenario_with(
        r#"
[scenario]
version = 1
[sweep]
design = "latin_hypercube"
points = 25
[sweep.parameters]
"behaviour.social_weight" = { min = 0.2, max = 1.2 }
"policy.time_bank.points_per_checkin" = { min = 0, max = 2500 }
"#,
    );
    let study = Study::sweep(&scenario).unwrap();
    assert_eq!(study.points.len(), 25);
    for j in 0..2 {
        let (min, max) = if j == 0 { (0.2, 1.2) } else { (0.0, 2500.0) };
        let mut strata: Vec<usize> = study
            .points
            .iter()
            .map(|p| match &p.values[j] {
                Value::Float(x) => ((x - min) / (max - min) * 25.0) as usize,
                Value::Integer(i) => ((*i as f64 - min) / (max - min) * 25.0).min(24.0) as usize,
                other => panic!("a number, not {other}"),
            })
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..25).collect::<Vec<_>>(), "parameter {j}");
    }
    assert!(study.points.iter().all(|p| matches!(p.values[1], Value::Integer(_))), "whole-number keys stay whole");
}

#[test]
fn a_sweep_writes_one_row_per_point_and_replicate_and_a_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    ok(&["sweep", arg(&fixture("sweep-small.toml")), "--out", arg(&out)]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("point,replicate,policy.time_bank.points_per_checkin,policy.time_bank.enabled,"));
    assert!(header.contains("transient_mean_active_rate") && header.ends_with("all_cost_yuan"));
    assert_eq!(csv.lines().count(), 1 + 6 * 3);
    assert!(csv.lines().nth(4).unwrap().starts_with("1,0,5,true,"), "points in order, replicates within");
    let points = std::fs::read_to_string(out.join("points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 6);
    for file in ["sweep.json", "sweep-all_mean_active_rate.png", "sweep-all_mean_active_rate.svg"] {
        assert!(out.join(file).metadata().unwrap().len() > 100, "{file}");
    }
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("sweep.json")).unwrap()).unwrap();
    let by_enabled = &summary["outcome_by_parameter"][1]["means"];
    let (off, on) = (by_enabled[0]["mean"].as_f64().unwrap(), by_enabled[1]["mean"].as_f64().unwrap());
    assert!(on > off, "the time bank raises participation: {off} -> {on}");
}

#[test]
fn an_interrupted_sweep_resumes_without_redoing_finished_points() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixture("sweep-small.toml");
    let (whole, out) = (dir.path().join("whole"), dir.path().join("interrupted"));
    ok(&["sweep", arg(&scenario), "--out", arg(&whole)]);
    ok(&["sweep", arg(&scenario), "--out", arg(&out)]);
    // An interruption leaves some points saved, no results and perhaps a half-written part.
    for name in ["00000001.csv", "00000004.csv", "00000005.csv"] {
        std::fs::remove_file(out.join("points").join(name)).unwrap();
    }
    for (name, _) in top_level_files(&out) {
        std::fs::remove_file(out.join(name)).unwrap();
    }
    std::fs::write(out.join("points/00000004.tmp-999"), "4,0,half").unwrap();
    let stale_staging = out.join(format!(".linli-staging-{}", u32::MAX - 5));
    std::fs::create_dir(&stale_staging).unwrap();
    let kept = out.join("points/00000002.csv");
    let kept_time = kept.metadata().unwrap().modified().unwrap();

    let refused = fails(&["sweep", arg(&scenario), "--out", arg(&out)]);
    assert!(refused.contains("--resume") && refused.contains("3 of its points finished"), "{refused}");
    let other_seed = fails(&["sweep", arg(&scenario), "--out", arg(&out), "--resume", "--seed", "9"]);
    assert!(other_seed.contains("different sweep"), "{other_seed}");

    let resumed = ok(&["sweep", arg(&scenario), "--out", arg(&out), "--resume", "--threads", "1"]);
    assert!(resumed.contains("3 of 6 points to run (3 already saved)"), "{resumed}");
    assert_eq!(kept.metadata().unwrap().modified().unwrap(), kept_time, "finished points are not run again");
    assert!(!out.join("points/00000004.tmp-999").exists(), "a half-written part is cleared");
    assert!(!stale_staging.exists(), "a dead run's staging folder is cleared");
    assert_eq!(top_level_files(&out), top_level_files(&whole));
    let rows = std::fs::read_to_string(out.join("sweep.csv")).unwrap().lines().count();
    assert_eq!(rows, 1 + 6 * 3, "no point twice");

    // A restart discards the points and the old results, such as a plot of another outcome.
    std::fs::write(out.join("sweep-all_cost_yuan.png"), "old").unwrap();
    ok(&["sweep", arg(&scenario), "--out", arg(&out), "--restart"]);
    assert!(!out.join("sweep-all_cost_yuan.png").exists());
    assert_eq!(top_level_files(&out), top_level_files(&whole));
}

#[test]
fn shards_merge_into_exactly_what_one_machine_writes() {
    let dir = tempfile::tempdir().unwrap();
    for (fixture_name, threads) in [("sweep-small.toml", ["1", "2", "1"]), ("sensitivity-small.toml", ["2", "1", "2"])]
    {
        let command = if fixture_name.starts_with("sweep") { "sweep" } else { "sensitivity" };
        let scenario = fixture(fixture_name);
        let single = dir.path().join(format!("{command}-single"));
        ok(&[command, arg(&scenario), "--out", arg(&single), "--threads", "2"]);
        let shards: Vec<PathBuf> = (1..=3).map(|k| dir.path().join(format!("{command}-shard-{k}"))).collect();
        for (k, shard) in shards.iter().enumerate() {
            let which = format!("{}/3", k + 1);
            ok(&[command, arg(&scenario), "--shard", &which, "--out", arg(shard), "--threads", threads[k]]);
            assert!(top_level_files(shard).is_empty(), "a shard writes only its points");
        }
        let merged = dir.path().join(format!("{command}-merged"));
        // Shards may come in any order.
        ok(&["merge", arg(&shards[2]), arg(&shards[0]), arg(&shards[1]), "--out", arg(&merged)]);
        let (expected, found) = (top_level_files(&single), top_level_files(&merged));
        assert!(expected.len() >= 5, "{command}: {:?}", expected.iter().map(|f| &f.0).collect::<Vec<_>>());
        assert_eq!(
            expected.iter().map(|f| &f.0).collect::<Vec<_>>(),
            found.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "{command}"
        );
        for ((name, a), (_, b)) in expected.iter().zip(&found) {
            assert!(a == b, "{command}: {name} differs between one machine and merged shards");
        }
    }
}

#[test]
fn merging_with_a_shard_missing_names_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixture("sweep-small.toml");
    let shard = |k: u32| dir.path().join(format!("shard-{k}"));
    for k in [1, 3] {
        ok(&["sweep", arg(&scenario), "--shard", &format!("{k}/3"), "--out", arg(&shard(k))]);
    }
    let merged = dir.path().join("merged");
    let error = fails(&["merge", arg(&shard(1)), arg(&shard(3)), "--out", arg(&merged)]);
    assert!(error.contains("2 of 6 points are missing") && error.contains("shard 2/3"), "{error}");
    assert!(!merged.exists());
    let other = dir.path().join("other");
    ok(&["sweep", arg(&scenario), "--shard", "2/3", "--seed", "5", "--out", arg(&other)]);
    let mixed = fails(&["merge", arg(&shard(1)), arg(&other), arg(&shard(3)), "--out", arg(&merged)]);
    assert!(mixed.contains("hold different studies"), "{mixed}");
    let tampered = shard(3).join("points/scenario.toml");
    let text = std::fs::read_to_string(&tampered).unwrap().replace("replicates = 3", "replicates = 4");
    std::fs::write(&tampered, text).unwrap();
    let edited = fails(&["merge", arg(&shard(3)), "--out", arg(&merged)]);
    assert!(edited.contains("does not match its manifest"), "{edited}");
    let bad_shard = linli(&["sweep", arg(&scenario), "--shard", "4/3", "--out", arg(&merged)]);
    assert_eq!(bad_shard.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_shard.stderr).contains("K/N"));
}

#[test]
fn sensitivity_finds_what_matters_and_what_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sensitivity");
    ok(&["sensitivity", arg(&fixture("sensitivity-small.toml")), "--out", arg(&out)]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    let indices = &summary["indices"];
    let row = |method: &str, parameter: &str| {
        indices[method]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["outcome"] == "all_mean_active_rate" && r["parameter"] == parameter)
            .cloned()
            .unwrap()
    };
    // The proposal fund is off: its budget changes nothing.
    let budget = "policy.proposal_fund.budget_yuan";
    assert_eq!(row("morris", budget)["mu_star"].as_f64(), Some(0.0));
    assert!(row("sobol", budget)["total"].as_f64().unwrap().abs() < 1e-12);
    // How much a reward weighs moves participation, clearly.
    let weight = "policy.time_bank.reward_weight";
    assert!(row("morris", weight)["mu_star_ci95"][0].as_f64().unwrap() > 0.0);
    assert!(row("sobol", weight)["total"].as_f64().unwrap() > 0.2);
    for file in ["morris.csv", "sobol.csv", "runs.csv", "points.csv", "sensitivity-all_mean_active_rate.png"] {
        assert!(out.join(file).exists(), "{file}");
    }
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let points = summary["points"].as_u64().unwrap() as usize;
    assert_eq!(points, 6 * (3 + 1) + 16 * (3 + 2), "Morris r(k+1) then Saltelli N(k+2)");
    assert_eq!(runs.lines().count(), 1 + points * 2);
    assert!(runs.lines().nth(1).unwrap().starts_with("0,0,morris,"));
    assert!(runs.lines().last().unwrap().starts_with(&format!("{},1,sobol,", points - 1)));
}

#[test]
fn the_method_flag_runs_one_method_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("morris");
    ok(&["sensitivity", arg(&fixture("sensitivity-small.toml")), "--method", "morris", "--out", arg(&out)]);
    assert!(out.join("morris.csv").exists());
    assert!(!out.join("sobol.csv").exists());
}

#[test]
fn a_scenario_without_a_sweep_is_refused_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("none");
    let error = fails(&["sweep", arg(&fixture("sensitivity-small.toml")), "--out", arg(&out)]);
    assert!(error.contains("no [sweep] section"), "{error}");
    assert!(!out.exists());
}

#[test]
fn a_sweep_under_a_posterior_runs_each_replicate_under_its_draw_and_shards_alike() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixture("sweep-small.toml");
    let draws = dir.path().join("posterior.csv");
    // Draws that matter: residents who hardly ever voice or take part, then ones who do.
    std::fs::write(&draws, "draw,cohorts.original.voice,behaviour.habit_weight\n0,-3.0,0.2\n1,1.0,2.5\n2,0.0,1.0\n")
        .unwrap();
    let plain = dir.path().join("plain");
    ok(&["sweep", arg(&scenario), "--out", arg(&plain)]);
    let single = dir.path().join("single");
    let screen = linli(&["sweep", arg(&scenario), "--posterior", arg(&draws), "--out", arg(&single)]);
    assert!(screen.status.success(), "{}", String::from_utf8_lossy(&screen.stderr));
    assert!(String::from_utf8_lossy(&screen.stdout).contains("Under the calibration's uncertainty"));
    let runs = |d: &Path| std::fs::read_to_string(d.join("sweep.csv")).unwrap();
    assert_ne!(runs(&plain), runs(&single), "the draws change the runs");
    // Replicate 1 of each point ran under draw 1: the same row as a plain sweep of a file that
    // sets draw 1's values.
    let text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace("[sweep]", "[cohorts.original]\nvoice = 1.0\n\n[behaviour]\nhabit_weight = 2.5\n\n[sweep]");
    let drawn_file = dir.path().join("drawn.toml");
    std::fs::write(&drawn_file, text).unwrap();
    let drawn = dir.path().join("drawn");
    ok(&["sweep", arg(&drawn_file), "--out", arg(&drawn)]);
    let replicate_one = |d: &Path| -> Vec<String> {
        runs(d).lines().filter(|l| l.split(',').nth(1) == Some("1")).map(String::from).collect()
    };
    assert_eq!(replicate_one(&single), replicate_one(&drawn), "replicate 1 under draw 1");
    assert_ne!(replicate_one(&plain), replicate_one(&drawn));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(single.join("sweep.json")).unwrap()).unwrap();
    let spread = &summary["posterior"]["points"][0];
    assert!(spread["q05"].as_f64().unwrap() <= spread["q95"].as_f64().unwrap(), "{spread}");
    assert_eq!(summary["posterior"]["draws"], 3);
    // Shards of the posterior sweep merge into what one machine writes; a shard of the plain
    // sweep does not merge with them.
    let shard = |k: u32| dir.path().join(format!("shard-{k}"));
    for k in 1..=2 {
        let which = format!("{k}/2");
        ok(&["sweep", arg(&scenario), "--posterior", arg(&draws), "--shard", &which, "--out", arg(&shard(k))]);
    }
    let merged = dir.path().join("merged");
    ok(&["merge", arg(&shard(2)), arg(&shard(1)), "--out", arg(&merged)]);
    assert_eq!(top_level_files(&single), top_level_files(&merged));
    let plain_shard = dir.path().join("plain-shard");
    ok(&["sweep", arg(&scenario), "--shard", "2/2", "--out", arg(&plain_shard)]);
    let mixed = fails(&["merge", arg(&shard(1)), arg(&plain_shard), "--out", arg(&dir.path().join("mixed"))]);
    assert!(mixed.contains("hold different studies"), "{mixed}");
}

#[test]
fn a_sweep_may_not_vary_a_key_the_posterior_draws_set() {
    let dir = tempfile::tempdir().unwrap();
    let draws = dir.path().join("posterior.csv");
    std::fs::write(&draws, "draw,policy.time_bank.points_per_checkin\n0,30\n").unwrap();
    let out = dir.path().join("out");
    let error = fails(&["sweep", arg(&fixture("sweep-small.toml")), "--posterior", arg(&draws), "--out", arg(&out)]);
    assert!(error.contains("policy.time_bank.points_per_checkin") && error.contains("overwrite"), "{error}");
    assert!(!out.exists(), "nothing written");
    std::fs::write(&draws, "draw,behaviour.habit_weight\n0,0.5\n1,x\n").unwrap();
    let error = fails(&["sweep", arg(&fixture("sweep-small.toml")), "--posterior", arg(&draws), "--out", arg(&out)]);
    assert!(error.contains(":3:3: behaviour.habit_weight") && error.contains("a finite number"), "{error}");
}
