//! `linli compare`: run arms on common random numbers, compare them with the baseline, write
//! `comparison.csv`, `comparison.json`, plots and `report.html`, print the headline.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::bail;

use super::args::CompareArgs;
use super::plan::{load_scenario, override_run};
use linli::compare::{ArmRun, Comparison, Group, Metric, compare, run_arms, widest_headline_interval};
use linli::engine::parallel::thread_pool;
use linli::output::Staging;
use linli::output::comparison::ComparisonContext;
use linli::output::progress::Progress;
use linli::output::input::read_scenario_text;
use linli::scenario::arms::{Arm, resolve};
use linli::simulate::days_per_replicate;

pub(crate) fn run(args: &CompareArgs) -> anyhow::Result<()> {
    let (arms, sources) = load_arms(&args.files, args.replicates, args.exec.seed)?;
    let base = &arms[0].scenario;
    let out_dir =
        args.out.clone().unwrap_or_else(|| Path::new("outputs").join(format!("{}-comparison", base.scenario.name)));
    let staging = Staging::replace_folder(&out_dir, "compare", &linli::output::COMPARE_FILES)?;
    let threads = args.exec.threads();
    let pool = thread_pool(threads)?;
    let started = Instant::now();
    let mut replicates = base.scenario.replicates;
    let max = args.max_replicates.max(replicates);
    let progress = Progress::new("comparing", 0);
    let mut runs = pool.install(|| run_batch(&arms, 0..replicates, &progress));
    let mut comparison = compare(&runs, args.window_days as usize);
    if let Some(width) = args.until_ci {
        while widest_headline_interval(&comparison) > width && replicates < max {
            let more = replicates.min(max - replicates);
            let extra = pool.install(|| run_batch(&arms, replicates..replicates + more, &progress));
            for (run, extra) in runs.iter_mut().zip(extra) {
                run.output.replicates.extend(extra.output.replicates);
            }
            replicates += more;
            comparison = compare(&runs, args.window_days as usize);
        }
    }
    progress.finish();
    let texts: Vec<String> = args.files.iter().map(|f| read_scenario_text(f)).collect::<anyhow::Result<_>>()?;
    let context = ComparisonContext {
        runs: &runs,
        sources: &sources,
        texts: &texts,
        seed: base.scenario.seed,
        runtime_seconds: started.elapsed().as_secs_f64(),
    };
    let written = linli::output::write_comparison(staging, &comparison, &context)?;
    print!("{}", headline_screen(&comparison, &runs, &out_dir, &written, args.until_ci));
    Ok(())
}

fn run_batch(arms: &[Arm], range: std::ops::Range<u32>, progress: &Progress) -> Vec<ArmRun> {
    let replicates: Vec<u32> = range.collect();
    let days: u64 = arms.iter().map(|a| days_per_replicate(&a.scenario)).sum();
    progress.inc_length(days * replicates.len() as u64);
    run_arms(arms, &replicates, &|| progress.inc(1))
}

/// Arms from one file's `[[arm]]` tables, or one arm per file (the files must describe the
/// same community; the first file's seed, dates and replicates hold for all).
fn load_arms(files: &[PathBuf], replicates: Option<u32>, seed: Option<u64>) -> anyhow::Result<(Vec<Arm>, Vec<String>)> {
    let sources: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut arms = if files.len() == 1 {
        let scenario = load_scenario(&files[0])?;
        let arms = resolve(&scenario).map_err(|e| anyhow::anyhow!("{:?}", e.problem))?;
        if arms.len() < 2 {
            bail!(
                "{} declares {} [[arm]]: a comparison needs at least two arms, or several scenario files",
                files[0].display(),
                arms.len()
            );
        }
        arms
    } else {
        files_as_arms(files)?
    };
    for arm in &mut arms {
        override_run(&mut arm.scenario, replicates, seed);
    }
    Ok((arms, sources))
}

fn files_as_arms(files: &[PathBuf]) -> anyhow::Result<Vec<Arm>> {
    let mut arms = Vec::new();
    for file in files {
        let mut scenario = load_scenario(file)?;
        if let Some(first) = arms.first().map(|a: &Arm| &a.scenario) {
            if scenario.community != first.community {
                bail!(
                    "{} describes a different community from {} ([community] differs)",
                    file.display(),
                    files[0].display()
                );
            }
            scenario.scenario.seed = first.scenario.seed;
            scenario.scenario.replicates = first.scenario.replicates;
            scenario.scenario.start_date = first.scenario.start_date;
            scenario.scenario.days = first.scenario.days;
            scenario.scenario.burn_in_days = first.scenario.burn_in_days;
        }
        scenario.arms.clear();
        let name = scenario.scenario.name.clone();
        let description = scenario.scenario.description.clone();
        arms.push(Arm { name, description, scenario });
    }
    check_unique_names(&arms, files)?;
    Ok(arms)
}

/// Each file's `scenario.name` names its arm, so two files with one name are refused.
fn check_unique_names(arms: &[Arm], files: &[PathBuf]) -> anyhow::Result<()> {
    for (index, arm) in arms.iter().enumerate() {
        if let Some(first) = arms[..index].iter().position(|earlier| earlier.name == arm.name) {
            bail!(
                "{} and {} are both named {:?} ([scenario] name): each file is an arm, and its name must be unique",
                files[first].display(),
                files[index].display(),
                arm.name
            );
        }
    }
    Ok(())
}

fn headline_screen(
    comparison: &Comparison,
    runs: &[ArmRun],
    out_dir: &Path,
    written: &[PathBuf],
    until_ci: Option<f64>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "linli {}: {} arms against the baseline `{}`, {} replicates each (common random numbers), last {} days",
        linli::VERSION,
        runs.len(),
        comparison.baseline,
        comparison.replicates,
        comparison.window_days
    );
    if let Some(width) = until_ci {
        let widest = widest_headline_interval(comparison);
        let verdict = if widest <= width { "reached" } else { "not reached at the maximum" };
        let _ = writeln!(s, "target interval width {width}: {verdict} (widest {widest:.4})");
    }
    let _ = writeln!(s, "\nchange in mean active rate against the baseline (95% CI, Holm-adjusted p):");
    for run in &runs[1..] {
        let _ = writeln!(s, "  {}", run.name);
        for group in Group::ALL {
            let row = comparison
                .rows
                .iter()
                .find(|r| r.arm == run.name && r.group == group && r.metric == Metric::MeanActiveRate);
            if let Some((row, d)) = row.and_then(|r| r.difference.map(|d| (r, d))) {
                let p_holm = row.p_holm.unwrap_or(f64::NAN);
                let (_, words) = linli::output::report::verdict(d.includes_zero(), p_holm, d.mean);
                let verdict = format!("  {words}");
                let _ = writeln!(
                    s,
                    "    {:<11} {:+6.2} points ({:+.2} to {:+.2}), p = {:.3}{verdict}",
                    group.name(),
                    d.mean * 100.0,
                    d.ci95_low * 100.0,
                    d.ci95_high * 100.0,
                    p_holm
                );
            }
        }
    }
    let _ = writeln!(s, "\ncost per additional active resident (over the window):");
    for cost in &comparison.costs {
        match cost.yuan_per_additional_active {
            Some(yuan) => {
                let _ = writeln!(
                    s,
                    "  {:<24} {:>10.0} yuan ({:+.0} active residents)",
                    cost.arm, yuan, cost.additional_active.mean
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {:<24} no gain detected: the interval of additional active residents includes zero",
                    cost.arm
                );
            }
        }
    }
    let _ = writeln!(s, "\noutputs in {}:", out_dir.display());
    for path in written {
        let _ = writeln!(s, "  {}", path.file_name().unwrap_or_default().to_string_lossy());
    }
    s
}
