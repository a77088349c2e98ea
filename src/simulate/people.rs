//! Who is who in individual-level data: everyone who lives in the community during a replicate
//! gets a number of their own (a slot's next occupant is a new person), and each act is told
//! with the person who did it and their cohort and age band.

use std::collections::HashMap;

use crate::model::World;
use crate::model::core::acts::{Act, ActKind, MOVED_IN, MOVED_OUT};
use crate::model::core::types::{AgeBand, Cohort, ResidentId};
use crate::model::mechanisms::proposal_fund::{
    PROPOSAL_APPROVED, PROPOSAL_IMPLEMENTED, PROPOSAL_REJECTED, PROPOSAL_STALLED, PROPOSED,
};

/// A person and where they live; fixed for as long as they live here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Person {
    /// Their slot in the model's resident arrays (reused by whoever moves in after them).
    pub slot: ResidentId,
    pub cohort: Cohort,
    pub age_band: AgeBand,
    pub household: u32,
    pub building: u32,
    pub compound: u32,
    /// Day index of moving in, counted from the first simulated day (negative: before the run).
    pub move_in_day: i32,
}

/// One act, told with the person who did it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonAct {
    /// Recorded day (0 is the start date).
    pub day: u32,
    pub person: u32,
    pub cohort: Cohort,
    pub age_band: AgeBand,
    pub kind: ActKind,
    pub value: u64,
}

/// Every person of a replicate so far, and who lives in each slot now.
#[derive(Clone, Debug, Default)]
pub struct People {
    persons: Vec<Person>,
    /// Day index of moving out, per person (`i32::MAX` while they live here).
    left: Vec<i32>,
    in_slot: Vec<u32>,
    /// The proposer of each open proposal, by serial number: its later stages are theirs even
    /// after they move out and someone else takes their slot.
    proposers: HashMap<u64, u32>,
}

impl People {
    /// The residents of `world` before its first day, numbered by slot.
    pub fn new(world: &World) -> People {
        let slots = world.residents().ids();
        let persons: Vec<Person> = slots.map(|slot| person_in(world, slot)).collect();
        let in_slot = (0..persons.len() as u32).collect();
        People { left: vec![i32::MAX; persons.len()], persons, in_slot, proposers: HashMap::new() }
    }

    /// Tells the acts of a day (in the order they happened) with their persons, from day
    /// `record_from` on; a newcomer becomes a new person at their moving-in act, so a leaver's
    /// acts of the day (moving out, points lost) stay theirs.
    pub fn resolve(&mut self, acts: &[Act], world: &World, record_from: u32) -> Vec<PersonAct> {
        let mut told = Vec::with_capacity(acts.len());
        for act in acts {
            if act.kind == MOVED_OUT {
                self.left[self.in_slot[act.resident.index()] as usize] = act.day as i32;
            }
            if act.kind == MOVED_IN {
                self.in_slot[act.resident.index()] = self.persons.len() as u32;
                self.persons.push(person_in(world, act.resident));
                self.left.push(i32::MAX);
            }
            let person = self.person_of(act);
            if act.day >= record_from {
                let p = &self.persons[person as usize];
                let (cohort, age_band) = (p.cohort, p.age_band);
                told.push(PersonAct {
                    day: act.day - record_from,
                    person,
                    cohort,
                    age_band,
                    kind: act.kind,
                    value: act.value,
                });
            }
        }
        told
    }

    /// Who did `act`: the slot's occupant, or for a proposal's later stage its proposer.
    fn person_of(&mut self, act: &Act) -> u32 {
        let occupant = self.in_slot[act.resident.index()];
        match act.kind {
            PROPOSED => {
                self.proposers.insert(act.value, occupant);
                occupant
            }
            PROPOSAL_APPROVED => self.proposers.get(&act.value).copied().unwrap_or(occupant),
            PROPOSAL_REJECTED | PROPOSAL_IMPLEMENTED | PROPOSAL_STALLED => {
                self.proposers.remove(&act.value).unwrap_or(occupant)
            }
            _ => occupant,
        }
    }

    /// Everyone so far, by number.
    pub fn persons(&self) -> &[Person] {
        &self.persons
    }

    /// The day index of `person`'s moving out, if they have moved out.
    pub fn left_on(&self, person: u32) -> Option<i32> {
        let day = self.left[person as usize];
        (day != i32::MAX).then_some(day)
    }

    /// The person living in `slot` now.
    pub fn in_slot(&self, slot: ResidentId) -> u32 {
        self.in_slot[slot.index()]
    }

    /// The number of every person living here now, by slot.
    pub fn living(&self) -> &[u32] {
        &self.in_slot
    }
}

fn person_in(world: &World, slot: ResidentId) -> Person {
    let residents = world.residents();
    let household = world.structure().household_of(slot) as u32;
    let building = world.building_of(slot);
    Person {
        slot,
        cohort: residents.cohort[slot],
        age_band: residents.age[slot],
        household,
        building,
        compound: world.structure().building_compound[building as usize],
        move_in_day: residents.move_in_day[slot],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::acts::VOLUNTEERED;

    fn act(day: u32, slot: u32, kind: ActKind) -> Act {
        Act { day, resident: ResidentId(slot), kind, value: 0 }
    }

    #[test]
    fn a_newcomer_is_a_new_person_and_the_leavers_acts_stay_theirs() {
        let params = crate::model::core::params::Params::default();
        let calendar = crate::engine::Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 5);
        let world = World::new(&params, 0, &calendar);
        let mut people = People::new(&world);
        let n = people.persons().len() as u32;
        let acts = [act(3, 7, VOLUNTEERED), act(3, 7, MOVED_OUT), act(3, 7, MOVED_IN), act(3, 7, VOLUNTEERED)];
        let told = people.resolve(&acts, &world, 2);
        let who: Vec<u32> = told.iter().map(|a| a.person).collect();
        assert_eq!(who, [7, 7, n, n]);
        assert!(told.iter().all(|a| a.day == 1), "days count from the first recorded day");
        assert_eq!(people.in_slot(ResidentId(7)), n);
        assert_eq!((people.left_on(7), people.left_on(n)), (Some(3), None));
        assert!(people.resolve(&[act(1, 3, VOLUNTEERED)], &world, 2).is_empty(), "burn-in acts are not told");
    }

    #[test]
    fn a_proposal_s_later_stages_stay_with_its_proposer_after_they_move_out() {
        let params = crate::model::core::params::Params::default();
        let calendar = crate::engine::Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 5);
        let world = World::new(&params, 0, &calendar);
        let mut people = People::new(&world);
        let n = people.persons().len() as u32;
        let stage = |day, kind| Act { day, resident: ResidentId(4), kind, value: 77 };
        let acts = [stage(2, PROPOSED), act(3, 4, MOVED_OUT), act(3, 4, MOVED_IN), stage(3, PROPOSAL_APPROVED)];
        let told = people.resolve(&acts, &world, 0);
        assert_eq!(told.iter().map(|a| a.person).collect::<Vec<_>>(), [4, 4, n, 4]);
        let stalled = people.resolve(&[stage(9, PROPOSAL_STALLED), stage(9, PROPOSAL_STALLED)], &world, 0);
        assert_eq!(stalled[0].person, 4, "the proposer's, while the proposal is open");
        assert_eq!(stalled[1].person, n, "a closed proposal's serial is forgotten");
    }
}
