//! `linli serve`: a workbench in the browser on localhost, where policy staff pick a community,
//! set its levers for two to four arms, run the comparison, watch its curves grow and read the
//! verdict without writing TOML; every run is a scenario file `linli compare` reproduces exactly.

pub mod communities;
pub mod files;
pub mod levers;
pub mod runs;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use communities::Community;
use runs::{Job, Run, RunRequest};

/// The page: HTML, style and script in one file; its only other files are the charting library's.
const PAGE: &str = include_str!("page.html");
/// uPlot 1.6.32 (MIT, Leon Sorokin), vendored from npm so the page needs no network.
const UPLOT_JS: &str = include_str!("vendor/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("vendor/uPlot.min.css");
/// The largest request body taken (an uploaded scenario is a few kilobytes).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Comparisons run at once; the others wait their turn.
const RUNNING_AT_ONCE: usize = 2;
/// Runs kept in memory; the oldest finished ones are forgotten first.
const RUNS_KEPT: usize = 200;
/// Finished runs whose downloads are kept; older ones keep only their scenario file.
const FILES_KEPT: usize = 20;
/// Runs queued or running at once; more are refused (429) until one ends.
const UNFINISHED_KEPT: usize = 64;
/// Replicates a run may ask for.
pub const REPLICATES: std::ops::RangeInclusive<u32> = 2..=40;
/// How often a watched run's progress is pushed to its page.
const PUSH_EVERY: Duration = Duration::from_millis(300);

/// What every request shares.
#[derive(Clone)]
pub struct Workbench {
    communities: Arc<Vec<Community>>,
    runs: Arc<Mutex<BTreeMap<u64, Arc<Run>>>>,
    next: Arc<AtomicU64>,
    turns: Arc<Semaphore>,
    schema: Arc<Value>,
}

impl Workbench {
    /// A workbench offering `communities`.
    pub fn new(communities: Vec<Community>) -> Workbench {
        Workbench {
            communities: Arc::new(communities),
            runs: Arc::default(),
            next: Arc::new(AtomicU64::new(1)),
            turns: Arc::new(Semaphore::new(RUNNING_AT_ONCE)),
            schema: Arc::new(crate::scenario::json_schema::schema_value()),
        }
    }
}

impl Default for Workbench {
    /// The shipped communities.
    fn default() -> Workbench {
        Workbench::new(communities::shipped())
    }
}

/// The workbench's routes.
pub fn router(workbench: Workbench) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/vendor/uPlot.iife.min.js", get(|| async { asset("text/javascript; charset=utf-8", UPLOT_JS) }))
        .route("/vendor/uPlot.min.css", get(|| async { asset("text/css; charset=utf-8", UPLOT_CSS) }))
        .route("/api/communities", get(communities_list))
        .route("/api/levers", get(levers_of))
        .route("/api/check", axum::routing::post(check))
        .route("/api/runs", axum::routing::post(start))
        .route("/api/runs/{id}", get(status).delete(cancel))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/files/{name}", get(download))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such page or API route".into()) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(workbench)
}

/// Serves `workbench` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, workbench: Workbench) -> anyhow::Result<()> {
    axum::serve(listener, router(workbench)).await?;
    Ok(())
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}

fn error(code: StatusCode, message: String) -> Response {
    (code, Json(json!({ "error": { "message": message } }))).into_response()
}

fn community<'a>(wb: &'a Workbench, id: &str) -> Option<&'a Community> {
    wb.communities.iter().find(|c| c.id == id)
}

async fn communities_list(State(wb): State<Workbench>) -> Json<Value> {
    Json(Value::Array(wb.communities.iter().map(Community::summary).collect()))
}

async fn levers_of(State(wb): State<Workbench>, Query(query): Query<BTreeMap<String, String>>) -> Response {
    let id = query.get("community").map_or(wb.communities[0].id.as_str(), String::as_str);
    let Some(c) = community(&wb, id) else { return error(StatusCode::NOT_FOUND, format!("no community `{id}`")) };
    Json(levers::levers(&c.scenario, &wb.schema)).into_response()
}

/// Checks an uploaded scenario file as `linli check` does (and that the workbench can set its
/// designs); its levers come back with it.
async fn check(State(wb): State<Workbench>, body: String) -> Response {
    match runs::community_plan(&body) {
        Ok(plan) => Json(json!({
            "ok": true,
            "name": plan.scenario.scenario.name,
            "residents": plan.scenario.community.residents,
            "levers": levers::levers(&plan.scenario, &wb.schema),
        }))
        .into_response(),
        Err(problem) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": problem }))).into_response(),
    }
}

/// Starts a comparison; it waits its turn behind the runs already going.
async fn start(State(wb): State<Workbench>, Json(request): Json<RunRequest>) -> Response {
    let waiting = wb.runs.lock().unwrap_or_else(|p| p.into_inner()).values().filter(|r| !r.finished()).count();
    if waiting >= UNFINISHED_KEPT {
        let message = format!("{waiting} runs are queued or running: start this one when one of them has ended");
        return error(StatusCode::TOO_MANY_REQUESTS, message);
    }
    // Checking the posterior draws against every arm builds hundreds of scenarios: off the
    // server's own threads.
    let planning = wb.clone();
    let (toml, job) = match tokio::task::spawn_blocking(move || plan(&planning, &request)).await {
        Ok(Ok(planned)) => planned,
        Ok(Err((status, problem))) => return (status, Json(json!({ "error": problem }))).into_response(),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("the request could not be read: {e}")),
    };
    let id = wb.next.fetch_add(1, Ordering::Relaxed);
    let run = Arc::new(Run::new(id, toml, &job));
    remember(&wb, id, run.clone());
    let turns = wb.turns.clone();
    tokio::spawn(async move {
        let Ok(_turn) = turns.acquire_owned().await else { return };
        let running = run.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || runs::execute(&running, &job)).await {
            run.fail(format!("the run stopped on an internal error (please report it): {e}"));
        }
    });
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

/// Why a request is refused: its status and the error's JSON.
type Refusal = (StatusCode, Value);

/// The request's file and job, or why it is refused.
fn plan(wb: &Workbench, request: &RunRequest) -> Result<(String, Job), Refusal> {
    let bad = |message: String| (StatusCode::BAD_REQUEST, json!({ "message": message }));
    let arms_asked = request.arms.len();
    if !(2..=4).contains(&arms_asked) {
        return Err(bad(format!("a comparison has 2 to 4 arms, not {arms_asked}")));
    }
    if !REPLICATES.contains(&request.replicates) {
        let (low, high) = (REPLICATES.start(), REPLICATES.end());
        return Err(bad(format!("replicates: expected {low} to {high}, found {}", request.replicates)));
    }
    let (base, calibration) = match (&request.community, &request.scenario) {
        (Some(id), None) => match community(wb, id) {
            Some(c) => (c.toml.as_str(), c.calibration.as_ref()),
            None => return Err(bad(format!("no community `{id}`"))),
        },
        (None, Some(text)) => {
            runs::community_plan(text).map_err(|problem| (StatusCode::UNPROCESSABLE_ENTITY, problem))?;
            (text.as_str(), None)
        }
        (Some(_), Some(_)) => return Err(bad("give either `community` or `scenario`, not both".into())),
        (None, None) => return Err(bad("give `community` (a community's id) or `scenario` (a file's text)".into())),
    };
    let posterior = match (request.posterior, calibration) {
        (false, _) => None,
        (true, Some(c)) if !c.misspecified => Some(c.draws.clone()),
        (true, Some(c)) => {
            return Err(bad(format!(
                "the calibration found the model misspecified here, so it is not offered: {}",
                c.verdict
            )));
        }
        (true, None) => return Err(bad("`posterior`: this community has no shipped calibration".into())),
    };
    let toml = runs::compose(base, request).map_err(bad)?;
    let unprocessable = |problem: Value| (StatusCode::UNPROCESSABLE_ENTITY, problem);
    let prepared = runs::prepare(&toml).map_err(unprocessable)?;
    if let Some(p) = &posterior
        && let Some(misfit) = crate::experiment::posterior::misfit(&p.draws, &prepared.arms)
    {
        return Err(unprocessable(json!({ "message": communities::misfit_message(&misfit) })));
    }
    Ok((toml, Job { prepared, replicates: request.replicates, posterior }))
}

/// Keeps `run`, forgetting the oldest finished runs beyond [`RUNS_KEPT`] and the downloads of
/// finished runs beyond [`FILES_KEPT`].
fn remember(wb: &Workbench, id: u64, run: Arc<Run>) {
    let mut all = wb.runs.lock().unwrap_or_else(|p| p.into_inner());
    all.insert(id, run);
    while all.len() > RUNS_KEPT {
        let finished = all.iter().find(|(_, r)| r.finished()).map(|(&k, _)| k);
        match finished {
            Some(k) => all.remove(&k),
            None => break,
        };
    }
    let finished: Vec<&Arc<Run>> = all.values().filter(|r| r.finished()).collect();
    for old in finished.iter().rev().skip(FILES_KEPT) {
        old.drop_files();
    }
}

fn find(wb: &Workbench, id: u64) -> Option<Arc<Run>> {
    wb.runs.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned()
}

fn no_run(id: u64) -> Response {
    error(StatusCode::NOT_FOUND, format!("no run {id}"))
}

async fn status(State(wb): State<Workbench>, Path(id): Path<u64>) -> Response {
    match find(&wb, id) {
        Some(run) => Json(run.view()).into_response(),
        None => no_run(id),
    }
}

async fn cancel(State(wb): State<Workbench>, Path(id): Path<u64>) -> Response {
    match find(&wb, id) {
        Some(run) => {
            run.request_cancel();
            (StatusCode::ACCEPTED, Json(run.progress())).into_response()
        }
        None => no_run(id),
    }
}

/// A run's downloads: its scenario file at once, the tables, JSON and report once it is done.
async fn download(State(wb): State<Workbench>, Path((id, name)): Path<(u64, String)>) -> Response {
    let Some(run) = find(&wb, id) else { return no_run(id) };
    let Some(bytes) = run.file(&name) else {
        return error(StatusCode::NOT_FOUND, format!("run {id} has no file `{name}` (yet, or any more)"));
    };
    let filename = if name == runs::SCENARIO_FILE {
        format!("workbench-run-{id}.toml")
    } else {
        format!("workbench-run-{id}-{name}")
    };
    let headers = [
        (header::CONTENT_TYPE, files::content_type(&name).to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
    ];
    (headers, bytes).into_response()
}

/// A watched run: when its events stream closes before it ends (the tab closed or reloaded, or
/// the connection lost), it is cancelled.
struct Watcher(Arc<Run>);

impl Drop for Watcher {
    fn drop(&mut self) {
        if !self.0.finished() {
            self.0.request_cancel();
        }
    }
}

/// A run's progress as server-sent events: `progress` every [`PUSH_EVERY`], `curves` whenever
/// a batch of replicates has finished, and `end` (the whole state) when it ends.
async fn events(State(wb): State<Workbench>, Path(id): Path<u64>) -> Response {
    let Some(run) = find(&wb, id) else { return no_run(id) };
    let stream = futures_util::stream::unfold((Watcher(run), 0, false), |(watcher, seen, ended)| async move {
        if ended {
            return None;
        }
        let run = &watcher.0;
        let (version, curves) = run.curves();
        let (event, seen, ended) = if version != seen {
            (Event::default().event("curves").data(json_text(curves.as_deref())), version, false)
        } else if run.finished() {
            (Event::default().event("end").data(run.view().to_string()), seen, true)
        } else {
            tokio::time::sleep(PUSH_EVERY).await;
            (Event::default().event("progress").data(run.progress().to_string()), seen, false)
        };
        Some((Ok::<_, Infallible>(event), (watcher, seen, ended)))
    });
    Sse::new(stream).into_response()
}

fn json_text(value: Option<&Value>) -> String {
    value.map_or_else(|| "null".into(), Value::to_string)
}
