//! The core state of one replicate: structure, residents, ties, events and complaints, and the
//! helpers every phase of a day uses (random streams, a resident's disposition, taking part).

use std::ops::Range;

use super::compiled::CoreRules;
use super::complaints::ComplaintQueue;
use super::events::{Event, EventPlan, schedule};
use super::network::Network;
use super::params::Params;
use super::population::{Residents, TieRanges};
use super::structure::Structure;
use super::types::{AgeBand, N_AGE_BANDS, ResidentId};
use crate::engine::Calendar;
use crate::engine::parallel::Split;
use crate::engine::prefetch::prefetch;
use crate::engine::rng::{DayStreams, Purpose, StreamKey};
use crate::model::behaviour::gates::BLOCK;
use crate::model::behaviour::rules::{self, Disposition};
use crate::model::motives::Motives;

/// Counts by the proposer's or attendee's age band, for the follow-through gap (重活动、轻持续).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AgeBandCounts {
    /// Attendances at special (yearly or one-off) events, such as the festival.
    pub special_event_attendances: [u64; N_AGE_BANDS],
    pub proposals_approved: [u32; N_AGE_BANDS],
    pub proposals_implemented: [u32; N_AGE_BANDS],
}

/// The community one replicate simulates, without its mechanisms.
pub struct Core {
    pub seed: u64,
    pub replicate: u32,
    /// Mechanisms act from this day on (the burn-in before it is the status quo).
    pub burn_in_days: i32,
    pub deliberation_day: u32,
    pub rules: CoreRules,
    pub structure: Structure,
    pub household_building: Vec<u32>,
    pub stairwell_ranges: Vec<Range<u32>>,
    pub building_ranges: Vec<Range<u32>>,
    pub residents: Residents,
    pub network: Network,
    pub complaints: ComplaintQueue,
    /// The events as written (mechanisms read their flags: fairs, proposal booths).
    pub event_params: Vec<Event>,
    pub events: Vec<EventPlan>,
    pub events_by_day: Vec<Vec<u16>>,
    /// Day on which each household moves out next.
    pub move_out_day: Vec<u32>,
    pub by_age: AgeBandCounts,
    pub split: Split,
    /// The motives from the evidence (identity, thresholds, cooperation, tenure).
    pub motives: Motives,
}

impl Core {
    /// The structure and empty residents of replicate `replicate` (traits and ties are drawn by
    /// `behaviour::churn::populate`).
    pub fn new(params: &Params, replicate: u32, calendar: &Calendar) -> Core {
        let structure = Structure::build(params, replicate);
        let household_building = structure.household_building();
        let n_buildings = structure.building_compound.len();
        let stairwell_ranges =
            structure.unit_ranges(&structure.household_stairwell, structure.stairwell_building.len());
        let building_ranges = structure.unit_ranges(&household_building, n_buildings);
        Core {
            seed: params.seed,
            replicate,
            burn_in_days: params.burn_in_days as i32,
            deliberation_day: params.committee.deliberation_day,
            rules: CoreRules::from_params(params),
            residents: Residents::with_households(&structure),
            network: Network::new(structure.n_residents(), params.network.max_degree as usize),
            move_out_day: vec![u32::MAX; structure.n_households()],
            complaints: ComplaintQueue::new(params.committee.resolve_days_max),
            event_params: params.events.clone(),
            events: params.events.iter().map(EventPlan::from_event).collect(),
            events_by_day: schedule(&params.events, calendar.days()),
            by_age: AgeBandCounts::default(),
            split: Split::Parallel,
            motives: Motives::new(&params.behaviour, structure.n_residents()),
            structure,
            household_building,
            stairwell_ranges,
            building_ranges,
        }
    }

    /// The stream of `agent` for `purpose` on day `day` of this replicate.
    pub fn key(&self, day: i32, agent: u32, purpose: Purpose) -> StreamKey {
        StreamKey { seed: self.seed, replicate: self.replicate, day: day as u32, agent, purpose }
    }

    /// The streams of every agent for `purpose` on day `day`.
    pub fn day_streams(&self, day: i32, purpose: Purpose) -> DayStreams {
        DayStreams::new(self.seed, self.replicate, day as u32, purpose)
    }

    /// The households, stairwell unit, building and community a resident's new ties come from.
    pub fn tie_ranges(&self, resident: ResidentId) -> TieRanges {
        let household = self.structure.household_of(resident);
        TieRanges {
            household: self.structure.household_residents(household),
            stairwell: self.stairwell_ranges[self.structure.household_stairwell[household] as usize].clone(),
            building: self.building_ranges[self.household_building[household] as usize].clone(),
            everyone: 0..self.residents.len() as u32,
        }
    }

    /// The building a resident lives in.
    pub fn building_of(&self, i: ResidentId) -> u32 {
        self.household_building[self.structure.household_of(i)]
    }

    /// The compound a resident lives in.
    pub fn compound_of(&self, i: ResidentId) -> u32 {
        self.structure.building_compound[self.building_of(i) as usize]
    }

    pub fn age_of(&self, i: ResidentId) -> AgeBand {
        self.residents.age[i]
    }

    /// The state of resident `i` that enters the participation utility.
    #[inline]
    pub fn disposition(&self, i: ResidentId) -> Disposition {
        let r = &self.residents;
        let degree = self.network.degree(i).max(1) as f32;
        Disposition {
            propensity: self.rules.propensity[r.cohort[i].index()],
            habit: r.habit[i],
            social: r.active_ties[i] as f32 / degree,
            trust: r.trust[i],
            attachment: r.attachment[i],
            intrinsic: r.intrinsic[i],
        }
    }

    /// The participation utility of resident `i` on day `d` (before activity offsets): the
    /// disposition's and the motives'.
    #[inline]
    pub fn utility(&self, i: ResidentId, d: i32) -> f32 {
        let disposition = self.disposition(i);
        let tenure_days = d - self.residents.move_in_day[i];
        rules::utility(&self.rules.weights, &disposition) + self.motives.utility(i, disposition.social, tenure_days)
    }

    /// [`Core::utility`] on day `d` of the residents from `first`, one for each place of `out`
    /// (at most [`BLOCK`]): the same sums in the same order, so the same bits, in loops the
    /// compiler vectorises.
    #[inline(always)]
    pub fn utilities(&self, first: usize, d: i32, out: &mut [f32]) {
        let n = out.len();
        assert!(n <= BLOCK, "{n} residents at once");
        let (r, range) = (&self.residents, first..first + n);
        let (active, degrees) = (&r.active_ties.0[range.clone()], &self.network.degrees()[range.clone()]);
        let (moved_in, cohort) = (&r.move_in_day.0[range.clone()], &r.cohort.0[range.clone()]);
        let (habit, trust) = (&r.habit.0[range.clone()], &r.trust.0[range.clone()]);
        let (attachment, intrinsic) = (&r.attachment.0[range.clone()], &r.intrinsic.0[range]);
        let motives = self.motives.block(first, n);
        motives.assert_len(n);
        for k in 0..n {
            let social = f32::from(active[k]) / f32::from(degrees[k].max(1));
            let disposition = Disposition {
                propensity: self.rules.propensity[cohort[k].index()],
                habit: habit[k],
                social,
                trust: trust[k],
                attachment: attachment[k],
                intrinsic: intrinsic[k],
            };
            out[k] = rules::utility(&self.rules.weights, &disposition) + motives.utility(k, social, d - moved_in[k]);
        }
    }

    /// Share of the day resident `i` has free.
    #[inline]
    pub fn free_time(&self, i: ResidentId, is_weekend: bool) -> f32 {
        let r = &self.residents;
        self.rules.free_share[usize::from(r.free_bytes(is_weekend)[i.index()])]
    }

    /// Taking part: neighbours learn of it (if newly active), habit, attachment and awareness grow.
    pub fn mark_taking_part(&mut self, i: ResidentId, d: i32) {
        let r = &mut self.residents;
        if r.last_active[i] == d {
            return;
        }
        if !r.is_active(i, d, self.rules.window) {
            for &j in self.network.ties(i) {
                r.active_ties[j] += 1;
            }
        }
        r.last_active[i] = d;
        let rates = &self.rules.rates;
        r.habit[i] = rules::gain(r.habit[i], rates.habit_gain);
        r.attachment[i] = rules::gain(r.attachment[i], rates.attachment_participation);
        r.awareness[i] = rules::gain(r.awareness[i], rates.awareness_participation);
        self.motives.on_take_part(i);
    }

    /// Asks for what [`Core::mark_taking_part`] reads of resident `i` to be brought into cache.
    #[inline]
    pub fn prefetch_taking_part(&self, i: ResidentId) {
        let r = &self.residents;
        for values in [&r.habit.0, &r.attachment.0, &r.awareness.0] {
            prefetch(values, i.index());
        }
        prefetch(&r.last_active.0, i.index());
        self.network.prefetch(i);
    }

    /// Asks for the counts of active ties of resident `i`'s ties to be brought into cache (best
    /// once `i`'s ties have arrived: [`Core::prefetch_taking_part`]).
    #[inline]
    pub fn prefetch_tie_counts(&self, i: ResidentId) {
        for &j in self.network.ties(i) {
            prefetch(&self.residents.active_ties.0, j.index());
        }
    }

    /// Heap bytes of the state that grows with the population.
    pub fn heap_bytes(&self) -> usize {
        let households = self.structure.n_households() * (4 * 5 + 1 + 4);
        self.residents.heap_bytes() + self.network.heap_bytes() + households + self.motives.heap_bytes()
    }
}

#[cfg(test)]
impl Core {
    /// A small populated community for unit tests of the daily phases: one compound, 4
    /// buildings, 12 stairwell units, `residents / 3` households and 2 micro-grids, with the
    /// default parameters otherwise (returned, for the phases that read them).
    pub fn for_tests(residents: u32) -> (Core, Params) {
        Core::for_tests_with(residents, |_| {})
    }

    /// [`Core::for_tests`] with the default parameters changed by `change` first.
    pub fn for_tests_with(residents: u32, change: impl FnOnce(&mut Params)) -> (Core, Params) {
        let mut params = Params::default();
        change(&mut params);
        let c = &mut params.community;
        (c.compounds, c.buildings, c.stairwells, c.households, c.residents, c.micro_grids) =
            (1, 4, 12, (residents / 3).max(1), residents, 2);
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 60);
        let mut core = Core::new(&params, 0, &calendar);
        crate::model::behaviour::churn::populate(&mut core, &params);
        (core, params)
    }
}
