//! `streamwarden channels list|show|create|test`: manage alert channels through the API.

use super::{ServerArgs, call, get, table, text};
use anyhow::Context;
use serde_json::{Value, json};
use std::path::PathBuf;

/// Arguments of `streamwarden channels`.
#[derive(Debug, clap::Args)]
pub struct ChannelsArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: ChannelsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ChannelsCommand {
    /// List the channels (file-declared and API-created).
    List,
    /// Show one channel's configuration (secrets masked) and templates.
    Show {
        /// Channel name.
        name: String,
    },
    /// Create a channel from a TOML or JSON file holding the kind's fields (`name` included)
    /// and, optionally, a `[templates]` table (part → template).
    Create {
        /// Channel kind: email, dingtalk, wecom, lark or webhook.
        kind: String,
        /// The configuration file (`.toml` or `.json`).
        #[arg(long)]
        file: PathBuf,
    },
    /// Send a test alert through a channel now and print the channel's real answer.
    Test {
        /// Channel name.
        name: String,
    },
    /// Describe the fields of every channel kind.
    Kinds,
}

/// Runs the command.
pub async fn run(args: ChannelsArgs) -> anyhow::Result<()> {
    let server = &args.server.server;
    match args.command {
        ChannelsCommand::List => {
            let channels: Vec<Value> = get(server, "api/v1/channels", &[]).await?;
            let mut out = table(&["NAME", "KIND", "SOURCE", "TEMPLATES"]);
            for c in &channels {
                let parts: Vec<_> = c["templates"]
                    .as_object()
                    .map(|t| t.keys().cloned().collect())
                    .unwrap_or_default();
                out.add_row(vec![
                    text(&c["name"]),
                    text(&c["kind"]),
                    text(&c["source"]),
                    if parts.is_empty() {
                        "default".into()
                    } else {
                        parts.join(", ")
                    },
                ]);
            }
            println!("{out}");
        }
        ChannelsCommand::Show { name } => {
            let channel: Value = get(server, &format!("api/v1/channels/{name}"), &[]).await?;
            println!("{}", serde_json::to_string_pretty(&channel)?);
        }
        ChannelsCommand::Create { kind, file } => {
            let (config, templates) = read_config(&file)?;
            let body = json!({ "kind": kind, "config": config, "templates": templates });
            let created = call(
                server,
                reqwest::Method::POST,
                "api/v1/channels",
                &[],
                Some(&body),
            )
            .await?;
            println!(
                "created {} channel {}",
                text(&created["kind"]),
                text(&created["name"])
            );
        }
        ChannelsCommand::Test { name } => {
            call(
                server,
                reqwest::Method::POST,
                &format!("api/v1/channels/{name}/test"),
                &[],
                None,
            )
            .await
            .with_context(|| format!("test send through {name} failed"))?;
            println!("test alert accepted by {name}");
        }
        ChannelsCommand::Kinds => {
            let kinds: Vec<Value> = get(server, "api/v1/channel-kinds", &[]).await?;
            for kind in &kinds {
                println!("{} ({})", text(&kind["kind"]), text(&kind["label"]));
                let mut out = table(&["FIELD", "TYPE", "REQUIRED", "DEFAULT", "VALIDATORS"]);
                for f in kind["fields"].as_array().into_iter().flatten() {
                    let validators: Vec<_> = f["validators"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(text)
                        .collect();
                    out.add_row(vec![
                        text(&f["name"]),
                        text(&f["type"]),
                        if f["required"] == true { "yes" } else { "no" }.into(),
                        if f["default"].is_null() {
                            String::new()
                        } else {
                            f["default"].to_string()
                        },
                        validators.join(", "),
                    ]);
                }
                println!("{out}\n");
            }
        }
    }
    Ok(())
}

/// Reads a channel file: the kind's fields, and an optional `templates` table split off.
fn read_config(path: &PathBuf) -> anyhow::Result<(Value, Value)> {
    let source =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut config: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&source)
            .with_context(|| format!("{}: not valid JSON", path.display()))?
    } else {
        let parsed: toml::Value = toml::from_str(&source)
            .with_context(|| format!("{}: not valid TOML", path.display()))?;
        serde_json::to_value(parsed)?
    };
    let templates = config
        .as_object_mut()
        .and_then(|o| o.remove("templates"))
        .unwrap_or_else(|| json!({}));
    Ok((config, templates))
}
