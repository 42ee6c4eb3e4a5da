//! `/api/v1/apps`: managed applications — upload, list, versions, runs, inspect, start, stop,
//! savepoint, enable/disable, tags, self-healing policy, bulk operations.

use crate::{ApiError, AppState};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use streamwarden_apps::version::{Version, version_forwards};
use streamwarden_core::healing::AppPolicy;
use streamwarden_lifecycle::{BulkOp, BulkResult, OpError, StartRequest, StopRequest, Uploaded};
use streamwarden_notify::describe::FieldError;
use streamwarden_store::{AppFilter, AppVersion, Application, Run, RunStatus};

/// Largest package accepted by the upload (bytes).
pub(crate) const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/apps", get(list))
        .route("/apps/upload", post(upload))
        .route("/apps/bulk", post(bulk))
        .route("/apps/inspect", post(inspect_many))
        .route("/apps/{id}", get(show))
        .route("/apps/{id}/versions", get(versions))
        .route("/apps/{id}/runs", get(runs))
        .route("/apps/{id}/inspect", get(inspect))
        .route("/apps/{id}/start", post(start))
        .route("/apps/{id}/stop", post(stop))
        .route("/apps/{id}/savepoint", post(savepoint))
        .route("/apps/{id}/enable", post(enable))
        .route("/apps/{id}/disable", post(disable))
        .route("/apps/{id}/tags", put(tags))
        .route("/apps/{id}/args", put(args))
        .route("/apps/{id}/policy", put(policy))
        .route("/apps/tags", put(tags_many))
}

impl From<OpError> for ApiError {
    fn from(error: OpError) -> Self {
        match error {
            OpError::Invalid(m) => ApiError::BadRequest(m),
            OpError::Package(e) => ApiError::BadRequest(e.to_string()),
            OpError::NotFound(m) => ApiError::NotFound(m),
            OpError::Conflict(m) => ApiError::Conflict(m),
            OpError::Flink(m) | OpError::Timeout(m) => ApiError::Upstream(m),
            OpError::Store(e) => e.into(),
            OpError::Io(m) => ApiError::Internal(m),
        }
    }
}

/// Who is asking (until users come: the `X-StreamWarden-User` header, else `anonymous`).
fn user(headers: &HeaderMap) -> String {
    headers
        .get("x-streamwarden-user")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("anonymous")
        .to_string()
}

/// An application with what the list shows about it.
#[derive(Serialize)]
struct AppSummary {
    #[serde(flatten)]
    app: Application,
    /// Newest version.
    latest_version: Option<String>,
    /// The version of the current run.
    running_version: Option<String>,
    /// Versions newer than the running one (Streamis' `versionForwards`).
    version_forwards: usize,
    /// The latest run.
    last_run: Option<Run>,
}

async fn summary(state: &AppState, app: Application) -> Result<AppSummary, ApiError> {
    let versions: Vec<Version> = state
        .store
        .list_versions(&app.id)
        .await?
        .iter()
        .filter_map(|v| v.version.parse().ok())
        .collect();
    let last_run = state.store.list_runs(&app.id, 1).await?.into_iter().next();
    let running = last_run
        .as_ref()
        .filter(|r| {
            matches!(
                r.status,
                RunStatus::Running | RunStatus::Starting | RunStatus::Stopping
            )
        })
        .and_then(|r| r.version.parse::<Version>().ok());
    Ok(AppSummary {
        latest_version: versions.iter().max().map(|v| v.to_string()),
        running_version: running.map(|v| v.to_string()),
        version_forwards: version_forwards(&versions, running),
        last_run,
        app,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    tag: Option<String>,
    project: Option<String>,
    name: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<AppSummary>>, ApiError> {
    let filter = AppFilter {
        tag: q.tag,
        project: q.project,
        name: q.name,
    };
    let mut out = Vec::new();
    for app in state.store.list_apps(&filter).await? {
        out.push(summary(&state, app).await?);
    }
    Ok(Json(out))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AppSummary>, ApiError> {
    let app = state.lifecycle.app(&id).await?;
    Ok(Json(summary(&state, app).await?))
}

/// `multipart/form-data` with the zip as `file` (any name), optional `project` and `cluster`.
async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let mut file: Option<Vec<u8>> = None;
    let (mut project, mut cluster) = (None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::BadRequest(format!("upload: not a readable multipart form: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::BadRequest(format!("{name}: could not be read: {e}")))?;
        match name.as_str() {
            "file" => file = Some(bytes.to_vec()),
            "project" => project = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "cluster" => cluster = Some(String::from_utf8_lossy(&bytes).into_owned()),
            other => {
                return Err(ApiError::BadRequest(format!(
                    "{other}: unknown form field (expected file, project, cluster)"
                )));
            }
        }
    }
    let file =
        file.ok_or_else(|| ApiError::BadRequest("file: required (the package zip)".into()))?;
    let uploaded = state
        .lifecycle
        .upload(
            &file,
            project.as_deref(),
            cluster.as_deref(),
            &user(&headers),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

async fn versions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<AppVersion>>, ApiError> {
    state.lifecycle.app(&id).await?;
    Ok(Json(state.store.list_versions(&id).await?))
}

/// A run with links to its Flink job and the events the watcher recorded for it.
#[derive(Serialize)]
struct RunView {
    #[serde(flatten)]
    run: Run,
    events: String,
}

async fn runs(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<RunView>>, ApiError> {
    state.lifecycle.app(&id).await?;
    let runs = state.store.list_runs(&id, 100).await?;
    Ok(Json(
        runs.into_iter()
            .map(|run| RunView {
                events: run
                    .jid
                    .as_ref()
                    .map_or_else(String::new, |j| format!("/api/v1/events?job={j}")),
                run,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectQuery {
    version: Option<String>,
}

async fn inspect(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<InspectQuery>,
) -> Result<Json<Value>, ApiError> {
    let checks = state.lifecycle.inspect(&id, q.version.as_deref()).await?;
    Ok(Json(json!({ "app_id": id, "checks": checks })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManyBody {
    apps: Vec<String>,
}

async fn inspect_many(
    State(state): State<AppState>,
    Json(body): Json<ManyBody>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let mut out = Vec::new();
    for id in body.apps {
        out.push(match state.lifecycle.inspect(&id, None).await {
            Ok(checks) => json!({ "app_id": id, "checks": checks }),
            Err(e) => json!({ "app_id": id, "error": e.to_string() }),
        });
    }
    Ok(Json(out))
}

async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<StartRequest>>,
) -> Result<Json<Run>, ApiError> {
    let request = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        state
            .lifecycle
            .start(&id, &request, &user(&headers))
            .await?,
    ))
}

async fn stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<StopRequest>>,
) -> Result<Json<Run>, ApiError> {
    let request = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        state.lifecycle.stop(&id, &request, &user(&headers)).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavepointBody {
    target_directory: Option<String>,
}

async fn savepoint(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Option<Json<SavepointBody>>,
) -> Result<Json<Value>, ApiError> {
    let target = body.map(|b| b.0).unwrap_or_default().target_directory;
    let location = state.lifecycle.savepoint(&id, target).await?;
    Ok(Json(json!({ "app_id": id, "savepoint": location })))
}

async fn enable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(state.lifecycle.set_enabled(&id, true).await?))
}

async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(state.lifecycle.set_enabled(&id, false).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsBody {
    tags: Vec<String>,
}

async fn tags(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<TagsBody>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(state.lifecycle.set_tags(&id, body.tags).await?))
}

/// Replaces the application's own self-healing policy (`AppPolicy`: overrides of the global
/// `[healing]` and `[health]` defaults); 400 names every out-of-range field.
async fn policy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<AppPolicy>,
) -> Result<Json<Application>, ApiError> {
    let errors = body.errors();
    if !errors.is_empty() {
        return Err(ApiError::Invalid(
            errors
                .into_iter()
                .map(|(field, reason)| FieldError { field, reason })
                .collect(),
        ));
    }
    Ok(Json(state.lifecycle.set_policy(&id, body).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArgsBody {
    args: Vec<String>,
}

/// Editing the program arguments creates a new version.
async fn args(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<ArgsBody>,
) -> Result<(StatusCode, Json<AppVersion>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .lifecycle
                .edit_args(&id, body.args, &user(&headers))
                .await?,
        ),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsManyBody {
    apps: Vec<String>,
    tags: Vec<String>,
}

/// Sets the same tags on many applications; a result for each.
async fn tags_many(
    State(state): State<AppState>,
    Json(body): Json<TagsManyBody>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let mut out = Vec::new();
    for id in body.apps {
        out.push(
            match state.lifecycle.set_tags(&id, body.tags.clone()).await {
                Ok(app) => json!({ "app_id": id, "ok": true, "tags": app.tags }),
                Err(e) => json!({ "app_id": id, "ok": false, "error": e.to_string() }),
            },
        );
    }
    Ok(Json(out))
}

/// A bulk operation over listed applications or every application with a tag.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    op: BulkOp,
    #[serde(default)]
    apps: Vec<String>,
    tag: Option<String>,
    #[serde(default = "default_parallelism")]
    parallelism: usize,
}

fn default_parallelism() -> usize {
    4
}

async fn bulk(
    State(state): State<AppState>,
    headers: HeaderMap,
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
        .bulk(body.op, &ids, body.parallelism, &user(&headers), &|_| {})
        .await;
    Ok(Json(results))
}
