//! `linli calibrate`: fit a scenario's `[calibration]` parameters to its targets, with progress
//! per wave and generation, and write the posterior and its diagnostics.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::anyhow;

use super::args::CalibrateArgs;
use super::plan::{load_plan, override_run};
use linli::engine::parallel::thread_pool;
use linli::experiment::calibrate::Calibration;
use linli::experiment::calibrate::abc::Generation;
use linli::experiment::calibrate::run::{self, Listener, Outcome, calibrate};
use linli::experiment::explore::Shard;
use linli::output::Staging;
use linli::output::calibration::{self, COVERAGE_FILES, FILES, Provenance};
use linli::output::calibration_store::{self, Saved, SimulationStore};
use linli::output::progress::Progress;

/// The progress of a calibration on stderr: replicate-days, and a line per stage and generation.
struct Report {
    progress: Progress,
}

impl Listener for Report {
    fn day(&self) {
        self.progress.inc(1);
    }
    fn stage(&self, description: &str, days: u64) {
        self.progress.note(&format!("linli calibrate: {description}"));
        self.progress.inc_length(days);
    }
    fn more_days(&self, days: u64) {
        self.progress.inc_length(days);
    }
    fn generation(&self, number: usize, g: &Generation) {
        self.progress.note(&format!(
            "  ABC-SMC generation {number}: tolerance {:.2} (1 is the targets' own error), effective sample {:.0}, \
             {:.0}% of moves accepted",
            g.epsilon,
            g.ess,
            100.0 * g.acceptance
        ));
    }
}

pub(crate) fn run(args: &CalibrateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut plan = load_plan(&args.scenario)?;
    override_run(&mut plan.scenario, None, args.exec.seed);
    let file = args.scenario.display().to_string();
    let spec = plan.calibration.as_ref().ok_or_else(|| {
        anyhow!("{file}: no [calibration] section: add parameters with priors and [[calibration.target]]s (docs/CALIBRATION.md)")
    })?;
    let cal =
        Calibration::resolve(&plan.scenario, spec, &[]).map_err(|p| anyhow!("{file}: {}: {}", p.key, p.expected))?;
    let kind = if args.coverage.is_some() { "coverage" } else { "calibration" };
    let name = &plan.scenario.scenario.name;
    let out = args.out.clone().unwrap_or_else(|| Path::new("outputs").join(format!("{name}-{kind}")));
    let seed = plan.scenario.scenario.seed;
    let threads = args.exec.threads();
    if let Some(truths) = args.coverage {
        return coverage(&cal, truths as usize, seed, threads, &out, started);
    }
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let leader = shard.index == 1;
    let mut known = FILES.to_vec();
    known.push(calibration_store::FOLDER);
    let staging = if leader { Some(Staging::replace_folder(&out, "calibrate", &known)?) } else { None };
    let saved = match (args.resume || args.shard.is_some(), args.restart) {
        (true, _) => Saved::Reuse,
        (_, true) => Saved::Discard,
        _ => Saved::Refuse,
    };
    let text = toml::to_string(&plan).map_err(|e| anyhow!("cannot serialise the scenario: {e}"))?;
    let store = SimulationStore::open(&out, &text, shard, saved)?;
    eprintln!(
        "linli calibrate: {} parameters, {} targets fitted and {} checked, seed {seed}, {threads} threads{}, into {}",
        cal.parameters.len(),
        cal.fitted(),
        cal.targets.len() - cal.fitted(),
        if shard == Shard::WHOLE { String::new() } else { format!(", shard {shard}") },
        out.display()
    );
    let report = Report { progress: Progress::new("calibrate", 0) };
    let outcome = thread_pool(threads)?.install(|| calibrate(&cal, seed, &report, Some(&store)))?;
    report.progress.finish();
    let Some(staging) = staging else {
        println!(
            "shard {shard}: its share of every simulation is saved in {}; shard 1 writes the outputs",
            out.display()
        );
        return Ok(());
    };
    // The saved simulations stay with the outputs, so a later --resume reuses them.
    let mut staging = staging;
    staging.keep_folder(calibration_store::FOLDER);
    let files = calibration::write(staging, &cal, &outcome, &Provenance { source: &file, seed })?;
    print!("{}", screen(&cal, &outcome, &out, &files, started));
    Ok(())
}

/// A coverage study: quiet calibrations, one line per trial, the rate against its criterion.
fn coverage(
    cal: &Calibration,
    truths: usize,
    seed: u64,
    threads: usize,
    out: &Path,
    started: Instant,
) -> anyhow::Result<()> {
    let staging = Staging::replace_folder(out, "calibrate-coverage", &COVERAGE_FILES)?;
    eprintln!(
        "linli calibrate --coverage: {truths} synthetic truths, each calibrated, {threads} threads, into {}",
        out.display()
    );
    let progress = Progress::counting("coverage", truths as u64, "synthetic calibrations");
    let on_trial = |t: usize, trial: &run::Trial| {
        let covered = trial.covered().iter().filter(|&&c| c).count();
        progress.note(&format!("  trial {}: {covered} of {} parameters covered", t + 1, trial.truth.len()));
        progress.inc(1);
    };
    let trials = thread_pool(threads)?.install(|| run::coverage(cal, truths, seed, &Quiet, &on_trial));
    progress.finish();
    let files = calibration::write_coverage(staging, cal, &trials, seed)?;
    let rate = calibration::coverage_rate(&trials);
    let (low, high) = calibration::COVERAGE_BAND;
    let verdict = if (low..=high).contains(&rate) { "PASS" } else { "FAIL" };
    println!(
        "linli {}: coverage of 90% credible intervals over {truths} synthetic truths x {} parameters: {:.1}% \
         (criterion {:.0}-{:.0}%): {verdict}, in {:.1} s",
        linli::VERSION,
        cal.parameters.len(),
        100.0 * rate,
        100.0 * low,
        100.0 * high,
        started.elapsed().as_secs_f64()
    );
    for path in files {
        println!("  {}", path.display());
    }
    Ok(())
}

/// Hears nothing: a coverage study's calibrations run silently.
struct Quiet;

impl Listener for Quiet {
    fn day(&self) {}
    fn stage(&self, _: &str, _: u64) {}
    fn more_days(&self, _: u64) {}
    fn generation(&self, _: usize, _: &Generation) {}
}

fn screen(cal: &Calibration, outcome: &Outcome, out: &Path, files: &[std::path::PathBuf], started: Instant) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "linli {}: calibration of {}: {} simulations in {:.1} s",
        linli::VERSION,
        cal.base.scenario.name,
        outcome.simulations,
        started.elapsed().as_secs_f64()
    );
    let _ = writeln!(s, "\n{}\n", calibration::verdict(cal, outcome));
    if let Some(fit) = &outcome.fit {
        let _ = writeln!(s, "{:<44} {:>10} {:>10} {:>10} {:>11}", "parameter", "5%", "median", "95%", "contraction");
        for m in &fit.marginals {
            let _ = writeln!(
                s,
                "{:<44} {:>10.4} {:>10.4} {:>10.4} {:>11.2}",
                m.parameter, m.q05, m.median, m.q95, m.contraction
            );
        }
        let _ = writeln!(
            s,
            "\n{:<52} {:>9} {:>9} {:>9} {:>9} {:>7}",
            "target (* fitted)", "observed", "5%", "median", "95%", "p"
        );
        for p in &fit.predictive {
            let name = format!("{}{}", if p.fitted { "* " } else { "  " }, p.target);
            let _ = writeln!(
                s,
                "{name:<52} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>7.3}",
                p.observed, p.q05, p.median, p.q95, p.p_value
            );
        }
    }
    let _ =
        writeln!(s, "\noutputs in {} (posterior.csv has the draws `linli compare --posterior` takes):", out.display());
    for path in files {
        let _ = writeln!(s, "  {}", path.file_name().unwrap_or_default().to_string_lossy());
    }
    s
}
