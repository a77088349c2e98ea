//! `linli serve`: a workbench in the browser on localhost, where policy staff pick a community,
//! set its levers for two to four arms, run the comparison and read the verdict without writing
//! TOML; every run is a scenario file `linli compare` reproduces exactly.

pub mod levers;
pub mod runs;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use runs::{Run, RunRequest, Status};

/// The page: HTML, style and script in one file, with nothing fetched from elsewhere.
const PAGE: &str = include_str!("page.html");
/// The largest request body taken (an uploaded scenario is a few kilobytes).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Comparisons run at once; the others wait their turn.
const RUNNING_AT_ONCE: usize = 2;
/// Runs kept in memory; the oldest finished ones are forgotten first.
const RUNS_KEPT: usize = 200;
/// Replicates a run may ask for.
pub const REPLICATES: std::ops::RangeInclusive<u32> = 2..=40;

/// A community the workbench offers: its id and scenario file.
struct Community {
    id: &'static str,
    toml: &'static str,
}

const COMMUNITIES: [Community; 3] = [
    Community { id: "wanke-chenghua", toml: crate::scenario::DEFAULT_SCENARIO_TOML },
    Community { id: "jiahong-road", toml: include_str!("../../scenarios/jiahong-road.toml") },
    Community { id: "chenhui", toml: include_str!("../../scenarios/chenhui.toml") },
];

/// What every request shares.
#[derive(Clone)]
pub struct Workbench {
    runs: Arc<Mutex<BTreeMap<u64, Arc<Run>>>>,
    next: Arc<AtomicU64>,
    turns: Arc<Semaphore>,
    schema: Arc<Value>,
}

impl Default for Workbench {
    fn default() -> Workbench {
        Workbench {
            runs: Arc::default(),
            next: Arc::new(AtomicU64::new(1)),
            turns: Arc::new(Semaphore::new(RUNNING_AT_ONCE)),
            schema: Arc::new(crate::scenario::json_schema::schema_value()),
        }
    }
}

/// The workbench's routes.
pub fn router(workbench: Workbench) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/api/communities", get(communities))
        .route("/api/levers", get(levers_of))
        .route("/api/check", axum::routing::post(check))
        .route("/api/runs", axum::routing::post(start))
        .route("/api/runs/{id}", get(status).delete(cancel))
        .route("/api/runs/{id}/scenario.toml", get(scenario_file))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such page or API route".into()) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(workbench)
}

/// Serves the workbench on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    axum::serve(listener, router(Workbench::default())).await?;
    Ok(())
}

fn error(code: StatusCode, message: String) -> Response {
    (code, Json(json!({ "error": { "message": message } }))).into_response()
}

fn community(id: &str) -> Option<&'static Community> {
    COMMUNITIES.iter().find(|c| c.id == id)
}

async fn communities() -> Json<Value> {
    let list: Vec<Value> = COMMUNITIES
        .iter()
        .filter_map(|c| {
            let scenario = crate::scenario::parse(c.toml, std::path::Path::new(c.id)).ok()?;
            Some(json!({
                "id": c.id,
                "name": scenario.scenario.name,
                "description": scenario.scenario.description,
                "residents": scenario.community.residents,
            }))
        })
        .collect();
    Json(Value::Array(list))
}

async fn levers_of(State(wb): State<Workbench>, Query(query): Query<BTreeMap<String, String>>) -> Response {
    let id = query.get("community").map_or("wanke-chenghua", String::as_str);
    let Some(c) = community(id) else { return error(StatusCode::NOT_FOUND, format!("no community `{id}`")) };
    match crate::scenario::parse(c.toml, std::path::Path::new(c.id)) {
        Ok(scenario) => Json(levers::levers(&scenario, &wb.schema)).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// Checks an uploaded scenario file as `linli check` does.
async fn check(body: String) -> Response {
    match runs::prepare(&body) {
        Ok((arms, _)) => Json(json!({
            "ok": true,
            "name": arms[0].scenario.scenario.name,
            "residents": arms[0].scenario.community.residents,
        }))
        .into_response(),
        Err(problem) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": problem }))).into_response(),
    }
}

/// Starts a comparison; it waits its turn behind the runs already going.
async fn start(State(wb): State<Workbench>, Json(request): Json<RunRequest>) -> Response {
    let arms_asked = request.arms.len();
    if !(2..=4).contains(&arms_asked) {
        return error(StatusCode::BAD_REQUEST, format!("a comparison has 2 to 4 arms, not {arms_asked}"));
    }
    if !REPLICATES.contains(&request.replicates) {
        let (low, high) = (REPLICATES.start(), REPLICATES.end());
        return error(
            StatusCode::BAD_REQUEST,
            format!("replicates: expected {low} to {high}, found {}", request.replicates),
        );
    }
    let base = match (&request.community, &request.scenario) {
        (Some(id), None) => match community(id) {
            Some(c) => c.toml.to_string(),
            None => return error(StatusCode::BAD_REQUEST, format!("no community `{id}`")),
        },
        (None, Some(text)) => text.clone(),
        _ => return error(StatusCode::BAD_REQUEST, "give either `community` or `scenario`, not both".into()),
    };
    let toml = match runs::compose(&base, &request) {
        Ok(text) => text,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let (arms, question) = match runs::prepare(&toml) {
        Ok(prepared) => prepared,
        Err(problem) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": problem }))).into_response(),
    };
    let run = Arc::new(Run {
        total_days: runs::total_days(&arms, request.replicates),
        toml,
        done_days: AtomicU64::new(0),
        cancel: AtomicBool::new(false),
        state: Mutex::new((Status::Queued, None, None)),
    });
    let id = wb.next.fetch_add(1, Ordering::Relaxed);
    remember(&wb, id, run.clone());
    let turns = wb.turns.clone();
    let replicates = request.replicates;
    tokio::spawn(async move {
        let Ok(_turn) = turns.acquire_owned().await else { return };
        let job = tokio::task::spawn_blocking(move || runs::execute(&run, &arms, &question, replicates));
        let _ = job.await;
    });
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

/// Keeps `run`, forgetting the oldest finished runs beyond [`RUNS_KEPT`].
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
}

fn find(wb: &Workbench, id: u64) -> Option<Arc<Run>> {
    wb.runs.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned()
}

async fn status(State(wb): State<Workbench>, Path(id): Path<u64>) -> Response {
    match find(&wb, id) {
        Some(run) => Json(run.view(id)).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no run {id}")),
    }
}

async fn cancel(State(wb): State<Workbench>, Path(id): Path<u64>) -> Response {
    match find(&wb, id) {
        Some(run) => {
            run.cancel.store(true, Ordering::Relaxed);
            (StatusCode::ACCEPTED, Json(run.view(id))).into_response()
        }
        None => error(StatusCode::NOT_FOUND, format!("no run {id}")),
    }
}

/// The scenario file of a run, for `linli compare` to reproduce it.
async fn scenario_file(State(wb): State<Workbench>, Path(id): Path<u64>) -> Response {
    match find(&wb, id) {
        Some(run) => {
            let disposition = format!("attachment; filename=\"workbench-run-{id}.toml\"");
            (
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                run.toml.clone(),
            )
                .into_response()
        }
        None => error(StatusCode::NOT_FOUND, format!("no run {id}")),
    }
}
