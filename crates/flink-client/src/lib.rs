//! Typed async client for the Apache Flink REST API (the JobManager / dispatcher endpoint).
//!
//! Transport and types only, no product logic: [`FlinkClient`] maps one method to one REST
//! endpoint and decodes the JSON into the types of [`types`]. Reference: the Flink REST API
//! documentation, <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
//!
//! Conventions:
//! - Response types ignore unknown fields, and fields that differ between Flink 1.x and 2.x
//!   are optional, so one client serves both.
//! - Job states are the raw Flink `JobStatus` names as `String` (`RUNNING`, `FAILED`, ...).
//! - Timestamps are epoch milliseconds and durations milliseconds; Rust names end in `_ms`.
//!   Flink's `-1` ("not yet", e.g. `end-time` of a running job) becomes `None`.
//! - Every error is a [`FlinkError`] naming the cluster, the endpoint (`METHOD /path`) and
//!   what went wrong; no input from the network makes the client panic.
//!
//! ```no_run
//! # async fn demo() -> Result<(), flink_client::FlinkError> {
//! use flink_client::{ClientConfig, FlinkClient};
//!
//! let client = FlinkClient::new("local", "http://localhost:8081", &ClientConfig::default())?;
//! for job in client.jobs_overview().await? {
//!     if job.state == "FAILED" {
//!         let exceptions = client.job_exceptions(&job.jid, 5).await?;
//!         if let Some(cause) = exceptions.root_cause() {
//!             println!("{}: {}: {}", job.name, cause.name, cause.message);
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod api;
mod client;
mod error;
mod trace;
pub mod types;

pub use client::{ClientConfig, FlinkClient};
pub use error::FlinkError;
pub use types::checkpoints::{
    Checkpoint, CheckpointConfig, CheckpointCounts, CheckpointStatistics, Externalization,
    LatestCheckpoints, RestoredCheckpoint,
};
pub use types::cluster::{ClusterOverview, DashboardConfig};
pub use types::exceptions::{
    ExceptionEntry, ExceptionHistory, JobExceptions, LegacyException, RootCause,
};
pub use types::jars::{JarRunRequest, JarRunResponse, JarUploaded};
pub use types::job::{JobDetails, JobOverview, JobVertex, JobsOverview};
pub use types::metrics::Metric;
pub use types::savepoints::{
    AsyncOperation, FailureCause, QueueStatus, SavepointFormatType, SavepointInfo,
    SavepointRequest, StopRequest, TriggerId,
};
pub use url::Url;
