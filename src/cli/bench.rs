//! `linli bench`: resident-days per second at 1 thread and at all threads, and memory per resident.

use std::time::Instant;

use super::alloc;
use super::plan::default_threads;
use super::run::simulate_individuals;
use linli::engine::parallel::thread_pool;
use linli::experiment::measures::MeasureSet;
use linli::model::World;
use linli::output::agents::AgentsFormat;
use linli::scenario::{Scenario, default_scenario};
use linli::simulate::{calendar, simulate};

pub(crate) fn bench(args: &super::args::BenchArgs) -> anyhow::Result<()> {
    let all = default_threads();
    let mut scenario = default_scenario();
    scenario.scenario.replicates = args.replicates;
    scenario.scenario.days = args.days;
    scenario.scenario.burn_in_days = 0;
    println!(
        "linli {} bench: default scenario ({} residents), {} replicates x {} days",
        linli::VERSION,
        scenario.community.residents,
        args.replicates,
        args.days
    );
    let one = throughput(&scenario, 1)?;
    let many = throughput(&scenario, all)?;
    println!("  1 thread:   {:>8.1} million resident-days/s", one / 1e6);
    println!(
        "  {all} threads:  {:>8.1} million resident-days/s ({:.1} per core; speed-up {:.2}x)",
        many / 1e6,
        many / all as f64 / 1e6,
        many / one
    );
    let individual = throughput_individuals(&scenario, 1)?;
    println!(
        "  1 thread, with individual data (measures, events.parquet, residents.parquet): {:>6.1} million \
         resident-days/s ({:.2}x the time)",
        individual / 1e6,
        one / individual
    );
    memory(&scenario);
    if args.large_residents > 0 {
        let mut large = scenario.scaled_to(args.large_residents);
        large.scenario.replicates = 1;
        large.scenario.days = args.large_days;
        println!("single replicate, {} residents x {} days:", large.community.residents, args.large_days);
        let one = throughput(&large, 1)?;
        let many = throughput(&large, all)?;
        println!("  1 thread:   {:>8.1} million resident-days/s", one / 1e6);
        println!("  {all} threads:  {:>8.1} million resident-days/s (speed-up {:.2}x)", many / 1e6, many / one);
        memory(&large);
    }
    Ok(())
}

/// Resident-days per second of a whole run (building included) on `threads` threads.
fn throughput(scenario: &Scenario, threads: usize) -> anyhow::Result<f64> {
    let pool = thread_pool(threads)?;
    let started = Instant::now();
    let output = pool.install(|| simulate(scenario, &|| {}));
    Ok(output.resident_days as f64 / started.elapsed().as_secs_f64())
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

/// Peak heap while building and running one replicate, per resident.
fn memory(scenario: &Scenario) {
    let calendar = calendar(scenario);
    let residents = scenario.community.residents as f64;
    let before = alloc::current();
    alloc::reset_peak();
    let mut world = World::new(&scenario.model_params(), 0, &calendar);
    for day in calendar.days() {
        world.step(day);
    }
    let state = world.heap_bytes() as f64 / residents;
    let peak = (alloc::peak() - before) as f64 / residents;
    println!(
        "  memory: {state:.0} bytes per resident of state (network included), {peak:.0} bytes per resident at peak"
    );
}
