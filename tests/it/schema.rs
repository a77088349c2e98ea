//! The JSON Schema of `linli schema` rejects what `linli check` rejects wherever a schema can
//! say so, and accepts every shipped scenario (issue #9).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::bad_scenarios::bad_files;

/// Bad files whose error a JSON Schema cannot express, and why. Files that are not TOML (so
/// there is nothing to give a schema) are left out; a file listed here that the schema rejects
/// after all fails the test, so the list stays true.
const NOT_EXPRESSIBLE: [(&str, &str); 14] = [
    ("09-cohort-shares-sum.toml", "a sum across keys: the three cohort shares sum to 1"),
    ("10-age-shares-sum.toml", "a sum across keys: the four age shares sum to 1"),
    ("13-residents-fewer-than-households.toml", "a relation between two counts"),
    ("14-stairwells-fewer-than-buildings.toml", "a relation between two counts"),
    ("16-ties-exceed-max-degree.toml", "a sum of three counts compared with a fourth"),
    ("21-event-outside-period.toml", "a date compared with start_date + days"),
    ("29-tenure-max-below-min.toml", "a relation between two keys"),
    ("30-sweep-unknown-parameter.toml", "a reference: the parameter names a scenario key by its path"),
    ("32-sweep-value-out-of-range.toml", "the range of the key a parameter's path names"),
    ("35-sensitivity-range-on-a-switch.toml", "the type of the key a parameter's path names"),
    ("38-duplicate-arm-name.toml", "unique names across list items: uniqueItems compares whole arms"),
    ("43-measure-name-twice.toml", "unique names across list items: uniqueItems compares whole measures"),
    ("45-measure-unknown-activity.toml", "a reference: the activity names one of the file's events"),
    ("50-measure-activity-of-two-events.toml", "unique names across list items: event names are free text"),
];

/// The schema `linli schema` prints, with formats asserted: `format: date` is what rejects a
/// date that does not exist (11-date-does-not-exist-string.toml); a date with a time is
/// rejected by the date's pattern as well.
fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&linli::experiment::json_schema()).expect("the schema is JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("a valid JSON Schema")
}

/// Scenario text as an editor's TOML plugin hands it to a schema: dates become strings.
fn as_json(text: &str) -> Option<Value> {
    let table: toml::Table = text.parse().ok()?;
    Some(json_of(toml::Value::Table(table)))
}

fn file_as_json(path: &Path) -> Option<Value> {
    as_json(&std::fs::read_to_string(path).ok()?)
}

fn json_of(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => items.into_iter().map(json_of).collect(),
        toml::Value::Table(table) => Value::Object(table.into_iter().map(|(k, v)| (k, json_of(v))).collect()),
    }
}

/// The schema's error messages for `json`, one a line.
fn errors(validator: &jsonschema::Validator, json: &Value) -> String {
    validator.iter_errors(json).map(|e| format!("{} at {}", e, e.instance_path())).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_schema_rejects_every_bad_file_whose_error_it_can_express() {
    let validator = validator();
    let mut wrong = Vec::new();
    for path in bad_files() {
        let Some(json) = file_as_json(&path) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let listed = NOT_EXPRESSIBLE.iter().any(|(file, _)| *file == name);
        match (listed, validator.is_valid(&json)) {
            (false, true) => wrong.push(format!("{name}: accepted by the schema")),
            (true, false) => {
                wrong.push(format!("{name}: rejected, so take it off NOT_EXPRESSIBLE:\n{}", errors(&validator, &json)))
            }
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_schema_accepts_every_shipped_scenario_and_the_template() {
    let validator = validator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["scenarios", "tests/scenarios"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 13, "{files:?}");
    let mut wrong = Vec::new();
    for path in files {
        let json = file_as_json(&path).unwrap_or_else(|| panic!("{} is TOML", path.display()));
        if !validator.is_valid(&json) {
            wrong.push(format!("{}:\n{}", path.display(), errors(&validator, &json)));
        }
    }
    use linli::experiment::template::{blank_template, default_template};
    for (which, text) in [("linli init", default_template()), ("linli init --blank", blank_template())] {
        let template = as_json(&text).expect("the template is TOML");
        if !validator.is_valid(&template) {
            wrong.push(format!("the `{which}` template:\n{}", errors(&validator, &template)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
