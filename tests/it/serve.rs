//! `linli serve`: the workbench's API as the page uses it, over HTTP against the real binary: a
//! run that `linli compare` reproduces exactly from its downloaded file (with and without the
//! calibration's uncertainty), its downloads, curves streamed as replicates finish, bad requests
//! answered with 4xx and a message while the server keeps working, runs side by side,
//! cancelling, and a run cancelled when its page goes away.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{BIN, linli, pandas_or_skip};

/// A running `linli serve` on a free port, stopped when dropped.
pub struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// A server offering `files` beside the shipped communities.
    pub fn start_with(files: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--threads", "2"])
            .args(files)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("linli serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.split("http://").nth(1).and_then(|s| s.split('/').next()).expect("the address").to_string();
        assert!(address.starts_with("127.0.0.1:"), "serves this machine only by default: {line}");
        Server { child, address }
    }

    /// One request; the status and the body.
    pub fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        http(&self.address, method, path, body)
    }

    pub fn json(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        // No body for a bodiless request: a server that closes the connection with unread
        // bytes waiting may reset it, cutting the response short.
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let (status, text) = self.request(method, path, &body);
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Polls a run until it ends; its last state.
    pub fn wait(&self, id: &Value) -> Value {
        let started = Instant::now();
        loop {
            let (status, state) = self.json("GET", &format!("/api/runs/{id}"), &Value::Null);
            assert_eq!(status, 200, "{state}");
            let now = state["status"].as_str().unwrap_or_else(|| panic!("no status: {:.300}", state.to_string()));
            if !["queued", "running"].contains(&now) {
                return state;
            }
            assert!(started.elapsed() < Duration::from_secs(300), "run {id} still {}", state["status"]);
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request to `address`; the status and the body.
pub fn http(address: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body.as_bytes()); // a refused huge body may close the stream early
    let text = String::from_utf8_lossy(&read_response(&mut stream)).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    (status, if chunked { unchunk(body) } else { body.to_string() })
}

/// The response's bytes: up to its Content-Length or last chunk (a server may keep the
/// connection open despite `Connection: close`), else to the end of the stream.
fn read_response(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length =
                head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok());
            if length.is_some_and(|n: usize| raw.len() >= end + 4 + n) || raw.ends_with(b"\r\n0\r\n\r\n") {
                return raw;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return raw,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
        }
    }
}

fn unchunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

fn tiny_scenario() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/sweep-small.toml")).unwrap()
}

#[test]
fn a_workbench_run_is_reproduced_exactly_by_linli_compare_on_its_downloaded_file() {
    let server = Server::start();
    let (status, page) = server.request("GET", "/", "");
    assert_eq!(status, 200);
    assert!(page.contains("邻里") && page.contains("/api/runs"), "the page");
    let (_, levers) = server.json("GET", "/api/levers?community=wanke-chenghua", &Value::Null);
    let points = levers.as_array().unwrap().iter().find(|l| l["path"] == "policy.time_bank.points_per_checkin");
    assert_eq!(points.unwrap()["value"], 50, "the community's own value");
    let request = json!({
        "community": "wanke-chenghua",
        "replicates": 2,
        // Names a spreadsheet or a type guesser could misread: they stay text in every download.
        "arms": [
            { "name": "1" },
            { "name": "-100 points", "levers": { "policy.time_bank.points_per_checkin": 100, "event.0.capacity": 300 } },
        ],
    });
    let (status, started) = server.json("POST", "/api/runs", &request);
    assert_eq!(status, 201, "{started}");
    let state = server.wait(&started["id"]);
    assert_eq!(state["status"], "done", "{state}");
    assert_eq!(state["done_days"], state["total_days"], "progress reaches the end");
    let dir = tempfile::tempdir().unwrap();
    let files = download_all(&server, &state, dir.path());
    assert!(files.len() >= 10, "tables, their Parquet, JSON, report and scenario: {files:?}");
    let out = dir.path().join("out");
    let toml = dir.path().join("scenario.toml");
    assert!(std::fs::read_to_string(&toml).unwrap().contains("\"event.0.capacity\" = 300"), "an event lever");
    let cli = linli(&["compare", toml.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap()).unwrap();
    let page_result = &state["result"]["comparison"];
    for key in ["rows", "costs", "measures", "cost_ranking"] {
        assert_eq!(written[key], page_result[key], "{key}: the page and `linli compare` differ");
    }
    assert_eq!(written["bottom_line"]["en"], state["result"]["bottom_line"]["en"]);
    for table in ["comparison.csv", "replicates.csv", "arms_timeseries.csv", "measures_comparison.csv"] {
        let (page, cli) = (std::fs::read(dir.path().join(table)).unwrap(), std::fs::read(out.join(table)).unwrap());
        assert!(page == cli, "{table}: the download and `linli compare`'s file differ");
    }
    let report = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let first_sentence = state["result"]["bottom_line"]["en"][0].as_str().unwrap();
    let opening: String = first_sentence.chars().take(30).collect();
    assert!(report.contains("<svg") && report.contains(&opening), "the report has its charts and verdict");
    if pandas_or_skip() {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/parquet_tables.py");
        let tables = ["comparison", "replicates", "arms_timeseries", "measures_comparison"];
        let read = Command::new("python3").arg(script).arg(dir.path()).args(tables).output().unwrap();
        assert!(read.status.success(), "pandas: {}", String::from_utf8_lossy(&read.stderr));
    }
}

/// Downloads every file a finished run offers into `dir`; their names.
fn download_all(server: &Server, state: &Value, dir: &Path) -> Vec<String> {
    let names: Vec<String> = state["files"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().into()).collect();
    for name in &names {
        let (status, head, body) = raw(&server.address, &format!("/api/runs/{}/files/{name}", state["id"]));
        assert_eq!(status, 200, "{name}");
        assert!(head.contains("content-disposition: attachment"), "{name} downloads as a file: {head}");
        std::fs::write(dir.join(name), body).unwrap();
    }
    names
}

/// A GET whose body may be binary: status, head (lower case) and body bytes.
fn raw(address: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let bytes = read_response(&mut stream);
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, head, bytes[end + 4..].to_vec())
}

/// Reads a run's server-sent events until `stop` says so (or the stream ends): (event, data).
fn events(address: &str, id: &Value, mut stop: impl FnMut(&str, &Value) -> bool) -> Vec<(String, Value)> {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(stream, "GET /api/runs/{id}/events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut seen = Vec::new();
    let (mut name, mut lines) = (String::new(), BufReader::new(stream).lines());
    while let Some(Ok(line)) = lines.next() {
        if let Some(event) = line.strip_prefix("event: ") {
            name = event.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            let data: Value = serde_json::from_str(data).unwrap();
            let done = stop(&name, &data);
            seen.push((std::mem::take(&mut name), data));
            if done {
                break;
            }
        }
    }
    seen
}

#[test]
fn the_curves_grow_as_replicates_finish_and_end_as_the_downloaded_table_says() {
    let server = Server::start();
    let request = json!({
        "community": "jiahong-road",
        "replicates": 6,
        "arms": [{ "name": "a" }, { "name": "b", "levers": { "policy.time_bank.enabled": false } }],
    });
    let (status, started) = server.json("POST", "/api/runs", &request);
    assert_eq!(status, 201, "{started}");
    let seen = events(&server.address, &started["id"], |name, _| name == "end");
    let replicates: Vec<u64> =
        seen.iter().filter(|(n, _)| n == "curves").map(|(_, c)| c["replicates"].as_u64().unwrap()).collect();
    // A curve after each batch of two replicates (two threads); the stream sends the newest.
    assert!(replicates.len() >= 2 && replicates.windows(2).all(|w| w[0] < w[1]), "{replicates:?}");
    assert_eq!(replicates.last(), Some(&6));
    assert!(seen.iter().any(|(n, p)| n == "progress" && p["done_days"].as_u64() < p["total_days"].as_u64()));
    let (last, end) = seen.last().unwrap();
    assert_eq!((last.as_str(), end["status"].as_str()), ("end", Some("done")));
    let (_, _, table) = raw(&server.address, &format!("/api/runs/{}/files/arms_timeseries.csv", started["id"]));
    let mut reader = csv::Reader::from_reader(table.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).filter(|r| &r[2] == "all").collect();
    let curves = &end["curves"]["arms"];
    let days = curves[0]["mean"].as_array().unwrap().len();
    assert_eq!(rows.len(), 2 * days, "a curve point per arm and day");
    for (k, row) in rows.iter().enumerate() {
        let shown = curves[k / days]["mean"][k % days].as_f64().unwrap();
        let exact: f64 = row[4].parse().unwrap();
        assert!((shown - exact).abs() <= 6e-6, "arm {}, day {}: {shown} against {exact}", k / days, k % days);
    }
}

#[test]
fn closing_the_page_that_watches_a_run_cancels_it() {
    let server = Server::start();
    let request = json!({
        "community": "wanke-chenghua",
        "replicates": 40,
        "arms": [{ "name": "a" }, { "name": "b", "levers": { "policy.riders.enabled": false } }],
    });
    let (_, started) = server.json("POST", "/api/runs", &request);
    events(&server.address, &started["id"], |name, _| name == "progress"); // the tab closes here
    let state = server.wait(&started["id"]);
    assert_eq!(state["status"], "cancelled", "{}", state["status"]);
    assert!(state["done_days"].as_u64() < state["total_days"].as_u64(), "it stopped before the end");
    assert_eq!(state["files"], json!(["scenario.toml"]), "nothing but its file is left of it");
}

#[test]
fn a_run_under_the_calibration_is_reproduced_by_linli_compare_with_its_posterior() {
    let server = Server::start();
    let arms = json!([{ "name": "as it is" }, { "name": "25 points", "levers": { "policy.time_bank.points_per_checkin": 25 } }]);
    let request = json!({ "community": "wanke-chenghua", "replicates": 2, "posterior": true, "arms": arms });
    let (status, started) = server.json("POST", "/api/runs", &request);
    assert_eq!(status, 201, "{started}");
    let state = server.wait(&started["id"]);
    assert_eq!(state["status"], "done", "{state}");
    let dir = tempfile::tempdir().unwrap();
    download_all(&server, &state, dir.path());
    let out = dir.path().join("out");
    let (toml, draws) = (dir.path().join("scenario.toml"), dir.path().join("posterior.csv"));
    let args =
        ["compare", toml.to_str().unwrap(), "--posterior", draws.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let cli = linli(&args);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap()).unwrap();
    let page = &state["result"]["comparison"];
    assert_eq!(written["rows"], page["rows"]);
    assert_eq!(written["posterior"]["effects"], page["posterior"]["effects"], "P(better) and the change's spread");
    assert_eq!(page["posterior"]["draws"], 400);
    for (request, why) in [
        (json!({ "community": "chenhui", "replicates": 2, "posterior": true, "arms": arms }), "misspecified"),
        (
            json!({ "scenario": tiny_scenario(), "replicates": 2, "posterior": true, "arms": arms }),
            "no shipped calibration",
        ),
    ] {
        let (status, answer) = server.json("POST", "/api/runs", &request);
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(why), "{answer}");
    }
}

#[test]
fn scenario_files_given_to_serve_are_offered_and_a_bad_one_stops_it_with_its_location() {
    let small = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/sweep-small.toml");
    let server = Server::start_with(&[small]);
    let (_, list) = server.json("GET", "/api/communities", &Value::Null);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["wanke-chenghua", "jiahong-road", "chenhui", "sweep-small"]);
    let (status, levers) = server.json("GET", "/api/levers?community=sweep-small", &Value::Null);
    assert_eq!(status, 200, "{levers}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[scenario]\nversion = 1\nname = 3\n").unwrap();
    let refused = linli(&["serve", "--port", "0", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("bad.toml:3") && message.contains("scenario.name"), "{message}");
}

#[test]
fn bad_requests_get_a_4xx_with_a_message_and_the_server_keeps_working() {
    let server = Server::start();
    let arms = json!([{ "name": "a" }, { "name": "b" }]);
    let cases: Vec<(&str, &str, String, u16)> = vec![
        ("POST", "/api/runs", "{not json".into(), 400),
        ("POST", "/api/runs", json!({ "community": "wanke-chenghua", "replicates": 2, "arms": arms, "extra": 1 }).to_string(), 422),
        ("POST", "/api/runs", json!({ "community": "wanke-chenghua", "replicates": 2, "arms": [{ "name": "a" }] }).to_string(), 400),
        ("POST", "/api/runs", json!({ "community": "atlantis", "replicates": 2, "arms": arms }).to_string(), 400),
        ("POST", "/api/runs", json!({ "community": "wanke-chenghua", "replicates": 1000, "arms": arms }).to_string(), 400),
        (
            "POST",
            "/api/runs",
            json!({ "community": "wanke-chenghua", "replicates": 2, "arms": [{ "name": "a" }, { "name": "b", "levers": { "seed": 3 } }] })
                .to_string(),
            400,
        ),
        (
            "POST",
            "/api/runs",
            json!({ "community": "wanke-chenghua", "replicates": 2, "arms": [{ "name": "a" }, { "name": "b", "levers": { "policy.time_bank.points_per_checkin": -5 } }] })
                .to_string(),
            422,
        ),
        (
            "POST",
            "/api/runs",
            json!({ "community": "wanke-chenghua", "replicates": 2, "arms": [{ "name": "a" }, { "name": "b", "levers": { "event.99.capacity": 5 } }] })
                .to_string(),
            422,
        ),
        ("POST", "/api/check", "[scenario]\nversion = 1\nname = 3\n".into(), 422),
        ("GET", "/api/runs/1/files/report.html", String::new(), 404),
        ("POST", "/api/runs", "x".repeat(400 * 1024), 413),
        ("GET", "/api/runs/999", String::new(), 404),
        ("GET", "/api/levers?community=atlantis", String::new(), 404),
        ("DELETE", "/api/communities", String::new(), 405),
        ("GET", "/no/such/page", String::new(), 404),
    ];
    for (method, path, body, expected) in cases {
        let (status, text) = server.request(method, path, &body);
        assert_eq!(status, expected, "{method} {path}: {text}");
        assert!(!text.trim().is_empty() || status == 405, "{method} {path}: a message");
    }
    let (status, checked) = server.json("POST", "/api/check", &Value::Null);
    assert_eq!(status, 422, "an empty file is refused: {checked}");
    let (status, checked) = server.request("POST", "/api/check", &tiny_scenario());
    assert_eq!(status, 200, "a plain scenario file is accepted: {checked}");
    let checked: Value = serde_json::from_str(&checked).unwrap();
    assert!(checked["levers"].as_array().is_some_and(|l| l.len() >= 14), "with its levers");
    let with_arms = format!("{}\n[[arm]]\nname = \"a\"\n\n[[arm]]\nname = \"b\"\n", tiny_scenario());
    let (status, refused) = server.request("POST", "/api/check", &with_arms);
    assert!(status == 422 && refused.contains("[[arm]]"), "the page sets the designs: {refused}");
    let (_, problem) = server.request("POST", "/api/check", "[scenario]\nversion = 1\nname = 3\n");
    let problem: Value = serde_json::from_str(&problem).unwrap();
    assert_eq!((problem["error"]["line"].as_u64(), problem["error"]["key"].as_str()), (Some(3), Some("scenario.name")));
    let (status, _) = server.json("GET", "/api/communities", &Value::Null);
    assert_eq!(status, 200, "the server still answers");
}

#[test]
fn runs_side_by_side_all_finish_and_a_cancelled_run_stops() {
    let server = Server::start();
    let long = json!({
        "community": "wanke-chenghua",
        "replicates": 40,
        "arms": [{ "name": "a" }, { "name": "b", "levers": { "policy.time_bank.enabled": false } }],
    });
    let (status, cancelled) = server.json("POST", "/api/runs", &long);
    assert_eq!(status, 201);
    let (_, other) = server.json("POST", "/api/runs", &long);
    for id in [&cancelled["id"], &other["id"]] {
        while server.json("GET", &format!("/api/runs/{id}"), &Value::Null).1["status"] != "running" {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let (_, queued) = server.json("POST", "/api/runs", &long);
    let (status, answer) = server.json("DELETE", &format!("/api/runs/{}", queued["id"]), &Value::Null);
    assert_eq!((status, answer["status"].as_str()), (202, Some("cancelled")), "a queued run is cancelled at once");
    for id in [&cancelled["id"], &other["id"]] {
        let (status, _) = server.json("DELETE", &format!("/api/runs/{id}"), &Value::Null);
        assert_eq!(status, 202);
    }
    let ids: Vec<Value> = (0..4)
        .map(|k| {
            let request = json!({
                "scenario": tiny_scenario(),
                "replicates": 2,
                "arms": [{ "name": "a" }, { "name": "b", "levers": { "policy.time_bank.points_per_checkin": 10 + k } }],
            });
            let (status, started) = server.json("POST", "/api/runs", &request);
            assert_eq!(status, 201, "{started}");
            started["id"].clone()
        })
        .collect();
    for id in &ids {
        assert_eq!(server.wait(id)["status"], "done");
    }
    let state = server.wait(&cancelled["id"]);
    assert_eq!(state["status"], "cancelled");
    assert!(state["done_days"].as_u64() < state["total_days"].as_u64(), "it stopped before the end");
}

/// The server's resident memory in KiB (Linux), to see it stays bounded.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn twenty_clients_run_at_once_and_two_hundred_bad_requests_are_refused_without_harm() {
    let server = Server::start();
    let pid = server.child.id();
    let good = |k: u32| {
        json!({
            "scenario": tiny_scenario(),
            "replicates": 2,
            "arms": [{ "name": "a" }, { "name": "b", "levers": { "policy.time_bank.points_per_checkin": 5 + k } }],
        })
    };
    let bad: Vec<(String, String, String)> = (0..200)
        .map(|k| {
            let (method, path, body) = match k % 5 {
                0 => ("POST", "/api/runs", format!("{{\"arms\": [{k}")),
                1 => ("POST", "/api/runs", json!({ "scenario": format!("[scenario]\nversion = {k}\n"), "replicates": 2, "arms": [{ "name": "a" }, { "name": "b" }] }).to_string()),
                2 => ("POST", "/api/runs", "y".repeat(300 * 1024 + k)),
                3 => ("GET", "/api/unknown", String::new()),
                _ => ("POST", "/api/check", format!("[community]\nresidents = -{k}\n")),
            };
            (method.to_string(), path.to_string(), body)
        })
        .collect();
    let before = resident_kib(pid);
    std::thread::scope(|s| {
        let runs: Vec<_> = (0..20)
            .map(|k| {
                let (server, request) = (&server, good(k));
                s.spawn(move || {
                    let (status, started) = server.json("POST", "/api/runs", &request);
                    assert_eq!(status, 201, "{started}");
                    server.wait(&started["id"])["status"].clone()
                })
            })
            .collect();
        for chunk in bad.chunks(50) {
            let server = &server;
            s.spawn(move || {
                for (method, path, body) in chunk {
                    let (status, text) = server.request(method, path, body);
                    assert!((400..500).contains(&status), "{method} {path}: {status} {text:.200}");
                    assert!(!text.trim().is_empty(), "{method} {path}: a message");
                }
            });
        }
        for run in runs {
            assert_eq!(run.join().unwrap(), "done", "every good run completes");
        }
    });
    let after = resident_kib(pid);
    assert!(after < before + 300 * 1024, "memory grew from {before} KiB to {after} KiB");
    let (status, _) = server.json("GET", "/api/communities", &Value::Null);
    assert_eq!(status, 200, "the server is alive and answers");
}
