//! `/api/v1/alerts` (history, acknowledgement), `/api/v1/routes`, `/api/v1/subscriptions` and
//! `/api/v1/silences`.

use crate::auth::Principal;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use streamwarden_core::clock::now_ms;
use streamwarden_core::noise::{Silence, SilenceMatchers};
use streamwarden_core::routing::{Recipients, Route};
use streamwarden_core::{EventKind, Severity};
use streamwarden_notify::alerting::{AlertingError, RouteView};
use streamwarden_store::{AlertFilter, AlertRecord, AlertStatus, StoredSilence};
use utoipa::IntoParams;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(alerts))
        .route("/alerts/{id}/ack", post(acknowledge))
        .route("/routes", get(list_routes).post(create_route))
        .route("/routes/{name}", put(update_route).delete(delete_route))
        .route("/subscriptions", post(subscribe))
        .route("/silences", get(list_silences).post(create_silence))
        .route("/silences/{id}", axum::routing::delete(expire_silence))
}

impl From<AlertingError> for ApiError {
    fn from(error: AlertingError) -> Self {
        match error {
            AlertingError::Invalid { .. } => ApiError::BadRequest(error.to_string()),
            AlertingError::NotFound(what) => ApiError::NotFound(what),
            AlertingError::Conflict(m) => ApiError::Conflict(m),
            AlertingError::Store(e) => e.into(),
        }
    }
}

/// An RFC 3339 time or epoch milliseconds.
fn time(field: &str, value: &str) -> Result<i64, ApiError> {
    if let Ok(ms) = value.parse::<i64>() {
        return Ok(ms);
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.timestamp_millis())
        .map_err(|e| {
            ApiError::BadRequest(format!(
                "{field}: {value:?} is not an RFC 3339 time or epoch ms: {e}"
            ))
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AlertsQuery {
    /// Job name.
    job: Option<String>,
    /// Cluster name.
    cluster: Option<String>,
    /// Kind of the alert's latest event.
    #[param(value_type = Option<EventKind>)]
    kind: Option<String>,
    /// Severity.
    #[param(value_type = Option<Severity>)]
    severity: Option<String>,
    /// Status.
    #[param(value_type = Option<AlertStatus>)]
    state: Option<String>,
    /// Started at or after: an RFC 3339 time or epoch ms.
    #[param(example = "2026-01-31T08:00:00Z")]
    since: Option<String>,
    /// Started before: an RFC 3339 time or epoch ms.
    #[param(example = "1769846400000")]
    until: Option<String>,
    /// At most this many, newest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// The alert history, newest first, with acknowledgements and deliveries.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerting", operation_id = "list_alerts",
    params(AlertsQuery),
    responses(
        (status = 200, description = "The alerts", body = Vec<AlertRecord>),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
    ))]
async fn alerts(
    State(state): State<AppState>,
    Query(q): Query<AlertsQuery>,
) -> Result<Json<Vec<AlertRecord>>, ApiError> {
    let kind = q
        .kind
        .as_deref()
        .map(|k| {
            EventKind::parse(k)
                .ok_or_else(|| ApiError::BadRequest(format!("kind: unknown event kind {k:?}")))
        })
        .transpose()?;
    let severity = q
        .severity
        .as_deref()
        .map(|s| {
            serde_json::from_value::<Severity>(Value::String(s.into())).map_err(|_| {
                ApiError::BadRequest(format!(
                    "severity: {s:?} is not critical, major, minor, warning or info"
                ))
            })
        })
        .transpose()?;
    let status = q
        .state
        .as_deref()
        .map(|s| {
            AlertStatus::parse(s).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "state: {s:?} is not firing, resolved, acknowledged or silenced"
                ))
            })
        })
        .transpose()?;
    let filter = AlertFilter {
        job: q.job,
        cluster: q.cluster,
        kind,
        severity,
        status,
        since_ms: q.since.as_deref().map(|v| time("since", v)).transpose()?,
        until_ms: q.until.as_deref().map(|v| time("until", v)).transpose()?,
        limit: super::limit(q.limit)?,
    };
    Ok(Json(state.store.list_alerts(&filter).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AckBody {
    /// Who acknowledges (taken from the token once users exist).
    #[serde(default)]
    by: Option<String>,
}

/// An acknowledgement.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Acknowledged {
    /// The alert.
    id: String,
    /// Who acknowledged it.
    acknowledged_by: String,
}

/// Acknowledges an alert: someone is on it.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", tag = "alerting",
    operation_id = "acknowledge_alert",
    params(("id" = String, Path, description = "Alert id")),
    request_body = AckBody,
    responses(
        (status = 200, description = "Acknowledged", body = Acknowledged),
        (status = 400, description = "No `by` while no user exists", body = ErrorBody),
        (status = 404, description = "No such alert", body = ErrorBody),
    ))]
async fn acknowledge(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Path(id): Path<String>,
    Json(body): Json<AckBody>,
) -> Result<Json<Acknowledged>, ApiError> {
    let by = caller.acting(body.by, "by")?;
    state.store.acknowledge_alert(&id, &by, now_ms()).await?;
    Ok(Json(Acknowledged {
        id,
        acknowledged_by: by,
    }))
}

/// Every route: the configuration file's, then the stored ones; subscriptions first.
#[utoipa::path(get, path = "/api/v1/routes", tag = "alerting", operation_id = "list_routes",
    responses((status = 200, description = "The routes", body = Vec<RouteView>)))]
async fn list_routes(State(state): State<AppState>) -> Json<Vec<RouteView>> {
    Json(state.alerting.list_routes())
}

/// Creates a route (stored in the database).
#[utoipa::path(post, path = "/api/v1/routes", tag = "alerting", operation_id = "create_route",
    request_body = Route,
    responses(
        (status = 201, description = "The route", body = RouteView),
        (status = 400, description = "An invalid field", body = ErrorBody),
        (status = 409, description = "A route of that name exists", body = ErrorBody),
    ))]
async fn create_route(
    State(state): State<AppState>,
    Json(route): Json<Route>,
) -> Result<(StatusCode, Json<RouteView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.alerting.put_route(route, false).await?),
    ))
}

/// Replaces a stored route (the body's `name` is ignored: the path names the route).
#[utoipa::path(put, path = "/api/v1/routes/{name}", tag = "alerting",
    operation_id = "update_route",
    params(("name" = String, Path, description = "Route name")),
    request_body = Route,
    responses(
        (status = 200, description = "The route", body = RouteView),
        (status = 400, description = "An invalid field", body = ErrorBody),
        (status = 404, description = "No such route", body = ErrorBody),
        (status = 409, description = "The route is declared in the configuration file",
            body = ErrorBody),
    ))]
async fn update_route(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(mut route): Json<Route>,
) -> Result<Json<RouteView>, ApiError> {
    route.name = name;
    Ok(Json(state.alerting.put_route(route, true).await?))
}

/// Deletes a stored route.
#[utoipa::path(delete, path = "/api/v1/routes/{name}", tag = "alerting",
    operation_id = "delete_route",
    params(("name" = String, Path, description = "Route name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such route", body = ErrorBody),
        (status = 409, description = "The route is declared in the configuration file",
            body = ErrorBody),
    ))]
async fn delete_route(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.alerting.delete_route(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user's subscription to a job or a tag.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SubscribeBody {
    /// The subscriber.
    user: String,
    /// A job name pattern (give it or `tag`).
    job: Option<String>,
    /// A tag the jobs carry.
    tag: Option<String>,
    /// Channels to notify.
    channels: Vec<String>,
    /// Who the messages address.
    #[serde(default)]
    recipients: Recipients,
}

/// Subscribes a user to a job or a tag: a route with an owner, evaluated first.
#[utoipa::path(post, path = "/api/v1/subscriptions", tag = "alerting", operation_id = "subscribe",
    request_body = SubscribeBody,
    responses(
        (status = 201, description = "The subscription's route", body = RouteView),
        (status = 400, description = "An invalid field", body = ErrorBody),
        (status = 409, description = "The subscription exists", body = ErrorBody),
    ))]
async fn subscribe(
    State(state): State<AppState>,
    Json(body): Json<SubscribeBody>,
) -> Result<(StatusCode, Json<RouteView>), ApiError> {
    let view = state
        .alerting
        .subscribe(
            &body.user,
            body.job.as_deref(),
            body.tag.as_deref(),
            body.channels,
            body.recipients,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SilencesQuery {
    /// Include expired silences.
    expired: Option<bool>,
}

/// Silences, active (and pending) ones unless `expired=true`.
#[utoipa::path(get, path = "/api/v1/silences", tag = "alerting", operation_id = "list_silences",
    params(SilencesQuery),
    responses(
        (status = 200, description = "The silences", body = Vec<StoredSilence>),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
    ))]
async fn list_silences(
    State(state): State<AppState>,
    Query(q): Query<SilencesQuery>,
) -> Result<Json<Vec<StoredSilence>>, ApiError> {
    Ok(Json(
        state
            .store
            .list_silences(q.expired.unwrap_or(false), now_ms())
            .await?,
    ))
}

/// A new silence: matchers, a time box (`starts_at` defaults to now; `ends_at` or `duration`),
/// who and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SilenceBody {
    /// What it mutes (an empty matcher matches anything).
    #[serde(default)]
    matchers: SilenceMatchers,
    /// From: an RFC 3339 time or epoch ms (default: now).
    #[schema(example = "2026-01-31T08:00:00Z")]
    starts_at: Option<String>,
    /// Until: an RFC 3339 time or epoch ms (give it or `duration`).
    ends_at: Option<String>,
    /// How long, in humantime form (`2h`, `30m`; give it or `ends_at`).
    #[schema(value_type = Option<streamwarden_core::clock::HumanDuration>, example = "2h")]
    #[serde(default, with = "humantime_serde")]
    duration: Option<std::time::Duration>,
    /// Who silences (taken from the token once users exist).
    #[serde(default)]
    author: Option<String>,
    /// Why.
    comment: String,
}

/// Creates a silence.
#[utoipa::path(post, path = "/api/v1/silences", tag = "alerting", operation_id = "create_silence",
    request_body = SilenceBody,
    responses(
        (status = 201, description = "The silence", body = Silence),
        (status = 400, description = "An invalid field", body = ErrorBody),
    ))]
async fn create_silence(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Json(body): Json<SilenceBody>,
) -> Result<(StatusCode, Json<Silence>), ApiError> {
    let author = caller.acting(body.author, "author")?;
    let starts_ms = body
        .starts_at
        .as_deref()
        .map(|v| time("starts_at", v))
        .transpose()?
        .unwrap_or_else(now_ms);
    let ends_ms = match (body.ends_at.as_deref(), body.duration) {
        (Some(v), None) => time("ends_at", v)?,
        (None, Some(d)) => starts_ms.saturating_add(streamwarden_core::clock::duration_ms(d)),
        _ => {
            return Err(ApiError::BadRequest(
                "ends_at: give ends_at or duration".into(),
            ));
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    let silence = state
        .alerting
        .create_silence(
            body.matchers,
            starts_ms,
            ends_ms,
            &author,
            &body.comment,
            id,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(silence)))
}

/// Expires a silence now.
#[utoipa::path(delete, path = "/api/v1/silences/{id}", tag = "alerting",
    operation_id = "expire_silence",
    params(("id" = String, Path, description = "Silence id")),
    responses(
        (status = 204, description = "Expired"),
        (status = 404, description = "No such silence", body = ErrorBody),
    ))]
async fn expire_silence(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.alerting.expire_silence(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
