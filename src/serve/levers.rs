//! The levers the workbench shows: scenario keys grouped as policy staff think of them (time
//! bank, proposal fund, merchants, outreach, and each of the community's events), each with its
//! labels in both languages and its description, range and default from the schema.

use serde::Serialize;
use serde_json::Value;

use crate::experiment::arms::{base_value, value_at};
use crate::scenario::Scenario;

/// A lever: a scenario key, its group and its labels.
struct LeverSpec {
    path: &'static str,
    group: &'static str,
    en: &'static str,
    zh: &'static str,
}

const fn lever(path: &'static str, group: &'static str, en: &'static str, zh: &'static str) -> LeverSpec {
    LeverSpec { path, group, en, zh }
}

/// The levers, in the order the page shows them.
const LEVERS: [LeverSpec; 14] = [
    lever("policy.time_bank.enabled", "time_bank", "Time bank on", "开启时间银行"),
    lever("policy.time_bank.points_per_checkin", "time_bank", "Points per check-in", "每次签到积分"),
    lever("policy.time_bank.shop_items_per_month", "time_bank", "Shop items a month", "便利店每月兑换品"),
    lever("policy.proposal_fund.enabled", "proposal_fund", "Proposal fund on", "开启提案基金"),
    lever("policy.proposal_fund.budget_yuan", "proposal_fund", "Fund budget (yuan)", "基金预算（元）"),
    lever("policy.proposal_fund.cap_yuan", "proposal_fund", "Cap per project (yuan)", "单个项目上限（元）"),
    lever("merchants.alliance_initial", "merchants", "Alliance members at start", "联盟初始商家数"),
    lever("merchants.meetings_per_year", "merchants", "Alliance meetings a year", "每年联席会次数"),
    lever("policy.grid_workers.enabled", "outreach", "Grid workers collect needs", "网格员收集诉求"),
    lever("policy.riders.enabled", "outreach", "Delivery riders report", "骑手随手报"),
    lever("policy.riders.count", "outreach", "Riders", "骑手人数"),
    lever("policy.integration.enabled", "outreach", "Newcomer workshops", "新居民融入工作坊"),
    lever("policy.transient_seat.seats", "outreach", "Deliberation seats kept for renters", "议事会租户保留席位"),
    lever("policy.platform.enabled", "outreach", "Online mini-program", "线上小程序"),
];

/// The keys of each `[[event]]` the workbench offers, with their labels («{}» is the event).
const EVENT_LEVERS: [(&str, &str, &str); 3] = [
    ("capacity", "Places at «{}»", "「{}」名额"),
    ("publicity", "How widely «{}» is advertised (0-1)", "「{}」宣传覆盖面（0-1）"),
    ("proposal_booth", "Proposal booth at «{}»", "「{}」设提案摊位"),
];

/// The model's documentation, whose tables give each key's unit or range and source.
const MODEL_DOC: &str = include_str!("../../docs/MODEL.md");

/// The unit or range and the source docs/MODEL.md gives for the key at `path`, from the table
/// under the heading of its section (`### [policy.time_bank]`; an event's key under
/// `### [[event]]`, whose table has no source: an event's source is its community's file).
fn documented(path: &str) -> (Option<String>, Option<String>) {
    let (section, key) = path.rsplit_once('.').unwrap_or(("", path));
    let heading = match section.split_once('.') {
        Some(("event", _)) => "### [[event]]".to_string(),
        _ => format!("### [{section}]"),
    };
    let Some(start) = MODEL_DOC.lines().position(|l| l.trim_end() == heading) else { return (None, None) };
    let cells =
        |line: &str| line.trim().trim_matches('|').split(" | ").map(str::trim).map(String::from).collect::<Vec<_>>();
    let mut columns = Vec::new();
    for line in MODEL_DOC.lines().skip(start + 1).take_while(|l| !l.starts_with("### ")) {
        let row = cells(line);
        if row.first().is_some_and(|c| c == "key") {
            columns = row;
        } else if row.first().is_some_and(|c| *c == format!("`{key}`")) {
            let column = |name: &str| columns.iter().position(|c| c == name).and_then(|k| row.get(k).cloned());
            return (column("unit / range"), column("source"));
        }
    }
    (None, None)
}

/// What the page needs to draw one control.
#[derive(Clone, Debug, Serialize)]
pub struct Lever {
    pub path: String,
    pub group: &'static str,
    pub label_en: String,
    pub label_zh: String,
    /// The schema's description (the key's doc string).
    pub description: String,
    /// `boolean`, `integer` or `number`.
    pub kind: String,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    /// Its unit or range, and the study or report behind its value (or "assumption"), as
    /// docs/MODEL.md gives them.
    pub unit: Option<String>,
    pub source: Option<String>,
    /// The scenario format's default, where it has one.
    pub default: Option<Value>,
    /// The community's value.
    pub value: Value,
}

/// The levers of `scenario`, described from `schema` (the scenario's JSON Schema).
pub fn levers(scenario: &Scenario, schema: &Value) -> Vec<Lever> {
    let base = base_value(scenario);
    let fixed = LEVERS.iter().map(|spec| (spec.path.to_string(), spec.group, spec.en.to_string(), spec.zh.to_string()));
    let events = scenario.events.iter().enumerate().flat_map(|(n, event)| {
        EVENT_LEVERS.iter().map(move |(key, en, zh)| {
            (format!("event.{n}.{key}"), "events", en.replace("{}", &event.name), zh.replace("{}", &event.name))
        })
    });
    fixed
        .chain(events)
        .filter_map(|(path, group, label_en, label_zh)| {
            let node = schema_node(schema, &path)?;
            let value = serde_json::to_value(value_at(&base, &path).ok()?).ok()?;
            let (unit, source) = documented(&path);
            Some(Lever {
                unit,
                source,
                description: node.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
                kind: kind_of(node),
                minimum: node.get("minimum").and_then(Value::as_f64),
                maximum: node.get("maximum").and_then(Value::as_f64),
                default: node.get("default").cloned(),
                path,
                group,
                label_en,
                label_zh,
                value,
            })
        })
        .collect()
}

/// Whether `path` is one of the workbench's levers (a fixed one, or a key of the n-th event).
pub fn is_lever(path: &str) -> bool {
    let event_key = || {
        let mut parts = path.split('.');
        let (Some("event"), Some(n), Some(key), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        crate::experiment::arms::index(n).is_some() && EVENT_LEVERS.iter().any(|(k, _, _)| *k == key)
    };
    LEVERS.iter().any(|l| l.path == path) || event_key()
}

/// The schema of the key at `path` (a numeric segment is an element of a list).
fn schema_node<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(schema, |node, key| match crate::experiment::arms::index(key) {
        Some(_) => node.get("items"),
        None => node.get("properties")?.get(key),
    })
}

fn kind_of(node: &Value) -> String {
    let kinds = match node.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    ["boolean", "integer", "number"].into_iter().find(|k| kinds.contains(k)).unwrap_or("number").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lever_is_a_key_of_the_default_with_a_description() {
        let schema = crate::scenario::json_schema::schema_value();
        let found = levers(&crate::scenario::default_scenario(), &schema);
        let events = crate::scenario::default_scenario().events.len();
        assert_eq!(found.len(), LEVERS.len() + 3 * events, "a lever the schema or the scenario lacks");
        assert!(found.iter().all(|l| is_lever(&l.path)));
        let places = found.iter().find(|l| l.path == "event.0.capacity").unwrap();
        assert_eq!((places.label_en.as_str(), places.minimum), ("Places at «Music festival»", Some(1.0)));
        for lever in &found {
            assert!(lever.unit.is_some(), "docs/MODEL.md gives no unit or range for {}", lever.path);
            assert_eq!(lever.source.is_none(), lever.group == "events", "a source for {}", lever.path);
        }
        assert!(
            !is_lever("event.0.name")
                && !is_lever("event.x.capacity")
                && !is_lever("event.01.capacity")
                && !is_lever("event.0.capacity.y")
        );
        for lever in &found {
            assert!(!lever.description.is_empty(), "{} has no description", lever.path);
        }
        let points = found.iter().find(|l| l.path.ends_with("points_per_checkin")).unwrap();
        assert_eq!((points.kind.as_str(), points.value.as_i64()), ("integer", Some(50)));
        assert!(points.source.as_deref().is_some_and(|s| s.contains("seed 004")), "{:?}", points.source);
    }
}
