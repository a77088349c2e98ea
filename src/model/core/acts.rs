//! The act log: one record per act of a resident (taking part, a complaint and its outcome, a
//! proposal's stages, points earned, spent or lost, moving in or out), kept only when asked
//! for. The core declares its kinds here; mechanisms declare theirs in their files.

use super::counters::{CohortDay, DayRecord, FromActs};
use super::types::{Cohort, PerResident, ResidentId};

/// What kind of act; a number, with its name declared beside the code that records it
/// (distinct across the model, checked by a test).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActKind(pub u8);

/// Moved out (the slot's next resident moves in the same day).
pub const MOVED_OUT: ActKind = ActKind(1);
/// Moved in, as a newcomer.
pub const MOVED_IN: ActKind = ActKind(2);
/// Took a volunteer task.
pub const VOLUNTEERED: ActKind = ActKind(3);
/// Attended an activity other than volunteering; the value is the activity's code.
pub const ATTENDED: ActKind = ActKind(4);
/// Had a need and kept silent about it.
pub const KEPT_SILENT: ActKind = ActKind(5);
/// Filed a complaint (including a silent need that outreach collected).
pub const COMPLAINED: ActKind = ActKind(6);
/// Heard that their complaint was resolved.
pub const COMPLAINT_RESOLVED: ActKind = ActKind(7);
/// Heard that their complaint stalled.
pub const COMPLAINT_STALLED: ActKind = ActKind(8);

/// The core's kinds and their names in outputs.
pub const CORE_KINDS: [(ActKind, &str); 8] = [
    (MOVED_OUT, "moved_out"),
    (MOVED_IN, "moved_in"),
    (VOLUNTEERED, "volunteered"),
    (ATTENDED, "attended"),
    (KEPT_SILENT, "kept_silent"),
    (COMPLAINED, "complained"),
    (COMPLAINT_RESOLVED, "complaint_resolved"),
    (COMPLAINT_STALLED, "complaint_stalled"),
];

/// One act: who, on which day (index from the start of the burn-in), what, and a value (an
/// activity code, a number of points, a proposal's serial number; 0 when there is none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Act {
    pub day: u32,
    pub resident: ResidentId,
    pub kind: ActKind,
    pub value: u64,
}

/// The acts of a day, in the order they happened; records nothing unless switched on, so a
/// run without individual data pays one branch per act.
#[derive(Clone, Debug, Default)]
pub struct ActLog {
    on: bool,
    acts: Vec<Act>,
}

impl ActLog {
    /// A log that records (`on`) or ignores every act.
    pub fn new(on: bool) -> ActLog {
        ActLog { on, acts: Vec::new() }
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    #[inline]
    pub fn record(&mut self, day: i32, resident: ResidentId, kind: ActKind, value: u64) {
        if self.on {
            self.acts.push(Act { day: day as u32, resident, kind, value });
        }
    }

    /// Appends acts recorded elsewhere (a chunk of a parallel pass, in chunk order).
    pub fn extend(&mut self, acts: Vec<Act>) {
        if self.on {
            self.acts.extend(acts);
        }
    }

    /// The acts recorded since the last call.
    pub fn take(&mut self) -> Vec<Act> {
        std::mem::take(&mut self.acts)
    }
}

/// Where the counters of `record` (one day) disagree with that day's `acts`: every counter
/// that follows from the act log (`Column::acts`) is recomputed per cohort from the acts and
/// compared. Empty when they reconcile exactly.
pub fn mismatches(record: &DayRecord, acts: &[Act], cohorts: &PerResident<Cohort>) -> Vec<String> {
    let columns = CohortDay::counter_columns();
    let mut found = Vec::new();
    for (k, column) in columns.iter().enumerate() {
        let Some(link) = column.acts else { continue };
        for cohort in Cohort::ALL {
            let mine = acts.iter().filter(|a| cohorts[a.resident] == cohort);
            let from_acts = match link {
                FromActs::Count(kind) => mine.filter(|a| a.kind == kind).count() as f64,
                FromActs::Sum(kind) => mine.filter(|a| a.kind == kind).fold(0.0, |sum, a| sum + a.value as f64),
                FromActs::Residents(kind) => {
                    let mut who: Vec<ResidentId> = mine.filter(|a| a.kind == kind).map(|a| a.resident).collect();
                    who.sort_unstable();
                    who.dedup();
                    who.len() as f64
                }
            };
            let counted = record[cohort.index()].counter_values()[k];
            if from_acts != counted {
                found.push(format!("{} of {}: {counted} counted, {from_acts} from acts", column.name, cohort.name()));
            }
        }
    }
    found
}
