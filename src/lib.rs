//! linli (邻里): an agent-based simulator of community participation.
//!
//! Layers, each a module, each importing only those before it: [`engine`] (calendar, random
//! streams, parallelism; knows nothing of residents), [`model`] (community, residents, network,
//! decisions), [`scenario`] (the TOML format of a scenario), [`simulate`] (running a scenario),
//! [`experiment`] (the whole file: arms, comparisons, sweeps, sensitivity, statistics),
//! [`output`] (CSV, JSON, plots; the only library code that does IO).

pub mod engine;
pub mod experiment;
pub mod model;
pub mod output;
pub mod scenario;
pub mod serve;
pub mod simulate;

pub use scenario::Scenario;
pub use simulate::{RunOutput, simulate};

/// This build's version, recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
