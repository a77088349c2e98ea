//! `linli serve`: the workbench's API as the page uses it, over HTTP against the real binary: a
//! run that `linli compare` reproduces exactly from its downloaded file, bad requests answered
//! with 4xx and a message while the server keeps working, runs side by side, cancelling.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{BIN, linli};

/// A running `linli serve` on a free port, stopped when dropped.
pub struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    pub fn start() -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--threads", "2"])
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
        let (status, text) = self.request(method, path, &body.to_string());
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Polls a run until it ends; its last state.
    pub fn wait(&self, id: &Value) -> Value {
        let started = Instant::now();
        loop {
            let (status, state) = self.json("GET", &format!("/api/runs/{id}"), &Value::Null);
            assert_eq!(status, 200, "{state}");
            if !["queued", "running"].contains(&state["status"].as_str().unwrap()) {
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
        "arms": [{ "name": "as it is" }, { "name": "100 points", "levers": { "policy.time_bank.points_per_checkin": 100 } }],
    });
    let (status, started) = server.json("POST", "/api/runs", &request);
    assert_eq!(status, 201, "{started}");
    let state = server.wait(&started["id"]);
    assert_eq!(state["status"], "done", "{state}");
    assert_eq!(state["done_days"], state["total_days"], "progress reaches the end");
    let (status, toml) = server.request("GET", &format!("/api/runs/{}/scenario.toml", started["id"]), "");
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("workbench.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.path().join("out");
    let cli = linli(&["compare", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap()).unwrap();
    let page_result = &state["result"]["comparison"];
    for key in ["rows", "costs", "measures", "cost_ranking"] {
        assert_eq!(written[key], page_result[key], "{key}: the page and `linli compare` differ");
    }
    assert_eq!(written["bottom_line"]["en"], state["result"]["bottom_line"]["en"]);
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
        ("POST", "/api/check", "[scenario]\nversion = 1\nname = 3\n".into(), 422),
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
    let (status, _) = server.json("DELETE", &format!("/api/runs/{}", cancelled["id"]), &Value::Null);
    assert_eq!(status, 202);
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
