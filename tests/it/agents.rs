//! Individual-level data: `linli run --agents` writes every resident's acts, byte-identical at
//! any thread count, reconciling exactly with `timeseries.csv`, and readable by pandas. Without
//! pandas and pyarrow the pandas test is skipped unless LINLI_REQUIRE_PANDAS is set (CI sets it
//! and installs them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::common::{linli, pandas_or_skip};

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/agents/small.toml");

fn run_agents(out: &Path, extra: &[&str]) {
    let mut args = vec!["run", SCENARIO, "--out", out.to_str().unwrap(), "--agents"];
    args.extend_from_slice(extra);
    let result = linli(&args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
}

#[test]
fn the_individual_data_is_the_same_at_any_thread_count_and_leaves_no_parts() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    run_agents(&one, &["--threads", "1"]);
    run_agents(&two, &["--threads", "2"]);
    for file in ["events.parquet", "residents.parquet", "timeseries_groups.csv", "summary.json"] {
        let bytes = |folder: &Path| std::fs::read(folder.join(file)).unwrap();
        assert!(bytes(&one).len() > 1000, "{file}");
        // summary.json records the threads and the run time; its measures must not differ.
        let strip = |b: Vec<u8>| -> Vec<u8> {
            if file != "summary.json" {
                return b;
            }
            let text = String::from_utf8(b).unwrap();
            let kept = text
                .lines()
                .filter(|l| !l.contains("\"threads\"") && !l.contains("seconds") && !l.contains("per_second"));
            kept.collect::<String>().into_bytes()
        };
        assert!(strip(bytes(&one)) == strip(bytes(&two)), "{file} differs between 1 and 2 threads");
    }
    let names: Vec<String> =
        std::fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains("-part-")), "no part file is left: {names:?}");
}

#[test]
fn residents_csv_has_a_row_per_resident_and_year_with_their_check_ins() {
    let dir = tempfile::tempdir().unwrap();
    run_agents(dir.path(), &["--agents-format", "csv"]);
    let events = std::fs::read_to_string(dir.path().join("events.csv")).unwrap();
    let residents = std::fs::read_to_string(dir.path().join("residents.csv")).unwrap();
    let header: Vec<&str> = residents.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (replicate, resident, volunteered, trust) =
        (column("replicate"), column("resident"), column("volunteered"), column("trust"));
    let mut table: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut left = 0;
    for line in residents.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len(), "{line}");
        *table.entry((fields[replicate].into(), fields[resident].into())).or_default() +=
            fields[volunteered].parse::<u64>().unwrap();
        left += usize::from(fields[trust].is_empty());
    }
    assert!(left > 0, "residents who moved out have no end-of-year state");
    let mut from_events: BTreeMap<(String, String), u64> = BTreeMap::new();
    for line in events.lines().skip(1).filter(|l| l.split(',').nth(5) == Some("volunteered")) {
        let fields: Vec<&str> = line.split(',').collect();
        *from_events.entry((fields[0].into(), fields[2].into())).or_default() += 1;
    }
    table.retain(|_, n| *n > 0);
    assert_eq!(table, from_events, "check-ins per resident in residents.csv and events.csv");
}

/// Per (replicate, day, cohort): the count of each kind, the sum of its values, and the
/// residents who attended.
type Tallies = BTreeMap<(u32, u32, String), (BTreeMap<String, (u64, u64)>, BTreeSet<u32>)>;

fn tally_events(csv: &str) -> Tallies {
    let mut tallies = Tallies::new();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let key = (f[0].parse().unwrap(), f[1].parse().unwrap(), f[3].to_string());
        let (kinds, attended) = tallies.entry(key).or_default();
        let entry = kinds.entry(f[5].to_string()).or_default();
        entry.0 += 1;
        entry.1 += f[6].parse::<i64>().unwrap().max(0) as u64;
        if f[5] == "attended" {
            attended.insert(f[2].parse().unwrap());
        }
    }
    tallies
}

#[test]
fn events_summed_per_day_cohort_and_kind_equal_timeseries_csv() {
    let dir = tempfile::tempdir().unwrap();
    run_agents(dir.path(), &["--agents-format", "csv"]);
    let events = std::fs::read_to_string(dir.path().join("events.csv")).unwrap();
    assert!(events.starts_with("replicate,day,resident,cohort,age_band,kind,value\n"));
    let tallies = tally_events(&events);
    let timeseries = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    let mut lines = timeseries.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|&h| h == name).unwrap();
    // Counters that are counts (or sums of values) of one kind of act.
    let counts = [
        ("complaints", "complained", false),
        ("silent_needs", "kept_silent", false),
        ("complaints_resolved", "complaint_resolved", false),
        ("complaints_stalled", "complaint_stalled", false),
        ("points_issued", "points_earned", true),
        ("points_redeemed", "points_redeemed", true),
        ("points_expired", "points_expired", true),
        ("redemptions_failed", "redemption_failed", false),
        ("proposals_submitted", "proposed", false),
        ("proposals_approved", "proposal_approved", false),
        ("proposals_implemented", "proposal_implemented", false),
        ("merchant_grievances", "grievance", false),
    ];
    let mut checked = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let key = (f[col("replicate")].parse().unwrap(), f[col("day")].parse().unwrap(), f[col("cohort")].to_string());
        let empty = Default::default();
        let (kinds, attended) = tallies.get(&key).unwrap_or(&empty);
        let residents: f64 = f[col("residents")].parse().unwrap();
        let rate = |name: &str| (f[col(name)].parse::<f64>().unwrap() * residents).round() as u64;
        let of = |kind: &str| kinds.get(kind).copied().unwrap_or_default();
        assert_eq!(rate("volunteer_rate"), of("volunteered").0, "volunteers on {key:?}");
        assert_eq!(rate("attendance_rate"), attended.len() as u64, "attendees on {key:?}");
        for (column, kind, summed) in counts {
            let counted: u64 = f[col(column)].parse().unwrap();
            let logged = if summed { of(kind).1 } else { of(kind).0 };
            assert_eq!(counted, logged, "{column} on {key:?}");
        }
        checked += 1;
    }
    assert_eq!(checked, 3 * 200 * 3, "every replicate, day and cohort");
    let kinds: BTreeSet<&String> = tallies.values().flat_map(|(k, _)| k.keys()).collect();
    assert!(kinds.len() >= 12, "the small scenario exercises most kinds of act: {kinds:?}");
}

#[test]
fn pandas_reads_the_event_log_and_reproduces_timeseries_and_a_measure() {
    if !pandas_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    run_agents(dir.path(), &[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/events.py");
    let result = std::process::Command::new("python3")
        .args([script, dir.path().to_str().unwrap()])
        .output()
        .expect("python3 runs (CI installs it with pandas and pyarrow)");
    assert!(
        result.status.success(),
        "pandas could not read or reconcile the event log:\n{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(String::from_utf8_lossy(&result.stdout).contains("top fifth of volunteers"));
}

#[test]
fn an_output_section_asks_for_the_event_log_as_the_flag_does() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SCENARIO).unwrap() + "\n[output]\nagents = true\nagents_format = \"csv\"\n";
    let scenario = dir.path().join("with-output.toml");
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    let result = linli(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--replicates", "1"]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(out.join("events.csv").exists() && !out.join("events.parquet").exists());
    let flagged = dir.path().join("flagged");
    let args = ["run", scenario.to_str().unwrap(), "--out", flagged.to_str().unwrap(), "--replicates", "1"];
    let result = linli(&[&args[..], &["--agents-format", "parquet"]].concat());
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(flagged.join("events.parquet").exists(), "the flag overrides the section's format");
}

#[test]
fn the_measures_are_the_same_with_and_without_individual_data() {
    let dir = tempfile::tempdir().unwrap();
    let (with, without) = (dir.path().join("with"), dir.path().join("without"));
    run_agents(&with, &[]);
    let result = linli(&["run", SCENARIO, "--out", without.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let measures = |folder: &Path| -> serde_json::Value {
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
        summary["measures"].clone()
    };
    assert!(measures(&with)["estimates"].as_array().is_some_and(|a| a.len() > 50));
    assert_eq!(measures(&with), measures(&without), "the table's extra columns change no measure");
    assert!(!without.join("residents.parquet").exists() && !without.join("events.parquet").exists());
}
