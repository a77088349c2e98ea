//! A simulated community and its daily step: churn, a parallel decide pass, an ordered apply
//! pass, and a parallel end-of-day pass.

use std::ops::Range;

use rand::{Rng, RngExt};
use rayon::prelude::*;

use super::complaints::{ComplaintQueue, Pending};
use super::events::{EventPlan, schedule};
use super::metrics::{CohortDay, DayRecord};
use super::network::Network;
use super::population::{Arrival, Residents, TieRanges, add_generated_ties, add_household_ties, draw_traits};
use super::rules::{self, Disposition, Rates, VoiceWeights, Weights, sigmoid};
use super::structure::Structure;
use super::types::{Cohort, N_COHORTS};
use crate::engine::parallel::{CHUNK, Split, map_chunks};
use crate::engine::rng::{DayStreams, Purpose, StreamKey, unit_f32};
use crate::engine::{Calendar, Day};
use crate::scenario::Scenario;

/// Activity codes: volunteering, the deliberation day, then event e as `FIRST_EVENT + e`.
const VOLUNTEER: u16 = 0;
const DELIBERATION: u16 = 1;
const FIRST_EVENT: u16 = 2;

/// Parameters of the daily loop, converted once from the scenario.
#[derive(Clone, Debug)]
struct Rules {
    weights: Weights,
    voice_weights: VoiceWeights,
    rates: Rates,
    propensity: [f32; N_COHORTS],
    awareness_baseline: [f32; N_COHORTS],
    attachment_baseline: [f32; N_COHORTS],
    voice: [f32; N_COHORTS],
    volunteer_offset: f32,
    deliberation_offset: f32,
    window: i32,
    need_daily: f32,
    burst_daily: f64,
    burst_need_chance: f32,
    tasks_weekday: u32,
    tasks_weekend: u32,
    seats: u32,
    resolve_share: f64,
    resolve_days: std::ops::RangeInclusive<u32>,
    tie_chance: f32,
    move_out_hazard: [f64; N_COHORTS],
    max_degree: f32,
}

impl Rules {
    fn from_scenario(s: &Scenario) -> Rules {
        let cohorts = s.cohorts.by_cohort();
        let b = &s.behaviour;
        let c = &s.committee;
        Rules {
            weights: Weights::from_scenario(s),
            voice_weights: VoiceWeights::from_scenario(s),
            rates: Rates::from_behaviour(b),
            propensity: cohorts.map(|p| p.propensity as f32),
            awareness_baseline: cohorts.map(|p| p.awareness as f32),
            attachment_baseline: cohorts.map(|p| p.attachment as f32),
            voice: cohorts.map(|p| p.voice as f32),
            volunteer_offset: b.volunteer_offset as f32,
            deliberation_offset: b.deliberation_offset as f32,
            window: b.active_window_days as i32,
            need_daily: ((s.needs.personal_per_year + s.needs.disputes_per_year) / 365.0) as f32,
            burst_daily: s.needs.pipe_bursts_per_year / 365.0,
            burst_need_chance: s.needs.pipe_burst_need_chance as f32,
            tasks_weekday: c.volunteer_tasks_per_day,
            tasks_weekend: c.volunteer_tasks_per_weekend_day,
            seats: c.deliberation_seats,
            resolve_share: c.resolve_share,
            resolve_days: c.resolve_days_min..=c.resolve_days_max,
            tie_chance: s.network.co_participation_tie_chance as f32,
            move_out_hazard: cohorts.map(|p| rules::daily_hazard(p.move_out_rate)),
            max_degree: s.network.max_degree as f32,
        }
    }
}

/// What today offers, shared by every resident's decision.
struct Today {
    day: i32,
    is_weekend: bool,
    tasks: u32,
    deliberation: bool,
    events: Vec<u16>,
    burst_stairwells: Vec<u32>,
}

/// A wish to take part in a capacity-limited activity; places go by lowest `priority`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Applicant {
    activity: u16,
    priority: u32,
    resident: u32,
}

/// Everything one chunk of residents decided today.
#[derive(Default)]
struct Decisions {
    applicants: Vec<Applicant>,
    expired: Vec<u32>,
    /// Residents with a need today, and whether they raise it.
    needs: Vec<(u32, bool)>,
}

/// Counts gathered while applying the day's decisions.
#[derive(Default)]
struct Tally {
    by_cohort: [CohortDay; N_COHORTS],
}

/// One replicate's community.
pub struct World {
    scenario: Scenario,
    replicate: u32,
    rules: Rules,
    structure: Structure,
    household_building: Vec<u32>,
    stairwell_ranges: Vec<Range<u32>>,
    building_ranges: Vec<Range<u32>>,
    move_out_day: Vec<u32>,
    residents: Residents,
    network: Network,
    complaints: ComplaintQueue,
    events: Vec<EventPlan>,
    events_by_day: Vec<Vec<u16>>,
    split: Split,
}

impl World {
    /// Builds replicate `replicate` of the scenario for the given calendar.
    pub fn new(scenario: &Scenario, replicate: u32, calendar: &Calendar) -> World {
        let structure = Structure::build(scenario, replicate);
        let household_building = structure.household_building();
        let stairwell_ranges =
            structure.unit_ranges(&structure.household_stairwell, structure.stairwell_building.len());
        let building_ranges = structure.unit_ranges(&household_building, structure.building_compound.len());
        let mut world = World {
            scenario: scenario.clone(),
            replicate,
            rules: Rules::from_scenario(scenario),
            residents: Residents::with_households(&structure),
            network: Network::new(structure.n_residents(), scenario.network.max_degree as usize),
            move_out_day: vec![u32::MAX; structure.n_households()],
            complaints: ComplaintQueue::new(scenario.committee.resolve_days_max),
            events: scenario.events.iter().map(EventPlan::from_event).collect(),
            events_by_day: schedule(&scenario.events, calendar.days()),
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
        StreamKey { seed: self.scenario.scenario.seed, replicate: self.replicate, day: day as u32, agent, purpose }
    }

    fn day_streams(&self, day: i32, purpose: Purpose) -> DayStreams {
        DayStreams::new(self.scenario.scenario.seed, self.replicate, day as u32, purpose)
    }

    fn populate(&mut self) {
        // Traits are drawn in parallel (each from its own stream), then stored in order.
        let drawn = map_chunks(Split::Parallel, self.residents.len(), |range| {
            let draw = |i: usize| {
                let mut rng = self.key(0, i as u32, Purpose::Population).rng();
                let head = self.structure.household_start[self.residents.household[i] as usize] == i as u32;
                draw_traits(self.residents.cohort[i], head, &self.scenario, Arrival::Initial, &mut rng)
            };
            range.map(draw).collect::<Vec<_>>()
        });
        for (i, traits) in drawn.iter().flatten().enumerate() {
            self.residents.set_fresh(i, traits);
        }
        for h in 0..self.structure.n_households() {
            add_household_ties(&mut self.network, self.structure.household_residents(h));
        }
        for i in 0..self.residents.len() as u32 {
            let mut rng = self.key(0, i, Purpose::Network).rng();
            let ranges = self.tie_ranges(i);
            add_generated_ties(&mut self.network, i, &ranges, &self.scenario, 1, &mut rng);
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
        let mut rng = self.key(today, household as u32, Purpose::Churn).rng();
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

    /// Heap bytes of the state that grows with the population.
    pub fn heap_bytes(&self) -> usize {
        let households = self.structure.n_households() * (4 * 5 + 1 + 4);
        self.residents.heap_bytes() + self.network.heap_bytes() + households
    }

    /// Simulates one day and returns its record.
    pub fn step(&mut self, day: &Day) -> DayRecord {
        let d = day.index as i32;
        self.churn(d);
        let today = self.today(day);
        let decisions = map_chunks(self.split, self.residents.len(), |range| self.decide(range, &today));
        let mut tally = Tally::default();
        self.expire(&decisions, d);
        let granted = self.allocate(&decisions, &today);
        self.take_part(&granted, d, &mut tally);
        self.form_ties(&granted, d);
        self.raise_needs(&decisions, d, &mut tally);
        self.settle_complaints(d);
        self.end_of_day(d, tally)
    }

    fn today(&self, day: &Day) -> Today {
        let d = day.index as i32;
        Today {
            day: d,
            is_weekend: day.is_weekend,
            tasks: if day.is_weekend { self.rules.tasks_weekend } else { self.rules.tasks_weekday },
            deliberation: day.is_deliberation_day,
            events: self.events_by_day[day.index as usize].clone(),
            burst_stairwells: self.pipe_bursts(d),
        }
    }

    /// Today's pipe bursts (Poisson number, each in a uniformly chosen stairwell unit).
    fn pipe_bursts(&self, d: i32) -> Vec<u32> {
        let mut rng = self.key(d, 0, Purpose::Shocks).rng();
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
    fn churn(&mut self, d: i32) {
        for h in 0..self.structure.n_households() {
            if self.move_out_day[h] == d as u32 {
                self.replace_household(h, d);
            }
        }
    }

    fn replace_household(&mut self, h: usize, d: i32) {
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
        }
        for i in members.clone() {
            let mut rng = self.key(d, i, Purpose::Newcomer).rng();
            let cohort = self.residents.cohort[i as usize];
            let head = i == members.start;
            let traits = draw_traits(cohort, head, &self.scenario, Arrival::Newcomer { day: d }, &mut rng);
            self.residents.set_fresh(i as usize, &traits);
            let ranges = self.tie_ranges(i);
            add_generated_ties(&mut self.network, i, &ranges, &self.scenario, 2, &mut rng);
        }
        for i in members {
            let active = self.network.ties(i).iter().filter(|&&j| self.residents.is_active(j as usize, d - 1, window));
            self.residents.active_ties[i as usize] = active.count() as u16;
        }
        self.move_out_day[h] = self.draw_move_out(h, d);
    }

    /// The decide pass: reads the frozen state of residents in `range`, writes nothing.
    fn decide(&self, range: Range<usize>, today: &Today) -> Decisions {
        let r = &self.residents;
        let rules = &self.rules;
        let mut out = Decisions::default();
        let streams = self.day_streams(today.day, Purpose::Decide);
        for i in range {
            if r.last_active[i] == today.day - rules.window {
                out.expired.push(i as u32);
            }
            // A fixed layout of draws per resident-day, whether or not each is needed, so that
            // a change to one decision never shifts the draws of another (common random numbers).
            let mut rng = streams.rng(i as u32);
            let [volunteer_draw, deliberation_draw, need_draw] = [rng.next_u64(), rng.next_u64(), rng.next_u64()];
            let cohort = r.cohort[i];
            let age = r.age[i];
            let free = if today.is_weekend { r.weekend_free[i] } else { r.weekday_free[i] } as f32 / 255.0;
            let gate = r.awareness[i] * free;
            let utility = || rules::utility(&rules.weights, &self.disposition(i));
            let mut apply = |activity: u16, offset: f32, draw: u64| {
                let (u, priority) = split_draw(draw);
                // u < gate * sigmoid(..) implies u < gate: skip the exponential for most residents.
                if u < gate && u < gate * sigmoid(utility() + offset) {
                    out.applicants.push(Applicant { activity, priority, resident: i as u32 });
                }
            };
            if age.is_adult() {
                if today.tasks > 0 {
                    apply(VOLUNTEER, rules.volunteer_offset, volunteer_draw);
                }
                if today.deliberation {
                    apply(DELIBERATION, rules.deliberation_offset, deliberation_draw);
                }
            }
            for &e in &today.events {
                let event = &self.events[e as usize];
                if event.invites(cohort, age) {
                    // Event e's draw sits at its own offset after the fixed draws.
                    let mut event_rng = rng.clone();
                    event_rng.advance(u128::from(e));
                    apply(FIRST_EVENT + e, event.appeal, event_rng.next_u64());
                }
            }
            let (need_u, voice_u) = split_draw(need_draw);
            if age.is_adult() && need_u < self.need_chance(i, today) {
                let voice = rules::voice_probability(
                    &rules.voice_weights,
                    rules.voice[cohort.index()],
                    r.trust[i],
                    r.attachment[i],
                    r.awareness[i],
                );
                out.needs.push((i as u32, unit_f32(voice_u) < voice));
            }
        }
        out
    }

    fn disposition(&self, i: usize) -> Disposition {
        let r = &self.residents;
        let degree = self.network.degree(i as u32).max(1) as f32;
        Disposition {
            propensity: self.rules.propensity[r.cohort[i].index()],
            habit: r.habit[i],
            social: r.active_ties[i] as f32 / degree,
            trust: r.trust[i],
            attachment: r.attachment[i],
            intrinsic: r.intrinsic[i],
        }
    }

    /// Today's chance of a personal need or dispute, plus any pipe burst in the stairwell unit.
    fn need_chance(&self, i: usize, today: &Today) -> f32 {
        let mut chance = self.rules.need_daily;
        if !today.burst_stairwells.is_empty() {
            let stairwell = self.structure.household_stairwell[self.residents.household[i] as usize];
            let hits = today.burst_stairwells.iter().filter(|&&s| s == stairwell).count();
            chance += hits as f32 * self.rules.burst_need_chance;
        }
        chance
    }

    /// Residents whose last taking part left the window today stop counting for their ties.
    fn expire(&mut self, decisions: &[Decisions], d: i32) {
        for &i in decisions.iter().flat_map(|c| &c.expired) {
            if self.residents.last_active[i as usize] == d - self.rules.window {
                for &j in self.network.ties(i) {
                    self.residents.active_ties[j as usize] -= 1;
                }
            }
        }
    }

    /// Places per activity go to the applicants with the lowest priority draws.
    fn allocate(&self, decisions: &[Decisions], today: &Today) -> Vec<Vec<u32>> {
        let mut applicants: Vec<Applicant> = decisions.iter().flat_map(|c| c.applicants.iter().copied()).collect();
        applicants.sort_unstable();
        let n_activities = FIRST_EVENT as usize + self.events.len();
        let mut granted = vec![Vec::new(); n_activities];
        for applicant in applicants {
            let activity = applicant.activity as usize;
            if granted[activity].len() < self.capacity(applicant.activity, today) as usize {
                granted[activity].push(applicant.resident);
            }
        }
        granted
    }

    fn capacity(&self, activity: u16, today: &Today) -> u32 {
        match activity {
            VOLUNTEER => today.tasks,
            DELIBERATION => self.rules.seats,
            event => self.events[(event - FIRST_EVENT) as usize].capacity,
        }
    }

    fn take_part(&mut self, granted: &[Vec<u32>], d: i32, tally: &mut Tally) {
        for &i in &granted[VOLUNTEER as usize] {
            tally.by_cohort[self.residents.cohort[i as usize].index()].volunteers += 1;
        }
        let mut attendees: Vec<u32> = granted[DELIBERATION as usize..].iter().flatten().copied().collect();
        attendees.sort_unstable();
        attendees.dedup();
        for &i in &attendees {
            tally.by_cohort[self.residents.cohort[i as usize].index()].attendees += 1;
        }
        for &i in granted.iter().flatten() {
            self.mark_taking_part(i as usize, d);
        }
    }

    /// Taking part: neighbours learn of it (if newly active), habit, attachment and awareness grow.
    fn mark_taking_part(&mut self, i: usize, d: i32) {
        let r = &mut self.residents;
        if r.last_active[i] == d {
            return;
        }
        if !r.is_active(i, d, self.rules.window) {
            for &j in self.network.ties(i as u32) {
                r.active_ties[j as usize] += 1;
            }
        }
        r.last_active[i] = d;
        let rates = &self.rules.rates;
        r.habit[i] = rules::gain(r.habit[i], rates.habit_gain);
        r.attachment[i] = rules::gain(r.attachment[i], rates.attachment_participation);
        r.awareness[i] = rules::gain(r.awareness[i], rates.awareness_participation);
    }

    /// Participants of the same activity may form a tie (both are active, so both counts rise).
    fn form_ties(&mut self, granted: &[Vec<u32>], d: i32) {
        for (activity, participants) in granted.iter().enumerate() {
            if participants.len() < 2 {
                continue;
            }
            for (position, &p) in participants.iter().enumerate() {
                let mut rng = self.key(d, p, Purpose::CoParticipation).rng();
                rng.advance(activity as u128); // exactly one draw per activity
                let (chance, pick) = split_draw(rng.next_u64());
                if chance >= self.rules.tie_chance {
                    continue;
                }
                // Lemire's multiply-shift maps the 32-bit draw onto the other participants.
                let pick = ((u64::from(pick) * (participants.len() as u64 - 1)) >> 32) as usize;
                let q = participants[if pick >= position { pick + 1 } else { pick }];
                if self.network.link(p, q) {
                    self.residents.active_ties[p as usize] += 1;
                    self.residents.active_ties[q as usize] += 1;
                }
            }
        }
    }

    /// Needs raised become complaints with a drawn outcome; the rest stay silent.
    fn raise_needs(&mut self, decisions: &[Decisions], d: i32, tally: &mut Tally) {
        for &(i, voiced) in decisions.iter().flat_map(|c| &c.needs) {
            let cohort = self.residents.cohort[i as usize].index();
            if !voiced {
                tally.by_cohort[cohort].silent_needs += 1;
                continue;
            }
            tally.by_cohort[cohort].complaints += 1;
            let mut rng = self.key(d, i, Purpose::Complaint).rng();
            let resolved = rng.random::<f64>() < self.rules.resolve_share;
            let delay = if resolved {
                rng.random_range(self.rules.resolve_days.clone())
            } else {
                *self.rules.resolve_days.end()
            };
            let pending = Pending { resident: i, move_in_day: self.residents.move_in_day[i as usize], resolved };
            self.complaints.file(d as u32, delay, pending);
        }
    }

    /// Complaints due today move their complainant's trust up (resolved) or down (stalled).
    fn settle_complaints(&mut self, d: i32) {
        for pending in self.complaints.take_due(d as u32) {
            let i = pending.resident as usize;
            if self.residents.move_in_day[i] == pending.move_in_day {
                self.residents.trust[i] =
                    self.rules.rates.trust_after_complaint(self.residents.trust[i], pending.resolved);
            }
        }
    }

    /// Daily drift of habit, attachment and awareness, then the day's record.
    fn end_of_day(&mut self, d: i32, tally: Tally) -> DayRecord {
        let rules = &self.rules;
        let network = &self.network;
        let Residents { habit, attachment, awareness, cohort, last_active, active_ties, trust, .. } =
            &mut self.residents;
        let drift_chunk =
            |(chunk, ((habit, attachment), awareness)): (usize, ((&mut [f32], &mut [f32]), &mut [f32]))| {
                let base = chunk * CHUNK;
                let mut record = DayRecord::default();
                for j in 0..habit.len() {
                    let i = base + j;
                    let degree = network.degree(i as u32);
                    let active_share = active_ties[i] as f32 / degree.max(1) as f32;
                    let baseline = rules.awareness_baseline[cohort[i].index()];
                    habit[j] = rules.rates.habit_decay(habit[j]);
                    let attachment_level = rules.attachment_baseline[cohort[i].index()];
                    attachment[j] =
                        rules.rates.attachment_drift(attachment[j], attachment_level, degree as f32 / rules.max_degree);
                    awareness[j] = rules.rates.awareness_drift(awareness[j], baseline, active_share);
                    let stats = &mut record[cohort[i].index()];
                    stats.residents += 1;
                    stats.active += u32::from(d - last_active[i] < rules.window);
                    stats.trust_sum += trust[i] as f64;
                    stats.attachment_sum += attachment[j] as f64;
                }
                record
            };
        let partials: Vec<DayRecord> = match self.split {
            Split::Parallel => habit
                .par_chunks_mut(CHUNK)
                .zip(attachment.par_chunks_mut(CHUNK))
                .zip(awareness.par_chunks_mut(CHUNK))
                .enumerate()
                .map(drift_chunk)
                .collect(),
            Split::Sequential => habit
                .chunks_mut(CHUNK)
                .zip(attachment.chunks_mut(CHUNK))
                .zip(awareness.chunks_mut(CHUNK))
                .enumerate()
                .map(drift_chunk)
                .collect(),
        };
        let mut record = DayRecord::default();
        for partial in partials.iter().chain(std::iter::once(&tally.by_cohort)) {
            for (total, part) in record.iter_mut().zip(partial) {
                total.add(part);
            }
        }
        record
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

    /// The cohort of every resident (for tests and reports).
    pub fn cohorts(&self) -> &[Cohort] {
        &self.residents.cohort
    }
}

/// Splits one 64-bit draw into a uniform in [0, 1) (high half) and a 32-bit integer (low half).
#[inline]
fn split_draw(draw: u64) -> (f32, u32) {
    (unit_f32((draw >> 32) as u32), draw as u32)
}

impl crate::engine::ensemble::Model for World {
    type Record = DayRecord;

    fn step(&mut self, day: &Day) -> DayRecord {
        World::step(self, day)
    }
}
