//! The library's entry point: run a scenario's replicates and collect their daily records,
//! and, when asked, every resident's acts.

pub mod groups;
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
pub use groups::{GroupDay, GroupDays, Split as GroupSplit};
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
    /// Daily counts per age band and compound (kept when acts are recorded).
    pub groups: Option<GroupDays>,
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
    groups: Option<GroupDays>,
    sink: Option<Box<dyn ActSink>>,
    table: Option<(PersonYears, Reducer<'a>)>,
}

impl Model for Recorded<'_> {
    type Record = DayRecord;
    type Final = Kept;

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
                if let Some(groups) = &mut self.groups {
                    groups.add_day(&told, people, &self.world, day.index as i32);
                }
            }
        }
        record
    }

    fn finish(self) -> Kept {
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
        Kept { merchants: self.world.finish(), measures, groups: self.groups }
    }
}

/// What is kept of a replicate after its last day, besides its daily records.
struct Kept {
    merchants: Merchants,
    measures: Vec<f64>,
    groups: Option<GroupDays>,
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
        let groups = recording.is_on().then(|| GroupDays::new(&world));
        let table = recording.individuals.map(|individuals| {
            (PersonYears::new(&dates, record_from as u32, individuals.tallies.to_vec()), individuals.reduce)
        });
        Recorded {
            world,
            replicate: k,
            record_from: record_from as u32,
            people,
            groups,
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
                let Kept { merchants, measures, groups } = result.last;
                ReplicateRun { replicate, days: result.records, merchants, measures, groups }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::acts::{ATTENDED, VOLUNTEERED};
    use crate::model::core::types::AgeBand;
    use std::sync::Mutex;

    /// Two compounds, two calendar years, with a festival, recording everything.
    fn recorded(tallies: &[Tally], reduce: Reducer<'_>) -> RunOutput {
        let mut scenario = crate::scenario::default_scenario().scaled_to(600);
        scenario.community.compounds = 2;
        (scenario.scenario.days, scenario.scenario.burn_in_days, scenario.scenario.replicates) = (500, 30, 2);
        let individuals = Some(Individuals { tallies, reduce });
        simulate_recording(&scenario, &[0, 1], &|| {}, Recording { sinks: None, individuals })
    }

    #[test]
    fn age_bands_and_compounds_each_add_up_to_the_cohorts_every_day() {
        let run = recorded(&Tally::every_kind(), &|_, _| Vec::new());
        for replicate in &run.replicates {
            let groups = replicate.groups.as_ref().expect("kept when recording");
            assert_eq!(groups.days(), run.dates.len());
            let compounds = groups.splits().iter().filter(|s| matches!(s, GroupSplit::Compound(_))).count();
            assert_eq!(compounds, 2);
            for (d, record) in replicate.days.iter().enumerate() {
                let cohorts: Vec<[u32; 6]> = record.iter().map(|c| key_counts(&c.core)).collect();
                let (bands, places) = groups.day(d).split_at(AgeBand::ALL.len());
                for split in [bands, places] {
                    let mut sums = [0u32; 6];
                    let mut expected = [0u32; 6];
                    for g in split {
                        sums.iter_mut().zip(key_counts(g)).for_each(|(s, v)| *s += v);
                    }
                    for c in &cohorts {
                        expected.iter_mut().zip(c).for_each(|(s, v)| *s += v);
                    }
                    assert_eq!(sums, expected, "day {d}");
                }
            }
        }
    }

    fn key_counts(c: &GroupDay) -> [u32; 6] {
        [c.residents, c.active, c.volunteers, c.attendees, c.complaints, c.silent_needs]
    }

    #[test]
    fn the_person_year_table_adds_up_to_the_daily_counters() {
        let kept: Mutex<Vec<(u32, PersonYears)>> = Mutex::default();
        let reduce = |k: u32, table: &PersonYears| {
            kept.lock().unwrap().push((k, table.clone()));
            vec![k as f64]
        };
        let run = recorded(&Tally::every_kind(), &reduce);
        assert_eq!(run.replicates.iter().map(|r| r.measures.clone()).collect::<Vec<_>>(), [vec![0.0], vec![1.0]]);
        let kept = kept.into_inner().unwrap();
        for (k, table) in kept {
            let days = &run.replicates[k as usize].days;
            let volunteers: u64 = days.iter().flat_map(|d| d.iter()).map(|c| u64::from(c.core.volunteers)).sum();
            let t = table.position(Tally::count(VOLUNTEERED)).unwrap();
            let counted: u64 = (0..table.persons().len()).map(|p| table.total(p, t)).sum();
            assert_eq!(counted, volunteers, "replicate {k}: check-ins in the table and in timeseries");
            assert_eq!(table.years, [2024, 2025]);
            let residents: u32 = days.last().unwrap().iter().map(|c| c.core.residents).sum();
            let here_at_end = (0..table.persons().len()).filter(|&p| table.year_end(p, 1).is_some()).count();
            assert_eq!(here_at_end as u32, residents, "everyone living here at the end has an end state");
            let attended = table.position(Tally::count(ATTENDED)).unwrap();
            let movers = (0..table.persons().len()).filter(|&p| table.left_on(p).is_some()).count();
            assert!(movers > 0, "some moved out during the run");
            for p in (0..table.persons().len()).filter(|&p| table.days_here(p).is_none()) {
                assert_eq!(table.total(p, attended), 0, "nobody acts while not living here");
            }
        }
    }
}
