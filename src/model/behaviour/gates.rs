//! The decide pass's first look at a block of residents: the draws of the two decisions nearly
//! every adult faces each day, and whether each gets past its bound, in loops the compiler
//! vectorises. Only a resident past a bound goes on to the full rule; the numbers are those of
//! the resident-by-resident rule (tested), so nothing but the speed depends on the block.

use crate::engine::lanes::{Lanes, lanes};
use crate::engine::rng::DayStreams;
use crate::model::behaviour::decide::{NEED_SLOT, VOLUNTEER_SLOT, split_draw};
use crate::model::core::day::FreeTable;
use crate::model::core::types::AgeBand;

/// Residents looked at together.
pub const BLOCK: usize = 64;

/// One block of residents (each slice at most [`BLOCK`] long, all the same length).
pub struct Block<'a> {
    /// The first resident's number.
    pub first: u32,
    pub ages: &'a [AgeBand],
    pub awareness: &'a [f32],
    /// Today's free-time bytes (weekday or weekend).
    pub free_bytes: &'a [u8],
}

/// What the block's residents face today, from the first look.
pub struct Gates {
    /// Each resident's share of the day free.
    pub free: [f32; BLOCK],
    /// An adult on a task day whose volunteering draw is under awareness x free time.
    pub volunteer: [bool; BLOCK],
    /// An adult whose need draw is under the day's need ceiling.
    pub need: [bool; BLOCK],
}

/// The bounds of today's commonest decisions.
#[derive(Clone, Copy)]
pub struct Bounds {
    /// Whether there are volunteer tasks today.
    pub tasks: bool,
    pub need_ceiling: f32,
}

/// The uniform in [0, 1) of a draw, as the full rule reads it.
#[inline(always)]
fn uniform(draw: u64) -> f32 {
    split_draw(draw).0
}

/// The first look at `block`, from the day's draws `streams` and free-time table `table`.
pub fn gates(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds) -> Gates {
    gates_built(streams, table, block, bounds, lanes())
}

/// [`gates`] in the build `build`, which must be one this processor runs.
fn gates_built(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds, build: Lanes) -> Gates {
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
unsafe fn gates_wide(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds) -> Gates {
    gates_portable(streams, table, block, bounds)
}

/// [`gates`] compiled for AVX2 (four draws per instruction, each multiply built from three).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn gates_avx2(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds) -> Gates {
    gates_portable(streams, table, block, bounds)
}

#[inline(always)]
fn gates_portable(streams: &DayStreams, table: &FreeTable, block: &Block<'_>, bounds: Bounds) -> Gates {
    let n = block.ages.len();
    assert!(n <= BLOCK && block.awareness.len() == n && block.free_bytes.len() == n);
    let mut gates = Gates { free: [0.0; BLOCK], volunteer: [false; BLOCK], need: [false; BLOCK] };
    for k in 0..n {
        gates.free[k] = table[block.ages[k] as usize][usize::from(block.free_bytes[k])];
    }
    if bounds.tasks {
        for k in 0..n {
            let u = uniform(streams.draw(block.first + k as u32, VOLUNTEER_SLOT));
            let gate = block.awareness[k] * gates.free[k];
            gates.volunteer[k] = block.ages[k].is_adult() & (u < gate);
        }
    }
    for k in 0..n {
        let u = uniform(streams.draw(block.first + k as u32, NEED_SLOT));
        gates.need[k] = block.ages[k].is_adult() & (u < bounds.need_ceiling);
    }
    gates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Purpose;
    use crate::model::core::types::N_AGE_BANDS;

    /// A block of `n` residents with every age band and a spread of awareness and free time.
    fn sample(n: usize) -> (Vec<AgeBand>, Vec<f32>, Vec<u8>) {
        let ages = (0..n).map(|k| AgeBand::ALL[k % N_AGE_BANDS]).collect();
        let awareness = (0..n).map(|k| (k * 37 % 101) as f32 / 100.0).collect();
        let bytes = (0..n).map(|k| (k * 91 % 256) as u8).collect();
        (ages, awareness, bytes)
    }

    #[test]
    fn every_build_finds_the_gates_of_each_resident_alone() {
        let table: FreeTable =
            std::array::from_fn(|band| std::array::from_fn(|b| (b as f32 / 255.0) * 0.9f32.powi(band as i32)));
        let streams = DayStreams::new(11, 2, 40, Purpose(1));
        for n in [1, 17, BLOCK] {
            let (ages, awareness, free_bytes) = sample(n);
            let block = Block { first: 4096, ages: &ages, awareness: &awareness, free_bytes: &free_bytes };
            let bounds = Bounds { tasks: true, need_ceiling: 0.3 };
            let builds: Vec<Gates> = Lanes::ALL
                .into_iter()
                .filter(|build| build.available())
                .map(|build| gates_built(&streams, &table, &block, bounds, build))
                .collect();
            let mut passed = 0;
            for k in 0..n {
                let agent = 4096 + k as u32;
                let free = table[ages[k] as usize][usize::from(free_bytes[k])];
                let volunteer =
                    ages[k].is_adult() && uniform(streams.draw(agent, VOLUNTEER_SLOT)) < awareness[k] * free;
                let need = ages[k].is_adult() && uniform(streams.draw(agent, NEED_SLOT)) < 0.3;
                for g in &builds {
                    assert_eq!((g.free[k], g.volunteer[k], g.need[k]), (free, volunteer, need), "resident {k} of {n}");
                }
                passed += usize::from(volunteer) + usize::from(need);
            }
            assert!(n < BLOCK || passed > 0, "some residents get past a gate");
            let no_tasks = gates(&streams, &table, &block, Bounds { tasks: false, ..bounds });
            assert!(no_tasks.volunteer.iter().all(|&v| !v), "no volunteering without tasks");
        }
    }
}
