//! `/api/v1/alerts` (history, acknowledgement), `/api/v1/routes`, `/api/v1/subscriptions` and
//! `/api/v1/silences`.

use crate::auth::Principal;
use crate::{ApiError, AppState};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::DateTime;
use serde::Deserialize;
use serde_json::{Value, json};
use streamwarden_core::clock::now_ms;
use streamwarden_core::noise::{Silence, SilenceMatchers};
use streamwarden_core::routing::{Recipients, Route};
use streamwarden_core::{EventKind, Severity};
use streamwarden_notify::alerting::{AlertingError, RouteView};
use streamwarden_store::{AlertFilter, AlertRecord, AlertStatus, StoredSilence};

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsQuery {
    job: Option<String>,
    cluster: Option<String>,
    kind: Option<String>,
    severity: Option<String>,
    state: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<u32>,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AckBody {
    /// Who acknowledges (taken from the token once users exist).
    #[serde(default)]
    by: Option<String>,
}

async fn acknowledge(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Path(id): Path<String>,
    Json(body): Json<AckBody>,
) -> Result<Json<Value>, ApiError> {
    let by = caller.acting(body.by, "by")?;
    state.store.acknowledge_alert(&id, &by, now_ms()).await?;
    Ok(Json(json!({ "id": id, "acknowledged_by": by })))
}

async fn list_routes(State(state): State<AppState>) -> Json<Vec<RouteView>> {
    Json(state.alerting.list_routes())
}

async fn create_route(
    State(state): State<AppState>,
    Json(route): Json<Route>,
) -> Result<(StatusCode, Json<RouteView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.alerting.put_route(route, false).await?),
    ))
}

async fn update_route(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(mut route): Json<Route>,
) -> Result<Json<RouteView>, ApiError> {
    route.name = name;
    Ok(Json(state.alerting.put_route(route, true).await?))
}

async fn delete_route(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.alerting.delete_route(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeBody {
    user: String,
    job: Option<String>,
    tag: Option<String>,
    channels: Vec<String>,
    #[serde(default)]
    recipients: Recipients,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SilencesQuery {
    expired: Option<bool>,
}

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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SilenceBody {
    #[serde(default)]
    matchers: SilenceMatchers,
    starts_at: Option<String>,
    ends_at: Option<String>,
    #[serde(default, with = "humantime_serde")]
    duration: Option<std::time::Duration>,
    /// Who silences (taken from the token once users exist).
    #[serde(default)]
    author: Option<String>,
    comment: String,
}

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

async fn expire_silence(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.alerting.expire_silence(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
