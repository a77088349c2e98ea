//! A toy mechanism for the test of the mechanism API (docs/adding-a-mechanism.md): elder-care
//! vouchers paid to every attendee of the elders' story day, spent over time.

use super::{Ctx, Mechanism};
use crate::model::behaviour::decide::Decisions;
use crate::model::core::acts::{ActKind, ActLog};
use crate::model::core::counters::{CohortDay, Column, DayRecord};
use crate::model::core::day::{Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::{PerResident, ResidentId};
use crate::model::mechanisms::merchants::Merchants;

/// Was paid vouchers for attending the story day; the value is the vouchers.
pub const VOUCHERS_PAID: ActKind = ActKind(19);
/// Spent a voucher.
pub const VOUCHER_SPENT: ActKind = ActKind(20);
/// Moved out holding vouchers; the value is the vouchers.
pub const VOUCHERS_LOST: ActKind = ActKind(21);

crate::counters! {
    /// The vouchers' counters of one cohort and day.
    pub struct VoucherCounters {
        /// Vouchers paid today for attending the story day.
        vouchers_paid: u64 = Column::flow("vouchers_paid").yearly().sums(VOUCHERS_PAID),
        /// Vouchers spent today.
        vouchers_spent: u64 = Column::flow("vouchers_spent").counts(VOUCHER_SPENT),
        /// Vouchers held by residents who moved out today (they leave with their holder).
        vouchers_lost: u64 = Column::flow("vouchers_lost").sums(VOUCHERS_LOST),
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
    held: PerResident<u64>,
}

impl Mechanism for StoryVouchers {
    type Counters = VoucherCounters;
    type Wishes = ();
    const ACTS: &'static [(ActKind, &'static str)] =
        &[(VOUCHERS_PAID, "vouchers_paid"), (VOUCHER_SPENT, "voucher_spent"), (VOUCHERS_LOST, "vouchers_lost")];

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, core: &Core) -> StoryVouchers {
        let story_events = params.events.iter().enumerate().filter(|(_, e)| e.name.contains("story day"));
        StoryVouchers {
            per_attendance: 2,
            spend_from: 5,
            story_events: story_events.map(|(e, _)| e).collect(),
            held: PerResident::filled(0, core.residents.len()),
        }
    }

    fn heap_bytes(&self) -> usize {
        self.held.capacity() * 8
    }

    fn on_move_in(&mut self, i: ResidentId) {
        self.held[i] = 0;
    }

    fn on_move_out(&mut self, i: ResidentId, d: i32, tally: &mut CohortDay, acts: &mut ActLog) {
        tally.mechanisms.story_vouchers.vouchers_lost += self.held[i];
        if self.held[i] > 0 {
            acts.record(d, i, VOUCHERS_LOST, self.held[i]);
        }
    }

    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], granted: &Granted) {
        for &e in &self.story_events {
            for &i in granted.event(e) {
                self.held[i] += self.per_attendance;
                let cohort = ctx.core.residents.cohort[i];
                ctx.cohort(cohort).mechanisms.story_vouchers.vouchers_paid += self.per_attendance;
                ctx.acts.record(ctx.today.day, i, VOUCHERS_PAID, self.per_attendance);
            }
        }
    }

    fn end_of_day(
        &mut self,
        core: &Core,
        _merchants: &Merchants,
        today: &Today,
        record: &mut DayRecord,
        acts: &mut ActLog,
    ) {
        for (i, held) in self.held.iter_mut().enumerate() {
            let counters = &mut record[core.residents.cohort[i].index()].mechanisms.story_vouchers;
            if today.policies_on && *held >= self.spend_from {
                *held -= 1;
                counters.vouchers_spent += 1;
                acts.record(today.day, ResidentId::new(i), VOUCHER_SPENT, 1);
            }
            counters.vouchers_held += *held;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Calendar;
    use crate::model::World;
    use crate::model::core::events::{Event, Repeat};

    /// A small community whose only activity with attendees is a weekly story day (no
    /// deliberation seats), so the day's attendees are the story day's.
    fn params() -> Params {
        let mut params = Params::default();
        let c = &mut params.community;
        (c.compounds, c.buildings, c.stairwells, c.households, c.residents, c.micro_grids) = (1, 10, 30, 400, 1200, 4);
        params.committee.deliberation_seats = 0;
        params.behaviour.volunteer_offset = -50.0;
        params.events = vec![Event {
            name: "Elders' story day".into(),
            repeat: Some(Repeat::Weekly),
            capacity: 80,
            appeal: 1.0,
            publicity: 1.0,
            ..Event::probe()
        }];
        params
    }

    #[test]
    fn vouchers_are_paid_per_story_day_attendance_conserved_and_recorded() {
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 200);
        let mut world = World::new(&params(), 0, &calendar);
        let (mut attendances, mut paid, mut spent, mut lost, mut held) = (0, 0, 0, 0, 0);
        for day in calendar.days() {
            let record = world.step(day);
            for cohort in &record {
                let v = &cohort.mechanisms.story_vouchers;
                attendances += u64::from(cohort.core.attendees);
                (paid, spent, lost) = (paid + v.vouchers_paid, spent + v.vouchers_spent, lost + v.vouchers_lost);
            }
            held = record.iter().map(|c| c.mechanisms.story_vouchers.vouchers_held).sum();
        }
        assert!(attendances > 100, "the story day is attended: {attendances}");
        assert_eq!(paid, 2 * attendances, "two vouchers per attendance");
        assert!(spent > 0 && lost > 0, "vouchers are spent and leave with movers: {spent}, {lost}");
        assert_eq!(paid, spent + lost + held, "every voucher paid is spent, lost or held");
        assert_eq!(held, world.mechanisms().story_vouchers.held.iter().sum::<u64>());
    }

    #[test]
    fn the_vouchers_columns_are_in_every_cohort_row() {
        let columns = CohortDay::row_columns();
        let at = columns.iter().position(|&c| c == "vouchers_paid").expect("a vouchers_paid column");
        let mut day = CohortDay::default();
        day.mechanisms.story_vouchers.vouchers_paid = 14;
        assert_eq!(day.row_fields()[at], "14");
        assert!(CohortDay::counter_columns().iter().any(|c| c.name == "vouchers_paid" && c.yearly));
    }
}
