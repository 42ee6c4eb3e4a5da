//! Reconciliation after a restart of StreamWarden: runs left starting, running or stopping are
//! checked against Flink, one by one, and completed or closed — never forgotten, never all
//! reset at once.

use crate::Lifecycle;
use crate::flink::{job_state, root_cause};
use serde::Serialize;
use streamwarden_core::clock::now_ms;
use streamwarden_store::{Run, RunStatus, StoreError};

/// What reconciliation did to one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    /// Run id.
    pub run_id: String,
    /// Status before.
    pub from: RunStatus,
    /// Status after.
    pub to: RunStatus,
    /// Why.
    pub reason: String,
}

impl Lifecycle {
    /// Checks every run left starting, running or stopping against its cluster and records
    /// what really happened. A run whose cluster cannot be reached is left as it is (the next
    /// reconciliation or the watcher settles it).
    pub async fn reconcile(&self) -> Result<Vec<Reconciled>, StoreError> {
        let runs = self
            .store
            .runs_with_status(&[RunStatus::Starting, RunStatus::Running, RunStatus::Stopping])
            .await?;
        let mut done = Vec::new();
        for run in runs {
            done.extend(self.reconcile_run(&run).await?);
        }
        Ok(done)
    }

    /// Checks one run against its cluster and records what really happened; `None` when its
    /// status stands (or cannot be told now).
    pub(crate) async fn reconcile_run(&self, run: &Run) -> Result<Option<Reconciled>, StoreError> {
        {
            if let Some((to, reason)) = self.settle(run).await
                && to != run.status
            {
                let mut updated = run.clone();
                updated.status = to;
                updated.message = Some(reason.clone());
                if matches!(
                    to,
                    RunStatus::Failed | RunStatus::Ended | RunStatus::Stopped
                ) {
                    updated.ended_ms = Some(now_ms());
                }
                if to == RunStatus::Running {
                    updated.stop_requested_by = None;
                }
                if run.status == RunStatus::Starting && to != RunStatus::Running {
                    updated.healing = Some(crate::ops::FAILED_START.into());
                }
                self.store.put_run(&updated).await?;
                tracing::info!(
                    run = run.id,
                    from = run.status.as_str(),
                    to = to.as_str(),
                    reason,
                    "run reconciled"
                );
                return Ok(Some(Reconciled {
                    run_id: run.id.clone(),
                    from: run.status,
                    to,
                    reason,
                }));
            }
        }
        Ok(None)
    }

    /// The status `run` really has, with why; `None` when it cannot be told now.
    async fn settle(&self, run: &Run) -> Option<(RunStatus, String)> {
        let Some(jid) = &run.jid else {
            return (run.status == RunStatus::Starting).then(|| {
                (
                    RunStatus::Failed,
                    "StreamWarden stopped before the job was submitted".to_string(),
                )
            });
        };
        let client = self.clusters.get(&run.cluster)?;
        match job_state(client, jid).await {
            Ok(Some(state)) => Some(match (state.as_str(), run.status) {
                ("FAILED", _) => (
                    RunStatus::Failed,
                    root_cause(client, jid)
                        .await
                        .map_or("the job failed".into(), |c| format!("the job failed: {c}")),
                ),
                ("FINISHED" | "CANCELED", RunStatus::Stopping) => {
                    (RunStatus::Stopped, "the stop completed".into())
                }
                ("FINISHED" | "CANCELED", _) => (RunStatus::Ended, format!("the job is {state}")),
                (_, RunStatus::Stopping) => (
                    RunStatus::Running,
                    format!("the stop did not complete; the job is {state}"),
                ),
                (_, _) => (RunStatus::Running, format!("the job is {state}")),
            }),
            Ok(None) => Some((
                RunStatus::Ended,
                "the job is no longer known to Flink".into(),
            )),
            Err(e) => {
                tracing::warn!(run = run.id, error = %e, "cannot reconcile the run now");
                None
            }
        }
    }
}
