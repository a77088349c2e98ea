//! A simulated community of one replicate: the core state, the merchants (the local economy)
//! and the mechanisms, and `World::step`, the fixed order of a day's phases.

use chrono::Datelike;

use crate::engine::parallel::{Split, map_chunks};
use crate::engine::{Calendar, Day};
use crate::model::behaviour::ceiling::Ceilings;
use crate::model::behaviour::{allocate, churn, decide, drift, needs};
use crate::model::core::acts::{Act, ActLog};
use crate::model::core::counters::DayRecord;
use crate::model::core::day::Today;
use crate::model::core::network::Network;
use crate::model::core::params::Params;
use crate::model::core::population::Residents;
use crate::model::core::state::Core;
use crate::model::core::structure::Structure;
use crate::model::core::types::Cohort;
use crate::model::core::types::N_AGE_BANDS;
use crate::model::mechanisms::merchants::Merchants;
use crate::model::mechanisms::proposal_fund::book::ProposalBook;
use crate::model::mechanisms::time_bank::TimeBank;
use crate::model::mechanisms::{Ctx, Mechanisms};

pub use crate::model::core::state::AgeBandCounts;

/// The phases of a day, in the order [`World::step`] runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Households moving out and in, what the day offers, the month's start.
    Churn = 0,
    /// Every resident decides (parallel, read-only).
    Decide = 1,
    /// Places allocated and taken, ties formed, needs raised, complaints settled (sequential).
    Apply = 2,
    /// Drift, the motives and the counters of the day (parallel), and the mechanisms' end of day.
    EndOfDay = 3,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Churn, Phase::Decide, Phase::Apply, Phase::EndOfDay];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Churn => "churn and today",
            Phase::Decide => "decide",
            Phase::Apply => "apply",
            Phase::EndOfDay => "end of day",
        }
    }
}

/// One replicate's community.
pub struct World {
    params: Params,
    core: Core,
    merchants: Merchants,
    mechanisms: Mechanisms,
    /// The day's acts, kept when individual data is asked for ([`World::record_acts`]).
    acts: ActLog,
}

impl World {
    /// Builds replicate `replicate` of the model for the given calendar.
    pub fn new(params: &Params, replicate: u32, calendar: &Calendar) -> World {
        let mut core = Core::new(params, replicate, calendar);
        churn::populate(&mut core, params);
        let merchants = Merchants::build(params, replicate, core.building_ranges.len());
        let mechanisms = Mechanisms::build(params, &core);
        World { params: params.clone(), core, merchants, mechanisms, acts: ActLog::new(false) }
    }

    /// Simulates one day and returns its record. The phases run in this fixed order.
    pub fn step(&mut self, day: &Day) -> DayRecord {
        self.step_observed(day, &mut |_| {})
    }

    /// As [`World::step`], telling `phase_done` as each phase ends (for `linli bench`'s split
    /// of time by phase: the model itself reads no clock).
    pub fn step_observed(&mut self, day: &Day, phase_done: &mut impl FnMut(Phase)) -> DayRecord {
        let d = day.index as i32;
        let mut tally = DayRecord::default();
        churn::churn(&mut self.core, &mut self.mechanisms, &self.params, d, &mut tally, &mut self.acts);
        let today = self.today(day);
        let World { core, merchants, mechanisms, acts, .. } = self;
        if today.month_starts {
            mechanisms.month_start(&mut Ctx { core, merchants, today: &today, tally: &mut tally, acts });
        }
        let ceilings = Ceilings::today(core, mechanisms, &today);
        phase_done(Phase::Churn);
        let decisions = map_chunks(core.split, core.residents.len(), |range| {
            decide::decide(core, merchants, mechanisms, range, &today, &ceilings)
        });
        phase_done(Phase::Decide);
        allocate::expire(core, &decisions, d);
        let granted = allocate::allocate(core, mechanisms, &decisions, &today);
        allocate::count_demand(core, &granted, &today, &mut tally);
        allocate::take_part(core, &granted, d, &mut tally, acts);
        allocate::form_ties(core, &granted, d);
        let mut ctx = Ctx { core, merchants, today: &today, tally: &mut tally, acts };
        if today.policies_on {
            mechanisms.after_allocation(&mut ctx, &decisions, &granted);
        }
        needs::raise_needs(&mut ctx, mechanisms, &decisions);
        if today.policies_on {
            mechanisms.after_needs(&mut ctx, &granted);
        }
        needs::settle_complaints(core, d, &mut tally, acts);
        phase_done(Phase::Apply);
        drift::end_of_day(core, d, &mut tally);
        mechanisms.end_of_day(core, merchants, &today, &mut tally, acts);
        phase_done(Phase::EndOfDay);
        tally
    }

    fn today(&self, day: &Day) -> Today {
        let d = day.index as i32;
        let core = &self.core;
        let policies_on = d >= core.burn_in_days;
        let mut today = Today {
            day: d,
            date: day.date,
            is_weekend: day.is_weekend,
            policies_on,
            month_starts: policies_on && (day.date.day() == 1 || d == core.burn_in_days),
            tasks: if day.is_weekend { core.rules.tasks_weekend } else { core.rules.tasks_weekday },
            deliberation: day.date.day() == core.deliberation_day,
            events: core.events_by_day[day.index as usize].clone(),
            burst_stairwells: {
                let mut bursts = needs::pipe_bursts(core, d);
                bursts.sort_unstable();
                bursts
            },
            utility_bonus: 0.0,
            free_share: [[0.0; 256]; N_AGE_BANDS],
        };
        today.utility_bonus = self.mechanisms.utility_bonus(&today);
        today.free_share = self.mechanisms.free_table(&core.rules.free_share, &today);
        today
    }

    /// Starts keeping every resident's acts; [`World::take_acts`] hands them over.
    pub fn record_acts(&mut self) {
        self.acts = ActLog::new(true);
    }

    /// The acts recorded since the last call, in the order they happened.
    pub fn take_acts(&mut self) -> Vec<Act> {
        self.acts.take()
    }

    /// Sets whether the daily passes split this replicate across threads (results are the same).
    pub fn set_split(&mut self, split: Split) {
        self.core.split = split;
    }

    pub fn residents(&self) -> &Residents {
        &self.core.residents
    }

    pub fn network(&self) -> &Network {
        &self.core.network
    }

    /// The residents' motives (identity, thresholds, beliefs; docs/MODEL.md §7.22).
    pub fn motives(&self) -> &crate::model::motives::Motives {
        &self.core.motives
    }

    pub fn structure(&self) -> &Structure {
        &self.core.structure
    }

    /// Days a resident counts as active after taking part (`behaviour.active_window_days`).
    pub fn active_window(&self) -> i32 {
        self.core.rules.window
    }

    /// The building resident `i` lives in.
    pub fn building_of(&self, i: crate::model::core::types::ResidentId) -> u32 {
        self.core.building_of(i)
    }

    /// The compound a resident lives in.
    pub fn compound_of(&self, i: crate::model::core::types::ResidentId) -> u32 {
        self.core.compound_of(i)
    }

    pub fn merchants(&self) -> &Merchants {
        &self.merchants
    }

    pub fn proposals(&self) -> &ProposalBook {
        &self.mechanisms.proposal_fund.book
    }

    /// The time bank's balances and perceived point values.
    pub fn time_bank(&self) -> &TimeBank {
        &self.mechanisms.time_bank
    }

    /// Every mechanism, for tests that inspect their state.
    pub fn mechanisms(&self) -> &Mechanisms {
        &self.mechanisms
    }

    /// Attendance and proposal outcomes by age band, accumulated since the start.
    pub fn by_age(&self) -> &AgeBandCounts {
        &self.core.by_age
    }

    /// The cohort of every resident (for tests and reports).
    pub fn cohorts(&self) -> &[Cohort] {
        &self.core.residents.cohort
    }

    /// Heap bytes of the state that grows with the population.
    pub fn heap_bytes(&self) -> usize {
        self.core.heap_bytes() + self.mechanisms.heap_bytes()
    }

    /// Recounts every resident's active ties; for tests of the incremental bookkeeping.
    pub fn recount_active_ties(&self, d: i32) -> Vec<u16> {
        let core = &self.core;
        core.residents
            .ids()
            .map(|i| {
                let ties = core.network.ties(i);
                ties.iter().filter(|&&j| core.residents.is_active(j, d, core.rules.window)).count() as u16
            })
            .collect()
    }
}

impl World {
    /// What is kept after the last day: the merchants, for `merchants.csv`.
    pub fn finish(self) -> Merchants {
        self.merchants
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::acts::mismatches;
    use crate::model::core::counters::{CohortDay, Kind};
    use crate::model::core::events::{Event, Repeat};

    /// A small community with every mechanism on, a weekly story day with a fair and a proposal
    /// booth, and plenty of needs, so every kind of act happens.
    fn busy() -> Params {
        let mut p = Params::default();
        let c = &mut p.community;
        (c.compounds, c.buildings, c.stairwells, c.households, c.residents, c.micro_grids) = (1, 8, 24, 300, 900, 3);
        p.burn_in_days = 20;
        p.needs.personal_per_year = 2.0;
        p.merchants.count = 12;
        p.merchants.alliance_initial = 6;
        p.merchants.grievances_per_year = 30.0;
        p.committee.resolve_days_max = 10;
        let policy = &mut p.policy;
        (policy.time_bank.enabled, policy.time_bank.expiry_days, policy.time_bank.item_cost_points) = (true, 30, 100);
        (policy.proposal_fund.enabled, policy.proposal_fund.quorum) = (true, 0);
        // A short window, so some approved proposals stall as well as some being implemented.
        policy.proposal_fund.implementation_window_days = 20;
        (policy.grid_workers.enabled, policy.riders.enabled, policy.riders.count) = (true, true, 5);
        (policy.integration.enabled, policy.platform.enabled, policy.transient_seat.seats) = (true, true, 5);
        (policy.seeding.share, policy.seeding.start_date) = (0.1, crate::model::core::date::Date::from_ymd(2024, 3, 1));
        let story =
            Event { name: "Elders' story day".into(), repeat: Some(Repeat::Weekly), capacity: 60, ..Event::probe() };
        p.events = vec![Event { appeal: 1.0, publicity: 1.0, fair: true, proposal_booth: true, ..story }];
        p
    }

    #[test]
    fn every_phase_is_told_once_a_day_in_order_and_observing_changes_nothing() {
        let params = busy();
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 40);
        let (mut observed, mut plain) = (World::new(&params, 0, &calendar), World::new(&params, 0, &calendar));
        for day in calendar.days() {
            let mut told = Vec::new();
            let record = observed.step_observed(day, &mut |phase| told.push(phase));
            assert_eq!(told, Phase::ALL);
            assert_eq!(record, plain.step(day));
        }
    }

    #[test]
    fn the_first_look_s_ceilings_change_no_decision() {
        let mut params = busy();
        // A yearly festival (special: young adults' bonus) and a monthly event for one cohort.
        let festival = Event {
            name: "Festival".into(),
            repeat: Some(Repeat::Yearly),
            month: Some(2),
            day: Some(3),
            ..Event::probe()
        };
        let monthly =
            Event { name: "Owners' tea".into(), repeat: Some(Repeat::Monthly), day: Some(10), ..Event::probe() };
        let owners = vec![Cohort::Original];
        params.events.push(Event { capacity: 400, appeal: 0.5, publicity: 0.3, ..festival });
        params.events.push(Event { capacity: 30, appeal: -0.5, cohorts: owners, ..monthly });
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 150);
        let mut world = World::new(&params, 0, &calendar);
        let (mut applicants, mut wishes) = (0, 0);
        for day in calendar.days() {
            // Each day's decisions from the state the day before left, with and without ceilings.
            let today = world.today(day);
            let World { core, merchants, mechanisms, .. } = &world;
            let everyone = 0..core.residents.len();
            let decide_with =
                |ceilings: &Ceilings| decide::decide(core, merchants, mechanisms, everyone.clone(), &today, ceilings);
            let tight = decide_with(&Ceilings::today(core, mechanisms, &today));
            let loose = decide_with(&Ceilings::none(&today));
            assert_eq!(tight.applicants, loose.applicants, "day {}", day.index);
            assert_eq!((&tight.needs, &tight.expired), (&loose.needs, &loose.expired), "day {}", day.index);
            assert_eq!(tight.wishes.time_bank, loose.wishes.time_bank, "day {}", day.index);
            (applicants, wishes) = (applicants + tight.applicants.len(), wishes + tight.wishes.time_bank.len());
            world.step(day);
        }
        assert!(applicants > 1000 && wishes > 0, "{applicants} applications, {wishes} redemptions");
    }

    #[test]
    fn every_counter_reconciles_with_the_act_log_every_day() {
        let params = busy();
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 240);
        let mut world = World::new(&params, 0, &calendar);
        world.record_acts();
        let mut seen = std::collections::BTreeSet::new();
        for day in calendar.days() {
            let record = world.step(day);
            let acts = world.take_acts();
            seen.extend(acts.iter().map(|a| a.kind));
            let wrong = mismatches(&record, &acts, &world.core.residents.cohort);
            assert!(wrong.is_empty(), "day {}: {wrong:?}", day.index);
        }
        let unseen: Vec<_> =
            crate::model::mechanisms::all_act_kinds().into_iter().filter(|(k, _)| !seen.contains(k)).collect();
        assert!(unseen.is_empty(), "kinds of act that never happened, so never reconciled: {unseen:?}");
    }

    #[test]
    fn applicants_bound_the_places_taken_and_members_include_redeemers() {
        let mut params = busy();
        params.committee.volunteer_tasks_per_day = 2; // fewer tasks than volunteers on some days
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 240);
        let mut world = World::new(&params, 0, &calendar);
        let (mut crowded_days, mut deliberation_days, mut workshop_applicants, mut event_applicants) = (0, 0, 0, 0);
        let mut last = DayRecord::default();
        for day in calendar.days() {
            let record = world.step(day);
            let total = |of: fn(&CohortDay) -> u64| record.iter().map(of).sum::<u64>();
            let (volunteers, applicants) =
                (total(|c| c.core.volunteers.into()), total(|c| c.core.volunteer_applicants.into()));
            let places = u64::from(record[0].core.volunteer_places);
            assert!(
                volunteers <= applicants.min(places),
                "day {}: {volunteers} of {applicants} for {places}",
                day.index
            );
            crowded_days += usize::from(applicants > places);
            if record[0].core.deliberation_seats > 0 {
                assert!(total(|c| c.core.deliberation_applicants.into()) > 0, "day {}", day.index);
                deliberation_days += 1;
            } else {
                assert_eq!(total(|c| c.core.deliberation_applicants.into()), 0, "day {}", day.index);
            }
            workshop_applicants += total(|c| c.mechanisms.integration.workshop_applicants.into());
            event_applicants += total(|c| c.core.event_applicants);
            for c in &record {
                let bank = &c.mechanisms.time_bank;
                assert!(
                    bank.time_bank_redeemers <= bank.time_bank_members && bank.time_bank_members <= c.core.residents
                );
            }
            last = record;
        }
        let seen = (crowded_days, deliberation_days, workshop_applicants, event_applicants);
        assert!(seen.0 > 0 && seen.1 > 0 && seen.2 > 0 && seen.3 > 0, "{seen:?}");
        let members: u32 = last.iter().map(|c| c.mechanisms.time_bank.time_bank_members).sum();
        let redeemers: u32 = last.iter().map(|c| c.mechanisms.time_bank.time_bank_redeemers).sum();
        assert!(members > 0 && redeemers > 0, "{members} members, {redeemers} redeemers");
        assert_eq!(members as usize, world.time_bank().member.iter().filter(|&&m| m).count());
    }

    #[test]
    fn recording_acts_changes_no_result() {
        let params = busy();
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 120);
        let (mut quiet, mut recording) = (World::new(&params, 0, &calendar), World::new(&params, 0, &calendar));
        recording.record_acts();
        for day in calendar.days() {
            assert_eq!(quiet.step(day), recording.step(day), "day {}", day.index);
            assert!(quiet.take_acts().is_empty());
        }
    }

    #[test]
    fn every_flow_of_residents_follows_from_acts() {
        // Money the fund commits is not a resident's act (its approval is, `proposal_approved`).
        // Applying for a place is not recorded as an act either (the place granted is): the
        // applicants are counted from the day's applications as allocation collects them.
        let exempt = [
            "fund_spent_yuan",
            "volunteer_applicants",
            "deliberation_applicants",
            "event_applicants",
            "workshop_applicants",
        ];
        let columns = CohortDay::counter_columns();
        let silent: Vec<&str> = columns
            .iter()
            .filter(|c| c.kind == Kind::Flow && c.acts.is_none() && !exempt.contains(&c.name))
            .map(|c| c.name)
            .collect();
        assert!(silent.is_empty(), "flows with no acts behind them: {silent:?}");
    }
}
