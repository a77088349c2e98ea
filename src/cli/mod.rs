//! The command-line interface: parse, plan, dispatch. Only this layer and `output` do IO.

pub(crate) mod alloc;
mod args;
mod bench;
mod calibrate;
mod compare;
mod cycles;
mod plan;
mod run;
mod serve;
mod study;
mod validate;

use std::io::Write;

use clap::Parser;

use args::{Args, Command};

/// Runs the command named on the command line.
pub(crate) fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    match args.command {
        Command::Run(run_args) => run::run(plan::RunPlan::from_args(&run_args)?),
        Command::Check { scenario } => check(&scenario),
        Command::Init { blank: false } => print(&linli::experiment::template::default_template()),
        Command::Init { blank: true } => print(&linli::experiment::template::blank_template()),
        Command::Schema => print(&(linli::experiment::json_schema() + "\n")),
        Command::Compare(compare_args) => compare::run(&compare_args),
        Command::Sweep(study_args) => study::sweep(&study_args),
        Command::Sensitivity(args) => study::sensitivity(&args),
        Command::Calibrate(calibrate_args) => calibrate::run(&calibrate_args),
        Command::Serve(serve_args) => serve::run(&serve_args),
        Command::Merge(merge_args) => study::merge(&merge_args),
        Command::Bench(bench_args) => bench::bench(&bench_args),
        Command::Validate(validate_args) => validate::run(&validate_args),
    }
}

fn check(path: &std::path::Path) -> anyhow::Result<()> {
    let plan = plan::load_plan(path)?;
    let scenario = &plan.scenario;
    let meta = &scenario.scenario;
    let arms = if plan.arms.is_empty() {
        String::new()
    } else {
        let resolved = linli::experiment::arms::resolve(&plan).map_err(|e| anyhow::anyhow!("{:?}", e.problem))?;
        format!("{}\n", linli::experiment::compare::arms_statement(&plan, &resolved))
    };
    print(&format!(
        "ok: {} is a valid scenario ({}: {} residents, {} days from {}, {} replicates, {} events)\n{arms}",
        path.display(),
        meta.name,
        scenario.community.residents,
        meta.days,
        meta.start_date,
        meta.replicates,
        scenario.events.len()
    ))
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// A closed pipe (`linli init | head`) is not an error.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
