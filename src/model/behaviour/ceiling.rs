//! Ceilings of the logistic factor by level of utility, so the first look bounds a resident's
//! chance of taking part without an exponential.

use crate::engine::lanes::{Lanes, lanes};
use crate::model::behaviour::gates::BLOCK;
use crate::model::behaviour::rules::sigmoid;
use crate::model::core::day::Today;
use crate::model::core::state::Core;
use crate::model::mechanisms::Mechanisms;

/// Levels of utility per unit of logit: each level is an eighth of a unit above the one below.
const PER_UNIT: f32 = 8.0;
/// The index of level 0 (utility 0): level `q` (utility `q / 8`, from -16 to 127/8) is at
/// index `q + 128`.
const ZERO: i32 = 128;
/// The number of levels.
pub const LEVELS: usize = 256;

/// The index of the lowest level at or above utility `u` (the bottom level for any utility at
/// or below -16, the top one for any above 127/8 and for NaN). No branch, so a loop of it
/// vectorises.
#[inline(always)]
pub fn level(u: f32) -> u8 {
    let scaled = u * PER_UNIT;
    let top = (LEVELS as i32 - 1 - ZERO) as f32;
    // `<=` is false for NaN, which goes to the top.
    let capped = (if scaled <= top { scaled } else { top }).max(-ZERO as f32);
    // Rounding towards zero, then up by one where that went down: the ceiling.
    // SAFETY: `capped` is a number from -128 to 127, which an i32 holds (a checked cast would
    // keep the loop from vectorising).
    let truncated: i32 = unsafe { capped.to_int_unchecked() };
    (truncated + i32::from((truncated as f32) < capped) + ZERO) as u8
}

/// The levels of utility on day `d` of the residents from `first`, one for each place of `out`
/// (at most [`BLOCK`]).
pub fn utility_levels(core: &Core, first: usize, d: i32, out: &mut [u8]) {
    utility_levels_built(core, first, d, out, lanes());
}

/// [`utility_levels`] in the build `build` ([`crate::engine::lanes`]), which must be one this
/// processor runs.
fn utility_levels_built(core: &Core, first: usize, d: i32, out: &mut [u8], build: Lanes) {
    assert!(build.available(), "the {build:?} build needs processor features this one lacks");
    match build {
        // SAFETY: the features each build is compiled for are present (checked above).
        #[cfg(target_arch = "x86_64")]
        Lanes::Wide => unsafe { utility_levels_wide(core, first, d, out) },
        #[cfg(target_arch = "x86_64")]
        Lanes::Avx2 => unsafe { utility_levels_avx2(core, first, d, out) },
        _ => utility_levels_portable(core, first, d, out),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
unsafe fn utility_levels_wide(core: &Core, first: usize, d: i32, out: &mut [u8]) {
    utility_levels_portable(core, first, d, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn utility_levels_avx2(core: &Core, first: usize, d: i32, out: &mut [u8]) {
    utility_levels_portable(core, first, d, out);
}

#[inline(always)]
fn utility_levels_portable(core: &Core, first: usize, d: i32, out: &mut [u8]) {
    let mut utilities = [0.0; BLOCK];
    let utilities = &mut utilities[..out.len()];
    core.utilities(first, d, utilities);
    for (level_of, &u) in out.iter_mut().zip(utilities.iter()) {
        *level_of = level(u);
    }
}

/// For each level, a number at least the logistic factor that the full rule computes,
/// `sigmoid((U + bonus) + offset)`, for any utility `U` at or below the level, today's bonus,
/// and any offset at most the one the ceiling was made for. The top level's is 1.
#[derive(Clone, Debug)]
pub struct Ceiling([f32; LEVELS]);

impl Ceiling {
    /// The ceilings for today's `bonus` and an activity's offsets of at most `offset`.
    pub fn new(bonus: f32, offset: f32) -> Ceiling {
        Ceiling(std::array::from_fn(|index| {
            if index == LEVELS - 1 {
                return 1.0;
            }
            let utility = (index as i32 - ZERO) as f32 / PER_UNIT;
            // Sums rounded to nearest rise with their terms, so this is the full rule's largest
            // sum; the exponential is faithful but not monotone to the last bit, hence a margin
            // of four units in the last place.
            let logistic = sigmoid((utility + bonus) + offset);
            (0..4).fold(logistic, |x, _| x.next_up()).min(1.0)
        }))
    }

    /// No ceiling below 1: the first look bounds by awareness x free time alone.
    pub fn none() -> Ceiling {
        Ceiling([1.0; LEVELS])
    }

    /// The ceiling at level index `level`.
    #[inline(always)]
    pub fn at(&self, level: u8) -> f32 {
        self.0[usize::from(level)]
    }
}

/// Today's ceilings: volunteering's, the deliberation's and each of today's events' (in the
/// order of `Today::events`), from the activities' own offsets and a bound on the mechanisms'
/// ([`Mechanisms::most_activity_offset`]). Made once a day, after the month's start.
#[derive(Clone, Debug)]
pub struct Ceilings {
    pub volunteer: Ceiling,
    pub deliberation: Ceiling,
    pub events: Vec<Ceiling>,
}

impl Ceilings {
    pub fn today(core: &Core, mechanisms: &Mechanisms, today: &Today) -> Ceilings {
        use crate::model::core::day::{DELIBERATION, FIRST_EVENT, VOLUNTEER};
        let (rules, bonus) = (&core.rules, today.utility_bonus);
        let ceiling = |wanted: bool, activity, own: f32| {
            if wanted {
                Ceiling::new(bonus, own + mechanisms.most_activity_offset(activity, today))
            } else {
                Ceiling::none()
            }
        };
        let events = today.events.iter().map(|&e| {
            let event = &core.events[usize::from(e)];
            // The young adults' bonus is added to the appeal only for them: the larger sum bounds both.
            let young = if event.special { rules.young_event_bonus.max(0.0) } else { 0.0 };
            ceiling(true, FIRST_EVENT + e, event.appeal + young)
        });
        Ceilings {
            volunteer: ceiling(today.tasks > 0, VOLUNTEER, rules.volunteer_offset),
            deliberation: ceiling(today.deliberation, DELIBERATION, rules.deliberation_offset),
            events: events.collect(),
        }
    }

    /// No ceiling below 1 for any of today's activities (the first look before the ceilings).
    #[cfg(test)]
    pub fn none(today: &Today) -> Ceilings {
        let events = today.events.iter().map(|_| Ceiling::none()).collect();
        Ceilings { volunteer: Ceiling::none(), deliberation: Ceiling::none(), events }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::types::ResidentId;

    #[test]
    fn every_build_gives_each_resident_the_level_of_their_own_utility() {
        for on in [true, false] {
            let (mut core, _) = Core::for_tests_with(300, |p| {
                let b = &mut p.behaviour;
                (b.identity.enabled, b.thresholds.enabled, b.cooperation.enabled, b.tenure.enabled) = (on, on, on, on);
            });
            for i in core.residents.ids() {
                core.residents.active_ties[i] = (i.0 % 4) as u16;
                core.residents.habit[i] = (i.0 % 7) as f32 / 7.0;
                if i.0 % 3 == 0 {
                    core.motives.on_take_part(i);
                    core.motives.cooperation.see_result_near(i);
                }
            }
            let (n, d) = (core.residents.len(), 900);
            let mut levels_seen = std::collections::BTreeSet::new();
            for first in (0..n).step_by(BLOCK) {
                let len = BLOCK.min(n - first);
                let mut utilities = [0.0; BLOCK];
                core.utilities(first, d, &mut utilities[..len]);
                for build in Lanes::ALL.into_iter().filter(|build| build.available()) {
                    let mut levels = [0; BLOCK];
                    utility_levels_built(&core, first, d, &mut levels[..len], build);
                    for k in 0..len {
                        let one = core.utility(ResidentId::new(first + k), d);
                        assert_eq!(utilities[k].to_bits(), one.to_bits(), "resident {} ({on})", first + k);
                        assert_eq!(levels[k], level(one), "resident {} in {build:?}", first + k);
                        levels_seen.insert(levels[k]);
                    }
                }
            }
            assert!(levels_seen.len() > 10, "a spread of utilities: {levels_seen:?}");
        }
    }

    /// Floats spread over `range`, with the level boundaries and their neighbours.
    fn utilities() -> Vec<f32> {
        let mut values: Vec<f32> = (-2000..=2000).map(|k| k as f32 * 0.009_7).collect();
        for q in -130..=130 {
            let edge = q as f32 / PER_UNIT;
            values.extend([edge, edge.next_up(), edge.next_down()]);
        }
        values.extend([-1e9, 1e9, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0]);
        values
    }

    #[test]
    fn a_level_is_the_lowest_at_or_above_the_utility() {
        for u in utilities() {
            let index = level(u);
            let at = (i32::from(index) - ZERO) as f32 / PER_UNIT;
            if index as usize == LEVELS - 1 {
                assert!(u > at - 1.0 / PER_UNIT, "{u} at the top");
            } else if index == 0 {
                assert!(u <= at, "{u} at the bottom");
            } else {
                assert!(u <= at && u > at - 1.0 / PER_UNIT, "{u} at level {index}");
            }
        }
        assert_eq!(level(f32::NAN), (LEVELS - 1) as u8);
    }

    #[test]
    fn the_ceiling_is_at_least_the_full_rule_s_logistic_factor() {
        for (bonus, offset) in [(0.0, -2.0), (0.35, -4.1), (-0.2, 1.7), (0.0, 0.0), (3.0, -25.0)] {
            let ceiling = Ceiling::new(bonus, offset);
            for u in utilities() {
                // Offsets at most the bound, as mechanisms' offsets are.
                for below in [0.0, 0.001, 0.5] {
                    let full = sigmoid((u + bonus) + (offset - below));
                    assert!(full <= ceiling.at(level(u)), "{u} {bonus} {offset}: {full} > {}", ceiling.at(level(u)));
                }
            }
        }
    }

    #[test]
    fn the_ceiling_is_tight_where_most_residents_are() {
        // Below the top, a level is an eighth of a logit wide: the ceiling is within 14% of
        // the factor in the tail where chances are small.
        let ceiling = Ceiling::new(0.0, -3.0);
        let u = 0.3;
        let full = sigmoid(u - 3.0);
        assert!(ceiling.at(level(u)) < full * 1.14, "{} vs {full}", ceiling.at(level(u)));
        assert_eq!(Ceiling::none().at(level(u)), 1.0);
    }
}
