//! Lifecycle of managed applications on real Flink clusters, through Flink's REST API:
//! upload a package as a new version, start a version (restoring from the chosen snapshot),
//! stop (cancel, or stop with a savepoint), trigger a savepoint, inspect before a start, and
//! bulk operations with per-application results.
//!
//! Every operation is recorded as a run (who, when, which version, which Flink job, which
//! restore point, outcome) and waits for the resulting Flink state with a timeout. A stop that
//! StreamWarden performs is recorded before it is issued, so the watcher does not alert it as
//! an external cancel.

mod bulk;
mod error;
mod flink;
mod observe;
mod ops;
mod reconcile;
mod upload;

pub use bulk::{BulkOp, BulkResult};
pub use error::OpError;
pub use flink::has_ended;
pub use ops::{FAILED_START, StartRequest, StopRequest};
pub use reconcile::Reconciled;
pub use upload::Uploaded;

use flink_client::FlinkClient;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use streamwarden_apps::package::PackageLimits;
use streamwarden_store::Store;

/// How long operations wait for Flink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From submission to RUNNING (60 s).
    pub start: Duration,
    /// A job that fails within this long after RUNNING is a failed start (3 s).
    pub settle: Duration,
    /// A savepoint or a stop to complete (180 s).
    pub stop: Duration,
    /// Between two looks at Flink (300 ms).
    pub poll: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            start: Duration::from_secs(60),
            settle: Duration::from_secs(3),
            stop: Duration::from_secs(180),
            poll: Duration::from_millis(300),
        }
    }
}

/// The lifecycle service.
pub struct Lifecycle {
    store: Arc<dyn Store>,
    clusters: BTreeMap<String, FlinkClient>,
    default_cluster: String,
    packages_dir: PathBuf,
    sql_runner: Option<PathBuf>,
    limits: PackageLimits,
    timeouts: Timeouts,
    /// Held while a version is created (uploads, argument edits): its number and its package
    /// file are chosen from what is stored, so two at once would both take the same ones.
    versioning: tokio::sync::Mutex<()>,
}

impl Lifecycle {
    /// A lifecycle over `clusters` (the first is the default cluster of new applications),
    /// keeping packages in `packages_dir`, running SQL jobs with the SQL runner jar at
    /// `sql_runner` (none: SQL jobs cannot start).
    pub fn new(
        store: Arc<dyn Store>,
        clusters: Vec<FlinkClient>,
        packages_dir: PathBuf,
        sql_runner: Option<PathBuf>,
        timeouts: Timeouts,
    ) -> Lifecycle {
        let default_cluster = clusters
            .first()
            .map(|c| c.cluster().to_string())
            .unwrap_or_default();
        Lifecycle {
            store,
            clusters: clusters
                .into_iter()
                .map(|c| (c.cluster().to_string(), c))
                .collect(),
            default_cluster,
            packages_dir,
            sql_runner,
            limits: PackageLimits::default(),
            timeouts,
            versioning: tokio::sync::Mutex::new(()),
        }
    }

    fn client(&self, cluster: &str) -> Result<&FlinkClient, OpError> {
        self.clusters
            .get(cluster)
            .ok_or_else(|| OpError::Invalid(format!("cluster: no cluster named {cluster:?}")))
    }
}
