//! Calibration end to end: a fit and its outputs, the same at any thread count; targets that
//! cannot be met together named as such; bad sections refused with located errors.

use std::path::{Path, PathBuf};

use crate::common::linli;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/calibration-small.toml")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("linli-calibrate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs `linli calibrate` and insists it succeeds; returns stdout.
fn calibrate(file: &Path, out: &Path, threads: &str) -> String {
    let output = linli(&["calibrate", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", threads]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("calibration.json")).unwrap()).unwrap()
}

#[test]
fn a_calibration_fits_writes_its_posterior_and_is_the_same_at_any_thread_count() {
    let (one, two) = (scratch("one"), scratch("two"));
    let screen = calibrate(&fixture(), &one, "1");
    calibrate(&fixture(), &two, "2");
    let summary = json(&one);
    assert_eq!(summary["misspecified"], false, "{screen}");
    let draws = std::fs::read_to_string(one.join("posterior.csv")).unwrap();
    assert_eq!(draws.lines().next(), Some("draw,needs.personal_per_year,committee.resolve_share"));
    assert_eq!(draws.lines().count(), 61, "one equal-weight draw per particle");
    let marginals = summary["fit"]["marginals"].as_array().unwrap();
    assert_eq!(marginals.len(), 2);
    for m in marginals {
        assert!(m["q05"].as_f64() <= m["median"].as_f64() && m["median"].as_f64() <= m["q95"].as_f64(), "{m}");
    }
    let predictive = summary["fit"]["predictive"].as_array().unwrap();
    assert_eq!(predictive.len(), 3, "both targets and the check");
    assert_eq!(predictive[2]["fitted"], false);
    for name in linli::output::calibration::FILES {
        let (a, b) = (std::fs::read(one.join(name)).unwrap(), std::fs::read(two.join(name)).unwrap());
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
    for dir in [one, two] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn targets_no_parameter_set_can_meet_together_are_reported_as_misspecified() {
    // Complaints are part of suggestions, so 80 complaints and 10 suggestions cannot both hold,
    // though the range of needs lets each be met alone.
    let text = std::fs::read_to_string(fixture()).unwrap();
    let body = text.split("[calibration]").next().unwrap();
    let conflicting = format!(
        "{body}[calibration]\nwaves = 1\npoints = 24\nreplicates = 2\n\n[calibration.parameters]\n\
         \"needs.personal_per_year\" = {{ min = 0.001, max = 0.12 }}\n\n\
         [[calibration.target]]\nmeasure = \"suggestions_2024/all\"\nobserved = 10.0\nobservation_sd = 2.0\n\n\
         [[calibration.target]]\nmeasure = \"complaints_2024/all\"\nobserved = 80.0\nobservation_sd = 2.0\n"
    );
    let out = scratch("conflict");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("conflict.toml");
    std::fs::write(&file, conflicting).unwrap();
    let result = out.join("result");
    let screen = calibrate(&file, &result, "2");
    assert!(screen.contains("MISSPECIFIED"), "{screen}");
    assert!(screen.contains("Cannot be met together: suggestions_2024/all and complaints_2024/all"), "{screen}");
    let summary = json(&result);
    assert_eq!(summary["misspecified"], true);
    assert!(summary["fit"].is_null() && !result.join("posterior.csv").exists(), "no posterior without a region");
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn a_bad_target_is_refused_with_its_place_in_the_file() {
    let text = std::fs::read_to_string(fixture()).unwrap().replace("resolved_2024/all", "resolved_2031/all");
    let out = scratch("bad");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("bad.toml");
    std::fs::write(&file, text).unwrap();
    let result = linli(&["calibrate", file.to_str().unwrap(), "--out", out.join("result").to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("calibration.target[1].measure"), "{stderr}");
    assert!(stderr.contains("2031 is not simulated"), "{stderr}");
    assert!(!out.join("result").exists(), "nothing written");
    std::fs::remove_dir_all(out).unwrap();
}

/// The small community with three arms: the baseline, the same design again, and a strong change.
fn arms_file(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let body = text.split("[calibration]").next().unwrap();
    let arms = "[[arm]]\nname = \"as is\"\n\n[[arm]]\nname = \"as is again\"\n\n\
                [[arm]]\nname = \"outreach\"\n\"behaviour.volunteer_offset\" = -4.5\n";
    let file = dir.join("arms.toml");
    std::fs::write(&file, format!("{body}{arms}")).unwrap();
    file
}

/// Twenty draws spread over the fixture's prior ranges.
fn draws_file(dir: &Path) -> PathBuf {
    let mut text = String::from("draw,needs.personal_per_year,committee.resolve_share\n");
    for k in 0..20 {
        let u = (k as f64 + 0.5) / 20.0;
        text.push_str(&format!("{k},{},{}\n", 0.001 + 0.009 * u, 0.8 - 0.7 * u));
    }
    let file = dir.join("posterior.csv");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn compare_under_the_posterior_gives_a_half_for_identical_arms_and_near_one_for_a_strong_change() {
    let dir = scratch("posterior");
    std::fs::create_dir_all(&dir).unwrap();
    let (arms, draws, out) = (arms_file(&dir), draws_file(&dir), dir.join("comparison"));
    let args = ["compare", arms.to_str().unwrap(), "--posterior", draws.to_str().unwrap(), "--replicates", "20"];
    let result = linli(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let screen = String::from_utf8(result.stdout).unwrap();
    assert!(screen.contains("uncertainty about the parameters that the evidence leaves"), "{screen}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap()).unwrap();
    let effects = json["posterior"]["effects"].as_array().unwrap();
    let effect = |arm: &str| effects.iter().find(|e| e["arm"] == arm && e["group"] == "all").unwrap();
    let same = effect("as is again");
    assert_eq!(same["probability_better"], 0.5);
    assert!(same["change_q05"].as_f64().unwrap() <= 0.0 && same["change_q95"].as_f64().unwrap() >= 0.0);
    let strong = effect("outreach");
    assert!(strong["probability_better"].as_f64().unwrap() >= 0.95, "{strong}");
    assert!(strong["change_q05"].as_f64().unwrap() > 0.0);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("<table id=\"posterior\">") && report.contains("makes no difference"),
        "the report shows the posterior"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Runs `compare --posterior` on `arms` with `draws` into `dir`, insists it fails with status 2
/// and writes nothing; returns stderr.
fn refused_under_the_posterior(dir: &Path, arms: &Path, draws: &Path) -> String {
    let out = dir.join("comparison");
    let result = linli(&[
        "compare",
        arms.to_str().unwrap(),
        "--posterior",
        draws.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(!out.exists());
    String::from_utf8_lossy(&result.stderr).into_owned()
}

#[test]
fn a_bad_draw_is_refused_with_its_line_and_column() {
    let dir = scratch("bad-draws");
    std::fs::create_dir_all(&dir).unwrap();
    let arms = arms_file(&dir);
    let draws = dir.join("posterior.csv");
    std::fs::write(&draws, "draw,needs.personal_per_year,committee.resolve_share\n0,0.004,0.5\n1,0.004,lots\n")
        .unwrap();
    let stderr = refused_under_the_posterior(&dir, &arms, &draws);
    assert!(
        stderr.contains("posterior.csv:3:9: committee.resolve_share: expected a finite number, found lots"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_arm_that_sets_a_drawn_key_is_refused_under_the_posterior() {
    let dir = scratch("overwritten");
    std::fs::create_dir_all(&dir).unwrap();
    let arms = arms_file(&dir);
    let text = std::fs::read_to_string(&arms)
        .unwrap()
        .replace("\"behaviour.volunteer_offset\" = -4.5", "\"committee.resolve_share\" = 0.9");
    std::fs::write(&arms, text).unwrap();
    let stderr = refused_under_the_posterior(&dir, &arms, &draws_file(&dir));
    assert!(
        stderr.contains("arm «outreach» sets committee.resolve_share, which the posterior draws also set"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The files of a calibration's outputs that must match between runs.
fn outputs_equal(a: &Path, b: &Path) {
    for name in linli::output::calibration::FILES {
        let (x, y) = (std::fs::read(a.join(name)).unwrap(), std::fs::read(b.join(name)).unwrap());
        assert!(x == y, "{name} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn an_interrupted_calibration_resumes_from_its_saved_simulations_and_shards_share_the_work() {
    let root = scratch("resume");
    let (whole, resumed, sharded) = (root.join("whole"), root.join("resumed"), root.join("sharded"));
    calibrate(&fixture(), &whole, "2");
    let file = fixture();
    let args = |out: &Path, extra: &[&str]| {
        let mut a = vec!["calibrate".to_string(), file.to_str().unwrap().into(), "--out".into()];
        a.push(out.to_str().unwrap().into());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| linli(&a.iter().map(String::as_str).collect::<Vec<_>>());
    // An interruption after the history matching and the first batches of the sampler: only
    // the first five batches' simulations were saved, and no outputs.
    copy_dir(&whole.join("simulations"), &resumed.join("simulations"));
    let batches = std::fs::read_dir(resumed.join("simulations")).unwrap();
    for entry in batches.map(|e| e.unwrap().path()) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("batch-") && name.as_str() >= "batch-00005" {
            std::fs::remove_dir_all(entry).unwrap();
        }
    }
    let refused = run(args(&resumed, &[]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"), "the error says how to go on");
    assert!(run(args(&resumed, &["--resume"])).status.success());
    outputs_equal(&whole, &resumed);
    // The saved simulations are reused, not run again: a changed one changes the result.
    let part = resumed.join("simulations/batch-00000/part-000000-1of1.csv");
    let text = std::fs::read_to_string(&part).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let mut cells: Vec<&str> = first.split(',').collect();
    cells[2] = "1000";
    std::fs::write(&part, format!("{}\n{rest}", cells.join(","))).unwrap();
    assert!(run(args(&resumed, &["--resume"])).status.success());
    assert_ne!(std::fs::read(whole.join("waves.csv")).unwrap(), std::fs::read(resumed.join("waves.csv")).unwrap());
    // Two shards started together into one folder write what one process writes.
    let spawn = |k: &str| {
        let a = args(&sharded, &["--shard", k, "--threads", "1"]);
        std::process::Command::new(crate::common::BIN).args(&a).output().unwrap()
    };
    let second = std::thread::scope(|s| {
        let second = s.spawn(|| spawn("2/2"));
        let first = spawn("1/2");
        assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
        second.join().unwrap()
    });
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    assert!(String::from_utf8_lossy(&second.stdout).contains("shard 1 writes the outputs"));
    outputs_equal(&whole, &sharded);
    std::fs::remove_dir_all(root).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().map(|e| e.unwrap()) {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
