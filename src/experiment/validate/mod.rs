//! `linli validate`: the 15 pre-registered validation patterns of docs/VALIDATION.md, each a set of arms (overrides of a shipped scenario) run on common random numbers, the values it reads, and its criterion as code. No IO here.

pub mod criteria;
mod patterns;
pub mod values;

use chrono::NaiveDate;
use serde::Serialize;
use toml::Value;

pub use criteria::{Criterion, Interval};
pub use patterns::all;
use values::{ArmValues, arm_values};

use crate::experiment::arms::{Arm, apply_overrides, base_value};
use crate::experiment::compare::run_arm;
use crate::experiment::plan::Sections;
use crate::scenario::schema::{Aggregate, MeasureSpec};
use crate::scenario::{Scenario, default_scenario};
use crate::simulate::days_per_replicate;

/// `scenarios/jiahong-road.toml`, embedded as the default is (pattern 11).
pub const JIAHONG_ROAD_TOML: &str = include_str!("../../../scenarios/jiahong-road.toml");

/// Replicates per arm unless asked otherwise (docs/VALIDATION.md).
pub const DEFAULT_REPLICATES: u32 = 100;

/// The single-arm patterns run by `--quick`.
pub const QUICK_PATTERNS: [u32; 5] = [3, 4, 8, 14, 15];

/// The shipped scenario an arm modifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Base {
    /// `scenarios/wanke-chenghua.toml` (the embedded default).
    WankeChenghua,
    /// `scenarios/jiahong-road.toml`.
    JiahongRoad,
}

impl Base {
    pub fn file(self) -> &'static str {
        match self {
            Base::WankeChenghua => "scenarios/wanke-chenghua.toml",
            Base::JiahongRoad => "scenarios/jiahong-road.toml",
        }
    }

    fn scenario(self) -> Scenario {
        match self {
            Base::WankeChenghua => default_scenario(),
            Base::JiahongRoad => crate::scenario::parse(JIAHONG_ROAD_TOML, std::path::Path::new(self.file()))
                .expect("the embedded jiahong-road.toml is valid"),
        }
    }
}

/// One arm of a pattern: a shipped scenario with overrides at dotted keys.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmDef {
    pub name: &'static str,
    pub base: Base,
    pub overrides: Vec<(String, Value)>,
}

impl ArmDef {
    /// The shipped default unchanged.
    pub fn default_arm(name: &'static str) -> ArmDef {
        ArmDef { name, base: Base::WankeChenghua, overrides: Vec::new() }
    }

    /// The shipped default with `overrides`.
    pub fn of_default(name: &'static str, overrides: Vec<(&str, Value)>) -> ArmDef {
        let overrides = overrides.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        ArmDef { name, base: Base::WankeChenghua, overrides }
    }

    /// The overrides as `key = value`, joined (or "shipped values").
    pub fn describe(&self) -> String {
        let items: Vec<String> = self.overrides.iter().map(|(k, v)| format!("{k} = {}", inline(v))).collect();
        if items.is_empty() { "shipped values".into() } else { items.join(", ") }
    }

    /// What identifies the arm's run: arms of several patterns with the same key run once.
    fn key(&self) -> String {
        format!("{:?} {}", self.base, self.describe())
    }
}

/// A TOML value on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Array(items) if items.len() > 3 => format!("[… {} items]", items.len()),
        other => other.to_string(),
    }
}

/// One judged (or reported) part of a pattern: a value with its interval and its criterion.
#[derive(Clone, Debug, Serialize)]
pub struct Part {
    /// "a", "b", … as in VALIDATION.md, or empty for a value only reported.
    pub part: &'static str,
    pub measure: String,
    /// The arm (a level) or the contrast (a difference).
    pub contrast: String,
    #[serde(flatten)]
    pub interval: Interval,
    pub criterion: Criterion,
    /// PASS (true), FAIL (false), none when reported only.
    pub verdict: Option<bool>,
}

impl Part {
    pub fn new(part: &'static str, measure: &str, contrast: &str, interval: Interval, criterion: Criterion) -> Part {
        let verdict = criterion.holds(&interval);
        Part { part, measure: measure.into(), contrast: contrast.into(), interval, criterion, verdict }
    }
}

/// A daily series of a paired difference (pattern 5's plot; not in the JSON).
#[derive(Clone, Debug)]
pub struct Daily {
    pub label: String,
    pub dates: Vec<NaiveDate>,
    pub mean: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// A pattern: its number and title, its arms, and how its parts are judged from the arms'
/// values (given in the order of its arms).
pub struct Pattern {
    pub number: u32,
    pub title: &'static str,
    /// The criterion in short, as in VALIDATION.md's summary table.
    pub criterion: &'static str,
    pub arms: fn(&Scenario) -> Vec<ArmDef>,
    pub judge: fn(&[&ArmValues]) -> Vec<Part>,
    pub daily: Option<fn(&[&ArmValues]) -> Daily>,
}

/// A pattern's result.
#[derive(Clone, Debug, Serialize)]
pub struct PatternResult {
    pub number: u32,
    pub title: &'static str,
    pub criterion: &'static str,
    pub arms: Vec<ArmSummary>,
    pub parts: Vec<Part>,
    /// Every judged part holds.
    pub passed: bool,
    #[serde(skip)]
    pub daily: Option<Daily>,
}

impl PatternResult {
    pub fn verdict(&self) -> &'static str {
        if self.passed { "PASS" } else { "FAIL" }
    }
}

/// An arm as run: its name, scenario file and overrides.
#[derive(Clone, Debug, Serialize)]
pub struct ArmSummary {
    pub name: &'static str,
    pub scenario: &'static str,
    pub overrides: String,
}

/// Every pattern's result.
#[derive(Clone, Debug, Serialize)]
pub struct Validation {
    pub replicates: u32,
    /// Arms run (an arm shared by several patterns runs once).
    pub arms_run: usize,
    pub patterns: Vec<PatternResult>,
}

impl Validation {
    pub fn passed(&self) -> usize {
        self.patterns.iter().filter(|p| p.passed).count()
    }
}

/// The arms of the chosen patterns resolved into scenarios with `replicates` replicates: the
/// distinct arms to run, and for each pattern the positions of its arms among them.
pub struct Prepared<'p> {
    pub patterns: Vec<&'p Pattern>,
    pub arms: Vec<Arm>,
    pub defs: Vec<Vec<ArmDef>>,
    pub positions: Vec<Vec<usize>>,
    pub replicates: u32,
}

impl Prepared<'_> {
    /// Replicate-days to simulate, for progress.
    pub fn total_days(&self) -> u64 {
        self.arms.iter().map(|a| days_per_replicate(&a.scenario) * u64::from(self.replicates)).sum()
    }
}

/// Resolves the arms of `patterns`; an override naming no scenario key is an error.
pub fn prepare(patterns: Vec<&Pattern>, replicates: u32) -> Result<Prepared<'_>, String> {
    let default = default_scenario();
    let mut keys: Vec<String> = Vec::new();
    let mut arms = Vec::new();
    let (mut defs, mut positions) = (Vec::new(), Vec::new());
    for pattern in &patterns {
        let own = (pattern.arms)(&default);
        let mut at = Vec::new();
        for def in &own {
            let key = def.key();
            let position = match keys.iter().position(|k| *k == key) {
                Some(p) => p,
                None => {
                    arms.push(resolve(def, replicates).map_err(|e| format!("pattern {}: {e}", pattern.number))?);
                    keys.push(key);
                    arms.len() - 1
                }
            };
            at.push(position);
        }
        defs.push(own);
        positions.push(at);
    }
    Ok(Prepared { patterns, arms, defs, positions, replicates })
}

/// An arm's scenario: the base with the overrides applied and checked like any arm's.
fn resolve(def: &ArmDef, replicates: u32) -> Result<Arm, String> {
    let base = def.base.scenario();
    let mut scenario = apply_overrides(&base_value(&base), &def.overrides)
        .map_err(|p| format!("arm {}: {} (expected {}, found {})", def.name, p.key, p.expected, p.found))?;
    scenario.scenario.replicates = replicates;
    add_festival_measure(&mut scenario);
    let description = format!("{}: {}", def.base.file(), def.describe());
    Ok(Arm { name: def.name.to_string(), description, scenario, sections: Sections::default() })
}

/// The measure of pattern 13: festival attendances per resident, by group (each band's
/// residents are the festival's invited ones when it invites the band).
pub const FESTIVAL_ATTENDANCE: &str = "festival_attendance_per_resident";

/// The shipped default's festival (pattern 13).
pub const FESTIVAL: &str = "Music festival";

fn add_festival_measure(scenario: &mut Scenario) {
    if scenario.events.iter().any(|e| e.name == FESTIVAL) {
        scenario.output.measures.push(MeasureSpec {
            name: FESTIVAL_ATTENDANCE.into(),
            act: "attended".into(),
            activity: Some(FESTIVAL.into()),
            among: None,
            group: None,
            aggregate: Aggregate::MeanPerResident,
        });
    }
}

/// Runs every distinct arm (replicates in parallel on the current pool, replicate k of every
/// arm on the same seed), keeps what the patterns read, and judges every pattern.
pub fn run(prepared: &Prepared, on_day: &(dyn Fn() + Sync)) -> Validation {
    let replicates: Vec<u32> = (0..prepared.replicates).collect();
    let values: Vec<ArmValues> =
        prepared.arms.iter().map(|arm| arm_values(&run_arm(arm, &replicates, on_day))).collect();
    judge(prepared, &values)
}

/// Judges every pattern from the values of the distinct arms.
pub fn judge(prepared: &Prepared, values: &[ArmValues]) -> Validation {
    let patterns = prepared
        .patterns
        .iter()
        .zip(&prepared.defs)
        .zip(&prepared.positions)
        .map(|((pattern, defs), positions)| {
            let own: Vec<&ArmValues> = positions.iter().map(|&p| &values[p]).collect();
            let parts = (pattern.judge)(&own);
            let judged: Vec<bool> = parts.iter().filter_map(|p| p.verdict).collect();
            PatternResult {
                number: pattern.number,
                title: pattern.title,
                criterion: pattern.criterion,
                arms: defs
                    .iter()
                    .map(|d| ArmSummary { name: d.name, scenario: d.base.file(), overrides: d.describe() })
                    .collect(),
                passed: !judged.is_empty() && judged.iter().all(|&v| v),
                parts,
                daily: pattern.daily.map(|daily| daily(&own)),
            }
        })
        .collect();
    Validation { replicates: prepared.replicates, arms_run: prepared.arms.len(), patterns }
}

/// The patterns numbered in `only` (every pattern when empty); an unknown number is an error.
pub fn select(only: &[u32]) -> Result<Vec<&'static Pattern>, String> {
    let every = all();
    if let Some(n) = only.iter().find(|&&n| !every.iter().any(|p| p.number == n)) {
        return Err(format!("there is no pattern {n}: the patterns are numbered 1 to {}", every.len()));
    }
    Ok(every.iter().filter(|p| only.is_empty() || only.contains(&p.number)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_s_arms_resolve_and_shared_arms_run_once() {
        let prepared = prepare(all().iter().collect(), 2).expect("every override names a scenario key");
        assert_eq!(prepared.patterns.len(), 15);
        let numbers: Vec<u32> = prepared.patterns.iter().map(|p| p.number).collect();
        assert_eq!(numbers, (1..=15).collect::<Vec<_>>());
        assert!(prepared.arms.len() < prepared.defs.iter().map(Vec::len).sum::<usize>(), "the default runs once");
        assert!(prepared.arms.iter().all(|a| a.scenario.scenario.replicates == 2));
    }

    #[test]
    fn a_wrong_key_is_an_error() {
        let def = ArmDef::of_default("bad", vec![("policy.time_bank.points_per_checkins", Value::Integer(5))]);
        let err = resolve(&def, 2).unwrap_err();
        assert!(err.contains("points_per_checkins"), "{err}");
        assert!(select(&[16]).is_err());
        assert_eq!(select(&QUICK_PATTERNS).unwrap().len(), 5);
    }
}
