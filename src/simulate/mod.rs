//! The library's entry point: run a scenario's replicates and collect their daily records,
//! and, when asked, every resident's acts.

pub mod people;
pub mod person_years;

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};

use crate::engine::ensemble::{Model, run_ensemble};
use crate::engine::parallel::Split;
use crate::engine::{Calendar, Day};
use crate::model::mechanisms::merchants::Merchants;
use crate::model::{DayRecord, World};
use crate::scenario::Scenario;
pub use people::{People, Person, PersonAct};
pub use person_years::{PersonYears, Tally, YearEnd};

/// The records of one replicate, one per simulated day after burn-in.
#[derive(Clone, Debug)]
pub struct ReplicateRun {
    pub replicate: u32,
    pub days: Vec<DayRecord>,
    /// The merchants after the last day.
    pub merchants: Merchants,
    /// What the run's [`Reducer`] made of the replicate's person-year table (empty without one).
    pub measures: Vec<f64>,
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
    simulate_with(scenario, replicates, split, on_day, Recording::default())
}

/// Where one replicate's acts go while it runs (individual-level data), day by day.
pub trait ActSink: Send {
    /// The acts of recorded day `day` (0 is the start date), in the order they happened.
    fn day(&mut self, day: u32, acts: &[PersonAct]);
    /// Called after the replicate's last day.
    fn finish(self: Box<Self>);
}

/// Makes the sink of each replicate.
pub type SinkFactory<'a> = &'a (dyn Fn(u32) -> Box<dyn ActSink> + Sync);

/// Reduces a replicate's finished person-year table to numbers kept in its [`ReplicateRun`]
/// (the measures); it may also write the table.
pub type Reducer<'a> = &'a (dyn Fn(u32, &PersonYears) -> Vec<f64> + Sync);

/// The person-year table to build per replicate and what to do with it.
#[derive(Clone, Copy)]
pub struct Individuals<'a> {
    pub tallies: &'a [Tally],
    pub reduce: Reducer<'a>,
}

/// What a run keeps of its residents' acts: nothing (the default), a stream per replicate,
/// a person-year table per replicate, or both.
#[derive(Clone, Copy, Default)]
pub struct Recording<'a> {
    pub sinks: Option<SinkFactory<'a>>,
    pub individuals: Option<Individuals<'a>>,
}

impl Recording<'_> {
    fn is_on(&self) -> bool {
        self.sinks.is_some() || self.individuals.is_some()
    }
}

/// As [`simulate_replicates`], keeping what `recording` asks for of every resident's acts of
/// the recorded days as the run goes (nothing of the acts themselves is kept in memory).
pub fn simulate_recording(
    scenario: &Scenario,
    replicates: &[u32],
    on_day: &(dyn Fn() + Sync),
    recording: Recording<'_>,
) -> RunOutput {
    simulate_with(scenario, replicates, Split::for_replicates(replicates.len()), on_day, recording)
}

/// A world whose acts are told with their persons and handed on after each recorded day.
struct Recorded<'a> {
    world: World,
    replicate: u32,
    record_from: u32,
    people: Option<People>,
    sink: Option<Box<dyn ActSink>>,
    table: Option<(PersonYears, Reducer<'a>)>,
}

impl Model for Recorded<'_> {
    type Record = DayRecord;
    type Final = (Merchants, Vec<f64>);

    fn step(&mut self, day: &Day) -> DayRecord {
        let record = self.world.step(day);
        if let Some(people) = &mut self.people {
            let acts = self.world.take_acts();
            let told = people.resolve(&acts, &self.world, self.record_from);
            if day.index >= self.record_from {
                let recorded_day = day.index - self.record_from;
                if let Some(sink) = &mut self.sink {
                    sink.day(recorded_day, &told);
                }
                if let Some((table, _)) = &mut self.table {
                    table.day(recorded_day, &told, people, &self.world);
                }
            }
        }
        record
    }

    fn finish(self) -> (Merchants, Vec<f64>) {
        if let Some(sink) = self.sink {
            sink.finish();
        }
        let measures = match (self.table, &self.people) {
            (Some((mut table, reduce)), Some(people)) => {
                table.finish(people);
                reduce(self.replicate, &table)
            }
            _ => Vec::new(),
        };
        (self.world.finish(), measures)
    }
}

fn simulate_with(
    scenario: &Scenario,
    replicates: &[u32],
    split: Split,
    on_day: &(dyn Fn() + Sync),
    recording: Recording<'_>,
) -> RunOutput {
    let started = Instant::now();
    let calendar = calendar(scenario);
    let params = scenario.model_params();
    let record_from = scenario.scenario.burn_in_days as usize;
    let dates: Vec<NaiveDate> = calendar.days()[record_from..].iter().map(|d| d.date).collect();
    let build = |k| {
        let mut world = World::new(&params, k, &calendar);
        world.set_split(split);
        if recording.is_on() {
            world.record_acts();
        }
        let people = recording.is_on().then(|| People::new(&world));
        let table = recording.individuals.map(|individuals| {
            (PersonYears::new(&dates, record_from as u32, individuals.tallies.to_vec()), individuals.reduce)
        });
        Recorded {
            world,
            replicate: k,
            record_from: record_from as u32,
            people,
            sink: recording.sinks.map(|make| make(k)),
            table,
        }
    };
    let results = run_ensemble(replicates, &calendar, record_from, build, on_day);
    let resident_days = scenario.community.residents as u64 * calendar.len() as u64 * replicates.len() as u64;
    RunOutput {
        scenario: scenario.clone(),
        dates,
        replicates: replicates
            .iter()
            .zip(results)
            .map(|(&replicate, result)| {
                let (merchants, measures) = result.last;
                ReplicateRun { replicate, days: result.records, merchants, measures }
            })
            .collect(),
        elapsed: started.elapsed(),
        resident_days,
    }
}

/// Total simulated days per replicate, burn-in included (for progress bars).
pub fn days_per_replicate(scenario: &Scenario) -> u64 {
    u64::from(scenario.scenario.burn_in_days + scenario.scenario.days)
}
