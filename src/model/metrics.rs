//! What one day of one replicate records, per cohort.

use super::types::N_COHORTS;

/// End-of-day stocks and the day's flows for one cohort.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CohortDay {
    pub residents: u32,
    /// Took part in anything within the active window.
    pub active: u32,
    /// Took a volunteer task today.
    pub volunteers: u32,
    /// Attended an event or the deliberation day today.
    pub attendees: u32,
    /// Needs raised as complaints today.
    pub complaints: u32,
    /// Needs that arose today and were not raised.
    pub silent_needs: u32,
    pub trust_sum: f64,
    pub attachment_sum: f64,
}

/// One day of one replicate: a [`CohortDay`] per cohort.
pub type DayRecord = [CohortDay; N_COHORTS];

impl CohortDay {
    fn share(&self, count: u32) -> f64 {
        if self.residents == 0 { 0.0 } else { count as f64 / self.residents as f64 }
    }

    pub fn active_rate(&self) -> f64 {
        self.share(self.active)
    }

    pub fn volunteer_rate(&self) -> f64 {
        self.share(self.volunteers)
    }

    pub fn attendance_rate(&self) -> f64 {
        self.share(self.attendees)
    }

    pub fn mean_trust(&self) -> f64 {
        if self.residents == 0 { 0.0 } else { self.trust_sum / self.residents as f64 }
    }

    pub fn mean_attachment(&self) -> f64 {
        if self.residents == 0 { 0.0 } else { self.attachment_sum / self.residents as f64 }
    }

    /// Adds another partial tally (used to combine chunks in order).
    pub fn add(&mut self, other: &CohortDay) {
        self.residents += other.residents;
        self.active += other.active;
        self.volunteers += other.volunteers;
        self.attendees += other.attendees;
        self.complaints += other.complaints;
        self.silent_needs += other.silent_needs;
        self.trust_sum += other.trust_sum;
        self.attachment_sum += other.attachment_sum;
    }
}
