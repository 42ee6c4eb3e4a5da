//! What the API tests share: the whole router served on a real socket over a real store, the
//! users and tokens they act as, file-declared channels and routes, a firing alert, and JSON and
//! page call helpers.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part of this module

use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use streamwarden_core::access::Role;
use streamwarden_core::noise::{Alert, AlertState};
use streamwarden_core::routing::Route;
use streamwarden_core::{EventKind, JobState, Severity};
use streamwarden_lifecycle::Lifecycle;
use streamwarden_notify::alerting::{AlertingConfig, AlertingManager};
use streamwarden_notify::channels::configured::ChannelConfig;
use streamwarden_notify::channels::manager::{ChannelManager, FileChannel};
use streamwarden_notify::channels::webhook::WebhookConfig;
use streamwarden_server::auth::issue_token;
use streamwarden_store::{Store, User};

/// alice (admin), olga (operator) and vic (viewer).
pub const ALICE_OLGA_VIC: [(&str, Role); 3] = [
    ("alice", Role::Admin),
    ("olga", Role::Operator),
    ("vic", Role::Viewer),
];

/// Stores user `name` with `role` (and `password_hash`, if any) and issues it a token labelled
/// `label`: the token.
pub async fn user_with_token(
    store: &dyn Store,
    label: &str,
    name: &str,
    role: Role,
    password_hash: Option<String>,
) -> String {
    store
        .put_user(&User {
            name: name.into(),
            role,
            password_hash,
            created_ms: 1,
        })
        .await
        .unwrap();
    let (token, stored) = issue_token(label, name, role);
    store.put_token(&stored).await.unwrap();
    token
}

/// Stores each of `users` without a password, each with a token labelled `test`: their tokens,
/// in the same order.
pub async fn users_with_tokens<const N: usize>(
    store: &dyn Store,
    users: [(&str, Role); N],
) -> [String; N] {
    let mut tokens = Vec::with_capacity(N);
    for (name, role) in users {
        tokens.push(user_with_token(store, "test", name, role, None).await);
    }
    tokens.try_into().unwrap()
}

/// A webhook channel `name` to `url`, declared in the configuration file.
pub fn file_webhook(name: &str, url: &str) -> FileChannel {
    FileChannel {
        config: ChannelConfig::Webhook(WebhookConfig::new(name, url.parse().unwrap())),
        templates: Default::default(),
    }
}

/// The alerting configuration with one file route, `from-file`, that sends everything to
/// channel `hook`.
pub fn from_file_route_to_hook() -> AlertingConfig {
    AlertingConfig {
        routes: vec![Route::catch_all("from-file", vec!["hook".into()])],
        ..AlertingConfig::default()
    }
}

/// Serves the API over `store` with `file` channels and `alerting` routes on a free local port
/// (packages go under `dir`); its base URL and the alerting manager.
pub async fn serve(
    dir: &Path,
    store: Arc<dyn Store>,
    file: Vec<FileChannel>,
    alerting: AlertingConfig,
) -> (String, Arc<AlertingManager>) {
    let channels = Arc::new(
        ChannelManager::start(store.clone(), file, Default::default())
            .await
            .expect("channels"),
    );
    let alerting = Arc::new(
        AlertingManager::start(store.clone(), alerting, channels.registry().clone())
            .await
            .expect("alerting"),
    );
    let lifecycle = Lifecycle::new(
        store.clone(),
        vec![],
        dir.join("packages"),
        None,
        Default::default(),
    );
    let app = streamwarden_server::router(
        store,
        channels,
        alerting.clone(),
        Arc::new(lifecycle),
        Some(metrics_handle()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, alerting)
}

/// Alert `id` (key `key`) on job `job` of `cluster`, firing and critical: the job failed, as
/// event `event_id` at `at_ms` (its only event) says; not acknowledged, silenced nor resolved.
pub fn firing_alert(
    id: &str,
    key: &str,
    cluster: &str,
    job: &str,
    event_id: &str,
    at_ms: i64,
) -> Alert {
    Alert {
        id: id.into(),
        key: key.into(),
        cluster: cluster.into(),
        job: Some(job.into()),
        kind: EventKind::JobStateChanged,
        severity: Severity::Critical,
        state: AlertState::Firing,
        first_event_id: event_id.into(),
        last_event_id: event_id.into(),
        events: 1,
        started_ms: at_ms,
        last_event_ms: at_ms,
        healthy_since_ms: None,
        healthy_event_id: None,
        job_state: Some(JobState::Failed),
        resolved_ms: None,
        acknowledged_by: None,
        silenced_by: None,
        targets: vec![],
    }
}

/// Calls `url` with an optional JSON body; the status and the JSON answer (`null` if none).
pub async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    call_as(method, url, None, body).await
}

/// Calls `url` with `token` (none: without credentials) and an optional JSON body; the status
/// and the JSON answer (`null` if none).
pub async fn call_as(
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `method path` on the API at `base` with `token` (none: without credentials), with `body` as
/// JSON unless the method is GET; the status and the JSON answer (`null` if none).
pub async fn api(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let body = (method != reqwest::Method::GET).then_some(body);
    call_as(method, format!("{base}{path}"), token, body).await
}

/// `GET path` on `base` with `token`: the status and the page as served.
pub async fn page(base: &str, path: &str, token: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The row whose `<tr>` holds `marker`: from `marker` up to the row's `</tr>`.
pub fn row<'a>(page: &'a str, marker: &str) -> &'a str {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let end = at + page[at..].find("</tr>").unwrap();
    &page[at..end]
}

/// The process-wide metrics recorder of this test binary (installed once).
pub fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .unwrap()
        })
        .clone()
}
