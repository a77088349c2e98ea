//! Studies declared in a scenario file: a `[sweep]` of parameters and a `[sensitivity]`
//! analysis, their parameters checked against the scenario's keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Value;

use super::arms::{apply_overrides_beside, base_value, value_at};
use super::compare::Outcome;
use super::explore::sensitivity::{SALTELLI_MAX_FACTORS, SALTELLI_MAX_SAMPLES};
use crate::scenario::load::closest_key;
use crate::scenario::validate::Problem;
use crate::scenario::{ErrorKind, Scenario};

/// A parameter sweep, run with `linli sweep`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// `factorial`: every combination of the listed values; `latin_hypercube`: `points` points
    /// spread over `{ min, max }` ranges, one per stratum of each parameter.
    #[serde(default)]
    pub design: SweepDesign,
    /// Points of a Latin hypercube design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// The outcome plotted against each parameter: a column of `sweep.csv`, `<group>_<metric>`
    /// (for example `transient_mean_active_rate`).
    #[serde(default = "default_outcome")]
    pub outcome: String,
    /// Days at the end of the run that the outcomes cover.
    #[serde(default = "default_window_days")]
    pub window_days: u32,
    /// Parameters by dotted scenario path: a list of values (factorial) or `{ min, max }`
    /// (Latin hypercube), e.g. `"policy.time_bank.points_per_checkin" = [5, 10, 20]`.
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub parameters: toml::Table,
}

/// How a sweep places its points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SweepDesign {
    #[default]
    Factorial,
    LatinHypercube,
}

/// A global sensitivity analysis, run with `linli sensitivity`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySpec {
    /// Methods to run: `morris` (elementary effects, a cheap screening) and `sobol` (first-order
    /// and total indices by Saltelli sampling).
    #[serde(default = "default_methods")]
    pub methods: Vec<Method>,
    /// Morris trajectories (model runs: trajectories x (parameters + 1)).
    #[serde(default = "default_trajectories")]
    pub trajectories: u32,
    /// Morris grid levels (an even number).
    #[serde(default = "default_levels")]
    pub levels: u32,
    /// Sobol base samples N (model runs: N x (parameters + 2)).
    #[serde(default = "default_samples")]
    pub samples: u32,
    /// Bootstrap resamples behind every interval.
    #[serde(default = "default_bootstrap")]
    pub bootstrap: u32,
    /// Outcomes analysed: columns of `runs.csv`, `<group>_<metric>`.
    #[serde(default = "default_outcomes")]
    pub outcomes: Vec<String>,
    /// Days at the end of the run that the outcomes cover.
    #[serde(default = "default_window_days")]
    pub window_days: u32,
    /// Parameter ranges by dotted scenario path, `{ min, max }`.
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub parameters: toml::Table,
}

/// A sensitivity method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Morris,
    Sobol,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

fn default_outcome() -> String {
    "transient_mean_active_rate".into()
}
fn default_outcomes() -> Vec<String> {
    vec!["transient_mean_active_rate".into(), "all_mean_active_rate".into()]
}
fn default_window_days() -> u32 {
    365
}
fn default_methods() -> Vec<Method> {
    vec![Method::Morris, Method::Sobol]
}
fn default_trajectories() -> u32 {
    10
}
fn default_levels() -> u32 {
    4
}
fn default_samples() -> u32 {
    32
}
fn default_bootstrap() -> u32 {
    1000
}

/// A swept parameter, checked: its dotted path and what it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub path: String,
    pub values: Values,
}

/// What a parameter takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Listed values (factorial).
    List(Vec<Value>),
    /// A range; `integer` when the scenario key is a whole number (points are rounded).
    Range { min: f64, max: f64, integer: bool },
}

/// A numeric value as a float (0 for anything else).
pub fn number(value: &Value) -> f64 {
    match value {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

impl Parameter {
    /// The value at `u` in [0, 1] of a range (rounded for whole-number keys).
    pub fn at(&self, u: f64) -> Value {
        match &self.values {
            Values::Range { min, max, integer: true } => Value::Integer((min + u * (max - min)).round() as i64),
            Values::Range { min, max, integer: false } => Value::Float(min + u * (max - min)),
            Values::List(list) => list[((u * list.len() as f64) as usize).min(list.len() - 1)].clone(),
        }
    }
}

/// The parameters of a study section (`section` is `sweep` or `sensitivity`), checked against
/// the scenario: each path must be a scenario key outside `[scenario]`, lists for a factorial,
/// numeric ranges otherwise, and every listed value and range end must make a valid scenario.
/// `known` are problems of `base` itself, not counted against a parameter.
pub fn parameters(
    base: &Scenario,
    section: &str,
    table: &toml::Table,
    lists: bool,
    known: &[Problem],
) -> Result<Vec<Parameter>, Problem> {
    if table.is_empty() {
        let expected = "at least one parameter, e.g. \"policy.time_bank.points_per_checkin\" = [5, 10, 20]";
        return Err(Problem::new(ErrorKind::MissingKey, format!("{section}.parameters"), expected, "none"));
    }
    let base_value = base_value(base);
    let mut out = Vec::new();
    for (path, spec) in table {
        let key = format!("{section}.parameters.{path}");
        let relocate = |mut p: Problem| {
            p.key = if p.key == *path { key.clone() } else { format!("{key} ({})", p.key) };
            p
        };
        if path == "scenario" || path.starts_with("scenario.") {
            let expected = "a key outside [scenario]: every point shares the seed, dates and replicates";
            return Err(Problem::new(ErrorKind::InvalidValue, &key, expected, path));
        }
        let current = value_at(&base_value, path).map_err(relocate)?;
        let values = parameter_values(&key, spec, current, lists)?;
        let parameter = Parameter { path: path.clone(), values };
        for value in probe_values(&parameter) {
            apply_overrides_beside(&base_value, &[(path.clone(), value)], known).map_err(relocate)?;
        }
        out.push(parameter);
    }
    Ok(out)
}

fn parameter_values(key: &str, spec: &Value, current: &Value, lists: bool) -> Result<Values, Problem> {
    match (spec, lists) {
        (Value::Array(list), true) if !list.is_empty() => Ok(Values::List(list.clone())),
        (Value::Array(_), true) => Err(Problem::new(ErrorKind::InvalidValue, key, "a non-empty list of values", "[]")),
        (_, true) => {
            Err(Problem::new(ErrorKind::WrongType, key, "a list of values for a factorial design", shown(spec)))
        }
        (Value::Table(range), false) => range_values(key, range, current),
        (_, false) => {
            let expected = "a range `{ min = ..., max = ... }` (lists belong to a factorial sweep)";
            Err(Problem::new(ErrorKind::WrongType, key, expected, shown(spec)))
        }
    }
}

fn range_values(key: &str, range: &toml::Table, current: &Value) -> Result<Values, Problem> {
    let integer = match current {
        Value::Integer(_) => true,
        Value::Float(_) => false,
        other => {
            let expected = "a numeric scenario key for a range";
            return Err(Problem::new(ErrorKind::WrongType, key, expected, format!("a key holding {}", shown(other))));
        }
    };
    if let Some(extra) = range.keys().find(|k| *k != "min" && *k != "max") {
        return Err(Problem::new(ErrorKind::UnknownKey, format!("{key}.{extra}"), "`min` or `max`", extra));
    }
    let end = |name: &str| -> Result<f64, Problem> {
        match range.get(name) {
            Some(Value::Integer(i)) => Ok(*i as f64),
            Some(Value::Float(f)) if f.is_finite() => Ok(*f),
            Some(other) => Err(Problem::new(ErrorKind::WrongType, format!("{key}.{name}"), "a number", shown(other))),
            None => Err(Problem::new(ErrorKind::MissingKey, format!("{key}.{name}"), "a number", "nothing")),
        }
    };
    let (min, max) = (end("min")?, end("max")?);
    if min >= max {
        return Err(Problem::new(ErrorKind::Inconsistent, key, "min below max", format!("min = {min}, max = {max}")));
    }
    Ok(Values::Range { min, max, integer })
}

/// The values whose validity stands for the whole parameter: every listed value, both range ends.
fn probe_values(parameter: &Parameter) -> Vec<Value> {
    match &parameter.values {
        Values::List(list) => list.clone(),
        Values::Range { .. } => vec![parameter.at(0.0), parameter.at(1.0)],
    }
}

fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 { format!("{}…", text.chars().take(60).collect::<String>()) } else { text }
}

/// The fixed lower bounds of the study sections' numbers; `check` and the JSON Schema read them.
pub const STUDY_MINIMUMS: [(&str, u32); 7] = [
    ("sweep.points", 2),
    ("sweep.window_days", 1),
    ("sensitivity.trajectories", 2),
    ("sensitivity.samples", 2),
    ("sensitivity.bootstrap", 100),
    ("sensitivity.levels", 2),
    ("sensitivity.window_days", 1),
];

fn minimum(key: &str) -> u32 {
    STUDY_MINIMUMS.iter().find(|(k, _)| *k == key).map(|(_, min)| *min).expect("a key of STUDY_MINIMUMS")
}

/// The problems of a file's `[sweep]` and `[sensitivity]` sections, if any: the first of each.
/// `known` are problems of `scenario` itself, not repeated for its parameters.
pub fn check(
    scenario: &Scenario,
    sweep: Option<&SweepSpec>,
    sensitivity: Option<&SensitivitySpec>,
    known: &[Problem],
) -> Vec<Problem> {
    let sweep = sweep.and_then(|sweep| check_sweep(scenario, sweep, known).err());
    let sensitivity = sensitivity.and_then(|spec| check_sensitivity(scenario, spec, known).err());
    sweep.into_iter().chain(sensitivity).collect()
}

fn check_sweep(scenario: &Scenario, sweep: &SweepSpec, known: &[Problem]) -> Result<(), Problem> {
    let lhs = sweep.design == SweepDesign::LatinHypercube;
    match (lhs, sweep.points) {
        (true, None) => {
            return Err(Problem::new(ErrorKind::MissingKey, "sweep.points", "a number of points", "nothing"));
        }
        (true, Some(n)) => at_least("sweep.points", n, minimum("sweep.points"))?,
        (false, Some(_)) => {
            let expected = "no `points` for a factorial design (its points are every combination)";
            return Err(Problem::new(ErrorKind::Inconsistent, "sweep.points", expected, "points"));
        }
        _ => {}
    }
    check_outcome("sweep.outcome", &sweep.outcome)?;
    at_least("sweep.window_days", sweep.window_days, minimum("sweep.window_days"))?;
    parameters(scenario, "sweep", &sweep.parameters, !lhs, known).map(|_| ())
}

fn check_sensitivity(scenario: &Scenario, spec: &SensitivitySpec, known: &[Problem]) -> Result<(), Problem> {
    if spec.methods.is_empty() {
        return Err(Problem::new(ErrorKind::InvalidValue, "sensitivity.methods", "`morris`, `sobol` or both", "[]"));
    }
    if spec.outcomes.is_empty() {
        return Err(Problem::new(ErrorKind::InvalidValue, "sensitivity.outcomes", "at least one outcome", "[]"));
    }
    for (i, outcome) in spec.outcomes.iter().enumerate() {
        check_outcome(&format!("sensitivity.outcomes[{i}]"), outcome)?;
    }
    for (key, value) in [
        ("sensitivity.trajectories", spec.trajectories),
        ("sensitivity.samples", spec.samples),
        ("sensitivity.bootstrap", spec.bootstrap),
    ] {
        at_least(key, value, minimum(key))?;
    }
    at_most("sensitivity.samples", spec.samples as usize, SALTELLI_MAX_SAMPLES)?;
    at_most("sensitivity.parameters", spec.parameters.len(), SALTELLI_MAX_FACTORS)?;
    at_least("sensitivity.window_days", spec.window_days, minimum("sensitivity.window_days"))?;
    if spec.levels < minimum("sensitivity.levels") || spec.levels % 2 == 1 {
        let expected = "an even number of levels, at least 2";
        return Err(Problem::new(ErrorKind::InvalidValue, "sensitivity.levels", expected, spec.levels.to_string()));
    }
    let found = parameters(scenario, "sensitivity", &spec.parameters, false, known)?;
    if found.len() < 2 {
        let expected = "at least two parameters to apportion the variance between";
        return Err(Problem::new(ErrorKind::InvalidValue, "sensitivity.parameters", expected, "one"));
    }
    Ok(())
}

fn check_outcome(key: &str, name: &str) -> Result<(), Problem> {
    if Outcome::parse(name).is_some() {
        return Ok(());
    }
    let names = Outcome::names();
    let mut err =
        Problem::new(ErrorKind::InvalidValue, key, "an outcome column such as `transient_mean_active_rate`", name);
    err.help = closest_key(name, &names).or_else(|| Some(format!("outcomes: {}", names.join(", "))));
    Err(err)
}

fn at_most(key: &str, value: usize, max: usize) -> Result<(), Problem> {
    if value > max {
        let expected = format!("at most {max} (the limit of the Sobol sequence behind Saltelli's sampling)");
        return Err(Problem::new(ErrorKind::InvalidValue, key, &expected, value.to_string()));
    }
    Ok(())
}

fn at_least(key: &str, value: u32, min: u32) -> Result<(), Problem> {
    if value < min {
        return Err(Problem::new(ErrorKind::InvalidValue, key, format!("at least {min}"), value.to_string()));
    }
    Ok(())
}
