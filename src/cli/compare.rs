//! `linli compare`: run arms on common random numbers, compare them with the baseline, write
//! `comparison.csv`, `comparison.json`, plots and `report.html`, print the headline.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::bail;

use super::args::CompareArgs;
use super::plan::{load_plan_and_text, override_run};
use linli::engine::parallel::thread_pool;
use linli::experiment::arms::{Arm, resolve};
use linli::experiment::compare::Verdict;
use linli::experiment::compare::{
    ArmRun, Comparison, Group, Metric, arms_statement, compare, run_arms, widest_headline_interval,
};
use linli::experiment::compare_measures::MeasureRow;
use linli::experiment::plan::Sections;
use linli::experiment::posterior::{Draws, Misfit, add_posterior, misfit, run_arms_under};
use linli::output::Staging;
use linli::output::bottom_line::{BottomLine, bottom_line};
use linli::output::comparison::ComparisonContext;
use linli::output::progress::Progress;
use linli::output::wording::{self, p_value, pp, pp_interval, yuan};
use linli::simulate::days_per_replicate;

pub(crate) fn run(args: &CompareArgs) -> anyhow::Result<()> {
    let Loaded { arms, sources, texts, statement, question } = load_arms(&args.files, args.replicates, args.exec.seed)?;
    let draws = args.posterior.as_deref().map(|path| load_draws(path, &arms)).transpose()?;
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
    let batch = |range: std::ops::Range<u32>| pool.install(|| run_batch(&arms, range, draws.as_ref(), &progress));
    let mut runs = batch(0..replicates);
    let mut comparison = compare(&runs, args.window_days as usize);
    if let Some(width) = args.until_ci {
        while widest_headline_interval(&comparison) > width && replicates < max {
            let more = replicates.min(max - replicates);
            let extra = batch(replicates..replicates + more);
            for (run, extra) in runs.iter_mut().zip(extra) {
                run.extend(extra);
            }
            replicates += more;
            comparison = compare(&runs, args.window_days as usize);
        }
    }
    progress.finish();
    if let (Some(draws), Some(path)) = (&draws, &args.posterior) {
        add_posterior(&mut comparison, &runs, &path.display().to_string(), draws.rows.len());
    }
    let line = bottom_line(&comparison, &question);
    let context = ComparisonContext {
        runs: &runs,
        sources: &sources,
        texts: &texts,
        seed: base.scenario.seed,
        runtime_seconds: started.elapsed().as_secs_f64(),
        arms_statement: &statement,
        bottom_line: &line,
    };
    let written = linli::output::write_comparison(staging, &comparison, &context)?;
    let mut screen = bottom_line_screen(&line);
    let _ = writeln!(screen, "{statement}");
    screen.push_str(&posterior_screen(&comparison));
    screen.push_str(&headline_screen(&comparison, &runs, &out_dir, &written, args.until_ci));
    print!("{screen}");
    Ok(())
}

fn run_batch(arms: &[Arm], range: std::ops::Range<u32>, draws: Option<&Draws>, progress: &Progress) -> Vec<ArmRun> {
    let replicates: Vec<u32> = range.collect();
    let days: u64 = arms.iter().map(|a| days_per_replicate(&a.scenario)).sum();
    progress.inc_length(days * replicates.len() as u64);
    match draws {
        Some(draws) => run_arms_under(arms, &replicates, draws, &|| progress.inc(1)),
        None => run_arms(arms, &replicates, &|| progress.inc(1)),
    }
}

/// Under `--posterior`: each arm's probability of beating the baseline, in words first.
fn posterior_screen(comparison: &Comparison) -> String {
    let Some(posterior) = &comparison.posterior else { return String::new() };
    let mut s = format!(
        "Under the calibration's uncertainty ({} replicates, each under one of {} posterior draws from {}; every \
         interval below includes what the evidence leaves open about the parameters):\n",
        posterior.replicates, posterior.draws, posterior.draws_file
    );
    for e in &posterior.effects {
        let _ = writeln!(
            s,
            "  {:<14} {:<11} P(better) {:.2}, change {} to {} (90% of replicates): {}",
            e.arm,
            e.group.name(),
            e.probability_better,
            pp(e.change_q05),
            pp(e.change_q95),
            e.reading
        );
        if let (Some([low, median, high]), Some(without)) = (e.yuan_per_extra_active, e.share_without_gain) {
            let _ = writeln!(
                s,
                "  {:<26} cost per extra active resident {} (90%: {} to {}); no gain in {:.0}% of replicates",
                "",
                yuan(Some(median)),
                yuan(Some(low)),
                yuan(Some(high)),
                100.0 * without
            );
        }
    }
    s.push('\n');
    s
}

/// Reads a posterior draws file; a bad cell is named by line and column.
pub(crate) fn read_draws(path: &Path) -> anyhow::Result<Draws> {
    let file = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
    Draws::parse(&text).map_err(|p| {
        anyhow::anyhow!("{file}:{}:{}: {}: expected {}, found {}", p.line, p.column, p.key, p.expected, p.found)
    })
}

/// Reads posterior draws and checks that every draw makes a valid scenario of every arm.
fn load_draws(path: &Path, arms: &[Arm]) -> anyhow::Result<Draws> {
    let file = path.display();
    let draws = read_draws(path)?;
    match misfit(&draws, arms) {
        None => Ok(draws),
        Some(Misfit::SetsDrawnKey { arm, path }) => bail!(
            "{file}: arm «{arm}» sets {path}, which the posterior draws also set: under the posterior the arm would \
             lose its own setting. Compare arms that differ in keys the calibration did not fit"
        ),
        Some(Misfit::Invalid { draw, arm, problem: p }) => bail!(
            "{file}:{}: draw {draw} does not fit arm «{arm}»: {}: expected {}, found {}",
            draws.lines[draw],
            p.key,
            p.expected,
            p.found
        ),
    }
}

/// The arms to run and what the comparison says about them.
struct Loaded {
    arms: Vec<Arm>,
    sources: Vec<String>,
    /// The files' texts as read, for the report.
    texts: Vec<String>,
    /// Which arms run and which is the baseline, in words.
    statement: String,
    /// `[comparison] question` of the (first) file.
    question: String,
}

/// Arms from one file's `[[arm]]` tables, or one arm per file (the files must describe the
/// same community; the first file's seed, dates and replicates hold for all).
fn load_arms(files: &[PathBuf], replicates: Option<u32>, seed: Option<u64>) -> anyhow::Result<Loaded> {
    let sources: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut texts = Vec::new();
    let (mut arms, statement) = if files.len() == 1 {
        let (plan, text) = load_plan_and_text(&files[0])?;
        texts.push(text);
        let arms = resolve(&plan).map_err(|e| anyhow::anyhow!("{:?}", e.problem))?;
        if arms.len() < 2 {
            bail!(
                "{} declares {} [[arm]]: a comparison needs at least two arms, or several scenario files",
                files[0].display(),
                arms.len()
            );
        }
        let statement = arms_statement(&plan, &arms);
        (arms, statement)
    } else {
        let arms = files_as_arms(files, &mut texts)?;
        let statement = files_statement(&arms, &sources);
        (arms, statement)
    };
    let question = arms[0].sections.comparison.question.clone();
    for arm in &mut arms {
        override_run(&mut arm.scenario, replicates, seed);
    }
    if arms[0].scenario.scenario.replicates < 2 {
        bail!(
            "{}: a comparison needs at least 2 replicates per arm for its intervals; the file asks for {} \
             (set [scenario] replicates, or pass --replicates)",
            files[0].display(),
            arms[0].scenario.scenario.replicates
        );
    }
    Ok(Loaded { arms, sources, texts, statement, question })
}

/// With several files, each file's own design is an arm and the first is the baseline.
fn files_statement(arms: &[Arm], sources: &[String]) -> String {
    let names: Vec<String> = arms
        .iter()
        .zip(sources)
        .enumerate()
        .map(|(k, (a, file))| {
            let role = if k == 0 { "baseline, " } else { "" };
            format!("«{}» ({role}{file})", a.name)
        })
        .collect();
    format!("{} arms run, one per file, each file's own design: {}.", arms.len(), names.join(", "))
}

/// The answer first: the question and the bottom line in Chinese and English.
fn bottom_line_screen(line: &BottomLine) -> String {
    let mut s = format!("{}\n\n", line.question());
    for sentence in &line.zh {
        let _ = writeln!(s, "  {sentence}");
    }
    s.push('\n');
    for sentence in &line.en {
        let _ = writeln!(s, "  {sentence}");
    }
    s.push('\n');
    s
}

fn files_as_arms(files: &[PathBuf], texts: &mut Vec<String>) -> anyhow::Result<Vec<Arm>> {
    let mut arms = Vec::new();
    for file in files {
        let (plan, text) = load_plan_and_text(file)?;
        texts.push(text);
        // The file's own sections go with it, but not its arms: the file is one arm.
        let sections = Sections { arms: Vec::new(), ..plan.sections() };
        let mut scenario = plan.scenario;
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
        let name = scenario.scenario.name.clone();
        let description = scenario.scenario.description.clone();
        arms.push(Arm { name, description, scenario, sections });
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
    let _ = writeln!(s, "{}", comparison.interval_scope);
    let _ = writeln!(
        s,
        "\nchange in mean active rate against the baseline, in percentage points (95% CI, Holm-adjusted p; \
         smallest difference worth reporting {:.2} pp):",
        comparison.smallest_difference * 100.0
    );
    for run in &runs[1..] {
        let _ = writeln!(s, "  {}", run.name);
        for group in Group::ALL {
            let row = comparison
                .rows
                .iter()
                .find(|r| r.arm == run.name && r.group == group && r.metric == Metric::MeanActiveRate);
            if let Some((row, d, verdict)) = row.and_then(|r| Some((r, r.difference?, r.verdict?))) {
                let words = wording::verdict(verdict, row.metric, comparison.smallest_difference);
                let _ = writeln!(
                    s,
                    "    {:<11} {:>9} ({}), p {}  {words}",
                    group.name(),
                    pp(d.mean),
                    pp_interval(d.ci95_low, d.ci95_high),
                    p_value(row.p_holm.unwrap_or(f64::NAN))
                );
            }
        }
    }
    s.push_str(&cost_screen(comparison));
    s.push_str(&measures_screen(comparison));
    let _ = writeln!(s, "\noutputs in {}:", out_dir.display());
    for path in written {
        let _ = writeln!(s, "  {}", path.file_name().unwrap_or_default().to_string_lossy());
    }
    s
}

/// How many comparisons on who took part differ from the baseline, and the differences of
/// everyone's measures.
fn measures_screen(comparison: &Comparison) -> String {
    let compared: Vec<&MeasureRow> = comparison.measures.iter().filter(|r| r.verdict.is_some()).collect();
    let differ = compared.iter().filter(|r| matches!(r.verdict, Some(Verdict::Higher | Verdict::Lower)));
    let mut s = format!(
        "\nwho took part: {} of {} comparisons of measures by group differ from the baseline \
         (measures_comparison.csv); everyone's that differ:\n",
        differ.count(),
        compared.len()
    );
    let everyone =
        compared.iter().filter(|r| r.group == "all" && matches!(r.verdict, Some(Verdict::Higher | Verdict::Lower)));
    for row in everyone {
        let (Some(d), Some(verdict)) = (row.difference, row.verdict) else { continue };
        let words = wording::measure_verdict(verdict, row.share, comparison.smallest_difference);
        let (change, interval) = wording::measure_change(&d, row.share);
        let _ = writeln!(s, "  {:<18} {:<34} {change:>9} ({interval})  {words}", row.arm, row.measure);
    }
    s
}

fn cost_screen(comparison: &Comparison) -> String {
    let mut s =
        String::from("\ncost per additional active resident (over the window; 95% paired bootstrap interval):\n");
    for cost in &comparison.costs {
        let _ = match cost.yuan_per_additional_active {
            Some(per) => writeln!(
                s,
                "  {:<24} {:>12} ({} to {}; {:+.0} active residents)",
                cost.arm,
                yuan(Some(per)),
                yuan(cost.yuan_per_additional_active_ci95_low),
                yuan(cost.yuan_per_additional_active_ci95_high),
                cost.additional_active.mean
            ),
            None => writeln!(
                s,
                "  {:<24} no gain detected: the interval of additional active residents includes zero",
                cost.arm
            ),
        };
    }
    for order in &comparison.cost_ranking {
        let _ = writeln!(s, "  {} costs less per additional active resident than {}", order.cheaper, order.dearer);
    }
    if comparison.cost_ranking.is_empty() {
        let _ = writeln!(s, "  the intervals do not rank any two arms by cost per additional active resident");
    }
    s
}
