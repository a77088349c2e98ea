//! The JSON Schema of the scenario's part of the format: the types from schemars, with the
//! ranges that `validate` enforces and the rules between an event's keys patched in (the whole
//! file's schema adds the experiment's sections: `experiment::json_schema`).

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use super::schema::{BUILT_IN_MEASURES, Group, Scenario, act_names, activity_acts};
use super::validate::{Bound, LAST_DAY_IN_EVERY_MONTH, MEASURE_NAME_PATTERN, NAME_PATTERN, schema_bounds};

/// The generator of every part of the file's schema: every subschema is inlined, so each
/// dotted key has its own schema to carry its range (`merchants.sector_shares` and
/// `monthly_revenue_yuan` share a type).
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator()
}

/// The schema of the scenario's keys as a JSON value.
pub fn schema_value() -> Value {
    let mut root = generator().into_root_schema_for::<Scenario>().to_value();
    for bound in schema_bounds() {
        set_bound(&mut root, &bound);
    }
    at(&mut root, "scenario.name")["pattern"] = json!(NAME_PATTERN);
    at(&mut root, "event[0].name")["pattern"] = json!(r"\S");
    event_rules(at(&mut root, "event[0]"));
    measure_rules(at(&mut root, "output.measure[0]"));
    root
}

/// States `bound` as `minimum` and `maximum` at its key.
pub fn set_bound(root: &mut Value, bound: &Bound) {
    let number = |x: f64| if bound.integer { json!(x as i64) } else { json!(x) };
    let node = at(root, &bound.key);
    node["minimum"] = number(bound.min);
    if let Some(max) = bound.max {
        node["maximum"] = number(max);
    }
}

/// The schema of a dotted key (`event[0].cohorts[0]`: an index stands for every item).
pub fn at<'v>(root: &'v mut Value, key: &str) -> &'v mut Value {
    let mut node = root;
    for segment in key.split('.') {
        let (name, item) = segment.split_once('[').map_or((segment, false), |(name, _)| (name, true));
        let properties = object_of(node).get_mut("properties");
        node = properties.and_then(|p| p.get_mut(name)).unwrap_or_else(|| panic!("{key}: no `{name}` in the schema"));
        if item {
            node = node.get_mut("items").unwrap_or_else(|| panic!("{key}: `{name}` is not a list"));
        }
    }
    node
}

/// An optional table's object alternative (`anyOf: [{...}, {"type": "null"}]`), or `node`.
pub fn object_of(node: &mut Value) -> &mut Value {
    if node.get("properties").is_some() {
        return node;
    }
    let alternatives = node.get_mut("anyOf").and_then(Value::as_array_mut).expect("a table or an optional table");
    alternatives.iter_mut().find(|a| a.get("properties").is_some()).expect("a table among the alternatives")
}

/// `check_event`: a date or a repeat, and what each repeat needs.
fn event_rules(event: &mut Value) {
    let repeat_is = |repeat: &str| json!({ "properties": { "repeat": { "const": repeat } }, "required": ["repeat"] });
    event["oneOf"] = json!([{ "required": ["date"] }, { "required": ["repeat"] }]);
    event["allOf"] = json!([
        { "if": repeat_is("weekly"), "then": { "required": ["weekday"] } },
        {
            "if": repeat_is("monthly"),
            "then": { "required": ["day"], "properties": { "day": { "maximum": LAST_DAY_IN_EVERY_MONTH } } }
        },
        { "if": repeat_is("yearly"), "then": { "required": ["month", "day"] } }
    ]);
}

/// `check_measure`, as far as a schema can say: the name's form and no built-in measure's
/// name, the names of acts and groups, and an activity only with an attendance act. That an
/// activity names one of the file's events, and that names are unique, it cannot say.
fn measure_rules(measure: &mut Value) {
    let built_in: Vec<&str> = BUILT_IN_MEASURES.iter().map(|&(name, ..)| name).collect();
    let groups: Vec<&str> = Group::all().into_iter().map(Group::name).collect();
    let properties = &mut measure["properties"];
    properties["name"]["pattern"] = json!(MEASURE_NAME_PATTERN);
    properties["name"]["not"] = json!({ "enum": built_in });
    properties["act"]["enum"] = json!(act_names());
    properties["among"]["enum"] = json!(act_names());
    properties["group"]["enum"] = json!(groups);
    let activity_acts = json!({ "properties": { "act": { "enum": activity_acts() } } });
    measure["if"] = json!({ "required": ["activity"] });
    measure["then"] = activity_acts;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_given_two_different_bounds() {
        let mut seen: Vec<Bound> = Vec::new();
        for mut bound in schema_bounds() {
            bound.key = bound.key.replace(['1', '2'], "0"); // event[2].x stands for event[0].x
            match seen.iter().find(|b| b.key == bound.key) {
                Some(earlier) => assert_eq!(*earlier, bound),
                None => seen.push(bound),
            }
        }
        assert!(seen.len() > 150, "{}", seen.len());
    }

    /// Dotted keys of every number in `node` (array items as `[0]`) with no `minimum`.
    fn unbounded_numbers(node: &Value, key: &str, out: &mut Vec<String>) {
        let is_number = |t: &Value| t == "number" || t == "integer";
        let types = match &node["type"] {
            Value::Array(types) => types.clone(),
            other => vec![other.clone()],
        };
        // schemars gives unsigned integers a minimum of 0 by itself: a checked range has a maximum too.
        let integer = types.iter().any(|t| t == "integer");
        if types.iter().any(is_number) && (node.get("minimum").is_none() || integer && node.get("maximum").is_none()) {
            out.push(key.to_string());
        }
        if let Some(properties) = node["properties"].as_object() {
            for (name, child) in properties {
                let child_key = if key.is_empty() { name.clone() } else { format!("{key}.{name}") };
                unbounded_numbers(child, &child_key, out);
            }
        }
        if node["items"].is_object() {
            unbounded_numbers(&node["items"], &format!("{key}[0]"), out);
        }
    }

    #[test]
    fn every_number_in_the_scenario_has_a_checked_range() {
        let mut unbounded = Vec::new();
        unbounded_numbers(&schema_value(), "", &mut unbounded);
        // Numbers whose range is another key's value or any value of their type, each checked
        // by a rule in validate.rs (or free by design).
        let by_rule = [
            "scenario.seed",              // any u64
            "community.buildings",        // at least compounds
            "community.stairwells",       // at least buildings
            "community.households",       // at least stairwells
            "community.micro_grids",      // at most households
            "merchants.alliance_initial", // at most count
            "event[0].day",               // by the event's repeat
            "network.stairwell_ties",     // the three sum to at most max_degree
            "network.building_ties",
            "network.long_range_ties",
            "policy.transient_seat.seats",  // at most committee.deliberation_seats
            "committee.deliberation_seats", // any number of places (0: none)
            "committee.volunteer_tasks_per_day",
            "committee.volunteer_tasks_per_weekend_day",
        ];
        unbounded.retain(|key| !by_rule.contains(&key.as_str()));
        assert!(unbounded.is_empty(), "numbers without a range check: {unbounded:?}");
    }

    #[test]
    fn ranges_are_patched_in_at_their_keys() {
        let mut schema = schema_value();
        assert_eq!(at(&mut schema, "network.max_degree")["maximum"], json!(255));
        assert_eq!(at(&mut schema, "cohorts.transient.trust")["maximum"], json!(1.0));
        assert_eq!(at(&mut schema, "merchants.sector_shares.retail")["maximum"], json!(1.0));
        assert_eq!(at(&mut schema, "merchants.monthly_revenue_yuan.retail")["maximum"], json!(1e9));
        assert_eq!(at(&mut schema, "event[0].capacity")["minimum"], json!(1));
        assert_eq!(at(&mut schema, "scenario.version")["maximum"], json!(1));
        assert_eq!(at(&mut schema, "merchants.alliance_initial").get("maximum"), None, "relative to count");
    }
}
