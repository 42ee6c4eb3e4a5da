//! `/api/v1/apps`: managed applications — upload, list, versions, runs, inspect, start, stop,
//! savepoint, enable/disable, tags, self-healing policy, bulk operations.

pub(crate) mod many;

use crate::auth::Principal;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Extension, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use streamwarden_apps::inspect::Inspection;
use streamwarden_apps::version::{Version, version_forwards};
use streamwarden_core::healing::AppPolicy;
use streamwarden_lifecycle::{OpError, StartRequest, StopRequest, Uploaded};
use streamwarden_notify::describe::FieldError;
use streamwarden_store::{AppFilter, AppVersion, Application, Run, RunStatus};
use utoipa::IntoParams;

/// Largest package accepted by the upload (bytes).
pub(crate) const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/apps", get(list))
        .route("/apps/upload", post(upload))
        .route("/apps/bulk", post(many::bulk))
        .route("/apps/inspect", post(many::inspect_many))
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
        .route("/apps/tags", put(many::tags_many))
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

/// An application with what the list shows about it.
#[derive(Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Carrying this tag.
    tag: Option<String>,
    /// Of this project.
    project: Option<String>,
    /// Name containing this text.
    name: Option<String>,
}

/// Managed applications, with their latest and running versions and last run.
#[utoipa::path(get, path = "/api/v1/apps", tag = "apps", operation_id = "list_apps",
    params(ListQuery),
    responses(
        (status = 200, description = "The applications", body = Vec<AppSummary>),
        (status = 400, description = "A query parameter is invalid", body = ErrorBody),
    ))]
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

/// One application.
#[utoipa::path(get, path = "/api/v1/apps/{id}", tag = "apps", operation_id = "get_app",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = AppSummary),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AppSummary>, ApiError> {
    let app = state.lifecycle.app(&id).await?;
    Ok(Json(summary(&state, app).await?))
}

/// The upload form.
#[derive(utoipa::ToSchema)]
struct UploadForm {
    /// The package: a zip with meta.json and the jar or SQL.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The project, for a meta.json without `projectName`.
    project: Option<String>,
    /// The cluster a new application runs on (default: the first).
    cluster: Option<String>,
}

/// Uploads a package: the next version of its application (created when new).
/// `multipart/form-data` with the zip as `file` (any file name), optional `project` and
/// `cluster`.
#[utoipa::path(post, path = "/api/v1/apps/upload", tag = "apps", operation_id = "upload_app",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The application and its new version", body = Uploaded),
        (status = 400, description = "Not a readable form, or a package that is refused",
            body = ErrorBody),
        (status = 404, description = "The cluster is unknown", body = ErrorBody),
        (status = 409, description = "The package conflicts with what exists",
            body = ErrorBody),
        (status = 413, description = "The package is over 512 MiB", body = ErrorBody),
    ))]
async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
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
    let form = UploadForm {
        file: file
            .ok_or_else(|| ApiError::BadRequest("file: required (the package zip)".into()))?,
        project,
        cluster,
    };
    let uploaded = state
        .lifecycle
        .upload(
            &form.file,
            form.project.as_deref(),
            form.cluster.as_deref(),
            &caller.user,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

/// An application's versions, oldest first.
#[utoipa::path(get, path = "/api/v1/apps/{id}/versions", tag = "apps",
    operation_id = "list_app_versions",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The versions", body = Vec<AppVersion>),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
async fn versions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<AppVersion>>, ApiError> {
    state.lifecycle.app(&id).await?;
    Ok(Json(state.store.list_versions(&id).await?))
}

/// A run with links to its Flink job and the events the watcher recorded for it.
#[derive(Serialize, utoipa::ToSchema)]
struct RunView {
    #[serde(flatten)]
    run: Run,
    /// The API call listing the run's events (empty before the job was submitted).
    #[schema(example = "/api/v1/events?job=8c3e0f5a6d0e4a1b9f2c7d8e1a2b3c4d")]
    events: String,
}

/// An application's latest 100 runs, newest first.
#[utoipa::path(get, path = "/api/v1/apps/{id}/runs", tag = "apps", operation_id = "list_app_runs",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The runs", body = Vec<RunView>),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct InspectQuery {
    /// The version about to start (default: the newest).
    #[param(example = "v00002")]
    version: Option<String>,
}

/// What a start of one application would do, to confirm first.
#[derive(Serialize, utoipa::ToSchema)]
struct Inspected {
    /// Application id.
    app_id: String,
    /// The things to confirm (a version change, a restore from a snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    checks: Option<Vec<Inspection>>,
    /// Why the application cannot be inspected (with many at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What starting the application would do (version change, restore point), to confirm first.
#[utoipa::path(get, path = "/api/v1/apps/{id}/inspect", tag = "apps", operation_id = "inspect_app",
    params(("id" = String, Path, description = "Application id"), InspectQuery),
    responses(
        (status = 200, description = "The checks", body = Inspected),
        (status = 400, description = "The version is invalid", body = ErrorBody),
        (status = 404, description = "No such application or version", body = ErrorBody),
    ))]
async fn inspect(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<InspectQuery>,
) -> Result<Json<Inspected>, ApiError> {
    let checks = state.lifecycle.inspect(&id, q.version.as_deref()).await?;
    Ok(Json(Inspected {
        app_id: id,
        checks: Some(checks),
        error: None,
    }))
}

/// Starts the application (default: its newest version, restoring as its rule says).
#[utoipa::path(post, path = "/api/v1/apps/{id}/start", tag = "apps", operation_id = "start_app",
    params(("id" = String, Path, description = "Application id")),
    request_body(content = Option<StartRequest>, description = "How to start (optional; no body or `null`: the defaults)"),
    responses(
        (status = 200, description = "The run", body = Run),
        (status = 400, description = "An invalid field, or a disabled application",
            body = ErrorBody),
        (status = 404, description = "No such application, version or cluster",
            body = ErrorBody),
        (status = 409, description = "The application is running already", body = ErrorBody),
        (status = 502, description = "Flink refused or timed out", body = ErrorBody),
    ))]
async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(caller): Extension<Principal>,
    body: Option<Json<Option<StartRequest>>>,
) -> Result<Json<Run>, ApiError> {
    let request = body.and_then(|b| b.0).unwrap_or_default();
    Ok(Json(
        state.lifecycle.start(&id, &request, &caller.user).await?,
    ))
}

/// Stops the application's running job: cancel, or stop with a savepoint.
#[utoipa::path(post, path = "/api/v1/apps/{id}/stop", tag = "apps", operation_id = "stop_app",
    params(("id" = String, Path, description = "Application id")),
    request_body(content = Option<StopRequest>, description = "How to stop (optional; no body or `null`: cancel)"),
    responses(
        (status = 200, description = "The run", body = Run),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "The application is not running", body = ErrorBody),
        (status = 502, description = "Flink refused or timed out", body = ErrorBody),
    ))]
async fn stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(caller): Extension<Principal>,
    body: Option<Json<Option<StopRequest>>>,
) -> Result<Json<Run>, ApiError> {
    let request = body.and_then(|b| b.0).unwrap_or_default();
    Ok(Json(
        state.lifecycle.stop(&id, &request, &caller.user).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SavepointBody {
    /// Where the savepoint goes (default: the application's, else the cluster's directory).
    target_directory: Option<String>,
}

/// A savepoint taken.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct SavepointTaken {
    /// Application id.
    app_id: String,
    /// Where the savepoint is.
    savepoint: String,
}

/// Takes a savepoint of the running job, which goes on running.
#[utoipa::path(post, path = "/api/v1/apps/{id}/savepoint", tag = "apps",
    operation_id = "savepoint_app",
    params(("id" = String, Path, description = "Application id")),
    request_body(content = Option<SavepointBody>, description = "Where to (optional; no body or `null`: the default directory)"),
    responses(
        (status = 200, description = "The savepoint", body = SavepointTaken),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "The application is not running", body = ErrorBody),
        (status = 502, description = "Flink refused or timed out", body = ErrorBody),
    ))]
async fn savepoint(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Option<Json<Option<SavepointBody>>>,
) -> Result<Json<SavepointTaken>, ApiError> {
    let target = body.and_then(|b| b.0).unwrap_or_default().target_directory;
    let location = state.lifecycle.savepoint(&id, target).await?;
    Ok(Json(SavepointTaken {
        app_id: id,
        savepoint: location,
    }))
}

/// Enables the application: it can be started.
#[utoipa::path(post, path = "/api/v1/apps/{id}/enable", tag = "apps", operation_id = "enable_app",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
async fn enable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(state.lifecycle.set_enabled(&id, true).await?))
}

/// Disables the application: it cannot be started.
#[utoipa::path(post, path = "/api/v1/apps/{id}/disable", tag = "apps",
    operation_id = "disable_app",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(state.lifecycle.set_enabled(&id, false).await?))
}

/// An application's tags.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TagsBody {
    /// The tags, replacing the current ones.
    tags: Vec<String>,
}

/// Replaces the application's tags.
#[utoipa::path(put, path = "/api/v1/apps/{id}/tags", tag = "apps", operation_id = "set_app_tags",
    params(("id" = String, Path, description = "Application id")),
    request_body = TagsBody,
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 400, description = "An invalid tag", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
async fn tags(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<TagsBody>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(state.lifecycle.set_tags(&id, body.tags).await?))
}

/// Replaces the application's own self-healing policy (`AppPolicy`: overrides of the global
/// `[healing]` and `[health]` defaults); 400 names every out-of-range field.
#[utoipa::path(put, path = "/api/v1/apps/{id}/policy", tag = "apps",
    operation_id = "set_app_policy",
    params(("id" = String, Path, description = "Application id")),
    request_body = AppPolicy,
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 400, description = "Every out-of-range field", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
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

/// Program arguments.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ArgsBody {
    /// The arguments, replacing the newest version's.
    args: Vec<String>,
}

/// Editing the program arguments creates a new version.
#[utoipa::path(put, path = "/api/v1/apps/{id}/args", tag = "apps", operation_id = "set_app_args",
    params(("id" = String, Path, description = "Application id")),
    request_body = ArgsBody,
    responses(
        (status = 201, description = "The new version", body = AppVersion),
        (status = 400, description = "The application has no version, or is not a jar job",
            body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
    ))]
async fn args(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(caller): Extension<Principal>,
    Json(body): Json<ArgsBody>,
) -> Result<(StatusCode, Json<AppVersion>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .lifecycle
                .edit_args(&id, body.args, &caller.user)
                .await?,
        ),
    ))
}
