//! Criterion benchmarks on the shipped default scenario (the same file the CLI runs).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use linli::engine::parallel::thread_pool;
use linli::model::{Phase, World};
use linli::scenario::parse;
use linli::simulate::{calendar, simulate};
use std::time::{Duration, Instant};

fn default_scenario() -> linli::Scenario {
    let path = std::path::Path::new("scenarios/wanke-chenghua.toml");
    parse(&std::fs::read_to_string(path).expect("run from the crate root"), path).expect("valid scenario")
}

/// One replicate, one simulated year, on one thread: resident-days per second per core.
fn one_replicate_one_thread(c: &mut Criterion) {
    let mut scenario = default_scenario();
    scenario.scenario.days = 365;
    scenario.scenario.burn_in_days = 0;
    scenario.scenario.replicates = 1;
    let resident_days = u64::from(scenario.community.residents) * 365;
    let pool = thread_pool(1).unwrap();
    let mut group = c.benchmark_group("default-scenario");
    group.sample_size(10);
    group.throughput(Throughput::Elements(resident_days));
    group.bench_function("1-replicate-365-days-1-thread", |b| b.iter(|| pool.install(|| simulate(&scenario, &|| {}))));
    let all = thread_pool(0).unwrap();
    scenario.scenario.replicates = all.current_num_threads() as u32;
    group.throughput(Throughput::Elements(resident_days * u64::from(scenario.scenario.replicates)));
    group.bench_function("replicate-per-core-365-days-all-threads", |b| {
        b.iter(|| all.install(|| simulate(&scenario, &|| {})))
    });
    group.finish();
}

/// Days stepped before a bench of single days starts, so the world has settled.
const SETTLED: usize = 200;

/// The default's world after [`SETTLED`] days, its days, and its residents.
fn settled_world() -> (World, Vec<linli::engine::Day>, u64) {
    let scenario = default_scenario();
    let calendar = calendar(&scenario);
    let mut world = World::new(&scenario.model_params(), 0, &calendar);
    let days = calendar.days().to_vec();
    for day in &days[..SETTLED] {
        world.step(day);
    }
    (world, days, u64::from(scenario.community.residents))
}

/// The daily step alone, on an already built and settled world.
fn daily_step(c: &mut Criterion) {
    let (mut world, days, residents) = settled_world();
    let pool = thread_pool(1).unwrap();
    let mut group = c.benchmark_group("step");
    group.throughput(Throughput::Elements(residents));
    let mut next = SETTLED;
    group.bench_function("one-day-1-thread", |b| {
        b.iter(|| {
            let record = pool.install(|| world.step(&days[next]));
            next = if next + 1 < days.len() { next + 1 } else { SETTLED };
            record
        })
    });
    group.finish();
}

/// Each phase of the day alone (`World::step_observed` marks where each ends), on one thread,
/// on a settled world: the time of that phase per simulated day.
fn phases(c: &mut Criterion) {
    let (mut world, days, residents) = settled_world();
    let pool = thread_pool(1).unwrap();
    let mut group = c.benchmark_group("phase");
    group.throughput(Throughput::Elements(residents));
    let mut next = SETTLED;
    for phase in Phase::ALL {
        group.bench_function(phase.name().replace(' ', "-"), |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let mut lap = Instant::now();
                    pool.install(|| {
                        world.step_observed(&days[next], &mut |done| {
                            let now = Instant::now();
                            if done == phase {
                                spent += now - lap;
                            }
                            lap = now;
                        })
                    });
                    next = if next + 1 < days.len() { next + 1 } else { SETTLED };
                }
                spent
            })
        });
    }
    group.finish();
}

criterion_group!(benches, one_replicate_one_thread, daily_step, phases);
criterion_main!(benches);
