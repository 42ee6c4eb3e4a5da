//! Rows of managed applications: applications, versions, runs, snapshots.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use streamwarden_core::Event;
use streamwarden_core::healing::{AppPolicy, Trigger};

/// A managed application (a named job StreamWarden can start, stop and restart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Application {
    /// Unique id.
    pub id: String,
    /// Project (Streamis `projectName`).
    pub project: String,
    /// Name (Streamis `jobName`), unique within the project.
    pub name: String,
    /// `flink.jar` or `flink.sql`.
    pub job_type: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// A disabled application cannot be started.
    pub enabled: bool,
    /// The cluster it runs on.
    pub cluster: String,
    /// A savepoint the user pinned as restore point.
    pub pinned_savepoint: Option<String>,
    /// The application's own self-healing policy (overrides of the global defaults).
    #[serde(default)]
    pub policy: AppPolicy,
    /// When created, epoch ms.
    pub created_ms: i64,
    /// When last changed, epoch ms.
    pub updated_ms: i64,
}

/// An immutable version of an application's package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppVersion {
    /// Application id.
    pub app_id: String,
    /// `v00001`, `v00002`, …
    pub version: String,
    /// The job as StreamWarden runs it (JSON of the package's job spec).
    pub spec: Value,
    /// meta.json as uploaded.
    pub meta: Value,
    /// Warnings of the upload (unknown keys, …).
    pub warnings: Vec<Value>,
    /// Where the package is kept.
    pub package: String,
    /// `upload` or `edit` (program arguments edited).
    pub source: String,
    /// Who created it.
    pub created_by: String,
    /// When, epoch ms.
    pub created_ms: i64,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Submitted, not yet RUNNING.
    Starting,
    /// The job runs.
    Running,
    /// The start failed, or the job failed.
    Failed,
    /// A stop was requested by StreamWarden.
    Stopping,
    /// Stopped by StreamWarden (with or without a savepoint).
    Stopped,
    /// Ended otherwise (cancelled from outside, finished, vanished).
    Ended,
}

impl RunStatus {
    /// Every status, in the order a run goes through them.
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Starting,
        RunStatus::Running,
        RunStatus::Failed,
        RunStatus::Stopping,
        RunStatus::Stopped,
        RunStatus::Ended,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Starting => "starting",
            RunStatus::Running => "running",
            RunStatus::Failed => "failed",
            RunStatus::Stopping => "stopping",
            RunStatus::Stopped => "stopped",
            RunStatus::Ended => "ended",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One start of an application version on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Run {
    /// Unique id.
    pub id: String,
    /// Application id.
    pub app_id: String,
    /// Version started.
    pub version: String,
    /// Cluster.
    pub cluster: String,
    /// Flink job id, once submitted.
    pub jid: Option<String>,
    /// Status.
    pub status: RunStatus,
    /// The snapshot it restored from.
    pub restore_path: Option<String>,
    /// Who started it.
    pub started_by: String,
    /// When, epoch ms.
    pub started_ms: i64,
    /// When it ended, epoch ms.
    pub ended_ms: Option<i64>,
    /// Who asked StreamWarden to stop it (its cancel is then not an incident).
    pub stop_requested_by: Option<String>,
    /// The savepoint taken when it was stopped.
    pub savepoint_path: Option<String>,
    /// What happened (error, root exception).
    pub message: Option<String>,
    /// What self-healing decided when the run's job went down ("restart 1 of 3 scheduled",
    /// "not restarted: the fail-restart switch is off"); `None` until it decided.
    #[serde(default)]
    pub healing: Option<String>,
}

/// A restart self-healing has scheduled and not yet finished: the persisted intent that keeps
/// one restart in flight per application, across restarts of StreamWarden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartIntent {
    /// Application id (at most one intent per application).
    pub app_id: String,
    /// The run whose job went down.
    pub run_id: String,
    /// Version to start again.
    pub version: String,
    /// Cluster.
    pub cluster: String,
    /// What brought the job down.
    pub trigger: Trigger,
    /// When to restart, epoch ms.
    pub due_ms: i64,
    /// Attempt number within the window (1-based).
    pub attempt: u32,
    /// The policy's limit within its window.
    pub max_restarts: u32,
    /// The policy's window, ms.
    pub window_ms: i64,
    /// Restore from the chosen restore point (the auto-restore switch).
    pub auto_restore: bool,
    /// The restore point chosen when scheduling.
    pub restore_point: Option<String>,
    /// The event that told the job went down (the restart's events are built on it).
    pub event: Event,
    /// When scheduled, epoch ms.
    pub created_ms: i64,
}

/// A snapshot recorded for an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSnapshot {
    /// Application id.
    pub app_id: String,
    /// Path or URI (`file:///…/savepoint-…`).
    pub path: String,
    /// `checkpoint` or `savepoint`.
    pub kind: String,
    /// When it completed, epoch ms.
    pub completed_ms: i64,
    /// The run it was taken from.
    pub run_id: Option<String>,
}

/// Which applications to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppFilter {
    /// Project.
    pub project: Option<String>,
    /// Carrying this tag.
    pub tag: Option<String>,
    /// Name containing this text.
    pub name: Option<String>,
}
