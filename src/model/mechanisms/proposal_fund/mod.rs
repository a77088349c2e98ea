//! The proposal fund (小红花提案基金): residents propose micro-projects, reviewed on the deliberation day.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::rng::Purpose;

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
pub struct ProposalFund {
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

impl Default for ProposalFund {
    fn default() -> ProposalFund {
        ProposalFund {
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

pub mod book;
