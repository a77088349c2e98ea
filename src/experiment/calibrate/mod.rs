//! Calibration (`[calibration]`, `linli calibrate`): parameters with priors, targets with
//! observed values and errors, fitted by history matching and then ABC-SMC inside what remains.

pub mod abc;
pub mod diagnostics;
pub mod run;
pub mod targets;

use chrono::Datelike;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Value;

use super::arms::{apply_overrides, base_value};
use super::measures::MeasureSet;
use super::study::{self, Parameter, Values};
use crate::scenario::validate::Problem;
use crate::scenario::{ErrorKind, Scenario};
use targets::Quantity;

/// A calibration, run with `linli calibrate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSpec {
    /// History-matching waves before ABC-SMC (0 runs ABC-SMC on the whole prior).
    #[serde(default = "defaults::waves")]
    pub waves: u32,
    /// Design points per wave (the first a Latin hypercube, later ones inside what is left).
    #[serde(default = "defaults::points")]
    pub points: u32,
    /// Replicates per design point, on common random numbers; their mean and variance enter
    /// the implausibility.
    #[serde(default = "defaults::replicates")]
    pub replicates: u32,
    /// Implausibility cutoff: a point is ruled out when a target's implausibility exceeds it.
    /// Default 3 (Pukelsheim's three-sigma rule, as in Vernon et al. 2010).
    #[serde(default = "defaults::cutoff")]
    pub cutoff: f64,
    /// ABC-SMC particles.
    #[serde(default = "defaults::particles")]
    pub particles: u32,
    /// Share of the effective sample size each new tolerance keeps (Del Moral et al. 2012's α).
    #[serde(default = "defaults::ess_kept")]
    pub ess_kept: f64,
    /// Metropolis-Hastings moves of every particle at the final tolerance, at least: more
    /// follow until nine particles in ten have moved (at most eight times this).
    #[serde(default = "defaults::final_moves")]
    pub final_moves: u32,
    /// ABC-SMC generations before giving up on reaching the targets' own error.
    #[serde(default = "defaults::max_generations")]
    pub max_generations: u32,
    /// Days at the end of the run that `<group>_<metric>` targets cover [default: every
    /// recorded day].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_days: Option<u32>,
    /// Parameters by dotted scenario path, each a prior: `{ min, max }` (uniform) or
    /// `{ min, max, mean, sd }` (normal, truncated to the range).
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub parameters: toml::Table,
    /// The figures to fit, and figures only checked against the fit (`fit = false`).
    #[serde(rename = "target")]
    pub targets: Vec<TargetSpec>,
}

/// A figure the model should reproduce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// What is measured: `<group>_<metric>`, `<counter>_<year>/<group>` or `<measure>/<group>`.
    pub measure: String,
    /// A second measure subtracted from the first (an ordering: `at_least = 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minus: Option<String>,
    /// The observed value (or give `at_least`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<f64>,
    /// A one-sided target: met by any value at or above this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Standard deviation of the observation's error (how far the figure could be from the
    /// truth it reports).
    #[serde(default)]
    pub observation_sd: f64,
    /// Standard deviation of the model discrepancy: what no parameter set can fix.
    #[serde(default)]
    pub discrepancy_sd: f64,
    /// Where the figure comes from.
    #[serde(default)]
    pub source: String,
    /// Whether the target is fitted (false: only compared with the fit's predictions).
    #[serde(default = "defaults::yes")]
    pub fit: bool,
}

mod defaults {
    pub fn waves() -> u32 {
        2
    }
    pub fn points() -> u32 {
        60
    }
    pub fn replicates() -> u32 {
        3
    }
    pub fn cutoff() -> f64 {
        3.0
    }
    pub fn particles() -> u32 {
        200
    }
    pub fn ess_kept() -> f64 {
        0.5
    }
    pub fn final_moves() -> u32 {
        3
    }
    pub fn max_generations() -> u32 {
        30
    }
    pub fn yes() -> bool {
        true
    }
}

/// A parameter to fit: its path, range and prior on that range.
#[derive(Clone, Debug, PartialEq)]
pub struct PriorParameter {
    pub parameter: Parameter,
    /// A normal prior's mean and sd (truncated to the range); none: uniform.
    pub normal: Option<(f64, f64)>,
}

impl PriorParameter {
    pub fn range(&self) -> (f64, f64) {
        match self.parameter.values {
            Values::Range { min, max, .. } => (min, max),
            Values::List(_) => unreachable!("calibration parameters are ranges"),
        }
    }

    /// The value at `u` in [0, 1], in the parameter's units (unrounded).
    pub fn value(&self, u: f64) -> f64 {
        let (min, max) = self.range();
        min + u * (max - min)
    }

    /// The value at `u` as the scenario takes it (rounded for a whole-number key).
    pub fn taken(&self, u: f64) -> f64 {
        study::number(&self.parameter.at(u))
    }

    /// The prior density at `u`, up to a constant (0 outside [0, 1]).
    pub fn density(&self, u: f64) -> f64 {
        if !(0.0..=1.0).contains(&u) {
            return 0.0;
        }
        match self.normal {
            None => 1.0,
            Some((mean, sd)) => (-0.5 * ((self.value(u) - mean) / sd).powi(2)).exp(),
        }
    }

    /// The prior's standard deviation in the parameter's units (numerically, on a fine grid).
    pub fn prior_sd(&self) -> f64 {
        let grid: Vec<f64> = (0..2000).map(|i| (i as f64 + 0.5) / 2000.0).collect();
        let weights: Vec<f64> = grid.iter().map(|&u| self.density(u)).collect();
        let total: f64 = weights.iter().sum();
        let mean: f64 = grid.iter().zip(&weights).map(|(u, w)| self.value(*u) * w).sum::<f64>() / total;
        let var: f64 = grid.iter().zip(&weights).map(|(u, w)| w * (self.value(*u) - mean).powi(2)).sum::<f64>() / total;
        var.sqrt()
    }
}

/// A target, resolved: what it reads, and its spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub spec: TargetSpec,
    pub quantity: Quantity,
    pub minus: Option<Quantity>,
}

impl Target {
    /// The name shown in outputs: the measure, or `a - b`.
    pub fn name(&self) -> String {
        match &self.spec.minus {
            Some(minus) => format!("{} - {}", self.spec.measure, minus),
            None => self.spec.measure.clone(),
        }
    }

    /// The observed value, or the bound of a one-sided target.
    pub fn observed(&self) -> f64 {
        self.spec.observed.or(self.spec.at_least).unwrap_or(f64::NAN)
    }

    /// The standard deviation of what separates the figure from one replicate's value.
    pub fn sd(&self) -> f64 {
        self.spec.observation_sd.hypot(self.spec.discrepancy_sd)
    }

    pub fn scale(&self) -> abc::Scale {
        abc::Scale { observed: self.observed(), sd: self.sd(), at_least: self.spec.at_least.is_some() }
    }
}

/// A calibration resolved against its scenario.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub spec: CalibrationSpec,
    pub base: Scenario,
    pub parameters: Vec<PriorParameter>,
    /// Fitted targets first, then the checks, in file order within each.
    pub targets: Vec<Target>,
    pub window_days: usize,
    pub measures: MeasureSet,
}

impl Calibration {
    /// The calibration of `spec` on `base`; the first problem, keyed inside `[calibration]`.
    /// `known` are problems of `base` itself.
    pub fn resolve(base: &Scenario, spec: &CalibrationSpec, known: &[Problem]) -> Result<Calibration, Problem> {
        check_numbers(spec)?;
        let parameters = prior_parameters(base, &spec.parameters, known)?;
        let measures = MeasureSet::for_scenario(base)
            .map_err(|e| Problem::new(ErrorKind::InvalidValue, "calibration", "valid measures", e))?;
        let start = base.scenario.start_date.0;
        let last_date = start + chrono::Days::new(u64::from(base.scenario.days.max(1) - 1));
        let years = start.year()..=last_date.year();
        let mut targets = Vec::new();
        for (i, t) in spec.targets.iter().enumerate() {
            targets.push(resolve_target(i, t, &measures, years.clone())?);
        }
        if !targets.iter().any(|t| t.spec.fit) {
            let expected = "at least one [[calibration.target]] with fit = true";
            return Err(Problem::new(ErrorKind::MissingKey, "calibration.target", expected, "none"));
        }
        targets.sort_by_key(|t| !t.spec.fit);
        let window_days = spec.window_days.unwrap_or(base.scenario.days) as usize;
        Ok(Calibration { spec: spec.clone(), base: base.clone(), parameters, targets, window_days, measures })
    }

    /// How many targets are fitted (they come first).
    pub fn fitted(&self) -> usize {
        self.targets.iter().filter(|t| t.spec.fit).count()
    }

    /// The scenario at `u` on the unit cube of the parameters' ranges.
    pub fn scenario_at(&self, u: &[f64]) -> Result<Scenario, Problem> {
        let overrides: Vec<(String, Value)> =
            self.parameters.iter().zip(u).map(|(p, &x)| (p.parameter.path.clone(), p.parameter.at(x))).collect();
        apply_overrides(&base_value(&self.base), &overrides)
    }
}

fn check_numbers(spec: &CalibrationSpec) -> Result<(), Problem> {
    let at_least = |key: &str, value: u32, min: u32| {
        if value < min {
            Err(Problem::new(
                ErrorKind::InvalidValue,
                format!("calibration.{key}"),
                format!("at least {min}"),
                value.to_string(),
            ))
        } else {
            Ok(())
        }
    };
    at_least("points", spec.points, 4)?;
    at_least("replicates", spec.replicates, 2)?;
    at_least("particles", spec.particles, 20)?;
    at_least("max_generations", spec.max_generations, 1)?;
    let share = |key: &str, value: f64, low: f64, high: f64| {
        if value.is_finite() && value > low && value < high {
            Ok(())
        } else {
            let expected = format!("a number above {low} and below {high}");
            Err(Problem::new(ErrorKind::InvalidValue, format!("calibration.{key}"), expected, value.to_string()))
        }
    };
    share("cutoff", spec.cutoff, 0.0, f64::INFINITY)?;
    share("ess_kept", spec.ess_kept, 0.0, 1.0)
}

/// The parameters as ranges checked like a study's, each with its prior.
fn prior_parameters(base: &Scenario, table: &toml::Table, known: &[Problem]) -> Result<Vec<PriorParameter>, Problem> {
    let mut ranges = toml::Table::new();
    let mut normals = Vec::new();
    for (path, spec) in table {
        let key = format!("calibration.parameters.{path}");
        let mut spec = spec.clone();
        let normal = match spec.as_table_mut() {
            Some(t) => {
                let (mean, sd) = (t.remove("mean"), t.remove("sd"));
                normal_prior(&key, mean, sd)?
            }
            None => None,
        };
        ranges.insert(path.clone(), spec);
        normals.push((path.clone(), normal));
    }
    let parameters = study::parameters(base, "calibration", &ranges, false, known)?;
    for p in &parameters {
        let normal = normals.iter().find(|(path, _)| *path == p.path).and_then(|(_, n)| *n);
        if let (Some((mean, _)), Values::Range { min, max, .. }) = (normal, &p.values)
            && !(*min..=*max).contains(&mean)
        {
            let key = format!("calibration.parameters.{}.mean", p.path);
            return Err(Problem::new(
                ErrorKind::InvalidValue,
                key,
                format!("a mean from {min} to {max}"),
                mean.to_string(),
            ));
        }
    }
    Ok(parameters
        .into_iter()
        .map(|parameter| {
            let normal = normals.iter().find(|(p, _)| *p == parameter.path).and_then(|(_, n)| *n);
            PriorParameter { parameter, normal }
        })
        .collect())
}

fn normal_prior(key: &str, mean: Option<Value>, sd: Option<Value>) -> Result<Option<(f64, f64)>, Problem> {
    let number = |v: &Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    match (mean, sd) {
        (None, None) => Ok(None),
        (Some(mean), Some(sd)) => match (number(&mean), number(&sd)) {
            (Some(m), Some(s)) if m.is_finite() && s.is_finite() && s > 0.0 => Ok(Some((m, s))),
            _ => Err(Problem::new(
                ErrorKind::InvalidValue,
                key,
                "a normal prior's `mean` and a positive `sd`",
                format!("mean = {mean}, sd = {sd}"),
            )),
        },
        (Some(_), None) => {
            Err(Problem::new(ErrorKind::MissingKey, format!("{key}.sd"), "a positive number", "nothing"))
        }
        (None, Some(_)) => Err(Problem::new(ErrorKind::MissingKey, format!("{key}.mean"), "a number", "nothing")),
    }
}

fn resolve_target(
    index: usize,
    spec: &TargetSpec,
    measures: &MeasureSet,
    years: std::ops::RangeInclusive<i32>,
) -> Result<Target, Problem> {
    let key = |field: &str| format!("calibration.target[{index}].{field}");
    let quantity_of = |field: &str, name: &str| {
        targets::parse(name, measures, years.clone()).map_err(|why| {
            let mut p =
                Problem::new(ErrorKind::InvalidValue, key(field), format!("a measure: {}", targets::NAMES_HELP), name);
            p.help = Some(why);
            p
        })
    };
    let quantity = quantity_of("measure", &spec.measure)?;
    let minus = spec.minus.as_deref().map(|m| quantity_of("minus", m)).transpose()?;
    match (spec.observed, spec.at_least) {
        (Some(x), None) | (None, Some(x)) if x.is_finite() => {}
        (Some(_), Some(_)) => {
            return Err(Problem::new(
                ErrorKind::Inconsistent,
                key("at_least"),
                "either `observed` or `at_least`",
                "both",
            ));
        }
        (None, None) => {
            return Err(Problem::new(
                ErrorKind::MissingKey,
                key("observed"),
                "the observed value (or `at_least`)",
                "nothing",
            ));
        }
        (Some(x), _) | (_, Some(x)) => {
            return Err(Problem::new(ErrorKind::InvalidValue, key("observed"), "a finite number", x.to_string()));
        }
    }
    for (field, sd) in [("observation_sd", spec.observation_sd), ("discrepancy_sd", spec.discrepancy_sd)] {
        if !sd.is_finite() || sd < 0.0 {
            return Err(Problem::new(
                ErrorKind::InvalidValue,
                key(field),
                "a standard deviation of 0 or more",
                sd.to_string(),
            ));
        }
    }
    if spec.fit && spec.observation_sd.hypot(spec.discrepancy_sd) == 0.0 {
        let expected = "an observation error or a discrepancy above 0 (no figure is met exactly)";
        return Err(Problem::new(ErrorKind::InvalidValue, key("observation_sd"), expected, "0"));
    }
    Ok(Target { spec: spec.clone(), quantity, minus })
}

/// The problems of a file's `[calibration]`, if any: the first.
pub fn check(scenario: &Scenario, spec: Option<&CalibrationSpec>, known: &[Problem]) -> Vec<Problem> {
    spec.and_then(|spec| Calibration::resolve(scenario, spec, known).err()).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem_of(parameters: &str, target: &str) -> Problem {
        let text = format!(
            "[scenario]\nversion = 1\nstart_date = 2024-01-01\ndays = 366\n\n[calibration]\n\n[calibration.parameters]\n\
             {parameters}\n\n[[calibration.target]]\n{target}\n"
        );
        let table: toml::Table = toml::from_str(&text).unwrap();
        let spec: CalibrationSpec = table["calibration"].clone().try_into().unwrap();
        let base: Scenario = toml::from_str("[scenario]\nversion = 1\nstart_date = 2024-01-01\ndays = 366\n").unwrap();
        Calibration::resolve(&base, &spec, &[]).unwrap_err()
    }

    const RANGE: &str = "\"committee.resolve_share\" = { min = 0.1, max = 0.8 }";
    const TARGET: &str = "measure = \"suggestions_2024/all\"\nobserved = 58.0\nobservation_sd = 8.0";

    #[test]
    fn priors_and_targets_are_checked_with_their_keys() {
        let mean_outside =
            problem_of("\"committee.resolve_share\" = { min = 0.1, max = 0.8, mean = 2.0, sd = 0.1 }", TARGET);
        assert_eq!(mean_outside.key, "calibration.parameters.committee.resolve_share.mean");
        let sd_missing = problem_of("\"committee.resolve_share\" = { min = 0.1, max = 0.8, mean = 0.4 }", TARGET);
        assert_eq!(sd_missing.key, "calibration.parameters.committee.resolve_share.sd");
        let no_error = problem_of(RANGE, "measure = \"suggestions_2024/all\"\nobserved = 58.0");
        assert_eq!(no_error.key, "calibration.target[0].observation_sd");
        let both = problem_of(RANGE, &format!("{TARGET}\nat_least = 1.0"));
        assert_eq!(both.key, "calibration.target[0].at_least");
        let unknown = problem_of(RANGE, "measure = \"sugestions_2024/all\"\nobserved = 1.0\nobservation_sd = 1.0");
        assert_eq!(unknown.key, "calibration.target[0].measure");
        assert!(unknown.help.unwrap().contains("no counter `sugestions`"));
    }
}
