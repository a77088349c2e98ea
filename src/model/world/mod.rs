//! A simulated community and its daily step: churn, a parallel decide pass (`decide.rs`), an
//! ordered apply pass and a parallel end-of-day pass (`apply.rs`), and the incentive policies
//! (`incentives.rs`).

mod apply;
mod decide;
mod incentives;
mod rules_compiled;

use std::ops::Range;

use chrono::Datelike;
use rand::RngExt;

use crate::engine::parallel::{Split, map_chunks};
use crate::engine::rng::{DayStreams, Purpose, StreamKey};
use crate::engine::{Calendar, Day};
use crate::model::behaviour::rules;
use crate::model::core::complaints::ComplaintQueue;
use crate::model::core::counters::DayRecord;
use crate::model::core::events::{EventPlan, schedule};
use crate::model::core::network::Network;
use crate::model::core::params::Params;
use crate::model::core::population::{
    Arrival, Residents, TieRanges, add_generated_ties, add_household_ties, draw_traits,
};
use crate::model::core::purposes;
use crate::model::core::structure::Structure;
use crate::model::core::types::{AgeBand, Cohort};
use crate::model::mechanisms::merchants::Merchants;
use crate::model::mechanisms::proposal_fund::book::ProposalBook;
use apply::Tally;
use rules_compiled::Rules;

/// Activity codes: volunteering, the deliberation day, the integration workshop, then event e
/// as `FIRST_EVENT + e`.
const VOLUNTEER: u16 = 0;
const DELIBERATION: u16 = 1;
const INTEGRATION: u16 = 2;
const FIRST_EVENT: u16 = 3;

/// What today offers, shared by every resident's decision.
struct Today {
    day: i32,
    is_weekend: bool,
    /// Incentive policies run from the start date on (burn-in is the status quo before them).
    policies_on: bool,
    tasks: u32,
    deliberation: bool,
    integration: bool,
    events: Vec<u16>,
    burst_stairwells: Vec<u32>,
}

/// Counts by the proposer's or attendee's age band, for the follow-through gap (重活动、轻持续).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AgeBandCounts {
    /// Attendances at special (yearly or one-off) events, such as the festival.
    pub special_event_attendances: [u64; 4],
    pub proposals_approved: [u32; 4],
    pub proposals_implemented: [u32; 4],
}

/// One replicate's community.
pub struct World {
    params: Params,
    replicate: u32,
    rules: Rules,
    structure: Structure,
    household_building: Vec<u32>,
    stairwell_ranges: Vec<Range<u32>>,
    building_ranges: Vec<Range<u32>>,
    /// Households of each micro-grid (contiguous, as grids are spread over households).
    grid_households: Vec<Range<u32>>,
    grid_cursor: Vec<u32>,
    household_last_visit: Vec<i32>,
    move_out_day: Vec<u32>,
    residents: Residents,
    network: Network,
    complaints: ComplaintQueue,
    events: Vec<EventPlan>,
    events_by_day: Vec<Vec<u16>>,
    merchants: Merchants,
    building_nuisance: Vec<f32>,
    proposals: ProposalBook,
    /// Items left this month in the committee's own shop.
    shop_items: u32,
    by_age: AgeBandCounts,
    split: Split,
}

impl World {
    /// Builds replicate `replicate` of the scenario for the given calendar.
    pub fn new(params: &Params, replicate: u32, calendar: &Calendar) -> World {
        let structure = Structure::build(params, replicate);
        let household_building = structure.household_building();
        let n_buildings = structure.building_compound.len();
        let stairwell_ranges =
            structure.unit_ranges(&structure.household_stairwell, structure.stairwell_building.len());
        let building_ranges = structure.unit_ranges(&household_building, n_buildings);
        let grid_households = grid_households(&structure.household_grid, params.community.micro_grids as usize);
        let merchants = Merchants::build(params, replicate, n_buildings);
        let mut world = World {
            params: params.clone(),
            replicate,
            rules: Rules::from_scenario(params),
            residents: Residents::with_households(&structure),
            network: Network::new(structure.n_residents(), params.network.max_degree as usize),
            move_out_day: vec![u32::MAX; structure.n_households()],
            household_last_visit: vec![i32::MIN / 2; structure.n_households()],
            grid_cursor: grid_households.iter().map(|r| r.start).collect(),
            grid_households,
            complaints: ComplaintQueue::new(params.committee.resolve_days_max),
            events: params.events.iter().map(EventPlan::from_event).collect(),
            events_by_day: schedule(&params.events, calendar.days()),
            building_nuisance: merchants.nuisance_by_building(n_buildings),
            merchants,
            proposals: ProposalBook::default(),
            shop_items: 0,
            by_age: AgeBandCounts::default(),
            split: Split::Parallel,
            structure,
            household_building,
            stairwell_ranges,
            building_ranges,
        };
        world.populate();
        world
    }

    fn key(&self, day: i32, agent: u32, purpose: Purpose) -> StreamKey {
        StreamKey { seed: self.params.seed, replicate: self.replicate, day: day as u32, agent, purpose }
    }

    fn day_streams(&self, day: i32, purpose: Purpose) -> DayStreams {
        DayStreams::new(self.params.seed, self.replicate, day as u32, purpose)
    }

    fn populate(&mut self) {
        // Traits are drawn in parallel (each from its own stream) and stored in order, in
        // batches of one chunk per thread, so the temporary copy stays small (results do not
        // depend on the batches: each resident has its own stream).
        let batch = crate::engine::parallel::CHUNK * rayon::current_num_threads();
        for batch_start in (0..self.residents.len()).step_by(batch) {
            let batch_len = batch.min(self.residents.len() - batch_start);
            let drawn = map_chunks(Split::Parallel, batch_len, |range| {
                let draw = |i: usize| {
                    let mut rng = self.key(0, i as u32, purposes::POPULATION).rng();
                    let head = self.structure.household_start[self.residents.household[i] as usize] == i as u32;
                    draw_traits(self.residents.cohort[i], head, &self.params, Arrival::Initial, &mut rng)
                };
                (batch_start + range.start..batch_start + range.end).map(draw).collect::<Vec<_>>()
            });
            for (k, traits) in drawn.iter().flatten().enumerate() {
                self.residents.set_fresh(batch_start + k, traits);
            }
        }
        for h in 0..self.structure.n_households() {
            add_household_ties(&mut self.network, self.structure.household_residents(h));
        }
        for i in 0..self.residents.len() as u32 {
            let mut rng = self.key(0, i, purposes::NETWORK).rng();
            let ranges = self.tie_ranges(i);
            add_generated_ties(&mut self.network, i, &ranges, &self.params, 1, &mut rng);
        }
        for h in 0..self.structure.n_households() {
            self.move_out_day[h] = self.draw_move_out(h, 0);
        }
    }

    fn tie_ranges(&self, resident: u32) -> TieRanges {
        let household = self.residents.household[resident as usize] as usize;
        TieRanges {
            household: self.structure.household_residents(household),
            stairwell: self.stairwell_ranges[self.structure.household_stairwell[household] as usize].clone(),
            building: self.building_ranges[self.household_building[household] as usize].clone(),
            everyone: 0..self.residents.len() as u32,
        }
    }

    fn draw_move_out(&self, household: usize, today: i32) -> u32 {
        let cohort = self.structure.household_cohort[household];
        let mut rng = self.key(today, household as u32, purposes::CHURN).rng();
        let wait = rules::geometric_days(self.rules.move_out_hazard[cohort.index()], 1.0 - rng.random::<f64>());
        (today as u32).saturating_add(wait)
    }

    /// Sets whether the daily passes split this replicate across threads (results are the same).
    pub fn set_split(&mut self, split: Split) {
        self.split = split;
    }

    pub fn residents(&self) -> &Residents {
        &self.residents
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn structure(&self) -> &Structure {
        &self.structure
    }

    pub fn merchants(&self) -> &Merchants {
        &self.merchants
    }

    pub fn proposals(&self) -> &ProposalBook {
        &self.proposals
    }

    /// Attendance and proposal outcomes by age band, accumulated since the start.
    pub fn by_age(&self) -> &AgeBandCounts {
        &self.by_age
    }

    /// The cohort of every resident (for tests and reports).
    pub fn cohorts(&self) -> &[Cohort] {
        &self.residents.cohort
    }

    /// Heap bytes of the state that grows with the population.
    pub fn heap_bytes(&self) -> usize {
        let households = self.structure.n_households() * (4 * 6 + 1 + 4);
        self.residents.heap_bytes() + self.network.heap_bytes() + households
    }

    /// Simulates one day and returns its record.
    pub fn step(&mut self, day: &Day) -> DayRecord {
        let d = day.index as i32;
        let mut tally = Tally::default();
        self.churn(d, &mut tally);
        let today = self.today(day);
        let programme_starts = d == self.params.burn_in_days as i32;
        if today.policies_on && (day.date.day() == 1 || programme_starts) {
            self.start_month(day);
        }
        let decisions = map_chunks(self.split, self.residents.len(), |range| self.decide(range, &today));
        self.expire(&decisions, d);
        let granted = self.allocate(&decisions, &today);
        self.take_part(&granted, d, &mut tally);
        self.form_ties(&granted, d);
        if today.policies_on {
            self.pay_volunteers(&granted, d, &mut tally);
            self.redeem(&decisions, &mut tally);
            self.visit_fairs(&granted);
            self.outreach_visits(&today);
        }
        self.raise_needs(&decisions, &today, &mut tally);
        if today.policies_on {
            self.proposal_booths(&granted, d, &mut tally);
            self.run_proposal_fund(&granted, &today, &mut tally);
            self.alliance_meeting(day);
        }
        self.settle_complaints(d);
        self.end_of_day(&today, tally)
    }

    fn today(&self, day: &Day) -> Today {
        let d = day.index as i32;
        let policies_on = d >= self.params.burn_in_days as i32;
        let integration = &self.params.policy.integration;
        Today {
            day: d,
            is_weekend: day.is_weekend,
            policies_on,
            tasks: if day.is_weekend { self.rules.tasks_weekend } else { self.rules.tasks_weekday },
            deliberation: day.date.day() == self.params.committee.deliberation_day,
            integration: policies_on && integration.enabled && day.date.day() == integration.day,
            events: self.events_by_day[day.index as usize].clone(),
            burst_stairwells: self.pipe_bursts(d),
        }
    }

    /// Today's pipe bursts (Poisson number, each in a uniformly chosen stairwell unit).
    fn pipe_bursts(&self, d: i32) -> Vec<u32> {
        let mut rng = self.key(d, 0, purposes::SHOCKS).rng();
        let threshold = (-self.rules.burst_daily).exp();
        let mut product = rng.random::<f64>();
        let mut bursts = Vec::new();
        while product > threshold {
            bursts.push(rng.random_range(0..self.stairwell_ranges.len() as u32));
            product *= rng.random::<f64>();
        }
        bursts
    }

    /// Households due to move out today leave; newcomers of the same cohort take their place.
    fn churn(&mut self, d: i32, tally: &mut Tally) {
        for h in 0..self.structure.n_households() {
            if self.move_out_day[h] == d as u32 {
                self.replace_household(h, d, tally);
            }
        }
    }

    fn replace_household(&mut self, h: usize, d: i32, tally: &mut Tally) {
        let members = self.structure.household_residents(h);
        let window = self.rules.window;
        for i in members.clone() {
            let was_active = self.residents.is_active(i as usize, d - 1, window);
            let active_ties = &mut self.residents.active_ties;
            self.network.drop_ties_outside(i, members.clone(), |neighbour| {
                if was_active {
                    active_ties[neighbour as usize] -= 1;
                }
            });
            // Points leave with their holder: they count as expired.
            let cohort = self.residents.cohort[i as usize].index();
            tally.by_cohort[cohort].points_expired += self.residents.points[i as usize];
        }
        for i in members.clone() {
            let mut rng = self.key(d, i, purposes::NEWCOMER).rng();
            let cohort = self.residents.cohort[i as usize];
            let head = i == members.start;
            let traits = draw_traits(cohort, head, &self.params, Arrival::Newcomer { day: d }, &mut rng);
            self.residents.set_fresh(i as usize, &traits);
            let ranges = self.tie_ranges(i);
            add_generated_ties(&mut self.network, i, &ranges, &self.params, 2, &mut rng);
        }
        for i in members {
            let active = self.network.ties(i).iter().filter(|&&j| self.residents.is_active(j as usize, d - 1, window));
            self.residents.active_ties[i as usize] = active.count() as u16;
        }
        self.move_out_day[h] = self.draw_move_out(h, d);
    }

    /// Recounts every resident's active ties; for tests of the incremental bookkeeping.
    pub fn recount_active_ties(&self, d: i32) -> Vec<u16> {
        (0..self.residents.len() as u32)
            .map(|i| {
                let ties = self.network.ties(i);
                ties.iter().filter(|&&j| self.residents.is_active(j as usize, d, self.rules.window)).count() as u16
            })
            .collect()
    }

    fn age_of(&self, i: u32) -> AgeBand {
        self.residents.age[i as usize]
    }
}

/// The household range of each micro-grid.
fn grid_households(household_grid: &[u32], n_grids: usize) -> Vec<Range<u32>> {
    let mut ranges = vec![Range { start: u32::MAX, end: 0 }; n_grids]; // empty until the first household
    for (h, &g) in household_grid.iter().enumerate() {
        let range = &mut ranges[g as usize];
        range.start = range.start.min(h as u32);
        range.end = range.end.max(h as u32 + 1);
    }
    ranges
}

impl crate::engine::ensemble::Model for World {
    type Record = DayRecord;
    type Final = Merchants;

    fn step(&mut self, day: &Day) -> DayRecord {
        World::step(self, day)
    }

    /// The merchants are kept for `merchants.csv`.
    fn finish(self) -> Merchants {
        self.merchants
    }
}
