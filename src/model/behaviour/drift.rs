//! The parallel end-of-day pass: habit, attachment and awareness drift, and the core's
//! counters of the day are reduced chunk by chunk in index order.

use rayon::prelude::*;

use crate::engine::parallel::{CHUNK, Split};
use crate::model::core::counters::DayRecord;
use crate::model::core::population::Residents;
use crate::model::core::state::Core;
use crate::model::core::types::ResidentId;

/// Daily drift of habit, attachment and awareness; the core's end-of-day stocks, added to `record`.
pub fn end_of_day(core: &mut Core, d: i32, record: &mut DayRecord) {
    let rules = &core.rules;
    let network = &core.network;
    let Residents { habit, attachment, awareness, cohort, last_active, active_ties, trust, .. } = &mut core.residents;
    let drift_chunk = |(chunk, ((habit, attachment), awareness)): DriftChunk<'_>| {
        let base = chunk * CHUNK;
        let mut partial = DayRecord::default();
        for j in 0..habit.len() {
            let i = base + j;
            let c = cohort[i].index();
            let degree = network.degree(ResidentId::new(i));
            let active_share = active_ties[i] as f32 / degree.max(1) as f32;
            habit[j] = rules.rates.habit_decay(habit[j]);
            let degree_share = degree as f32 / rules.max_degree;
            attachment[j] = rules.rates.attachment_drift(attachment[j], rules.attachment_baseline[c], degree_share);
            awareness[j] = rules.rates.awareness_drift(awareness[j], rules.awareness_baseline[c], active_share);
            let stats = &mut partial[c].core;
            stats.residents += 1;
            stats.active += u32::from(d - last_active[i] < rules.window);
            stats.trust_sum += trust[i] as f64;
            stats.attachment_sum += attachment[j] as f64;
        }
        partial
    };
    let partials: Vec<DayRecord> = match core.split {
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
    for partial in &partials {
        for (total, part) in record.iter_mut().zip(partial) {
            total.add(part);
        }
    }
    let Core { motives, residents, network, split, .. } = core;
    motives.end_of_day(*split, |i| {
        let degree = network.degree(ResidentId::new(i)).max(1) as f32;
        residents.active_ties[i] as f32 / degree
    });
}

/// One chunk's mutable slices in the end-of-day pass, with its chunk number.
type DriftChunk<'a> = (usize, ((&'a mut [f32], &'a mut [f32]), &'a mut [f32]));

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
