//! `linli bench`: resident-days per second at 1 thread and at all threads, cycles per
//! resident-day, time by phase, memory per resident, a city-sized year, and the ratio against a
//! previous build.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::alloc;
use super::cycles::Cycles;
use super::plan::default_threads;
use super::run::simulate_individuals;
use linli::engine::parallel::{Split, thread_pool};
use linli::experiment::measures::MeasureSet;
use linli::model::{Phase, World};
use linli::output::agents::AgentsFormat;
use linli::scenario::{Scenario, default_scenario};
use linli::simulate::{calendar, simulate};

/// Chengdu's population (seventh census, 2020: 20.9 million), rounded: the `--city` case.
pub(crate) const CITY_RESIDENTS: u32 = 21_000_000;

pub(crate) fn bench(args: &super::args::BenchArgs) -> anyhow::Result<()> {
    if let Some(baseline) = &args.baseline {
        return compare_with(baseline, args);
    }
    let scenario = bench_scenario(args.replicates, args.days);
    println!(
        "linli {} bench: default scenario ({} residents), {} replicates x {} days",
        linli::VERSION,
        scenario.community.residents,
        args.replicates,
        args.days
    );
    default_case(&scenario)?;
    if args.large_residents > 0 {
        large_case(&scenario, args.large_residents, args.large_days, args.large_pairs)?;
    }
    if args.city {
        city_case(&scenario)?;
    }
    Ok(())
}

/// The default scenario with `replicates` replicates of `days` days and no burn-in.
fn bench_scenario(replicates: u32, days: u32) -> Scenario {
    let mut scenario = default_scenario();
    scenario.scenario.replicates = replicates;
    scenario.scenario.days = days;
    scenario.scenario.burn_in_days = 0;
    scenario
}

fn default_case(scenario: &Scenario) -> anyhow::Result<()> {
    let all = default_threads();
    let cycles = Cycles::start();
    let one = throughput(scenario, 1)?;
    let cycles = cycles.and_then(Cycles::stop);
    let many = throughput(scenario, all)?;
    println!("  1 thread:   {:>8.1} million resident-days/s", one.per_second / 1e6);
    println!(
        "  {all} threads:  {:>8.1} million resident-days/s ({:.1} per core; speed-up {:.2}x)",
        many.per_second / 1e6,
        many.per_second / all as f64 / 1e6,
        many.per_second / one.per_second
    );
    match cycles {
        Some(cycles) => {
            println!("  cycles:     {:>8.0} per resident-day (1 thread)", cycles as f64 / one.resident_days)
        }
        None => println!("  cycles:     not readable here (no hardware counters, or perf_event_paranoid forbids them)"),
    }
    let individual = throughput_individuals(scenario, 1)?;
    println!(
        "  1 thread, with individual data (measures, events.parquet, residents.parquet): {:>6.1} million \
         resident-days/s ({:.2}x the time)",
        individual / 1e6,
        one.per_second / individual
    );
    phases(scenario, 1)?;
    memory(scenario, 1);
    Ok(())
}

fn large_case(scenario: &Scenario, residents: u32, days: u32, pairs: u32) -> anyhow::Result<()> {
    let all = default_threads();
    let mut large = scenario.scaled_to(residents);
    large.scenario.replicates = 1;
    large.scenario.days = days;
    println!(
        "single replicate, {} residents x {days} days (stepping; building timed apart; {pairs} pairs of runs, \
         1 thread then {all} threads):",
        large.community.residents
    );
    // Alternated, as on a shared machine the rate drifts from one run to the next: each pair's
    // ratio compares runs made side by side.
    let (mut ones, mut manys, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..pairs {
        let (one, many) = (one_replicate(&large, 1)?, one_replicate(&large, all)?);
        ratios.push(many.0 / one.0);
        ones.push(one);
        manys.push(many);
    }
    let built = |runs: &[(f64, Duration)]| median(runs.iter().map(|r| r.1.as_secs_f64()).collect());
    let rate = |runs: &[(f64, Duration)]| median(runs.iter().map(|r| r.0).collect()) / 1e6;
    println!("  1 thread:   {:>8.1} million resident-days/s (median; built in {:.1} s)", rate(&ones), built(&ones));
    let (low, high) = ratios.iter().fold((f64::MAX, f64::MIN), |(l, h), &r| (l.min(r), h.max(r)));
    println!(
        "  {all} threads:  {:>8.1} million resident-days/s (median; built in {:.1} s); speed-up {:.2}x, the \
         median of the pairs' ratios ({low:.2} to {high:.2})",
        rate(&manys),
        built(&manys),
        median(ratios)
    );
    phase_scaling(&large, all)?;
    memory(&large, all);
    Ok(())
}

/// Resident-days per second of stepping one replicate on `threads` threads, and the time
/// building it took.
fn one_replicate(scenario: &Scenario, threads: usize) -> anyhow::Result<(f64, Duration)> {
    let (built, stepped) = timed_replicate(scenario, threads)?;
    let resident_days = scenario.community.residents as f64 * scenario.scenario.days as f64;
    Ok((resident_days / stepped.as_secs_f64(), built))
}

/// The time building replicate 0 took, and stepping it through its days, on `threads` threads
/// (split across them when more than one).
fn timed_replicate(scenario: &Scenario, threads: usize) -> anyhow::Result<(Duration, Duration)> {
    let pool = thread_pool(threads)?;
    let calendar = calendar(scenario);
    let started = Instant::now();
    Ok(pool.install(|| {
        let mut world = replicate_zero(scenario, &calendar, threads);
        let built = started.elapsed();
        for day in calendar.days() {
            std::hint::black_box(world.step(day));
        }
        (built, started.elapsed() - built)
    }))
}

/// One replicate of a city (21 million residents) for a year on every thread: the wall time of
/// building and of stepping, and the peak heap per resident, from one run.
fn city_case(scenario: &Scenario) -> anyhow::Result<()> {
    let all = default_threads();
    let mut city = scenario.scaled_to(CITY_RESIDENTS);
    city.scenario.replicates = 1;
    city.scenario.days = 365;
    let residents = city.community.residents as f64;
    println!("city: one replicate of {} residents x 365 days on {all} threads:", city.community.residents);
    let before = alloc::current();
    alloc::reset_peak();
    let (built, stepped) = timed_replicate(&city, all)?;
    let peak = (alloc::peak() - before) as f64 / residents;
    println!(
        "  built in {:.0} s, 365 days in {:.0} s ({:.1} million resident-days/s): {:.1} minutes in all",
        built.as_secs_f64(),
        stepped.as_secs_f64(),
        residents * 365.0 / stepped.as_secs_f64() / 1e6,
        (built + stepped).as_secs_f64() / 60.0
    );
    println!("  memory: {peak:.0} bytes per resident at peak");
    Ok(())
}

/// Resident-days simulated and their rate.
struct Throughput {
    resident_days: f64,
    per_second: f64,
}

/// Resident-days per second of a whole run (building included) on `threads` threads.
fn throughput(scenario: &Scenario, threads: usize) -> anyhow::Result<Throughput> {
    let pool = thread_pool(threads)?;
    let started = Instant::now();
    let output = pool.install(|| simulate(scenario, &|| {}));
    let resident_days = output.resident_days as f64;
    Ok(Throughput { resident_days, per_second: resident_days / started.elapsed().as_secs_f64() })
}

/// As [`throughput`], recording what `linli run --agents` records and writing the event log
/// and the residents table to a temporary folder (removed after).
fn throughput_individuals(scenario: &Scenario, threads: usize) -> anyhow::Result<f64> {
    let pool = thread_pool(threads)?;
    let dir = std::env::temp_dir().join(format!("linli-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let measures = MeasureSet::for_scenario(scenario).map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    let agents = Some((AgentsFormat::Parquet, dir.clone()));
    let output = pool.install(|| simulate_individuals(scenario, &measures, agents, &|| {}));
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&dir)?;
    Ok(output?.resident_days as f64 / seconds)
}

/// The share of one replicate's stepping time in each phase of the day, on `threads` threads
/// (the replicate split across them when there are more than one).
fn phases(scenario: &Scenario, threads: usize) -> anyhow::Result<()> {
    let spent = phase_times(scenario, threads)?;
    let total: Duration = spent.iter().sum();
    let shares: Vec<String> = Phase::ALL
        .iter()
        .map(|&p| format!("{} {:.0}%", p.name(), 100.0 * spent[p as usize].as_secs_f64() / total.as_secs_f64()))
        .collect();
    let label = if threads == 1 { "1 thread".to_string() } else { format!("{threads} threads") };
    println!("  time by phase ({label}): {}", shares.join(", "));
    Ok(())
}

/// Each phase's time per simulated day on 1 thread and on `threads`, and its speed-up: which
/// phases scale inside one replicate, and which run in order and bound the whole.
fn phase_scaling(scenario: &Scenario, threads: usize) -> anyhow::Result<()> {
    let (one, many) = (phase_times(scenario, 1)?, phase_times(scenario, threads)?);
    let per_day = |t: Duration| 1e3 * t.as_secs_f64() / scenario.scenario.days.max(1) as f64;
    let parts: Vec<String> = Phase::ALL
        .iter()
        .map(|&p| {
            let (a, b) = (one[p as usize], many[p as usize]);
            format!("{} {:.1} -> {:.1} ({:.2}x)", p.name(), per_day(a), per_day(b), a.as_secs_f64() / b.as_secs_f64())
        })
        .collect();
    println!("  ms per day by phase, 1 thread -> {threads} threads: {}", parts.join(", "));
    Ok(())
}

/// The time each phase of a day took, summed over replicate 0's days on `threads` threads.
fn phase_times(scenario: &Scenario, threads: usize) -> anyhow::Result<[Duration; Phase::ALL.len()]> {
    let calendar = calendar(scenario);
    let pool = thread_pool(threads)?;
    Ok(pool.install(|| {
        let mut world = replicate_zero(scenario, &calendar, threads);
        let mut spent = [Duration::ZERO; Phase::ALL.len()];
        for day in calendar.days() {
            let mut lap = Instant::now();
            world.step_observed(day, &mut |phase| {
                let now = Instant::now();
                spent[phase as usize] += now - lap;
                lap = now;
            });
        }
        spent
    }))
}

/// Replicate 0 of `scenario`, split across threads as a run on `threads` threads splits it.
fn replicate_zero(scenario: &Scenario, calendar: &linli::engine::Calendar, threads: usize) -> World {
    let mut world = World::new(&scenario.model_params(), 0, calendar);
    world.set_split(if threads > 1 { Split::Parallel } else { Split::Sequential });
    world
}

/// Peak heap while building and running one replicate, per resident (its split as on `threads`).
fn memory(scenario: &Scenario, threads: usize) {
    let calendar = calendar(scenario);
    let residents = scenario.community.residents as f64;
    let before = alloc::current();
    alloc::reset_peak();
    let mut world = replicate_zero(scenario, &calendar, threads);
    for day in calendar.days() {
        world.step(day);
    }
    let state = world.heap_bytes() as f64 / residents;
    let peak = (alloc::peak() - before) as f64 / residents;
    println!(
        "  memory: {state:.0} bytes per resident of state (network included), {peak:.0} bytes per resident at peak"
    );
}

/// Runs this build's and `baseline`'s `bench` on the default scenario alternately, `--pairs`
/// times, and prints each pair, the medians and their ratio: alternating on one machine, as
/// absolute figures drift from run to run.
fn compare_with(baseline: &Path, args: &super::args::BenchArgs) -> anyhow::Result<()> {
    if !baseline.is_file() {
        bail!(
            "--baseline {}: no such file (expected a linli binary, such as a build of an earlier commit)",
            baseline.display()
        );
    }
    let this = std::env::current_exe().context("finding this linli binary")?;
    let bench_args = ["bench", "--replicates", &args.replicates.to_string(), "--days", &args.days.to_string()];
    println!(
        "linli {} bench against {}: {} alternating pairs, default scenario, {} replicates x {} days",
        linli::VERSION,
        baseline.display(),
        args.pairs,
        args.replicates,
        args.days
    );
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for pair in 1..=args.pairs {
        let them = run_bench(baseline, &bench_args)?;
        let us = run_bench(&this, &bench_args)?;
        println!(
            "  pair {pair}: 1 thread {:.1} vs {:.1}, all threads {:.1} vs {:.1} million resident-days/s (this vs baseline)",
            us.0 / 1e6,
            them.0 / 1e6,
            us.1 / 1e6,
            them.1 / 1e6
        );
        ours.push(us);
        theirs.push(them);
    }
    for (label, pick) in [("1 thread", 0), ("all threads", 1)] {
        let ours = median(ours.iter().map(|r| if pick == 0 { r.0 } else { r.1 }).collect());
        let theirs = median(theirs.iter().map(|r| if pick == 0 { r.0 } else { r.1 }).collect());
        println!(
            "  {label}: median {:.1} vs {:.1} million resident-days/s: ratio {:.2}",
            ours / 1e6,
            theirs / 1e6,
            ours / theirs
        );
    }
    Ok(())
}

/// The 1-thread and all-thread resident-days per second that `binary bench` prints.
fn run_bench(binary: &Path, args: &[&str]) -> anyhow::Result<(f64, f64)> {
    let output = Command::new(binary)
        .args(args)
        .args(["--large-residents", "0"])
        .output()
        .with_context(|| format!("running {}", binary.display()))?;
    if !output.status.success() {
        bail!("{} bench failed: {}", binary.display(), String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let rate = |prefix: &str| -> anyhow::Result<f64> {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .with_context(|| format!("{} bench printed no line starting {prefix:?}", binary.display()))?;
        let after = line.split_once(':').map_or(line, |(_, rest)| rest);
        let number = after.split_whitespace().find_map(|w| w.parse::<f64>().ok());
        Ok(number.with_context(|| format!("no number in {line:?}"))? * 1e6)
    };
    Ok((rate("1 thread:")?, rate(&format!("{} threads:", default_threads()))?))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}
