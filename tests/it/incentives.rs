//! The incentive policies and the local economy: conservation laws, and for each mechanism a
//! comparison of runs that differ only in that mechanism (same seeds).

use linli::RunOutput;
use linli::model::{AgeBand, Cohort};
use linli::scenario::Scenario;

use crate::common::{mean_over, run, small, step_world};

/// The default community, small, with every policy off and merchants present.
fn economy(residents: u32, days: u32, replicates: u32) -> Scenario {
    let mut s = small(residents, days, replicates);
    s.policy = Default::default();
    s.merchants.count = 12;
    s.merchants.alliance_initial = 6;
    s
}

fn with_time_bank(mut s: Scenario) -> Scenario {
    s.policy.time_bank.enabled = true;
    s
}

fn with_fund(mut s: Scenario) -> Scenario {
    s.policy.proposal_fund.enabled = true;
    s.needs.personal_per_year = 0.05; // enough needs for proposals to be counted on
    s
}

/// A column summed over every day and cohort of one replicate.
fn total(output: &RunOutput, replicate: usize, f: impl Fn(&linli::model::CohortDay) -> f64) -> f64 {
    output.replicates[replicate].days.iter().flat_map(|d| d.iter()).map(f).sum()
}

/// A column summed over days `from..to`, all cohorts, averaged over replicates.
fn mean_total(output: &RunOutput, days: std::ops::Range<usize>, f: impl Fn(&linli::model::CohortDay) -> f64) -> f64 {
    let sums: Vec<f64> = output
        .replicates
        .iter()
        .map(|r| r.days[days.clone()].iter().flat_map(|d| d.iter()).map(&f).sum::<f64>())
        .collect();
    sums.iter().sum::<f64>() / sums.len() as f64
}

fn outstanding_at_end(output: &RunOutput, replicate: usize) -> f64 {
    output.replicates[replicate]
        .days
        .last()
        .unwrap()
        .iter()
        .map(|c| c.mechanisms.time_bank.points_outstanding as f64)
        .sum()
}

#[test]
fn points_are_conserved_through_redemption_expiry_and_moving_out() {
    let mut s = with_time_bank(economy(3_000, 400, 2));
    s.policy.time_bank.expiry_days = 60;
    s.cohorts.transient.move_out_rate = 0.8;
    let output = run(&s);
    for k in 0..2 {
        let issued = total(&output, k, |c| c.mechanisms.time_bank.points_issued as f64);
        let redeemed = total(&output, k, |c| c.mechanisms.time_bank.points_redeemed as f64);
        let expired = total(&output, k, |c| c.mechanisms.time_bank.points_expired as f64);
        assert!(issued > 0.0 && redeemed > 0.0 && expired > 0.0, "every flow happens: {issued} {redeemed} {expired}");
        assert_eq!(issued, redeemed + expired + outstanding_at_end(&output, k), "replicate {k}");
    }
}

/// Issue #9: at the largest points per check-in a regular volunteer's balance passes 2^32
/// within a long run; it must not wrap, and points stay conserved.
#[test]
fn points_are_conserved_when_balances_pass_two_to_the_32() {
    let mut s = with_time_bank(economy(200, 1_500, 1));
    let t = &mut s.policy.time_bank;
    (t.points_per_checkin, t.item_cost_points) = (10_000_000, 10_000_000);
    (t.redeem_chance, t.expiry_days) = (0.0, 0);
    s.behaviour.volunteer_offset = 50.0;
    s.committee.volunteer_tasks_per_day = 200;
    s.committee.volunteer_tasks_per_weekend_day = 200;
    for cohort in [&mut s.cohorts.original, &mut s.cohorts.new_family, &mut s.cohorts.transient] {
        (cohort.awareness, cohort.weekday_free, cohort.weekend_free, cohort.move_out_rate) = (1.0, 1.0, 1.0, 0.0);
    }
    let (world, _) = step_world(&s, |_, _| {});
    let richest = world.time_bank().points.iter().copied().max().unwrap();
    assert!(richest > u64::from(u32::MAX), "the extreme is reached: {richest}");
    let output = run(&s);
    let issued = total(&output, 0, |c| c.mechanisms.time_bank.points_issued as f64);
    let redeemed = total(&output, 0, |c| c.mechanisms.time_bank.points_redeemed as f64);
    let expired = total(&output, 0, |c| c.mechanisms.time_bank.points_expired as f64);
    assert_eq!(issued, redeemed + expired + outstanding_at_end(&output, 0));
}

#[test]
fn the_fund_never_spends_more_than_its_budget() {
    let mut s = with_fund(economy(3_000, 400, 2));
    s.policy.proposal_fund.budget_yuan = 1_500.0;
    s.policy.proposal_fund.budget_period = linli::scenario::policy::BudgetPeriod::Month;
    let (world, _) = step_world(&s, |_, _| {});
    let book = world.proposals();
    assert!(book.spent_yuan > 0.0);
    assert!(book.spent_yuan <= book.budgeted_yuan, "{} > {}", book.spent_yuan, book.budgeted_yuan);
    let output = run(&s);
    for k in 0..2 {
        // 400 days from 2024-01-01 span 14 monthly budgets.
        let spent = total(&output, k, |c| c.mechanisms.proposal_fund.fund_spent_yuan);
        assert!(spent <= 14.0 * 1_500.0 + 1e-6, "replicate {k}: {spent}");
        let rejected = total(&output, k, |c| c.mechanisms.proposal_fund.proposals_rejected as f64);
        assert!(rejected > 0.0, "a tight budget turns proposals away");
    }
}

#[test]
fn too_few_merchants_break_the_time_bank_and_enough_keep_it_working() {
    let mut scarce = with_time_bank(economy(4_000, 540, 2));
    scarce.merchants.alliance_initial = 1;
    scarce.merchants.donation_items_per_month = 2;
    scarce.merchants.join_offset = -20.0; // nobody else joins
    let mut plenty = scarce.clone();
    plenty.merchants.alliance_initial = 12;
    plenty.merchants.donation_items_per_month = 20;
    plenty.merchants.stay_offset = 20.0; // nobody leaves
    let (scarce, plenty) = (run(&scarce), run(&plenty));
    let late = 360..540;
    let failed = |o: &RunOutput| mean_total(o, late.clone(), |c| c.mechanisms.time_bank.redemptions_failed as f64);
    assert!(
        failed(&scarce) > 10.0 * failed(&plenty).max(1.0),
        "存取不平衡: {} vs {}",
        failed(&scarce),
        failed(&plenty)
    );
    // Points pile up: far more of what is issued is still held, unspendable.
    let unspent_share = |o: &RunOutput| {
        let shares: Vec<f64> = (0..2)
            .map(|k| outstanding_at_end(o, k) / total(o, k, |c| c.mechanisms.time_bank.points_issued as f64))
            .collect();
        shares.iter().sum::<f64>() / 2.0
    };
    let (scarce_share, plenty_share) = (unspent_share(&scarce), unspent_share(&plenty));
    assert!(scarce_share > 1.5 * plenty_share, "points pile up: {scarce_share} vs {plenty_share}");
    // Worthless points draw fewer applicants (the tasks may still fill from the persistent core).
    let applicants = |o: &RunOutput| mean_total(o, late.clone(), |c| c.core.volunteer_applicants as f64);
    assert!(applicants(&plenty) > 1.05 * applicants(&scarce), "worthless points draw fewer applicants");
}

#[test]
fn online_redemption_drains_idle_balances() {
    let mut offline = with_time_bank(economy(4_000, 365, 2));
    offline.merchants.alliance_initial = 12;
    offline.merchants.stay_offset = 20.0;
    offline.policy.time_bank.redeem_chance = 0.01;
    let mut online = offline.clone();
    online.policy.platform.enabled = true;
    let (offline, online) = (run(&offline), run(&online));
    let redeemed = |o: &RunOutput| mean_total(o, 0..365, |c| c.mechanisms.time_bank.points_redeemed as f64);
    assert!(redeemed(&online) > 1.3 * redeemed(&offline), "{} vs {}", redeemed(&online), redeemed(&offline));
}

#[test]
fn small_payment_framed_rewards_crowd_out_and_recognition_crowds_in() {
    let intrinsic_after = |framing: f64, recognition: f64| {
        let mut s = with_time_bank(economy(3_000, 365, 1));
        s.policy.time_bank.payment_framing = framing;
        s.policy.time_bank.recognition = recognition;
        s.policy.time_bank.crowd_out_rate = 0.05;
        s.policy.time_bank.crowd_in_rate = 0.05;
        let (world, _) = step_world(&s, |_, _| {});
        let (r, bank) = (world.residents(), world.time_bank());
        let volunteers: Vec<usize> = (0..r.len()).filter(|&i| bank.points[i] > 0 || bank.last_earned[i] > 0).collect();
        volunteers.iter().map(|&i| r.intrinsic[i] as f64).sum::<f64>() / volunteers.len() as f64
    };
    let neutral = intrinsic_after(0.0, 0.0);
    assert!(intrinsic_after(1.0, 0.0) < neutral - 0.02, "payment framing crowds out");
    assert!(intrinsic_after(0.0, 1.0) > neutral + 0.02, "recognition crowds in");
}

#[test]
fn report_back_raises_later_proposals() {
    let mut with = with_fund(economy(4_000, 730, 3));
    with.needs.personal_per_year = 0.1;
    with.policy.proposal_fund.budget_yuan = 100_000.0;
    let mut without = with.clone();
    without.policy.proposal_fund.report_back = false;
    let (with, without) = (run(&with), run(&without));
    let later = |o: &RunOutput| mean_total(o, 365..730, |c| c.mechanisms.proposal_fund.proposals_submitted as f64);
    assert!(later(&with) > 1.05 * later(&without), "{} vs {}", later(&with), later(&without));
    let trust = |o: &RunOutput| mean_over(o, |d| d[Cohort::Original.index()].mean_trust());
    assert!(trust(&with) > trust(&without));
}

#[test]
fn report_back_raises_the_belief_that_others_take_part() {
    let mut with = with_fund(economy(4_000, 730, 1));
    with.needs.personal_per_year = 0.1;
    with.policy.proposal_fund.budget_yuan = 100_000.0;
    let mut without = with.clone();
    without.policy.proposal_fund.report_back = false;
    let mean_belief = |s: &linli::scenario::Scenario| {
        let (world, _) = step_world(s, |_, _| {});
        let n = world.residents().len();
        (0..n).map(|i| world.motives().cooperation.belief(linli::model::ResidentId::new(i)) as f64).sum::<f64>()
            / n as f64
    };
    let (with, without) = (mean_belief(&with), mean_belief(&without));
    assert!(with > without + 0.02, "conditional cooperation (§7.22.3): {with} vs {without}");
}

#[test]
fn the_young_come_to_events_but_follow_through_less() {
    let mut s = with_fund(economy(6_000, 730, 1));
    s.needs.personal_per_year = 0.15;
    s.policy.proposal_fund.budget_yuan = 1_000_000.0;
    let (world, _) = step_world(&s, |_, _| {});
    let counts = world.by_age();
    let r = world.residents();
    let residents = |band: AgeBand| (0..r.len()).filter(|&i| r.age[i] == band).count() as f64;
    let attendance = |band: AgeBand| counts.special_event_attendances[band as usize] as f64 / residents(band);
    let implemented = |band: AgeBand| {
        counts.proposals_implemented[band as usize] as f64 / counts.proposals_approved[band as usize].max(1) as f64
    };
    let (young, adult) = (AgeBand::YoungAdult, AgeBand::Adult);
    assert!(counts.proposals_approved[young as usize] >= 20, "enough young proposers to compare");
    assert!(
        attendance(young) > 0.8 * attendance(adult),
        "the young come to the festival: {} vs {}",
        attendance(young),
        attendance(adult)
    );
    assert!(
        implemented(young) < implemented(adult) - 0.1,
        "重活动、轻持续: {} vs {}",
        implemented(young),
        implemented(adult)
    );
}

#[test]
fn alliance_meetings_fix_nuisance_and_cut_grievances() {
    let mut meeting = economy(4_000, 730, 2);
    meeting.merchants.count = 30;
    meeting.merchants.alliance_initial = 30;
    meeting.merchants.stay_offset = 20.0;
    meeting.merchants.grievances_per_year = 0.5;
    meeting.merchants.meetings_per_year = 12;
    meeting.merchants.fix_effect = 0.5;
    let mut silent = meeting.clone();
    silent.merchants.meetings_per_year = 0;
    let (meeting, silent) = (run(&meeting), run(&silent));
    let grievances = |o: &RunOutput| mean_total(o, 365..730, |c| c.mechanisms.merchants.merchant_grievances as f64);
    assert!(grievances(&meeting) < 0.7 * grievances(&silent), "{} vs {}", grievances(&meeting), grievances(&silent));
    let fixed: u32 = meeting.replicates[0].merchants.totals.iter().map(|t| t.problems_fixed).sum();
    assert!(fixed > 0);
}

#[test]
fn a_reserved_seat_brings_transients_to_deliberation() {
    let base = economy(6_000, 240, 2);
    let mut seat = base.clone();
    seat.policy.transient_seat.seats = 10;
    let attendance = |o: &RunOutput| mean_total(o, 0..240, |c| c.core.attendees as f64);
    let transient_attendance = |o: &RunOutput| {
        let sums: Vec<f64> = o
            .replicates
            .iter()
            .map(|r| r.days.iter().map(|d| d[Cohort::Transient.index()].core.attendees as f64).sum())
            .collect();
        sums.iter().sum::<f64>()
    };
    let (base, seat) = (run(&base), run(&seat));
    assert!(
        transient_attendance(&seat) > transient_attendance(&base),
        "{} vs {}",
        transient_attendance(&seat),
        transient_attendance(&base)
    );
    assert!(attendance(&seat) > 0.0);
}

#[test]
fn grid_workers_and_riders_collect_silent_needs() {
    let mut base = economy(4_000, 365, 2);
    base.needs.personal_per_year = 0.1;
    base.merchants.grievances_per_year = 0.5;
    let mut grid = base.clone();
    grid.policy.grid_workers.enabled = true;
    let mut riders = base.clone();
    riders.policy.riders.enabled = true;
    let (base, grid, riders) = (run(&base), run(&grid), run(&riders));
    let silent = |o: &RunOutput| mean_total(o, 0..365, |c| c.core.silent_needs as f64);
    let complaints = |o: &RunOutput| mean_total(o, 0..365, |c| c.core.complaints as f64);
    assert!(silent(&grid) < 0.8 * silent(&base) && complaints(&grid) > complaints(&base), "grid workers");
    assert!(silent(&riders) < silent(&base) && complaints(&riders) > complaints(&base), "riders");
    let awareness = |o: &RunOutput| mean_over(o, |d| d[Cohort::Transient.index()].active_rate());
    assert!(awareness(&grid) > awareness(&base), "visits raise awareness and so participation");
}

#[test]
fn integration_workshops_attach_newcomers() {
    let mut base = economy(4_000, 365, 2);
    base.cohorts.transient.move_out_rate = 0.6;
    let mut workshops = base.clone();
    workshops.policy.integration.enabled = true;
    let attachment = |s: &Scenario| mean_over(&run(s), |d| d[Cohort::Transient.index()].mean_attachment());
    assert!(attachment(&workshops) > attachment(&base) + 0.005);
}

#[test]
fn fairs_bring_visits_and_booths_bring_proposals() {
    let mut s = with_fund(economy(4_000, 240, 1));
    for event in &mut s.events {
        if event.name == "Interest groups" {
            event.fair = true;
            event.proposal_booth = true;
        }
    }
    let mut plain = s.clone();
    for event in &mut plain.events {
        event.fair = false;
        event.proposal_booth = false;
    }
    let (fair, plain) = (run(&s), run(&plain));
    let fair_visits: u32 = fair.replicates[0].merchants.totals.iter().map(|t| t.fair_visits).sum();
    assert!(fair_visits > 0);
    let proposals = |o: &RunOutput| mean_total(o, 0..240, |c| c.mechanisms.proposal_fund.proposals_submitted as f64);
    assert!(proposals(&fair) > proposals(&plain), "{} vs {}", proposals(&fair), proposals(&plain));
}
