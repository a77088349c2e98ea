//! A validated plan for `linli run`, resolved from raw arguments.

use std::path::{Path, PathBuf};

use super::args::RunArgs;
use linli::experiment::plan::Sections;
use linli::experiment::{self, Plan};
use linli::scenario::{DEFAULT_SCENARIO_NAME, Scenario};

/// Everything a run needs, checked.
pub(crate) struct RunPlan {
    pub scenario: Scenario,
    /// The file's experiment sections (a run ignores them; its summary records them).
    pub sections: Sections,
    /// The scenario file, or the embedded default's name.
    pub source: String,
    pub out_dir: PathBuf,
    pub threads: usize,
    /// Individual-level data to write, if any.
    pub agents: Option<linli::output::agents::AgentsFormat>,
}

impl RunPlan {
    pub fn from_args(args: &RunArgs) -> anyhow::Result<RunPlan> {
        let (plan, source) = match &args.scenario {
            Some(path) => (load_plan(path)?, path.display().to_string()),
            None => (experiment::default_plan(), DEFAULT_SCENARIO_NAME.to_string()),
        };
        let sections = plan.sections();
        let mut scenario = plan.scenario;
        override_run(&mut scenario, args.replicates, args.exec.seed);
        let out_dir = args.out.clone().unwrap_or_else(|| Path::new("outputs").join(&scenario.scenario.name));
        let threads = args.exec.threads();
        let output = &scenario.output;
        let agents = (args.agents || output.agents || args.agents_format.is_some())
            .then(|| args.agents_format.unwrap_or(output.agents_format));
        Ok(RunPlan { scenario, sections, source, out_dir, threads, agents })
    }
}

/// Reads and checks a whole scenario file; errors name the file, line, column and key.
pub(crate) fn load_plan(path: &Path) -> anyhow::Result<Plan> {
    Ok(load_plan_and_text(path)?.0)
}

/// As [`load_plan`], keeping the text that was read (reports quote it; a second read could
/// find the file moved or changed).
pub(crate) fn load_plan_and_text(path: &Path) -> anyhow::Result<(Plan, String)> {
    let text = linli::output::input::read_scenario_text(path)?;
    let plan = experiment::parse(&text, path)?;
    Ok((plan, text))
}

/// Applies `--replicates` and `--seed` when given.
pub(crate) fn override_run(scenario: &mut Scenario, replicates: Option<u32>, seed: Option<u64>) {
    if let Some(replicates) = replicates {
        scenario.scenario.replicates = replicates;
    }
    if let Some(seed) = seed {
        scenario.scenario.seed = seed;
    }
}

pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
