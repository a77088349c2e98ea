//! Issue 9, first contact: the traps a new user met (init not the default, stale files, silent
//! long runs, community series repeated per cohort, leftovers of interrupted runs).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, linli};

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn run_ok(args: &[&str]) -> std::process::Output {
    let output = linli(args);
    assert!(output.status.success(), "linli {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The summary without what differs between any two runs (timing, where the scenario came from).
fn summary_without_provenance(dir: &Path) -> serde_json::Value {
    let mut summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    for key in ["runtime_seconds", "resident_days_per_second", "scenario_source"] {
        summary.as_object_mut().unwrap().remove(key);
    }
    summary
}

#[test]
fn init_prints_the_default_so_running_it_matches_plain_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let init = run_ok(&["init"]);
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, &init.stdout).unwrap();
    let (plain, from_init) = (dir.path().join("plain"), dir.path().join("init"));
    run_ok(&["run", "--replicates", "1", "--out", plain.to_str().unwrap()]);
    run_ok(&["run", file.to_str().unwrap(), "--replicates", "1", "--out", from_init.to_str().unwrap()]);
    assert_eq!(files_in(&plain), files_in(&from_init));
    for name in files_in(&plain).iter().filter(|name| *name != "summary.json") {
        assert!(std::fs::read(plain.join(name)).unwrap() == std::fs::read(from_init.join(name)).unwrap(), "{name}");
    }
    assert_eq!(summary_without_provenance(&plain), summary_without_provenance(&from_init));
}

#[test]
fn init_blank_is_policy_free_and_named_so() {
    let blank = String::from_utf8(run_ok(&["init", "--blank"]).stdout).unwrap();
    let scenario = linli::experiment::parse(&blank, Path::new("blank.toml")).unwrap().scenario;
    assert_eq!(scenario.scenario.name, "blank");
    assert!(scenario.events.is_empty() && !scenario.policy.time_bank.enabled && !scenario.policy.proposal_fund.enabled);
    assert!(blank.starts_with("# linli scenario: a blank template"));
}

fn tiny_scenario(dir: &Path, name: &str, time_bank: bool) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let text = format!(
        "[scenario]\nversion = 1\nname = \"{name}\"\ndays = 40\nburn_in_days = 10\nreplicates = 2\n\
         [community]\ncompounds = 1\nbuildings = 4\nstairwells = 8\nhouseholds = 60\nresidents = 200\nmicro_grids = 1\n\
         [policy.time_bank]\nenabled = {time_bank}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_rerun_replaces_the_whole_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let with_points = tiny_scenario(dir.path(), "with", true);
    let without_points = tiny_scenario(dir.path(), "without", false);
    run_ok(&["run", with_points.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(out.join("points.png").exists());
    run_ok(&["run", without_points.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!out.join("points.png").exists(), "no file of the earlier run survives: {:?}", files_in(&out));
    let summary = summary_without_provenance(&out);
    assert_eq!(summary["scenario"]["scenario"]["name"], "without");
    assert_eq!(files_in(dir.path()), ["out", "with.toml", "without.toml"], "no staging left beside --out");
}

#[test]
fn a_folder_holding_other_files_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path(), "tiny", false);
    let out = dir.path().join("papers");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("draft.docx"), b"precious").unwrap();
    let result = linli(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("draft.docx") && stderr.contains("--out"), "{stderr}");
    assert_eq!(files_in(&out), ["draft.docx"]);
    assert_eq!(std::fs::read(out.join("draft.docx")).unwrap(), b"precious");
}

#[test]
fn a_long_run_without_a_terminal_prints_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path(), "tiny", true);
    let out = dir.path().join("out");
    let result = Command::new(BIN)
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--replicates", "40"])
        .env("LINLI_PROGRESS_SECONDS", "0.01")
        .output()
        .unwrap();
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("simulating: ") && l.contains(" of ")).collect();
    assert!(lines.len() >= 2, "{stderr}");
    assert!(lines[0].contains(" of 2000 replicate-days") && lines[0].contains("ETA estimating"), "{stderr}");
    assert!(lines.iter().all(|l| l.contains("elapsed")), "{stderr}");
    assert!(stderr.contains("simulating: done, 2000 replicate-days"), "{stderr}");
}

#[test]
fn community_series_have_a_file_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path(), "tiny", true);
    let out = dir.path().join("out");
    run_ok(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let timeseries = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(!timeseries.lines().next().unwrap().contains("alliance_size"), "no community series per cohort");
    let community = std::fs::read_to_string(out.join("community.csv")).unwrap();
    let header = "replicate,day,date,volunteer_places,deliberation_seats,event_places,alliance_size,problems_raised,\
                  problems_fixed,workshop_places";
    assert_eq!(community.lines().next().unwrap(), header);
    for series in ["volunteer_places", "deliberation_seats", "event_places", "problems_raised", "workshop_places"] {
        assert!(!timeseries.lines().next().unwrap().contains(series), "{series} is the community's");
    }
    assert_eq!(community.lines().count(), 1 + 2 * 40, "one row per replicate and day");
}

#[test]
fn an_interrupted_run_leaves_nothing_and_stale_staging_is_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path(), "tiny", true);
    let out = dir.path().join("out");
    let stale = dir.path().join(format!(".out.linli-staging-{}", u32::MAX - 3));
    std::fs::create_dir(&stale).unwrap();
    let mut child = Command::new(BIN)
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--replicates", "100000"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let own = dir.path().join(format!(".out.linli-staging-{}", child.id()));
    let started = Instant::now();
    while !own.exists() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(own.exists(), "the run stages beside --out");
    assert!(!stale.exists(), "a dead run's staging is removed on start");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(files_in(dir.path()), ["tiny.toml"], "nothing half-written is left");
}

#[test]
fn a_comparison_of_one_replicate_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = tiny_scenario(dir.path(), "one", true);
    let text = std::fs::read_to_string(&path).unwrap().replace("replicates = 2", "replicates = 1")
        + "[[arm]]\nname = \"base\"\n[[arm]]\nname = \"no time bank\"\n\"policy.time_bank.enabled\" = false\n";
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let result = linli(&["compare", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("at least 2 replicates"), "{stderr}");
    assert!(!out.exists());
}
