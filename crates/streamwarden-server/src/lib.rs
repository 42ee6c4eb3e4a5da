//! StreamWarden's HTTP API (axum): health, and the read API over the store under `/api/v1`.
//!
//! Errors are JSON `{"error": "<field>: <reason>"}` with the status chosen in one place
//! ([`ApiError`]).

pub mod audit;
pub mod auth;
mod console;
mod error;
mod metrics;
mod openapi;
pub mod session;
mod v1;

pub use error::{ApiError, ErrorBody};

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
    /// Sign-in attempts per user name ([`session::SIGN_INS_PER_MINUTE`]).
    pub(crate) sign_ins: Arc<governor::DefaultKeyedRateLimiter<String>>,
}

/// Live while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "service", operation_id = "healthz",
    responses((status = 200, description = "The process runs", body = String,
        content_type = "text/plain", example = "ok")))]
async fn healthz() -> &'static str {
    "ok"
}

/// Ready while the store answers (a load balancer takes the instance out otherwise).
#[utoipa::path(get, path = "/readyz", tag = "service", operation_id = "readyz",
    responses(
        (status = 200, description = "The store answers", body = String,
            content_type = "text/plain", example = "ready"),
        (status = 503, description = "The store does not answer: its error", body = String,
            content_type = "text/plain", example = "store: database is locked"),
    ))]
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

/// The whole HTTP API, described by the OpenAPI document it serves at
/// `GET /api/v1/openapi.json` (with Swagger UI at `/api/docs`; see `openapi`).
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
        sign_ins: Arc::new(governor::RateLimiter::keyed(session::sign_in_quota())),
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/api/v1/openapi.json", get(openapi::document))
        .nest("/api/v1", v1::routes())
        .merge(console::routes())
        .merge(openapi::swagger_ui())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .layer(axum::middleware::from_fn(error::json_rejections))
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(
            v1::apps::MAX_UPLOAD_BYTES,
        ))
}
