//! Arms: variants of a scenario that differ by overrides of keys at dotted paths, resolved
//! into complete, validated scenarios that share the base's seed, dates and replicates.

use toml::Value;

use super::plan::{ArmSpec, ComparisonSettings, Plan, Sections};
use crate::scenario::load::closest_key;
use crate::scenario::validate::{Problem, validate};
use crate::scenario::{ErrorKind, Scenario};

/// A resolved arm: a complete scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub name: String,
    pub description: String,
    pub scenario: Scenario,
    /// The experiment's sections recorded with the arm in outputs: its file's `[comparison]`
    /// (shared by every arm of a file) and, for a file run as an arm, its studies; never arms.
    pub sections: Sections,
}

/// A problem with arm `index`, at `key` (a dotted path inside the arm, or empty for the arm).
#[derive(Clone, Debug, PartialEq)]
pub struct ArmProblem {
    pub index: usize,
    pub problem: Problem,
}

/// The arms of `plan`, baseline first; no `[[arm]]`, no arms. The first problem, if any.
pub fn resolve(plan: &Plan) -> Result<Vec<Arm>, ArmProblem> {
    let (arms, problems) = resolve_all(&plan.scenario, &plan.arms, &plan.comparison, &[]);
    match problems.into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(arms),
    }
}

/// The arms `specs` of `base` that resolve, baseline first, sharing `comparison`, and every
/// problem (in arm order; at most one per arm for its overrides). `known` are problems of `base`
/// itself: an arm is not blamed for them.
pub fn resolve_all(
    base: &Scenario,
    specs: &[ArmSpec],
    comparison: &ComparisonSettings,
    known: &[Problem],
) -> (Vec<Arm>, Vec<ArmProblem>) {
    if specs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut problems = Vec::new();
    let baselines: Vec<usize> = (0..specs.len()).filter(|&i| specs[i].baseline).collect();
    if baselines.len() > 1 {
        let problem =
            Problem::new(ErrorKind::Inconsistent, "baseline", "at most one arm with `baseline = true`", "several");
        problems.push(ArmProblem { index: baselines[1], problem });
    }
    problems.extend(duplicate_names(specs));
    let first = baselines.first().copied().unwrap_or(0);
    let base_value = base_value(base);
    let mut arms = Vec::new();
    for index in std::iter::once(first).chain((0..specs.len()).filter(|&i| i != first)) {
        match resolve_one(&base_value, &specs[index], comparison, known) {
            Ok(arm) => arms.push(arm),
            Err(problem) => problems.push(ArmProblem { index, problem }),
        }
    }
    problems.sort_by_key(|p| p.index);
    (arms, problems)
}

/// Arms name the rows of a comparison, so two arms with one name could not be told apart.
fn duplicate_names(arms: &[ArmSpec]) -> Vec<ArmProblem> {
    let mut problems = Vec::new();
    for (index, arm) in arms.iter().enumerate() {
        if let Some(first) = arms[..index].iter().position(|earlier| earlier.name == arm.name) {
            let expected = format!("a unique name (arm[{first}] is already called this)");
            let problem = Problem::new(ErrorKind::InvalidValue, "name", expected, format!("{:?}", arm.name));
            problems.push(ArmProblem { index, problem });
        }
    }
    problems
}

/// Sections every arm shares with the base: an arm may not override them.
pub const SHARED_SECTIONS: [&str; 2] = ["scenario", "comparison"];

fn resolve_one(
    base: &Value,
    spec: &ArmSpec,
    comparison: &ComparisonSettings,
    known: &[Problem],
) -> Result<Arm, Problem> {
    let overrides = flatten(&spec.overrides);
    let shared = |path: &str| SHARED_SECTIONS.iter().any(|s| path == *s || path.starts_with(&format!("{s}.")));
    if let Some((path, _)) = overrides.iter().find(|(path, _)| shared(path)) {
        let expected = "an override outside [scenario] and [comparison]: arms share the base's seed, dates, replicates, \
                        question and smallest difference";
        return Err(Problem::new(ErrorKind::InvalidValue, path, expected, path));
    }
    let scenario = apply_overrides_beside(base, &overrides, known)?;
    let sections = Sections { comparison: comparison.clone(), ..Sections::default() };
    Ok(Arm { name: spec.name.clone(), description: spec.description.clone(), scenario, sections })
}

/// The scenario `base` (a serialised scenario) with `overrides` applied, typed and validated.
pub fn apply_overrides(base: &Value, overrides: &[(String, Value)]) -> Result<Scenario, Problem> {
    apply_overrides_beside(base, overrides, &[])
}

/// As [`apply_overrides`], where `known` are problems of the base itself, not counted against
/// the overrides (so `check` reports a bad base key once, not again for every arm and parameter).
pub fn apply_overrides_beside(
    base: &Value,
    overrides: &[(String, Value)],
    known: &[Problem],
) -> Result<Scenario, Problem> {
    let mut value = base.clone();
    for (path, new) in overrides {
        set_path(&mut value, path, new.clone())?;
    }
    let scenario: Scenario = value.try_into().map_err(|e: toml::de::Error| {
        let message = e.message().trim().to_string();
        let key = overrides.first().map_or("", |(path, _)| path.as_str());
        Problem::new(ErrorKind::WrongType, key, "values of the types the scenario keys take", &message)
    })?;
    if let Some(problem) = validate(&scenario).into_iter().find(|problem| !known.contains(problem)) {
        return Err(problem);
    }
    Ok(scenario)
}

/// Overrides as (dotted path, value), nested tables flattened (`a.b = 1` and `[a] b = 1` alike).
pub fn flatten(overrides: &std::collections::BTreeMap<String, Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (key, value) in overrides {
        flatten_into(key, value, &mut out);
    }
    out
}

fn flatten_into(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Table(table) if !table.is_empty() => {
            for (key, inner) in table {
                flatten_into(&format!("{prefix}.{key}"), inner, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

/// Replaces the value at `path`; every segment must exist already (it is a scenario key).
fn set_path(root: &mut Value, path: &str, new: Value) -> Result<(), Problem> {
    value_at(root, path)?;
    let mut node = root;
    for segment in path.split('.') {
        node = match node {
            Value::Array(items) => index(segment).and_then(|i| items.get_mut(i)),
            other => other.get_mut(segment),
        }
        .expect("value_at found every segment");
    }
    *node = new;
    Ok(())
}

/// The value at `path` of a serialised scenario; an unknown segment is a located problem.
pub fn value_at<'v>(root: &'v Value, path: &str) -> Result<&'v Value, Problem> {
    let mut node = root;
    let segments: Vec<&str> = path.split('.').collect();
    for (depth, segment) in segments.iter().enumerate() {
        if let Value::Array(items) = node {
            node = element(items, segment).map_err(|found| {
                let list = segments[..depth].join(".");
                let expected = match items.len() {
                    0 => format!("an index of `{list}`, which is empty"),
                    n => format!("an index of `{list}`, 0 to {}", n - 1),
                };
                Problem::new(ErrorKind::UnknownKey, path, expected, found)
            })?;
            continue;
        }
        let Value::Table(table) = node else {
            let parent = segments[..depth].join(".");
            return Err(Problem::new(ErrorKind::UnknownKey, path, format!("`{parent}` has no keys inside"), path));
        };
        let Some(inner) = table.get(*segment) else {
            let mut err = Problem::new(ErrorKind::UnknownKey, path, known_keys(table), *segment);
            err.help = closest_key(segment, &table.keys().cloned().collect::<Vec<_>>());
            return Err(err);
        };
        node = inner;
    }
    Ok(node)
}

/// The element of a list (the scenario's `[[event]]`s) that a path's segment names by index,
/// or the segment when it names none.
fn element<'v>(items: &'v [Value], segment: &str) -> Result<&'v Value, String> {
    index(segment).and_then(|i| items.get(i)).ok_or_else(|| segment.to_string())
}

/// The index a path's segment names, written plainly (`1`, not `01` or `+1`).
pub fn index(segment: &str) -> Option<usize> {
    segment.parse::<usize>().ok().filter(|i| i.to_string() == segment)
}

/// A scenario as overrides see it, serialised (the scenario alone: the experiment's sections
/// describe runs of it, so they are not keys an override can set).
pub fn base_value(scenario: &Scenario) -> Value {
    Value::try_from(scenario).expect("a scenario serialises")
}

fn known_keys(table: &toml::Table) -> String {
    let keys: Vec<&str> = table.keys().map(String::as_str).collect();
    format!("one of {}", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scenario and its arms as written, before `parse` would check the arms.
    fn unchecked(text: &str) -> Plan {
        let table: toml::Table = toml::from_str(text).unwrap();
        let (arms, scenario): (toml::Table, toml::Table) = table.into_iter().partition(|(key, _)| key == "arm");
        let specs = arms.get("arm").map_or(Vec::new(), |arms| arms.clone().try_into().unwrap());
        Plan { arms: specs, ..Plan::of(scenario.try_into().unwrap()) }
    }

    fn resolve_text(text: &str) -> Result<Vec<Arm>, ArmProblem> {
        resolve(&unchecked(text))
    }

    const ARMS: &str = r#"
[scenario]
version = 1

[[arm]]
name = "none"

[[arm]]
name = "time bank"
"policy.time_bank.enabled" = true
policy.time_bank.points_per_checkin = 100

[[arm]]
name = "fund"
baseline = false
[arm.policy.proposal_fund]
enabled = true
"#;

    #[test]
    fn arms_resolve_to_complete_scenarios() {
        let plan = unchecked(ARMS);
        let base = &plan.scenario;
        let arms = resolve(&plan).unwrap();
        assert_eq!(arms.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["none", "time bank", "fund"]);
        assert!(!arms[0].scenario.policy.time_bank.enabled);
        assert!(arms[1].scenario.policy.time_bank.enabled);
        assert_eq!(arms[1].scenario.policy.time_bank.points_per_checkin, 100);
        assert!(arms[2].scenario.policy.proposal_fund.enabled);
        assert!(arms.iter().all(|a| a.scenario.scenario.seed == base.scenario.seed));
    }

    #[test]
    fn an_arm_sets_a_key_of_an_event_by_its_index() {
        let arm = |key: &str| {
            let text = format!(
                "{}\n[[arm]]\nname = \"as is\"\n\n[[arm]]\nname = \"x\"\n{key} = 7\n",
                crate::scenario::DEFAULT_SCENARIO_TOML
            );
            resolve_text(&text)
        };
        let arms = arm("event.1.capacity").unwrap();
        assert_eq!((arms[0].scenario.events[1].capacity, arms[1].scenario.events[1].capacity), (40, 7));
        let err = arm("event.99.capacity").unwrap_err().problem;
        assert_eq!((err.key.as_str(), err.found.as_str()), ("event.99.capacity", "99"));
        let events = crate::scenario::default_scenario().events.len();
        assert_eq!(err.expected, format!("an index of `event`, 0 to {}", events - 1));
        assert_eq!(arm("event.01.capacity").unwrap_err().problem.found, "01", "an index is written plainly");
    }

    #[test]
    fn the_marked_baseline_comes_first() {
        let text = ARMS.replace("name = \"fund\"\nbaseline = false", "name = \"fund\"\nbaseline = true");
        let arms = resolve_text(&text).unwrap();
        assert_eq!(arms[0].name, "fund");
    }

    #[test]
    fn unknown_and_forbidden_overrides_are_reported() {
        let text = ARMS.replace("points_per_checkin = 100", "points_per_chekin = 100");
        let err = resolve_text(&text).unwrap_err();
        assert_eq!(err.index, 1);
        assert_eq!(err.problem.key, "policy.time_bank.points_per_chekin");
        assert_eq!(err.problem.help.as_deref(), Some("did you mean `points_per_checkin`?"));
        let seeded = ARMS.replace("name = \"none\"", "name = \"none\"\n\"scenario.seed\" = 3");
        assert_eq!(resolve_text(&seeded).unwrap_err().problem.kind, ErrorKind::InvalidValue);
    }

    #[test]
    fn two_arms_with_one_name_are_rejected() {
        let text = ARMS.replace("name = \"fund\"", "name = \"time bank\"");
        let err = resolve_text(&text).unwrap_err();
        assert_eq!((err.index, err.problem.key.as_str()), (2, "name"));
        assert_eq!(err.problem.found, "\"time bank\"");
        assert!(err.problem.expected.contains("arm[1]"), "{}", err.problem.expected);
    }

    #[test]
    fn out_of_range_overrides_are_validated() {
        let text = ARMS.replace("points_per_checkin = 100", "item_cost_points = 0");
        let err = resolve_text(&text).unwrap_err();
        assert_eq!(err.problem.key, "policy.time_bank.item_cost_points");
    }
}
