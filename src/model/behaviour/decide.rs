//! The decide pass: every resident, from a frozen view of the world and their own draws of the
//! day, decides what to apply for today and what to do about a need. Reads only; writes nothing.

use std::cell::Cell;
use std::ops::Range;

use crate::engine::lanes::{bits, mask};
use crate::engine::rng::{DayStreams, unit_f32};
use crate::model::behaviour::ceiling::{self, Ceilings};
use crate::model::behaviour::gates::{BLOCK, Block, Bounds, Gates, Invitation, gates};
use crate::model::behaviour::rules::{self, sigmoid};
use crate::model::core::day::{Activity, DELIBERATION, FIRST_EVENT, Today, VOLUNTEER};
use crate::model::core::events::invitation_set;
use crate::model::core::population::Residents;
use crate::model::core::purposes;
use crate::model::core::state::Core;
use crate::model::core::types::{AgeBand, Cohort, N_COHORTS, ResidentId};
use crate::model::mechanisms::merchants::Merchants;
use crate::model::mechanisms::{MechanismWishes, Mechanisms};

/// How a resident turns a utility into taking part or not. A rule never applies when
/// `u >= known x free x sigmoid(utility + offset)`: the first look (`gates.rs`) visits no one
/// past a ceiling of that bound (`ceiling.rs`).
pub trait DecisionRule: Send + Sync {
    /// Whether a resident with uniform draw `u` applies: `known` is how well the resident knows
    /// of the activity, `free` the share of the day free, and `logit` gives the participation
    /// utility and the activity's logit offset (computed only when needed).
    fn applies(&self, u: f32, known: f32, free: f32, logit: impl FnOnce() -> (f32, f32)) -> bool;
}

/// The logit rule of docs/MODEL.md §7.5: P = awareness x free time x sigmoid(U + offset).
#[derive(Clone, Copy, Debug, Default)]
pub struct LogitRule;

impl DecisionRule for LogitRule {
    #[inline]
    fn applies(&self, u: f32, known: f32, free: f32, logit: impl FnOnce() -> (f32, f32)) -> bool {
        // u < gate x sigmoid(..) implies u < gate: a resident who passes a ceiling of the
        // logistic factor (`ceiling.rs`) but not this stops before the utility and exponential.
        let gate = known * free;
        u < gate && {
            let (utility, offset) = logit();
            u < rules::take_part_probability(known, free, utility, offset)
        }
    }
}

/// A wish to take part in a capacity-limited activity; places go by lowest `priority`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Applicant {
    pub activity: Activity,
    pub priority: u32,
    pub resident: ResidentId,
}

/// Where a need comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedKind {
    /// A personal need or a dispute with a neighbour.
    Personal,
    /// A building problem (a pipe burst in the stairwell unit).
    Building,
    /// A merchant's fumes, noise or road occupation.
    Merchant,
}

/// What a resident does about a need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Voice {
    Silent,
    Complaint,
    Proposal,
}

/// A need that arose today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    pub resident: ResidentId,
    pub kind: NeedKind,
    pub voice: Voice,
}

/// Everything one chunk of residents decided today.
#[derive(Default)]
pub struct Decisions {
    /// Sorted by activity, then priority, then resident ([`Decisions::sort_and_count`]).
    pub applicants: Vec<Applicant>,
    /// How many of each cohort applied, by activity code (up to the highest one applied for).
    pub applied: Vec<[u32; N_COHORTS]>,
    pub expired: Vec<ResidentId>,
    pub needs: Vec<Need>,
    /// What mechanisms asked for (a time-bank redemption, ...), by mechanism.
    pub wishes: MechanismWishes,
}

impl Decisions {
    /// Sorts the applicants and counts them by activity and cohort (in the parallel pass, so
    /// the allocation merges and sums rather than sorting and looking up each cohort).
    pub fn sort_and_count(&mut self, residents: &Residents) {
        self.applicants.sort_unstable();
        let activities = self.applicants.last().map_or(0, |a| usize::from(a.activity) + 1);
        self.applied = vec![[0; N_COHORTS]; activities];
        for a in &self.applicants {
            self.applied[usize::from(a.activity)][residents.cohort[a.resident].index()] += 1;
        }
    }

    /// Whether every applicant is counted in [`Decisions::applied`].
    pub fn counted(&self) -> bool {
        self.applied.iter().flatten().map(|&n| n as usize).sum::<usize>() == self.applicants.len()
    }
}

/// A resident's draws of the day: a fixed layout of slots, five and then the spare ones, so a
/// change to one decision never shifts the draws of another (common random numbers). Each is
/// computed from its coordinates ([`DayStreams::draw`]) only when its decision comes up. The
/// fourth and fifth belong to the time bank's redemption and the fund's choice to propose; the
/// integration workshop's is the first spare, event e's the (2 + e)-th.
#[derive(Clone, Copy)]
pub struct Draws<'a> {
    streams: &'a DayStreams,
    agent: u32,
}

impl<'a> Draws<'a> {
    pub fn new(streams: &'a DayStreams, i: ResidentId) -> Draws<'a> {
        Draws { streams, agent: i.0 }
    }

    #[inline]
    pub fn volunteer(&self) -> u64 {
        self.streams.draw(self.agent, VOLUNTEER_SLOT)
    }

    #[inline]
    pub fn deliberation(&self) -> u64 {
        self.streams.draw(self.agent, DELIBERATION_SLOT)
    }

    #[inline]
    pub fn need(&self) -> u64 {
        self.streams.draw(self.agent, NEED_SLOT)
    }

    #[inline]
    pub fn redeem(&self) -> u64 {
        self.streams.draw(self.agent, 3)
    }

    #[inline]
    pub fn propose(&self) -> u64 {
        self.streams.draw(self.agent, 4)
    }

    /// The `k`-th draw after the fixed ones (0-based).
    #[inline]
    pub fn spare(&self, k: u32) -> u64 {
        self.streams.draw(self.agent, FIRST_SPARE_SLOT + k)
    }

    /// The draw for event `e` (its position among the scenario's events).
    #[inline]
    pub fn event(&self, e: u16) -> u64 {
        self.streams.draw(self.agent, event_slot(e))
    }
}

/// The slot of the draw for volunteering.
pub const VOLUNTEER_SLOT: u32 = 0;
/// The slot of the draw for the deliberation day.
pub const DELIBERATION_SLOT: u32 = 1;
/// The slot of the first spare draw.
const FIRST_SPARE_SLOT: u32 = 5;

/// The slot of event `e`'s draw: the (2 + e)-th spare.
#[inline]
pub fn event_slot(e: u16) -> u32 {
    FIRST_SPARE_SLOT + 1 + u32::from(e)
}
/// The slot of the draw for a need.
pub const NEED_SLOT: u32 = 2;

/// Splits one 64-bit draw into a uniform in [0, 1) (high half) and a 32-bit integer (low half).
#[inline]
pub fn split_draw(draw: u64) -> (f32, u32) {
    (unit_f32((draw >> 32) as u32), draw as u32)
}

/// Spare places in a chunk's list of applicants beyond which it is shrunk to fit.
const SPARE_ROOM: usize = 64;

/// The decide pass over residents in `range`, a block of [`BLOCK`] at a time.
pub fn decide(
    core: &Core,
    merchants: &Merchants,
    mechanisms: &Mechanisms,
    range: Range<usize>,
    today: &Today,
    ceilings: &Ceilings,
) -> Decisions {
    let need_ceiling = need_ceiling(core, merchants, today);
    let household = Cell::new(core.structure.household_of(ResidentId::new(range.start)));
    let pass = Pass { core, merchants, mechanisms, today, need_ceiling, household };
    let streams = core.day_streams(today.day, purposes::DECIDE);
    let invitations = invitations(core, today, ceilings);
    let bounds = Bounds {
        tasks: today.tasks > 0,
        volunteer: &ceilings.volunteer,
        need_ceiling: pass.need_ceiling,
        invitations: &invitations,
    };
    let mut out = Decisions::default();
    let (end, mut levels) = (range.end, [0; BLOCK]);
    for first in range.step_by(BLOCK) {
        let n = end.min(first + BLOCK) - first;
        if bounds.read_levels() {
            ceiling::utility_levels(core, first, today.day, &mut levels[..n]);
        }
        let block = block_of(core, today, first..first + n, &levels[..n]);
        let gates = gates(&streams, &today.free_share, &block, bounds);
        pass.block(&streams, &block, &gates, &mut out);
    }
    // Sorted here, in the parallel pass, so the allocation merges the chunks without a copy;
    // on a festival day the spare room a growing list leaves is given back (it sets the peak).
    out.sort_and_count(&core.residents);
    if out.applicants.capacity() > out.applicants.len() + SPARE_ROOM {
        out.applicants.shrink_to_fit();
    }
    out
}

/// Today's invitations: the deliberation (adults, on its day) and each of today's events, with
/// their ceilings from `ceilings`.
fn invitations<'a>(core: &Core, today: &Today, ceilings: &'a Ceilings) -> Vec<Invitation<'a>> {
    let adult_bands: Vec<AgeBand> = AgeBand::ALL.into_iter().filter(|age| age.is_adult()).collect();
    let adults = invitation_set(&Cohort::ALL, &adult_bands);
    let deliberation = today.deliberation.then_some(Invitation {
        slot: DELIBERATION_SLOT,
        invited: adults,
        publicity: 0.0,
        ceiling: &ceilings.deliberation,
    });
    let events = today.events.iter().zip(&ceilings.events).map(|(&e, ceiling)| {
        let event = &core.events[usize::from(e)];
        Invitation { slot: event_slot(e), invited: event.invited, publicity: event.publicity, ceiling }
    });
    deliberation.into_iter().chain(events).collect()
}

/// The residents in `range` as a block for the first look, with their levels of utility `levels`.
fn block_of<'a>(core: &'a Core, today: &Today, range: Range<usize>, levels: &'a [u8]) -> Block<'a> {
    let r = &core.residents;
    Block {
        first: range.start as u32,
        ages: &r.age.0[range.clone()],
        cohorts: &r.cohort.0[range.clone()],
        awareness: &r.awareness.0[range.clone()],
        free_bytes: &r.free_bytes(today.is_weekend)[range],
        levels,
    }
}

/// What every resident's decisions of the day share.
struct Pass<'a> {
    core: &'a Core,
    merchants: &'a Merchants,
    mechanisms: &'a Mechanisms,
    today: &'a Today,
    /// Today's [`need_ceiling`].
    need_ceiling: f32,
    /// The household of the last resident whose need was looked up (residents come in order).
    household: Cell<usize>,
}

/// A block's residents to visit beyond volunteering and needs, as bits (bit k: the k-th).
struct Visits {
    /// Whose activity leaves the window today.
    expiring: u64,
    /// Who may face the deliberation, an event or a mechanism's offer or decision.
    others: u64,
}

const _: () = assert!(BLOCK == 64, "a block's flags fill one mask");

/// The resident deciding, with what their decisions share: the day's free time, awareness,
/// and the utility once computed.
struct Who {
    i: ResidentId,
    free: f32,
    awareness: f32,
    utility: Option<f32>,
}

impl Pass<'_> {
    /// Every decision of the residents of `block`, past the first look `gates`. Each kind of
    /// decision goes over the bits of its own residents, lowest first, so no branch waits on
    /// each resident; applicants are sorted after and the other lists keep resident order.
    fn block(&self, streams: &DayStreams, block: &Block<'_>, gates: &Gates, out: &mut Decisions) {
        let (rules, today) = (&self.core.rules, self.today);
        let expiring = today.day - rules.window;
        let (first, n) = (block.first as usize, block.ages.len());
        let last_active = &self.core.residents.last_active.0[first..first + n];
        let visits = self.visits(first, gates, last_active, expiring);
        // Each resident's utility once computed today, for their later decisions.
        let mut utilities = [None; BLOCK];
        for k in bits(visits.expiring) {
            out.expired.push(block.resident(k));
        }
        for k in bits(mask(&gates.volunteer)) {
            let mut who = self.who(block, gates, k, utilities[k]);
            let draw = Draws::new(streams, who.i).volunteer();
            self.apply(&mut who, &mut out.applicants, VOLUNTEER, rules.volunteer_offset, draw, 0.0);
            utilities[k] = who.utility;
        }
        for k in bits(visits.others) {
            let mut who = self.who(block, gates, k, utilities[k]);
            let (i, age, draws) = (who.i, block.ages[k], Draws::new(streams, who.i));
            if age.is_adult() {
                if today.deliberation {
                    let offset = rules.deliberation_offset;
                    self.apply(&mut who, &mut out.applicants, DELIBERATION, offset, draws.deliberation(), 0.0);
                }
                self.mechanisms.offer(self.core, i, today, &draws, &mut |activity, own, draw, known| {
                    self.apply(&mut who, &mut out.applicants, activity, own, draw, known)
                });
            }
            if !today.events.is_empty() {
                self.events(&mut who, &mut out.applicants, age, &draws);
            }
            self.mechanisms.decide(self.core, i, today, &draws, &mut out.wishes);
        }
        for k in bits(mask(&gates.need)) {
            let i = block.resident(k);
            out.needs.extend(self.need(i, &Draws::new(streams, i)));
        }
    }

    /// The `k`-th resident of `block`, with the utility already computed today if any.
    #[inline(always)]
    fn who(&self, block: &Block<'_>, gates: &Gates, k: usize, utility: Option<f32>) -> Who {
        Who { i: block.resident(k), free: gates.free[k], awareness: block.awareness[k], utility }
    }

    /// Which residents of the block at `first` face more than volunteering and a need today:
    /// those whose activity lapses today, and those past the deliberation's or an event's gate
    /// or whom a mechanism may act on ([`Mechanisms::visits`]). The others would do nothing
    /// more.
    #[inline]
    fn visits(&self, first: usize, gates: &Gates, last_active: &[i32], expiring: i32) -> Visits {
        let mut marked = [false; BLOCK];
        let n = last_active.len();
        self.mechanisms.visits(self.core, self.today, first, &mut marked[..n]);
        let mut lapsing = [false; BLOCK];
        for (lapses, &last) in lapsing.iter_mut().zip(last_active) {
            *lapses = last == expiring;
        }
        Visits { expiring: mask(&lapsing), others: mask(&marked) | mask(&gates.invited) }
    }

    /// Whether `who` applies for `activity` with its own logit offset `own`, draw `draw` and
    /// publicity `known`; an applicant is added to `applicants`.
    #[inline(always)]
    fn apply(
        &self,
        who: &mut Who,
        applicants: &mut Vec<Applicant>,
        activity: Activity,
        own: f32,
        draw: u64,
        known: f32,
    ) {
        let (u, priority) = split_draw(draw);
        let (core, today, i) = (self.core, self.today, who.i);
        let logit = || {
            let utility = *who.utility.get_or_insert_with(|| core.utility(i, today.day) + today.utility_bonus);
            // Each activity's offset is its own plus the mechanisms'.
            let offset = self.mechanisms.activity_offset(core, i, activity, today);
            // The first look's ceilings hold only under this bound (`ceiling.rs`).
            debug_assert!(offset <= self.mechanisms.most_activity_offset(activity, today), "{i:?}: {offset}");
            (utility, own + offset)
        };
        if LogitRule.applies(u, rules::known(known, who.awareness), who.free, logit) {
            applicants.push(Applicant { activity, priority, resident: i });
        }
    }

    /// Whether a need arises today for resident `i` (personal, building or merchant), and what
    /// they do about it: stay silent, complain, or (as a mechanism may offer) propose.
    fn need(&self, i: ResidentId, draws: &Draws<'_>) -> Option<Need> {
        let (core, today) = (self.core, self.today);
        let (u, voice_bits) = split_draw(draws.need());
        if u >= self.need_ceiling {
            return None;
        }
        let household = || {
            let h = core.structure.household_from(i, self.household.get());
            self.household.set(h);
            h
        };
        let kind = need_kind(core, self.merchants, household, today, u)?;
        let (r, rules) = (&core.residents, &core.rules);
        let cohort_voice = rules.voice[r.cohort[i].index()];
        let voice =
            rules::voice_probability(&rules.voice_weights, cohort_voice, r.trust[i], r.attachment[i], r.awareness[i]);
        let voice =
            if unit_f32(voice_bits) >= voice { Voice::Silent } else { self.mechanisms.voice(core, i, today, draws) };
        Some(Need { resident: i, kind, voice })
    }

    /// Today's events `who` is invited to.
    fn events(&self, who: &mut Who, applicants: &mut Vec<Applicant>, age: AgeBand, draws: &Draws<'_>) {
        let core = self.core;
        let (cohort, young) = (core.residents.cohort[who.i], age == AgeBand::YoungAdult);
        for &e in &self.today.events {
            let event = &core.events[e as usize];
            if event.invites(cohort, age) {
                let young_bonus = rules::value_if(young & event.special, core.rules.young_event_bonus);
                let (own, draw) = (event.appeal + young_bonus, draws.event(e));
                self.apply(who, applicants, FIRST_EVENT + e, own, draw, event.publicity);
            }
        }
    }
}

/// Which need, if any, a resident with uniform draw `u` has today: a personal need, a building
/// problem (pipe bursts in the stairwell unit) or a merchant grievance (nuisance of the
/// building's merchants), each chance looked up only when the draw gets past the ones before
/// (`household` too is asked only then).
fn need_kind(
    core: &Core,
    merchants: &Merchants,
    household: impl FnOnce() -> usize,
    today: &Today,
    u: f32,
) -> Option<NeedKind> {
    let personal = core.rules.need_daily;
    if u < personal {
        return Some(NeedKind::Personal);
    }
    let household = household();
    let mut building = 0.0;
    if !today.burst_stairwells.is_empty() {
        let hits = today.bursts_in(core.structure.household_stairwell[household]);
        building = hits as f32 * core.rules.burst_need_chance;
        if u < personal + building {
            return Some(NeedKind::Building);
        }
    }
    if merchants.is_empty() {
        return None;
    }
    let merchant = merchants.nuisance_of_building(core.household_building[household]) * core.rules.grievance_daily;
    (u < personal + building + merchant).then_some(NeedKind::Merchant)
}

/// A bound on every resident's chance of a need today, summed as [`need_kind`] sums one
/// resident's (rounding is monotone, so no resident's sum exceeds it): most draws are above
/// it, and their residents need no lookup of their building.
#[inline]
fn need_ceiling(core: &Core, merchants: &Merchants, today: &Today) -> f32 {
    let rules = &core.rules;
    let building = today.most_bursts_in_one_stairwell() as f32 * rules.burst_need_chance;
    rules.need_daily + building + merchants.most_nuisance() * rules.grievance_daily
}

/// Whether a proposal is more likely than a complaint: the propose logit of docs/MODEL.md §8.
pub fn proposes(
    intercept: f32,
    trust_weight: f32,
    attachment_weight: f32,
    trust: f32,
    attachment: f32,
    draw: u64,
) -> bool {
    let logit = rules::propose_logit(intercept, trust_weight, attachment_weight, trust, attachment);
    let (u, _) = split_draw(draw);
    u < sigmoid(logit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logit_rule_is_the_take_part_probability() {
        let rule = LogitRule;
        let p = rules::take_part_probability(0.8, 0.5, 0.3, -1.0);
        assert!(rule.applies(p * 0.999, 0.8, 0.5, || (0.3, -1.0)));
        assert!(!rule.applies(p * 1.001, 0.8, 0.5, || (0.3, -1.0)));
        assert!(!rule.applies(0.0, 0.0, 1.0, || (10.0, 0.0)), "unaware residents never apply");
    }

    #[test]
    fn the_rule_skips_the_utility_outside_the_gate() {
        let rule = LogitRule;
        assert!(!rule.applies(0.6, 0.5, 1.0, || panic!("utility computed outside the gate")));
    }

    /// Which need a draw `u` gives, from every chance summed with no ceiling (as before it).
    fn need_without_ceiling(
        core: &Core,
        merchants: &Merchants,
        i: ResidentId,
        today: &Today,
        u: f32,
    ) -> Option<NeedKind> {
        let household = core.structure.household_of(i);
        let stairwell = core.structure.household_stairwell[household];
        let hits = today.burst_stairwells.iter().filter(|&&s| s == stairwell).count();
        let (personal, building) = (core.rules.need_daily, hits as f32 * core.rules.burst_need_chance);
        let merchant = merchants.nuisance_of_building(core.household_building[household]) * core.rules.grievance_daily;
        [(personal, NeedKind::Personal), (personal + building, NeedKind::Building)]
            .into_iter()
            .chain([(personal + building + merchant, NeedKind::Merchant)])
            .find(|&(bound, _)| u < bound)
            .map(|(_, kind)| kind)
    }

    #[test]
    fn the_need_ceiling_changes_no_residents_need() {
        let (core, params) = Core::for_tests(400);
        let mut with_merchants = params.clone();
        (with_merchants.merchants.count, with_merchants.merchants.grievances_per_year) = (30, 50.0);
        let merchants = Merchants::build(&with_merchants, 0, core.building_ranges.len());
        assert!(merchants.most_nuisance() > 0.0);
        let mut today = Today::for_tests(10, true);
        today.burst_stairwells = vec![0, 0, 3];
        let ceiling = need_ceiling(&core, &merchants, &today);
        let mut needs = 0;
        for i in core.residents.ids() {
            for k in 0..=200 {
                let u = ceiling * k as f32 / 100.0;
                // As `need` decides: nothing at or above the ceiling, else the resident's own chances.
                let kind = if u >= ceiling {
                    None
                } else {
                    need_kind(&core, &merchants, || core.structure.household_of(i), &today, u)
                };
                assert_eq!(kind, need_without_ceiling(&core, &merchants, i, &today, u), "{i:?} at {u}");
                needs += usize::from(kind.is_some());
            }
        }
        assert!(needs > 0);
    }

    #[test]
    fn each_draw_has_its_own_slot() {
        let streams = DayStreams::new(1, 0, 3, purposes::DECIDE);
        let draws = Draws::new(&streams, ResidentId::new(7));
        let slots: Vec<u64> = (0..8).map(|k| streams.draw(7, k)).collect();
        assert_eq!([draws.volunteer(), draws.need(), draws.propose()], [slots[0], slots[2], slots[4]]);
        assert_eq!([draws.spare(0), draws.spare(2)], [slots[5], slots[7]]);
    }
}
