//! `streamwarden events`: the latest events, newest first.

use super::{ServerArgs, get, table, time};
use streamwarden_core::Event;

/// Arguments of `streamwarden events`.
#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Only events of this job (job id or name).
    #[arg(long)]
    job: Option<String>,
    /// Only events of this kind (e.g. `job_state_changed`, `job_restarted`).
    #[arg(long)]
    kind: Option<String>,
    /// Only events of this cluster.
    #[arg(long)]
    cluster: Option<String>,
    /// How many (newest first).
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

/// Prints the events as a table.
pub async fn run(args: EventsArgs) -> anyhow::Result<()> {
    let mut query = vec![("limit", args.limit.to_string())];
    query.extend(args.job.map(|v| ("job", v)));
    query.extend(args.kind.map(|v| ("kind", v)));
    query.extend(args.cluster.map(|v| ("cluster", v)));
    let events: Vec<Event> = get(&args.server.server, "api/v1/events", &query).await?;
    let mut out = table(&[
        "OCCURRED", "SEVERITY", "KIND", "CLUSTER", "ALERT", "SUMMARY",
    ]);
    for e in &events {
        out.add_row(vec![
            time(Some(e.occurred_at_ms)),
            e.severity.to_string(),
            e.kind.to_string(),
            e.cluster.clone(),
            if e.notify { "yes" } else { "no" }.into(),
            e.summary.clone(),
        ]);
    }
    println!("{out}");
    Ok(())
}
