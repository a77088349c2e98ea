//! What the patterns read of an arm's run, per replicate: the measures by group, yearly active rates and totals, and daily active rates (all residents; the seeded compound's residents, and its adults, who were not seeded).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::experiment::compare::{ArmRun, Group};
use crate::model::CohortDay;
use crate::simulate::{GroupSplit, ReplicateRun};

/// The values of one arm, each a vector over replicates (in replicate order).
#[derive(Clone, Debug, Default)]
pub struct ArmValues {
    pub dates: Vec<NaiveDate>,
    /// `measure/group` (the measures of who took part) and `name_year/group` (yearly values).
    pub scalars: BTreeMap<String, Vec<f64>>,
    /// Per replicate, the daily active rate of every resident.
    pub daily_all: Vec<Vec<f64>>,
    /// Per replicate, the daily active rate of the seeded compound's residents who were not
    /// seeded (empty without seeding).
    pub daily_unseeded: Vec<Vec<f64>>,
    /// The same for the seeded compound's adults who were not seeded.
    pub daily_unseeded_adults: Vec<Vec<f64>>,
    /// `committee.resolve_share`, for the resolved count of docs/MODEL.md §10.
    pub resolve_share: f64,
}

impl ArmValues {
    /// The values of `key`; a pattern that names an unknown key is a bug.
    pub fn get(&self, key: &str) -> &[f64] {
        self.scalars.get(key).unwrap_or_else(|| panic!("no value {key} in the arm's run"))
    }

    /// The index of `date` among the recorded days.
    pub fn day_of(&self, date: NaiveDate) -> Option<usize> {
        self.dates.iter().position(|&d| d == date)
    }

    /// Per replicate, the mean over `from..=to` of the seeded compound's daily active rate of
    /// the residents who were not seeded, or (`adults_only`) of its adults who were not (NaN
    /// without seeding).
    pub fn unseeded_mean(&self, adults_only: bool, from: NaiveDate, to: NaiveDate) -> Vec<f64> {
        let days = self.days_between(from, to);
        let daily = if adults_only { &self.daily_unseeded_adults } else { &self.daily_unseeded };
        daily.iter().map(|rates| mean_of(rates, &days)).collect()
    }

    fn days_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
        (0..self.dates.len()).filter(|&d| self.dates[d] >= from && self.dates[d] <= to).collect()
    }
}

/// The mean of `rates` over `days` (NaN when there are none).
fn mean_of(rates: &[f64], days: &[usize]) -> f64 {
    if days.is_empty() || rates.is_empty() {
        return f64::NAN;
    }
    days.iter().map(|&d| rates[d]).sum::<f64>() / days.len() as f64
}

/// The key of a measure of a group.
pub fn measure_key(measure: &str, group: &str) -> String {
    format!("{measure}/{group}")
}

/// The key of a yearly value of a group.
pub fn year_key(name: &str, year: i32, group: &str) -> String {
    format!("{name}_{year}/{group}")
}

/// Everything the patterns read of `run`.
pub fn arm_values(run: &ArmRun) -> ArmValues {
    let output = &run.output;
    let mut scalars = BTreeMap::new();
    for (k, entry) in run.measures.entries().iter().enumerate() {
        let values = output.replicates.iter().map(|r| r.measures.get(k).copied().unwrap_or(f64::NAN)).collect();
        scalars.insert(measure_key(&entry.measure, entry.group.name()), values);
    }
    let mut years: Vec<i32> = output.dates.iter().map(|d| d.year()).collect();
    years.dedup();
    for year in years {
        let days: Vec<usize> = (0..output.dates.len()).filter(|&d| output.dates[d].year() == year).collect();
        for group in Group::ALL {
            let rates = output.replicates.iter().map(|r| mean_over(&days, |d| group.of(&r.days[d]).active_rate()));
            scalars.insert(year_key("active_rate", year, group.name()), rates.collect());
        }
        for counter in ["complaints", "proposals_submitted", "proposals_implemented", "complaints_resolved"] {
            let position = CohortDay::counter_position(counter).expect("a counter of the model");
            let totals = output.replicates.iter().map(|r| {
                days.iter().map(|&d| r.days[d].iter().map(|c| c.counter_values()[position]).sum::<f64>()).sum()
            });
            scalars.insert(year_key(counter, year, "all"), totals.collect());
        }
    }
    let seeded_compound = output.scenario.policy.seeding.is_on().then_some(output.scenario.policy.seeding.compound);
    ArmValues {
        dates: output.dates.clone(),
        scalars,
        daily_all: output.replicates.iter().map(daily_all).collect(),
        daily_unseeded: output.replicates.iter().map(|r| daily_unseeded(r, seeded_compound, false)).collect(),
        daily_unseeded_adults: output.replicates.iter().map(|r| daily_unseeded(r, seeded_compound, true)).collect(),
        resolve_share: output.scenario.committee.resolve_share,
    }
}

fn mean_over(days: &[usize], f: impl Fn(usize) -> f64) -> f64 {
    days.iter().map(|&d| f(d)).sum::<f64>() / days.len().max(1) as f64
}

fn daily_all(replicate: &ReplicateRun) -> Vec<f64> {
    replicate.days.iter().map(|d| Group::All.of(d).active_rate()).collect()
}

/// The seeded compound's daily active rate without its seeded residents and, with
/// `adults_only`, without its children (who cannot be seeded), so every arm compares the same
/// kind of resident; empty without seeding.
fn daily_unseeded(replicate: &ReplicateRun, seeded_compound: Option<u32>, adults_only: bool) -> Vec<f64> {
    let (Some(groups), Some(c)) = (replicate.groups.as_ref(), seeded_compound) else { return Vec::new() };
    let Some(g) = groups.splits().iter().position(|split| matches!(split, GroupSplit::Compound(k) if *k == c)) else {
        return Vec::new();
    };
    (0..groups.days())
        .map(|d| {
            let counts = &groups.day(d)[g];
            let seeding = Group::All.of(&replicate.days[d]).mechanisms.seeding;
            let (mut residents, mut active) =
                (counts.residents - seeding.seeded_residents, counts.active - seeding.seeded_active);
            if adults_only {
                residents -= seeding.seeded_compound_children;
                active -= seeding.seeded_compound_children_active;
            }
            if residents == 0 { f64::NAN } else { f64::from(active) / f64::from(residents) }
        })
        .collect()
}
