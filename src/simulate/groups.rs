//! Daily counts per age band and per compound, the splits beside the cohorts of
//! `timeseries.csv`: taken from the day's told acts and the residents at the end of the day.

use std::ops::Range;

use super::people::{People, PersonAct};
use crate::model::World;
use crate::model::core::acts::{ATTENDED, COMPLAINED, KEPT_SILENT, VOLUNTEERED};
use crate::model::core::counters::CoreCounters;
use crate::model::core::types::{AgeBand, N_AGE_BANDS};

/// One group's day, counted as a cohort's core counters are.
pub type GroupDay = CoreCounters;

/// A group of residents other than a cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    AgeBand(AgeBand),
    /// A compound, by number from 0.
    Compound(u32),
}

impl Split {
    /// The split's kind and the group's name, as written in outputs.
    pub fn names(self) -> (&'static str, String) {
        match self {
            Split::AgeBand(band) => ("age_band", band.name().to_string()),
            Split::Compound(c) => ("compound", c.to_string()),
        }
    }
}

/// Every recorded day's counts: the age bands, then the compounds when there are several.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDays {
    compounds: usize,
    counts: Vec<GroupDay>,
    /// Runs of consecutive slots in the same compound (homes do not move).
    compound_runs: Vec<(u32, Range<usize>)>,
}

impl GroupDays {
    pub fn new(world: &World) -> GroupDays {
        let compound_of = |slot| world.compound_of(slot);
        let mut compound_runs: Vec<(u32, Range<usize>)> = Vec::new();
        for (k, slot) in world.residents().ids().enumerate() {
            match compound_runs.last_mut() {
                Some((compound, run)) if *compound == compound_of(slot) => run.end = k + 1,
                _ => compound_runs.push((compound_of(slot), k..k + 1)),
            }
        }
        // One compound is the whole community: it gets no group of its own.
        let compounds = world.structure().n_compounds();
        GroupDays { compounds: if compounds > 1 { compounds } else { 0 }, counts: Vec::new(), compound_runs }
    }

    /// The groups, in the order of each day's counts.
    pub fn splits(&self) -> Vec<Split> {
        let bands = AgeBand::ALL.into_iter().map(Split::AgeBand);
        bands.chain((0..self.compounds as u32).map(Split::Compound)).collect()
    }

    fn groups(&self) -> usize {
        N_AGE_BANDS + self.compounds
    }

    /// The counts of recorded day `day`, one per group in [`GroupDays::splits`] order.
    pub fn day(&self, day: usize) -> &[GroupDay] {
        &self.counts[day * self.groups()..(day + 1) * self.groups()]
    }

    pub fn days(&self) -> usize {
        self.counts.len() / self.groups().max(1)
    }

    /// Counts a day (`d` is its index from the first simulated day).
    pub fn add_day(&mut self, acts: &[PersonAct], people: &People, world: &World, d: i32) {
        let start = self.counts.len();
        self.counts.resize(start + self.groups(), GroupDay::default());
        let today = &mut self.counts[start..];
        let r = world.residents();
        let window = world.active_window();
        // This runs for every resident daily: one pass per run of slots in the same compound,
        // summing into locals (no bounds checks, no stores through the slice in the loop).
        let mut bands = [GroupDay::default(); N_AGE_BANDS];
        for (compound, slots) in &self.compound_runs {
            let mut place = GroupDay::default();
            let ages = r.age.0[slots.clone()].iter();
            let states = r.last_active.0[slots.clone()]
                .iter()
                .zip(&r.trust.0[slots.clone()])
                .zip(&r.attachment.0[slots.clone()]);
            for (&age, ((&last_active, &trust), &attachment)) in ages.zip(states) {
                let active = u32::from(d - last_active < window);
                let (trust, attachment) = (f64::from(trust), f64::from(attachment));
                let band = &mut bands[age as usize];
                band.residents += 1;
                band.active += active;
                band.trust_sum += trust;
                band.attachment_sum += attachment;
                place.active += active;
                place.trust_sum += trust;
                place.attachment_sum += attachment;
            }
            if self.compounds > 0 {
                let group = &mut today[N_AGE_BANDS + *compound as usize];
                group.residents += slots.len() as u32;
                group.active += place.active;
                group.trust_sum += place.trust_sum;
                group.attachment_sum += place.attachment_sum;
            }
        }
        today[..N_AGE_BANDS].copy_from_slice(&bands);
        let mut attendees: Vec<u32> = Vec::new();
        let by_compound = self.compounds > 0;
        for act in acts {
            let compound = N_AGE_BANDS + people.persons()[act.person as usize].compound as usize;
            for g in std::iter::once(act.age_band as usize).chain(by_compound.then_some(compound)) {
                let group = &mut today[g];
                match act.kind {
                    VOLUNTEERED => group.volunteers += 1,
                    COMPLAINED => group.complaints += 1,
                    KEPT_SILENT => group.silent_needs += 1,
                    _ => {}
                }
            }
            if act.kind == ATTENDED {
                attendees.push(act.person);
            }
        }
        attendees.sort_unstable();
        attendees.dedup();
        for person in attendees {
            let p = &people.persons()[person as usize];
            today[p.age_band as usize].attendees += 1;
            if by_compound {
                today[N_AGE_BANDS + p.compound as usize].attendees += 1;
            }
        }
    }
}
