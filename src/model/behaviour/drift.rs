//! The parallel end-of-day pass: habit, attachment, awareness and the motives drift, and the
//! core's counters of the day are reduced chunk by chunk in index order.

use rayon::prelude::*;

use crate::engine::exact::{keyed_sum, sums_are_exact};
use crate::engine::lanes::{Lanes, lanes};
use crate::engine::parallel::{CHUNK, Split};
use crate::model::core::compiled::CoreRules;
use crate::model::core::counters::DayRecord;
use crate::model::core::population::Residents;
use crate::model::core::state::Core;
use crate::model::core::types::{Cohort, N_COHORTS};
use crate::model::motives::MotiveDrift;

/// Daily drift of habit, attachment, awareness and the motives; the core's end-of-day stocks,
/// added to `record`.
pub fn end_of_day(core: &mut Core, d: i32, record: &mut DayRecord) {
    end_of_day_built(core, d, record, lanes());
}

/// [`end_of_day`] in the build `build` ([`crate::engine::lanes`]), which must be one this
/// processor runs.
fn end_of_day_built(core: &mut Core, d: i32, record: &mut DayRecord, build: Lanes) {
    assert!(build.available(), "the {build:?} build needs processor features this one lacks");
    let Core { rules, network, residents, motives, split, .. } = core;
    let Residents { habit, attachment, awareness, cohort, last_active, active_ties, trust, .. } = residents;
    let read = Read { rules, degree: network.degrees(), cohort, last_active, active_ties, trust, d };
    let (motive_rates, motive_chunks) = motives.drift();
    let chunks = habit
        .chunks_mut(CHUNK)
        .zip(attachment.chunks_mut(CHUNK))
        .zip(awareness.chunks_mut(CHUNK))
        .zip(motive_chunks)
        .enumerate()
        .map(|(k, (((habit, attachment), awareness), motives))| Chunk {
            base: k * CHUNK,
            habit,
            attachment,
            awareness,
            motives,
        });
    let drift_chunk = |chunk: Chunk<'_>| chunk.drift_built(&read, &motive_rates, build);
    let partials: Vec<DayRecord> = match split {
        Split::Parallel => chunks.collect::<Vec<_>>().into_par_iter().map(drift_chunk).collect(),
        Split::Sequential => chunks.map(drift_chunk).collect(),
    };
    for partial in &partials {
        for (total, part) in record.iter_mut().zip(partial) {
            total.add(part);
        }
    }
}

/// What the drift reads of every resident.
struct Read<'a> {
    rules: &'a CoreRules,
    degree: &'a [u8],
    cohort: &'a [Cohort],
    last_active: &'a [i32],
    active_ties: &'a [u16],
    trust: &'a [f32],
    d: i32,
}

/// One chunk's mutable state, starting at resident `base`.
struct Chunk<'a> {
    base: usize,
    habit: &'a mut [f32],
    attachment: &'a mut [f32],
    awareness: &'a mut [f32],
    motives: crate::model::motives::MotiveChunk<'a>,
}

impl Chunk<'_> {
    /// [`Chunk::drift`] in the build `build`, one the processor runs (checked by the caller).
    fn drift_built(self, read: &Read<'_>, motives: &MotiveDrift, build: Lanes) -> DayRecord {
        match build {
            // SAFETY: the features each build is compiled for are present (checked by the caller).
            #[cfg(target_arch = "x86_64")]
            Lanes::Wide => unsafe { self.drift_wide(read, motives) },
            #[cfg(target_arch = "x86_64")]
            Lanes::Avx2 => unsafe { self.drift_avx2(read, motives) },
            _ => self.drift(read, motives, Lanes::Portable),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    unsafe fn drift_wide(self, read: &Read<'_>, motives: &MotiveDrift) -> DayRecord {
        self.drift(read, motives, Lanes::Wide)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn drift_avx2(self, read: &Read<'_>, motives: &MotiveDrift) -> DayRecord {
        self.drift(read, motives, Lanes::Avx2)
    }

    /// Drifts the chunk's residents and returns their counters (summed in the build `build`).
    #[inline(always)]
    fn drift(self, read: &Read<'_>, motives: &MotiveDrift, build: Lanes) -> DayRecord {
        let n = self.habit.len();
        let range = self.base..self.base + n;
        let (degree, cohort) = (&read.degree[range.clone()], &read.cohort[range.clone()]);
        let active_ties = &read.active_ties[range.clone()];
        let mut shares = [0.0f32; CHUNK];
        let shares = &mut shares[..n];
        for (j, share) in shares.iter_mut().enumerate() {
            *share = active_ties[j] as f32 / degree[j].max(1) as f32;
        }
        // The motives first: the notice board is seen with the day's awareness, before it drifts.
        motives.drift(self.motives, shares, self.awareness);
        let slices = Slices { habit: self.habit, attachment: &mut *self.attachment, awareness: self.awareness };
        drift_core(read.rules, slices, degree, cohort, shares);
        counters(read, range, self.attachment, build)
    }
}

/// The drifting state of a chunk.
struct Slices<'a> {
    habit: &'a mut [f32],
    attachment: &'a mut [f32],
    awareness: &'a mut [f32],
}

/// Habit decays; attachment relaxes to its cohort's baseline and grows with ties; awareness
/// relaxes and grows with active ties (docs/MODEL.md §7.13). Branch-free, so it vectorises.
#[inline(always)]
fn drift_core(rules: &CoreRules, s: Slices<'_>, degree: &[u8], cohort: &[Cohort], shares: &[f32]) {
    let rates = &rules.rates;
    let n = s.habit.len();
    let (habit, attachment, awareness) = (s.habit, &mut s.attachment[..n], &mut s.awareness[..n]);
    let (degree, cohort, shares) = (&degree[..n], &cohort[..n], &shares[..n]);
    // A cohort's baseline chosen by comparisons rather than by an index, so the loop vectorises.
    const _: () = assert!(N_COHORTS == 3, "pick chooses among three cohorts");
    let pick = |table: &[f32; N_COHORTS], c: u8| {
        if c == 0 {
            table[0]
        } else if c == 1 {
            table[1]
        } else {
            table[2]
        }
    };
    for j in 0..n {
        let c = cohort[j] as u8;
        habit[j] = rates.habit_decay(habit[j]);
        let degree_share = degree[j] as f32 / rules.max_degree;
        attachment[j] = rates.attachment_drift(attachment[j], pick(&rules.attachment_baseline, c), degree_share);
        awareness[j] = rates.awareness_drift(awareness[j], pick(&rules.awareness_baseline, c), shares[j]);
    }
}

/// Lanes of the per-cohort sums: independent partial sums, added in a fixed order, so the loop
/// does not wait on one running total (the order, hence the result, is the same at any thread
/// count).
const LANES: usize = 4;

/// The core's end-of-day stocks of a chunk's residents, by cohort.
#[inline(always)]
fn counters(read: &Read<'_>, range: std::ops::Range<usize>, attachment: &[f32], build: Lanes) -> DayRecord {
    let n = range.len();
    let (cohort, last_active, trust) =
        (&read.cohort[range.clone()], &read.last_active[range.clone()], &read.trust[range]);
    let (attachment, window, d) = (&attachment[..n], read.rules.window, read.d);
    let (trust_sum, attachment_sum) = (cohort_sums(cohort, trust, build), cohort_sums(cohort, attachment, build));
    let mut partial = DayRecord::default();
    for (c, stats) in partial.iter_mut().map(|cohort| &mut cohort.core).enumerate() {
        // Counts do not depend on order: one branch-free pass per cohort, which vectorises.
        let mine = cohort.iter().map(|&other| u32::from(other.index() == c));
        stats.residents = mine.clone().sum();
        stats.active = mine.zip(last_active).map(|(m, &last)| m & u32::from(d - last < window)).sum();
        stats.trust_sum = trust_sum[c];
        stats.attachment_sum = attachment_sum[c];
    }
    partial
}

/// Each cohort's sum of `values` (at most [`CHUNK`]), in f64: [`LANES`] running sums of every
/// fourth resident, added in lane order. When every sum along the way is exact
/// ([`sums_are_exact`]), the order cannot change the bits, and one vectorised pass in the build
/// `build` (one the processor runs) gives them.
#[inline(always)]
fn cohort_sums(cohort: &[Cohort], values: &[f32], build: Lanes) -> [f64; N_COHORTS] {
    debug_assert!(values.len() <= CHUNK && cohort.len() == values.len());
    if !sums_are_exact(values, values.len()) {
        return cohort_sums_in_lanes(cohort, values);
    }
    // A call of its own in each build: inlined in the drift, the loop vectorised only in part.
    match build {
        // SAFETY: the features each build is compiled for are present (the caller's build).
        #[cfg(target_arch = "x86_64")]
        Lanes::Wide => unsafe { cohort_sums_any_order_wide(cohort, values) },
        #[cfg(target_arch = "x86_64")]
        Lanes::Avx2 => unsafe { cohort_sums_any_order_avx2(cohort, values) },
        _ => cohort_sums_any_order(cohort, values),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
#[inline(never)]
unsafe fn cohort_sums_any_order_wide(cohort: &[Cohort], values: &[f32]) -> [f64; N_COHORTS] {
    cohort_sums_any_order(cohort, values)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline(never)]
unsafe fn cohort_sums_any_order_avx2(cohort: &[Cohort], values: &[f32]) -> [f64; N_COHORTS] {
    cohort_sums_any_order(cohort, values)
}

/// [`cohort_sums`] in lanes of four running sums per cohort, in resident order: the result
/// whatever the values.
#[inline(always)]
fn cohort_sums_in_lanes(cohort: &[Cohort], values: &[f32]) -> [f64; N_COHORTS] {
    let mut sums = [[0.0f64; LANES]; N_COHORTS];
    for (j, (&c, &v)) in cohort.iter().zip(values).enumerate() {
        sums[c.index()][j % LANES] += v as f64;
    }
    sums.map(|lanes| lanes.iter().sum())
}

/// [`cohort_sums`] when its sums are exact: a pass per cohort.
#[inline(always)]
fn cohort_sums_any_order(cohort: &[Cohort], values: &[f32]) -> [f64; N_COHORTS] {
    // Not `Cohort::ALL.map(..)`: its closure is compiled outside the build's target features.
    const _: () = assert!(N_COHORTS == 3, "one sum per cohort");
    let sum = |c| keyed_sum(cohort, values, c);
    [sum(Cohort::ALL[0]), sum(Cohort::ALL[1]), sum(Cohort::ALL[2])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::core::params::Params;

    /// Residents active at varied days before `d` (some still in the window, some not), with
    /// a habit to decay.
    fn with_activity(residents: u32, split: Split, d: i32) -> Core {
        let (mut core, _params) = Core::for_tests(residents);
        core.split = split;
        for i in core.residents.ids() {
            core.residents.habit[i] = 0.5;
            if i.0 % 3 == 0 {
                core.mark_taking_part(i, d - (i.0 as i32 % 45));
            }
        }
        core
    }

    #[test]
    fn end_of_day_counts_residents_and_active_ones_and_decays_habit() {
        let d = 50;
        let mut core = with_activity(300, Split::Sequential, d);
        let window = core.rules.window;
        let (mut residents, mut active, mut trust) = ([0; 3], [0; 3], [0.0; 3]);
        for i in core.residents.ids() {
            let c = core.residents.cohort[i].index();
            residents[c] += 1;
            active[c] += u32::from(d - core.residents.last_active[i] < window);
            trust[c] += core.residents.trust[i] as f64;
        }
        assert!(active.iter().sum::<u32>() > 0 && active.iter().sum::<u32>() < 100, "{active:?}");
        let habit_before = core.residents.habit.clone();
        let mut record = DayRecord::default();
        end_of_day(&mut core, d, &mut record);
        assert_eq!(record.each_ref().map(|c| c.core.residents), residents);
        assert_eq!(record.each_ref().map(|c| c.core.residents).iter().sum::<u32>(), 300);
        assert_eq!(record.each_ref().map(|c| c.core.active), active);
        for c in 0..3 {
            assert!((record[c].core.trust_sum - trust[c]).abs() < 1e-9);
        }
        let decay = 1.0 - Params::default().behaviour.habit_decay as f32;
        for i in core.residents.ids() {
            assert!(core.residents.habit[i] < habit_before[i]);
            assert!((core.residents.habit[i] - habit_before[i] * decay).abs() < 1e-6);
        }
    }

    /// The smallest magnitude `sums_are_exact` accepts for up to [`CHUNK`] (2^12) terms.
    const SMALLEST_EXACT: f32 = 1.0 / (1u32 << 17) as f32;

    /// `n` values from `value` and cohorts cycling irregularly, from a fixed SplitMix sequence.
    fn chunk_of(n: usize, value: impl Fn(u64) -> f32) -> (Vec<Cohort>, Vec<f32>) {
        let draw = |j: usize, slot: u64| crate::engine::rng::mix64(j as u64 * 7 + slot);
        let cohorts = (0..n).map(|j| Cohort::ALL[(draw(j, 1) % 3) as usize]).collect();
        (cohorts, (0..n).map(|j| value(draw(j, 2))).collect())
    }

    #[test]
    fn exact_sums_in_any_order_have_the_bits_of_the_lanes() {
        // Values over the whole range accepted: zeros of both signs, negatives, the smallest
        // magnitude and just under 2, with every exponent between.
        let accepted = |bits: u64| match bits % 7 {
            0 => 0.0,
            1 => -0.0,
            2 => SMALLEST_EXACT,
            3 => 1.999_999_9,
            _ => {
                let x = f32::from_bits(0x3f80_0000 | (bits >> 41) as u32) - 1.0; // [0, 1)
                let scaled = x * (2.0f32).powi(-(((bits >> 8) % 17) as i32));
                let v = scaled.max(SMALLEST_EXACT);
                if bits & 1 == 0 { v } else { -v }
            }
        };
        for n in [0, 1, 3, 4, 5, 63, 1000, CHUNK - 1, CHUNK] {
            let (cohorts, values) = chunk_of(n, accepted);
            assert!(sums_are_exact(&values, values.len()));
            let lanes = cohort_sums_in_lanes(&cohorts, &values).map(f64::to_bits);
            for build in Lanes::ALL.into_iter().filter(|build| build.available()) {
                let fast = cohort_sums(&cohorts, &values, build);
                assert_eq!(fast.map(f64::to_bits), lanes, "{n} values, the {build:?} build");
            }
        }
    }

    #[test]
    fn sums_that_may_round_go_in_lanes() {
        for awkward in [SMALLEST_EXACT / 1024.0, 1e-30, 2.0, -2.5, f32::NAN, f32::INFINITY] {
            let mut values = vec![0.5; 100];
            values[37] = awkward;
            assert!(!sums_are_exact(&values, values.len()), "{awkward}");
        }
        // Where a sum rounds, the order matters: the lanes' order is the one kept.
        let tiny_or_not = |bits: u64| (bits >> 40) as f32 * 1e-12 + if bits & 1 == 0 { 0.3 } else { 0.0 };
        let (cohorts, values) = chunk_of(CHUNK, tiny_or_not);
        assert!(!sums_are_exact(&values, values.len()));
        let expected = Cohort::ALL.map(|c| {
            let mut lanes = [0.0f64; LANES];
            for (j, _) in cohorts.iter().enumerate().filter(|&(_, &other)| other == c) {
                lanes[j % LANES] += values[j] as f64;
            }
            lanes.iter().sum::<f64>()
        });
        for build in Lanes::ALL.into_iter().filter(|build| build.available()) {
            assert_eq!(cohort_sums(&cohorts, &values, build), expected, "the {build:?} build");
        }
    }

    #[test]
    fn every_build_drifts_to_the_same_bits() {
        let d = 50;
        let n = CHUNK as u32 + 777;
        let drifted = |build: Lanes| {
            let (mut core, mut record) = (with_activity(n, Split::Sequential, d), DayRecord::default());
            end_of_day_built(&mut core, d, &mut record, build);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let r = &core.residents;
            (record, [bits(&r.habit.0), bits(&r.attachment.0), bits(&r.awareness.0)])
        };
        let portable = drifted(Lanes::Portable);
        for build in Lanes::ALL.into_iter().filter(|build| build.available()) {
            assert!(drifted(build) == portable, "the {build:?} build differs from the portable one");
        }
    }

    #[test]
    fn end_of_day_is_the_same_split_or_not() {
        let d = 50;
        // More than two chunks of residents, so the parallel pass really is split.
        let n = 2 * CHUNK as u32 + 1000;
        let mut sequential = with_activity(n, Split::Sequential, d);
        let mut parallel = with_activity(n, Split::Parallel, d);
        let (mut one, mut other) = (DayRecord::default(), DayRecord::default());
        end_of_day(&mut sequential, d, &mut one);
        end_of_day(&mut parallel, d, &mut other);
        assert_eq!(one, other);
        assert_eq!(one.each_ref().map(|c| c.core.residents).iter().sum::<u32>(), n);
        let (a, b) = (&sequential.residents, &parallel.residents);
        assert_eq!((&a.habit, &a.attachment, &a.awareness), (&b.habit, &b.attachment, &b.awareness));
    }
}
