//! Events from the scenario, resolved onto the calendar: who is invited, when, how many places.

use chrono::{Datelike, Weekday};

use super::types::{AgeBand, Cohort};
use crate::engine::Day;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::date::Date;

/// A dated or recurring activity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Name shown in outputs.
    pub name: String,
    /// Date of a one-off event, YYYY-MM-DD (leave out for a recurring event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Recurrence of a repeating event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    /// Weekday of a weekly event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<WeekdayName>,
    /// Month (1-12) of a yearly event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    /// Day of the month of a monthly or yearly event (1-28 for monthly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    /// Cohorts invited (empty = all).
    #[serde(default)]
    pub cohorts: Vec<Cohort>,
    /// Age bands invited (empty = all).
    #[serde(default)]
    pub age_bands: Vec<AgeBand>,
    /// Places available; further applicants are turned away.
    pub capacity: u32,
    /// Logit offset of attending (how attractive the event is).
    pub appeal: f64,
    /// How widely the event is advertised (0-1): everyone invited knows of it at least this well,
    /// whatever their awareness of the committee's other offers.
    #[serde(default)]
    pub publicity: f64,
    /// A fair (市集): attendees visit alliance merchants (see `merchants.fair_visit_share`).
    #[serde(default)]
    pub fair: bool,
    /// A proposal booth: attendees with an unraised need may file it as a proposal here.
    #[serde(default)]
    pub proposal_booth: bool,
}

impl Event {
    /// An event with every optional key given, to run every check of an event on it.
    pub fn probe() -> Event {
        Event {
            name: "probe".into(),
            date: None,
            repeat: None,
            weekday: Some(WeekdayName::Monday),
            month: Some(1),
            day: Some(1),
            cohorts: vec![],
            age_bands: vec![],
            capacity: 1,
            appeal: 0.0,
            publicity: 0.0,
            fair: false,
            proposal_booth: false,
        }
    }
}

/// How an event repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    Weekly,
    Monthly,
    Yearly,
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// An event ready for the daily loop.
#[derive(Clone, Debug)]
pub struct EventPlan {
    pub name: String,
    /// Bit `cohort * 4 + age band` is set for invited residents.
    pub invited: u16,
    pub capacity: u32,
    pub appeal: f32,
    /// A yearly or one-off event (a festival), as opposed to a routine.
    pub special: bool,
    /// Everyone invited knows of the event at least this well.
    pub publicity: f32,
}

impl EventPlan {
    pub fn from_event(event: &Event) -> EventPlan {
        let cohorts: Vec<Cohort> = if event.cohorts.is_empty() { Cohort::ALL.to_vec() } else { event.cohorts.clone() };
        let ages: Vec<AgeBand> =
            if event.age_bands.is_empty() { AgeBand::ALL.to_vec() } else { event.age_bands.clone() };
        let invited = invitation_set(&cohorts, &ages);
        let special = matches!(event.repeat, None | Some(Repeat::Yearly));
        EventPlan {
            name: event.name.clone(),
            invited,
            capacity: event.capacity,
            appeal: event.appeal as f32,
            special,
            publicity: event.publicity as f32,
        }
    }

    #[inline]
    pub fn invites(&self, cohort: Cohort, age: AgeBand) -> bool {
        self.invited & invitation_bit(cohort, age) != 0
    }
}

/// The invitation set of every resident of one of `cohorts` and one of `ages`
/// ([`EventPlan::invited`]).
pub fn invitation_set(cohorts: &[Cohort], ages: &[AgeBand]) -> u16 {
    cohorts
        .iter()
        .flat_map(|&cohort| ages.iter().map(move |&age| invitation_bit(cohort, age)))
        .fold(0, |set, bit| set | bit)
}

/// The bit of residents of `cohort` and `age` in an invitation's set ([`EventPlan::invited`]).
#[inline]
pub fn invitation_bit(cohort: Cohort, age: AgeBand) -> u16 {
    1 << (cohort as u16 * 4 + age as u16)
}

/// Whether `event` takes place on `day`.
pub fn occurs_on(event: &Event, day: &Day) -> bool {
    let date = day.date;
    match event.repeat {
        None => event.date.is_some_and(|d| d.0 == date),
        Some(Repeat::Weekly) => event.weekday.map(weekday) == Some(day.weekday),
        Some(Repeat::Monthly) => event.day == Some(date.day()),
        Some(Repeat::Yearly) => event.month == Some(date.month()) && event.day == Some(date.day()),
    }
}

fn weekday(name: WeekdayName) -> Weekday {
    match name {
        WeekdayName::Monday => Weekday::Mon,
        WeekdayName::Tuesday => Weekday::Tue,
        WeekdayName::Wednesday => Weekday::Wed,
        WeekdayName::Thursday => Weekday::Thu,
        WeekdayName::Friday => Weekday::Fri,
        WeekdayName::Saturday => Weekday::Sat,
        WeekdayName::Sunday => Weekday::Sun,
    }
}

/// For every calendar day, the indices of the events held that day.
pub fn schedule(events: &[Event], days: &[Day]) -> Vec<Vec<u16>> {
    days.iter().map(|day| (0..events.len() as u16).filter(|&e| occurs_on(&events[e as usize], day)).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Calendar;
    use crate::model::core::date::Date;
    use crate::model::core::types::{AgeBand, Cohort};

    fn event() -> Event {
        Event { name: "e".into(), weekday: None, month: None, day: None, capacity: 10, ..Event::probe() }
    }

    fn count_in_2024(e: Event) -> usize {
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 366);
        schedule(&[e], calendar.days()).iter().filter(|d| !d.is_empty()).count()
    }

    #[test]
    fn recurrences_land_on_the_right_days() {
        assert_eq!(count_in_2024(Event { date: Some(Date::from_ymd(2024, 5, 18)), ..event() }), 1);
        assert_eq!(
            count_in_2024(Event { repeat: Some(Repeat::Weekly), weekday: Some(WeekdayName::Saturday), ..event() }),
            52
        );
        assert_eq!(count_in_2024(Event { repeat: Some(Repeat::Monthly), day: Some(10), ..event() }), 12);
        assert_eq!(count_in_2024(Event { repeat: Some(Repeat::Yearly), month: Some(2), day: Some(29), ..event() }), 1);
    }

    #[test]
    fn invitations_by_cohort_and_age() {
        let plan = EventPlan::from_event(&Event {
            cohorts: vec![Cohort::NewFamily],
            age_bands: vec![AgeBand::Child, AgeBand::Adult],
            ..event()
        });
        assert!(plan.invites(Cohort::NewFamily, AgeBand::Child));
        assert!(!plan.invites(Cohort::NewFamily, AgeBand::Senior));
        assert!(!plan.invites(Cohort::Original, AgeBand::Child));
        let everyone = EventPlan::from_event(&event());
        assert!(Cohort::ALL.iter().all(|&c| AgeBand::ALL.iter().all(|&a| everyone.invites(c, a))));
    }
}
