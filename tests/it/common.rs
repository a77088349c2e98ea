//! Helpers shared by the integration tests: small scenarios and summaries of runs.

use linli::model::Cohort;
use linli::scenario::{Scenario, default_scenario};
use linli::simulate::{RunOutput, simulate};

/// The default community scaled to `residents`, run for `days` after a short burn-in.
pub fn small(residents: u32, days: u32, replicates: u32) -> Scenario {
    let mut scenario = default_scenario().scaled_to(residents);
    scenario.scenario.days = days;
    scenario.scenario.burn_in_days = 60;
    scenario.scenario.replicates = replicates;
    scenario
}

/// The linli binary that cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_linli");

/// Runs the binary with `args` and waits for it.
pub fn linli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN).args(args).output().expect("linli runs")
}

pub fn run(scenario: &Scenario) -> RunOutput {
    simulate(scenario, &|| {})
}

/// `active_rate` of a cohort averaged over days and replicates.
pub fn mean_active(run: &RunOutput, cohort: Cohort) -> f64 {
    mean_over(run, |day| day[cohort.index()].active_rate())
}

/// A daily quantity averaged over days and replicates.
pub fn mean_over(run: &RunOutput, f: impl Fn(&linli::model::DayRecord) -> f64) -> f64 {
    let values: Vec<f64> = run.replicates.iter().flat_map(|r| r.days.iter().map(&f)).collect();
    values.iter().sum::<f64>() / values.len() as f64
}

/// Share of all residents active, averaged over days and replicates.
pub fn mean_active_all(run: &RunOutput) -> f64 {
    mean_over(run, |day| {
        let active: u32 = day.iter().map(|c| c.core.active).sum();
        let residents: u32 = day.iter().map(|c| c.core.residents).sum();
        active as f64 / residents as f64
    })
}

/// Builds replicate 0 of `scenario` and steps it through its calendar, calling `on_day` after
/// each day with the world and the day's index; returns the world and the last day's record.
pub fn step_world(
    scenario: &Scenario,
    mut on_day: impl FnMut(&linli::model::World, u32),
) -> (linli::model::World, linli::model::DayRecord) {
    let calendar = linli::simulate::calendar(scenario);
    let mut world = linli::model::World::new(&scenario.model_params(), 0, &calendar);
    let mut last = linli::model::DayRecord::default();
    for day in calendar.days() {
        last = world.step(day);
        on_day(&world, day.index);
    }
    (world, last)
}

/// Debian's Chromium (or `LINLI_CHROMIUM`), for the tests that open pages in a browser.
pub fn chromium() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var("LINLI_CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ];
    candidates.into_iter().flatten().map(std::path::PathBuf::from).find(|p| p.exists())
}

/// [`chromium`] for a test that needs it: none means skip, except that with
/// LINLI_REQUIRE_CHROMIUM set (as CI sets it) a missing browser fails the test.
pub fn chromium_or_skip() -> Option<std::path::PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("LINLI_REQUIRE_CHROMIUM").is_none(),
            "LINLI_REQUIRE_CHROMIUM is set but chromium is missing"
        );
        eprintln!("skipped: no chromium (install Debian's chromium to run this test)");
    }
    found
}

/// Whether python3 can import pandas and pyarrow, for a test that reads Parquet as researchers
/// will: false means skip, except that with LINLI_REQUIRE_PANDAS set (as CI sets it) missing
/// pandas fails the test.
pub fn pandas_or_skip() -> bool {
    let probe = std::process::Command::new("python3").args(["-c", "import pandas, pyarrow"]).output();
    let found = probe.is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            std::env::var_os("LINLI_REQUIRE_PANDAS").is_none(),
            "LINLI_REQUIRE_PANDAS is set but pandas is missing"
        );
        eprintln!("skipped: no pandas and pyarrow for python3 (pip install pandas pyarrow to run this test)");
    }
    found
}
