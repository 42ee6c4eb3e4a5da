//! `/api/v1/apps/inspect`, `/api/v1/apps/tags` and `/api/v1/apps/bulk`: operations on many
//! applications at once, a result for each.

use super::Inspected;
use crate::auth::Principal;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Extension, State};
use serde::{Deserialize, Serialize};
use streamwarden_lifecycle::{BulkOp, BulkResult};
use streamwarden_store::AppFilter;

/// Applications to act on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AppIds)]
pub(super) struct ManyBody {
    /// Application ids.
    apps: Vec<String>,
}

/// Inspects many applications at once; a result (checks or error) for each.
#[utoipa::path(post, path = "/api/v1/apps/inspect", tag = "apps", operation_id = "inspect_apps",
    request_body = ManyBody,
    responses((status = 200, description = "A result for each application", body = Vec<Inspected>)))]
pub(super) async fn inspect_many(
    State(state): State<AppState>,
    Json(body): Json<ManyBody>,
) -> Result<Json<Vec<Inspected>>, ApiError> {
    let mut out = Vec::new();
    for id in body.apps {
        let (checks, error) = match state.lifecycle.inspect(&id, None).await {
            Ok(checks) => (Some(checks), None),
            Err(e) => (None, Some(e.to_string())),
        };
        out.push(Inspected {
            app_id: id,
            checks,
            error,
        });
    }
    Ok(Json(out))
}

/// The same tags for many applications.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TagsManyBody {
    /// Application ids.
    apps: Vec<String>,
    /// The tags, replacing each application's.
    tags: Vec<String>,
}

/// The outcome of setting one application's tags.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct Tagged {
    /// Application id.
    app_id: String,
    /// Whether the tags were set.
    ok: bool,
    /// The application's tags now.
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Sets the same tags on many applications; a result for each.
#[utoipa::path(put, path = "/api/v1/apps/tags", tag = "apps", operation_id = "set_apps_tags",
    request_body = TagsManyBody,
    responses((status = 200, description = "A result for each application", body = Vec<Tagged>)))]
pub(super) async fn tags_many(
    State(state): State<AppState>,
    Json(body): Json<TagsManyBody>,
) -> Result<Json<Vec<Tagged>>, ApiError> {
    let mut out = Vec::new();
    for id in body.apps {
        out.push(
            match state.lifecycle.set_tags(&id, body.tags.clone()).await {
                Ok(app) => Tagged {
                    app_id: id,
                    ok: true,
                    tags: Some(app.tags),
                    error: None,
                },
                Err(e) => Tagged {
                    app_id: id,
                    ok: false,
                    tags: None,
                    error: Some(e.to_string()),
                },
            },
        );
    }
    Ok(Json(out))
}

/// A bulk operation over listed applications or every application with a tag.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BulkBody {
    /// The operation.
    op: BulkOp,
    /// Application ids.
    #[serde(default)]
    apps: Vec<String>,
    /// And every application carrying this tag.
    tag: Option<String>,
    /// Applications handled at once, 1 to 32.
    #[serde(default = "default_parallelism")]
    #[schema(minimum = 1, maximum = 32, default = 4)]
    parallelism: usize,
}

fn default_parallelism() -> usize {
    4
}

/// Applies one operation to many applications, a few at once; a result for each.
#[utoipa::path(post, path = "/api/v1/apps/bulk", tag = "apps", operation_id = "bulk_apps",
    request_body = BulkBody,
    responses(
        (status = 200, description = "A result for each application, in order",
            body = Vec<BulkResult>),
        (status = 400, description = "No application, or parallelism out of range",
            body = ErrorBody),
    ))]
pub(super) async fn bulk(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Json(body): Json<BulkBody>,
) -> Result<Json<Vec<BulkResult>>, ApiError> {
    let mut ids = body.apps;
    if let Some(tag) = body.tag {
        let tagged = state
            .store
            .list_apps(&AppFilter {
                tag: Some(tag),
                ..AppFilter::default()
            })
            .await?;
        ids.extend(
            tagged
                .into_iter()
                .map(|a| a.id)
                .filter(|id| !ids.contains(id))
                .collect::<Vec<_>>(),
        );
    }
    if ids.is_empty() {
        return Err(ApiError::BadRequest(
            "apps: give application ids or a tag".into(),
        ));
    }
    if !(1..=32).contains(&body.parallelism) {
        return Err(ApiError::BadRequest("parallelism: 1 to 32".into()));
    }
    let results = state
        .lifecycle
        .bulk(body.op, &ids, body.parallelism, &caller.user, &|_| {})
        .await;
    Ok(Json(results))
}
