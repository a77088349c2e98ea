//! What a day offers, shared by every resident's decision, and the codes of its activities.

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

/// The residents granted a place in each activity today, indexed by activity code.
pub type Granted = Vec<Vec<u32>>;

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
    pub burst_stairwells: Vec<u32>,
    /// Logit bonus on every activity from the mechanisms running today (the platform's).
    pub utility_bonus: f32,
}

/// Places of an activity reserved for one cohort's applicants, allocated before the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub activity: Activity,
    pub cohort: super::types::Cohort,
    pub places: u32,
}
