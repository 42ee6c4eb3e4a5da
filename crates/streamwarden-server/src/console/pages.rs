//! The console's pages: sign-in, overview and jobs. Each reads the store and renders a
//! template; the live parts of a page are re-fetched by htmx (`hx-select`).

use super::{ConsoleError, Viewer, given, serde};
use crate::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use streamwarden_core::JobState;
use streamwarden_store::{AlertFilter, AppFilter, JobRow, RunStatus};

/// The templates of these pages (and the layout every page extends), embedded.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../console/templates/layout.html"),
    ),
    (
        "error.html",
        include_str!("../../console/templates/error.html"),
    ),
    (
        "login.html",
        include_str!("../../console/templates/login.html"),
    ),
    (
        "overview.html",
        include_str!("../../console/templates/overview.html"),
    ),
    (
        "jobs.html",
        include_str!("../../console/templates/jobs.html"),
    ),
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/", get(overview))
        .route("/ui/jobs", get(jobs))
}

/// `GET /ui/login`: the sign-in form (it posts to `/api/v1/session`).
pub(super) async fn login() -> Result<Html<String>, ConsoleError> {
    super::render("login.html", context! {})
}

/// A job as the console lists it.
#[derive(Debug, Serialize)]
struct JobLine {
    cluster: String,
    jid: String,
    name: String,
    state: String,
    start_time_ms: Option<i64>,
    last_modification_ms: Option<i64>,
    duration_ms: Option<i64>,
    restarts: Option<u64>,
    last_seen_ms: i64,
    tags: Vec<String>,
    /// The managed application running it, if any.
    app_id: Option<String>,
}

/// Every known job with its tags (`[[job_tags]]` rules and, for a managed application's job,
/// the application's tags), newest first.
async fn job_lines(state: &AppState) -> Result<Vec<JobLine>, ConsoleError> {
    let routing = state.alerting.routing();
    let apps: HashMap<String, Vec<String>> = state
        .store
        .list_apps(&AppFilter::default())
        .await?
        .into_iter()
        .map(|a| (a.id, a.tags))
        .collect();
    let runs = state.store.runs_with_status(&RunStatus::ALL).await?;
    let app_of: HashMap<(String, String), String> = runs
        .into_iter()
        .filter_map(|r| Some(((r.cluster, r.jid?), r.app_id)))
        .collect();
    let mut lines: Vec<JobLine> = state
        .store
        .list_jobs(None)
        .await?
        .into_iter()
        .map(|JobRow { cluster, job }| {
            let app_id = app_of.get(&(cluster.clone(), job.jid.clone())).cloned();
            let mut tags = routing.tags_of_job(&job.name);
            for tag in app_id
                .as_ref()
                .and_then(|id| apps.get(id))
                .into_iter()
                .flatten()
            {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            JobLine {
                cluster,
                state: job.state.as_str().to_string(),
                jid: job.jid,
                name: job.name,
                start_time_ms: job.start_time_ms,
                last_modification_ms: job.last_modification_ms,
                duration_ms: job.duration_ms,
                restarts: job.restarts,
                last_seen_ms: job.last_seen_ms,
                tags,
                app_id,
            }
        })
        .collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.start_time_ms));
    Ok(lines)
}

/// The `n` jobs whose state changed last (Flink's last modification, else their start).
fn recently_changed(jobs: &[JobLine], n: usize) -> Vec<&JobLine> {
    let mut recent: Vec<&JobLine> = jobs.iter().collect();
    recent.sort_by_key(|j| std::cmp::Reverse(j.last_modification_ms.or(j.start_time_ms)));
    recent.truncate(n);
    recent
}

/// The states the overview always shows, in this order; others follow when some job is in them.
const MAIN_STATES: [&str; 4] = ["RUNNING", "FAILED", "RESTARTING", "CANCELED"];

/// The overview's tiles: `(state, count)`, the main states first (even at 0), then every other
/// state some job is in, in Flink's order.
fn tiles(per_state: &BTreeMap<&str, usize>) -> Vec<(&'static str, usize)> {
    let count = |state: &str| per_state.get(state).copied().unwrap_or(0);
    let mut tiles: Vec<(&'static str, usize)> =
        MAIN_STATES.iter().map(|s| (*s, count(s))).collect();
    tiles.extend(
        JobState::ALL
            .iter()
            .map(|s| s.as_str())
            .filter(|s| !MAIN_STATES.contains(s) && count(s) > 0)
            .map(|s| (s, count(s))),
    );
    tiles
}

/// `GET /ui/`: counts per job state and per cluster, and the latest alerts.
async fn overview(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Html<String>, ConsoleError> {
    let jobs = job_lines(&state).await?;
    let mut per_state: BTreeMap<&str, usize> =
        JobState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut per_cluster: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for job in &jobs {
        *per_state.entry(job.state.as_str()).or_default() += 1;
        *per_cluster
            .entry(job.cluster.clone())
            .or_default()
            .entry(job.state.clone())
            .or_default() += 1;
    }
    let clusters: Vec<_> = state
        .store
        .list_clusters()
        .await?
        .into_iter()
        .map(|c| {
            let jobs = per_cluster.get(&c.name).cloned().unwrap_or_default();
            context! {
                jobs => jobs,
                name => c.name,
                url => c.url,
                up => !c.health.unreachable,
                last_error => c.health.last_error,
                last_ok_ms => c.health.last_ok_ms,

            }
        })
        .collect();
    let alerts = state
        .store
        .list_alerts(&AlertFilter {
            limit: 10,
            ..AlertFilter::default()
        })
        .await?;
    viewer.render(
        "overview.html",
        "overview",
        context! {
            per_state => tiles(&per_state),
            total => jobs.len(),
            clusters => clusters,
            alerts => serde(&alerts),
            recent_jobs => serde(&recently_changed(&jobs, 12)),
        },
    )
}

/// Filters of `GET /ui/jobs` (each empty = any).
#[derive(Debug, Default, Deserialize)]
struct JobsQuery {
    cluster: Option<String>,
    state: Option<String>,
    tag: Option<String>,
    name: Option<String>,
}

/// `GET /ui/jobs?cluster=&state=&tag=&name=`: the jobs, filtered (name: case-insensitive
/// substring).
async fn jobs(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<JobsQuery>,
) -> Result<Html<String>, ConsoleError> {
    let all = job_lines(&state).await?;
    let (cluster, job_state, tag, name) = (
        given(q.cluster),
        given(q.state),
        given(q.tag),
        given(q.name),
    );
    let clusters: BTreeSet<String> = all.iter().map(|j| j.cluster.clone()).collect();
    let tags: BTreeSet<String> = all.iter().flat_map(|j| j.tags.clone()).collect();
    let needle = name.as_deref().map(str::to_lowercase);
    let shown: Vec<&JobLine> = all
        .iter()
        .filter(|j| cluster.as_deref().is_none_or(|c| j.cluster == c))
        .filter(|j| job_state.as_deref().is_none_or(|s| j.state == s))
        .filter(|j| tag.as_deref().is_none_or(|t| j.tags.iter().any(|x| x == t)))
        .filter(|j| {
            needle
                .as_deref()
                .is_none_or(|n| j.name.to_lowercase().contains(n))
        })
        .collect();
    viewer.render(
        "jobs.html",
        "jobs",
        context! {
            jobs => serde(&shown),
            total => all.len(),
            clusters => clusters,
            tags => tags,
            states => JobState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            filter => context! { cluster => cluster, state => job_state, tag => tag, name => name },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_states_come_first_and_others_only_when_some_job_is_in_them() {
        let per_state: BTreeMap<&str, usize> = [
            ("CANCELED", 2),
            ("CREATED", 0),
            ("FAILED", 1),
            ("FINISHED", 3),
            ("RUNNING", 0),
            ("SUSPENDED", 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            tiles(&per_state),
            [
                ("RUNNING", 0),
                ("FAILED", 1),
                ("RESTARTING", 0),
                ("CANCELED", 2),
                ("FINISHED", 3),
                ("SUSPENDED", 1),
            ]
        );
    }
}
