//! `streamwarden apps`: managed applications through the API — upload (with a progress bar),
//! list, show, versions, runs, inspect, start, stop, savepoint, enable, disable, tag, bulk
//! (with a progress bar and a result per application).

use super::{ServerArgs, call, get, table, text, time};
use anyhow::Context;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Arguments of `streamwarden apps`.
#[derive(Debug, clap::Args)]
pub struct AppsArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Who is acting (recorded on runs and versions).
    #[arg(long, global = true, env = "USER", default_value = "cli")]
    user: String,
    #[command(subcommand)]
    command: AppsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AppsCommand {
    /// Upload a package zip (meta.json + jar or SQL + resources) as a new version.
    Upload {
        /// The package.
        file: PathBuf,
        /// Project, when meta.json has no projectName.
        #[arg(long)]
        project: Option<String>,
        /// Cluster a new application runs on.
        #[arg(long)]
        cluster: Option<String>,
    },
    /// List applications.
    List {
        /// Only those with this tag.
        #[arg(long)]
        tag: Option<String>,
    },
    /// One application, its versions and runs.
    Show {
        /// Application id.
        id: String,
    },
    /// What a start needs confirmed (version change, snapshot to restore from).
    Inspect {
        /// Application id.
        id: String,
    },
    /// Start an application (the newest version unless `--version`).
    Start {
        /// Application id.
        id: String,
        /// Version.
        #[arg(long)]
        version: Option<String>,
        /// Restore from this snapshot, or `none`.
        #[arg(long)]
        restore: Option<String>,
    },
    /// Stop an application (`--savepoint` to stop with a savepoint).
    Stop {
        /// Application id.
        id: String,
        /// Stop with a savepoint.
        #[arg(long)]
        savepoint: bool,
    },
    /// Trigger a savepoint of a running application.
    Savepoint {
        /// Application id.
        id: String,
    },
    /// Allow starting an application.
    Enable {
        /// Application id.
        id: String,
    },
    /// Forbid starting an application.
    Disable {
        /// Application id.
        id: String,
    },
    /// Replace an application's tags.
    Tag {
        /// Application id.
        id: String,
        /// Tags.
        tags: Vec<String>,
    },
    /// Show or change an application's own self-healing policy (overrides of `[healing]`
    /// and `[health]`), e.g. `--set restart.max_restarts=5 --set
    /// health.checkpoint_stalled.threshold=2m --set health.failed_checkpoints.enabled=false`.
    Policy {
        /// Application id.
        id: String,
        /// `path=value` to set (value as JSON when it parses, else a string); repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// `path` to remove (back to the default); repeatable.
        #[arg(long = "unset", value_name = "PATH")]
        unset: Vec<String>,
    },
    /// Apply an operation to many applications, with a result for each.
    Bulk {
        /// start, stop, stop-with-savepoint, restart-with-snapshot or restart-direct.
        op: String,
        /// Application ids.
        ids: Vec<String>,
        /// Every application with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// At most this many at once.
        #[arg(long, default_value_t = 4)]
        parallelism: usize,
    },
}

/// Runs the command.
pub async fn run(args: AppsArgs) -> anyhow::Result<()> {
    let server = &args.server.server;
    let user = args.user.as_str();
    let post = |path: String, body: Value| async move {
        call(server, reqwest::Method::POST, &path, &[], Some(&body)).await
    };
    match args.command {
        AppsCommand::Upload {
            file,
            project,
            cluster,
        } => {
            let uploaded = upload(server, user, &file, project, cluster).await?;
            println!(
                "uploaded {} {} as {} (application {})",
                text(&uploaded["app"]["project"]),
                text(&uploaded["app"]["name"]),
                text(&uploaded["version"]["version"]),
                text(&uploaded["app"]["id"])
            );
            for w in uploaded["warnings"].as_array().into_iter().flatten() {
                println!(
                    "warning: {}: {}: {}",
                    text(&w["file"]),
                    text(&w["path"]),
                    text(&w["message"])
                );
            }
        }
        AppsCommand::List { tag } => {
            let query: Vec<_> = tag.map(|t| ("tag", t)).into_iter().collect();
            let apps: Vec<Value> = get(server, "api/v1/apps", &query).await?;
            let mut out = table(&[
                "ID", "PROJECT", "NAME", "TYPE", "ENABLED", "TAGS", "LATEST", "RUNNING",
                "FORWARDS", "LAST RUN",
            ]);
            for a in &apps {
                out.add_row(vec![
                    text(&a["id"]),
                    text(&a["project"]),
                    text(&a["name"]),
                    text(&a["job_type"]),
                    text(&a["enabled"]),
                    a["tags"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(text)
                        .collect::<Vec<_>>()
                        .join(","),
                    text(&a["latest_version"]),
                    text(&a["running_version"]),
                    text(&a["version_forwards"]),
                    text(&a["last_run"]["status"]),
                ]);
            }
            println!("{out}");
        }
        AppsCommand::Show { id } => {
            let app: Value = get(server, &format!("api/v1/apps/{id}"), &[]).await?;
            let runs: Vec<Value> = get(server, &format!("api/v1/apps/{id}/runs"), &[]).await?;
            println!("{}", serde_json::to_string_pretty(&app)?);
            let mut out = table(&[
                "STARTED",
                "VERSION",
                "STATUS",
                "JOB ID",
                "BY",
                "RESTORED FROM",
                "SAVEPOINT",
                "MESSAGE",
            ]);
            for r in &runs {
                out.add_row(vec![
                    time(r["started_ms"].as_i64()),
                    text(&r["version"]),
                    text(&r["status"]),
                    text(&r["jid"]),
                    text(&r["started_by"]),
                    text(&r["restore_path"]),
                    text(&r["savepoint_path"]),
                    text(&r["message"]),
                ]);
            }
            println!("{out}");
        }
        AppsCommand::Inspect { id } => {
            let answer: Value = get(server, &format!("api/v1/apps/{id}/inspect"), &[]).await?;
            println!("{}", serde_json::to_string_pretty(&answer["checks"])?);
        }
        AppsCommand::Start {
            id,
            version,
            restore,
        } => {
            let run = post(
                format!("api/v1/apps/{id}/start"),
                json!({ "version": version, "restore": restore }),
            )
            .await?;
            println!(
                "started {} as Flink job {}",
                text(&run["version"]),
                text(&run["jid"])
            );
        }
        AppsCommand::Stop { id, savepoint } => {
            let run = post(
                format!("api/v1/apps/{id}/stop"),
                json!({ "savepoint": savepoint }),
            )
            .await?;
            match run["savepoint_path"].as_str() {
                Some(path) => println!("stopped with savepoint {path}"),
                None => println!("stopped"),
            }
        }
        AppsCommand::Savepoint { id } => {
            let answer = post(format!("api/v1/apps/{id}/savepoint"), json!({})).await?;
            println!("savepoint {}", text(&answer["savepoint"]));
        }
        AppsCommand::Enable { id } => {
            post(format!("api/v1/apps/{id}/enable"), json!({})).await?;
            println!("enabled {id}");
        }
        AppsCommand::Disable { id } => {
            post(format!("api/v1/apps/{id}/disable"), json!({})).await?;
            println!("disabled {id}");
        }
        AppsCommand::Tag { id, tags } => {
            call(
                server,
                reqwest::Method::PUT,
                &format!("api/v1/apps/{id}/tags"),
                &[],
                Some(&json!({ "tags": tags })),
            )
            .await?;
            println!("tagged {id}");
        }
        AppsCommand::Policy { id, set, unset } => {
            let app: Value = get(server, &format!("api/v1/apps/{id}"), &[]).await?;
            let mut policy = app["policy"].clone();
            if !set.is_empty() || !unset.is_empty() {
                for assignment in &set {
                    let (path, value) = assignment
                        .split_once('=')
                        .with_context(|| format!("--set {assignment}: expected PATH=VALUE"))?;
                    let value = serde_json::from_str(value)
                        .unwrap_or_else(|_| Value::String(value.to_string()));
                    edit_path(&mut policy, path, Some(value))?;
                }
                for path in &unset {
                    edit_path(&mut policy, path, None)?;
                }
                let app = call(
                    server,
                    reqwest::Method::PUT,
                    &format!("api/v1/apps/{id}/policy"),
                    &[],
                    Some(&policy),
                )
                .await?;
                policy = app["policy"].clone();
            }
            println!("{}", serde_json::to_string_pretty(&policy)?);
        }
        AppsCommand::Bulk {
            op,
            mut ids,
            tag,
            parallelism,
        } => {
            let op = op.replace('-', "_");
            if let Some(tag) = tag {
                let tagged: Vec<Value> = get(server, "api/v1/apps", &[("tag", tag)]).await?;
                ids.extend(
                    tagged
                        .iter()
                        .filter_map(|a| a["id"].as_str().map(String::from)),
                );
            }
            anyhow::ensure!(!ids.is_empty(), "give application ids or --tag");
            let bar = ProgressBar::new(ids.len() as u64);
            bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")?);
            let results: Vec<Value> = futures::stream::iter(ids)
                .map(|id| {
                    let (op, bar) = (op.clone(), bar.clone());
                    async move {
                        let body = json!({ "op": op, "apps": [id.clone()], "parallelism": 1 });
                        let answer = call(
                            server,
                            reqwest::Method::POST,
                            "api/v1/apps/bulk",
                            &[],
                            Some(&body),
                        )
                        .await;
                        bar.inc(1);
                        match answer {
                            Ok(v) => v[0].clone(),
                            Err(e) => json!({ "app_id": id, "ok": false, "error": e.to_string() }),
                        }
                    }
                })
                .buffer_unordered(parallelism.max(1))
                .collect()
                .await;
            bar.finish_and_clear();
            let mut out = table(&["APPLICATION", "RESULT", "JOB ID", "SAVEPOINT", "ERROR"]);
            let failed = results.iter().filter(|r| r["ok"] != true).count();
            for r in &results {
                out.add_row(vec![
                    text(&r["app_id"]),
                    if r["ok"] == true { "ok" } else { "FAILED" }.into(),
                    text(&r["job_id"]),
                    text(&r["savepoint"]),
                    text(&r["error"]),
                ]);
            }
            println!("{out}");
            anyhow::ensure!(failed == 0, "{failed} of {} failed", results.len());
        }
    }
    Ok(())
}

/// Sets (`Some`) or removes (`None`) the value at a dotted `path` of a JSON object, creating
/// objects on the way.
fn edit_path(root: &mut Value, path: &str, value: Option<Value>) -> anyhow::Result<()> {
    let keys: Vec<&str> = path.split('.').collect();
    anyhow::ensure!(
        keys.iter().all(|k| !k.is_empty()),
        "{path}: expected a dotted path such as restart.max_restarts"
    );
    let (last, parents) = keys.split_last().context("empty path")?;
    let mut node = root;
    for key in parents {
        if !node.is_object() {
            *node = Value::Object(Default::default());
        }
        node = node
            .as_object_mut()
            .context("object")?
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Default::default()));
    }
    if !node.is_object() {
        *node = Value::Object(Default::default());
    }
    let map = node.as_object_mut().context("object")?;
    match value {
        Some(v) => {
            map.insert(last.to_string(), v);
        }
        None => {
            map.remove(*last);
        }
    }
    Ok(())
}

/// Uploads a package as multipart, showing a progress bar as its bytes go out.
async fn upload(
    server: &url::Url,
    user: &str,
    file: &PathBuf,
    project: Option<String>,
    cluster: Option<String>,
) -> anyhow::Result<Value> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let len = bytes.len() as u64;
    let bar = ProgressBar::new(len);
    bar.set_style(ProgressStyle::with_template(
        "uploading {bar:30} {bytes}/{total_bytes}",
    )?);
    let chunks: Vec<Vec<u8>> = bytes.chunks(64 * 1024).map(<[u8]>::to_vec).collect();
    let progress = bar.clone();
    let stream = futures::stream::iter(chunks).map(move |chunk| {
        progress.inc(chunk.len() as u64);
        Ok::<_, std::io::Error>(chunk)
    });
    let name = file
        .file_name()
        .map_or("package.zip".into(), |n| n.to_string_lossy().into_owned());
    let part =
        reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
            .file_name(name)
            .mime_str("application/zip")?;
    let mut form = reqwest::multipart::Form::new().part("file", part);
    if let Some(project) = project {
        form = form.text("project", project);
    }
    if let Some(cluster) = cluster {
        form = form.text("cluster", cluster);
    }
    let url = server.join("api/v1/apps/upload")?;
    let response = super::client(None)?
        .post(url.clone())
        .header("x-streamwarden-user", user)
        .multipart(form)
        .send()
        .await
        .with_context(|| format!("cannot reach StreamWarden at {server}"))?;
    bar.finish_and_clear();
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or_default();
    anyhow::ensure!(
        status.is_success(),
        "POST {url}: HTTP {}: {}",
        status.as_u16(),
        text(&answer["error"])
    );
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_paths_are_set_and_removed_creating_objects_on_the_way() {
        let mut policy = json!({"restart": {"enabled": true}});
        edit_path(&mut policy, "restart.max_restarts", Some(json!(5))).unwrap();
        edit_path(
            &mut policy,
            "health.checkpoint_stalled.threshold",
            Some(json!("2m")),
        )
        .unwrap();
        edit_path(&mut policy, "restart.enabled", None).unwrap();
        assert_eq!(
            policy,
            json!({"restart": {"max_restarts": 5}, "health": {"checkpoint_stalled": {"threshold": "2m"}}})
        );
        let error = edit_path(&mut policy, "restart..x", Some(json!(1))).unwrap_err();
        assert!(error.to_string().contains("restart..x"), "{error}");
    }
}
