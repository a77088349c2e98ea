//! `linli init`: the whole scenario file as a commented template: the scenario's keys
//! (`scenario::template`), the `[comparison]` section, and commented example studies.

use super::json_schema::add_sections;
use super::plan::{Plan, Sections, default_plan};
use crate::scenario::Scenario;
use crate::scenario::template::{BLANK_HEADER, DEFAULT_HEADER, blank_scenario, commented};

/// The scenario that `linli run` runs without a file, every key written out and commented, with
/// its events: it parses back to exactly the embedded default.
pub fn default_template() -> String {
    template_of(&default_plan(), DEFAULT_HEADER)
}

/// A blank template: the built-in defaults with every policy off and no events.
pub fn blank_template() -> String {
    template_of(&Plan::of(blank_scenario()), BLANK_HEADER)
}

/// `plan` as a commented TOML file that parses back to it, with the example studies.
fn template_of(plan: &Plan, header: &str) -> String {
    let table = plan.to_table().expect("a plan serialises");
    let mut schema = serde_json::to_value(schemars::schema_for!(Scenario)).expect("schema serialises");
    let sections = serde_json::to_value(schemars::schema_for!(Sections)).expect("schema serialises");
    add_sections(&mut schema, sections);
    commented(&table, &schema, header) + EXAMPLE_STUDIES
}

const EXAMPLE_STUDIES: &str = r#"
# Studies (docs/SWEEPS.md). `linli sweep` runs a [sweep]: lists for a factorial design, or
# `design = "latin_hypercube"` with `points = N` and `{ min, max }` ranges. `linli sensitivity`
# runs a [sensitivity]: Morris and Sobol indices over `{ min, max }` ranges. Parameters are
# scenario keys by dotted path; outcomes are `<group>_<metric>` columns.
# [sweep]
# design = "factorial"
# outcome = "transient_mean_active_rate"
# window_days = 365
# [sweep.parameters]
# "policy.time_bank.points_per_checkin" = [10, 25, 50, 100]
# "policy.transient_seat.seats" = [0, 10]
#
# [sensitivity]
# methods = ["morris", "sobol"]
# trajectories = 10
# levels = 4
# samples = 32
# bootstrap = 1000
# outcomes = ["transient_mean_active_rate", "all_mean_active_rate"]
# window_days = 365
# [sensitivity.parameters]
# "behaviour.social_weight" = { min = 1.0, max = 2.0 }
# "policy.time_bank.points_per_checkin" = { min = 10, max = 200 }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_parses_back_to_the_embedded_default_exactly() {
        let text = default_template();
        let scenario = super::super::parse(&text, std::path::Path::new("init.toml")).unwrap().scenario;
        assert_eq!(scenario, crate::scenario::default_scenario());
        assert_eq!(scenario.events.len(), 4);
        assert!(scenario.policy.time_bank.enabled && scenario.policy.proposal_fund.enabled);
    }

    #[test]
    fn the_blank_template_parses_back_to_the_defaults_under_its_own_name() {
        let text = blank_template();
        let scenario = super::super::parse(&text, std::path::Path::new("init.toml")).unwrap().scenario;
        let mut expected = Scenario::default();
        expected.scenario.name = crate::scenario::template::BLANK_NAME.to_string();
        expected.scenario.description = scenario.scenario.description.clone();
        assert_eq!(scenario, expected);
        assert!(!scenario.policy.time_bank.enabled && scenario.events.is_empty());
        assert_ne!(scenario.scenario.name, crate::scenario::default_scenario().scenario.name);
    }

    #[test]
    fn the_example_studies_are_valid_once_uncommented() {
        let text = blank_template();
        let studies = text.split("# Studies").nth(1).unwrap();
        let uncommented: String = studies
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with('[') || l.starts_with('"') || (l.contains(" = ") && !l.contains('`')))
            .map(|l| l.to_string() + "\n")
            .collect();
        let plan = super::super::parse(&format!("[scenario]\nversion = 1\n{uncommented}"), "t.toml".as_ref()).unwrap();
        assert_eq!(crate::experiment::explore::Study::sweep(&plan).unwrap().points.len(), 8);
        assert!(crate::experiment::explore::Study::sensitivity(&plan).is_ok());
    }

    #[test]
    fn the_example_output_is_valid_once_uncommented() {
        for (text, activity) in [(default_template(), "Music festival"), (blank_template(), "deliberation")] {
            let block = text.split("# [output]\n").nth(1).unwrap().split("\n\n").next().unwrap();
            let uncommented: String =
                std::iter::once("[output]\n")
                    .chain(block.lines().filter_map(|l| l.strip_prefix("# ")).filter(|l| {
                        l.starts_with('[') || l.split_once(" = ").is_some_and(|(key, _)| !key.contains(' '))
                    }))
                    .map(|l| l.trim_end().to_string() + "\n")
                    .collect();
            let (head, events) = text.split_at(text.find("\n[[event]]").unwrap_or(text.len()));
            let file = format!("{head}\n{uncommented}{events}");
            let scenario = super::super::parse(&file, "t.toml".as_ref()).unwrap().scenario;
            let measures = &scenario.output.measures;
            assert_eq!(measures.len(), 2, "{uncommented}");
            assert_eq!(measures[0].activity.as_deref(), Some(activity));
            assert_eq!(measures[1].among.as_deref(), Some("points_earned"));
            assert!(crate::experiment::measures::MeasureSet::for_scenario(&scenario).is_ok());
        }
    }

    #[test]
    fn every_key_is_commented() {
        for text in [default_template(), blank_template()] {
            every_key_has_a_comment(&text);
        }
    }

    fn every_key_has_a_comment(text: &str) {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let is_key = !line.starts_with('#') && !line.starts_with('[') && line.contains(" = ");
            if is_key {
                assert!(lines[i - 1].starts_with('#'), "no comment above {line:?}");
            }
        }
        assert!(text.contains("# Residents, spread over households"));
    }
}
