//! The proposal fund (小红花提案基金): proposals wait for the deliberation day, are screened and
//! funded within the budget, then need follow-through before they are implemented or stall.

use rand::RngExt;

use super::{BudgetPeriod, FundParams};
use crate::engine::rng::{Purpose, StreamKey};
use crate::model::core::types::{AgeBand, Cohort, ResidentId};

/// Where a proposal is in its life.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stage {
    /// Waiting for the next deliberation day with a quorum.
    Pending,
    /// Funded; needs follow-through days before `deadline`.
    Approved { deadline: i32, days_done: u32 },
}

/// One proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub serial: u32,
    pub proposer: ResidentId,
    /// The proposer's age band when filing (kept if they move out).
    pub age: AgeBand,
    /// The proposer's move-in day, so a newcomer in the same slot is not credited.
    pub proposer_move_in: i32,
    pub cohort: Cohort,
    pub cost_yuan: f64,
    pub stage: Stage,
}

/// What happened to a proposal on a given day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Approved { spent_yuan: f64 },
    Rejected,
    Implemented,
    Stalled,
}

/// Open proposals and the fund.
#[derive(Clone, Debug)]
pub struct ProposalBook {
    open: Vec<Proposal>,
    next_serial: u32,
    period: Option<i64>,
    remaining_yuan: f64,
    /// Everything spent since the start, in yuan.
    pub spent_yuan: f64,
    /// Sum of the budgets of every period begun so far.
    pub budgeted_yuan: f64,
}

impl Default for ProposalBook {
    fn default() -> ProposalBook {
        ProposalBook {
            open: Vec::new(),
            next_serial: 0,
            period: None,
            remaining_yuan: 0.0,
            spent_yuan: 0.0,
            budgeted_yuan: 0.0,
        }
    }
}

impl ProposalBook {
    /// Files a proposal; its cost is uniform between the minimum and the cap. Returns its serial
    /// number.
    pub fn file(
        &mut self,
        proposer: (ResidentId, AgeBand),
        proposer_move_in: i32,
        cohort: Cohort,
        params: &FundParams,
        key: StreamKey,
    ) -> u32 {
        let (proposer, age) = proposer;
        let serial = self.next_serial;
        self.next_serial += 1;
        let mut rng = StreamKey { agent: serial, ..key }.rng();
        let cost_yuan = params.cost_min_yuan + (params.cap_yuan - params.cost_min_yuan) * rng.random::<f64>();
        self.open.push(Proposal { serial, proposer, age, proposer_move_in, cohort, cost_yuan, stage: Stage::Pending });
        serial
    }

    pub fn open(&self) -> &[Proposal] {
        &self.open
    }

    /// Renews the budget when a new month or year begins (unspent money lapses).
    pub fn renew_budget(&mut self, year: i32, month: u32, params: &FundParams) {
        let period = match params.budget_period {
            BudgetPeriod::Month => year as i64 * 12 + month as i64,
            BudgetPeriod::Year => year as i64,
        };
        if self.period != Some(period) {
            self.period = Some(period);
            self.remaining_yuan = params.budget_yuan;
            self.budgeted_yuan += params.budget_yuan;
        }
    }

    /// Deliberation-day review of every pending proposal, in filing order: screening, then
    /// funding while the budget lasts. Without a quorum nothing is reviewed.
    pub fn review(
        &mut self,
        attendees: u32,
        today: i32,
        params: &FundParams,
        key: StreamKey,
    ) -> Vec<(Proposal, Outcome)> {
        if attendees < params.quorum {
            return Vec::new();
        }
        let mut outcomes = Vec::new();
        let mut kept = Vec::with_capacity(self.open.len());
        for mut proposal in std::mem::take(&mut self.open) {
            if proposal.stage != Stage::Pending {
                kept.push(proposal);
                continue;
            }
            let mut rng = StreamKey { agent: proposal.serial, ..key }.rng();
            let screened_out = rng.random::<f64>() < params.screen_reject_share;
            if screened_out || proposal.cost_yuan > self.remaining_yuan {
                outcomes.push((proposal, Outcome::Rejected));
                continue;
            }
            self.remaining_yuan -= proposal.cost_yuan;
            self.spent_yuan += proposal.cost_yuan;
            let deadline = today + params.implementation_window_days as i32;
            proposal.stage = Stage::Approved { deadline, days_done: 0 };
            outcomes.push((proposal.clone(), Outcome::Approved { spent_yuan: proposal.cost_yuan }));
            kept.push(proposal);
        }
        self.open = kept;
        outcomes
    }

    /// Adds follow-through days to approved proposals (`done[k]` for the k-th open proposal),
    /// then closes those implemented or past their deadline.
    pub fn follow_through(&mut self, done: &[u32], today: i32, params: &FundParams) -> Vec<(Proposal, Outcome)> {
        let mut outcomes = Vec::new();
        let mut kept = Vec::with_capacity(self.open.len());
        for (mut proposal, &extra) in
            std::mem::take(&mut self.open).into_iter().zip(done.iter().chain(std::iter::repeat(&0)))
        {
            if let Stage::Approved { deadline, days_done } = proposal.stage {
                let days_done = days_done + extra;
                proposal.stage = Stage::Approved { deadline, days_done };
                if days_done >= params.followthrough_days {
                    outcomes.push((proposal, Outcome::Implemented));
                    continue;
                }
                if today >= deadline {
                    outcomes.push((proposal, Outcome::Stalled));
                    continue;
                }
            }
            kept.push(proposal);
        }
        self.open = kept;
        outcomes
    }
}

/// The key of the fund's draws of `purpose` on `day` (the agent is set per proposal).
pub fn fund_key(seed: u64, replicate: u32, day: i32, purpose: Purpose) -> StreamKey {
    StreamKey { seed, replicate, day: day as u32, agent: 0, purpose }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> FundParams {
        FundParams {
            enabled: true,
            screen_reject_share: 0.0,
            budget_yuan: 1000.0,
            cost_min_yuan: 400.0,
            followthrough_days: 3,
            implementation_window_days: 60,
            ..FundParams::default()
        }
    }

    fn book_with(n: u32) -> ProposalBook {
        let mut book = ProposalBook::default();
        book.renew_budget(2024, 1, &params());
        for proposer in 0..n {
            book.file(
                (ResidentId(proposer), AgeBand::Adult),
                0,
                Cohort::Original,
                &params(),
                fund_key(1, 0, 0, crate::model::mechanisms::proposal_fund::PROPOSAL_COST),
            );
        }
        book
    }

    #[test]
    fn the_budget_is_never_overspent() {
        let mut book = book_with(5);
        let outcomes = book.review(
            50,
            20,
            &params(),
            fund_key(1, 0, 20, crate::model::mechanisms::proposal_fund::PROPOSAL_REVIEW),
        );
        let approved = outcomes.iter().filter(|(_, o)| matches!(o, Outcome::Approved { .. })).count();
        assert_eq!(approved, 2, "costs of 400-500 yuan: two fit in 1,000");
        assert!(book.spent_yuan <= book.budgeted_yuan);
        assert_eq!(outcomes.len(), 5, "the rest are rejected for lack of money");
    }

    #[test]
    fn no_quorum_no_review() {
        let mut book = book_with(2);
        assert!(
            book.review(3, 20, &params(), fund_key(1, 0, 20, crate::model::mechanisms::proposal_fund::PROPOSAL_REVIEW))
                .is_empty()
        );
        assert_eq!(book.open().len(), 2);
    }

    #[test]
    fn follow_through_implements_or_stalls() {
        let mut book = book_with(2);
        book.review(50, 20, &params(), fund_key(1, 0, 20, crate::model::mechanisms::proposal_fund::PROPOSAL_REVIEW));
        let outcomes = book.follow_through(&[3, 1], 21, &params());
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].1, Outcome::Implemented);
        let later = book.follow_through(&[0], 20 + 60, &params());
        assert_eq!(later[0].1, Outcome::Stalled);
        assert!(book.open().is_empty());
    }

    #[test]
    fn a_new_year_renews_the_budget_once() {
        let mut book = ProposalBook::default();
        book.renew_budget(2024, 1, &params());
        book.renew_budget(2024, 7, &params());
        book.renew_budget(2025, 1, &params());
        assert_eq!(book.budgeted_yuan, 2000.0);
    }
}
