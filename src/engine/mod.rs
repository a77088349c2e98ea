//! The engine: calendar, RNG streams and deterministic parallelism; it knows nothing of residents.

pub mod calendar;
pub mod ensemble;
pub mod exact;
pub mod lanes;
pub mod parallel;
pub mod prefetch;
pub mod rng;

pub use calendar::{Calendar, Day};
pub use rng::{DayStreams, Purpose, StreamKey};
