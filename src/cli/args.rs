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
    /// Print the default scenario (what `linli run` runs without a file) with every key commented.
    Init {
        /// Print a blank template instead: built-in defaults, every policy off, no events.
        #[arg(long)]
        blank: bool,
    },
    /// Print the JSON Schema of the scenario format (for editor completion and checking).
    Schema,
    /// Compare incentive designs: the [[arm]]s of one scenario, or several scenario files.
    Compare(CompareArgs),
    /// Run the [sweep] of a scenario: every design point times the replicates.
    Sweep(SweepArgs),
    /// Run the [sensitivity] analysis of a scenario: Morris screening and Sobol indices.
    Sensitivity(SensitivityArgs),
    /// Fit the [calibration] parameters of a scenario to its targets: history matching, then ABC-SMC.
    Calibrate(CalibrateArgs),
    /// Join the folders of a sharded sweep or sensitivity analysis into the final outputs.
    Merge(MergeArgs),
    /// Measure speed (resident-days per second) and memory per resident.
    Bench(BenchArgs),
    /// Run the 15 pre-registered validation patterns of docs/VALIDATION.md and judge each PASS or FAIL.
    Validate(ValidateArgs),
    /// Serve the workbench in the browser on this machine: pick a community, set levers for 2-4 designs, compare.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Scenario files to offer beside the shipped communities (each checked as `linli check` does).
    pub files: Vec<PathBuf>,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. The default serves this machine only; another address opens the
    /// workbench to the network, without any login.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Worker threads for the simulations [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Replicates per arm [default: 100, or 4 with --quick].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub replicates: Option<u32>,
    /// Output folder.
    #[arg(long, default_value = "outputs/validation")]
    pub out: PathBuf,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Run only these patterns (numbers 1-15, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<u32>,
    /// A fast smoke test: the single-arm patterns 3, 4, 8, 14 and 15 (unless --only says) with
    /// 4 replicates (unless --replicates says).
    #[arg(long)]
    pub quick: bool,
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
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Days at the end of the run that the statistics cover.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..))]
    pub window_days: u32,
    /// Keep doubling the replicates until every headline 95% interval (change in mean active
    /// rate, each group) is narrower than this (a share above 0 and at most 1, e.g. 0.01 for
    /// one percentage point).
    #[arg(long, value_parser = interval_width)]
    pub until_ci: Option<f64>,
    /// Posterior draws from `linli calibrate` (its posterior.csv): replicate r of every arm runs
    /// under draw r, and the comparison adds each arm's probability of beating the baseline.
    #[arg(long, value_name = "DRAWS")]
    pub posterior: Option<PathBuf>,
    /// The most replicates per arm that --until-ci may run.
    #[arg(long, default_value_t = 320)]
    pub max_replicates: u32,
}

/// An interval width for `--until-ci`: a finite share in (0, 1]; -1, nan and inf are refused.
fn interval_width(text: &str) -> Result<f64, String> {
    let width: f64 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if width.is_finite() && width > 0.0 && width <= 1.0 {
        Ok(width)
    } else {
        Err(format!(
            "`{text}` is not an interval width: give a share above 0 and at most 1 (0.01 is one percentage point)"
        ))
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct StudyArgs {
    /// The scenario file, with a [sweep] (or [sensitivity]) section.
    pub scenario: PathBuf,
    /// Output folder [default: outputs/<scenario name>-sweep/ or -sensitivity/]. Points are
    /// saved there as they finish.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replicates per point (overrides the scenario).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: Option<u32>,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Run only shard K of N (1-based): the points whose number leaves remainder K-1 when
    /// divided by N. Join the shards' folders with `linli merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<linli::experiment::explore::Shard>,
    /// Continue an interrupted run in --out: run only the points not yet saved.
    #[arg(long, conflicts_with = "restart")]
    pub resume: bool,
    /// Discard the points already saved in --out and start again.
    #[arg(long)]
    pub restart: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SweepArgs {
    #[command(flatten)]
    pub study: StudyArgs,
    /// Posterior draws from `linli calibrate` (its posterior.csv): replicate r of every point
    /// runs under draw r, so the points' spread includes what the evidence leaves open.
    #[arg(long, value_name = "DRAWS")]
    pub posterior: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SensitivityArgs {
    #[command(flatten)]
    pub study: StudyArgs,
    /// Methods to run, overriding `sensitivity.methods` (e.g. `--method morris` for a cheap screening).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub method: Vec<MethodArg>,
}

/// A sensitivity method on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MethodArg {
    Morris,
    Sobol,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CalibrateArgs {
    /// The scenario file, with a [calibration] section.
    pub scenario: PathBuf,
    /// Output folder [default: outputs/<scenario name>-calibration/, or -coverage/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Instead of calibrating to the file's figures, run a coverage study: N synthetic truths
    /// drawn from the prior, each calibrated to figures simulated at it (docs/CALIBRATION.md).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub coverage: Option<u32>,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Continue an interrupted calibration in --out: reuse its saved simulations and run only
    /// the missing ones.
    #[arg(long, conflicts_with_all = ["restart", "coverage"])]
    pub resume: bool,
    /// Discard the simulations saved in --out and start again.
    #[arg(long, conflicts_with = "coverage")]
    pub restart: bool,
    /// Run as shard K of N of one calibration: every shard is started with the same --out (a
    /// folder they all see), runs its share of each batch of simulations and waits for the
    /// others'; shard 1 writes the outputs.
    #[arg(long, value_name = "K/N", conflicts_with_all = ["restart", "coverage"])]
    pub shard: Option<linli::experiment::explore::Shard>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// Folders written by `linli sweep --shard` or `linli sensitivity --shard` (any order).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder for the joined results.
    #[arg(long)]
    pub out: PathBuf,
}

/// Options every simulating command takes.
#[derive(Debug, clap::Args)]
pub(crate) struct ExecArgs {
    /// Base random seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

impl ExecArgs {
    /// The worker threads to use.
    pub fn threads(&self) -> usize {
        self.threads.map_or_else(super::plan::default_threads, usize::from)
    }
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
    /// Also write individual-level data: every resident's acts (events.parquet); the same as
    /// `agents = true` in the scenario's [output] section.
    #[arg(long)]
    pub agents: bool,
    /// The format of the individual-level data [default: the scenario's, or parquet].
    #[arg(long, value_enum)]
    pub agents_format: Option<linli::output::agents::AgentsFormat>,
    #[command(flatten)]
    pub exec: ExecArgs,
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
    /// Pairs of runs of the single-replicate scaling run, each on 1 thread then on all threads
    /// (its speed-up is the median of the pairs' ratios).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub large_pairs: u32,
    /// Also run one replicate of a city (21 million residents) for a year on every thread, and
    /// report its wall time and peak memory per resident (minutes, and about 3 GB).
    #[arg(long)]
    pub city: bool,
    /// A previous linli binary: run its bench and this one's alternately (`--pairs` times) and
    /// report the medians and their ratio instead.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,
    /// Alternating pairs of runs with `--baseline`.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub pairs: u32,
}
