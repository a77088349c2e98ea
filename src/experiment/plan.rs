//! The whole scenario file as a plan of runs: the scenario, and the sections that say what to
//! run on it (`[comparison]`, `[[arm]]`, `[sweep]`, `[sensitivity]`), read and checked together.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::arms::{self, ArmProblem};
use super::calibrate::{self, CalibrationSpec};
use super::study::{self, SensitivitySpec, SweepSpec};
use crate::scenario::validate::{Problem, real_range_problem};
use crate::scenario::{self, Scenario, ScenarioError};

/// The top-level keys of a file that belong to the experiment, not to the scenario.
pub const SECTIONS: [&str; 5] = ["comparison", "arm", "sweep", "sensitivity", "calibration"];

/// The range of `[comparison] smallest_difference_pp`, checked by `parse` and stated by the JSON
/// Schema.
pub const SMALLEST_DIFFERENCE_PP_RANGE: (f64, f64) = (0.0, 100.0);

/// A scenario file read whole and checked: the scenario, how to compare its arms, its arms and
/// its studies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub scenario: Scenario,
    pub comparison: ComparisonSettings,
    pub arms: Vec<ArmSpec>,
    pub sweep: Option<SweepSpec>,
    pub sensitivity: Option<SensitivitySpec>,
    pub calibration: Option<CalibrationSpec>,
}

/// The experiment's sections of a file as written (the keys of [`SECTIONS`]); doc comments are
/// user documentation, as in the scenario's schema.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    /// How `linli compare` reads its arms: the question they answer and the smallest
    /// difference worth reporting.
    #[serde(default)]
    pub comparison: ComparisonSettings,
    /// Arms to compare with `linli compare`: each a name and overrides of scenario keys by
    /// dotted path. The first arm, or the one marked `baseline = true`, is the baseline.
    #[serde(default, rename = "arm", skip_serializing_if = "Vec::is_empty")]
    pub arms: Vec<ArmSpec>,
    /// A parameter sweep for `linli sweep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepSpec>,
    /// A global sensitivity analysis for `linli sensitivity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivitySpec>,
    /// A calibration for `linli calibrate`: parameters with priors and targets with observed
    /// values and errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationSpec>,
}

/// An arm as written: a name and overrides by dotted path (`"policy.time_bank.enabled" = true`,
/// or the same as nested tables).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArmSpec {
    /// Name shown in the comparison.
    pub name: String,
    /// Whether this arm is the baseline the others are compared with.
    #[serde(default)]
    pub baseline: bool,
    /// What the arm is, in words, for the report.
    #[serde(default)]
    pub description: String,
    /// Every other key: an override of the scenario key at that dotted path.
    #[serde(flatten)]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub overrides: std::collections::BTreeMap<String, toml::Value>,
}

/// What a comparison of arms is for, and what size of difference matters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ComparisonSettings {
    /// The policy question the arms answer, in plain words; the report and the screen of
    /// `linli compare` open with it and its answer.
    pub question: String,
    /// The smallest change in an active rate worth reporting, in percentage points (0-100;
    /// 0 turns it off). A significant change smaller than this is not a gain or a loss but
    /// "no meaningful difference" (or "unclear"). Default 1.0: an assumption (docs/MODEL.md).
    pub smallest_difference_pp: f64,
}

impl Default for ComparisonSettings {
    fn default() -> ComparisonSettings {
        // One percentage point: about 107 of Wanke Chenghua's 10,685 residents (assumption).
        ComparisonSettings { question: String::new(), smallest_difference_pp: 1.0 }
    }
}

/// Parses a whole scenario file and checks it; `file` names it in errors. Syntax and type
/// errors stop the reading at the first; otherwise every problem is reported, the scenario's,
/// the comparison's, the arms' and the studies' (the first, with the others in `also`).
pub fn parse(text: &str, file: &Path) -> Result<Plan, Box<ScenarioError>> {
    let mut reading = scenario::read_with_sections(text, file, &SECTIONS)?;
    let sections: Sections = reading.sections()?;
    let known = reading.problems.clone();
    // [comparison] comes before the events in the file's order of sections.
    let events = known.iter().position(|p| p.key.starts_with("event[")).unwrap_or(known.len());
    reading.problems.splice(events..events, comparison_problems(&sections.comparison));
    reading.problems.extend(arm_problems(&reading.scenario, &sections.arms, &known));
    let (sweep, sensitivity) = (sections.sweep.as_ref(), sections.sensitivity.as_ref());
    reading.problems.extend(study::check(&reading.scenario, sweep, sensitivity, &known));
    reading.problems.extend(calibrate::check(&reading.scenario, sections.calibration.as_ref(), &known));
    let scenario = reading.finish()?;
    Ok(Plan::from_sections(scenario, sections))
}

/// The problems of `[comparison]`.
fn comparison_problems(settings: &ComparisonSettings) -> Option<Problem> {
    let (min, max) = SMALLEST_DIFFERENCE_PP_RANGE;
    real_range_problem("comparison.smallest_difference_pp", settings.smallest_difference_pp, min, max)
}

/// The problems of the arms, keyed inside the file (`arm[1].policy...`); `known` are the base
/// scenario's own, which are not repeated for every arm.
fn arm_problems(base: &Scenario, specs: &[ArmSpec], known: &[Problem]) -> Vec<Problem> {
    let (_, problems) = arms::resolve_all(base, specs, &ComparisonSettings::default(), known);
    problems
        .into_iter()
        .map(|ArmProblem { index, mut problem }| {
            problem.key =
                if problem.key.is_empty() { format!("arm[{index}]") } else { format!("arm[{index}].{}", problem.key) };
            problem
        })
        .collect()
}

/// `scenario` with the experiment's `sections` as one JSON object: the file as outputs record
/// it (`summary.json`, `comparison.json`).
pub fn file_json(scenario: &Scenario, sections: &Sections) -> serde_json::Value {
    let mut file = serde_json::to_value(scenario).expect("a scenario serialises");
    let sections = serde_json::to_value(sections).expect("the sections serialise");
    if let (Some(file), serde_json::Value::Object(sections)) = (file.as_object_mut(), sections) {
        file.extend(sections);
    }
    file
}

/// The embedded default scenario as a plan (no arms, no studies).
pub fn default_plan() -> Plan {
    Plan::of(scenario::default_scenario())
}

impl Plan {
    /// `scenario` alone: the default comparison settings, no arms and no studies.
    pub fn of(scenario: Scenario) -> Plan {
        Plan { scenario, ..Plan::default() }
    }

    fn from_sections(scenario: Scenario, sections: Sections) -> Plan {
        let Sections { comparison, arms, sweep, sensitivity, calibration } = sections;
        Plan { scenario, comparison, arms, sweep, sensitivity, calibration }
    }

    /// The experiment's sections, as written to a file.
    pub fn sections(&self) -> Sections {
        Sections {
            comparison: self.comparison.clone(),
            arms: self.arms.clone(),
            sweep: self.sweep.clone(),
            sensitivity: self.sensitivity.clone(),
            calibration: self.calibration.clone(),
        }
    }

    /// The whole file as a TOML table, keys in the format's order: the scenario's sections, the
    /// experiment's, then the scenario's `[[event]]` list.
    pub fn to_table(&self) -> Result<toml::Table, toml::ser::Error> {
        let scenario = toml::Table::try_from(&self.scenario)?;
        let sections = toml::Table::try_from(self.sections())?;
        let mut table = toml::Table::new();
        let (events, others): (Vec<_>, Vec<_>) = scenario.into_iter().partition(|(key, _)| key == "event");
        table.extend(others);
        table.extend(sections);
        table.extend(events);
        Ok(table)
    }
}

/// A plan serialises as the whole file it was read from (parsing it back gives the same plan).
impl Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_table().map_err(serde::ser::Error::custom)?.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ErrorKind;

    fn error_of(text: &str) -> ScenarioError {
        *parse(text, Path::new("test.toml")).expect_err("should be rejected")
    }

    #[test]
    fn arm_errors_point_at_the_arm_key() {
        let text = "[scenario]\nversion = 1\n\n[[arm]]\nname = \"a\"\n\n[[arm]]\nname = \"b\"\npolicy.time_bank.points_per_chekin = 5\n";
        let err = error_of(text);
        assert_eq!(err.kind, ErrorKind::UnknownKey);
        assert_eq!(err.key, "arm[1].policy.time_bank.points_per_chekin");
        assert_eq!(err.location.line, 9);
        assert_eq!(err.help.as_deref(), Some("did you mean `points_per_checkin`?"));
    }

    #[test]
    fn a_file_serialises_back_to_itself() {
        let text = std::fs::read_to_string("scenarios/sweep-time-bank.toml").unwrap();
        let plan = parse(&text, Path::new("sweep.toml")).unwrap();
        let written = toml::to_string(&plan).unwrap();
        assert_eq!(parse(&written, Path::new("again.toml")).unwrap(), plan);
        let sections: Vec<&str> = written.lines().filter(|l| l.starts_with('[')).collect();
        let position = |s: &str| sections.iter().position(|l| *l == s).unwrap();
        assert!(position("[costs]") < position("[comparison]") && position("[sweep]") < position("[[event]]"));
    }

    #[test]
    fn an_unknown_top_level_key_is_told_every_section() {
        let err = error_of("[scenario]\nversion = 1\n[sweeep]\n");
        assert_eq!(err.kind, ErrorKind::UnknownKey);
        assert!(
            err.expected.ends_with("costs, comparison, arm, sweep, sensitivity, calibration, event, output"),
            "{}",
            err.expected
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `sweep`?"));
    }

    #[test]
    fn problems_of_the_scenario_arms_and_studies_are_reported_together() {
        let text = "[scenario]\nversion = 1\n[behaviour]\nactive_window_days = 0\n[comparison]\nsmallest_difference_pp = 200.0\n\
                    [[arm]]\nname = \"a\"\n[[arm]]\nname = \"b\"\npolicy.time_bank.points_per_chekin = 5\n\
                    [sweep.parameters]\n\"policy.time_bank.nope\" = [1, 2]\n";
        let err = error_of(text);
        let keys: Vec<&str> =
            std::iter::once(err.key.as_str()).chain(err.also.iter().map(|e| e.key.as_str())).collect();
        assert_eq!(
            keys,
            [
                "behaviour.active_window_days",
                "comparison.smallest_difference_pp",
                "arm[1].policy.time_bank.points_per_chekin",
                "sweep.parameters.policy.time_bank.nope"
            ]
        );
    }
}
