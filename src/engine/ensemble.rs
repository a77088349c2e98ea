//! Running replicates in parallel: each replicate steps its model through the calendar.

use super::calendar::{Calendar, Day};
use super::parallel::map_items;

/// Anything that advances one day at a time and records something about it.
pub trait Model: Send {
    type Record: Send;
    /// What is kept of the model after its last day (for example per-agent totals).
    type Final: Send;
    fn step(&mut self, day: &Day) -> Self::Record;
    fn finish(self) -> Self::Final;
}

/// The daily records of one replicate and what is kept of it after the last day.
pub struct ReplicateResult<M: Model> {
    pub records: Vec<M::Record>,
    pub last: M::Final,
}

/// Steps `model` through every day of `calendar`, keeping the records from day `record_from` on.
/// `on_day` is called after each day (for progress bars).
pub fn run_replicate<M: Model>(
    model: &mut M,
    calendar: &Calendar,
    record_from: usize,
    on_day: &(dyn Fn() + Sync),
) -> Vec<M::Record> {
    let mut records = Vec::with_capacity(calendar.len().saturating_sub(record_from));
    for day in calendar.days() {
        let record = model.step(day);
        if day.index as usize >= record_from {
            records.push(record);
        }
        on_day();
    }
    records
}

/// Builds and runs every replicate in parallel; results come back in replicate order.
pub fn run_ensemble<M, B>(
    replicates: &[u32],
    calendar: &Calendar,
    record_from: usize,
    build: B,
    on_day: &(dyn Fn() + Sync),
) -> Vec<ReplicateResult<M>>
where
    M: Model,
    B: Fn(u32) -> M + Sync + Send,
{
    map_items(replicates.to_vec(), |replicate| {
        let mut model = build(replicate);
        let records = run_replicate(&mut model, calendar, record_from, on_day);
        ReplicateResult { records, last: model.finish() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counter {
        replicate: u32,
        steps: u32,
    }

    impl Model for Counter {
        type Record = (u32, u32);
        type Final = u32;
        fn finish(self) -> u32 {
            self.steps
        }
        fn step(&mut self, day: &Day) -> (u32, u32) {
            self.steps += 1;
            (self.replicate, day.index)
        }
    }

    #[test]
    fn ensemble_keeps_order_and_skips_burn_in() {
        let calendar = Calendar::new(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 10);
        let calls = AtomicUsize::new(0);
        let results = run_ensemble(&[3, 1, 2], &calendar, 4, |replicate| Counter { replicate, steps: 0 }, &|| {
            calls.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].records[0], (3, 4));
        assert_eq!(results[1].records.len(), 6);
        assert_eq!(results[1].last, 10, "every day was stepped");
        assert_eq!(calls.load(Ordering::Relaxed), 30);
    }
}
