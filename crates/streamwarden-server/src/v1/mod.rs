//! `/api/v1`: read endpoints over clusters, jobs, events and deliveries.

use crate::{ApiError, AppState};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use streamwarden_core::{Event, EventKind};
use streamwarden_store::{
    ClusterRow, Delivery, DeliveryFilter, DeliveryStatus, EventFilter, JobRow,
};

/// Default and largest `limit` of list endpoints.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

mod access;
mod alerting;
pub(crate) mod apps;
pub(crate) mod audit;
mod channels;

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

async fn clusters(State(state): State<AppState>) -> Result<Json<Vec<ClusterRow>>, ApiError> {
    Ok(Json(state.store.list_clusters().await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobsQuery {
    cluster: Option<String>,
}

async fn jobs(
    State(state): State<AppState>,
    Query(q): Query<JobsQuery>,
) -> Result<Json<Vec<JobRow>>, ApiError> {
    Ok(Json(state.store.list_jobs(q.cluster.as_deref()).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    job: Option<String>,
    cluster: Option<String>,
    kind: Option<String>,
    alerts: Option<bool>,
    limit: Option<u32>,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveriesQuery {
    event_id: Option<String>,
    alert_id: Option<String>,
    channel: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
}

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
