//! The individual-level table of a replicate: every person's acts counted per calendar year,
//! and their state at the end of each year, built from the told acts as the run goes.

use chrono::{Datelike, NaiveDate};

use super::people::{People, Person, PersonAct};
use crate::model::World;
use crate::model::core::acts::ActKind;
use crate::model::core::counters::{CohortDay, FromActs};
use crate::model::mechanisms::all_act_kinds;

/// What one cell of the table counts: the acts of a kind (of one activity, when given), or
/// the sum of their values (points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub kind: ActKind,
    /// Only acts with this value (an activity's code, for attendances).
    pub value: Option<u64>,
    /// Sum the acts' values instead of counting them.
    pub sum: bool,
}

impl Tally {
    pub const fn count(kind: ActKind) -> Tally {
        Tally { kind, value: None, sum: false }
    }

    /// A count of every kind of act, then the sum of every kind whose values are summed by a
    /// counter (points), in kind order.
    pub fn every_kind() -> Vec<Tally> {
        let mut kinds: Vec<ActKind> = all_act_kinds().into_iter().map(|(kind, _)| kind).collect();
        kinds.sort_unstable();
        let mut summed: Vec<ActKind> = CohortDay::counter_columns()
            .iter()
            .filter_map(|c| match c.acts {
                Some(FromActs::Sum(kind)) => Some(kind),
                _ => None,
            })
            .collect();
        summed.sort_unstable();
        summed.dedup();
        let counts = kinds.into_iter().map(Tally::count);
        counts.chain(summed.into_iter().map(|kind| Tally { sum: true, ..Tally::count(kind) })).collect()
    }

    fn adds(&self, act: &PersonAct) -> u64 {
        match (self.value, self.sum) {
            (Some(value), _) if act.value != value => 0,
            (_, true) => act.value,
            _ => 1,
        }
    }
}

/// A person's state at the end of a year (or of the run).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YearEnd {
    pub trust: f32,
    pub attachment: f32,
    pub habit: f32,
    pub intrinsic: f32,
    pub awareness: f32,
}

/// Every person's tallies per year, and their state at each year's end.
#[derive(Clone, Debug)]
pub struct PersonYears {
    /// The calendar years of the recorded days, in order.
    pub years: Vec<i32>,
    year_of_day: Vec<usize>,
    last_day_of_year: Vec<u32>,
    record_from: i32,
    tallies: Vec<Tally>,
    /// The tallies each kind of act adds to, by kind number.
    by_kind: Vec<Vec<usize>>,
    persons: Vec<Person>,
    /// Day index of moving out, per person (`i32::MAX` if they did not); set by `finish`.
    left: Vec<i32>,
    /// `[person][year][tally]`, flattened.
    cells: Vec<u64>,
    /// `[person][year]`, flattened; `None` for a person who did not live here at that year's end.
    year_end: Vec<Option<YearEnd>>,
}

impl PersonYears {
    /// An empty table for the recorded days `dates` (the first simulated day is `record_from`
    /// days before the first of them).
    pub fn new(dates: &[NaiveDate], record_from: u32, tallies: Vec<Tally>) -> PersonYears {
        let mut years: Vec<i32> = dates.iter().map(|d| d.year()).collect();
        years.dedup();
        let year_of_day: Vec<usize> =
            dates.iter().map(|d| years.iter().position(|&y| y == d.year()).expect("listed")).collect();
        let last_day_of_year = (0..years.len())
            .map(|y| year_of_day.iter().rposition(|&of| of == y).expect("a year has days") as u32)
            .collect();
        let largest = tallies.iter().map(|t| usize::from(t.kind.0)).max().unwrap_or(0);
        let mut by_kind = vec![Vec::new(); largest + 1];
        for (k, tally) in tallies.iter().enumerate() {
            by_kind[usize::from(tally.kind.0)].push(k);
        }
        PersonYears {
            years,
            year_of_day,
            last_day_of_year,
            record_from: record_from as i32,
            tallies,
            by_kind,
            persons: Vec::new(),
            left: Vec::new(),
            cells: Vec::new(),
            year_end: Vec::new(),
        }
    }

    /// Adds recorded day `day`'s told acts; at a year's last day, keeps everyone's state.
    pub fn day(&mut self, day: u32, acts: &[PersonAct], people: &People, world: &World) {
        self.grow(people);
        let year = self.year_of_day[day as usize];
        for act in acts {
            let row = self.cell(act.person as usize, year, 0);
            for &k in self.by_kind.get(usize::from(act.kind.0)).map_or(&[][..], Vec::as_slice) {
                self.cells[row + k] += self.tallies[k].adds(act);
            }
        }
        if self.last_day_of_year[year] == day {
            self.keep_year_end(year, people, world);
        }
    }

    fn grow(&mut self, people: &People) {
        let (years, tallies) = (self.years.len(), self.tallies.len());
        let new = &people.persons()[self.persons.len()..];
        self.persons.extend_from_slice(new);
        self.cells.resize(self.persons.len() * years * tallies, 0);
        self.year_end.resize(self.persons.len() * years, None);
    }

    /// Takes who moved out when from `people`, after the last day.
    pub fn finish(&mut self, people: &People) {
        self.grow(people);
        self.left = (0..self.persons.len() as u32).map(|p| people.left_on(p).unwrap_or(i32::MAX)).collect();
    }

    fn keep_year_end(&mut self, year: usize, people: &People, world: &World) {
        let r = world.residents();
        for slot in r.ids() {
            let person = people.in_slot(slot) as usize;
            self.year_end[person * self.years.len() + year] = Some(YearEnd {
                trust: r.trust[slot],
                attachment: r.attachment[slot],
                habit: r.habit[slot],
                intrinsic: r.intrinsic[slot],
                awareness: r.awareness[slot],
            });
        }
    }

    fn cell(&self, person: usize, year: usize, tally: usize) -> usize {
        (person * self.years.len() + year) * self.tallies.len() + tally
    }

    /// The first recorded day's index, counted from the first simulated day.
    pub fn record_from(&self) -> i32 {
        self.record_from
    }

    pub fn tallies(&self) -> &[Tally] {
        &self.tallies
    }

    /// Where `tally` is in the table.
    pub fn position(&self, tally: Tally) -> Option<usize> {
        self.tallies.iter().position(|&t| t == tally)
    }

    /// Everyone who lived here at some time of the run (burn-in included), by number.
    pub fn persons(&self) -> &[Person] {
        &self.persons
    }

    /// Tally `tally` (a position in [`PersonYears::tallies`]) of `person` in year `year`.
    pub fn value(&self, person: usize, year: usize, tally: usize) -> u64 {
        self.cells[self.cell(person, year, tally)]
    }

    /// Tally `tally` of `person` over every recorded year.
    pub fn total(&self, person: usize, tally: usize) -> u64 {
        (0..self.years.len()).map(|y| self.value(person, y, tally)).sum()
    }

    /// The recorded days `person` lived here: from moving in (or the start) to moving out (or
    /// the end), both included; `None` if they left before the start.
    pub fn days_here(&self, person: usize) -> Option<(u32, u32)> {
        let recorded = self.year_of_day.len() as i64;
        let first = (i64::from(self.persons[person].move_in_day) - i64::from(self.record_from)).max(0);
        let last = (i64::from(self.left[person]) - i64::from(self.record_from)).min(recorded - 1);
        (first <= last).then_some((first as u32, last as u32))
    }

    /// Whether `person` lived here on some day of year `year`.
    pub fn lived_here_in(&self, person: usize, year: usize) -> bool {
        let Some((first, last)) = self.days_here(person) else { return false };
        let (year_first, year_last) = self.year_days(year);
        first <= year_last && last >= year_first
    }

    /// The first and last recorded day of year `year`.
    pub fn year_days(&self, year: usize) -> (u32, u32) {
        let first = if year == 0 { 0 } else { self.last_day_of_year[year - 1] + 1 };
        (first, self.last_day_of_year[year])
    }

    /// `person`'s state at the end of year `year`, if they lived here then.
    pub fn year_end(&self, person: usize, year: usize) -> Option<YearEnd> {
        self.year_end[person * self.years.len() + year]
    }

    /// The recorded day of moving out, if `person` moved out after the start.
    pub fn left_on(&self, person: usize) -> Option<u32> {
        let day = i64::from(self.left[person]) - i64::from(self.record_from);
        (self.left[person] != i32::MAX && day >= 0).then_some(day as u32)
    }
}
