//! At start-up: failures stored but never decided (StreamWarden stopped between the watcher
//! storing a FAILED job and self-healing deciding on it) are decided now.

use super::{Down, Healer};
use std::sync::Arc;
use streamwarden_core::clock::now_ms;
use streamwarden_core::healing::Trigger;
use streamwarden_core::{Event, EventKind, JobFacts, JobState, Severity};
use streamwarden_store::{AppFilter, Run, RunStatus, StoreError};

impl Healer {
    /// Failures stored but never decided — StreamWarden stopped between the watcher storing a
    /// FAILED job and self-healing deciding on it — are decided now: each application's
    /// newest run that failed within the window, undecided and not stopped by a person.
    pub(super) async fn sweep(self: Arc<Self>) -> Result<(), StoreError> {
        let now = now_ms();
        for app in self.store.list_apps(&AppFilter::default()).await? {
            let Some(run) = self.store.list_runs(&app.id, 1).await?.into_iter().next() else {
                continue;
            };
            let Some(jid) = run
                .jid
                .clone()
                .filter(|_| undecided(&run, now, self.defaults.window_ms))
            else {
                continue;
            };
            let Some(job) = self
                .store
                .list_jobs(Some(&run.cluster))
                .await?
                .into_iter()
                .find(|j| j.job.jid == jid)
            else {
                continue;
            };
            let cluster_url = self
                .store
                .list_clusters()
                .await?
                .into_iter()
                .find(|c| c.name == run.cluster)
                .map(|c| c.url)
                .unwrap_or_default();
            let event = Event {
                event_id: uuid::Uuid::now_v7().to_string(),
                kind: EventKind::JobStateChanged,
                severity: Severity::Critical,
                notify: false,
                summary: format!(
                    "{}: failed while self-healing was not deciding",
                    job.job.name
                ),
                occurred_at_ms: run.ended_ms.unwrap_or(now),
                observed_at_ms: now,
                cluster: run.cluster.clone(),
                cluster_url,
                job: Some(JobFacts {
                    state: JobState::Failed,
                    ..job.job.facts()
                }),
                exception: None,
                error: None,
                restart: None,
                health: None,
            };
            tracing::info!(
                app = app.name,
                run = run.id,
                "deciding a failure left undecided"
            );
            let healer = self.clone();
            tokio::spawn(async move {
                let down = Down {
                    event,
                    trigger: Trigger::Failed,
                };
                if let Err(error) = healer.handle(down).await {
                    tracing::error!(%error, "self-healing failed to decide");
                }
            });
        }
        Ok(())
    }
}

/// Whether `run` ended in a failure self-healing never decided on, within `window_ms` of `now`
/// (a failed start records its decision, so it is never one).
fn undecided(run: &Run, now: i64, window_ms: i64) -> bool {
    run.status == RunStatus::Failed
        && run.jid.is_some()
        && run.healing.is_none()
        && run.stop_requested_by.is_none()
        && run.ended_ms.is_some_and(|t| now - t < window_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recent_undecided_failures_of_runs_that_ran_are_swept() {
        let failed = Run {
            id: "r".into(),
            app_id: "a".into(),
            version: "v00001".into(),
            cluster: "c".into(),
            jid: Some("j".into()),
            status: RunStatus::Failed,
            restore_path: None,
            started_by: "alice".into(),
            started_ms: 0,
            ended_ms: Some(1_000),
            stop_requested_by: None,
            savepoint_path: None,
            message: None,
            healing: None,
        };
        assert!(undecided(&failed, 2_000, 10_000));
        let not = |run: Run| !undecided(&run, 2_000, 10_000);
        assert!(not(Run {
            healing: Some(streamwarden_lifecycle::FAILED_START.into()),
            ..failed.clone()
        }));
        assert!(not(Run {
            healing: Some("restart 1 of 3 scheduled".into()),
            ..failed.clone()
        }));
        assert!(not(Run {
            stop_requested_by: Some("bob".into()),
            ..failed.clone()
        }));
        assert!(not(Run {
            status: RunStatus::Ended,
            ..failed.clone()
        }));
        assert!(not(Run {
            jid: None,
            ..failed.clone()
        }));
        assert!(!undecided(&failed, 20_000, 10_000), "outside the window");
    }
}
