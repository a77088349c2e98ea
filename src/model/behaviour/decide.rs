//! The decide pass: every resident, from a frozen view of the world and its own random stream,
//! decides what to apply for today and what to do about a need. Reads only; writes nothing.

use std::ops::Range;

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use crate::engine::rng::unit_f32;
use crate::model::behaviour::rules::{self, sigmoid};
use crate::model::core::day::{Activity, DELIBERATION, FIRST_EVENT, Today, VOLUNTEER};
use crate::model::core::purposes;
use crate::model::core::state::Core;
use crate::model::core::types::{AgeBand, ResidentId};
use crate::model::mechanisms::merchants::Merchants;
use crate::model::mechanisms::{MechanismWishes, Mechanisms};

/// How a resident turns a utility into taking part or not.
pub trait DecisionRule: Send + Sync {
    /// Whether a resident with uniform draw `u` applies: `known` is how well the resident knows
    /// of the activity, `free` the share of the day free, `utility` the participation utility
    /// (computed only when needed) and `offset` the activity's logit offset.
    fn applies(&self, u: f32, known: f32, free: f32, utility: impl FnOnce() -> f32, offset: f32) -> bool;
}

/// The logit rule of docs/MODEL.md §7.5: P = awareness x free time x sigmoid(U + offset).
#[derive(Clone, Copy, Debug, Default)]
pub struct LogitRule;

impl DecisionRule for LogitRule {
    #[inline]
    fn applies(&self, u: f32, known: f32, free: f32, utility: impl FnOnce() -> f32, offset: f32) -> bool {
        // u < gate x sigmoid(..) implies u < gate: skip the exponential for most residents.
        let gate = known * free;
        u < gate && u < rules::take_part_probability(known, free, utility(), offset)
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
    pub applicants: Vec<Applicant>,
    pub expired: Vec<ResidentId>,
    pub needs: Vec<Need>,
    /// What mechanisms asked for (a time-bank redemption, ...), by mechanism.
    pub wishes: MechanismWishes,
}

/// A resident's draws of the day: a fixed layout of five, whether or not each is needed, so a
/// change to one decision never shifts the draws of another (common random numbers). The
/// fourth and fifth belong to the time bank's redemption and the fund's choice to propose.
pub struct Draws {
    pub volunteer: u64,
    pub deliberation: u64,
    pub need: u64,
    pub redeem: u64,
    pub propose: u64,
    /// The stream after the fixed draws: the integration workshop's draw is the next one,
    /// event e's the (2 + e)-th.
    rest: Pcg64Mcg,
}

impl Draws {
    fn new(mut rng: Pcg64Mcg) -> Draws {
        let [volunteer, deliberation, need, redeem, propose] =
            [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64()];
        Draws { volunteer, deliberation, need, redeem, propose, rest: rng }
    }

    /// The `k`-th draw after the fixed ones (0-based).
    pub fn spare(&self, k: u128) -> u64 {
        let mut rng = self.rest.clone();
        rng.advance(k);
        rng.next_u64()
    }
}

/// Splits one 64-bit draw into a uniform in [0, 1) (high half) and a 32-bit integer (low half).
#[inline]
pub fn split_draw(draw: u64) -> (f32, u32) {
    (unit_f32((draw >> 32) as u32), draw as u32)
}

/// The decide pass over residents in `range`.
pub fn decide(
    core: &Core,
    merchants: &Merchants,
    mechanisms: &Mechanisms,
    range: Range<usize>,
    today: &Today,
) -> Decisions {
    let r = &core.residents;
    let rules = &core.rules;
    let rule = LogitRule;
    let mut out = Decisions::default();
    let streams = core.day_streams(today.day, purposes::DECIDE);
    for i in range.map(ResidentId::new) {
        if r.last_active[i] == today.day - rules.window {
            out.expired.push(i);
        }
        let draws = Draws::new(streams.rng(i.0));
        let cohort = r.cohort[i];
        let age = r.age[i];
        let free = mechanisms.free_time(core, i, today);
        let utility = || core.utility(i, today.day) + today.utility_bonus;
        let awareness = r.awareness[i];
        let mut apply = |activity: Activity, offset: f32, draw: u64, known: f32| {
            let (u, priority) = split_draw(draw);
            if rule.applies(u, known.max(awareness), free, utility, offset) {
                out.applicants.push(Applicant { activity, priority, resident: i });
            }
        };
        // Each activity's offset is its own plus the mechanisms' (added before the draw's test).
        let offset = |activity: Activity, own: f32| own + mechanisms.activity_offset(core, i, activity, today);
        if age.is_adult() {
            if today.tasks > 0 {
                apply(VOLUNTEER, offset(VOLUNTEER, rules.volunteer_offset), draws.volunteer, 0.0);
            }
            if today.deliberation {
                apply(DELIBERATION, offset(DELIBERATION, rules.deliberation_offset), draws.deliberation, 0.0);
            }
            mechanisms.offer(core, i, today, &draws, &mut |activity, own, draw, known| {
                apply(activity, offset(activity, own), draw, known)
            });
        }
        let young = age == AgeBand::YoungAdult;
        for &e in &today.events {
            let event = &core.events[e as usize];
            if event.invites(cohort, age) {
                let young_bonus = if young && event.special { rules.young_event_bonus } else { 0.0 };
                let activity = FIRST_EVENT + e;
                let own = event.appeal + young_bonus;
                apply(activity, offset(activity, own), draws.spare(1 + u128::from(e)), event.publicity);
            }
        }
        mechanisms.decide(core, i, today, &draws, &mut out.wishes);
        if age.is_adult() {
            if let Some(need) = need(core, merchants, mechanisms, i, today, &draws) {
                out.needs.push(need);
            }
        }
    }
    out
}

/// Whether a need arises today (personal, building or merchant), and what the resident does
/// about it: stays silent, complains, or (as a mechanism may offer) proposes.
fn need(
    core: &Core,
    merchants: &Merchants,
    mechanisms: &Mechanisms,
    i: ResidentId,
    today: &Today,
    draws: &Draws,
) -> Option<Need> {
    let (u, voice_bits) = split_draw(draws.need);
    let (personal, building, merchant) = need_chances(core, merchants, i, today);
    let kind = if u < personal {
        NeedKind::Personal
    } else if u < personal + building {
        NeedKind::Building
    } else if u < personal + building + merchant {
        NeedKind::Merchant
    } else {
        return None;
    };
    let r = &core.residents;
    let rules = &core.rules;
    let cohort_voice = rules.voice[r.cohort[i].index()];
    let voice =
        rules::voice_probability(&rules.voice_weights, cohort_voice, r.trust[i], r.attachment[i], r.awareness[i]);
    let voice = if unit_f32(voice_bits) >= voice { Voice::Silent } else { mechanisms.voice(core, i, today, draws) };
    Some(Need { resident: i, kind, voice })
}

/// Today's chances of a personal need, a building problem (pipe bursts in the stairwell
/// unit) and a merchant grievance (nuisance of the building's merchants).
fn need_chances(core: &Core, merchants: &Merchants, i: ResidentId, today: &Today) -> (f32, f32, f32) {
    let household = core.residents.household[i] as usize;
    let mut building = 0.0;
    if !today.burst_stairwells.is_empty() {
        let stairwell = core.structure.household_stairwell[household];
        let hits = today.burst_stairwells.iter().filter(|&&s| s == stairwell).count();
        building = hits as f32 * core.rules.burst_need_chance;
    }
    let merchant = if merchants.is_empty() {
        0.0
    } else {
        merchants.nuisance_of_building(core.household_building[household]) * core.rules.grievance_daily
    };
    (core.rules.need_daily, building, merchant)
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
        assert!(rule.applies(p * 0.999, 0.8, 0.5, || 0.3, -1.0));
        assert!(!rule.applies(p * 1.001, 0.8, 0.5, || 0.3, -1.0));
        assert!(!rule.applies(0.0, 0.0, 1.0, || 10.0, 0.0), "unaware residents never apply");
    }

    #[test]
    fn the_rule_skips_the_utility_outside_the_gate() {
        let rule = LogitRule;
        assert!(!rule.applies(0.6, 0.5, 1.0, || panic!("utility computed outside the gate"), 0.0));
    }

    #[test]
    fn spare_draws_follow_the_fixed_layout() {
        let key = crate::engine::rng::StreamKey { seed: 1, replicate: 0, day: 3, agent: 7, purpose: purposes::DECIDE };
        let draws = Draws::new(key.rng());
        let mut rng = key.rng();
        let layout: Vec<u64> = (0..8).map(|_| rng.next_u64()).collect();
        assert_eq!([draws.volunteer, draws.need, draws.propose], [layout[0], layout[2], layout[4]]);
        assert_eq!([draws.spare(0), draws.spare(2)], [layout[5], layout[7]]);
    }
}
