//! The library's entry point: run a scenario's replicates and collect their daily records.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};

use crate::engine::ensemble::{Model, run_ensemble};
use crate::engine::parallel::Split;
use crate::engine::{Calendar, Day};
use crate::model::core::acts::Act;
use crate::model::core::population::Residents;
use crate::model::mechanisms::merchants::Merchants;
use crate::model::{DayRecord, World};
use crate::scenario::Scenario;

/// The records of one replicate, one per simulated day after burn-in.
#[derive(Clone, Debug)]
pub struct ReplicateRun {
    pub replicate: u32,
    pub days: Vec<DayRecord>,
    /// The merchants after the last day.
    pub merchants: Merchants,
}

/// The result of running a scenario.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub scenario: Scenario,
    /// The date of each recorded day.
    pub dates: Vec<NaiveDate>,
    pub replicates: Vec<ReplicateRun>,
    pub elapsed: Duration,
    /// Residents times simulated days (burn-in included) times replicates.
    pub resident_days: u64,
}

/// The calendar of a run: burn-in days before the start date, then the recorded days.
pub fn calendar(scenario: &Scenario) -> Calendar {
    let meta = &scenario.scenario;
    let first = meta.start_date.0 - Days::new(meta.burn_in_days.into());
    Calendar::new(first, meta.burn_in_days + meta.days)
}

/// Runs replicates `0..scenario.replicates` in parallel on the current rayon pool.
/// `on_day` is called after every simulated day of every replicate.
pub fn simulate(scenario: &Scenario, on_day: &(dyn Fn() + Sync)) -> RunOutput {
    let replicates: Vec<u32> = (0..scenario.scenario.replicates).collect();
    simulate_replicates(scenario, &replicates, on_day)
}

/// Runs the listed replicates (each reproducible alone from the seed and its number).
pub fn simulate_replicates(scenario: &Scenario, replicates: &[u32], on_day: &(dyn Fn() + Sync)) -> RunOutput {
    simulate_replicates_split(scenario, replicates, Split::for_replicates(replicates.len()), on_day)
}

/// As [`simulate_replicates`], with the caller choosing whether replicates split their days
/// across threads (a study running many points at once keeps them whole).
pub fn simulate_replicates_split(
    scenario: &Scenario,
    replicates: &[u32],
    split: Split,
    on_day: &(dyn Fn() + Sync),
) -> RunOutput {
    simulate_with(scenario, replicates, split, on_day, None)
}

/// Where one replicate's acts go while it runs (individual-level data), day by day.
pub trait ActSink: Send {
    /// The acts of recorded day `day` (0 is the start date), in the order they happened, with
    /// the residents as they are at the end of that day.
    fn day(&mut self, day: u32, acts: &[Act], residents: &Residents);
    /// Called after the replicate's last day.
    fn finish(self: Box<Self>);
}

/// Makes the sink of each replicate.
pub type SinkFactory<'a> = &'a (dyn Fn(u32) -> Box<dyn ActSink> + Sync);

/// As [`simulate`], with every resident's acts of the recorded days handed to a sink per
/// replicate as the run goes (nothing of them is kept in memory).
pub fn simulate_recording(scenario: &Scenario, on_day: &(dyn Fn() + Sync), sinks: SinkFactory<'_>) -> RunOutput {
    let replicates: Vec<u32> = (0..scenario.scenario.replicates).collect();
    simulate_with(scenario, &replicates, Split::for_replicates(replicates.len()), on_day, Some(sinks))
}

/// A world whose acts go to its sink after each recorded day.
struct Recorded {
    world: World,
    sink: Option<Box<dyn ActSink>>,
    record_from: u32,
}

impl Model for Recorded {
    type Record = DayRecord;
    type Final = Merchants;

    fn step(&mut self, day: &Day) -> DayRecord {
        let record = self.world.step(day);
        if let Some(sink) = &mut self.sink {
            let acts = self.world.take_acts();
            if day.index >= self.record_from {
                sink.day(day.index - self.record_from, &acts, self.world.residents());
            }
        }
        record
    }

    fn finish(self) -> Merchants {
        if let Some(sink) = self.sink {
            sink.finish();
        }
        self.world.finish()
    }
}

fn simulate_with(
    scenario: &Scenario,
    replicates: &[u32],
    split: Split,
    on_day: &(dyn Fn() + Sync),
    sinks: Option<SinkFactory<'_>>,
) -> RunOutput {
    let started = Instant::now();
    let calendar = calendar(scenario);
    let params = scenario.model_params();
    let record_from = scenario.scenario.burn_in_days as usize;
    let build = |k| {
        let mut world = World::new(&params, k, &calendar);
        world.set_split(split);
        let sink = sinks.map(|make| make(k));
        if sink.is_some() {
            world.record_acts();
        }
        Recorded { world, sink, record_from: record_from as u32 }
    };
    let results = run_ensemble(replicates, &calendar, record_from, build, on_day);
    let resident_days = scenario.community.residents as u64 * calendar.len() as u64 * replicates.len() as u64;
    RunOutput {
        scenario: scenario.clone(),
        dates: calendar.days()[record_from..].iter().map(|d| d.date).collect(),
        replicates: replicates
            .iter()
            .zip(results)
            .map(|(&replicate, result)| ReplicateRun { replicate, days: result.records, merchants: result.last })
            .collect(),
        elapsed: started.elapsed(),
        resident_days,
    }
}

/// Total simulated days per replicate, burn-in included (for progress bars).
pub fn days_per_replicate(scenario: &Scenario) -> u64 {
    u64::from(scenario.scenario.burn_in_days + scenario.scenario.days)
}
