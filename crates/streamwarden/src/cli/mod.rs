//! The client commands (`jobs`, `events`, `channels`, `alerts`, `silences`, `routes`): call the API of a running StreamWarden
//! and print tables.

pub mod alerts;
pub mod apps;
pub mod channels;
pub mod events;
pub mod jobs;
pub mod users;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat};
use serde::de::DeserializeOwned;

/// Connection to a running StreamWarden. Once it has users, the token in
/// `STREAMWARDEN_TOKEN` is sent as `Authorization: Bearer`.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// Base URL of the StreamWarden API.
    #[arg(
        long,
        global = true,
        env = "STREAMWARDEN_URL",
        default_value = "http://127.0.0.1:9400"
    )]
    pub server: url::Url,
}

/// The HTTP client of every command: it says it is the CLI (`X-StreamWarden-Client: cli`, for
/// the audit log) and sends `STREAMWARDEN_TOKEN` as `Authorization: Bearer`; `timeout` bounds
/// each whole call (`None`: uploads, bounded by their size).
fn client(timeout: Option<std::time::Duration>) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-streamwarden-client",
        reqwest::header::HeaderValue::from_static("cli"),
    );
    if let Ok(token) = std::env::var("STREAMWARDEN_TOKEN") {
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.trim()))
            .context("STREAMWARDEN_TOKEN: not a valid header value")?;
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    let mut builder = reqwest::Client::builder().default_headers(headers);
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    Ok(builder.build()?)
}

/// GETs `path` (with `query`) from the API and decodes the JSON answer.
async fn get<T: DeserializeOwned>(
    server: &url::Url,
    path: &str,
    query: &[(&str, String)],
) -> anyhow::Result<T> {
    let answer = call(server, reqwest::Method::GET, path, query, None).await?;
    serde_json::from_value(answer).with_context(|| format!("GET {path}: unexpected answer"))
}

/// Calls the API; the JSON answer, or an error with the API's message and, for invalid input,
/// one line per offending field.
async fn call(
    server: &url::Url,
    method: reqwest::Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<&serde_json::Value>,
) -> anyhow::Result<serde_json::Value> {
    let url = server
        .join(path)
        .with_context(|| format!("--server {server}"))?;
    let mut request = client(Some(std::time::Duration::from_secs(60)))?
        .request(method.clone(), url.clone())
        .query(query);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("cannot reach StreamWarden at {server}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if !status.is_success() {
        let mut message = answer["error"].as_str().unwrap_or("no details").to_string();
        if let Some(errors) = answer["errors"].as_array() {
            message = errors
                .iter()
                .map(|e| {
                    format!(
                        "\n  {}: {}",
                        e["field"].as_str().unwrap_or("?"),
                        e["reason"].as_str().unwrap_or("?")
                    )
                })
                .collect();
        }
        anyhow::bail!("{method} {url}: HTTP {}: {message}", status.as_u16());
    }
    Ok(answer)
}

/// A JSON value for a table cell: strings as they are, `-` for null.
fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        other => other.to_string(),
    }
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
