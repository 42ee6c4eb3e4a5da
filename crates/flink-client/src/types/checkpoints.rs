//! Checkpointing: `GET /jobs/:jobid/checkpoints` and `GET /jobs/:jobid/checkpoints/config`.

use serde::{Deserialize, Serialize};

use super::de;

/// Body of `GET /jobs/:jobid/checkpoints`: counts, latest checkpoints and recent history.
///
/// See "/jobs/:jobid/checkpoints" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
/// For a job without checkpointing, Flink 2.x answers 200 with all counts `0`, every `latest`
/// member `null` and an empty history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointStatistics {
    /// How many checkpoints were triggered, completed, failed... (`counts`).
    #[serde(default, deserialize_with = "de::null_default")]
    pub counts: CheckpointCounts,
    /// The latest completed checkpoint, savepoint, failed checkpoint and restore (`latest`).
    #[serde(default, deserialize_with = "de::null_default")]
    pub latest: LatestCheckpoints,
    /// Recent checkpoints, newest first; bounded by `web.checkpoints.history` (`history`).
    #[serde(default, deserialize_with = "de::null_default")]
    pub history: Vec<Checkpoint>,
}

/// The `counts` object of [`CheckpointStatistics`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointCounts {
    /// Restores from a checkpoint or savepoint (`restored`).
    #[serde(default)]
    pub restored: u64,
    /// Checkpoints triggered, in any state (`total`).
    #[serde(default)]
    pub total: u64,
    /// Checkpoints currently in progress (`in_progress`).
    #[serde(default)]
    pub in_progress: u64,
    /// Checkpoints completed (`completed`).
    #[serde(default)]
    pub completed: u64,
    /// Checkpoints failed (`failed`).
    #[serde(default)]
    pub failed: u64,
}

/// The `latest` object of [`CheckpointStatistics`]; each member is `null`/absent until one
/// exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestCheckpoints {
    /// Latest completed checkpoint (`completed`).
    #[serde(default)]
    pub completed: Option<Checkpoint>,
    /// Latest completed savepoint (`savepoint`).
    #[serde(default)]
    pub savepoint: Option<Checkpoint>,
    /// Latest failed checkpoint (`failed`).
    #[serde(default)]
    pub failed: Option<Checkpoint>,
    /// Latest restore (`restored`).
    #[serde(default)]
    pub restored: Option<RestoredCheckpoint>,
}

/// One checkpoint or savepoint: a `latest` member or a `history` entry. Fields that only some
/// kinds carry (completed: `external_path`; failed: `failure_*`) are optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Checkpoint id, increasing per job (`id`).
    pub id: u64,
    /// Flink's kind tag: `completed`, `failed` or `in_progress` (`className`).
    #[serde(rename = "className", default)]
    pub class_name: Option<String>,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED` (`status`).
    #[serde(default)]
    pub status: String,
    /// Whether this is a savepoint (`is_savepoint`).
    #[serde(default)]
    pub is_savepoint: Option<bool>,
    /// `CHECKPOINT`, `SAVEPOINT`, `UNALIGNED_CHECKPOINT`, ... (`checkpoint_type`).
    #[serde(default)]
    pub checkpoint_type: Option<String>,
    /// Savepoint format, `CANONICAL` or `NATIVE`, for savepoints (`savepointFormat`).
    #[serde(rename = "savepointFormat", default)]
    pub savepoint_format: Option<String>,
    /// When it was triggered, epoch ms (`trigger_timestamp`).
    #[serde(
        rename = "trigger_timestamp",
        default,
        deserialize_with = "de::opt_epoch_ms"
    )]
    pub trigger_timestamp_ms: Option<i64>,
    /// Latest acknowledgement by a subtask, epoch ms (`latest_ack_timestamp`); `None` before
    /// the first one.
    #[serde(
        rename = "latest_ack_timestamp",
        default,
        deserialize_with = "de::opt_epoch_ms"
    )]
    pub latest_ack_timestamp_ms: Option<i64>,
    /// Trigger to latest acknowledgement, ms (`end_to_end_duration`).
    #[serde(rename = "end_to_end_duration", default)]
    pub end_to_end_duration_ms: Option<i64>,
    /// Full state size, bytes (`state_size`).
    #[serde(rename = "state_size", default)]
    pub state_size_bytes: Option<i64>,
    /// Size persisted by this checkpoint (incremental), bytes (`checkpointed_size`).
    #[serde(rename = "checkpointed_size", default)]
    pub checkpointed_size_bytes: Option<i64>,
    /// Subtasks taking part (`num_subtasks`).
    #[serde(default)]
    pub num_subtasks: Option<u32>,
    /// Subtasks that acknowledged (`num_acknowledged_subtasks`).
    #[serde(default)]
    pub num_acknowledged_subtasks: Option<u32>,
    /// Where a completed checkpoint/savepoint was written, e.g. `file:/ckpt/<jid>/chk-7`
    /// (`external_path`); Flink writes `<checkpoint-not-externally-addressable>` for
    /// checkpoints kept in JobManager memory (see [`Checkpoint::external_location`]).
    #[serde(default)]
    pub external_path: Option<String>,
    /// Whether a completed checkpoint was discarded since (`discarded`).
    #[serde(default)]
    pub discarded: Option<bool>,
    /// When a failed checkpoint failed, epoch ms (`failure_timestamp`).
    #[serde(
        rename = "failure_timestamp",
        default,
        deserialize_with = "de::opt_epoch_ms"
    )]
    pub failure_timestamp_ms: Option<i64>,
    /// Why a checkpoint failed (`failure_message`).
    #[serde(default)]
    pub failure_message: Option<String>,
}

/// Flink's `external_path` for checkpoints that live only in JobManager memory.
const NOT_EXTERNALLY_ADDRESSABLE: &str = "<checkpoint-not-externally-addressable>";

impl Checkpoint {
    /// `external_path` when it is a real location (not Flink's
    /// `<checkpoint-not-externally-addressable>` placeholder).
    pub fn external_location(&self) -> Option<&str> {
        self.external_path
            .as_deref()
            .filter(|path| !path.is_empty() && *path != NOT_EXTERNALLY_ADDRESSABLE)
    }
}

/// The `latest.restored` member: the checkpoint or savepoint the job last restored from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredCheckpoint {
    /// Checkpoint id (`id`).
    pub id: u64,
    /// When the restore happened, epoch ms (`restore_timestamp`).
    #[serde(
        rename = "restore_timestamp",
        default,
        deserialize_with = "de::opt_epoch_ms"
    )]
    pub restore_timestamp_ms: Option<i64>,
    /// Whether it was a savepoint (`is_savepoint`).
    #[serde(default)]
    pub is_savepoint: Option<bool>,
    /// Its location (`external_path`).
    #[serde(default)]
    pub external_path: Option<String>,
}

/// Body of `GET /jobs/:jobid/checkpoints/config`: the job's checkpointing configuration.
///
/// See "/jobs/:jobid/checkpoints/config" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
/// For a job without checkpointing, Flink 2.x still answers 200, with `interval` =
/// `i64::MAX` (see [`CheckpointConfig::periodic_checkpoints`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointConfig {
    /// Processing guarantee as Flink prints it, e.g. `exactly_once` (`mode`).
    #[serde(default)]
    pub mode: Option<String>,
    /// Checkpoint interval, ms (`interval`); `i64::MAX` when periodic checkpoints are off.
    #[serde(rename = "interval", default)]
    pub interval_ms: Option<i64>,
    /// Checkpoint timeout, ms (`timeout`).
    #[serde(rename = "timeout", default)]
    pub timeout_ms: Option<i64>,
    /// Minimum pause between checkpoints, ms (`min_pause`).
    #[serde(rename = "min_pause", default)]
    pub min_pause_ms: Option<i64>,
    /// Maximum concurrent checkpoints (`max_concurrent`).
    #[serde(default)]
    pub max_concurrent: Option<u64>,
    /// Retention of checkpoints after cancellation (`externalization`).
    #[serde(default)]
    pub externalization: Option<Externalization>,
    /// State backend, e.g. `HashMapStateBackend` (`state_backend`).
    #[serde(default)]
    pub state_backend: Option<String>,
    /// Checkpoint storage, e.g. `FileSystemCheckpointStorage` (`checkpoint_storage`).
    #[serde(default)]
    pub checkpoint_storage: Option<String>,
    /// Whether unaligned checkpoints are on (`unaligned_checkpoints`).
    #[serde(default)]
    pub unaligned_checkpoints: Option<bool>,
    /// Consecutive checkpoint failures tolerated before the job fails
    /// (`tolerable_failed_checkpoints`).
    #[serde(default)]
    pub tolerable_failed_checkpoints: Option<i64>,
    /// Alignment timeout before switching to unaligned, ms (`aligned_checkpoint_timeout`).
    #[serde(rename = "aligned_checkpoint_timeout", default)]
    pub aligned_checkpoint_timeout_ms: Option<i64>,
    /// Whether checkpoints continue after some tasks finished
    /// (`checkpoints_after_tasks_finish`).
    #[serde(default)]
    pub checkpoints_after_tasks_finish: Option<bool>,
    /// Whether the changelog state backend is on (`state_changelog_enabled`).
    #[serde(default)]
    pub state_changelog_enabled: Option<bool>,
}

impl CheckpointConfig {
    /// Whether periodic checkpoints are on: an `interval` is reported and is not Flink's
    /// "disabled" value `i64::MAX`.
    pub fn periodic_checkpoints(&self) -> bool {
        self.interval_ms.is_some_and(|ms| ms > 0 && ms != i64::MAX)
    }
}

/// The `externalization` object of [`CheckpointConfig`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Externalization {
    /// Whether checkpoints are retained at all (`enabled`).
    #[serde(default)]
    pub enabled: bool,
    /// Whether retained checkpoints are deleted when the job is cancelled
    /// (`delete_on_cancellation`).
    #[serde(default)]
    pub delete_on_cancellation: bool,
}
