//! `linli serve`: the workbench on a local port, until interrupted.

use std::path::PathBuf;

use anyhow::bail;

use super::args::ServeArgs;
use linli::serve::Workbench;
use linli::serve::communities::{Community, shipped};

pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let workbench = Workbench::new(communities(&args.files)?);
    let threads = args.threads.map_or_else(super::plan::default_threads, usize::from);
    // Simulations run on rayon's global pool; the web server needs only a thread or two.
    rayon::ThreadPoolBuilder::new().num_threads(threads).build_global()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((args.host, args.port)).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {}:{}: {e} (choose another --port)", args.host, args.port)
        })?;
        let address = listener.local_addr()?;
        println!("linli serve: the workbench is at http://{address}/ (Ctrl-C stops it)");
        linli::serve::serve(listener, workbench).await
    })
}

/// The shipped communities, then each file given (checked first; its id is its file name).
fn communities(files: &[PathBuf]) -> anyhow::Result<Vec<Community>> {
    let mut all = shipped();
    for path in files {
        let (plan, text) = super::plan::load_plan_and_text(path)?;
        if let Err(reason) = linli::serve::runs::composable(&plan, &text) {
            bail!("{}: {reason}", path.display());
        }
        let stem = path.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
        let mut id = stem.clone();
        let mut n = 2;
        while all.iter().any(|c| c.id == id) {
            id = format!("{stem}-{n}");
            n += 1;
        }
        all.push(Community::from_file(id, text, plan.scenario));
    }
    Ok(all)
}
