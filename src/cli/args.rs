//! Raw command-line arguments, as clap parses them (validated later into a plan).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// linli (邻里): simulate community participation and compare incentive designs.
#[derive(Debug, Parser)]
#[command(name = "linli", version, about, long_about = None)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a scenario (the embedded Wanke Chenghua default when no file is given).
    Run(RunArgs),
    /// Validate a scenario file without running it.
    Check {
        /// The scenario file.
        scenario: PathBuf,
    },
    /// Print a fully commented scenario template with every key at its default.
    Init,
    /// Print the JSON Schema of the scenario format (for editor completion and checking).
    Schema,
    /// Measure speed (resident-days per second) and memory per resident.
    Bench(BenchArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The scenario file (TOML); leave out to run the embedded default.
    pub scenario: Option<PathBuf>,
    /// Output folder [default: outputs/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Number of replicates (overrides the scenario).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: Option<u32>,
    /// Base random seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// Replicates of the default scenario to time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: u32,
    /// Simulated days per replicate (burn-in is skipped in the benchmark).
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..))]
    pub days: u32,
    /// Residents of the single-replicate scaling run (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub large_residents: u32,
    /// Simulated days of the single-replicate scaling run.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub large_days: u32,
}
