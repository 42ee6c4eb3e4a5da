//! `GET /api/v1/audit` (admin): the audit log, newest first.

use crate::{ApiError, AppState};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use streamwarden_store::{AuditEntry, AuditFilter};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
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
async fn list(
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
