//! `streamwarden alerts`, `silences`, `routes`, `subscribe`: the alert history and what shapes
//! it, through the API.

use super::{ServerArgs, call, get, table, text, time};
use anyhow::Context;
use serde_json::{Value, json};

/// Arguments of `streamwarden alerts`.
#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: Option<AlertsCommand>,
    /// Only alerts of this job (name).
    #[arg(long)]
    job: Option<String>,
    /// Only alerts of this cluster.
    #[arg(long)]
    cluster: Option<String>,
    /// Only alerts in this state: firing, resolved, acknowledged, silenced.
    #[arg(long)]
    state: Option<String>,
    /// How many (newest first).
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

#[derive(Debug, clap::Subcommand)]
enum AlertsCommand {
    /// Acknowledge an alert: no more repeats while it lasts.
    Ack {
        /// Alert id.
        id: String,
        /// Who acknowledges.
        #[arg(long, env = "USER")]
        by: String,
    },
}

/// Lists alerts, or acknowledges one.
pub async fn run(args: AlertsArgs) -> anyhow::Result<()> {
    let server = &args.server.server;
    if let Some(AlertsCommand::Ack { id, by }) = args.command {
        call(
            server,
            reqwest::Method::POST,
            &format!("api/v1/alerts/{id}/ack"),
            &[],
            Some(&json!({ "by": by })),
        )
        .await?;
        println!("alert {id} acknowledged by {by}");
        return Ok(());
    }
    let mut query = vec![("limit", args.limit.to_string())];
    query.extend(args.job.map(|v| ("job", v)));
    query.extend(args.cluster.map(|v| ("cluster", v)));
    query.extend(args.state.map(|v| ("state", v)));
    let alerts: Vec<Value> = get(server, "api/v1/alerts", &query).await?;
    let mut out = table(&[
        "ID",
        "STARTED",
        "SEVERITY",
        "STATE",
        "CLUSTER",
        "JOB",
        "KIND",
        "EVENTS",
        "DELIVERIES",
    ]);
    for a in &alerts {
        let state = if a["silenced_by"].is_string() {
            "silenced".to_string()
        } else if a["acknowledged_by"].is_string() {
            format!("acked by {}", text(&a["acknowledged_by"]))
        } else {
            text(&a["state"])
        };
        let deliveries: Vec<String> = a["deliveries"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{}:{}:{}",
                    text(&d["channel"]),
                    text(&d["notice"]),
                    text(&d["status"])
                )
            })
            .collect();
        out.add_row(vec![
            text(&a["id"]),
            time(a["started_ms"].as_i64()),
            text(&a["severity"]),
            state,
            text(&a["cluster"]),
            text(&a["job"]),
            text(&a["kind"]),
            text(&a["events"]),
            deliveries.join(" "),
        ]);
    }
    println!("{out}");
    Ok(())
}

/// Arguments of `streamwarden silences`.
#[derive(Debug, clap::Args)]
pub struct SilencesArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: SilencesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SilencesCommand {
    /// List silences (with `--expired`, the ended ones too).
    List {
        /// Include expired silences.
        #[arg(long)]
        expired: bool,
    },
    /// Mute alerts for a while.
    Add {
        /// Job name patterns (exact, glob `orders-*`, or `re:<regex>`).
        #[arg(long = "job")]
        jobs: Vec<String>,
        /// Clusters.
        #[arg(long = "cluster")]
        clusters: Vec<String>,
        /// Event kinds.
        #[arg(long = "kind")]
        kinds: Vec<String>,
        /// How long, e.g. `2h`.
        #[arg(long)]
        duration: String,
        /// Why (shown with every muted alert).
        #[arg(long)]
        comment: String,
        /// Who.
        #[arg(long, env = "USER")]
        author: String,
    },
    /// End a silence now.
    Expire {
        /// Silence id.
        id: String,
    },
}

/// Runs the silences command.
pub async fn silences(args: SilencesArgs) -> anyhow::Result<()> {
    let server = &args.server.server;
    match args.command {
        SilencesCommand::List { expired } => {
            let query = vec![("expired", expired.to_string())];
            let silences: Vec<Value> = get(server, "api/v1/silences", &query).await?;
            let mut out = table(&["ID", "FROM", "UNTIL", "AUTHOR", "MATCHERS", "COMMENT"]);
            for s in &silences {
                out.add_row(vec![
                    text(&s["id"]),
                    time(s["starts_ms"].as_i64()),
                    time(s["ends_ms"].as_i64()),
                    text(&s["author"]),
                    s["matchers"].to_string(),
                    text(&s["comment"]),
                ]);
            }
            println!("{out}");
        }
        SilencesCommand::Add {
            jobs,
            clusters,
            kinds,
            duration,
            comment,
            author,
        } => {
            let body = json!({
                "matchers": { "jobs": jobs, "clusters": clusters, "kinds": kinds },
                "duration": duration,
                "author": author,
                "comment": comment,
            });
            let silence = call(
                server,
                reqwest::Method::POST,
                "api/v1/silences",
                &[],
                Some(&body),
            )
            .await?;
            println!(
                "silence {} until {}",
                text(&silence["id"]),
                time(silence["ends_ms"].as_i64())
            );
        }
        SilencesCommand::Expire { id } => {
            call(
                server,
                reqwest::Method::DELETE,
                &format!("api/v1/silences/{id}"),
                &[],
                None,
            )
            .await?;
            println!("silence {id} expired");
        }
    }
    Ok(())
}

/// Arguments of `streamwarden routes`.
#[derive(Debug, clap::Args)]
pub struct RoutesArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: RoutesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RoutesCommand {
    /// List routes and subscriptions in evaluation order.
    List,
    /// Create a route from a TOML or JSON file (a `[[routes]]` entry's keys).
    Create {
        /// The file.
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Delete an API route or a subscription.
    Delete {
        /// Route name.
        name: String,
    },
    /// Subscribe a user to a job (name pattern) or a tag.
    Subscribe {
        /// The user.
        #[arg(long, env = "USER")]
        user: String,
        /// Job name pattern.
        #[arg(long)]
        job: Option<String>,
        /// Tag.
        #[arg(long)]
        tag: Option<String>,
        /// Channels to hear through.
        #[arg(long = "channel", required = true)]
        channels: Vec<String>,
        /// Emails to add.
        #[arg(long = "email")]
        emails: Vec<String>,
        /// Mobiles to mention.
        #[arg(long = "mobile")]
        mobiles: Vec<String>,
    },
}

/// Runs the routes command.
pub async fn routes(args: RoutesArgs) -> anyhow::Result<()> {
    let server = &args.server.server;
    match args.command {
        RoutesCommand::List => {
            let routes: Vec<Value> = get(server, "api/v1/routes", &[]).await?;
            let mut out = table(&["NAME", "SOURCE", "MATCHES", "CHANNELS", "CONTINUE"]);
            for r in &routes {
                let mut matches = Vec::new();
                for key in ["clusters", "jobs", "tags", "kinds"] {
                    if let Some(values) = r[key].as_array() {
                        matches.push(format!(
                            "{key}={}",
                            values.iter().map(text).collect::<Vec<_>>().join(",")
                        ));
                    }
                }
                if let Some(min) = r["min_severity"].as_str() {
                    matches.push(format!("severity>={min}"));
                }
                let source = if r["subscription"] == true {
                    format!("subscription of {}", text(&r["owner"]))
                } else {
                    text(&r["source"])
                };
                out.add_row(vec![
                    text(&r["name"]),
                    source,
                    if matches.is_empty() {
                        "everything".into()
                    } else {
                        matches.join(" ")
                    },
                    r["channels"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(text)
                        .collect::<Vec<_>>()
                        .join(","),
                    if r["continue"] == true { "yes" } else { "no" }.into(),
                ]);
            }
            println!("{out}");
        }
        RoutesCommand::Create { file } => {
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let route: Value = if file.extension().is_some_and(|e| e == "json") {
                serde_json::from_str(&source)
                    .with_context(|| format!("{}: not valid JSON", file.display()))?
            } else {
                let parsed: toml::Value = toml::from_str(&source)
                    .with_context(|| format!("{}: not valid TOML", file.display()))?;
                serde_json::to_value(parsed)?
            };
            let created = call(
                server,
                reqwest::Method::POST,
                "api/v1/routes",
                &[],
                Some(&route),
            )
            .await?;
            println!("created route {}", text(&created["name"]));
        }
        RoutesCommand::Delete { name } => {
            call(
                server,
                reqwest::Method::DELETE,
                &format!("api/v1/routes/{name}"),
                &[],
                None,
            )
            .await?;
            println!("deleted route {name}");
        }
        RoutesCommand::Subscribe {
            user,
            job,
            tag,
            channels,
            emails,
            mobiles,
        } => {
            let body = json!({
                "user": user, "job": job, "tag": tag, "channels": channels,
                "recipients": { "emails": emails, "mobiles": mobiles },
            });
            let created = call(
                server,
                reqwest::Method::POST,
                "api/v1/subscriptions",
                &[],
                Some(&body),
            )
            .await?;
            println!("subscribed: route {}", text(&created["name"]));
        }
    }
    Ok(())
}
