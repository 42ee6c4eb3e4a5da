//! Events: what StreamWarden observed. Append-only; never edited once stored.

use crate::healing::Trigger;
use crate::health::HealthFacts;
use crate::{JobState, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of an event. Serialized in snake case (`"job_state_changed"`), the names used in the
/// API, the webhook payload's `kind` and configuration.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A job was seen for the first time; recorded, not alerted.
    JobDiscovered,
    /// A job went from one Flink state to another.
    JobStateChanged,
    /// Flink's `numRestarts` metric of a job grew (a restart that may never show as RESTARTING).
    JobRestarted,
    /// A job that was not in a terminal state vanished from a reachable cluster.
    JobDisappeared,
    /// A cluster failed several consecutive polls (debounced).
    ClusterUnreachable,
    /// An unreachable cluster answered again.
    ClusterRecovered,
    /// Self-healing will restart a managed application's job (attempt n of m).
    RestartScheduled,
    /// An automatic restart brought the job back (new job id, restore point).
    RestartSucceeded,
    /// An automatic restart failed (reason, root exception).
    RestartFailed,
    /// The restart limit is reached: no more automatic restarts.
    RestartGaveUp,
    /// A health check opened on a job that is not FAILED: a restart loop, stalled or failing
    /// checkpoints (`health` says which and why).
    JobUnhealthy,
    /// A health check closed: the job recovered, or ended.
    JobHealthy,
}

impl EventKind {
    /// Every kind, for validation and documentation.
    pub const ALL: [EventKind; 12] = [
        EventKind::JobDiscovered,
        EventKind::JobStateChanged,
        EventKind::JobRestarted,
        EventKind::JobDisappeared,
        EventKind::ClusterUnreachable,
        EventKind::ClusterRecovered,
        EventKind::RestartScheduled,
        EventKind::RestartSucceeded,
        EventKind::RestartFailed,
        EventKind::RestartGaveUp,
        EventKind::JobUnhealthy,
        EventKind::JobHealthy,
    ];

    /// The snake-case name (`"job_restarted"`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::JobDiscovered => "job_discovered",
            EventKind::JobStateChanged => "job_state_changed",
            EventKind::JobRestarted => "job_restarted",
            EventKind::JobDisappeared => "job_disappeared",
            EventKind::ClusterUnreachable => "cluster_unreachable",
            EventKind::ClusterRecovered => "cluster_recovered",
            EventKind::RestartScheduled => "restart_scheduled",
            EventKind::RestartSucceeded => "restart_succeeded",
            EventKind::RestartFailed => "restart_failed",
            EventKind::RestartGaveUp => "restart_gave_up",
            EventKind::JobUnhealthy => "job_unhealthy",
            EventKind::JobHealthy => "job_healthy",
        }
    }

    /// Parses a snake-case name; `None` when unknown.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The root exception of a failing job, from Flink's `GET /jobs/:jid/exceptions`
/// (newest entry of `exceptionHistory`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RootException {
    /// Exception class, e.g. `java.lang.IllegalStateException`.
    pub name: String,
    /// The exception's message (may be empty).
    pub message: String,
    /// The first lines of the stack trace, newline-separated.
    pub stacktrace: String,
    /// The task in which it happened, when Flink says.
    pub task: Option<String>,
    /// When it happened, epoch ms, from Flink.
    pub timestamp_ms: Option<i64>,
}

/// What an event says about a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobFacts {
    /// Flink job id (32 hex characters).
    pub id: String,
    /// Job name as submitted.
    pub name: String,
    /// State before the change; `None` for a first sighting.
    pub previous_state: Option<JobState>,
    /// State after the change (for `job_disappeared`, the last state seen).
    pub state: JobState,
    /// Flink's `start-time`, epoch ms.
    pub start_time_ms: Option<i64>,
    /// Flink's `end-time`, epoch ms; `None` while the job is not terminal.
    pub end_time_ms: Option<i64>,
    /// Flink's `duration`, ms.
    pub duration_ms: Option<i64>,
    /// Flink's `numRestarts` metric as last read; `None` when never read.
    pub restarts: Option<u64>,
    /// `numRestarts` before this event, for `job_restarted`.
    pub previous_restarts: Option<u64>,
    /// Link to the job in Flink's web UI.
    pub url: String,
}

/// Something StreamWarden observed, as stored and as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    /// Unique, stable id (UUID v7 in production): the same on every delivery attempt.
    pub event_id: String,
    /// What happened.
    pub kind: EventKind,
    /// How urgent it is.
    pub severity: Severity,
    /// Whether it is an alert (delivered to channels) or only recorded.
    pub notify: bool,
    /// One human-readable line.
    pub summary: String,
    /// When it happened, epoch ms — Flink's own timestamp where it gives one.
    pub occurred_at_ms: i64,
    /// When StreamWarden saw it, epoch ms.
    pub observed_at_ms: i64,
    /// Cluster name.
    pub cluster: String,
    /// Cluster REST URL.
    pub cluster_url: String,
    /// The job, absent for cluster events.
    pub job: Option<JobFacts>,
    /// The root exception, where there is one.
    pub exception: Option<RootException>,
    /// For cluster events: the error of the last failed poll.
    pub error: Option<String>,
    /// For self-healing's events (`restart_*`): the attempt, its restore point and outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartFacts>,
    /// For `job_unhealthy` and `job_healthy`: the check, what it measured and its limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthFacts>,
}

/// What a self-healing event says about an automatic restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RestartFacts {
    /// The managed application's id.
    pub app_id: String,
    /// What brought the job down.
    pub trigger: Trigger,
    /// This attempt's number within the policy's window (1-based); for `restart_gave_up`,
    /// the restarts already made within it.
    pub attempt: u32,
    /// The policy's limit of automatic restarts within its window.
    pub max_restarts: u32,
    /// The policy's window, ms.
    pub window_ms: i64,
    /// When the restart is (or was) made, epoch ms.
    pub at_ms: Option<i64>,
    /// The snapshot the restart restores from (`file:///…/chk-42`); `None` starts without state.
    pub restore_point: Option<String>,
    /// The restarted job's Flink job id (`restart_succeeded`).
    pub new_job_id: Option<String>,
    /// Why the restart failed (`restart_failed`) or was given up (`restart_gave_up`).
    pub reason: Option<String>,
}
