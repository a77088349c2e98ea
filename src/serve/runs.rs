//! The workbench's runs: a comparison per request, composed as the scenario file `linli compare`
//! would read, run in the background batch by batch (so its curves grow and it can be cancelled
//! between batches), and kept in memory with its progress, curves, result and downloads.
//! Nothing is written to disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::experiment::arms::{Arm, resolve};
use crate::experiment::compare::{ArmRun, Group, arms_statement, compare, run_arms};
use crate::experiment::posterior::{Draws, add_posterior, run_arms_under};
use crate::output::bottom_line::bottom_line;
use crate::scenario::ScenarioError;
use crate::simulate::days_per_replicate;

/// The window the comparison's statistics cover: `linli compare`'s default.
pub const WINDOW_DAYS: usize = 365;

/// A request to compare arms of one community.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// A community's id, or
    #[serde(default)]
    pub community: Option<String>,
    /// an uploaded scenario file's text.
    #[serde(default)]
    pub scenario: Option<String>,
    pub arms: Vec<ArmRequest>,
    pub replicates: u32,
    /// Run under the community's shipped calibration (replicate r under posterior draw r).
    #[serde(default)]
    pub posterior: bool,
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

/// Posterior draws a run is under, with the name its download goes by.
pub struct PosteriorDraws {
    pub file: String,
    pub csv: String,
    pub draws: Draws,
}

/// What a run does: its arms, replicates and draws, prepared from its file.
pub struct Job {
    pub prepared: Prepared,
    pub replicates: u32,
    pub posterior: Option<Arc<PosteriorDraws>>,
}

/// One run: the file it runs, its progress, curves and, once done, its result and downloads.
pub struct Run {
    pub id: u64,
    /// The run's scenario file and posterior draws: downloads from the start, and all that is
    /// kept once the other downloads are dropped (they reproduce them).
    pub toml: String,
    posterior: Option<Arc<PosteriorDraws>>,
    pub total_days: u64,
    pub done_days: AtomicU64,
    pub cancel: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    status: Option<Status>,
    result: Option<Value>,
    error: Option<String>,
    /// Each arm's curve over the replicates finished so far, and how many times it has changed.
    curves: (u64, Option<Arc<Value>>),
    /// The finished run's tables, JSON and report.
    files: Files,
}

impl Run {
    pub fn new(id: u64, toml: String, job: &Job) -> Run {
        let days: u64 = job.prepared.arms.iter().map(|a| days_per_replicate(&a.scenario)).sum();
        let state = State { status: Some(Status::Queued), ..State::default() };
        Run {
            id,
            toml,
            posterior: job.posterior.clone(),
            total_days: days * u64::from(job.replicates),
            done_days: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
            state: Mutex::new(state),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether it has ended (done, failed or cancelled).
    pub fn finished(&self) -> bool {
        !matches!(self.state().status, Some(Status::Queued | Status::Running))
    }

    /// The run's progress as the page reads it while it runs.
    pub fn progress(&self) -> Value {
        let state = self.state();
        json!({
            "id": self.id,
            "status": state.status,
            "done_days": self.done_days.load(Ordering::Relaxed),
            "total_days": self.total_days,
        })
    }

    /// The run's whole state: progress, result, error, curves and the files to download.
    pub fn view(&self) -> Value {
        let mut view = self.progress();
        let state = self.state();
        view["result"] = state.result.clone().unwrap_or(Value::Null);
        view["error"] = json!(state.error);
        view["curves"] = state.curves.1.as_deref().cloned().unwrap_or(Value::Null);
        let mut files: Vec<&str> = state.files.keys().map(String::as_str).collect();
        files.push(SCENARIO_FILE);
        files.extend(self.posterior.as_ref().map(|_| POSTERIOR_FILE));
        files.sort_unstable();
        view["files"] = json!(files);
        view
    }

    /// The curves so far, and their version (it grows each time they change).
    pub fn curves(&self) -> (u64, Option<Arc<Value>>) {
        self.state().curves.clone()
    }

    /// A download's bytes.
    pub fn file(&self, name: &str) -> Option<Vec<u8>> {
        match name {
            SCENARIO_FILE => Some(self.toml.clone().into_bytes()),
            POSTERIOR_FILE => self.posterior.as_ref().map(|p| p.csv.clone().into_bytes()),
            _ => self.state().files.get(name).cloned(),
        }
    }

    /// Forgets the downloads the scenario file (and draws) reproduce, to bound memory.
    pub fn drop_files(&self) {
        self.state().files.clear();
    }

    fn set(&self, status: Status) {
        self.state().status = Some(status);
    }

    /// Takes the run from the queue: false if it was cancelled while it waited.
    fn start(&self) -> bool {
        let mut state = self.state();
        if self.cancel.load(Ordering::Relaxed) || state.status != Some(Status::Queued) {
            state.status = Some(Status::Cancelled);
            return false;
        }
        state.status = Some(Status::Running);
        true
    }

    /// Asks the run to stop: a queued run is cancelled at once, a running one between batches.
    pub fn request_cancel(&self) {
        let mut state = self.state();
        self.cancel.store(true, Ordering::Relaxed);
        if state.status == Some(Status::Queued) {
            state.status = Some(Status::Cancelled);
        }
    }

    /// Marks the run failed (its work panicked).
    pub fn fail(&self, message: String) {
        let mut state = self.state();
        state.error = Some(message);
        state.status = Some(Status::Failed);
    }

    fn publish_curves(&self, curves: Value) {
        let mut state = self.state();
        state.curves = (state.curves.0 + 1, Some(Arc::new(curves)));
    }
}

/// The names the run's scenario file and posterior draws download as.
pub const SCENARIO_FILE: &str = "scenario.toml";
pub const POSTERIOR_FILE: &str = "posterior.csv";

/// A file's arms, question and the sentence naming its arms, ready to run.
pub struct Prepared {
    pub arms: Vec<Arm>,
    pub question: String,
    pub statement: String,
}

/// The request file's arms, or the problem with it: located (line, column, key, expected,
/// found) as `linli check` reports it.
pub fn prepare(toml: &str) -> Result<Prepared, Value> {
    let plan = crate::experiment::parse(toml, Path::new(FILE)).map_err(|e| located(&e))?;
    let arms = resolve(&plan).map_err(|e| {
        let p = e.problem;
        json!({ "message": format!("arm {}: {}: expected {}, found {}", e.index, p.key, p.expected, p.found) })
    })?;
    if arms.len() < 2 {
        return Err(json!({ "message": format!("a comparison needs two arms or more, not {}", arms.len()) }));
    }
    let question = arms[0].sections.comparison.question.clone();
    let statement = arms_statement(&plan, &arms);
    Ok(Prepared { arms, question, statement })
}

/// The name uploaded and composed files go by in errors.
pub const FILE: &str = "workbench.toml";

/// A scenario error as the page shows it: the message, and where.
pub fn located(error: &ScenarioError) -> Value {
    json!({
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

/// Whether the workbench can compose runs of a community's file (`plan` is the file read): it
/// must set its replicates, and declare no `[[arm]]` (the page sets the designs).
pub fn composable(plan: &crate::experiment::Plan, text: &str) -> Result<(), String> {
    if !plan.arms.is_empty() {
        return Err(format!(
            "the file declares {} [[arm]]: the workbench sets the designs itself; remove them, or run `linli compare` on it",
            plan.arms.len()
        ));
    }
    set_replicates(text, 2).map(drop)
}

/// A community's file as the workbench reads it: its plan, or the problem (located, or in words).
pub fn community_plan(text: &str) -> Result<crate::experiment::Plan, Value> {
    let plan = crate::experiment::parse(text, Path::new(FILE)).map_err(|e| located(&e))?;
    composable(&plan, text).map_err(|message| json!({ "message": message }))?;
    Ok(plan)
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

/// Runs the job's arms in batches of as many replicates as there are threads, counting days
/// and publishing the curves after each batch; stops between batches when `run.cancel` is set.
pub fn execute(run: &Run, job: &Job) {
    let started = Instant::now();
    let arms = &job.prepared.arms;
    let on_day = || {
        run.done_days.fetch_add(1, Ordering::Relaxed);
    };
    let batch = (rayon::current_num_threads() as u32).max(2);
    if !run.start() {
        return;
    }
    let mut runs: Vec<ArmRun> = Vec::new();
    let mut start = 0;
    while start < job.replicates {
        if run.cancel.load(Ordering::Relaxed) {
            run.set(Status::Cancelled);
            return;
        }
        let end = (start + batch).min(job.replicates);
        let replicates: Vec<u32> = (start..end).collect();
        let more = match &job.posterior {
            Some(p) => run_arms_under(arms, &replicates, &p.draws, &on_day),
            None => run_arms(arms, &replicates, &on_day),
        };
        join(&mut runs, more);
        run.publish_curves(curves(&runs));
        start = end;
    }
    match finish(run, job, &runs, started) {
        Ok((result, files)) => {
            let mut state = run.state();
            state.result = Some(result);
            state.files.extend(files);
            state.status = Some(Status::Done);
        }
        Err(e) => run.fail(format!("the run finished but its results could not be written: {e:#}")),
    }
}

/// Adds a batch's replicates to the runs so far, arm by arm.
fn join(runs: &mut Vec<ArmRun>, more: Vec<ArmRun>) {
    if runs.is_empty() {
        *runs = more;
        return;
    }
    for (all, more) in runs.iter_mut().zip(more) {
        all.extend(more);
    }
}

/// The comparison, its bottom line and the downloads, as `linli compare` makes them.
fn finish(run: &Run, job: &Job, runs: &[ArmRun], started: Instant) -> anyhow::Result<(Value, Files)> {
    let mut comparison = compare(runs, WINDOW_DAYS);
    if let Some(p) = &job.posterior {
        add_posterior(&mut comparison, runs, &p.file, p.draws.rows.len());
    }
    let line = bottom_line(&comparison, &job.prepared.question);
    let sources = [format!("workbench-run-{}.toml", run.id)];
    let context = crate::output::comparison::ComparisonContext {
        runs,
        sources: &sources,
        texts: std::slice::from_ref(&run.toml),
        seed: job.prepared.arms[0].scenario.scenario.seed,
        runtime_seconds: started.elapsed().as_secs_f64(),
        arms_statement: &job.prepared.statement,
        bottom_line: &line,
    };
    let files = super::files::render(&comparison, &context)?;
    let result = json!({
        "comparison": comparison,
        "bottom_line": { "question": line.question(), "en": line.en, "zh": line.zh },
    });
    Ok((result, files))
}

/// Downloads by name.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Each arm's share of all residents active per recorded day: the mean over the replicates
/// finished so far, with its 95% interval (rounded for the page; the downloads are exact).
fn curves(runs: &[ArmRun]) -> Value {
    let round = |xs: Vec<f64>| -> Vec<Option<f64>> {
        xs.into_iter().map(|x| x.is_finite().then(|| (x * 1e5).round() / 1e5)).collect()
    };
    let arms: Vec<Value> = runs
        .iter()
        .map(|run| {
            let (mean, low, high) =
                crate::output::plot::daily_estimates(&run.output, |d| Group::All.of(d).active_rate());
            json!({ "name": run.name, "mean": round(mean), "low": round(low), "high": round(high) })
        })
        .collect();
    let dates: Vec<String> = runs[0].output.dates.iter().map(ToString::to_string).collect();
    json!({ "replicates": runs[0].output.replicates.len(), "dates": dates, "arms": arms })
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
                    levers: [
                        ("policy.time_bank.points_per_checkin".to_string(), Value::from(100)),
                        ("event.0.capacity".to_string(), Value::from(300)),
                    ]
                    .into(),
                },
            ],
            replicates: 3,
            posterior: false,
        };
        let text = compose(crate::scenario::DEFAULT_SCENARIO_TOML, &request).unwrap();
        let Prepared { arms, .. } = prepare(&text).unwrap();
        assert_eq!(arms.len(), 2);
        assert_eq!(arms[1].name, "100 \"points\"");
        assert_eq!(arms[1].scenario.policy.time_bank.points_per_checkin, 100);
        assert_eq!((arms[0].scenario.events[0].capacity, arms[1].scenario.events[0].capacity), (900, 300));
        assert_eq!(arms[0].scenario.scenario.replicates, 3);
        let bad = RunRequest {
            arms: vec![ArmRequest { name: "x".into(), levers: [("seed".to_string(), Value::from(1))].into() }],
            ..request
        };
        assert!(compose(crate::scenario::DEFAULT_SCENARIO_TOML, &bad).unwrap_err().contains("not a lever"));
    }
}
