//! Bulk operations: one operation over many applications, bounded parallelism, a result for
//! each (never all-or-nothing).

use crate::{Lifecycle, StartRequest, StopRequest};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

/// An operation to apply to many applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOp {
    /// Start (restoring as each application's rule says).
    Start,
    /// Stop by cancelling.
    Stop,
    /// Stop with a savepoint.
    StopWithSavepoint,
    /// Stop with a savepoint, then start from it ("快照重启").
    RestartWithSnapshot,
    /// Cancel, then start without state.
    RestartDirect,
}

/// The outcome for one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    /// Application id.
    pub app_id: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// The new Flink job id (starts and restarts).
    pub job_id: Option<String>,
    /// The savepoint taken (stops and restarts with snapshot).
    pub savepoint: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

impl Lifecycle {
    /// Applies `op` to each of `app_ids`, at most `parallelism` at once; `progress` is called
    /// after each one. Results are in the order of `app_ids`.
    pub async fn bulk(
        &self,
        op: BulkOp,
        app_ids: &[String],
        parallelism: usize,
        user: &str,
        progress: &(dyn Fn(&BulkResult) + Sync),
    ) -> Vec<BulkResult> {
        let jobs: Vec<(usize, String)> = app_ids.iter().cloned().enumerate().collect();
        let mut results: Vec<(usize, BulkResult)> = futures::stream::iter(jobs)
            .map(|(i, id)| async move {
                let result = self.one(op, &id, user).await;
                progress(&result);
                (i, result)
            })
            .buffer_unordered(parallelism.max(1))
            .collect()
            .await;
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    async fn one(&self, op: BulkOp, app_id: &str, user: &str) -> BulkResult {
        let mut result = BulkResult {
            app_id: app_id.into(),
            ok: false,
            job_id: None,
            savepoint: None,
            error: None,
        };
        let stop = |savepoint| StopRequest {
            savepoint,
            target_directory: None,
        };
        let outcome = async {
            match op {
                BulkOp::Start => {
                    let run = self.start(app_id, &StartRequest::default(), user).await?;
                    result.job_id = run.jid;
                }
                BulkOp::Stop => {
                    self.stop(app_id, &stop(false), user).await?;
                }
                BulkOp::StopWithSavepoint => {
                    result.savepoint = self.stop(app_id, &stop(true), user).await?.savepoint_path;
                }
                BulkOp::RestartWithSnapshot => {
                    let stopped = self.stop(app_id, &stop(true), user).await?;
                    result.savepoint = stopped.savepoint_path.clone();
                    let request = StartRequest {
                        restore: stopped.savepoint_path,
                        ..StartRequest::default()
                    };
                    result.job_id = self.start(app_id, &request, user).await?.jid;
                }
                BulkOp::RestartDirect => {
                    self.stop(app_id, &stop(false), user).await?;
                    let request = StartRequest {
                        restore: Some("none".into()),
                        ..StartRequest::default()
                    };
                    result.job_id = self.start(app_id, &request, user).await?.jid;
                }
            }
            Ok::<(), crate::OpError>(())
        }
        .await;
        match outcome {
            Ok(()) => result.ok = true,
            Err(e) => result.error = Some(e.to_string()),
        }
        result
    }
}
