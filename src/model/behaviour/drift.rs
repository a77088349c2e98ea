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
}

/// One chunk's mutable slices in the end-of-day pass, with its chunk number.
type DriftChunk<'a> = (usize, ((&'a mut [f32], &'a mut [f32]), &'a mut [f32]));
