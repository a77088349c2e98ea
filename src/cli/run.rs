//! `linli run`: simulate with a progress bar, write outputs, print a one-screen summary.

use std::fmt::Write;

use super::plan::RunPlan;
use linli::engine::parallel::thread_pool;
use linli::experiment::measures::{Group, MeasureSet};
use linli::experiment::stats::Estimate;
use std::path::PathBuf;

use linli::output::agents::{AgentsFormat, EventLog};
use linli::output::progress::Progress;
use linli::output::residents::ResidentsTable;
use linli::output::summary::{CohortSummary, cohort_summaries, yearly_totals};
use linli::output::{Provenance, Staging, write_all};
use linli::scenario::Scenario;
use linli::simulate::{
    Individuals, PersonYears, Recording, RunOutput, SinkFactory, days_per_replicate, simulate_recording,
};

pub(crate) fn run(plan: RunPlan) -> anyhow::Result<()> {
    // Open the output first: an unwritable folder fails before the simulation, not after.
    let staging = Staging::replace_folder(&plan.out_dir, "run", &linli::output::RUN_FILES)?;
    let scenario = &plan.scenario;
    let total = days_per_replicate(scenario) * u64::from(scenario.scenario.replicates);
    let progress = Progress::new("simulating", total);
    let pool = thread_pool(plan.threads)?;
    let measures = MeasureSet::for_scenario(scenario).map_err(anyhow::Error::msg)?;
    let agents = plan.agents.map(|format| (format, staging.dir().to_path_buf()));
    let on_day = || progress.inc(1);
    let output = pool.install(|| simulate_individuals(scenario, &measures, agents, &on_day))?;
    progress.finish();
    let provenance = Provenance { source: plan.source.clone(), threads: plan.threads, sections: plan.sections.clone() };
    let written = write_all(staging, &output, &provenance, &measures)?;
    let mut screen = summary_screen(&plan, &output, &written);
    screen.insert_str(screen.find("\noutputs in ").unwrap_or(screen.len()), &measures_screen(&measures, &output));
    print!("{screen}");
    Ok(())
}

/// Runs every replicate of `scenario` with its measures of who took part, and with `agents`
/// also its event log and residents table (format, folder), joined in replicate order.
pub(crate) fn simulate_individuals(
    scenario: &Scenario,
    measures: &MeasureSet,
    agents: Option<(AgentsFormat, PathBuf)>,
    on_day: &(dyn Fn() + Sync),
) -> anyhow::Result<RunOutput> {
    let events = agents.as_ref().map(|(format, dir)| EventLog::new(*format, dir));
    let residents = agents.as_ref().map(|(format, dir)| ResidentsTable::new(*format, dir));
    let reduce = |k: u32, table: &PersonYears| {
        if let Some(residents) = &residents {
            residents.write_part(k, table);
        }
        measures.reduce(table)
    };
    let sinks = |k: u32| events.as_ref().expect("asked for only with an event log").sink(k);
    let tallies = if agents.is_some() { measures.tallies_with_every_kind() } else { measures.tallies().to_vec() };
    let recording = Recording {
        sinks: events.as_ref().map(|_| &sinks as SinkFactory<'_>),
        individuals: Some(Individuals { tallies: &tallies, reduce: &reduce }),
    };
    let replicates: Vec<u32> = (0..scenario.scenario.replicates).collect();
    let output = simulate_recording(scenario, &replicates, on_day, recording);
    if let (Some(events), Some(residents), Some((format, dir))) = (&events, &residents, &agents) {
        events.join(&replicates, &dir.join(format.file_name()))?;
        residents.join(&replicates, &dir.join(residents.file_name()))?;
    }
    Ok(output)
}

fn summary_screen(plan: &RunPlan, output: &RunOutput, written: &[std::path::PathBuf]) -> String {
    let meta = &output.scenario.scenario;
    let seconds = output.elapsed.as_secs_f64();
    let mut s = String::new();
    let _ = writeln!(s, "linli {}: {} ({})", linli::VERSION, meta.name, plan.source);
    let _ = writeln!(
        s,
        "{} residents, {} days from {} (+{} burn-in), {} replicates, seed {}, {} threads",
        output.scenario.community.residents,
        meta.days,
        meta.start_date,
        meta.burn_in_days,
        meta.replicates,
        meta.seed,
        plan.threads
    );
    let _ = writeln!(
        s,
        "simulated {:.1} million resident-days in {:.2} s ({:.1} million per second)\n",
        output.resident_days as f64 / 1e6,
        seconds,
        output.resident_days as f64 / seconds.max(1e-9) / 1e6
    );
    let window = output.scenario.behaviour.active_window_days;
    let _ = writeln!(
        s,
        "{:<12} {:>32} {:>32}",
        format!("active ({window}d)"),
        "last day, mean (95% CI)",
        "whole run, mean (95% CI)"
    );
    for CohortSummary { cohort, final_active_rate, mean_active_rate } in cohort_summaries(output) {
        let _ = writeln!(s, "{:<12} {:>32} {:>32}", cohort, percent(&final_active_rate), percent(&mean_active_rate));
    }
    let policy = &output.scenario.policy;
    if policy.time_bank.enabled || policy.proposal_fund.enabled || output.scenario.merchants.count > 0 {
        let _ = writeln!(
            s,
            "\nper year (mean of replicates)  suggestions  implemented  points issued  redeemed  failed  alliance"
        );
        for y in yearly_totals(output) {
            let _ = writeln!(
                s,
                "{:<30} {:>11.0} {:>12.1} {:>14.0} {:>9.0} {:>7.0} {:>9.1}",
                format!("{} ({} days)", y.year, y.days),
                y.suggestions.mean,
                y.total("proposals_implemented"),
                y.total("points_issued"),
                y.total("points_redeemed"),
                y.total("redemptions_failed"),
                y.total("alliance_size")
            );
        }
    }
    let _ = writeln!(s, "\noutputs in {}:", plan.out_dir.display());
    for path in written {
        let _ = writeln!(s, "  {}", path.file_name().unwrap_or_default().to_string_lossy());
    }
    s
}

/// The measures of who took part, one line each, for everyone and each cohort ("-" where a
/// measure is undefined or not asked for); the age bands are in summary.json.
fn measures_screen(measures: &MeasureSet, output: &RunOutput) -> String {
    let (entries, estimates) = (measures.entries(), measures.estimates(output));
    let groups: Vec<Group> = Group::all().into_iter().filter(|g| !matches!(g, Group::AgeBand(_))).collect();
    let mut s = format!("\n{:<34}", "who took part (whole run, mean)");
    for group in &groups {
        let _ = write!(s, " {:>11}", group.name());
    }
    let mut names: Vec<&str> = entries.iter().map(|e| e.measure.as_str()).collect();
    names.dedup();
    for name in names {
        let _ = write!(s, "\n{name:<34}");
        for &group in &groups {
            let found = entries.iter().position(|e| e.measure == name && e.group == group);
            let value = found.and_then(|j| estimates[j].estimate.map(|e| (entries[j].aggregate.is_share(), e.mean)));
            let text = match value {
                Some((true, mean)) => format!("{:.1}%", mean * 100.0),
                Some((false, mean)) => format!("{mean:.2}"),
                None => "-".into(),
            };
            let _ = write!(s, " {text:>11}");
        }
    }
    s.push_str("\n(by age band too in summary.json; definitions in docs/MODEL.md)\n");
    s
}

fn percent(e: &Estimate) -> String {
    format!("{:.1}% ({:.1}-{:.1})", e.mean * 100.0, e.ci95_low * 100.0, e.ci95_high * 100.0)
}
