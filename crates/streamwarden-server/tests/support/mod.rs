//! What the API tests share: the whole router served on a real socket over a real store, and
//! a JSON call helper.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part of this module

use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use streamwarden_lifecycle::Lifecycle;
use streamwarden_notify::alerting::{AlertingConfig, AlertingManager};
use streamwarden_notify::channels::manager::{ChannelManager, FileChannel};
use streamwarden_store::Store;

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

/// Calls `url` with an optional JSON body; the status and the JSON answer (`null` if none).
pub async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
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
