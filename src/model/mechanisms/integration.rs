//! Integration workshops for newcomers (新居民融入): a monthly activity that raises attachment and awareness.

use chrono::Datelike;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ctx, Mechanism};
use crate::model::behaviour::decide::{Decisions, Draws};
use crate::model::behaviour::rules;
use crate::model::core::check::{Check, LAST_DAY_IN_EVERY_MONTH};
use crate::model::core::counters::Column;
use crate::model::core::day::{Activity, FIRST_MECHANISM_ACTIVITY, Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;

/// Integration workshops for newcomers (新居民融入).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IntegrationParams {
    /// Turns the workshops on.
    pub enabled: bool,
    /// Day of the month of the workshop (1-28).
    pub day: u32,
    /// Residents who moved in within this many days are invited.
    pub newcomer_days: u32,
    /// Places per workshop.
    pub capacity: u32,
    /// Logit offset of attending.
    pub appeal: f64,
    /// Attachment gained by an attendee, as a share of the gap to 1.
    pub attachment_gain: f64,
    /// Awareness gained by an attendee, as a share of the gap to 1.
    pub awareness_gain: f64,
}

impl Default for IntegrationParams {
    fn default() -> IntegrationParams {
        IntegrationParams {
            enabled: false,
            day: 25,
            newcomer_days: 365,
            capacity: 40,
            appeal: 0.5,
            attachment_gain: 0.15,
            awareness_gain: 0.3,
        }
    }
}

impl IntegrationParams {
    /// The ranges of the workshops' keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        check.int_range(&format!("{at}.newcomer_days"), self.newcomer_days.into(), 1, 36_500);
        check.int_range(&format!("{at}.day"), self.day.into(), 1, LAST_DAY_IN_EVERY_MONTH);
        check.int_range(&format!("{at}.capacity"), self.capacity.into(), 1, u32::MAX.into());
        check.real_range(&format!("{at}.appeal"), self.appeal, -50.0, 50.0);
        check.share(&format!("{at}.attachment_gain"), self.attachment_gain);
        check.share(&format!("{at}.awareness_gain"), self.awareness_gain);
    }
}

/// The workshop's activity code.
pub const WORKSHOP: Activity = FIRST_MECHANISM_ACTIVITY;

crate::counters! {
    /// The integration workshop's counters of one cohort and day.
    pub struct IntegrationCounters {
        /// Newcomers who applied for a place at today's workshop, granted or not.
        workshop_applicants: u32 = Column::flow("workshop_applicants"),
        /// Places at today's workshop (0 on other days): the community's, the same in every cohort.
        workshop_places: u32 = Column::community("workshop_places"),
    }
}

/// Integration workshops: on the workshop day each month, newcomers (moved in within
/// `newcomer_days`) may attend; attending raises attachment and awareness.
pub struct Integration {
    params: IntegrationParams,
}

impl Mechanism for Integration {
    type Counters = IntegrationCounters;
    type Wishes = ();

    fn build(params: &Params, _core: &Core) -> Integration {
        Integration { params: params.policy.integration.clone() }
    }

    /// The workshop's draw is the first after the resident's fixed draws.
    #[inline]
    fn offer(
        &self,
        core: &Core,
        i: ResidentId,
        today: &Today,
        draws: &Draws,
        apply: &mut impl FnMut(Activity, f32, u64, f32),
    ) {
        if self.offered_to(today, core.residents.move_in_day[i]) {
            apply(WORKSHOP, self.params.appeal as f32, draws.spare(0), 0.0);
        }
    }

    /// On the workshop's day, the newcomers it is offered to.
    fn visits(&self, core: &Core, today: &Today, first: usize, visit: &mut [bool]) {
        if self.held(today) {
            let moved_in = &core.residents.move_in_day.0[first..first + visit.len()];
            for (v, &day) in visit.iter_mut().zip(moved_in) {
                *v |= self.offered_to(today, day);
            }
        }
    }

    fn capacity(&self, activity: Activity) -> Option<u32> {
        (activity == WORKSHOP).then_some(self.params.capacity)
    }

    /// Attendees gain attachment and awareness; on the workshop day, its applicants (counted in
    /// the decide pass, summed by the allocation) and places are recorded.
    fn after_allocation(&mut self, ctx: &mut Ctx, _decisions: &[Decisions], granted: &Granted) {
        if self.held(ctx.today) {
            let applicants = granted.applicants(WORKSHOP);
            for (cohort, applied) in ctx.tally.iter_mut().zip(applicants) {
                cohort.mechanisms.integration.workshop_applicants += applied;
                cohort.mechanisms.integration.workshop_places = self.params.capacity;
            }
        }
        let r = &mut ctx.core.residents;
        for &i in granted.of(WORKSHOP) {
            r.attachment[i] = rules::gain(r.attachment[i], self.params.attachment_gain as f32);
            r.awareness[i] = rules::gain(r.awareness[i], self.params.awareness_gain as f32);
        }
    }
}

impl Integration {
    /// Whether a workshop is held today (while the mechanisms run): on its day of the month.
    #[inline]
    fn held(&self, today: &Today) -> bool {
        self.params.enabled && today.date.day() == self.params.day
    }

    /// Whether the workshop is offered today to a resident who moved in on day `move_in_day`.
    #[inline]
    fn offered_to(&self, today: &Today, move_in_day: i32) -> bool {
        self.held(today) && today.day - move_in_day < self.params.newcomer_days as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::behaviour::allocate::allocate;
    use crate::model::behaviour::decide::Applicant;
    use crate::model::core::acts::ActLog;
    use crate::model::core::counters::DayRecord;
    use crate::model::mechanisms::Mechanisms;
    use crate::model::mechanisms::merchants::Merchants;

    /// Today on `day_of_month` with the mechanisms running.
    fn today(day_of_month: u32) -> Today {
        Today { date: chrono::NaiveDate::from_ymd_opt(2024, 2, day_of_month).unwrap(), ..Today::for_tests(40, true) }
    }

    #[test]
    fn the_workshop_s_applicants_and_places_are_counted_on_its_day() {
        let (mut core, mut params) = Core::for_tests(300);
        let p = &mut params.policy.integration;
        (p.enabled, p.capacity, p.day) = (true, 2, 25);
        let mut mechanisms = Mechanisms::build(&params, &core);
        let mut merchants = Merchants::build(&params, 0, core.building_ranges.len());
        let newcomers = [ResidentId(5), ResidentId(100), ResidentId(200), ResidentId(299)];
        let applicants =
            newcomers.iter().zip(0..).map(|(&resident, priority)| Applicant { activity: WORKSHOP, priority, resident });
        let mut decisions = [Decisions { applicants: applicants.collect(), ..Decisions::default() }];
        decisions[0].sort_and_count(&core.residents);
        let mut expected = [0; 3];
        for &i in &newcomers {
            expected[core.residents.cohort[i].index()] += 1;
        }
        // Four newcomers apply for the workshop's two places on its day; on the day before, no
        // workshop, no places.
        let days = [(25, &decisions[..], expected, 2, 2), (24, &[][..], [0; 3], 0, 0)];
        for (day_of_month, decisions, applied, places, taken) in days {
            let today = today(day_of_month);
            let granted = allocate(&core, &mechanisms, decisions, &today);
            assert_eq!(granted.of(WORKSHOP).len(), taken);
            let (mut tally, mut acts) = (DayRecord::default(), ActLog::new(false));
            let mut ctx =
                Ctx { core: &mut core, merchants: &mut merchants, today: &today, tally: &mut tally, acts: &mut acts };
            mechanisms.after_allocation(&mut ctx, decisions, &granted);
            let counters = tally.map(|c| c.mechanisms.integration);
            assert_eq!(counters.map(|c| c.workshop_applicants), applied, "granted a place or not");
            assert_eq!(counters.map(|c| c.workshop_places), [places; 3], "the community's places, in every cohort");
        }
    }
}
