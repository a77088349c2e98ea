//! A toy mechanism for the test of the mechanism API (docs/adding-a-mechanism.md): elder-care
//! vouchers paid to every attendee of the elders' story day, spent over time.

use super::{Ctx, Mechanism};
use crate::model::behaviour::decide::Decisions;
use crate::model::core::counters::{CohortDay, Column, DayRecord};
use crate::model::core::day::{FIRST_EVENT, Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::mechanisms::merchants::Merchants;

crate::counters! {
    /// The vouchers' counters of one cohort and day.
    pub struct VoucherCounters {
        /// Vouchers paid today for attending the story day.
        vouchers_paid: u64 = Column::flow("vouchers_paid").yearly(),
        /// Vouchers spent today.
        vouchers_spent: u64 = Column::flow("vouchers_spent"),
        /// Vouchers held by residents who moved out today (they leave with their holder).
        vouchers_lost: u64 = Column::flow("vouchers_lost"),
        /// Vouchers the cohort holds at the end of the day.
        vouchers_held: u64 = Column::stock("vouchers_held"),
    }
}

/// Vouchers paid per attendance of an event whose name contains "story day", spent one a day
/// by residents holding at least `spend_from`.
pub struct StoryVouchers {
    per_attendance: u64,
    spend_from: u64,
    story_events: Vec<usize>,
    held: Vec<u64>,
}

impl Mechanism for StoryVouchers {
    type Counters = VoucherCounters;
    type Wishes = ();

    fn build(params: &Params, core: &Core) -> StoryVouchers {
        let story_events = params.events.iter().enumerate().filter(|(_, e)| e.name.contains("story day"));
        StoryVouchers {
            per_attendance: 2,
            spend_from: 5,
            story_events: story_events.map(|(e, _)| e).collect(),
            held: vec![0; core.residents.len()],
        }
    }

    fn heap_bytes(&self) -> usize {
        self.held.capacity() * 8
    }

    fn on_move_in(&mut self, i: usize) {
        self.held[i] = 0;
    }

    fn on_move_out(&mut self, i: usize, day: &mut CohortDay) {
        day.mechanisms.story_vouchers.vouchers_lost += self.held[i];
    }

    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], granted: &Granted) {
        for &e in &self.story_events {
            for &i in &granted[FIRST_EVENT as usize + e] {
                self.held[i as usize] += self.per_attendance;
                let cohort = ctx.core.residents.cohort[i as usize];
                ctx.cohort(cohort).mechanisms.story_vouchers.vouchers_paid += self.per_attendance;
            }
        }
    }

    fn end_of_day(&mut self, core: &Core, _merchants: &Merchants, today: &Today, record: &mut DayRecord) {
        for (i, held) in self.held.iter_mut().enumerate() {
            let counters = &mut record[core.residents.cohort[i].index()].mechanisms.story_vouchers;
            if today.policies_on && *held >= self.spend_from {
                *held -= 1;
                counters.vouchers_spent += 1;
            }
            counters.vouchers_held += *held;
        }
    }
}
