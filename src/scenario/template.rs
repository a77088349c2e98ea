//! `linli init`: a commented scenario built from a scenario and the schema's docs.
//!
//! Built rather than written by hand, so the template can never disagree with the defaults.
//! `init` prints the embedded default (what `linli run` runs without a file); `init --blank`
//! prints the built-in defaults, with every policy off and no events.

use std::fmt::Write;

use serde_json::Value as Json;
use toml::{Table, Value};

use super::schema::Scenario;

/// The scenario that `linli run` runs without a file, every key written out and commented, with
/// its events: it parses back to exactly the embedded default.
pub fn default_template() -> String {
    let header = "# linli scenario: the embedded default, Wanke Chenghua (万科城花) as documented, with its\n\
                  # time bank, proposal fund, outreach and events; `linli run` runs exactly this.\n\
                  # The sources of its figures are in scenarios/wanke-chenghua.toml and docs/MODEL.md.\n";
    template_of(&super::default_scenario(), header)
}

/// A blank template: the built-in defaults with every policy off and no events.
pub fn blank_template() -> String {
    let mut blank = Scenario::default();
    blank.scenario.name = BLANK_NAME.to_string();
    blank.scenario.description = "A blank template: the built-in defaults, every policy off, no events".to_string();
    let header = "# linli scenario: a blank template (`linli init --blank`): every key at its built-in default,\n\
                  # every policy off and no events. `linli init` prints the default community instead.\n";
    template_of(&blank, header)
}

/// The name of the blank template, so its outputs never land in the default's folder.
pub const BLANK_NAME: &str = "blank";

/// `scenario` as a commented TOML file that parses back to it.
fn template_of(scenario: &Scenario, header: &str) -> String {
    let table = toml::Table::try_from(scenario).expect("a scenario serialises");
    let schema = serde_json::to_value(schemars::schema_for!(Scenario)).expect("schema serialises");
    let mut out = header.to_string();
    out.push_str("# Delete what you do not change. Reference: docs/MODEL.md, and `linli schema` for editors.\n");
    let mut writer = TemplateWriter { out, schema: &schema };
    writer.sections(&table, &mut Vec::new());
    writer.events(table.get("event"));
    if scenario.events.is_empty() {
        writer.out.push_str(EXAMPLE_EVENT);
    }
    writer.out.push_str(EXAMPLE_STUDIES);
    writer.out
}

struct TemplateWriter<'a> {
    out: String,
    schema: &'a Json,
}

impl TemplateWriter<'_> {
    /// Writes the scalar keys of `table` under its header, then its sub-tables as sections.
    fn sections(&mut self, table: &Table, path: &mut Vec<String>) {
        let (subsections, keys): (Vec<_>, Vec<_>) =
            table.iter().partition(|(key, value)| is_section(value, path) || *key == "event");
        if !path.is_empty() && !keys.is_empty() {
            self.out.push('\n');
            self.comment(path);
            let _ = writeln!(self.out, "[{}]", path.join("."));
        }
        for (key, value) in keys {
            path.push(key.clone());
            self.comment(path);
            let _ = writeln!(self.out, "{key} = {}", inline(value));
            path.pop();
        }
        for (key, value) in subsections {
            if let Value::Table(sub) = value {
                path.push(key.clone());
                self.sections(sub, path);
                path.pop();
            }
        }
    }

    fn comment(&mut self, path: &[String]) {
        if let Some(text) = description(self.schema, path) {
            for line in text.lines() {
                let _ = writeln!(self.out, "# {line}");
            }
        }
    }

    /// Each event as an `[[event]]` block, its keys commented like the sections'.
    fn events(&mut self, events: Option<&Value>) {
        let Some(Value::Array(events)) = events else { return };
        for event in events.iter().filter_map(Value::as_table) {
            self.out.push_str("\n[[event]]\n");
            for (key, value) in event {
                self.comment(&["event".to_string(), key.clone()]);
                let _ = writeln!(self.out, "{key} = {}", inline(value));
            }
        }
    }
}

const EXAMPLE_EVENT: &str = r#"
# Events: repeat a [[event]] block per activity. One-off: `date = 2024-06-15`.
# Recurring: `repeat = "weekly"` with `weekday`, `repeat = "monthly"` with `day` (1-28),
# `repeat = "yearly"` with `month` and `day`. `cohorts` (original, new_family, transient) and
# `age_bands` (child, young_adult, adult, senior) restrict who is invited; empty means everyone.
# [[event]]
# name = "Music festival"
# repeat = "yearly"
# month = 5
# day = 18
# cohorts = ["new_family", "transient"]
# age_bands = ["young_adult", "adult"]
# capacity = 600
# appeal = 1.0
# fair = false            # a fair: attendees visit alliance merchants
# proposal_booth = true   # attendees may file proposals (with the proposal fund on)
"#;

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

/// Tables in the first two levels are sections; deeper tables of scalars only (like a
/// cohort's `age_shares`) are written inline.
fn is_section(value: &Value, path: &[String]) -> bool {
    let scalars_only = |t: &Table| t.values().all(|v| !v.is_table() && !v.is_array());
    value.as_table().is_some_and(|t| path.len() < 2 || !scalars_only(t))
}

fn inline(value: &Value) -> String {
    match value {
        Value::Float(x) if x.fract() != 0.0 => format!("{x}"),
        Value::Table(table) => {
            let parts: Vec<String> = table.iter().map(|(k, v)| format!("{k} = {}", inline(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// The doc comment of the key at `path`, following `$ref`s through the schema.
pub fn description(schema: &Json, path: &[String]) -> Option<String> {
    let mut node = schema;
    let mut found = None;
    for segment in path {
        let table = resolve(schema, node);
        // An array of tables (`[[event]]`) documents its keys under `items`.
        let table = table.get("items").map_or(table, |items| resolve(schema, items));
        let properties = table.get("properties")?;
        node = properties.get(segment.as_str())?;
        found = node.get("description").or_else(|| resolve(schema, node).get("description"));
    }
    found.and_then(Json::as_str).map(str::to_string)
}

fn resolve<'a>(schema: &'a Json, node: &'a Json) -> &'a Json {
    let reference =
        node.get("$ref").or_else(|| node.get("allOf").and_then(|all| all.get(0)).and_then(|first| first.get("$ref")));
    match reference.and_then(Json::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => schema.get("$defs").and_then(|defs| defs.get(name)).unwrap_or(node),
        None => node,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_parses_back_to_the_embedded_default_exactly() {
        let text = default_template();
        let scenario = crate::scenario::parse(&text, std::path::Path::new("init.toml")).unwrap();
        assert_eq!(scenario, crate::scenario::default_scenario());
        assert_eq!(scenario.events.len(), 4);
        assert!(scenario.policy.time_bank.enabled && scenario.policy.proposal_fund.enabled);
    }

    #[test]
    fn the_blank_template_parses_back_to_the_defaults_under_its_own_name() {
        let text = blank_template();
        let scenario = crate::scenario::parse(&text, std::path::Path::new("init.toml")).unwrap();
        let mut expected = Scenario::default();
        expected.scenario.name = BLANK_NAME.to_string();
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
        let scenario =
            crate::scenario::parse(&format!("[scenario]\nversion = 1\n{uncommented}"), "t.toml".as_ref()).unwrap();
        assert_eq!(crate::explore::Study::sweep(&scenario).unwrap().points.len(), 8);
        assert!(crate::explore::Study::sensitivity(&scenario).is_ok());
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
