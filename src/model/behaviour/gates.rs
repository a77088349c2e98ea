//! The decide pass's first look at a block of residents: the draws of the two decisions nearly
//! every adult faces each day, and of the deliberation's and each event's on their days, and
//! whether each gets past its bound, in loops the compiler vectorises. A chance of taking part
//! is bounded by awareness x free time x the ceiling of the logistic factor at the resident's
//! level of utility (`ceiling.rs`). Only a resident past a bound goes on to the full rule; the
//! numbers are those of the resident-by-resident rule (tested), so nothing but the speed
//! depends on the block.

use crate::engine::lanes::{Lanes, lanes};
use crate::engine::rng::DayStreams;
use crate::model::behaviour::ceiling::Ceiling;
use crate::model::behaviour::decide::{NEED_SLOT, VOLUNTEER_SLOT, split_draw};
use crate::model::behaviour::rules::known;
use crate::model::core::day::FreeTable;
use crate::model::core::events::invitation_bit;
use crate::model::core::types::{AgeBand, Cohort, ResidentId};

/// Residents looked at together.
pub const BLOCK: usize = 64;

/// One block of residents (each slice at most [`BLOCK`] long, all the same length).
pub struct Block<'a> {
    /// The first resident's number.
    pub first: u32,
    pub ages: &'a [AgeBand],
    pub cohorts: &'a [Cohort],
    pub awareness: &'a [f32],
    /// Today's free-time bytes (weekday or weekend).
    pub free_bytes: &'a [u8],
    /// Each resident's level of utility today (`ceiling::level`), read only on a day with
    /// tasks or invitations.
    pub levels: &'a [u8],
}

impl Block<'_> {
    /// The block's `k`-th resident.
    #[inline(always)]
    pub fn resident(&self, k: usize) -> ResidentId {
        ResidentId(self.first + k as u32)
    }
}

/// What the block's residents face today, from the first look.
pub struct Gates {
    /// Each resident's share of the day free.
    pub free: [f32; BLOCK],
    /// An adult on a task day whose volunteering draw is under awareness x free time x the
    /// ceiling at their level of utility.
    pub volunteer: [bool; BLOCK],
    /// An adult whose need draw is under the day's need ceiling.
    pub need: [bool; BLOCK],
    /// A resident invited to today's deliberation or one of today's events whose draw for it
    /// is under how well they know of it x free time x the invitation's ceiling at their level.
    pub invited: [bool; BLOCK],
}

/// An invitation of the day (the deliberation, an event): its draw's slot, whom it invites, how
/// well every invited resident knows of it at least, and the ceilings of its logistic factor.
#[derive(Clone, Copy, Debug)]
pub struct Invitation<'a> {
    pub slot: u32,
    /// Bit `cohort * 4 + age band` is set for invited residents (`EventPlan::invited`).
    pub invited: u16,
    pub publicity: f32,
    pub ceiling: &'a Ceiling,
}

/// The bounds of today's decisions.
#[derive(Clone, Copy)]
pub struct Bounds<'a> {
    /// Whether there are volunteer tasks today.
    pub tasks: bool,
    /// The ceilings of volunteering's logistic factor today.
    pub volunteer: &'a Ceiling,
    pub need_ceiling: f32,
    pub invitations: &'a [Invitation<'a>],
}

impl Bounds<'_> {
    /// Whether the first look reads the residents' levels of utility today.
    pub fn read_levels(&self) -> bool {
        self.tasks || !self.invitations.is_empty()
    }
}

/// The uniform in [0, 1) of a draw, as the full rule reads it.
#[inline(always)]
fn uniform(draw: u64) -> f32 {
    split_draw(draw).0
}

/// The first look at `block`, from the day's draws `streams` and free-time table `table`.
pub fn gates(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds<'_>) -> Gates {
    gates_built(streams, table, block, bounds, lanes())
}

/// [`gates`] in the build `build`, which must be one this processor runs.
fn gates_built(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds<'_>, build: Lanes) -> Gates {
    assert!(build.available(), "the {build:?} build needs processor features this one lacks");
    match build {
        // SAFETY: the features each build is compiled for are present (checked above).
        #[cfg(target_arch = "x86_64")]
        Lanes::Wide => unsafe { gates_wide(streams, table, block, bounds) },
        #[cfg(target_arch = "x86_64")]
        Lanes::Avx2 => unsafe { gates_avx2(streams, table, block, bounds) },
        _ => gates_portable(streams, table, block, bounds),
    }
}

/// [`gates`] compiled for 512-bit vectors, which hash eight draws at once (see
/// [`crate::engine::lanes`] on why the bits are the same).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
unsafe fn gates_wide(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds<'_>) -> Gates {
    gates_portable(streams, table, block, bounds)
}

/// [`gates`] compiled for AVX2 (four draws per instruction, each multiply built from three).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn gates_avx2(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds<'_>) -> Gates {
    gates_portable(streams, table, block, bounds)
}

#[inline(always)]
fn gates_portable(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds<'_>) -> Gates {
    let n = block.ages.len();
    assert!(n <= BLOCK && block.awareness.len() == n && block.free_bytes.len() == n && block.cohorts.len() == n);
    assert!(!bounds.read_levels() || block.levels.len() == n, "levels of utility on a day that reads them");
    let mut gates =
        Gates { free: [0.0; BLOCK], volunteer: [false; BLOCK], need: [false; BLOCK], invited: [false; BLOCK] };
    for k in 0..n {
        gates.free[k] = table[block.ages[k] as usize][usize::from(block.free_bytes[k])];
    }
    if bounds.tasks {
        for k in 0..n {
            let u = uniform(streams.draw(block.first + k as u32, VOLUNTEER_SLOT));
            let gate = block.awareness[k] * gates.free[k] * bounds.volunteer.at(block.levels[k]);
            gates.volunteer[k] = block.ages[k].is_adult() & (u < gate);
        }
    }
    for k in 0..n {
        let u = uniform(streams.draw(block.first + k as u32, NEED_SLOT));
        gates.need[k] = block.ages[k].is_adult() & (u < bounds.need_ceiling);
    }
    for invitation in bounds.invitations {
        for k in 0..n {
            let u = uniform(streams.draw(block.first + k as u32, invitation.slot));
            let bit = invitation_bit(block.cohorts[k], block.ages[k]);
            let ceiling = invitation.ceiling.at(block.levels[k]);
            let gate = known(invitation.publicity, block.awareness[k]) * gates.free[k] * ceiling;
            gates.invited[k] |= (invitation.invited & bit != 0) & (u < gate);
        }
    }
    gates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Purpose;
    use crate::model::core::events::invitation_set;
    use crate::model::core::types::{N_AGE_BANDS, N_COHORTS};

    /// A block of `n` residents with every age band and cohort and a spread of awareness and
    /// free time.
    fn sample(n: usize) -> (Vec<AgeBand>, Vec<Cohort>, Vec<f32>, Vec<u8>) {
        let ages = (0..n).map(|k| AgeBand::ALL[k % N_AGE_BANDS]).collect();
        let cohorts = (0..n).map(|k| Cohort::ALL[k / N_AGE_BANDS % N_COHORTS]).collect();
        let awareness = (0..n).map(|k| (k * 37 % 101) as f32 / 100.0).collect();
        let bytes = (0..n).map(|k| (k * 91 % 256) as u8).collect();
        (ages, cohorts, awareness, bytes)
    }

    /// Two invitations: one to adults of the first cohort, unknown beyond their own awareness,
    /// with ceilings of its logistic factor `low`; one to everyone, known at least at 0.6, with
    /// no ceiling below 1.
    fn invitations<'a>(low: &'a Ceiling, none: &'a Ceiling) -> [Invitation<'a>; 2] {
        let adult_bands: Vec<AgeBand> = AgeBand::ALL.into_iter().filter(|age| age.is_adult()).collect();
        let first_cohort_adults = invitation_set(&Cohort::ALL[..1], &adult_bands);
        [
            Invitation { slot: 1, invited: first_cohort_adults, publicity: 0.0, ceiling: low },
            Invitation { slot: 9, invited: u16::MAX, publicity: 0.6, ceiling: none },
        ]
    }

    #[test]
    fn every_build_finds_the_gates_of_each_resident_alone() {
        let table: FreeTable =
            std::array::from_fn(|band| std::array::from_fn(|b| (b as f32 / 255.0) * 0.9f32.powi(band as i32)));
        let streams = DayStreams::new(11, 2, 40, Purpose(1));
        let (volunteer_ceiling, low, none) = (Ceiling::new(0.3, -0.5), Ceiling::new(0.0, -1.0), Ceiling::none());
        let invitations = invitations(&low, &none);
        for n in [1, 17, BLOCK] {
            let (ages, cohorts, awareness, free_bytes) = sample(n);
            let levels: Vec<u8> = (0..n).map(|k| (k * 53 % 256) as u8).collect();
            let (ages, cohorts, awareness, free_bytes, levels) = (&ages, &cohorts, &awareness, &free_bytes, &levels);
            let block = Block { first: 4096, ages, cohorts, awareness, free_bytes, levels };
            let bounds =
                Bounds { tasks: true, volunteer: &volunteer_ceiling, need_ceiling: 0.3, invitations: &invitations };
            let builds: Vec<Gates> = Lanes::ALL
                .into_iter()
                .filter(|build| build.available())
                .map(|build| gates_built(&streams, &table, &block, bounds, build))
                .collect();
            let (mut passed, mut invited_passed) = (0, 0);
            for k in 0..n {
                let agent = 4096 + k as u32;
                let free = table[ages[k] as usize][usize::from(free_bytes[k])];
                let under = |slot, known: f32, ceiling: &Ceiling| {
                    uniform(streams.draw(agent, slot)) < known * free * ceiling.at(levels[k])
                };
                let volunteer = ages[k].is_adult() && under(VOLUNTEER_SLOT, awareness[k], &volunteer_ceiling);
                let need = ages[k].is_adult() && uniform(streams.draw(agent, NEED_SLOT)) < 0.3;
                let invited = invitations.iter().any(|inv| {
                    let known = if inv.publicity > 0.0 { awareness[k].max(0.6) } else { awareness[k] };
                    let asked = inv.publicity > 0.0 || (cohorts[k] == Cohort::ALL[0] && ages[k].is_adult());
                    asked && under(inv.slot, known, inv.ceiling)
                });
                for g in &builds {
                    let found = (g.free[k], g.volunteer[k], g.need[k], g.invited[k]);
                    assert_eq!(found, (free, volunteer, need, invited), "resident {k} of {n}");
                }
                passed += usize::from(volunteer) + usize::from(need);
                invited_passed += usize::from(invited);
            }
            assert!(n < BLOCK || passed > 0, "some residents get past a gate");
            assert!(n < BLOCK || invited_passed > 0, "some residents get past an invitation's gate");
            let no_tasks = gates(&streams, &table, &block, Bounds { tasks: false, ..bounds });
            assert!(no_tasks.volunteer.iter().all(|&v| !v), "no volunteering without tasks");
            let no_invitations = gates(&streams, &table, &block, Bounds { invitations: &[], ..bounds });
            assert!(no_invitations.invited.iter().all(|&v| !v), "no one invited on a day without invitations");
        }
    }
}
