//! The workbench driven in Debian's Chromium over the DevTools protocol, as a user would: load
//! the default community, change the points per check-in and an event's places, add a design,
//! run, watch the curves drawn (uPlot, vendored), wait for the verdict, download the scenario
//! file and check that `linli compare` on it gives the page's numbers; no console errors;
//! screenshots in `target/screenshots/`. Without Chromium the test
//! is skipped unless LINLI_REQUIRE_CHROMIUM is set (CI sets it and installs chromium).

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket, stream::MaybeTlsStream};

use crate::common::{chromium_or_skip, linli};
use crate::serve::{Server, http};

/// A headless Chromium with the DevTools protocol on a free port, and one page.
struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    /// Console errors, exceptions and failed loads seen so far.
    errors: Vec<String>,
}

impl Browser {
    fn launch(chromium: &Path, profile: &Path) -> Browser {
        let child = Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"])
            .args(["--disable-background-networking", "--disable-component-update", "--remote-debugging-port=0"])
            .args(["--window-size=1280,1000", "about:blank"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let port_file = profile.join("DevToolsActivePort");
        let started = Instant::now();
        let port = loop {
            if let Some(port) =
                std::fs::read_to_string(&port_file).ok().and_then(|t| t.lines().next().map(String::from))
            {
                break port;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "chromium wrote no DevToolsActivePort");
            std::thread::sleep(Duration::from_millis(100));
        };
        let (_, list) = http(&format!("127.0.0.1:{port}"), "GET", "/json/list", "");
        let targets: Value = serde_json::from_str(&list).unwrap();
        let page = targets.as_array().unwrap().iter().find(|t| t["type"] == "page").expect("a page target");
        let (socket, _) = tungstenite::connect(page["webSocketDebuggerUrl"].as_str().unwrap()).unwrap();
        let mut browser = Browser { child, socket, next: 0, errors: Vec::new() };
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            browser.call(domain, json!({}));
        }
        browser
    }

    /// Sends a command and waits for its answer, noting errors among the events on the way.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.socket.send(Message::text(json!({ "id": id, "method": method, "params": params }).to_string())).unwrap();
        loop {
            let Message::Text(text) = self.socket.read().unwrap() else { continue };
            let message: Value = serde_json::from_str(&text).unwrap();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
            self.note(&message);
        }
    }

    fn note(&mut self, event: &Value) {
        let p = &event["params"];
        match event["method"].as_str() {
            Some("Runtime.exceptionThrown") => self.errors.push(p["exceptionDetails"].to_string()),
            Some("Runtime.consoleAPICalled") if p["type"] == "error" => self.errors.push(p["args"].to_string()),
            Some("Log.entryAdded") if p["entry"]["level"] == "error" => self.errors.push(p["entry"].to_string()),
            _ => {}
        }
    }

    /// Evaluates `script` in the page; its value.
    fn eval(&mut self, script: &str) -> Value {
        let result = self.call("Runtime.evaluate", json!({ "expression": script, "returnByValue": true }));
        assert!(result.get("exceptionDetails").is_none(), "{script}: {result}");
        result["result"]["value"].clone()
    }

    /// Waits until `script` is true in the page.
    fn wait_for(&mut self, script: &str, seconds: u64) {
        let started = Instant::now();
        while self.eval(script) != Value::Bool(true) {
            assert!(started.elapsed() < Duration::from_secs(seconds), "still not true after {seconds} s: {script}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&mut self, name: &str) {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = decode_base64(shot["data"].as_str().unwrap());
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    bytes
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().enumerate().fold(0u32, |n, (i, &v)| n | (u32::from(v) << (18 - 6 * i)));
            let out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.into_iter().take(c.len() - 1).collect::<Vec<_>>()
        })
        .collect()
}

/// Sets a control's value as typing would, firing its change event.
fn set(browser: &mut Browser, id: &str, value: &str) {
    browser.eval(&format!(
        "(() => {{ const i = document.getElementById({id:?}); i.value = {value:?}; i.dispatchEvent(new Event('change')); return true; }})()"
    ));
}

/// A server and a browser showing its workbench, its levers loaded (fields drop in order: the
/// browser stops before its profile folder goes).
struct Workbench {
    browser: Browser,
    server: Server,
    _profile: tempfile::TempDir,
}

/// The workbench open in Chromium, or none when the test is to be skipped.
fn open_workbench() -> Option<Workbench> {
    let chromium = chromium_or_skip()?;
    let server = Server::start();
    let profile = tempfile::tempdir().unwrap();
    let mut browser = Browser::launch(&chromium, profile.path());
    browser.call("Page.navigate", json!({ "url": format!("http://{}/", server.address) }));
    browser.wait_for("document.querySelectorAll('#levers input').length > 20", 30);
    Some(Workbench { browser, server, _profile: profile })
}

#[test]
fn the_workbench_runs_a_comparison_in_chromium_that_linli_compare_reproduces() {
    let Some(mut workbench) = open_workbench() else { return };
    let (browser, server) = (&mut workbench.browser, &workbench.server);
    browser.screenshot("workbench-levers.png");
    set(browser, "lever-1-policy.time_bank.points_per_checkin", "100");
    browser.eval("document.getElementById('add-arm').click(); true");
    browser.eval("document.getElementById('lever-2-policy.time_bank.enabled').click(); true");
    set(browser, "arm-name-2", "no time bank");
    set(browser, "lever-1-event.0.capacity", "300");
    set(browser, "replicates", "4");
    browser.eval("document.getElementById('lang').click(); true"); // English
    run_to_verdict(browser);
    browser.eval("document.getElementById('curves').scrollIntoView(); true");
    browser.screenshot("workbench-curves.png");
    let title = browser.eval("document.getElementById('chart-title').textContent");
    assert!(title.as_str().unwrap().contains("the 4 replicates finished"), "the curves cover every replicate: {title}");
    let drawn = browser.eval(
        "document.querySelectorAll('#chart canvas').length > 0 && document.getElementById('chart-legend').textContent",
    );
    assert!(
        drawn.as_str().is_some_and(|legend| legend.contains("no time bank")),
        "uPlot drew the three designs: {drawn}"
    );
    let events = browser
        .eval("[...document.querySelectorAll('#levers td')].some(c => c.textContent === 'Places at «Music festival»')");
    assert_eq!(events, Value::Bool(true), "the events are levers");
    browser.eval("document.getElementById('result').scrollIntoView(); true");
    browser.screenshot("workbench-verdict.png");
    let verdict = browser.eval("document.getElementById('verdict').textContent").as_str().unwrap().to_string();
    assert!(verdict.contains("no time bank"), "the verdict names the designs: {verdict}");
    let shown = browser.eval(
        "[...document.querySelectorAll('#headline tbody tr')].map(r => [...r.cells].slice(0, 3).map(c => c.textContent))",
    );
    let href = browser.eval("document.getElementById('download-scenario-toml').getAttribute('href')");
    let (status, toml) = http(&server.address, "GET", href.as_str().unwrap(), "");
    assert_eq!(status, 200);
    assert!(toml.contains("\"policy.time_bank.points_per_checkin\" = 100") && toml.contains("name = \"no time bank\""));
    assert!(toml.contains("\"event.0.capacity\" = 300"), "the event lever is in the file");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("downloaded.toml");
    std::fs::write(&file, &toml).unwrap();
    let out = dir.path().join("out");
    let cli = linli(&["compare", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap()).unwrap();
    let expected: Vec<Value> = written["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["metric"] == "mean_active_rate" && !r["difference"].is_null())
        .map(|r| json!([r["arm"], r["group"], format!("{:.2}", 100.0 * r["difference"]["mean"].as_f64().unwrap())]))
        .collect();
    assert_eq!(shown, Value::Array(expected), "the page's table and `linli compare` on the downloaded file");
    let json_href = browser.eval("document.getElementById('download-comparison-json').getAttribute('href')");
    let (status, downloaded) = http(&server.address, "GET", json_href.as_str().unwrap(), "");
    assert_eq!(status, 200);
    let page_json: Value = serde_json::from_str(&downloaded).unwrap();
    let command = browser.eval("document.getElementById('reproduce').textContent");
    assert!(command.as_str().unwrap().contains("linli compare workbench-run-"), "the page says how to reproduce it");
    // JavaScript keeps no difference between 18 and 18.0: numbers are compared as numbers.
    assert!(
        same_json(&page_json["rows"], &written["rows"]),
        "the page's results download equals comparison.json's rows"
    );
    assert!(browser.errors.is_empty(), "console errors: {:?}", browser.errors);
}

/// Waits for a run started in the page to end with its verdict shown.
fn run_to_verdict(browser: &mut Browser) {
    browser.eval("document.getElementById('run').click(); true");
    browser.wait_for(
        "!document.getElementById('result').hidden && document.getElementById('verdict').textContent.length > 0",
        300,
    );
}

#[test]
fn the_workbench_runs_under_the_calibration_and_on_an_uploaded_file_in_chromium() {
    let Some(mut workbench) = open_workbench() else { return };
    let browser = &mut workbench.browser;
    browser.eval("document.getElementById('lang').click(); true"); // English
    assert_eq!(browser.eval("document.getElementById('calibration-row').hidden"), Value::Bool(false));
    browser.eval("document.getElementById('posterior').click(); true");
    set(browser, "lever-1-policy.time_bank.points_per_checkin", "25");
    set(browser, "replicates", "2");
    run_to_verdict(browser);
    let rows = browser.eval("document.querySelectorAll('#posterior-table tbody tr').length");
    assert_eq!(rows, json!(4), "P(better) for the design in each of the four groups");
    let command = browser.eval("document.getElementById('reproduce').textContent");
    assert!(command.as_str().unwrap().contains("--posterior"), "{command}");
    browser.eval("document.getElementById('posterior-result').scrollIntoView(); true");
    browser.screenshot("workbench-posterior.png");
    // An uploaded file: its levers replace the community's, and it has no calibration to offer.
    let document = browser.call("DOM.getDocument", json!({}));
    let node =
        browser.call("DOM.querySelector", json!({ "nodeId": document["root"]["nodeId"], "selector": "#upload" }));
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/sweep-small.toml");
    browser.call("DOM.setFileInputFiles", json!({ "files": [file], "nodeId": node["nodeId"] }));
    browser.wait_for("document.getElementById('community-info').textContent.startsWith('sweep-small')", 30);
    assert_eq!(browser.eval("document.getElementById('calibration-row').hidden"), Value::Bool(true));
    set(browser, "lever-1-policy.time_bank.points_per_checkin", "10");
    run_to_verdict(browser);
    let title = browser.eval("document.getElementById('chart-title').textContent");
    assert!(title.as_str().unwrap().contains("replicates"), "{title}");
    assert!(browser.errors.is_empty(), "console errors: {:?}", browser.errors);
}

/// Equal JSON, numbers compared by value (exactly: JavaScript's numbers are the same doubles).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
