//! The decide pass: every resident, from a frozen view of the world and its own random stream,
//! decides what to apply for today and what to do about a need. Reads only; writes nothing.

use std::ops::Range;

use rand::Rng;

use super::{DELIBERATION, FIRST_EVENT, INTEGRATION, Today, VOLUNTEER, World};
use crate::engine::rng::unit_f32;
use crate::model::behaviour::rules::{self, Disposition, sigmoid};
use crate::model::core::purposes;
use crate::model::core::types::{AgeBand, Cohort};

/// A wish to take part in a capacity-limited activity; places go by lowest `priority`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Applicant {
    pub activity: u16,
    pub priority: u32,
    pub resident: u32,
}

/// Where a need comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NeedKind {
    /// A personal need or a dispute with a neighbour.
    Personal,
    /// A building problem (a pipe burst in the stairwell unit).
    Building,
    /// A merchant's fumes, noise or road occupation.
    Merchant,
}

/// What a resident does about a need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Voice {
    Silent,
    Complaint,
    Proposal,
}

/// A need that arose today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Need {
    pub resident: u32,
    pub kind: NeedKind,
    pub voice: Voice,
}

/// Everything one chunk of residents decided today.
#[derive(Default)]
pub(super) struct Decisions {
    pub applicants: Vec<Applicant>,
    pub expired: Vec<u32>,
    pub needs: Vec<Need>,
    /// Residents trying to redeem points, with their priority for the catalogue.
    pub redemptions: Vec<(u32, u32)>,
}

/// Splits one 64-bit draw into a uniform in [0, 1) (high half) and a 32-bit integer (low half).
#[inline]
pub(super) fn split_draw(draw: u64) -> (f32, u32) {
    (unit_f32((draw >> 32) as u32), draw as u32)
}

impl World {
    /// The decide pass over residents in `range`.
    pub(super) fn decide(&self, range: Range<usize>, today: &Today) -> Decisions {
        let r = &self.residents;
        let rules = &self.rules;
        let time_bank = rules.time_bank.filter(|_| today.policies_on);
        let mut out = Decisions::default();
        let streams = self.day_streams(today.day, purposes::DECIDE);
        for i in range {
            if r.last_active[i] == today.day - rules.window {
                out.expired.push(i as u32);
            }
            // A fixed layout of draws per resident-day, whether or not each is needed, so that
            // a change to one decision never shifts the draws of another (common random numbers).
            let mut rng = streams.rng(i as u32);
            let [volunteer_draw, deliberation_draw, need_draw, redeem_draw, propose_draw] =
                [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64()];
            let cohort = r.cohort[i];
            let age = r.age[i];
            let free = if today.is_weekend { r.weekend_free[i] } else { r.weekday_free[i] } as f32 / 255.0;
            let platform = if today.policies_on { rules.platform_bonus } else { 0.0 };
            let utility = || rules::utility(&rules.weights, &self.disposition(i)) + platform;
            let awareness = r.awareness[i];
            let mut apply = |activity: u16, offset: f32, draw: u64, known: f32| {
                let (u, priority) = split_draw(draw);
                let gate = known.max(awareness) * free;
                // u < gate * sigmoid(..) implies u < gate: skip the exponential for most residents.
                if u < gate && u < gate * sigmoid(utility() + offset) {
                    out.applicants.push(Applicant { activity, priority, resident: i as u32 });
                }
            };
            if age.is_adult() {
                if today.tasks > 0 {
                    let reward = time_bank.map_or(0.0, |t| t.reward_pull * r.point_value[i]);
                    apply(VOLUNTEER, rules.volunteer_offset + reward, volunteer_draw, 0.0);
                }
                if today.deliberation {
                    let invited = today.policies_on && cohort == Cohort::Transient;
                    let offset = rules.deliberation_offset + if invited { rules.transient_invitation } else { 0.0 };
                    apply(DELIBERATION, offset, deliberation_draw, 0.0);
                }
                if today.integration
                    && today.day - r.move_in_day[i] < self.params.policy.integration.newcomer_days as i32
                {
                    apply(INTEGRATION, self.params.policy.integration.appeal as f32, rng.clone().next_u64(), 0.0);
                }
            }
            let young = age == AgeBand::YoungAdult;
            for &e in &today.events {
                let event = &self.events[e as usize];
                if event.invites(cohort, age) {
                    let young_bonus = if young && event.special { rules.young_event_bonus } else { 0.0 };
                    // Event e's draw sits at its own offset after the fixed draws.
                    let mut event_rng = rng.clone();
                    event_rng.advance(1 + u128::from(e));
                    apply(FIRST_EVENT + e, event.appeal + young_bonus, event_rng.next_u64(), event.publicity);
                }
            }
            if let Some(t) = time_bank {
                let (u, priority) = split_draw(redeem_draw);
                if r.points[i] >= t.item_cost && u < t.redeem_chance {
                    out.redemptions.push((priority, i as u32));
                }
            }
            if age.is_adult() {
                if let Some(need) = self.need(i, today, need_draw, propose_draw) {
                    out.needs.push(need);
                }
            }
        }
        out
    }

    pub(super) fn disposition(&self, i: usize) -> Disposition {
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

    /// Whether a need arises today (personal, building or merchant), and what the resident does
    /// about it: stays silent, complains, or (with the proposal fund) proposes.
    fn need(&self, i: usize, today: &Today, need_draw: u64, propose_draw: u64) -> Option<Need> {
        let (u, voice_bits) = split_draw(need_draw);
        let (personal, building, merchant) = self.need_chances(i, today);
        let kind = if u < personal {
            NeedKind::Personal
        } else if u < personal + building {
            NeedKind::Building
        } else if u < personal + building + merchant {
            NeedKind::Merchant
        } else {
            return None;
        };
        let r = &self.residents;
        let rules = &self.rules;
        let cohort_voice = rules.voice[r.cohort[i].index()];
        let voice =
            rules::voice_probability(&rules.voice_weights, cohort_voice, r.trust[i], r.attachment[i], r.awareness[i]);
        let voice = if unit_f32(voice_bits) >= voice {
            Voice::Silent
        } else {
            match rules.proposals.filter(|_| today.policies_on) {
                Some(p) => {
                    let logit = rules::propose_logit(
                        p.intercept,
                        p.trust_weight,
                        p.attachment_weight,
                        r.trust[i],
                        r.attachment[i],
                    );
                    let (propose_u, _) = split_draw(propose_draw);
                    if propose_u < sigmoid(logit) { Voice::Proposal } else { Voice::Complaint }
                }
                None => Voice::Complaint,
            }
        };
        Some(Need { resident: i as u32, kind, voice })
    }

    /// Today's chances of a personal need, a building problem (pipe bursts in the stairwell
    /// unit) and a merchant grievance (nuisance of the building's merchants).
    fn need_chances(&self, i: usize, today: &Today) -> (f32, f32, f32) {
        let household = self.residents.household[i] as usize;
        let mut building = 0.0;
        if !today.burst_stairwells.is_empty() {
            let stairwell = self.structure.household_stairwell[household];
            let hits = today.burst_stairwells.iter().filter(|&&s| s == stairwell).count();
            building = hits as f32 * self.rules.burst_need_chance;
        }
        let merchant = if self.merchants.is_empty() {
            0.0
        } else {
            self.building_nuisance[self.household_building[household] as usize] * self.rules.grievance_daily
        };
        (self.rules.need_daily, building, merchant)
    }
}
