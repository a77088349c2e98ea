//! `linli serve`: the workbench on a local port, until interrupted.

use super::args::ServeArgs;

pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<()> {
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
        linli::serve::serve(listener).await
    })
}
