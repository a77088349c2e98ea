//! `linli validate`: run the pre-registered validation patterns, write their verdicts through a staging folder, and print one line per pattern.

use std::time::Instant;

use anyhow::anyhow;

use super::args::ValidateArgs;
use linli::engine::parallel::thread_pool;
use linli::experiment::validate::{DEFAULT_REPLICATES, QUICK_PATTERNS, prepare, run as run_patterns, select};
use linli::output::Staging;
use linli::output::progress::Progress;
use linli::output::validation::{console_summary, validation_files, write_validation};

/// Replicates per arm of `--quick` unless `--replicates` says.
const QUICK_REPLICATES: u32 = 4;

pub(crate) fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    let (replicates, only) = settings(args);
    let patterns = select(&only).map_err(|e| anyhow!("--only: {e}"))?;
    let prepared = prepare(patterns, replicates).map_err(|e| anyhow!("{e}"))?;
    let known: Vec<String> = validation_files();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let mut staging = Staging::replace_folder(&args.out, "validate", &known)?;
    let threads = args.threads.map_or_else(super::plan::default_threads, usize::from);
    let pool = thread_pool(threads)?;
    let started = Instant::now();
    eprintln!(
        "validating {} patterns: {} distinct arms x {replicates} replicates on {threads} threads",
        prepared.patterns.len(),
        prepared.arms.len()
    );
    let progress = Progress::new("validating", prepared.total_days());
    let validation = pool.install(|| run_patterns(&prepared, &|| progress.inc(1)));
    progress.finish();
    write_validation(&mut staging, &validation, started.elapsed().as_secs_f64())?;
    staging.commit()?;
    print!("{}", console_summary(&validation));
    println!("written to {} in {:.0} s", args.out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Replicates per arm and the patterns to run, after `--quick`.
fn settings(args: &ValidateArgs) -> (u32, Vec<u32>) {
    let default_replicates = if args.quick { QUICK_REPLICATES } else { DEFAULT_REPLICATES };
    let only = if args.quick && args.only.is_empty() { QUICK_PATTERNS.to_vec() } else { args.only.clone() };
    (args.replicates.unwrap_or(default_replicates), only)
}
