//! The proposal fund (小红花提案基金): residents propose micro-projects, reviewed on the deliberation day.

pub mod book;

use chrono::Datelike;
use rand::RngExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Ctx, Mechanism};
use crate::engine::rng::{Purpose, unit_f32};
use crate::model::behaviour::decide::{self, Draws, Need, Voice};
use crate::model::behaviour::rules::{self, sigmoid};
use crate::model::core::acts::{ActKind, ActLog};
use crate::model::core::check::Check;
use crate::model::core::counters::Column;
use crate::model::core::day::{DELIBERATION, Granted, Today};
use crate::model::core::params::Params;
use crate::model::core::state::Core;
use crate::model::core::types::{AgeBand, ResidentId};
use book::{Outcome, Proposal, ProposalBook, Stage, fund_key};

/// A proposal's cost, drawn when it is filed.
pub const PROPOSAL_COST: Purpose = Purpose(14);
/// A proposal's screening at review.
pub const PROPOSAL_REVIEW: Purpose = Purpose(15);
/// Follow-through work on an approved proposal.
pub const FOLLOW_THROUGH: Purpose = Purpose(16);
/// Proposals filed at a proposal booth.
pub const BOOTH: Purpose = Purpose(17);

/// How often proposals are reviewed relative to their budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    Month,
    Year,
}

/// Proposal fund (小红花提案基金): residents propose micro-projects, reviewed on deliberation day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FundParams {
    /// Turns the proposal fund on.
    pub enabled: bool,
    /// Most a single proposal is funded, in yuan.
    pub cap_yuan: f64,
    /// Budget per period, in yuan; never overspent.
    pub budget_yuan: f64,
    /// Whether the budget renews every month or every year.
    pub budget_period: BudgetPeriod,
    /// Cheapest proposal, in yuan (costs are uniform between this and the cap).
    pub cost_min_yuan: f64,
    /// Logit offset of proposing rather than complaining, for a need that is raised.
    pub propose_offset: f64,
    /// Logit cost of the effort of writing a proposal (the platform lowers it).
    pub proposal_effort: f64,
    /// Logit weight of trust (centred) on proposing.
    pub trust_weight: f64,
    /// Logit weight of attachment (centred) on proposing.
    pub attachment_weight: f64,
    /// Share of proposals rejected by the screening rules as out of scope (七议五不议).
    pub screen_reject_share: f64,
    /// Fewest deliberation-day attendees needed to review proposals (else they wait a month).
    pub quorum: u32,
    /// Volunteer days of follow-through an approved proposal needs to be implemented.
    pub followthrough_days: u32,
    /// Days an approved proposal has to get its follow-through before it stalls.
    pub implementation_window_days: u32,
    /// Logit offset of a follow-through day by the proposer or a helper.
    pub followthrough_offset: f64,
    /// Logit penalty on follow-through for young adults (重活动、轻持续).
    pub young_followthrough_penalty: f64,
    /// Ties of the proposer who may help with follow-through.
    pub helpers: u32,
    /// Chance that an adult visitor of a proposal booth (an event with `proposal_booth`) files a proposal.
    pub booth_chance: f64,
    /// Whether implemented proposals are reported back publicly (晒事).
    pub report_back: bool,
    /// Trust gained by the proposer of an implemented proposal, reported back or not (share of the gap to 1).
    pub report_gain_proposer: f64,
    /// Trust gained by the proposer's ties.
    pub report_gain_ties: f64,
    /// Trust gained by everyone in the proposer's building.
    pub report_gain_building: f64,
    /// Share of trust the proposer loses when a proposal stalls.
    pub stall_loss: f64,
    /// Share of trust the proposer loses when a proposal is rejected.
    pub reject_loss: f64,
}

impl Default for FundParams {
    fn default() -> FundParams {
        FundParams {
            enabled: false,
            cap_yuan: 500.0,
            budget_yuan: 6_000.0,
            budget_period: BudgetPeriod::Year,
            cost_min_yuan: 100.0,
            propose_offset: -0.5,
            proposal_effort: 1.0,
            trust_weight: 3.0,
            attachment_weight: 2.0,
            screen_reject_share: 0.25,
            quorum: 10,
            followthrough_days: 4,
            implementation_window_days: 45,
            followthrough_offset: -3.0,
            young_followthrough_penalty: 1.5,
            helpers: 3,
            booth_chance: 0.02,
            report_back: true,
            report_gain_proposer: 0.3,
            report_gain_ties: 0.1,
            report_gain_building: 0.05,
            stall_loss: 0.2,
            reject_loss: 0.05,
        }
    }
}

impl FundParams {
    /// The ranges of the fund's keys, at `at` in the scenario file.
    pub fn check(&self, at: &str, check: &mut impl Check) {
        let key = |name: &str| format!("{at}.{name}");
        check.real_range(&key("cap_yuan"), self.cap_yuan, 1.0, 1e7);
        check.real_range(&key("budget_yuan"), self.budget_yuan, 0.0, 1e9);
        check.real_range_relative(&key("cost_min_yuan"), self.cost_min_yuan, 0.0, self.cap_yuan);
        for (name, value) in [
            ("screen_reject_share", self.screen_reject_share),
            ("booth_chance", self.booth_chance),
            ("report_gain_proposer", self.report_gain_proposer),
            ("report_gain_ties", self.report_gain_ties),
            ("report_gain_building", self.report_gain_building),
            ("stall_loss", self.stall_loss),
            ("reject_loss", self.reject_loss),
        ] {
            check.share(&key(name), value);
        }
        for (name, value) in [
            ("propose_offset", self.propose_offset),
            ("proposal_effort", self.proposal_effort),
            ("trust_weight", self.trust_weight),
            ("attachment_weight", self.attachment_weight),
            ("followthrough_offset", self.followthrough_offset),
            ("young_followthrough_penalty", self.young_followthrough_penalty),
        ] {
            check.real_range(&key(name), value, -50.0, 50.0);
        }
        check.int_range(&key("followthrough_days"), self.followthrough_days.into(), 1, 365);
        check.int_range(&key("implementation_window_days"), self.implementation_window_days.into(), 1, 3650);
        check.int_range(&key("helpers"), self.helpers.into(), 0, 255);
        check.int_range(&key("quorum"), self.quorum.into(), 0, 1_000_000);
    }
}

/// Filed a proposal (at a need, or at a booth); the value is the proposal's serial number, as
/// for every stage of it.
pub const PROPOSED: ActKind = ActKind(13);
/// Their proposal was approved and funded at the deliberation day.
pub const PROPOSAL_APPROVED: ActKind = ActKind(14);
/// Their proposal was rejected at screening.
pub const PROPOSAL_REJECTED: ActKind = ActKind(15);
/// Their proposal was implemented (and, with report-back, shown publicly).
pub const PROPOSAL_IMPLEMENTED: ActKind = ActKind(16);
/// Their proposal stalled before it was implemented.
pub const PROPOSAL_STALLED: ActKind = ActKind(17);
/// Worked a day on an approved proposal (the proposer or a helper); the value is its serial.
pub const FOLLOWED_THROUGH: ActKind = ActKind(22);

crate::counters! {
    /// The proposal fund's counters of one cohort and day.
    pub struct FundCounters {
        proposals_submitted: u32 = Column::flow("proposals_submitted").yearly().counts(PROPOSED),
        proposals_approved: u32 = Column::flow("proposals_approved").yearly().counts(PROPOSAL_APPROVED),
        proposals_rejected: u32 = Column::flow("proposals_rejected").counts(PROPOSAL_REJECTED),
        proposals_implemented: u32 =
            Column::flow("proposals_implemented").yearly().compare(1).counts(PROPOSAL_IMPLEMENTED),
        proposals_stalled: u32 = Column::flow("proposals_stalled").yearly().counts(PROPOSAL_STALLED),
        /// Proposal-fund money committed today to the cohort's proposals.
        fund_spent_yuan: f64 = Column::flow("fund_spent_yuan").yearly(),
    }
}

/// The choice between proposing and complaining, compiled from the fund's parameters and the
/// platform's, which makes a proposal less effort.
#[derive(Clone, Copy, Debug)]
struct ProposeRule {
    /// Logit of proposing at neutral trust and attachment: offset - effort x (1 - platform discount).
    intercept: f32,
    trust_weight: f32,
    attachment_weight: f32,
}

/// The proposal fund: its book of proposals and budget, the choice to propose rather than
/// complain, proposal booths at events, review on the deliberation day, follow-through and
/// report-back (晒事).
pub struct ProposalFund {
    params: FundParams,
    rule: ProposeRule,
    pub book: ProposalBook,
}

impl Mechanism for ProposalFund {
    type Counters = FundCounters;
    type Wishes = ();
    const PURPOSES: &'static [Purpose] = &[PROPOSAL_COST, PROPOSAL_REVIEW, FOLLOW_THROUGH, BOOTH];
    const ACTS: &'static [(ActKind, &'static str)] = &[
        (PROPOSED, "proposed"),
        (PROPOSAL_APPROVED, "proposal_approved"),
        (PROPOSAL_REJECTED, "proposal_rejected"),
        (PROPOSAL_IMPLEMENTED, "proposal_implemented"),
        (PROPOSAL_STALLED, "proposal_stalled"),
        (FOLLOWED_THROUGH, "followed_through"),
    ];

    /// No `offer` or `decide`: no resident to visit.
    fn visits(&self, _core: &Core, _today: &Today, _first: usize, _visit: &mut [bool]) {}

    fn build(params: &Params, _core: &Core) -> ProposalFund {
        let f = &params.policy.proposal_fund;
        let platform = &params.policy.platform;
        let discount = if platform.enabled { platform.effort_discount } else { 0.0 };
        ProposalFund {
            params: f.clone(),
            rule: ProposeRule {
                intercept: (f.propose_offset - f.proposal_effort * (1.0 - discount)) as f32,
                trust_weight: f.trust_weight as f32,
                attachment_weight: f.attachment_weight as f32,
            },
            book: ProposalBook::default(),
        }
    }

    fn month_start(&mut self, ctx: &mut Ctx) {
        if self.params.enabled {
            let date = ctx.today.date;
            self.book.renew_budget(date.year(), date.month(), &self.params);
        }
    }

    #[inline]
    fn voice(&self, core: &Core, i: ResidentId, _today: &Today, draws: &Draws) -> Option<Voice> {
        if !self.params.enabled {
            return None;
        }
        let (r, p) = (&core.residents, &self.rule);
        let proposes = decide::proposes(
            p.intercept,
            p.trust_weight,
            p.attachment_weight,
            r.trust[i],
            r.attachment[i],
            draws.propose(),
        );
        Some(if proposes { Voice::Proposal } else { Voice::Complaint })
    }

    fn on_need_voiced(&mut self, ctx: &mut Ctx, need: &Need, voice: Voice) {
        if voice == Voice::Proposal {
            self.file(ctx, need.resident);
        }
    }

    fn after_needs(&mut self, ctx: &mut Ctx, granted: &Granted) {
        if self.params.enabled {
            self.booths(ctx, granted);
            self.fund_day(ctx, granted);
        }
    }
}

impl ProposalFund {
    /// A proposal enters the queue for the next deliberation day.
    fn file(&mut self, ctx: &mut Ctx, i: ResidentId) {
        let r = &ctx.core.residents;
        let (cohort, move_in, age) = (r.cohort[i], r.move_in_day[i], r.age[i]);
        let key = fund_key(ctx.core.seed, ctx.core.replicate, ctx.today.day, PROPOSAL_COST);
        let serial = self.book.file((i, age), move_in, cohort, &self.params, key);
        ctx.cohort(cohort).mechanisms.proposal_fund.proposals_submitted += 1;
        ctx.acts.record(ctx.today.day, i, PROPOSED, serial.into());
        // Filing a proposal is taking part (§7.18): it counts as activity and builds habit.
        ctx.core.mark_taking_part(i, ctx.today.day);
    }

    /// Adult visitors of a proposal booth may file a proposal there.
    fn booths(&mut self, ctx: &mut Ctx, granted: &Granted) {
        let chance = self.params.booth_chance;
        let booths: Vec<usize> =
            (0..ctx.core.event_params.len()).filter(|&e| ctx.core.event_params[e].proposal_booth).collect();
        for e in booths {
            for &i in granted.event(e) {
                let mut booth = ctx.core.key(ctx.today.day, i.0, BOOTH).rng();
                booth.advance(e as u128); // one draw per booth event
                if ctx.core.age_of(i).is_adult() && booth.random::<f64>() < chance {
                    self.file(ctx, i);
                }
            }
        }
    }

    /// The fund's day: review on deliberation day, follow-through every day, and the trust
    /// that outcomes move.
    fn fund_day(&mut self, ctx: &mut Ctx, granted: &Granted) {
        let d = ctx.today.day;
        let key = fund_key(ctx.core.seed, ctx.core.replicate, d, PROPOSAL_REVIEW);
        let mut outcomes = Vec::new();
        if ctx.today.deliberation {
            let attendees = granted.of(DELIBERATION).len() as u32;
            outcomes.extend(self.book.review(attendees, d, &self.params, key));
        }
        let done = self.follow_through_days(ctx.core, ctx.acts, d, ctx.today.is_weekend);
        outcomes.extend(self.book.follow_through(&done, d, &self.params));
        for (proposal, outcome) in outcomes {
            self.record_outcome(ctx, &proposal, outcome);
        }
    }

    /// Follow-through days each open proposal gets today: the proposer and up to `helpers` of
    /// their ties each work with a probability built like volunteering's, lower for young adults.
    fn follow_through_days(&self, core: &mut Core, acts: &mut ActLog, d: i32, is_weekend: bool) -> Vec<u32> {
        let mut done = Vec::with_capacity(self.book.open().len());
        let mut workers = Vec::new();
        for proposal in self.book.open() {
            if !matches!(proposal.stage, Stage::Approved { .. }) || !same_proposer(core, proposal) {
                done.push(0);
                continue;
            }
            let team = std::iter::once(proposal.proposer)
                .chain(core.network.ties(proposal.proposer).iter().copied().take(self.params.helpers as usize));
            let mut days = 0;
            for (k, member) in team.enumerate() {
                let mut rng = core.key(d, proposal.serial, FOLLOW_THROUGH).rng();
                rng.advance(1 + k as u128);
                let u = unit_f32(rand::Rng::next_u32(&mut rng));
                if core.age_of(member).is_adult() && u < self.follow_through_chance(core, member, d, is_weekend) {
                    days += 1;
                    workers.push((member, proposal.serial));
                }
            }
            done.push(days);
        }
        for (member, serial) in workers {
            core.mark_taking_part(member, d);
            acts.record(d, member, FOLLOWED_THROUGH, serial.into());
        }
        done
    }

    fn follow_through_chance(&self, core: &Core, i: ResidentId, d: i32, is_weekend: bool) -> f32 {
        let free = core.free_time(i, is_weekend);
        let young = if core.residents.age[i] == AgeBand::YoungAdult {
            self.params.young_followthrough_penalty as f32
        } else {
            0.0
        };
        free * sigmoid(core.utility(i, d) + self.params.followthrough_offset as f32 - young)
    }

    /// Counts an outcome and moves trust: implemented and reported back raises the proposer's,
    /// their ties' and their building's; stalled and rejected lower the proposer's.
    fn record_outcome(&mut self, ctx: &mut Ctx, proposal: &Proposal, outcome: Outcome) {
        let stats = &mut ctx.tally[proposal.cohort.index()].mechanisms.proposal_fund;
        let age = proposal.age.index();
        let by_age = &mut ctx.core.by_age;
        let kind = match outcome {
            Outcome::Approved { .. } => PROPOSAL_APPROVED,
            Outcome::Rejected => PROPOSAL_REJECTED,
            Outcome::Implemented => PROPOSAL_IMPLEMENTED,
            Outcome::Stalled => PROPOSAL_STALLED,
        };
        ctx.acts.record(ctx.today.day, proposal.proposer, kind, proposal.serial.into());
        match outcome {
            Outcome::Approved { spent_yuan } => {
                stats.proposals_approved += 1;
                stats.fund_spent_yuan += spent_yuan;
                by_age.proposals_approved[age] += 1;
            }
            Outcome::Rejected => stats.proposals_rejected += 1,
            Outcome::Implemented => {
                stats.proposals_implemented += 1;
                by_age.proposals_implemented[age] += 1;
            }
            Outcome::Stalled => stats.proposals_stalled += 1,
        }
        if !same_proposer(ctx.core, proposal) {
            return; // the proposer has moved out: nobody here to feel it
        }
        let p = proposal.proposer;
        let params = &self.params;
        let trust = &mut ctx.core.residents.trust;
        match outcome {
            Outcome::Implemented => {
                trust[p] = rules::gain(trust[p], params.report_gain_proposer as f32);
                if params.report_back {
                    self.report_back(ctx.core, proposal.proposer);
                }
            }
            Outcome::Stalled => trust[p] *= 1.0 - params.stall_loss as f32,
            Outcome::Rejected => trust[p] *= 1.0 - params.reject_loss as f32,
            Outcome::Approved { .. } => {}
        }
    }

    /// 晒事: the result is shown publicly. The proposer's ties and building gain trust, and
    /// everyone who sees it believes a little more that others take part (§7.22).
    fn report_back(&self, core: &mut Core, proposer: ResidentId) {
        let (to_building, to_ties) = (self.params.report_gain_building as f32, self.params.report_gain_ties as f32);
        let building = core.building_of(proposer) as usize;
        let near_range = core.building_ranges[building].clone();
        for i in near_range.clone().map(ResidentId) {
            let t = &mut core.residents.trust[i];
            *t = rules::gain(*t, to_building);
        }
        for k in 0..core.network.degree(proposer) {
            let j = core.network.ties(proposer)[k];
            let t = &mut core.residents.trust[j];
            *t = rules::gain(*t, to_ties);
        }
        let cooperation = &mut core.motives.cooperation;
        for i in near_range.clone().map(ResidentId) {
            cooperation.see_result_near(i);
        }
        for &j in core.network.ties(proposer) {
            if !near_range.contains(&j.0) {
                cooperation.see_result_near(j);
            }
        }
        cooperation.post_result();
    }
}

/// Whether the proposer still lives here (not a newcomer in the same slot).
fn same_proposer(core: &Core, proposal: &Proposal) -> bool {
    core.residents.move_in_day[proposal.proposer] == proposal.proposer_move_in
}
