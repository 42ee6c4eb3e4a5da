//! Applications: `GET /ui/apps` (the list, bulk actions, the upload form) and
//! `GET /ui/apps/{id}` (one application: its panel with every version and run). The panel
//! (`app_panel.html`) is also shown on the job page of a managed application's job.
//!
//! Every change (start, stop, savepoint, enable, disable, bulk, upload) is a call to
//! `/api/v1/apps/…` made by `apps.js` or `console.js`.

use super::{ConsoleError, Viewer, serde};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::{Value, context};
use serde::Serialize;
use std::collections::HashMap;
use streamwarden_apps::meta::Warning;
use streamwarden_store::{AppFilter, AppVersion, Application, Run, RunStatus};

/// The templates of these pages, embedded.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "apps.html",
        include_str!("../../console/templates/apps.html"),
    ),
    ("app.html", include_str!("../../console/templates/app.html")),
    (
        "app_panel.html",
        include_str!("../../console/templates/app_panel.html"),
    ),
];

/// The static files of these pages, embedded: `(file name, content type, content)`.
pub(super) const ASSETS: &[(&str, &str, &str)] = &[(
    "apps.js",
    "text/javascript",
    include_str!("../../console/assets/apps.js"),
)];

/// How many runs the application page lists (the API's `/apps/{id}/runs` lists as many).
const ALL_RUNS: u32 = 100;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/apps", get(apps))
        .route("/ui/apps/{id}", get(app))
}

/// Flink's last known state of every job, by `(cluster, job id)` (the watcher's view).
async fn flink_states(state: &AppState) -> Result<HashMap<(String, String), String>, ConsoleError> {
    Ok(state
        .store
        .list_jobs(None)
        .await?
        .into_iter()
        .map(|row| {
            (
                (row.cluster, row.job.jid),
                row.job.state.as_str().to_string(),
            )
        })
        .collect())
}

/// A run as the console shows it: the run and its job's Flink state.
#[derive(Debug, Serialize)]
struct RunLine {
    run: Run,
    /// Whether it is the current run (starting, running or stopping).
    active: bool,
    /// Flink's state of its job as last seen; `None` when the job is not (or no longer) known.
    flink_state: Option<String>,
}

impl RunLine {
    fn of(run: Run, flink: &HashMap<(String, String), String>) -> RunLine {
        let flink_state = run
            .jid
            .as_ref()
            .and_then(|jid| flink.get(&(run.cluster.clone(), jid.clone())))
            .cloned();
        RunLine {
            active: matches!(
                run.status,
                RunStatus::Starting | RunStatus::Running | RunStatus::Stopping
            ),
            flink_state,
            run,
        }
    }
}

/// A version as the console lists it.
#[derive(Debug, Serialize)]
struct VersionLine {
    version: String,
    source: String,
    created_by: String,
    created_ms: i64,
    /// The program arguments it runs with (jar applications).
    args: Vec<String>,
    /// What the upload did not understand in meta.json, one line each.
    warnings: Vec<String>,
}

impl From<AppVersion> for VersionLine {
    fn from(v: AppVersion) -> Self {
        let args = v.spec["program_args"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        VersionLine {
            warnings: v
                .warnings
                .iter()
                .map(|w| {
                    serde_json::from_value::<Warning>(w.clone())
                        .map_or_else(|_| w.to_string(), |w| w.to_string())
                })
                .collect(),
            version: v.version,
            source: v.source,
            created_by: v.created_by,
            created_ms: v.created_ms,
            args,
        }
    }
}

/// What the application panel shows.
#[derive(Debug, Serialize)]
struct Panel {
    app: Application,
    /// The application's own self-healing overrides as JSON; empty when the global defaults
    /// apply.
    policy: String,
    /// The latest run (the current one while it starts, runs or stops).
    last_run: Option<RunLine>,
    /// Versions, newest first (at most the panel's limit).
    versions: Vec<VersionLine>,
    /// Every version's name, newest first (to pick the one to start).
    version_names: Vec<String>,
    /// Runs, newest first (at most the panel's limit).
    runs: Vec<RunLine>,
    /// Whether there are more runs than listed.
    more_runs: bool,
}

/// The panel of `app`: at most `limit` versions and runs (`None`: all of them).
pub(super) async fn panel(
    state: &AppState,
    app: Application,
    limit: Option<usize>,
) -> Result<Value, ConsoleError> {
    let flink = flink_states(state).await?;
    let mut versions = state.store.list_versions(&app.id).await?;
    versions.reverse();
    let version_names = versions.iter().map(|v| v.version.clone()).collect();
    let wanted = limit.map_or(ALL_RUNS, |l| u32::try_from(l + 1).unwrap_or(ALL_RUNS));
    let mut runs: Vec<RunLine> = state
        .store
        .list_runs(&app.id, wanted)
        .await?
        .into_iter()
        .map(|r| RunLine::of(r, &flink))
        .collect();
    let more_runs = limit.is_some_and(|l| runs.len() > l);
    if let Some(limit) = limit {
        runs.truncate(limit);
        versions.truncate(limit);
    }
    let policy = serde_json::to_string(&app.policy).unwrap_or_default();
    let panel = Panel {
        policy: if policy == "{}" {
            String::new()
        } else {
            policy
        },
        last_run: runs.first().map(|r| RunLine::of(r.run.clone(), &flink)),
        versions: versions.into_iter().map(VersionLine::from).collect(),
        version_names,
        runs,
        more_runs,
        app,
    };
    Ok(serde(&panel))
}

/// An application as the list shows it.
#[derive(Debug, Serialize)]
struct AppLine {
    #[serde(flatten)]
    app: Application,
    latest_version: Option<String>,
    last_run: Option<RunLine>,
}

/// `GET /ui/apps`: every application with its latest run and version; bulk actions and the
/// upload form for operators.
async fn apps(State(state): State<AppState>, viewer: Viewer) -> Result<Html<String>, ConsoleError> {
    let flink = flink_states(&state).await?;
    let mut lines = Vec::new();
    for app in state.store.list_apps(&AppFilter::default()).await? {
        let latest_version = state
            .store
            .list_versions(&app.id)
            .await?
            .pop()
            .map(|v| v.version);
        let last_run = state
            .store
            .list_runs(&app.id, 1)
            .await?
            .into_iter()
            .next()
            .map(|r| RunLine::of(r, &flink));
        lines.push(AppLine {
            app,
            latest_version,
            last_run,
        });
    }
    viewer.render("apps.html", "apps", context! { apps => serde(&lines) })
}

/// `GET /ui/apps/{id}`: the application's panel with every version and run.
async fn app(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, ConsoleError> {
    let app = state
        .store
        .get_app(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("application {id}")))?;
    let name = app.name.clone();
    viewer.render(
        "app.html",
        "apps",
        context! {
            name => name,
            live_url => format!("/ui/apps/{id}"),
            panel => panel(&state, app, None).await?,
        },
    )
}
