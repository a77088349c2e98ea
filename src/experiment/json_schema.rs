//! The JSON Schema of the whole scenario file (`linli schema`): the scenario's part from
//! `scenario::json_schema`, with the experiment's sections added and their limits, outcome
//! names and the rules between a sweep's keys patched in.

use serde_json::{Value, json};

use super::arms::SHARED_SECTIONS;
use super::compare::Outcome;
use super::explore::sensitivity::{SALTELLI_MAX_FACTORS, SALTELLI_MAX_SAMPLES};
use super::plan::{SMALLEST_DIFFERENCE_PP_RANGE, Sections};
use super::study::STUDY_MINIMUMS;
use crate::scenario::json_schema::{at, generator, object_of, set_bound};
use crate::scenario::validate::Bound;

/// The JSON Schema of the scenario file, pretty-printed.
pub fn json_schema() -> String {
    serde_json::to_string_pretty(&schema_value()).expect("a schema serialises")
}

/// The schema of the whole file as a JSON value.
pub fn schema_value() -> Value {
    let mut root = crate::scenario::json_schema::schema_value();
    add_sections(&mut root, generator().into_root_schema_for::<Sections>().to_value());
    for (key, min) in STUDY_MINIMUMS {
        set_bound(&mut root, &Bound { key: key.into(), min: min.into(), max: None, integer: true });
    }
    let (min, max) = SMALLEST_DIFFERENCE_PP_RANGE;
    let smallest_difference =
        Bound { key: "comparison.smallest_difference_pp".into(), min, max: Some(max), integer: false };
    set_bound(&mut root, &smallest_difference);
    at(&mut root, "sensitivity.samples")["maximum"] = json!(SALTELLI_MAX_SAMPLES);
    at(&mut root, "sweep.outcome")["enum"] = json!(Outcome::names());
    at(&mut root, "sensitivity.outcomes[0]")["enum"] = json!(Outcome::names());
    let shared = format!(r"^({})(\.|$)", SHARED_SECTIONS.join("|"));
    root["properties"]["arm"]["items"]["propertyNames"] = json!({ "not": { "pattern": shared } });
    sweep_rules(object_of(at(&mut root, "sweep")));
    sensitivity_rules(object_of(at(&mut root, "sensitivity")));
    root
}

/// Adds the keys of the experiment's sections (the schema of [`Sections`]) to the schema of a
/// scenario, with their definitions when the schemas have `$defs`.
pub fn add_sections(scenario: &mut Value, sections: Value) {
    for part in ["properties", "$defs"] {
        if let Some(Value::Object(entries)) = sections.get(part) {
            let target = scenario.as_object_mut().expect("a schema is an object").entry(part).or_insert(json!({}));
            for (key, value) in entries {
                target[key] = value.clone();
            }
        }
    }
}

/// A `{ min, max }` range of a study parameter.
fn range() -> Value {
    json!({
        "type": "object",
        "properties": { "min": { "type": "number" }, "max": { "type": "number" } },
        "required": ["min", "max"],
        "additionalProperties": false
    })
}

/// `check_sweep`: a Latin hypercube has points and ranges; a factorial neither points nor ranges.
fn sweep_rules(sweep: &mut Value) {
    sweep["if"] = json!({ "properties": { "design": { "const": "latin_hypercube" } }, "required": ["design"] });
    sweep["then"] =
        json!({ "required": ["points"], "properties": { "parameters": { "additionalProperties": range() } } });
    sweep["else"] = json!({
        "not": { "required": ["points"] },
        "properties": { "parameters": { "additionalProperties": { "type": "array", "minItems": 1 } } }
    });
}

/// `check_sensitivity`: ranges for two to the Saltelli limit of parameters, even levels.
fn sensitivity_rules(sensitivity: &mut Value) {
    let parameters = at(sensitivity, "parameters");
    parameters["additionalProperties"] = range();
    parameters["minProperties"] = json!(2);
    parameters["maxProperties"] = json!(SALTELLI_MAX_FACTORS);
    at(sensitivity, "levels")["multipleOf"] = json!(2);
    at(sensitivity, "methods")["minItems"] = json!(1);
    at(sensitivity, "outcomes")["minItems"] = json!(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sections_ranges_are_patched_in() {
        let mut schema = schema_value();
        assert_eq!(at(&mut schema, "comparison.smallest_difference_pp")["maximum"], json!(100.0));
        assert_eq!(at(&mut schema, "sensitivity.bootstrap")["minimum"], json!(100));
        assert_eq!(at(&mut schema, "network.max_degree")["maximum"], json!(255));
    }
}
