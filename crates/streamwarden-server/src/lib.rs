//! StreamWarden's HTTP API (axum): health, and the read API over the store under `/api/v1`.
//!
//! Errors are JSON `{"error": "<field>: <reason>"}` with the status chosen in one place
//! ([`ApiError`]).

pub mod audit;
pub mod auth;
mod console;
mod error;
mod metrics;
pub mod session;
mod v1;

pub use error::ApiError;

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use streamwarden_lifecycle::Lifecycle;
use streamwarden_notify::alerting::AlertingManager;
use streamwarden_notify::channels::manager::ChannelManager;
use streamwarden_store::Store;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The store everything is read from.
    pub store: Arc<dyn Store>,
    /// The channels (file-declared and API-created).
    pub channels: Arc<ChannelManager>,
    /// Routes, subscriptions and silences.
    pub alerting: Arc<AlertingManager>,
    /// Managed applications' lifecycle.
    pub lifecycle: Arc<Lifecycle>,
    /// Renders `/metrics`; `None` when no recorder is installed.
    pub metrics: Option<PrometheusHandle>,
}

/// Ready while the store answers (a load balancer takes the instance out otherwise).
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, String) {
    match state.store.list_clusters().await {
        Ok(_) => (axum::http::StatusCode::OK, "ready".into()),
        Err(error) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("store: {error}"),
        ),
    }
}

/// The whole HTTP API:
/// Once a user exists, every call but `/healthz`, `/readyz` and `/metrics` needs a bearer token
/// with the role the call needs (see [`auth`]).
/// - `GET /healthz` → `200 ok` while the process runs;
/// - `GET /readyz` → `200 ready` while the store answers, else `503` with the store's error;
/// - `GET /metrics` → StreamWarden's own metrics, Prometheus text format (see `metrics`);
/// - `GET /api/v1/channel-kinds`, `GET|POST /api/v1/channels`,
///   `GET|PUT|DELETE /api/v1/channels/{name}`, `POST /api/v1/channels/{name}/test`,
///   `POST /api/v1/templates/preview` (see `v1::channels`);
/// - `GET /api/v1/clusters`, `GET /api/v1/jobs?cluster=`,
///   `GET /api/v1/events?job=&cluster=&kind=&alerts=&limit=`,
///   `GET /api/v1/deliveries?event_id=&channel=&status=&limit=` → JSON arrays.
pub fn router(
    store: Arc<dyn Store>,
    channels: Arc<ChannelManager>,
    alerting: Arc<AlertingManager>,
    lifecycle: Arc<Lifecycle>,
    metrics: Option<PrometheusHandle>,
) -> Router {
    let state = AppState {
        store,
        channels,
        alerting,
        lifecycle,
        metrics,
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .nest("/api/v1", v1::routes())
        .merge(console::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(
            v1::apps::MAX_UPLOAD_BYTES,
        ))
}
