//! What a day offers, shared by every resident's decision, and the codes of its activities.

use super::types::{Cohort, N_AGE_BANDS, N_COHORTS, ResidentId};

/// An activity's code: the committee's volunteering and deliberation day, then mechanisms'
/// activities, then event e as `FIRST_EVENT + e`.
pub type Activity = u16;

/// Volunteering for a committee task.
pub const VOLUNTEER: Activity = 0;
/// The monthly deliberation day (爱邻议事日).
pub const DELIBERATION: Activity = 1;
/// Codes from here to `FIRST_EVENT` belong to mechanisms' activities (the integration
/// workshop is 2).
pub const FIRST_MECHANISM_ACTIVITY: Activity = 2;
/// Event e's code is `FIRST_EVENT + e`.
pub const FIRST_EVENT: Activity = 3;

/// The residents granted a place in each activity today, in the order they were granted, and
/// how many of each cohort applied for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Granted {
    places: Vec<Vec<ResidentId>>,
    applied: Vec<[u32; N_COHORTS]>,
}

impl Granted {
    /// No places granted yet, in the committee's activities, mechanisms' and `events` events.
    pub fn new(events: usize) -> Granted {
        let activities = usize::from(FIRST_EVENT) + events;
        Granted { places: vec![Vec::new(); activities], applied: vec![[0; N_COHORTS]; activities] }
    }

    /// Adds applications counted by activity code (from the first) and cohort.
    pub fn count_applications(&mut self, counts: &[[u32; N_COHORTS]]) {
        assert!(counts.len() <= self.applied.len(), "applications for an activity with no places list");
        for (total, part) in self.applied.iter_mut().zip(counts) {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
    }

    /// How many residents of each cohort applied for `activity` today (granted or not).
    pub fn applicants(&self, activity: Activity) -> [u32; N_COHORTS] {
        self.applied[usize::from(activity)]
    }

    /// Who has a place in `activity`.
    #[inline]
    pub fn of(&self, activity: Activity) -> &[ResidentId] {
        &self.places[usize::from(activity)]
    }

    /// Who has a place in event `e` (its position among the scenario's events).
    pub fn event(&self, e: usize) -> &[ResidentId] {
        &self.places[usize::from(FIRST_EVENT) + e]
    }

    pub fn grant(&mut self, activity: Activity, resident: ResidentId) {
        self.places[usize::from(activity)].push(resident);
    }

    /// Each activity's code and participants, in code order.
    pub fn activities(&self) -> impl Iterator<Item = (Activity, &[ResidentId])> {
        self.places.iter().enumerate().map(|(a, residents)| (a as Activity, residents.as_slice()))
    }

    /// Every place granted (a resident with places in two activities appears twice).
    pub fn everyone(&self) -> impl Iterator<Item = ResidentId> + '_ {
        self.places.iter().flatten().copied()
    }

    /// The residents with a place in an activity `counted` accepts, each once, in resident order.
    pub fn residents_in(&self, counted: impl Fn(Activity) -> bool) -> Vec<ResidentId> {
        let places = self.activities().filter(|&(a, _)| counted(a));
        let mut residents: Vec<ResidentId> = places.flat_map(|(_, who)| who.iter().copied()).collect();
        residents.sort_unstable();
        residents.dedup();
        residents
    }
}

/// What today offers, shared by every resident's decision.
#[derive(Clone, Debug)]
pub struct Today {
    pub day: i32,
    pub date: chrono::NaiveDate,
    pub is_weekend: bool,
    /// Mechanisms run from the start date on (burn-in is the status quo before them).
    pub policies_on: bool,
    /// The first day of a month while mechanisms run, or the day they start.
    pub month_starts: bool,
    pub tasks: u32,
    pub deliberation: bool,
    pub events: Vec<u16>,
    /// The stairwell units where a pipe burst today, sorted (a unit may appear more than once).
    pub burst_stairwells: Vec<u32>,
    /// Logit bonus on every activity from the mechanisms running today (the platform's).
    pub utility_bonus: f32,
    /// The share of today free, by age band and free-time byte, as the running mechanisms
    /// leave it (the platform's relief included).
    pub free_share: FreeTable,
}

/// A share of the day free for each age band and free-time byte.
pub type FreeTable = [[f32; 256]; N_AGE_BANDS];

impl Today {
    /// Pipe bursts in stairwell unit `stairwell` today.
    #[inline]
    pub fn bursts_in(&self, stairwell: u32) -> usize {
        let bursts = &self.burst_stairwells;
        bursts.partition_point(|&s| s <= stairwell) - bursts.partition_point(|&s| s < stairwell)
    }

    /// The most pipe bursts in any one stairwell unit today.
    pub fn most_bursts_in_one_stairwell(&self) -> usize {
        self.burst_stairwells.chunk_by(|a, b| a == b).map(<[u32]>::len).max().unwrap_or(0)
    }
}

#[cfg(test)]
impl Today {
    /// A plain weekday for unit tests of the daily phases: day `day`, 10 January 2024, no
    /// tasks, no deliberation, no events, mechanisms running (`policies_on`) as asked.
    pub fn for_tests(day: i32, policies_on: bool) -> Today {
        Today {
            day,
            date: chrono::NaiveDate::from_ymd_opt(2024, 1, 10).expect("a date"),
            is_weekend: false,
            policies_on,
            month_starts: false,
            tasks: 0,
            deliberation: false,
            events: vec![],
            burst_stairwells: vec![],
            utility_bonus: 0.0,
            // No single-phase test reads it; the world fills it from the core and mechanisms.
            free_share: [[0.0; 256]; N_AGE_BANDS],
        }
    }
}

/// Places of an activity reserved for one cohort's applicants, allocated before the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub activity: Activity,
    pub cohort: Cohort,
    pub places: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_are_counted_by_stairwell() {
        let mut today = Today::for_tests(3, true);
        assert_eq!((today.bursts_in(4), today.most_bursts_in_one_stairwell()), (0, 0));
        today.burst_stairwells = vec![1, 4, 4, 9];
        assert_eq!([0, 1, 4, 5, 9].map(|s| today.bursts_in(s)), [0, 1, 2, 0, 1]);
        assert_eq!(today.most_bursts_in_one_stairwell(), 2);
    }
}
