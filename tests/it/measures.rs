//! Measures of the scenario's own (`[[output.measure]]`): a run reports them in summary.json
//! beside the built-in ones, marked as the user's. Bad ones are in `tests/scenarios/bad/`.

use serde_json::Value;

use super::common::linli;

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/agents/small.toml");

/// Two measures of one's own: young adults' reach of the small scenario's weekly event, and
/// complaints per resident in every group.
const MEASURES: &str = r#"
[[output.measure]]
name = "young_story_goers"
act = "attended"
activity = "Story day"
group = "young_adult"
aggregate = "ever_share"

[[output.measure]]
name = "complaints_per_resident"
act = "complained"
aggregate = "mean_per_resident"
"#;

#[test]
fn a_run_reports_the_scenarios_own_measures_in_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("measured.toml");
    std::fs::write(&scenario, std::fs::read_to_string(SMALL).unwrap() + MEASURES).unwrap();
    let out = dir.path().join("out");
    let args = ["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--replicates", "2"];
    let result = linli(&args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let estimates = summary["measures"]["estimates"].as_array().expect("measures.estimates is a list");
    let of = |measure: &str| -> Vec<&Value> { estimates.iter().filter(|e| e["measure"] == measure).collect() };

    let young = of("young_story_goers");
    assert_eq!(young.len(), 1, "one group asked for: {young:?}");
    assert_eq!((&young[0]["group"], &young[0]["user"]), (&Value::from("young_adult"), &Value::Bool(true)));
    let share = young[0]["mean"].as_f64().expect("a mean");
    assert!((0.0..=1.0).contains(&share), "a share: {share}");

    let complaints = of("complaints_per_resident");
    let groups: Vec<&str> = complaints.iter().map(|e| e["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["all", "original", "new_family", "transient", "child", "young_adult", "adult", "senior"]);
    assert!(complaints.iter().all(|e| e["user"] == true), "{complaints:?}");
    assert!(complaints[0]["mean"].as_f64().unwrap() >= 0.0);

    let built_in = of("ever_took_part");
    assert!(!built_in.is_empty() && built_in.iter().all(|e| e.get("user").is_none()), "{built_in:?}");
    let defined: Vec<&str> =
        summary["measures"]["definitions"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert!(defined.ends_with(&["young_story_goers", "complaints_per_resident"]), "{defined:?}");
}
