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
    /// Time-bank points paid to the cohort today.
    pub points_issued: u64,
    /// Points the cohort spent on catalogue items today.
    pub points_redeemed: u64,
    /// Points that lapsed today (unused too long, or held by residents who moved out).
    pub points_expired: u64,
    /// Points the cohort holds at the end of the day.
    pub points_outstanding: u64,
    /// Redemptions tried today that found the catalogue empty.
    pub redemptions_failed: u32,
    pub proposals_submitted: u32,
    pub proposals_approved: u32,
    pub proposals_rejected: u32,
    pub proposals_implemented: u32,
    pub proposals_stalled: u32,
    /// Proposal-fund money committed today to the cohort's proposals.
    pub fund_spent_yuan: f64,
    /// Grievances against merchants raised today (by the cohort, or collected from it).
    pub merchant_grievances: u32,
    /// Merchants in the alliance at the end of the day: the community's, the same in every
    /// cohort (so adding cohorts keeps it rather than summing it).
    pub alliance_size: u32,
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
        self.points_issued += other.points_issued;
        self.points_redeemed += other.points_redeemed;
        self.points_expired += other.points_expired;
        self.points_outstanding += other.points_outstanding;
        self.redemptions_failed += other.redemptions_failed;
        self.proposals_submitted += other.proposals_submitted;
        self.proposals_approved += other.proposals_approved;
        self.proposals_rejected += other.proposals_rejected;
        self.proposals_implemented += other.proposals_implemented;
        self.proposals_stalled += other.proposals_stalled;
        self.fund_spent_yuan += other.fund_spent_yuan;
        self.merchant_grievances += other.merchant_grievances;
        self.alliance_size = self.alliance_size.max(other.alliance_size);
    }
}
