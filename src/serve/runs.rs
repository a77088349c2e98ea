//! The workbench's runs: a comparison per request, composed as the scenario file `linli compare`
//! would read, run in the background replicate batch by batch (so it can be cancelled between
//! batches), and kept in memory with its progress and result. Nothing is written to disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::experiment::arms::{Arm, resolve};
use crate::experiment::compare::{ArmRun, compare, run_arms};
use crate::output::bottom_line::bottom_line;
use crate::scenario::ScenarioError;
use crate::simulate::days_per_replicate;

/// The window the comparison's statistics cover: `linli compare`'s default.
pub const WINDOW_DAYS: usize = 365;
/// Replicates run between two looks at the cancel flag.
const BATCH: u32 = 4;

/// A request to compare arms of one community.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// A shipped community's id, or
    #[serde(default)]
    pub community: Option<String>,
    /// an uploaded scenario file's text.
    #[serde(default)]
    pub scenario: Option<String>,
    pub arms: Vec<ArmRequest>,
    pub replicates: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmRequest {
    pub name: String,
    #[serde(default)]
    pub levers: BTreeMap<String, Value>,
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

/// One run: the file it runs, its progress and, once done, its result.
pub struct Run {
    pub toml: String,
    pub total_days: u64,
    pub done_days: AtomicU64,
    pub cancel: AtomicBool,
    pub state: Mutex<(Status, Option<Value>, Option<String>)>,
}

impl Run {
    /// Whether it has ended (done, failed or cancelled).
    pub fn finished(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        !matches!(state.0, Status::Queued | Status::Running)
    }

    /// The run's state as the page reads it.
    pub fn view(&self, id: u64) -> Value {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        serde_json::json!({
            "id": id,
            "status": state.0,
            "done_days": self.done_days.load(Ordering::Relaxed),
            "total_days": self.total_days,
            "result": state.1,
            "error": state.2,
        })
    }
}

/// The arms of the request's file and its question, or the problem with it: located (line,
/// column, key, expected, found) as `linli check` reports it.
pub fn prepare(toml: &str) -> Result<(Vec<Arm>, String), Value> {
    let plan = crate::experiment::parse(toml, Path::new(FILE)).map_err(|e| located(&e))?;
    let arms = resolve(&plan).map_err(|e| {
        let p = e.problem;
        serde_json::json!({ "message": format!("arm {}: {}: expected {}, found {}", e.index, p.key, p.expected, p.found) })
    })?;
    let question = arms[0].sections.comparison.question.clone();
    Ok((arms, question))
}

/// The name uploaded and composed files go by in errors.
pub const FILE: &str = "workbench.toml";

/// A scenario error as the page shows it: the message, and where.
pub fn located(error: &ScenarioError) -> Value {
    serde_json::json!({
        "message": error.to_string(),
        "line": error.location.line,
        "column": error.location.column,
        "key": error.key,
        "expected": error.expected,
        "found": error.found,
    })
}

/// The file `linli compare` reproduces the run from: the community's file with its replicates
/// set, then one `[[arm]]` per arm.
pub fn compose(community: &str, request: &RunRequest) -> Result<String, String> {
    let mut text = set_replicates(community, request.replicates)?;
    for arm in &request.arms {
        let _ = write!(text, "\n[[arm]]\nname = {}\n", toml_string(&arm.name));
        for (path, value) in &arm.levers {
            if !super::levers::is_lever(path) {
                return Err(format!("arm «{}»: `{path}` is not a lever of the workbench", arm.name));
            }
            let _ = writeln!(text, "{} = {}", toml_string(path), toml_value(value, path)?);
        }
    }
    Ok(text)
}

/// The community's file with `[scenario] replicates` replaced (the line kept in place, so the
/// rest of the file reads as written).
fn set_replicates(community: &str, replicates: u32) -> Result<String, String> {
    let mut in_scenario = false;
    let mut replaced = false;
    let mut out = String::new();
    for line in community.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_scenario = trimmed.starts_with("[scenario]");
        }
        if in_scenario && !replaced && trimmed.starts_with("replicates") && trimmed.contains('=') {
            let _ = writeln!(out, "replicates = {replicates}");
            replaced = true;
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    if !replaced {
        return Err("the scenario's [scenario] section has no `replicates = ...` line to set".into());
    }
    Ok(out)
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn toml_value(value: &Value, path: &str) -> Result<String, String> {
    match value {
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            Ok(toml::Value::Float(x).to_string())
        }
        other => Err(format!("`{path}`: expected a number or true/false, found {other}")),
    }
}

/// Runs `arms` on `replicates` replicates in batches, counting days into `run`; stops between
/// batches when `run.cancel` is set. The result is `comparison.json`'s content plus the bottom line.
pub fn execute(run: &Run, arms: &[Arm], question: &str, replicates: u32) {
    let mut runs: Vec<ArmRun> = Vec::new();
    let on_day = || {
        run.done_days.fetch_add(1, Ordering::Relaxed);
    };
    set(run, Status::Running, None, None);
    let mut start = 0;
    while start < replicates {
        if run.cancel.load(Ordering::Relaxed) {
            set(run, Status::Cancelled, None, None);
            return;
        }
        let end = (start + BATCH).min(replicates);
        let batch = run_arms(arms, &(start..end).collect::<Vec<_>>(), &on_day);
        if runs.is_empty() {
            runs = batch;
        } else {
            for (all, more) in runs.iter_mut().zip(batch) {
                all.output.replicates.extend(more.output.replicates);
            }
        }
        start = end;
    }
    let comparison = compare(&runs, WINDOW_DAYS);
    let line = bottom_line(&comparison, question);
    let result = serde_json::json!({
        "comparison": comparison,
        "bottom_line": { "question": line.question(), "en": line.en, "zh": line.zh },
    });
    set(run, Status::Done, Some(result), None);
}

fn set(run: &Run, status: Status, result: Option<Value>, error: Option<String>) {
    *run.state.lock().unwrap_or_else(|p| p.into_inner()) = (status, result, error);
}

/// Replicate-days of a run of `arms` on `replicates` replicates.
pub fn total_days(arms: &[Arm], replicates: u32) -> u64 {
    arms.iter().map(|a| days_per_replicate(&a.scenario)).sum::<u64>() * u64::from(replicates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_composed_file_is_a_comparison_of_its_arms() {
        let request = RunRequest {
            community: None,
            scenario: None,
            arms: vec![
                ArmRequest { name: "as is".into(), levers: BTreeMap::new() },
                ArmRequest {
                    name: "100 \"points\"".into(),
                    levers: [("policy.time_bank.points_per_checkin".to_string(), Value::from(100))].into(),
                },
            ],
            replicates: 3,
        };
        let text = compose(crate::scenario::DEFAULT_SCENARIO_TOML, &request).unwrap();
        let (arms, _) = prepare(&text).unwrap();
        assert_eq!(arms.len(), 2);
        assert_eq!(arms[1].name, "100 \"points\"");
        assert_eq!(arms[1].scenario.policy.time_bank.points_per_checkin, 100);
        assert_eq!(arms[0].scenario.scenario.replicates, 3);
        let bad = RunRequest {
            arms: vec![ArmRequest { name: "x".into(), levers: [("seed".to_string(), Value::from(1))].into() }],
            ..request
        };
        assert!(compose(crate::scenario::DEFAULT_SCENARIO_TOML, &bad).unwrap_err().contains("not a lever"));
    }
}
