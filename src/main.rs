//! The `linli` command: run, check, init, schema and bench.

mod cli;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: cli::alloc::Counting = cli::alloc::Counting;

fn main() -> ExitCode {
    // An interrupted run leaves nothing half-written: its staging folders go with it.
    let _ = ctrlc::set_handler(|| {
        linli::output::staging::remove_unfinished();
        eprintln!("linli: interrupted; unfinished outputs removed (saved study points are kept)");
        std::process::exit(130);
    });
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
