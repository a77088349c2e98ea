//! `linli sweep`, `linli sensitivity` and `linli merge`: run a study's design points in
//! parallel, saving each as it finishes, then (or after merging shards) write the results.

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::bail;
use rayon::prelude::*;

use super::args::{MergeArgs, MethodArg, SensitivityArgs, StudyArgs, SweepArgs};
use super::plan::{load_plan, override_run};
use linli::engine::parallel::thread_pool;
use linli::experiment::Plan;
use linli::experiment::explore::{Kind, Shard, Study};
use linli::experiment::study::Method;
use linli::output::Staging;
use linli::output::progress::Progress;
use linli::output::study::{Existing, Gathered, StudyDir, gather};
use linli::output::study_results::{Results, runs_file, write_results};

pub(crate) fn sweep(args: &SweepArgs) -> anyhow::Result<()> {
    let plan = plan_for(&args.study)?;
    run_study(&args.study, Kind::Sweep, plan, args.posterior.as_deref())
}

pub(crate) fn sensitivity(args: &SensitivityArgs) -> anyhow::Result<()> {
    let mut plan = plan_for(&args.study)?;
    if let (Some(spec), false) = (plan.sensitivity.as_mut(), args.method.is_empty()) {
        spec.methods = args
            .method
            .iter()
            .map(|m| match m {
                MethodArg::Morris => Method::Morris,
                MethodArg::Sobol => Method::Sobol,
            })
            .collect();
        spec.methods.sort_by_key(|m| m.name());
        spec.methods.dedup();
    }
    run_study(&args.study, Kind::Sensitivity, plan, None)
}

pub(crate) fn merge(args: &MergeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let gathered = gather(&args.dirs)?;
    finish(&gathered, &args.out, started)
}

/// The file with the command line's overrides.
fn plan_for(args: &StudyArgs) -> anyhow::Result<Plan> {
    let mut plan = load_plan(&args.scenario)?;
    override_run(&mut plan.scenario, args.replicates, args.exec.seed);
    Ok(plan)
}

fn run_study(args: &StudyArgs, kind: Kind, plan: Plan, posterior: Option<&Path>) -> anyhow::Result<()> {
    let started = Instant::now();
    let file = args.scenario.display();
    let mut study = Study::of(kind, &plan)
        .map_err(|p| anyhow::anyhow!("{file}: no [{}] section: {}", p.key, p.help.unwrap_or_default()))?;
    if let Some(path) = posterior {
        let draws = super::compare::read_draws(path)?;
        study = study.under_posterior(draws).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    if let Some((index, p)) = study.first_invalid_point() {
        bail!(
            "{file}: design point {index} is not a valid scenario: {}: expected {}, found {}",
            p.key,
            p.expected,
            p.found
        );
    }
    let default_out = format!("{}-{}", plan.scenario.scenario.name, kind.name());
    let out = args.out.clone().unwrap_or_else(|| Path::new("outputs").join(default_out));
    let existing = match (args.resume, args.restart) {
        (true, _) => Existing::Resume,
        (_, true) => Existing::Restart,
        _ => Existing::Refuse,
    };
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let dir = StudyDir::prepare(&out, &study, shard, existing)?;
    let done = dir.finished()?;
    let pending: Vec<usize> = (0..study.points.len()).filter(|&i| shard.holds(i) && !done.contains(&i)).collect();
    let held = (0..study.points.len()).filter(|&i| shard.holds(i)).count();
    eprintln!(
        "linli {}: {} of {} points to run{} ({} already saved), {} replicates each, into {}",
        kind.name(),
        pending.len(),
        held,
        if shard == Shard::WHOLE { String::new() } else { format!(" in shard {shard}") },
        held - pending.len(),
        study.plan.scenario.scenario.replicates,
        out.display()
    );
    let threads = args.exec.threads();
    let progress = Progress::new(kind.name(), pending.len() as u64 * study.days_per_point());
    thread_pool(threads)?.install(|| {
        pending.par_iter().try_for_each(|&index| {
            let rows = study.run_point(index, &|| progress.inc(1)).map_err(|p| {
                anyhow::anyhow!(
                    "{file}: design point {index} under its posterior draw: {}: expected {}, found {}",
                    p.key,
                    p.expected,
                    p.found
                )
            })?;
            dir.write_part(&study, index, &rows)
        })
    })?;
    progress.finish();
    if shard != Shard::WHOLE {
        println!(
            "shard {shard}: {held} points saved in {}; when every shard has finished, join them with\n  \
             linli merge <the shards' folders> --out <folder>",
            out.display()
        );
        return Ok(());
    }
    finish(&gather(std::slice::from_ref(&out))?, &out, started)
}

/// Writes the results of a complete study into `out` and prints where they are.
fn finish(gathered: &Gathered, out: &Path, started: Instant) -> anyhow::Result<()> {
    let results = write_results(Staging::add_files(out, gathered.study.kind.name())?, gathered)?;
    print!("{}", screen(gathered, out, &results, started));
    Ok(())
}

fn screen(gathered: &Gathered, out: &Path, results: &Results, started: Instant) -> String {
    let study = &gathered.study;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "linli {}: {} of {}: {} points x {} replicates, {} parameters, in {:.1} s",
        linli::VERSION,
        study.kind.name(),
        study.plan.scenario.scenario.name,
        study.points.len(),
        study.plan.scenario.scenario.replicates,
        study.parameters.len(),
        started.elapsed().as_secs_f64()
    );
    let _ = writeln!(s, "\n{}", results.findings);
    let _ =
        writeln!(s, "outputs in {} ({} has one row per point and replicate):", out.display(), runs_file(study.kind));
    for path in &results.files {
        let _ = writeln!(s, "  {}", path.file_name().unwrap_or_default().to_string_lossy());
    }
    s
}
