//! `/api/v1`: read endpoints over clusters, jobs, events and deliveries.

use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use streamwarden_core::{Event, EventKind};
use streamwarden_store::{
    ClusterRow, Delivery, DeliveryFilter, DeliveryStatus, EventFilter, JobRow,
};
use utoipa::IntoParams;

/// Default and largest `limit` of list endpoints.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

pub(crate) mod access;
pub(crate) mod alerting;
pub(crate) mod apps;
pub(crate) mod audit;
pub(crate) mod channels;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(channels::routes())
        .merge(alerting::routes())
        .merge(apps::routes())
        .merge(access::routes())
        .merge(audit::routes())
        .merge(crate::session::routes())
        .route("/clusters", get(clusters))
        .route("/jobs", get(jobs))
        .route("/events", get(events))
        .route("/deliveries", get(deliveries))
}

pub(crate) fn limit(value: Option<u32>) -> Result<u32, ApiError> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(0) => Err(ApiError::BadRequest("limit: must be at least 1".into())),
        Some(n) if n > MAX_LIMIT => Err(ApiError::BadRequest(format!(
            "limit: at most {MAX_LIMIT}, got {n}"
        ))),
        Some(n) => Ok(n),
    }
}

/// Every watched cluster with its reachability.
#[utoipa::path(get, path = "/api/v1/clusters", tag = "watch", operation_id = "list_clusters",
    responses((status = 200, description = "The clusters", body = Vec<ClusterRow>)))]
async fn clusters(State(state): State<AppState>) -> Result<Json<Vec<ClusterRow>>, ApiError> {
    Ok(Json(state.store.list_clusters().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct JobsQuery {
    /// Only the jobs of this cluster.
    cluster: Option<String>,
}

/// Every job StreamWarden knows, with its last known state.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "watch", operation_id = "list_jobs",
    params(JobsQuery),
    responses(
        (status = 200, description = "The jobs", body = Vec<JobRow>),
        (status = 400, description = "An unknown query parameter", body = ErrorBody),
    ))]
async fn jobs(
    State(state): State<AppState>,
    Query(q): Query<JobsQuery>,
) -> Result<Json<Vec<JobRow>>, ApiError> {
    Ok(Json(state.store.list_jobs(q.cluster.as_deref()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    /// Job id or job name.
    job: Option<String>,
    /// Cluster name.
    cluster: Option<String>,
    /// Event kind (empty: any).
    #[param(value_type = Option<EventKind>)]
    kind: Option<String>,
    /// Only alerts (events delivered to channels).
    alerts: Option<bool>,
    /// At most this many, newest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Events, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "watch", operation_id = "list_events",
    params(EventsQuery),
    responses(
        (status = 200, description = "The events", body = Vec<Event>),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
    ))]
async fn events(
    State(state): State<AppState>,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Vec<Event>>, ApiError> {
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(name) => Some(EventKind::parse(name).ok_or_else(|| {
            let known: Vec<_> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            ApiError::BadRequest(format!(
                "kind: unknown event kind {name:?}; expected one of {}",
                known.join(", ")
            ))
        })?),
    };
    let filter = EventFilter {
        job: q.job.filter(|j| !j.is_empty()),
        cluster: q.cluster.filter(|c| !c.is_empty()),
        kind,
        notify_only: q.alerts.unwrap_or(false),
        limit: limit(q.limit)?,
    };
    Ok(Json(state.store.list_events(&filter).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeliveriesQuery {
    /// Deliveries showing this event.
    event_id: Option<String>,
    /// Deliveries about this alert.
    alert_id: Option<String>,
    /// Deliveries to this channel.
    channel: Option<String>,
    /// Deliveries in this status (empty: any).
    #[param(value_type = Option<DeliveryStatus>)]
    status: Option<String>,
    /// At most this many, newest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Deliveries (the outbox), newest first.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "watch", operation_id = "list_deliveries",
    params(DeliveriesQuery),
    responses(
        (status = 200, description = "The deliveries", body = Vec<Delivery>),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
    ))]
async fn deliveries(
    State(state): State<AppState>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(DeliveryStatus::parse(name).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "status: unknown delivery status {name:?}; expected pending, delivered or failed"
            ))
        })?),
    };
    let filter = DeliveryFilter {
        event_id: q.event_id,
        alert_id: q.alert_id,
        channel: q.channel,
        status,
        limit: limit(q.limit)?,
    };
    Ok(Json(state.store.list_deliveries(&filter).await?))
}
