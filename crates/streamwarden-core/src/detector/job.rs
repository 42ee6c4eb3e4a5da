//! One job's diff: state transitions, restart-count growth, first sightings, disappearances;
//! and the two enrichment decisions (when to read `numRestarts`, when to fetch exceptions).

use super::{ClusterView, DetectorConfig, JobSnapshot, LAST_SEEN_REFRESH_MS, ObservedJob};
use crate::{Event, EventKind, JobFacts, JobState, RootException, Severity};

/// Severity and whether to alert, for a job reaching `new` from `previous` (`None`: the job was
/// never seen in an earlier state, e.g. it started and failed between two polls).
///
/// FAILED → critical; RESTARTING, SUSPENDED, CANCELED → major; FINISHED → info; RUNNING after
/// trouble (FAILING, RESTARTING, SUSPENDED, RECONCILING) → info, a recovery. The rest
/// (INITIALIZING, CREATED, a first RUNNING, FAILING — FAILED or RESTARTING follows —,
/// CANCELLING, RECONCILING) are recorded without alerting.
pub fn transition_rule(previous: Option<JobState>, new: JobState) -> (Severity, bool) {
    match new {
        JobState::Failed => (Severity::Critical, true),
        JobState::Failing => (Severity::Critical, false),
        JobState::Restarting | JobState::Suspended | JobState::Canceled => (Severity::Major, true),
        JobState::Finished => (Severity::Info, true),
        JobState::Running => (
            Severity::Info,
            previous.is_some_and(|p| p.is_trouble() || p.is_globally_terminal()),
        ),
        JobState::Cancelling | JobState::Reconciling => (Severity::Warning, false),
        JobState::Initializing | JobState::Created => (Severity::Info, false),
    }
}

/// Whether this poll should read the job's `numRestarts` metric
/// (`GET /jobs/:jid/metrics?get=numRestarts`).
///
/// Flink's default restart strategies restart a job without it ever reaching FAILED, and a
/// region failover never shows RESTARTING at all; so the counter is read for every RUNNING or
/// RESTARTING job: always while RESTARTING, on first sight, whenever Flink's `last-modification`
/// moved (tasks were redeployed), and at least every `restart_check_interval_ms`.
pub fn needs_restart_count(
    previous: Option<&JobSnapshot>,
    observed: &ObservedJob,
    last_checked_ms: Option<i64>,
    now_ms: i64,
    config: &DetectorConfig,
) -> bool {
    match observed.state {
        JobState::Restarting => true,
        JobState::Running => match (previous, last_checked_ms) {
            (None, _) | (_, None) => true,
            (Some(prev), Some(checked)) => {
                prev.last_modification_ms != observed.last_modification_ms
                    || now_ms - checked >= config.restart_check_interval_ms
            }
        },
        _ => false,
    }
}

/// Whether this poll should fetch the job's root exception (`GET /jobs/:jid/exceptions`): when it
/// enters FAILED, FAILING or RESTARTING, or its restart count grew — only for changes that will
/// become events, never for old failures seen on a first poll.
pub fn needs_root_cause(
    previous: Option<&JobSnapshot>,
    observed: &ObservedJob,
    cluster_last_ok_ms: Option<i64>,
) -> bool {
    let troubled = matches!(
        observed.state,
        JobState::Failed | JobState::Failing | JobState::Restarting
    );
    match previous {
        None => troubled && is_new_since(observed, cluster_last_ok_ms),
        Some(prev) => {
            (troubled && prev.state != observed.state) || restart_delta(prev, observed) > 0
        }
    }
}

/// A job StreamWarden could not have seen before: it started after the last successful poll.
fn is_new_since(observed: &ObservedJob, cluster_last_ok_ms: Option<i64>) -> bool {
    match (cluster_last_ok_ms, observed.start_time_ms) {
        (Some(last_ok), Some(start)) => start >= last_ok,
        _ => false,
    }
}

fn restart_delta(prev: &JobSnapshot, observed: &ObservedJob) -> u64 {
    match (prev.restarts, observed.restarts) {
        (Some(before), Some(now)) => now.saturating_sub(before),
        _ => 0,
    }
}

/// The diff of one observed job against what was stored: the new snapshot, the events, and
/// whether the snapshot must be written.
pub(super) fn diff(
    view: &ClusterView,
    previous: Option<&JobSnapshot>,
    observed: &ObservedJob,
    cluster_last_ok_ms: Option<i64>,
    now_ms: i64,
    next_id: &mut dyn FnMut() -> String,
) -> (JobSnapshot, Vec<Event>, bool) {
    let snapshot = JobSnapshot {
        jid: observed.jid.clone(),
        name: observed.name.clone(),
        state: observed.state,
        start_time_ms: observed.start_time_ms,
        end_time_ms: observed.end_time_ms,
        duration_ms: observed.duration_ms,
        last_modification_ms: observed.last_modification_ms,
        restarts: observed.restarts.or(previous.and_then(|p| p.restarts)),
        first_seen_ms: previous.map_or(now_ms, |p| p.first_seen_ms),
        last_seen_ms: now_ms,
        url: observed.url.clone(),
    };
    let mut events = Vec::new();
    let Some(prev) = previous else {
        let new_since = is_new_since(observed, cluster_last_ok_ms);
        let (severity, notify) = transition_rule(None, observed.state);
        let kind = if new_since && notify {
            EventKind::JobStateChanged
        } else {
            EventKind::JobDiscovered
        };
        let facts = facts(observed, &snapshot, None, None);
        let summary = match kind {
            EventKind::JobDiscovered => format!(
                "{} discovered on cluster {} in state {}",
                job_label(observed),
                view.name,
                observed.state
            ),
            _ => state_summary(view, observed, None),
        };
        events.push(job_event(
            view,
            kind,
            severity,
            notify && kind == EventKind::JobStateChanged,
            summary,
            occurred_at(observed, now_ms),
            now_ms,
            facts,
            observed.exception.clone(),
            next_id,
        ));
        return (snapshot, events, true);
    };

    let state_changed = prev.state != observed.state;
    if state_changed {
        let (mut severity, mut notify) = transition_rule(Some(prev.state), observed.state);
        let mut summary = state_summary(view, observed, Some(prev.state));
        if let Some(user) = &observed.stop_requested_by
            && matches!(
                observed.state,
                JobState::Cancelling | JobState::Canceled | JobState::Finished
            )
        {
            (severity, notify) = (Severity::Info, false);
            summary.push_str(&format!(" (stopped by StreamWarden for {user})"));
        }
        events.push(job_event(
            view,
            EventKind::JobStateChanged,
            severity,
            notify,
            summary,
            occurred_at(observed, now_ms),
            now_ms,
            facts(observed, &snapshot, Some(prev.state), prev.restarts),
            observed.exception.clone(),
            next_id,
        ));
    }
    let mut delta = restart_delta(prev, observed);
    if state_changed && observed.state == JobState::Restarting {
        // The RESTARTING event already tells of one restart.
        delta = delta.saturating_sub(1);
    }
    if delta > 0 {
        let restarts = snapshot.restarts.unwrap_or_default();
        events.push(job_event(
            view,
            EventKind::JobRestarted,
            Severity::Major,
            true,
            format!(
                "{} on cluster {} restarted {} time{} (numRestarts {} → {}){}",
                job_label(observed),
                view.name,
                delta,
                if delta == 1 { "" } else { "s" },
                restarts - delta,
                restarts,
                exception_suffix(observed.exception.as_ref())
            ),
            observed.last_modification_ms.unwrap_or(now_ms),
            now_ms,
            facts(
                observed,
                &snapshot,
                Some(prev.state),
                Some(restarts - delta),
            ),
            observed.exception.clone(),
            next_id,
        ));
    }
    let changed = state_changed
        || snapshot.restarts != prev.restarts
        || snapshot.name != prev.name
        || snapshot.start_time_ms != prev.start_time_ms
        || snapshot.end_time_ms != prev.end_time_ms
        || snapshot.last_modification_ms != prev.last_modification_ms
        || snapshot.url != prev.url
        || now_ms - prev.last_seen_ms >= LAST_SEEN_REFRESH_MS;
    let snapshot = if changed { snapshot } else { prev.clone() };
    (snapshot, events, changed)
}

/// `job_disappeared` for a job that was not terminal and is no longer listed by its cluster.
pub(super) fn disappeared(
    view: &ClusterView,
    prev: &JobSnapshot,
    now_ms: i64,
    next_id: &mut dyn FnMut() -> String,
) -> Event {
    Event {
        event_id: next_id(),
        kind: EventKind::JobDisappeared,
        severity: Severity::Critical,
        notify: true,
        summary: format!(
            "Job {} ({}) disappeared from cluster {} while {}",
            prev.name,
            short_id(&prev.jid),
            view.name,
            prev.state
        ),
        occurred_at_ms: now_ms,
        observed_at_ms: now_ms,
        cluster: view.name.clone(),
        cluster_url: view.url.clone(),
        job: Some(JobFacts {
            previous_state: Some(prev.state),
            previous_restarts: prev.restarts,
            ..prev.facts()
        }),
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn job_event(
    view: &ClusterView,
    kind: EventKind,
    severity: Severity,
    notify: bool,
    summary: String,
    occurred_at_ms: i64,
    observed_at_ms: i64,
    job: JobFacts,
    exception: Option<RootException>,
    next_id: &mut dyn FnMut() -> String,
) -> Event {
    Event {
        event_id: next_id(),
        kind,
        severity,
        notify,
        summary,
        occurred_at_ms,
        observed_at_ms,
        cluster: view.name.clone(),
        cluster_url: view.url.clone(),
        job: Some(job),
        exception,
        error: None,
        restart: None,
        health: None,
    }
}

fn facts(
    observed: &ObservedJob,
    snapshot: &JobSnapshot,
    previous_state: Option<JobState>,
    previous_restarts: Option<u64>,
) -> JobFacts {
    JobFacts {
        id: observed.jid.clone(),
        name: observed.name.clone(),
        previous_state,
        state: observed.state,
        start_time_ms: observed.start_time_ms,
        end_time_ms: observed.end_time_ms,
        duration_ms: observed.duration_ms,
        restarts: snapshot.restarts,
        previous_restarts,
        url: observed.url.clone(),
    }
}

/// Flink's own time of the change: `end-time` for a terminal state, else `last-modification`.
fn occurred_at(observed: &ObservedJob, now_ms: i64) -> i64 {
    let flink_time = if observed.state.is_globally_terminal() {
        observed.end_time_ms.or(observed.last_modification_ms)
    } else {
        observed.last_modification_ms
    };
    flink_time.filter(|t| *t > 0).unwrap_or(now_ms)
}

fn state_summary(view: &ClusterView, observed: &ObservedJob, previous: Option<JobState>) -> String {
    let from = previous.map_or_else(|| "(new)".to_string(), |p| p.to_string());
    format!(
        "{} on cluster {}: {} → {}{}",
        job_label(observed),
        view.name,
        from,
        observed.state,
        exception_suffix(observed.exception.as_ref())
    )
}

fn exception_suffix(exception: Option<&RootException>) -> String {
    match exception {
        Some(e) if e.message.is_empty() => format!(": {}", e.name),
        Some(e) => format!(": {}: {}", e.name, e.message),
        None => String::new(),
    }
}

fn job_label(observed: &ObservedJob) -> String {
    format!("Job {} ({})", observed.name, short_id(&observed.jid))
}

fn short_id(jid: &str) -> &str {
    jid.get(..8).unwrap_or(jid)
}
