//! Needs and complaints in the apply pass: today's pipe bursts, needs raised as complaints or
//! proposals (or collected by outreach), and complaints settled when their outcome is known.

use rand::RngExt;

use crate::model::behaviour::decide::{Decisions, Voice};
use crate::model::core::complaints::Pending;
use crate::model::core::purposes;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;
use crate::model::mechanisms::{Ctx, Mechanisms};

/// Today's pipe bursts (Poisson number, each in a uniformly chosen stairwell unit).
pub fn pipe_bursts(core: &Core, d: i32) -> Vec<u32> {
    let mut rng = core.key(d, 0, purposes::SHOCKS).rng();
    let threshold = (-core.rules.burst_daily).exp();
    let mut product = rng.random::<f64>();
    let mut bursts = Vec::new();
    while product > threshold {
        bursts.push(rng.random_range(0..core.stairwell_ranges.len() as u32));
        product *= rng.random::<f64>();
    }
    bursts
}

/// Needs become complaints, proposals or silence; a mechanism may collect a silent one.
pub fn raise_needs(ctx: &mut Ctx, mechanisms: &mut Mechanisms, decisions: &[Decisions]) {
    for need in decisions.iter().flat_map(|c| c.needs.iter().copied()) {
        let voice = match need.voice {
            Voice::Silent if mechanisms.collects(ctx.core, &need, ctx.today) => Voice::Complaint,
            voice => voice,
        };
        let i = need.resident;
        let cohort = ctx.core.residents.cohort[i];
        match voice {
            Voice::Silent => ctx.cohort(cohort).core.silent_needs += 1,
            Voice::Complaint => file_complaint(ctx, i),
            Voice::Proposal => {}
        }
        if voice != Voice::Silent {
            mechanisms.on_need_voiced(ctx, &need, voice);
        }
    }
}

/// A complaint is resolved with the committee's resolve share, after a random delay, or judged
/// stalled at the longest delay.
fn file_complaint(ctx: &mut Ctx, i: ResidentId) {
    let cohort = ctx.core.residents.cohort[i];
    ctx.cohort(cohort).core.complaints += 1;
    let core = &mut *ctx.core;
    let d = ctx.today.day;
    let mut rng = core.key(d, i.0, purposes::COMPLAINT).rng();
    let resolved = rng.random::<f64>() < core.rules.resolve_share;
    let delay =
        if resolved { rng.random_range(core.rules.resolve_days.clone()) } else { *core.rules.resolve_days.end() };
    let pending = Pending { resident: i, move_in_day: core.residents.move_in_day[i], resolved };
    core.complaints.file(d as u32, delay, pending);
}

/// Complaints due today move their complainant's trust up (resolved) or down (stalled).
pub fn settle_complaints(core: &mut Core, d: i32) {
    for pending in core.complaints.take_due(d as u32) {
        let i = pending.resident;
        if core.residents.move_in_day[i] == pending.move_in_day {
            core.residents.trust[i] = core.rules.rates.trust_after_complaint(core.residents.trust[i], pending.resolved);
        }
    }
}
