//! linli (邻里): an agent-based simulator of community participation.
//!
//! Layers, each a module: [`engine`] (calendar, random streams, parallelism; knows nothing of
//! residents), [`model`] (community, residents, network, decisions), [`scenario`] (the TOML
//! format), [`output`] (CSV, JSON, plots; the only library code that does IO).

pub mod compare;
pub mod engine;
pub mod explore;
pub mod model;
pub mod output;
pub mod scenario;
pub mod simulate;
pub mod stats;

pub use scenario::Scenario;
pub use simulate::{RunOutput, simulate};

/// This build's version, recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
