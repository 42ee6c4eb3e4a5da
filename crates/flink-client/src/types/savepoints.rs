//! Savepoints and stop-with-savepoint: `POST /jobs/:jobid/savepoints`,
//! `POST /jobs/:jobid/stop`, `GET /jobs/:jobid/savepoints/:triggerid`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::trace;

/// Savepoint format (`formatType`): Flink's portable `CANONICAL` format or the state
/// backend's `NATIVE` one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SavepointFormatType {
    /// `CANONICAL` (Flink's default).
    Canonical,
    /// `NATIVE`.
    Native,
}

/// JSON body of `POST /jobs/:jobid/stop` (stop with savepoint).
///
/// See "/jobs/:jobid/stop" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopRequest {
    /// Emit `MAX_WATERMARK` before stopping, flushing event-time timers (`drain`).
    #[serde(default)]
    pub drain: bool,
    /// Savepoint directory; `None` uses the cluster's `execution.checkpointing.savepoint-dir`
    /// (`targetDirectory`).
    #[serde(
        rename = "targetDirectory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_directory: Option<String>,
    /// Savepoint format (`formatType`); `None` lets Flink choose (canonical).
    #[serde(
        rename = "formatType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format_type: Option<SavepointFormatType>,
}

/// JSON body of `POST /jobs/:jobid/savepoints`.
///
/// See "/jobs/:jobid/savepoints" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavepointRequest {
    /// Savepoint directory; `None` uses the cluster default (`target-directory`).
    #[serde(
        rename = "target-directory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_directory: Option<String>,
    /// Cancel the job once the savepoint completed (`cancel-job`).
    #[serde(rename = "cancel-job", default)]
    pub cancel_job: bool,
    /// Savepoint format (`formatType`); `None` lets Flink choose (canonical).
    #[serde(
        rename = "formatType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format_type: Option<SavepointFormatType>,
}

/// Id of an asynchronous operation (savepoint, stop), 32 hex characters: the `request-id` of
/// Flink's trigger response, to poll with [`crate::FlinkClient::savepoint_status`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TriggerId(pub String);

impl TriggerId {
    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TriggerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for TriggerId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for TriggerId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

/// Body of the trigger endpoints: `{"request-id": "..."}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TriggerResponse {
    /// The trigger id.
    #[serde(rename = "request-id")]
    pub(crate) request_id: TriggerId,
}

/// Progress of an asynchronous operation (Flink's `QueueStatus`, `{"id": "..."}` on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawQueueStatus", into = "RawQueueStatus")]
pub enum QueueStatus {
    /// `IN_PROGRESS`: poll again.
    InProgress,
    /// `COMPLETED`: `operation` holds the result (success or failure).
    Completed,
    /// A status this client does not know, verbatim.
    Other(String),
}

#[derive(Serialize, Deserialize)]
struct RawQueueStatus {
    id: String,
}

impl From<RawQueueStatus> for QueueStatus {
    fn from(raw: RawQueueStatus) -> Self {
        match raw.id.as_str() {
            "IN_PROGRESS" => Self::InProgress,
            "COMPLETED" => Self::Completed,
            _ => Self::Other(raw.id),
        }
    }
}

impl From<QueueStatus> for RawQueueStatus {
    fn from(status: QueueStatus) -> Self {
        let id = match status {
            QueueStatus::InProgress => "IN_PROGRESS".to_owned(),
            QueueStatus::Completed => "COMPLETED".to_owned(),
            QueueStatus::Other(id) => id,
        };
        Self { id }
    }
}

/// Body of the status endpoints of asynchronous operations, e.g.
/// `GET /jobs/:jobid/savepoints/:triggerid`: `{"status": {"id": ...}, "operation": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncOperation<T> {
    /// Whether the operation is still running (`status`).
    pub status: QueueStatus,
    /// The result once completed, `None` while in progress (`operation`).
    #[serde(default)]
    pub operation: Option<T>,
}

impl<T> AsyncOperation<T> {
    /// Whether the operation finished (successfully or not).
    pub fn is_completed(&self) -> bool {
        self.status == QueueStatus::Completed
    }
}

/// Result of a savepoint (or stop-with-savepoint): a `location` on success, a
/// `failure-cause` on failure (Flink reports both under status `COMPLETED`).
///
/// See "/jobs/:jobid/savepoints/:triggerid" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavepointInfo {
    /// Where the savepoint was written, e.g. `file:/savepoints/savepoint-0a1b2c-3d4e5f`
    /// (`location`).
    #[serde(default)]
    pub location: Option<String>,
    /// Why it failed (`failure-cause`).
    #[serde(rename = "failure-cause", default)]
    pub failure_cause: Option<FailureCause>,
}

/// A serialized Java throwable in an asynchronous operation's result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureCause {
    /// Exception class (`class`).
    #[serde(default)]
    pub class: Option<String>,
    /// Stack trace, first line `class: message` (`stack-trace`).
    #[serde(rename = "stack-trace", default)]
    pub stack_trace: Option<String>,
    /// Base64 Java-serialized throwable, opaque to non-JVM clients (`serialized-throwable`).
    #[serde(rename = "serialized-throwable", default)]
    pub serialized_throwable: Option<String>,
}

impl FailureCause {
    /// One line saying why: the stack trace's innermost `Caused by:` (`class: message`; Flink
    /// wraps savepoint failures in `CompletionException`/`CheckpointException`), else its first
    /// line, else the class name.
    pub fn summary(&self) -> Option<&str> {
        let trace = self.stack_trace.as_deref().unwrap_or_default();
        trace::innermost_cause(trace)
            .or_else(|| trace::headline(trace))
            .or(self.class.as_deref())
    }
}
