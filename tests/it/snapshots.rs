//! Snapshot tests: every shipped scenario and example, shortened, writes the committed files byte for byte.
//!
//! Each file in `scenarios/` is a case: a file with `[[arm]]`s is run with `linli compare`, one
//! with `[sweep]` with `linli sweep`, one with `[sensitivity]` with `linli sensitivity` (Morris
//! and Sobol), any other with `linli run` (the base communities of the comparisons and studies
//! are shipped files of their own, so running them too would only repeat those files). The
//! README's comparison of two files (`wanke-chenghua-no-incentives.toml` against
//! `wanke-chenghua-both.toml`) is one more case. A new scenario without a snapshot fails, and so
//! does a snapshot without a case.
//!
//! Shortening (deterministic, the same for every case): the parsed scenario is scaled to
//! [`RESIDENTS`] residents with `Scenario::scaled_to` (enough for the 20 deliberation seats the
//! sensitivity analysis may reserve), run for [`DAYS`] days after [`BURN_IN_DAYS`] with
//! [`REPLICATES`] replicates; comparisons and studies cover the last [`WINDOW_DAYS`] days;
//! sensitivity analyses use 2 Morris trajectories, 2 Sobol samples and 100 bootstrap resamples.
//! Seeds, dates, arms and parameters are the file's own. The shortened scenario is written (as
//! TOML) to a temporary folder and the binary runs there on relative paths, so no absolute path
//! reaches the outputs.
//!
//! Expectations live in `tests/snapshots/<scenario>/<command>/`: every text output (CSV, JSON,
//! SVG, TOML, the `.linli-output` marker) as itself, so that a diff shows what changed; the PNGs
//! and `report.html` (which repeats the comparison's SVGs, tables and scenario) as SHA-256 sums
//! in that folder's `SHA256SUMS`.
//!
//! Normalised (the value replaced by `<normalised>`), because they record the run's time or
//! machine and nothing else: in `summary.json`, `runtime_seconds`, `resident_days_per_second`
//! and `threads`; in `comparison.json`, `runtime_seconds`; in `report.html`, the number in
//! "run time N s". Nothing else is touched.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test --test tests snapshots` rewrites the expectations;
//! `SNAPSHOT_THREADS=N` runs the binary with `--threads N` (the outputs must not change).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use linli::experiment::{Plan, parse};
use sha2::{Digest, Sha256};

use crate::common::BIN;

/// Where the expectations live.
const SNAPSHOTS: &str = "tests/snapshots";
/// Residents of every shortened community: enough that the scaled deliberation day (22 seats)
/// holds the 20 reserved seats the shipped arms and studies may ask for.
const RESIDENTS: u32 = 2000;
/// Recorded days: January to May of the shipped start year (monthly events, five month
/// starts for merchants and the fund, the May festival).
const DAYS: u32 = 150;
const BURN_IN_DAYS: u32 = 30;
const REPLICATES: u32 = 2;
/// The window of comparisons, sweeps and sensitivity analyses.
const WINDOW_DAYS: u32 = 90;
/// The manifest of the binary outputs' SHA-256 sums.
const MANIFEST: &str = "SHA256SUMS";
/// Replaces a normalised value.
const PLACEHOLDER: &str = "<normalised>";

/// One run of the binary: its snapshot folder, the command and the scenario files it reads.
struct Case {
    name: String,
    command: &'static str,
    files: Vec<PathBuf>,
    extra: Vec<String>,
}

#[test]
fn every_shipped_example_matches_its_snapshot() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let outputs = expected_files(&run_case(case));
        if update() {
            write_snapshot(&case.name, &outputs);
        } else {
            failures.extend(compare_snapshot(&case.name, &outputs));
        }
    }
    failures.extend(stale_snapshots(&cases));
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, update the snapshots with \
         `UPDATE_SNAPSHOTS=1 cargo test --test tests snapshots` and commit them.",
        failures.join("\n\n")
    );
}

fn update() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Every case, in a fixed order: per shipped file its comparison or study if it has one (whose
/// runs include its base community), its run otherwise.
fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for path in shipped_scenarios() {
        let plan = read(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let case = |command, extra: &[&str]| Case {
            name: format!("{stem}/{command}"),
            command,
            files: vec![path.clone()],
            extra: extra.iter().map(|a| a.to_string()).collect(),
        };
        let before = cases.len();
        if !plan.arms.is_empty() {
            cases.push(case("compare", &["--window-days", &WINDOW_DAYS.to_string()]));
        }
        if plan.sweep.is_some() {
            cases.push(case("sweep", &[]));
        }
        if plan.sensitivity.is_some() {
            cases.push(case("sensitivity", &["--method", "morris,sobol"]));
        }
        if cases.len() == before {
            cases.push(case("run", &[]));
        }
    }
    cases.push(readme_comparison());
    cases
}

/// The README's comparison of two scenario files.
fn readme_comparison() -> Case {
    let files = ["wanke-chenghua-no-incentives.toml", "wanke-chenghua-both.toml"];
    Case {
        name: "readme-no-incentives-vs-both/compare".into(),
        command: "compare",
        files: files.iter().map(|f| Path::new("scenarios").join(f)).collect(),
        extra: vec!["--window-days".into(), WINDOW_DAYS.to_string()],
    }
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("scenarios").unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    files
}

fn read(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).unwrap();
    parse(&text, path).unwrap_or_else(|e| panic!("{e}"))
}

/// The scenario as the snapshot runs it (see the module documentation).
fn shortened(plan: &Plan) -> Plan {
    let mut short = plan.clone();
    short.scenario = plan.scenario.scaled_to(RESIDENTS);
    short.scenario.scenario.days = DAYS;
    short.scenario.scenario.burn_in_days = BURN_IN_DAYS;
    short.scenario.scenario.replicates = REPLICATES;
    if let Some(sweep) = &mut short.sweep {
        sweep.window_days = WINDOW_DAYS;
    }
    if let Some(sensitivity) = &mut short.sensitivity {
        sensitivity.trajectories = 2;
        sensitivity.samples = 2;
        sensitivity.bootstrap = 100;
        sensitivity.window_days = WINDOW_DAYS;
    }
    short
}

/// Runs a case's command on shortened copies of its files; returns every output file by its
/// path relative to the output folder.
fn run_case(case: &Case) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![case.command.into()];
    for path in &case.files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = toml::to_string(&shortened(&read(path))).unwrap();
        std::fs::write(dir.path().join(&name), text).unwrap();
        args.push(name);
    }
    args.extend(["--out", "out"].map(String::from));
    args.extend(case.extra.iter().cloned());
    if let Ok(threads) = std::env::var("SNAPSHOT_THREADS") {
        args.extend(["--threads".into(), threads]);
    }
    let output = std::process::Command::new(BIN).args(&args).current_dir(dir.path()).output().unwrap();
    assert!(output.status.success(), "{}: {}", case.name, String::from_utf8_lossy(&output.stderr));
    files_under(&dir.path().join("out"))
}

/// Every file under `root`, by relative path with `/` separators.
fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().components();
                let name: Vec<_> = relative.map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                files.insert(name.join("/"), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The files a snapshot folder holds for these outputs: text normalised, PNGs as their sums.
fn expected_files(outputs: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let mut expected = BTreeMap::new();
    let mut sums = String::new();
    for (name, bytes) in outputs {
        if name.ends_with(".png") {
            sums.push_str(&format!("{:x}  {name}\n", Sha256::digest(bytes)));
            continue;
        }
        let text = String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
        let text = normalise(name, &text);
        if name == "report.html" {
            sums.push_str(&format!("{:x}  {name}\n", Sha256::digest(text.as_bytes())));
        } else {
            expected.insert(name.clone(), text.into_bytes());
        }
    }
    if !sums.is_empty() {
        expected.insert(MANIFEST.into(), sums.into_bytes());
    }
    expected
}

/// Replaces the values that record time or machine (see the module documentation).
fn normalise(name: &str, text: &str) -> String {
    let keys: &[&str] = match name {
        "summary.json" => &["runtime_seconds", "resident_days_per_second", "threads"],
        "comparison.json" => &["runtime_seconds"],
        "report.html" => return normalise_run_time(text),
        _ => return text.to_string(),
    };
    text.split_inclusive('\n').map(|line| normalise_json_line(line, keys)).collect()
}

/// A top-level `"key": value,` line of pretty-printed JSON with its value replaced.
fn normalise_json_line(line: &str, keys: &[&str]) -> String {
    for key in keys {
        let prefix = format!("  \"{key}\": ");
        if line.starts_with(&prefix) {
            let comma = if line.trim_end().ends_with(',') { "," } else { "" };
            return format!("{prefix}\"{PLACEHOLDER}\"{comma}\n");
        }
    }
    line.to_string()
}

/// The report's "run time N s" with N replaced.
fn normalise_run_time(text: &str) -> String {
    const MARK: &str = "run time ";
    let start = text.find(MARK).expect("the report states its run time") + MARK.len();
    let end = start + text[start..].find(" s").expect("run time in seconds");
    format!("{}{PLACEHOLDER}{}", &text[..start], &text[end..])
}

fn case_dir(case: &str) -> PathBuf {
    Path::new(SNAPSHOTS).join(case)
}

fn write_snapshot(case: &str, files: &BTreeMap<String, Vec<u8>>) {
    let dir = case_dir(case);
    let _ = std::fs::remove_dir_all(&dir);
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// What differs between a case's outputs and its snapshot, one message per file.
fn compare_snapshot(case: &str, actual: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let dir = case_dir(case);
    if !dir.is_dir() {
        return vec![format!("{case}: no snapshot in {}", dir.display())];
    }
    let expected = files_under(&dir);
    let mut failures = Vec::new();
    for name in expected.keys().filter(|n| !actual.contains_key(*n)) {
        failures.push(format!("{case}/{name}: in the snapshot but not written any more"));
    }
    for (name, bytes) in actual {
        match expected.get(name) {
            None => failures.push(format!("{case}/{name}: written but not in the snapshot")),
            Some(want) if want != bytes => failures.push(format!("{case}/{name}: {}", first_difference(want, bytes))),
            Some(_) => {}
        }
    }
    failures
}

/// The first line that differs, with both versions.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let (expected, actual) = (String::from_utf8_lossy(expected), String::from_utf8_lossy(actual));
    let mut want = expected.lines();
    let mut got = actual.lines();
    for number in 1.. {
        match (want.next(), got.next()) {
            (Some(w), Some(g)) if w == g => continue,
            (None, None) => return "the same lines, but line endings or the final newline differ".into(),
            (w, g) => {
                return format!(
                    "differs at line {number}\n  expected: {}\n  actual:   {}",
                    w.unwrap_or("<end of file>"),
                    g.unwrap_or("<end of file>")
                );
            }
        }
    }
    unreachable!()
}

/// Snapshot folders that no case writes any more (removed when updating).
fn stale_snapshots(cases: &[Case]) -> Vec<String> {
    let known: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let mut stale = Vec::new();
    let Ok(scenarios) = std::fs::read_dir(SNAPSHOTS) else { return stale };
    for scenario in scenarios {
        let scenario = scenario.unwrap().path();
        for command in std::fs::read_dir(&scenario).unwrap() {
            let name = command.unwrap().path().strip_prefix(SNAPSHOTS).unwrap().to_string_lossy().replace('\\', "/");
            if known.contains(&name.as_str()) {
                continue;
            }
            if update() {
                std::fs::remove_dir_all(Path::new(SNAPSHOTS).join(&name)).unwrap();
            } else {
                stale.push(format!("{name}: a snapshot without a case (remove it)"));
            }
        }
        if update() {
            let _ = std::fs::remove_dir(&scenario); // only if it is now empty
        }
    }
    stale
}
