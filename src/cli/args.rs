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
    /// Compare incentive designs: the [[arm]]s of one scenario, or several scenario files.
    Compare(CompareArgs),
    /// Measure speed (resident-days per second) and memory per resident.
    Bench(BenchArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// One scenario with [[arm]] tables, or several scenario files of the same community (the
    /// first is the baseline).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output folder [default: outputs/<scenario name>-comparison/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replicates per arm (overrides the scenario).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub replicates: Option<u32>,
    /// Base random seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Days at the end of the run that the statistics cover.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..))]
    pub window_days: u32,
    /// Keep doubling the replicates until every headline 95% interval (change in mean active
    /// rate, each group) is narrower than this (a share, e.g. 0.01 for one point).
    #[arg(long)]
    pub until_ci: Option<f64>,
    /// The most replicates per arm that --until-ci may run.
    #[arg(long, default_value_t = 320)]
    pub max_replicates: u32,
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
