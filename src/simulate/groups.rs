//! Daily counts per age band and per compound, the splits beside the cohorts of
//! `timeseries.csv`: taken from the day's told acts and the residents at the end of the day.

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

/// Every recorded day's counts: the age bands, then the compounds.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDays {
    compounds: usize,
    counts: Vec<GroupDay>,
    /// Each slot's compound (homes do not move).
    compound_of_slot: Vec<u32>,
}

impl GroupDays {
    pub fn new(world: &World) -> GroupDays {
        let compound_of = |slot| world.structure().building_compound[world.building_of(slot) as usize];
        let compound_of_slot: Vec<u32> = world.residents().ids().map(compound_of).collect();
        GroupDays { compounds: world.structure().n_compounds(), counts: Vec::new(), compound_of_slot }
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
        let residents = world.residents();
        for slot in residents.ids() {
            for g in [residents.age[slot] as usize, N_AGE_BANDS + self.compound_of_slot[slot.index()] as usize] {
                let group = &mut today[g];
                group.residents += 1;
                group.active += u32::from(world.is_active(slot, d));
                group.trust_sum += f64::from(residents.trust[slot]);
                group.attachment_sum += f64::from(residents.attachment[slot]);
            }
        }
        let mut attendees: Vec<u32> = Vec::new();
        for act in acts {
            let compound = N_AGE_BANDS + people.persons()[act.person as usize].compound as usize;
            for g in [act.age_band as usize, compound] {
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
            today[N_AGE_BANDS + p.compound as usize].attendees += 1;
        }
    }
}
