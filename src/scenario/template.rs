//! The commented template of a scenario (`linli init`), built from a scenario and the schema's
//! docs; `experiment::template` adds the experiment's sections to make the whole file.
//!
//! Built rather than written by hand, so the template can never disagree with the defaults.
//! `init` prints the embedded default (what `linli run` runs without a file); `init --blank`
//! prints the built-in defaults, with every policy off and no events.

use std::fmt::Write;

use serde_json::Value as Json;
use toml::{Table, Value};

use super::schema::Scenario;

/// The header of the embedded default's template.
pub const DEFAULT_HEADER: &str = "# linli scenario: the embedded default, Wanke Chenghua (万科城花) as documented, with its\n\
                  # time bank, proposal fund, outreach and events; `linli run` runs exactly this.\n\
                  # The sources of its figures are in scenarios/wanke-chenghua.toml and docs/MODEL.md.\n";

/// The header of the blank template.
pub const BLANK_HEADER: &str = "# linli scenario: a blank template (`linli init --blank`): every key at its built-in default,\n\
                  # every policy off and no events. `linli init` prints the default community instead.\n";

/// The blank template's scenario: the built-in defaults with every policy off and no events.
pub fn blank_scenario() -> Scenario {
    let mut blank = Scenario::default();
    blank.scenario.name = BLANK_NAME.to_string();
    blank.scenario.description = "A blank template: the built-in defaults, every policy off, no events".to_string();
    blank
}

/// The name of the blank template, so its outputs never land in the default's folder.
pub const BLANK_NAME: &str = "blank";

/// A file's keys (`table`, a serialised scenario, with any other sections among them) as a
/// commented TOML file that parses back to them, each key commented from `schema` (a schema of
/// the file with `$defs`); an example event when the file has none.
pub fn commented(table: &Table, schema: &Json, header: &str) -> String {
    let mut out = header.to_string();
    out.push_str("# Delete what you do not change. Reference: docs/MODEL.md, and `linli schema` for editors.\n");
    let mut writer = TemplateWriter { out, schema };
    writer.sections(table, &mut Vec::new());
    writer.events(table.get("event"));
    if table.get("event").and_then(Value::as_array).is_none_or(|events| events.is_empty()) {
        writer.out.push_str(EXAMPLE_EVENT);
    }
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
