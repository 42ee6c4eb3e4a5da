//! `streamwarden jobs`: the jobs StreamWarden knows, with their last state.

use super::{ServerArgs, get, table, time};
use streamwarden_store::JobRow;

/// Arguments of `streamwarden jobs`.
#[derive(Debug, clap::Args)]
pub struct JobsArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Only jobs of this cluster.
    #[arg(long)]
    cluster: Option<String>,
}

/// Prints the jobs as a table.
pub async fn run(args: JobsArgs) -> anyhow::Result<()> {
    let query: Vec<_> = args.cluster.map(|c| ("cluster", c)).into_iter().collect();
    let jobs: Vec<JobRow> = get(&args.server.server, "api/v1/jobs", &query).await?;
    let mut out = table(&[
        "CLUSTER",
        "JOB ID",
        "NAME",
        "STATE",
        "RESTARTS",
        "STARTED",
        "LAST SEEN",
    ]);
    for row in &jobs {
        let job = &row.job;
        out.add_row(vec![
            row.cluster.clone(),
            job.jid.clone(),
            job.name.clone(),
            job.state.to_string(),
            job.restarts.map_or("-".into(), |r| r.to_string()),
            time(job.start_time_ms),
            time(Some(job.last_seen_ms)),
        ]);
    }
    println!("{out}");
    Ok(())
}
