//! Deterministic data parallelism: fixed-size chunks and in-order reductions.
//!
//! Chunk boundaries depend only on the problem size, never on the thread count, and partial
//! results are combined in chunk order, so floating-point sums are byte-identical at any number
//! of threads.

use rayon::prelude::*;

/// Residents per work item. Large enough to amortise scheduling, small enough to balance.
pub const CHUNK: usize = 4096;

/// The chunk ranges covering `0..len`.
pub fn chunk_ranges(len: usize) -> Vec<std::ops::Range<usize>> {
    (0..len.div_ceil(CHUNK)).map(|c| c * CHUNK..((c + 1) * CHUNK).min(len)).collect()
}

/// Whether work inside one replicate is split across threads.
///
/// Splitting pays when replicates are fewer than threads (a single city-sized replicate);
/// otherwise whole replicates keep each core busy and splitting only moves a replicate's
/// state between cores' caches. Results are identical either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Sequential,
    Parallel,
}

impl Split {
    /// Parallel inside replicates only when there are fewer replicates than threads.
    pub fn for_replicates(n_replicates: usize) -> Split {
        if n_replicates < rayon::current_num_threads() { Split::Parallel } else { Split::Sequential }
    }
}

/// Maps every chunk of `0..len` and returns the results in chunk order.
pub fn map_chunks<T, F>(split: Split, len: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(std::ops::Range<usize>) -> T + Sync + Send,
{
    match split {
        Split::Parallel => chunk_ranges(len).into_par_iter().map(f).collect(),
        Split::Sequential => chunk_ranges(len).into_iter().map(f).collect(),
    }
}

/// Runs `f` on every item in parallel and returns the results in item order.
pub fn map_items<I, T, F>(items: Vec<I>, f: F) -> Vec<T>
where
    I: Send,
    T: Send,
    F: Fn(I) -> T + Sync + Send,
{
    items.into_par_iter().map(f).collect()
}

/// Builds a thread pool of `threads` workers (0 = one per core).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_everything_once() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let ranges = chunk_ranges(len);
            let covered: usize = ranges.iter().map(|r| r.len()).sum();
            assert_eq!(covered, len);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        }
    }

    #[test]
    fn float_sums_do_not_depend_on_threads() {
        let values: Vec<f64> = (0..50_000).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let sum_with = |threads, split| {
            thread_pool(threads).unwrap().install(|| {
                let partials = map_chunks(split, values.len(), |r| values[r].iter().sum::<f64>());
                partials.iter().sum::<f64>()
            })
        };
        let reference = sum_with(1, Split::Sequential).to_bits();
        assert_eq!(reference, sum_with(4, Split::Parallel).to_bits());
        assert_eq!(reference, sum_with(4, Split::Sequential).to_bits());
    }
}
