//! The client commands (`jobs`, `events`): read the API of a running StreamWarden and print
//! tables.

pub mod events;
pub mod jobs;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat};
use serde::de::DeserializeOwned;

/// Connection to a running StreamWarden.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Base URL of the StreamWarden API.
    #[arg(
        long,
        env = "STREAMWARDEN_URL",
        default_value = "http://127.0.0.1:9400"
    )]
    pub server: url::Url,
}

/// GETs `path` (with `query`) from the API and decodes the JSON answer.
async fn get<T: DeserializeOwned>(
    server: &url::Url,
    path: &str,
    query: &[(&str, String)],
) -> anyhow::Result<T> {
    let url = server
        .join(path)
        .with_context(|| format!("--server {server}"))?;
    let response = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?
        .get(url.clone())
        .query(query)
        .send()
        .await
        .with_context(|| format!("cannot reach StreamWarden at {server}"))?;
    let status = response.status();
    if !status.is_success() {
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let message = body["error"].as_str().unwrap_or("no details");
        anyhow::bail!("GET {url}: HTTP {}: {message}", status.as_u16());
    }
    response
        .json()
        .await
        .with_context(|| format!("GET {url}: unexpected answer"))
}

/// Epoch ms as a short UTC time, or `-`.
fn time(ms: Option<i64>) -> String {
    ms.and_then(DateTime::from_timestamp_millis)
        .map_or("-".into(), |t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn table(header: &[&str]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_header(header.to_vec());
    table
}
