//! Job responses: `GET /jobs/overview` and `GET /jobs/:jobid`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::de;

/// Body of `GET /jobs/overview`: `{"jobs": [JobOverview, ...]}`. [`crate::FlinkClient::jobs_overview`]
/// returns the list directly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsOverview {
    /// One entry per job the JobManager knows (running and recently terminated).
    #[serde(default, deserialize_with = "de::null_default")]
    pub jobs: Vec<JobOverview>,
}

/// One job in `GET /jobs/overview`.
///
/// See "/jobs/overview" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobOverview {
    /// Job id, 32 hex characters (`jid`).
    pub jid: String,
    /// Job name (`name`).
    #[serde(default)]
    pub name: String,
    /// Raw Flink `JobStatus` name, e.g. `RUNNING`, `FAILED`, `CANCELED` (`state`).
    #[serde(default)]
    pub state: String,
    /// `STREAMING` or `BATCH` (`jobType` here, unlike `job-type` in [`JobDetails`]; Flink
    /// 2.x).
    #[serde(rename = "jobType", alias = "job-type", default)]
    pub job_type: Option<String>,
    /// Submission/start time, epoch ms (`start-time`); `None` if Flink reports `-1`.
    #[serde(rename = "start-time", default, deserialize_with = "de::opt_epoch_ms")]
    pub start_time_ms: Option<i64>,
    /// End time, epoch ms (`end-time`); `None` while the job is not globally terminal
    /// (Flink reports `-1`).
    #[serde(rename = "end-time", default, deserialize_with = "de::opt_epoch_ms")]
    pub end_time_ms: Option<i64>,
    /// Run time so far (or total, once terminal) in ms (`duration`).
    #[serde(rename = "duration", default)]
    pub duration_ms: Option<i64>,
    /// Time of the last state change, epoch ms (`last-modification`).
    #[serde(
        rename = "last-modification",
        default,
        deserialize_with = "de::opt_epoch_ms"
    )]
    pub last_modification_ms: Option<i64>,
    /// Number of tasks per execution state, lower-case names plus `total`, e.g.
    /// `{"running": 2, "total": 2}` (`tasks`); absent on some versions.
    #[serde(default)]
    pub tasks: Option<BTreeMap<String, u32>>,
}

impl JobOverview {
    /// End time as epoch ms, `None` while the job runs (same as the field; kept for symmetry
    /// with [`JobDetails::end_time`]).
    pub fn end_time(&self) -> Option<i64> {
        self.end_time_ms
    }
}

/// Body of `GET /jobs/:jobid`: state, timing and vertices of one job.
///
/// See "/jobs/:jobid" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDetails {
    /// Job id, 32 hex characters (`jid`).
    pub jid: String,
    /// Job name (`name`).
    #[serde(default)]
    pub name: String,
    /// Raw Flink `JobStatus` name, e.g. `RUNNING`, `RESTARTING`, `FAILED` (`state`).
    #[serde(default)]
    pub state: String,
    /// Id of the application the job belongs to (`application-id`, Flink 2.3+).
    #[serde(rename = "application-id", default)]
    pub application_id: Option<String>,
    /// Whether the job can be stopped gracefully, i.e. all sources are stoppable
    /// (`isStoppable`).
    #[serde(rename = "isStoppable", default)]
    pub is_stoppable: Option<bool>,
    /// `STREAMING` or `BATCH` (`job-type`, Flink 1.18+).
    #[serde(rename = "job-type", default)]
    pub job_type: Option<String>,
    /// Start time, epoch ms (`start-time`); `None` if Flink reports `-1`.
    #[serde(rename = "start-time", default, deserialize_with = "de::opt_epoch_ms")]
    pub start_time_ms: Option<i64>,
    /// End time, epoch ms (`end-time`); `None` while the job runs (Flink reports `-1`).
    #[serde(rename = "end-time", default, deserialize_with = "de::opt_epoch_ms")]
    pub end_time_ms: Option<i64>,
    /// Run time so far (or total, once terminal) in ms (`duration`).
    #[serde(rename = "duration", default)]
    pub duration_ms: Option<i64>,
    /// Job max parallelism (`maxParallelism`); `-1` when not set.
    #[serde(rename = "maxParallelism", default)]
    pub max_parallelism: Option<i64>,
    /// The JobManager's clock when it answered, epoch ms (`now`).
    #[serde(rename = "now", default)]
    pub now_ms: Option<i64>,
    /// When the job last entered each `JobStatus`, epoch ms, keyed by the status name, e.g.
    /// `{"CREATED": 1700000000000, "RUNNING": 1700000000500}` (`timestamps`); states never
    /// entered are reported as `0`.
    #[serde(default, deserialize_with = "de::null_default")]
    pub timestamps: BTreeMap<String, i64>,
    /// The job's vertices (operator chains) (`vertices`).
    #[serde(default, deserialize_with = "de::null_default")]
    pub vertices: Vec<JobVertex>,
    /// Number of vertices per execution state (`status-counts`).
    #[serde(
        rename = "status-counts",
        default,
        deserialize_with = "de::null_default"
    )]
    pub status_counts: BTreeMap<String, u32>,
}

impl JobDetails {
    /// End time as epoch ms, `None` while the job runs.
    pub fn end_time(&self) -> Option<i64> {
        self.end_time_ms
    }

    /// When the job (last) entered `state` (a `JobStatus` name), epoch ms; `None` when the
    /// state was never entered (Flink reports `0`) or is unknown.
    pub fn state_timestamp(&self, state: &str) -> Option<i64> {
        self.timestamps.get(state).copied().filter(|ms| *ms > 0)
    }
}

/// One vertex (operator chain) in [`JobDetails::vertices`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobVertex {
    /// Vertex id, 32 hex characters (`id`).
    pub id: String,
    /// Vertex name, e.g. `Source: numbers -> Map` (`name`).
    #[serde(default)]
    pub name: String,
    /// Current parallelism (`parallelism`).
    #[serde(default)]
    pub parallelism: u32,
    /// Max parallelism (`maxParallelism`).
    #[serde(rename = "maxParallelism", default)]
    pub max_parallelism: Option<i64>,
    /// Aggregated `ExecutionState` name, e.g. `RUNNING`, `FAILED` (`status`).
    #[serde(default)]
    pub status: String,
    /// Start time, epoch ms (`start-time`); `None` before it started.
    #[serde(rename = "start-time", default, deserialize_with = "de::opt_epoch_ms")]
    pub start_time_ms: Option<i64>,
    /// End time, epoch ms (`end-time`); `None` while running.
    #[serde(rename = "end-time", default, deserialize_with = "de::opt_epoch_ms")]
    pub end_time_ms: Option<i64>,
    /// Duration in ms (`duration`).
    #[serde(rename = "duration", default)]
    pub duration_ms: Option<i64>,
    /// Number of subtasks per `ExecutionState` name (`tasks`).
    #[serde(default, deserialize_with = "de::null_default")]
    pub tasks: BTreeMap<String, u32>,
}
