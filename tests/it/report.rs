//! The comparison report as an analyst sees it: `linli compare` writes `report.html`, headless
//! Chromium opens it, the bottom line fits the first screen (1280x800), the charts and the
//! headline table are there, the page logs nothing, and a screenshot is saved. Without Chromium the test is skipped unless LINLI_REQUIRE_CHROMIUM is set
//! (CI sets it and installs Debian's chromium).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{BIN, chromium_or_skip};

const SCENARIO: &str = r#"
[scenario]
version = 1
name = "小区-report"
description = "万科城花 (Wanke Chenghua), small"
days = 120
burn_in_days = 30
replicates = 3

[community]
compounds = 1
buildings = 12
stairwells = 36
households = 360
residents = 1200
micro_grids = 4

[merchants]
count = 6
alliance_initial = 3

[[arm]]
name = "无激励 no incentives"
description = "没有激励措施: the status quo"

[[arm]]
name = "时间银行 time bank"
description = "时间银行: 50 points per check-in"
"policy.time_bank.enabled" = true

[[arm]]
name = "提案基金 proposal fund"
policy.proposal_fund.enabled = true
"#;

fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// Where the bottom line ends on a 1280x800 screen, in CSS pixels from the top of the page: a
/// copy of the report with a small script that writes the measure into the DOM Chromium dumps.
fn bottom_line_bottom(chromium: &Path, dir: &Path, html: &str) -> f64 {
    let probe = "<script>const box = document.getElementById('bottom-line').getBoundingClientRect();\
                 document.body.dataset.bottomLineBottom = box.bottom + window.scrollY;</script>";
    let page = dir.join("probe.html");
    std::fs::write(&page, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let dom = headless(chromium, &dir.join("profile-probe"))
        .args(["--window-size=1280,800", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let rendered = String::from_utf8_lossy(&dom.stdout);
    let value = rendered
        .split("data-bottom-line-bottom=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the probe measured nothing: {rendered:.400}"));
    value.parse().unwrap()
}

#[test]
fn the_report_opens_in_a_browser_with_charts_and_the_headline_table() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("report.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let run = Command::new(BIN)
        .args(["compare", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    let fetches = ["src=\"http", "href=\"http", "<link", "<script", "url(http"];
    assert!(fetches.iter().all(|f| !html.contains(f)), "self-contained: nothing fetched");
    assert_eq!(html.matches("<svg").count(), 3, "three inline charts");
    assert!(html.contains("时间银行") && html.contains("id=\"headline\""));
    assert!(html.contains("id=\"bottom-line\""), "the report opens with a bottom line");

    let Some(chromium) = chromium_or_skip() else { return };
    let url = format!("file://{}", report.display());
    let dom = headless(&chromium, &dir.path().join("profile-dom")).args(["--dump-dom", &url]).output().unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let rendered = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(rendered.matches("<svg").count(), 3, "charts rendered");
    assert!(rendered.contains("id=\"headline\"") && rendered.contains("提案基金"), "headline table rendered");
    let log = String::from_utf8_lossy(&dom.stderr);
    let page_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Failed to load resource"))
        .collect();
    assert!(page_errors.is_empty(), "the page logged errors: {page_errors:?}");

    let bottom = bottom_line_bottom(&chromium, dir.path(), &html);
    assert!(bottom <= 800.0, "the bottom line ends at {bottom} px, below the first screen of 800 px");

    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    let shot = headless(&chromium, &dir.path().join("profile-shot"))
        .args(["--window-size=1280,2200", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    assert!(screenshot.metadata().unwrap().len() > 20_000, "a real screenshot at {}", screenshot.display());
    eprintln!("screenshot saved at {}", screenshot.display());
}

/// The reports shipped in `outputs/examples/` open with their bottom line on the first screen of
/// a 1280x800 laptop; a screenshot of that first screen is saved for each.
#[test]
fn every_shipped_report_opens_with_its_bottom_line_on_the_first_screen() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("outputs/examples");
    let mut reports: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|entry| entry.unwrap().path().join("report.html"))
        .filter(|report| report.exists())
        .collect();
    reports.sort();
    assert!(reports.len() >= 4, "the four policy questions ship their reports: {reports:?}");
    let chromium = chromium_or_skip(); // the checks without a browser still run
    let dir = tempfile::tempdir().unwrap();
    for report in reports {
        let html = std::fs::read_to_string(&report).unwrap();
        let name = report.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        assert!(html.contains("id=\"bottom-line\""), "{name}: the report opens with a bottom line");
        assert!(html.contains("结论") && html.contains("Answer"), "{name}: the answer in Chinese and English");
        let Some(chromium) = &chromium else { continue };
        let bottom = bottom_line_bottom(chromium, dir.path(), &html);
        assert!(bottom <= 800.0, "{name}: the bottom line ends at {bottom} px, below the first screen");
        let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-first-screen.png"));
        let shot = headless(chromium, &dir.path().join(format!("profile-{name}")))
            .args(["--window-size=1280,800", "--hide-scrollbars"])
            .arg(format!("--screenshot={}", screenshot.display()))
            .arg(format!("file://{}", report.display()))
            .output()
            .unwrap();
        assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
        eprintln!("{name}: first screen saved at {}", screenshot.display());
    }
}
