//! `GET /api/v1/audit` (admin): the audit log, newest first.

use crate::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use streamwarden_store::{AuditEntry, AuditFilter};
use utoipa::IntoParams;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// Only this user.
    actor: Option<String>,
    /// Only actions containing this text (`apps`, `DELETE`).
    action: Option<String>,
    /// Only targets starting with this text (`apps/a1`).
    target: Option<String>,
    /// `true`: only successful calls; `false`: only refused or failed ones.
    ok: Option<bool>,
    /// Only entries at or after this time, epoch ms.
    since_ms: Option<i64>,
    /// At most this many (default 100, at most 1000).
    limit: Option<u32>,
}

/// `GET /api/v1/audit?actor=&action=&target=&ok=&since_ms=&limit=` → audit entries, newest
/// first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "access", operation_id = "list_audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Audit entries, newest first", body = Vec<AuditEntry>),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let filter = AuditFilter {
        actor: q.actor.filter(|v| !v.is_empty()),
        action: q.action.filter(|v| !v.is_empty()),
        target: q.target.filter(|v| !v.is_empty()),
        ok: q.ok,
        since_ms: q.since_ms,
        limit: super::limit(q.limit)?,
    };
    Ok(Json(state.store.list_audit(&filter).await?))
}
