//! The incentive policies inside the daily step: the time bank, the merchants' monthly cycle,
//! fairs, grid-worker visits and the proposal fund (review, follow-through, report-back).

use chrono::Datelike;
use rand::RngExt;

use super::apply::Tally;
use super::{DELIBERATION, FIRST_EVENT, VOLUNTEER, World};
use crate::engine::Day;
use crate::engine::rng::unit_f32;
use crate::model::behaviour::rules::{self, sigmoid};
use crate::model::core::types::AgeBand;
use crate::model::mechanisms::merchants;
use crate::model::mechanisms::proposal_fund;
use crate::model::mechanisms::proposal_fund::book::{Outcome, Proposal, fund_key};

impl World {
    /// The first of a month: merchants decide on the alliance (on last month's visits and
    /// grievances), members stock the catalogue, and the fund's budget renews.
    pub(super) fn start_month(&mut self, day: &Day) {
        let d = day.index as i32;
        let params = &self.params.merchants;
        let item_value = self.params.policy.time_bank.item_value_yuan;
        let first_month = d == self.params.burn_in_days as i32;
        if first_month {
            self.merchants.reset_counters(); // the burn-in's grievances are not the programme's
        } else {
            self.merchants.book_month(params);
            let key = self.key(d, 0, merchants::ALLIANCE_REVIEW);
            self.merchants.review_alliance(params, item_value, key);
        }
        self.merchants.restock(params.donation_items_per_month);
        self.shop_items = self.params.policy.time_bank.shop_items_per_month;
        if self.params.policy.proposal_fund.enabled {
            self.proposals.renew_budget(day.date.year(), day.date.month(), &self.params.policy.proposal_fund);
        }
    }

    /// Alliance meetings fall on the 25th of months spread evenly over the year.
    pub(super) fn alliance_meeting(&mut self, day: &Day) {
        let per_year = self.params.merchants.meetings_per_year;
        if self.merchants.is_empty() || day.date.day() != 25 || !is_meeting_month(day.date.month0(), per_year) {
            return;
        }
        let key = self.key(day.index as i32, 0, merchants::ALLIANCE_MEETING);
        if self.merchants.meeting(&self.params.merchants, key) {
            self.building_nuisance = self.merchants.nuisance_by_building(self.building_ranges.len());
        }
    }

    /// Volunteers who checked in are paid points; payment may crowd out intrinsic motivation and
    /// recognition may crowd it in.
    pub(super) fn pay_volunteers(&mut self, granted: &[Vec<u32>], d: i32, tally: &mut Tally) {
        let Some(t) = self.rules.time_bank else { return };
        for &i in &granted[VOLUNTEER as usize] {
            let i = i as usize;
            let r = &mut self.residents;
            r.points[i] += t.points_per_checkin;
            r.last_earned[i] = d;
            r.intrinsic[i] = rules::gain(r.intrinsic[i] * (1.0 - t.crowd_out), t.crowd_in);
            tally.cohort(r.cohort[i]).points_issued += t.points_per_checkin;
        }
    }

    /// Redemption attempts, by priority: each takes an item while the catalogue lasts; those who
    /// find it empty fail, and the worth they see in points falls.
    pub(super) fn redeem(&mut self, decisions: &[super::decide::Decisions], tally: &mut Tally) {
        let Some(t) = self.rules.time_bank else { return };
        let mut attempts: Vec<(u32, u32)> = decisions.iter().flat_map(|c| c.redemptions.iter().copied()).collect();
        attempts.sort_unstable();
        for (_, i) in attempts {
            let i = i as usize;
            let cohort = self.residents.cohort[i];
            let item = if self.shop_items > 0 {
                self.shop_items -= 1;
                true
            } else {
                self.merchants.take_item().is_some()
            };
            let r = &mut self.residents;
            if item {
                r.points[i] -= t.item_cost;
                r.point_value[i] = rules::gain(r.point_value[i], t.value_gain);
                tally.cohort(cohort).points_redeemed += t.item_cost;
            } else {
                r.point_value[i] *= 1.0 - t.value_loss;
                tally.cohort(cohort).redemptions_failed += 1;
            }
        }
    }

    /// Fair attendees visit alliance merchants.
    pub(super) fn visit_fairs(&mut self, granted: &[Vec<u32>]) {
        for (e, event) in self.params.events.iter().enumerate() {
            let attendees = granted[FIRST_EVENT as usize + e].len() as f64;
            if event.fair && attendees > 0.0 {
                let visitors = (attendees * self.params.merchants.fair_visit_share).round() as u32;
                self.merchants.fair_visits(visitors);
            }
        }
    }

    /// On weekdays each grid worker visits the next households of the micro-grid in turn;
    /// the visit raises the household's awareness.
    pub(super) fn outreach_visits(&mut self, today: &super::Today) {
        let workers = &self.params.policy.grid_workers;
        if !workers.enabled || today.is_weekend {
            return;
        }
        let gain = workers.awareness_gain as f32;
        for g in 0..self.grid_households.len() {
            let range = self.grid_households[g].clone();
            for _ in 0..workers.visits_per_day.min(range.len() as u32) {
                let h = self.grid_cursor[g];
                self.grid_cursor[g] = if h + 1 >= range.end { range.start } else { h + 1 };
                self.household_last_visit[h as usize] = today.day;
                for i in self.structure.household_residents(h as usize) {
                    let awareness = &mut self.residents.awareness[i as usize];
                    *awareness = rules::gain(*awareness, gain);
                }
            }
        }
    }

    /// A proposal enters the queue for the next deliberation day.
    pub(super) fn file_proposal(&mut self, i: u32, d: i32, tally: &mut Tally) {
        let cohort = self.residents.cohort[i as usize];
        let move_in = self.residents.move_in_day[i as usize];
        let key = fund_key(self.params.seed, self.replicate, d, proposal_fund::PROPOSAL_COST);
        let age = self.age_of(i);
        self.proposals.file((i, age), move_in, cohort, &self.params.policy.proposal_fund, key);
        tally.cohort(cohort).proposals_submitted += 1;
    }

    /// Adult visitors of a proposal booth may file a proposal there.
    pub(super) fn proposal_booths(&mut self, granted: &[Vec<u32>], d: i32, tally: &mut Tally) {
        if !self.params.policy.proposal_fund.enabled {
            return;
        }
        let chance = self.params.policy.proposal_fund.booth_chance;
        let booths: Vec<usize> =
            (0..self.params.events.len()).filter(|&e| self.params.events[e].proposal_booth).collect();
        for e in booths {
            for &i in &granted[FIRST_EVENT as usize + e] {
                let mut booth = self.key(d, i, proposal_fund::BOOTH).rng();
                booth.advance(e as u128); // one draw per booth event
                if self.age_of(i).is_adult() && booth.random::<f64>() < chance {
                    self.file_proposal(i, d, tally);
                }
            }
        }
    }

    /// The fund's day: review on deliberation day, follow-through every day, and the trust
    /// that outcomes move.
    pub(super) fn run_proposal_fund(&mut self, granted: &[Vec<u32>], today: &super::Today, tally: &mut Tally) {
        if !self.params.policy.proposal_fund.enabled {
            return;
        }
        let d = today.day;
        let key = fund_key(self.params.seed, self.replicate, d, proposal_fund::PROPOSAL_REVIEW);
        let mut outcomes = Vec::new();
        if today.deliberation {
            let attendees = granted[DELIBERATION as usize].len() as u32;
            outcomes.extend(self.proposals.review(attendees, d, &self.params.policy.proposal_fund, key));
        }
        let done = self.follow_through_days(d, today.is_weekend);
        outcomes.extend(self.proposals.follow_through(&done, d, &self.params.policy.proposal_fund));
        for (proposal, outcome) in outcomes {
            self.record_outcome(&proposal, outcome, tally);
        }
    }

    /// Follow-through days each open proposal gets today: the proposer and up to `helpers` of
    /// their ties each work with a probability built like volunteering's, lower for young adults.
    fn follow_through_days(&mut self, d: i32, is_weekend: bool) -> Vec<u32> {
        let params = &self.params.policy.proposal_fund;
        let mut done = Vec::with_capacity(self.proposals.open().len());
        let mut workers = Vec::new();
        for proposal in self.proposals.open() {
            if !matches!(proposal.stage, crate::model::mechanisms::proposal_fund::book::Stage::Approved { .. })
                || !self.same_proposer(proposal)
            {
                done.push(0);
                continue;
            }
            let team = std::iter::once(proposal.proposer)
                .chain(self.network.ties(proposal.proposer).iter().copied().take(params.helpers as usize));
            let mut days = 0;
            for (k, member) in team.enumerate() {
                let mut rng = self.key(d, proposal.serial, proposal_fund::FOLLOW_THROUGH).rng();
                rng.advance(1 + k as u128);
                let u = unit_f32(rand::Rng::next_u32(&mut rng));
                if self.age_of(member).is_adult() && u < self.follow_through_chance(member, is_weekend) {
                    days += 1;
                    workers.push(member);
                }
            }
            done.push(days);
        }
        for member in workers {
            self.mark_taking_part(member as usize, d);
        }
        done
    }

    fn follow_through_chance(&self, i: u32, is_weekend: bool) -> f32 {
        let params = &self.params.policy.proposal_fund;
        let r = &self.residents;
        let i = i as usize;
        let free = if is_weekend { r.weekend_free[i] } else { r.weekday_free[i] } as f32 / 255.0;
        let young = if r.age[i] == AgeBand::YoungAdult { params.young_followthrough_penalty as f32 } else { 0.0 };
        let utility = rules::utility(&self.rules.weights, &self.disposition(i));
        free * sigmoid(utility + params.followthrough_offset as f32 - young)
    }

    fn same_proposer(&self, proposal: &Proposal) -> bool {
        self.residents.move_in_day[proposal.proposer as usize] == proposal.proposer_move_in
    }

    /// Counts an outcome and moves trust: implemented and reported back raises the proposer's,
    /// their ties' and their building's; stalled and rejected lower the proposer's.
    fn record_outcome(&mut self, proposal: &Proposal, outcome: Outcome, tally: &mut Tally) {
        let stats = tally.cohort(proposal.cohort);
        let age = proposal.age as usize;
        match outcome {
            Outcome::Approved { spent_yuan } => {
                stats.proposals_approved += 1;
                stats.fund_spent_yuan += spent_yuan;
                self.by_age.proposals_approved[age] += 1;
            }
            Outcome::Rejected => stats.proposals_rejected += 1,
            Outcome::Implemented => {
                stats.proposals_implemented += 1;
                self.by_age.proposals_implemented[age] += 1;
            }
            Outcome::Stalled => stats.proposals_stalled += 1,
        }
        if !self.same_proposer(proposal) {
            return; // the proposer has moved out: nobody here to feel it
        }
        let p = proposal.proposer as usize;
        let params = &self.params.policy.proposal_fund;
        let trust = &mut self.residents.trust;
        match outcome {
            Outcome::Implemented => {
                trust[p] = rules::gain(trust[p], params.report_gain_proposer as f32);
                if params.report_back {
                    self.report_back(proposal.proposer);
                }
            }
            Outcome::Stalled => trust[p] *= 1.0 - params.stall_loss as f32,
            Outcome::Rejected => trust[p] *= 1.0 - params.reject_loss as f32,
            Outcome::Approved { .. } => {}
        }
    }

    /// 晒事: the result is shown publicly, to the proposer's ties and building.
    fn report_back(&mut self, proposer: u32) {
        let params = &self.params.policy.proposal_fund;
        let (to_building, to_ties) = (params.report_gain_building as f32, params.report_gain_ties as f32);
        let building = self.household_building[self.residents.household[proposer as usize] as usize] as usize;
        for i in self.building_ranges[building].clone() {
            let t = &mut self.residents.trust[i as usize];
            *t = rules::gain(*t, to_building);
        }
        for k in 0..self.network.degree(proposer) {
            let j = self.network.ties(proposer)[k] as usize;
            let t = &mut self.residents.trust[j];
            *t = rules::gain(*t, to_ties);
        }
    }
}

/// Whether month `month0` (0-11) holds one of `per_year` meetings spread evenly over the year.
fn is_meeting_month(month0: u32, per_year: u32) -> bool {
    (month0 * per_year) / 12 != ((month0 + 1) * per_year) / 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meetings_spread_over_the_year() {
        for per_year in 0..=12 {
            assert_eq!((0..12).filter(|&m| is_meeting_month(m, per_year)).count() as u32, per_year);
        }
        assert!(is_meeting_month(11, 1), "a single meeting falls in December");
    }
}
