//! The job page: `GET /ui/jobs/{cluster}/{jid}` — the job's facts and live state, its state
//! timeline and latest root exception (from the stored events), its checkpoints (read live
//! from Flink), restarts and health events, its alerts with their deliveries, a subscription
//! form and, for a managed application's job, the application's panel.

use super::{ConsoleError, Viewer, serde};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use std::time::Duration;
use streamwarden_core::clock::now_ms;
use streamwarden_core::{Event, EventKind, JobState};
use streamwarden_store::{AlertFilter, EventFilter};

/// The templates of these pages, embedded.
pub(super) const TEMPLATES: &[(&str, &str)] =
    &[("job.html", include_str!("../../console/templates/job.html"))];

/// The static files of these pages, embedded: `(file name, content type, content)`.
pub(super) const ASSETS: &[(&str, &str, &str)] = &[];

/// How many of the job's events the page reads.
const EVENTS: u32 = 200;

/// How many runs and versions the application panel lists on a job page.
const PANEL_LINES: usize = 5;

/// The longest the page waits for Flink's checkpoint statistics (the page is refreshed every
/// [`super::LIVE_REFRESH_MS`]; a slow cluster must not hold it).
const CHECKPOINTS_WAIT: Duration = Duration::from_millis(1500);

/// A size in bytes for people: `812 B`, `4.2 KiB`, `1.5 GiB`.
fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n.abs() < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0; // one decimal is all that is shown

    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value.abs() < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

/// The id of the application panel's live region: its refreshes need no checkpoints.
const PANEL_REGION: &str = "app-live";

/// Events about restarts and health: Flink's own restarts, self-healing, health checks.
const RESTART_KINDS: [EventKind; 7] = [
    EventKind::JobRestarted,
    EventKind::RestartScheduled,
    EventKind::RestartSucceeded,
    EventKind::RestartFailed,
    EventKind::RestartGaveUp,
    EventKind::JobUnhealthy,
    EventKind::JobHealthy,
];

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/ui/jobs/{cluster}/{jid}", get(job))
}

/// What the page says about the job: the watcher's stored row, or — for a job that is gone
/// from its cluster — what its newest event said.
#[derive(Debug, Serialize)]
struct JobView {
    jid: String,
    name: String,
    state: String,
    start_time_ms: Option<i64>,
    end_time_ms: Option<i64>,
    duration_ms: Option<i64>,
    restarts: Option<u64>,
    /// Whether Flink runs it (its duration then grows with every refresh).
    running: bool,
    first_seen_ms: Option<i64>,
    last_seen_ms: Option<i64>,
    /// Link to the job in Flink's web UI.
    url: String,
    /// Whether the watcher still lists it (else it vanished and is shown from its events).
    listed: bool,
}

/// The job's view: its stored row, else the facts of its newest event; `None` when neither.
async fn job_view(
    state: &AppState,
    cluster: &str,
    jid: &str,
    events: &[Event],
) -> Result<Option<JobView>, ConsoleError> {
    let row = state
        .store
        .list_jobs(Some(cluster))
        .await?
        .into_iter()
        .find(|r| r.job.jid == jid);
    if let Some(row) = row {
        let job = row.job;
        // Flink's duration as last stored is stale while the job goes on: count from its start.
        let duration_ms = match (job.start_time_ms, job.end_time_ms) {
            (Some(start), Some(end)) => Some(end - start),
            (Some(start), None) if !job.state.is_globally_terminal() => Some(now_ms() - start),
            _ => job.duration_ms,
        };
        return Ok(Some(JobView {
            running: job.state == JobState::Running,
            state: job.state.as_str().to_string(),
            jid: job.jid,
            name: job.name,
            start_time_ms: job.start_time_ms,
            end_time_ms: job.end_time_ms,
            duration_ms,
            restarts: job.restarts,
            first_seen_ms: Some(job.first_seen_ms),
            last_seen_ms: Some(job.last_seen_ms),
            url: job.url,
            listed: true,
        }));
    }
    Ok(events
        .iter()
        .find_map(|e| e.job.as_ref().filter(|j| j.id == jid))
        .map(|facts| JobView {
            jid: facts.id.clone(),
            name: facts.name.clone(),
            state: facts.state.as_str().to_string(),
            start_time_ms: facts.start_time_ms,
            end_time_ms: facts.end_time_ms,
            duration_ms: facts.duration_ms,
            restarts: facts.restarts,
            running: false,
            first_seen_ms: None,
            last_seen_ms: None,
            url: facts.url.clone(),
            listed: false,
        }))
}

/// `GET /ui/jobs/{cluster}/{jid}`: the job page (404 for a job neither listed nor in any
/// event). Flink being unreachable, or the cluster unknown to the lifecycle, only puts a note
/// in place of the checkpoints.
async fn job(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((cluster, jid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Html<String>, ConsoleError> {
    let events = state
        .store
        .list_events(&EventFilter {
            job: Some(jid.clone()),
            cluster: Some(cluster.clone()),
            limit: EVENTS,
            ..EventFilter::default()
        })
        .await?;
    // The filter matches a job name too: keep this job's events only.
    let events: Vec<Event> = events
        .into_iter()
        .filter(|e| e.job.as_ref().is_some_and(|j| j.id == jid))
        .collect();
    let job = job_view(&state, &cluster, &jid, &events)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("job {jid} on cluster {cluster}")))?;
    let failure = events.iter().find(|e| e.exception.is_some());
    let restarts: Vec<&Event> = events
        .iter()
        .filter(|e| RESTART_KINDS.contains(&e.kind))
        .collect();
    let alerts = state
        .store
        .list_alerts(&AlertFilter {
            job: Some(job.name.clone()),
            cluster: Some(cluster.clone()),
            limit: 20,
            ..AlertFilter::default()
        })
        .await?;
    let panel_only = headers
        .get("hx-target")
        .is_some_and(|target| target == PANEL_REGION);
    let (checkpoints, checkpoints_error) = if panel_only {
        (None, None)
    } else {
        match tokio::time::timeout(
            CHECKPOINTS_WAIT,
            state.lifecycle.checkpoints(&cluster, &jid),
        )
        .await
        {
            Ok(Ok(stats)) => (Some(stats), None),
            Ok(Err(error)) => (None, Some(error.to_string())),
            Err(_) => (
                None,
                Some(format!(
                    "Flink did not answer within {} ms",
                    CHECKPOINTS_WAIT.as_millis()
                )),
            ),
        }
    };
    let subscription_name = format!("subscription:{}:{}", viewer.user, job.name);
    let subscription = state
        .alerting
        .list_routes()
        .into_iter()
        .find(|r| r.route.name == subscription_name)
        .map(|r| r.route.channels);
    let channels = state.channels.names().await;
    let panel = match state.store.run_of_job(&cluster, &jid).await? {
        Some(run) => match state.store.get_app(&run.app_id).await? {
            Some(app) => Some(super::apps::panel(&state, app, Some(PANEL_LINES)).await?),
            None => None,
        },
        None => None,
    };
    viewer.render(
        "job.html",
        "jobs",
        context! {
            cluster => cluster.clone(),
            live_url => format!("/ui/jobs/{cluster}/{jid}"),
            job => serde(&job),
            events => serde(&events),
            failure => serde(&failure),
            restarts => serde(&restarts),
            alerts => serde(&alerts),
            latest_checkpoint_size => checkpoints
                .as_ref()
                .and_then(|c| c.latest.completed.as_ref()?.state_size_bytes)
                .map(bytes),
            checkpoints => serde(&checkpoints),
            checkpoints_error => checkpoints_error,
            subscription => subscription,
            channels => channels,
            panel => panel,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::bytes;
    use serde_json::json;

    #[test]
    fn sizes_are_readable() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (4_300, "4.2 KiB"),
            (1_610_612_736, "1.5 GiB"),
        ];
        for (n, text) in cases {
            assert_eq!(bytes(n), text, "{n}");
        }
    }

    /// Checkpoints as `flink_client::CheckpointStatistics` serializes them (the server tests'
    /// lifecycle has no Flink to read them from).
    #[test]
    fn the_checkpoints_of_a_job_are_shown() {
        let checkpoint = |id: u64, status: &str, path: &str| {
            json!({"id": id, "className": null, "status": status, "is_savepoint": false,
                "checkpoint_type": "CHECKPOINT", "savepointFormat": null,
                "trigger_timestamp": 1_763_719_203_000_i64, "latest_ack_timestamp": null,
                "end_to_end_duration": 420, "state_size": 4_300, "checkpointed_size": 100,
                "num_subtasks": 1, "num_acknowledged_subtasks": 1, "external_path": path,
                "discarded": false, "failure_timestamp": 1_763_719_204_000_i64,
                "failure_message": "Checkpoint expired before completing"})
        };
        let values = json!({
            "me": {"user": "olga", "role": "operator", "operator": true, "admin": false, "open": false},
            "csrf": "", "active": "jobs", "refresh_ms": 2000, "cluster": "local",
            "live_url": "/ui/jobs/local/j1",
            "job": {"jid": "j1", "name": "orders", "state": "RUNNING", "start_time_ms": 1,
                "end_time_ms": null, "duration_ms": 5, "restarts": 0, "running": true,
                "first_seen_ms": 1, "last_seen_ms": 2, "url": "", "listed": true},
            "events": [], "failure": null, "restarts": [], "alerts": [],
            "checkpoints": {
                "counts": {"restored": 1, "total": 9, "in_progress": 1, "completed": 7, "failed": 1},
                "latest": {
                    "completed": checkpoint(8, "COMPLETED", "<checkpoint-not-externally-addressable>"),
                    "savepoint": checkpoint(6, "COMPLETED", "file:/sp/savepoint-6"),
                    "failed": checkpoint(9, "FAILED", ""),
                    "restored": {"id": 3, "restore_timestamp": 1_763_719_200_000_i64,
                        "is_savepoint": true, "external_path": "file:/sp/savepoint-1"}
                },
                "history": []
            },
            "checkpoints_error": null, "latest_checkpoint_size": "4.2 KiB",
            "subscription": null, "channels": [], "panel": null
        });
        let html = super::super::render("job.html", super::super::serde(&values))
            .expect("renders")
            .0
            .replace("&#x2f;", "/");
        for part in [
            r#"<dd data-testid="checkpoints-completed">7</dd>"#,
            r#"<span class="badge bad">1</span>"#,
            "#8 · 2025-11-21T10:00:03Z · 4.2 KiB · 420 ms",
            "latest from #3 <span class=\"mono\">file:/sp/savepoint-1</span> at 2025-11-21T10:00:00Z",
            "#9 · 2025-11-21T10:00:04Z<div class=\"error small\">Checkpoint expired before completing</div>",
            "file:/sp/savepoint-6",
            "<dt>Running for</dt>",
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        assert!(!html.contains("not-externally-addressable"), "{html}");
    }
}
