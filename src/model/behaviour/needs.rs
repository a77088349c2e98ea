//! Needs and complaints in the apply pass: today's pipe bursts, needs raised as complaints or
//! proposals (or collected by outreach), and complaints settled when their outcome is known.

use rand::RngExt;

use crate::model::behaviour::decide::{Decisions, Voice};
use crate::model::core::acts::{ActLog, COMPLAINED, COMPLAINT_RESOLVED, COMPLAINT_STALLED, KEPT_SILENT};
use crate::model::core::complaints::Pending;
use crate::model::core::counters::DayRecord;
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
        let collected = need.voice == Voice::Silent && mechanisms.collects(ctx.core, &need, ctx.today);
        let voice = if collected { Voice::Complaint } else { need.voice };
        let i = need.resident;
        let cohort = ctx.core.residents.cohort[i];
        match voice {
            Voice::Silent => {
                ctx.cohort(cohort).core.silent_needs += 1;
                ctx.acts.record(ctx.today.day, i, KEPT_SILENT, 0);
            }
            Voice::Complaint => file_complaint(ctx, i, collected),
            Voice::Proposal => {}
        }
        if voice != Voice::Silent {
            mechanisms.on_need_voiced(ctx, &need, voice);
        }
    }
}

/// A complaint is resolved with the committee's resolve share, after a random delay, or judged
/// stalled at the longest delay. Its act's value is 1 when outreach collected it.
fn file_complaint(ctx: &mut Ctx, i: ResidentId, collected: bool) {
    let cohort = ctx.core.residents.cohort[i];
    ctx.cohort(cohort).core.complaints += 1;
    ctx.acts.record(ctx.today.day, i, COMPLAINED, u64::from(collected));
    let core = &mut *ctx.core;
    let d = ctx.today.day;
    let mut rng = core.key(d, i.0, purposes::COMPLAINT).rng();
    let resolved = rng.random::<f64>() < core.rules.resolve_share;
    let delay =
        if resolved { rng.random_range(core.rules.resolve_days.clone()) } else { *core.rules.resolve_days.end() };
    let pending = Pending { resident: i, move_in_day: core.residents.move_in_day[i], resolved };
    core.complaints.file(d as u32, delay, pending);
}

/// Complaints due today move their complainant's trust up (resolved) or down (stalled); each
/// outcome is counted in the complainant's cohort.
pub fn settle_complaints(core: &mut Core, d: i32, tally: &mut DayRecord, acts: &mut ActLog) {
    for pending in core.complaints.take_due(d as u32) {
        let i = pending.resident;
        if core.residents.move_in_day[i] == pending.move_in_day {
            core.residents.trust[i] = core.rules.rates.trust_after_complaint(core.residents.trust[i], pending.resolved);
            let counters = &mut tally[core.residents.cohort[i].index()].core;
            if pending.resolved {
                counters.complaints_resolved += 1;
            } else {
                counters.complaints_stalled += 1;
            }
            acts.record(d, i, if pending.resolved { COMPLAINT_RESOLVED } else { COMPLAINT_STALLED }, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::behaviour::decide::{Need, NeedKind};
    use crate::model::core::day::Today;
    use crate::model::mechanisms::merchants::Merchants;

    fn today(day: i32) -> Today {
        Today::for_tests(day, false)
    }

    #[test]
    fn settled_complaints_move_trust_and_are_counted_unless_the_slot_has_a_newcomer() {
        let (mut core, _params) = Core::for_tests(300);
        let (resolved, stalled, moved_out) = (ResidentId(10), ResidentId(20), ResidentId(30));
        for i in [resolved, stalled, moved_out] {
            core.residents.trust[i] = 0.5;
        }
        let pending = |resident: ResidentId, resolved: bool| Pending {
            resident,
            move_in_day: core.residents.move_in_day[resident],
            resolved,
        };
        let complaints = [pending(resolved, true), pending(stalled, false), pending(moved_out, true)];
        for p in complaints {
            core.complaints.file(2, 3, p);
        }
        core.residents.move_in_day[moved_out] = 4; // a newcomer took the complainant's slot
        let mut tally = DayRecord::default();
        settle_complaints(&mut core, 4, &mut tally, &mut ActLog::new(false));
        assert_eq!(core.residents.trust[resolved], 0.5, "nothing is due before its day");
        assert_eq!(tally, DayRecord::default(), "nothing settled, nothing counted");
        settle_complaints(&mut core, 5, &mut tally, &mut ActLog::new(false));
        let rates = &core.rules.rates;
        assert!(core.residents.trust[resolved] > 0.5);
        assert_eq!(core.residents.trust[resolved], rates.trust_after_complaint(0.5, true));
        assert!(core.residents.trust[stalled] < 0.5);
        assert_eq!(core.residents.trust[stalled], rates.trust_after_complaint(0.5, false));
        assert_eq!(core.residents.trust[moved_out], 0.5, "the newcomer is not credited");
        assert!(core.complaints.is_empty());
        let cohort = |i: ResidentId| core.residents.cohort[i].index();
        let (mut outcomes_resolved, mut outcomes_stalled) = ([0; 3], [0; 3]);
        outcomes_resolved[cohort(resolved)] += 1;
        outcomes_stalled[cohort(stalled)] += 1;
        assert_eq!(
            tally.each_ref().map(|c| c.core.complaints_resolved),
            outcomes_resolved,
            "the newcomer's not counted"
        );
        assert_eq!(tally.each_ref().map(|c| c.core.complaints_stalled), outcomes_stalled);
    }

    #[test]
    fn pipe_bursts_fall_in_stairwells_and_need_a_rate() {
        let (mut core, _params) = Core::for_tests(300);
        let n_stairwells = core.stairwell_ranges.len() as u32;
        core.rules.burst_daily = 0.0;
        assert!((0..100).all(|d| pipe_bursts(&core, d).is_empty()), "no bursts at rate 0");
        core.rules.burst_daily = 2.0;
        let bursts: Vec<u32> = (0..100).flat_map(|d| pipe_bursts(&core, d)).collect();
        assert!((140..=260).contains(&bursts.len()), "about 2 a day: {}", bursts.len());
        assert!(bursts.iter().all(|&s| s < n_stairwells));
        let mut hit: Vec<u32> = bursts.clone();
        hit.sort_unstable();
        hit.dedup();
        assert_eq!(hit.len(), n_stairwells as usize, "every stairwell unit is hit at some point");
        assert_eq!(pipe_bursts(&core, 17), pipe_bursts(&core, 17), "a day's bursts are reproducible");
    }

    #[test]
    fn needs_become_silence_complaints_or_proposals() {
        let (mut core, params) = Core::for_tests(300);
        let mut merchants = Merchants::build(&params, 0, core.building_ranges.len());
        let mut mechanisms = Mechanisms::build(&params, &core);
        let (silent, complainant, proposer) = (ResidentId(10), ResidentId(150), ResidentId(290));
        let need = |resident, voice| Need { resident, kind: NeedKind::Personal, voice };
        let decisions = [
            Decisions { needs: vec![need(silent, Voice::Silent)], ..Decisions::default() },
            Decisions {
                needs: vec![need(complainant, Voice::Complaint), need(proposer, Voice::Proposal)],
                ..Decisions::default()
            },
        ];
        let d = 6;
        let today = today(d);
        let mut tally = DayRecord::default();
        let mut acts = ActLog::new(false);
        let mut ctx =
            Ctx { core: &mut core, merchants: &mut merchants, today: &today, tally: &mut tally, acts: &mut acts };
        raise_needs(&mut ctx, &mut mechanisms, &decisions);

        let cohort = |i: ResidentId| core.residents.cohort[i].index();
        let (mut silent_needs, mut complaints) = ([0; 3], [0; 3]);
        silent_needs[cohort(silent)] += 1;
        complaints[cohort(complainant)] += 1;
        assert_eq!(tally.each_ref().map(|c| c.core.silent_needs), silent_needs);
        assert_eq!(tally.each_ref().map(|c| c.core.complaints), complaints);
        let proposals = tally.each_ref().map(|c| c.mechanisms.proposal_fund.proposals_submitted);
        assert_eq!(proposals.iter().sum::<u32>(), 1, "the proposal goes to the fund");
        assert_eq!(proposals[cohort(proposer)], 1);
        assert_eq!(core.complaints.len(), 1, "only the complaint is filed");
        let rules = &core.rules;
        let due: Vec<(u32, Pending)> = (d as u32 + 1..=d as u32 + *rules.resolve_days.end())
            .flat_map(|day| core.complaints.take_due(day).into_iter().map(move |p| (day, p)))
            .collect();
        assert_eq!(due.len(), 1);
        let (day, pending) = due[0];
        assert_eq!((pending.resident, pending.move_in_day), (complainant, core.residents.move_in_day[complainant]));
        assert!(day >= d as u32 + rules.resolve_days.start(), "due within the committee's delays");
    }
}
