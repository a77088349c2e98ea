//! The commented template of a scenario (`linli init`), built from a scenario and the schema's
//! docs; `experiment::template` adds the experiment's sections to make the whole file.
//!
//! Built rather than written by hand, so the template can never disagree with the defaults.
//! `init` prints the embedded default (what `linli run` runs without a file); `init --blank`
//! prints the built-in defaults, with every policy off and no events.

use std::fmt::Write;

use serde_json::Value as Json;
use toml::{Table, Value};

use super::schema::{AgeBand, Aggregate, MeasureSpec, Output, Scenario};

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
    if table.get("output").is_none() {
        writer.example_output(&example_output(table));
    }
    writer.out
}

/// `[output]` at its defaults with two example measures, serialised, for a file that asks for
/// no outputs: the share of young adults who came to the file's first event (or to the
/// deliberation day), and points redeemed per time bank member.
fn example_output(table: &Table) -> Table {
    let first_event = table.get("event").and_then(|events| events.get(0)).and_then(|event| event.get("name"));
    let activity = match first_event.and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None => Scenario::default().activities()[0].0.clone(),
    };
    let measure = |name: &str, act: &str, aggregate| MeasureSpec {
        name: name.into(),
        act: act.into(),
        activity: None,
        among: None,
        group: None,
        aggregate,
    };
    let output = Output {
        measures: vec![
            MeasureSpec {
                activity: Some(activity),
                group: Some(AgeBand::YoungAdult.name().into()),
                ..measure("young_adults_who_came", "attended", Aggregate::EverShare)
            },
            MeasureSpec {
                among: Some("points_earned".into()),
                ..measure("redemptions_per_member", "points_redeemed", Aggregate::MeanPerResident)
            },
        ],
        ..Output::default()
    };
    Table::try_from(output).expect("an output section serialises")
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

    /// `output`, a serialised `[output]`, commented out: each key with its doc comment (a
    /// measure's once), and the choices of an aggregate.
    fn example_output(&mut self, output: &Table) {
        let at = |keys: &[&str]| -> Vec<String> { keys.iter().map(|k| k.to_string()).collect() };
        self.out.push('\n');
        self.comment(&at(&["output"]));
        self.out.push_str("# Uncomment what you want (docs/MODEL.md, section 9); the two measures are examples.\n");
        self.out.push_str("# [output]\n");
        for (key, value) in output.iter().filter(|(_, value)| !value.is_array()) {
            self.comment(&at(&["output", key]));
            let _ = writeln!(self.out, "# {key} = {}", inline(value));
        }
        let Some(Value::Array(measures)) = output.get("measure") else { return };
        let mut described: Vec<&str> = Vec::new();
        for measure in measures.iter().filter_map(Value::as_table) {
            self.out.push_str("#\n");
            if described.is_empty() {
                self.comment(&at(&["output", "measure"]));
            }
            self.out.push_str("# [[output.measure]]\n");
            for (key, value) in measure {
                if !described.contains(&key.as_str()) {
                    described.push(key);
                    self.comment(&at(&["output", "measure", key]));
                    self.choices(&at(&["output", "measure", key]));
                }
                let _ = writeln!(self.out, "# {key} = {}", inline(value));
            }
        }
    }

    /// The documented values of the key at `path`, when it takes one of a few, one a line.
    fn choices(&mut self, path: &[String]) {
        let Some(node) = node_at(self.schema, path) else { return };
        let Some(choices) = resolve(self.schema, node).get("oneOf").and_then(Json::as_array) else { return };
        for choice in choices {
            if let (Some(value), Some(text)) = (choice["const"].as_str(), choice["description"].as_str()) {
                wrap(&mut self.out, &format!("{value}: {text}"), "#   ", "#     ");
            }
        }
    }
}

/// `text` as lines of at most 100 characters where its words allow, the first after `first`,
/// the others after `rest`.
fn wrap(out: &mut String, text: &str, first: &str, rest: &str) {
    let (mut line, mut empty) = (first.to_string(), true);
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > 100 {
            let _ = writeln!(out, "{line}");
            (line, empty) = (rest.to_string(), true);
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    let _ = writeln!(out, "{line}");
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
    let node = node_at(schema, path).filter(|_| !path.is_empty())?;
    let found = node.get("description").or_else(|| resolve(schema, node).get("description"));
    found.and_then(Json::as_str).map(str::to_string)
}

/// The schema of the key at `path`, following `$ref`s to it.
fn node_at<'a>(schema: &'a Json, path: &[String]) -> Option<&'a Json> {
    let mut node = schema;
    for segment in path {
        let table = resolve(schema, node);
        // An array of tables (`[[event]]`) documents its keys under `items`.
        let table = table.get("items").map_or(table, |items| resolve(schema, items));
        node = table.get("properties")?.get(segment.as_str())?;
    }
    Some(node)
}

fn resolve<'a>(schema: &'a Json, node: &'a Json) -> &'a Json {
    let reference =
        node.get("$ref").or_else(|| node.get("allOf").and_then(|all| all.get(0)).and_then(|first| first.get("$ref")));
    match reference.and_then(Json::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => schema.get("$defs").and_then(|defs| defs.get(name)).unwrap_or(node),
        None => node,
    }
}
