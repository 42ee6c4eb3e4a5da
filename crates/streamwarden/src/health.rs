//! Unhealthy-job detection, one task per cluster beside its watcher: every check interval it
//! takes the jobs the watcher stored (state and `numRestarts`), reads each RUNNING job's
//! checkpoints (`GET /jobs/:jid/checkpoints`, and once per job `…/checkpoints/config`), lets
//! the pure checks ([`streamwarden_core::health`]) judge, and hands `job_unhealthy` /
//! `job_healthy` events to the watcher, which stores, routes and alerts them (and hands
//! unhealthy managed jobs to self-healing).
//!
//! Kept apart from the watcher's poll so that reading checkpoints never delays the one-second
//! detection of failures.

use flink_client::{CheckpointConfig, CheckpointStatistics, FlinkClient};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use streamwarden_core::clock::now_ms;
use streamwarden_core::health::{
    CheckpointSample, CheckpointSettings, HealthConfig, HealthFacts, HealthSample, JobHealth,
    assess, end,
};
use streamwarden_core::{Event, EventKind, JobSnapshot, JobState, Severity};
use streamwarden_store::{RunStatus, Store};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use crate::config::CheckSeverities;

/// One cluster's health checks.
pub struct HealthWatcher {
    /// REST client of the cluster.
    pub client: FlinkClient,
    /// The store (the watcher's jobs; managed applications' policies).
    pub store: Arc<dyn Store>,
    /// The checks of jobs whose application does not override them.
    pub defaults: HealthConfig,
    /// Severity of `job_unhealthy` per check.
    pub severities: CheckSeverities,
    /// Time between evaluations.
    pub interval: Duration,
    /// Checkpoint reads in flight at once.
    pub concurrency: usize,
    /// The cluster's watcher takes the events.
    pub events: mpsc::UnboundedSender<Event>,
}

/// What is kept of one job (by job id) between rounds.
#[derive(Default)]
struct Tracked {
    health: JobHealth,
    /// The job's checkpoint configuration, read once; `None` until read.
    settings: Option<CheckpointSettings>,
    /// The job as last seen, for the events of a job that is gone.
    last: Option<JobSnapshot>,
}

impl HealthWatcher {
    /// Runs until the task is dropped.
    pub async fn run(self) {
        let mut jobs: HashMap<String, Tracked> = HashMap::new();
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticker.tick().await;
            self.round(&mut jobs).await;
        }
    }

    async fn round(&self, jobs: &mut HashMap<String, Tracked>) {
        let cluster = self.client.cluster();
        let rows = match self.store.list_jobs(Some(cluster)).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(cluster, %error, "health checks cannot read jobs");
                return;
            }
        };
        let policies = self.policies().await;
        let now = now_ms();
        let mut found: Vec<(JobSnapshot, HealthFacts)> = Vec::new();

        // Jobs no longer listed: their open checks close.
        let listed: Vec<&str> = rows.iter().map(|r| r.job.jid.as_str()).collect();
        let gone: Vec<String> = jobs
            .keys()
            .filter(|jid| !listed.contains(&jid.as_str()))
            .cloned()
            .collect();
        for jid in gone {
            if let Some(mut tracked) = jobs.remove(&jid)
                && let Some(last) = tracked.last.take()
            {
                found.extend(
                    end(&mut tracked.health)
                        .into_iter()
                        .map(|f| (last.clone(), f)),
                );
            }
        }

        let running: Vec<JobSnapshot> = rows
            .iter()
            .filter(|r| r.job.state == JobState::Running)
            .map(|r| r.job.clone())
            .collect();
        let checkpoints = self.read_checkpoints(&running, jobs).await;
        for row in rows {
            let job = row.job;
            if job.state.is_globally_terminal() && !jobs.contains_key(&job.jid) {
                continue; // ended before it was ever checked: nothing to close
            }
            let tracked = jobs.entry(job.jid.clone()).or_default();
            let sample = HealthSample {
                now_ms: now,
                state: job.state,
                restarts: job.restarts,
                // Flink's last-modification of a RUNNING job is when it (last) became RUNNING:
                // a job that recovered while unobserved is not judged by its old checkpoints.
                running_since_ms: job
                    .last_modification_ms
                    .filter(|_| job.state == JobState::Running),
                checkpoints: checkpoints.get(&job.jid).cloned(),
            };
            let config = policies.get(&job.jid).unwrap_or(&self.defaults);
            found.extend(
                assess(&mut tracked.health, config, &sample)
                    .into_iter()
                    .map(|f| (job.clone(), f)),
            );
            tracked.last = Some(job);
        }
        jobs.retain(|_, t| {
            t.last
                .as_ref()
                .is_none_or(|j| !j.state.is_globally_terminal())
        });

        for (job, facts) in found {
            let event = self.event(&job, facts, now);
            if self.events.send(event).is_err() {
                tracing::error!(cluster, "the watcher no longer takes health events");
            }
        }
    }

    /// The checks of managed applications' running jobs that override the defaults, by job id.
    async fn policies(&self) -> HashMap<String, HealthConfig> {
        let runs = match self
            .store
            .runs_with_status(&[RunStatus::Running, RunStatus::Stopping])
            .await
        {
            Ok(runs) => runs,
            Err(error) => {
                tracing::warn!(%error, "health checks cannot read runs");
                return HashMap::new();
            }
        };
        let mut out = HashMap::new();
        for run in runs {
            if run.cluster != self.client.cluster() {
                continue;
            }
            let Some(jid) = run.jid else { continue };
            if let Ok(Some(app)) = self.store.get_app(&run.app_id).await {
                out.insert(jid, app.policy.health.apply(&self.defaults));
            }
        }
        out
    }

    /// Each RUNNING job's checkpoints (its configuration read once); a job whose reads fail
    /// is left out this round (its checkpoint checks keep their judgement).
    async fn read_checkpoints(
        &self,
        running: &[JobSnapshot],
        jobs: &mut HashMap<String, Tracked>,
    ) -> HashMap<String, CheckpointSample> {
        let wanted: Vec<(String, Option<CheckpointSettings>)> = running
            .iter()
            .map(|job| (job.jid.clone(), jobs.get(&job.jid).and_then(|t| t.settings)))
            .collect();
        let reads: Vec<_> =
            futures::stream::iter(wanted.into_iter().map(|(jid, known)| async move {
                let settings = match known {
                    Some(s) => Ok(s),
                    None => self
                        .client
                        .job_checkpoint_config(&jid)
                        .await
                        .map(|c| settings(&c)),
                };
                let stats = match &settings {
                    Ok(_) => self.client.job_checkpoints(&jid).await,
                    Err(_) => Ok(CheckpointStatistics::default()),
                };
                (jid, settings, stats)
            }))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut out = HashMap::new();
        for (jid, settings, stats) in reads {
            match (settings, stats) {
                (Ok(settings), Ok(stats)) => {
                    jobs.entry(jid.clone()).or_default().settings = Some(settings);
                    out.insert(jid, sample(settings, &stats));
                }
                (Err(error), _) | (_, Err(error)) => {
                    tracing::debug!(job_id = jid, %error, "reading checkpoints failed");
                }
            }
        }
        out
    }

    fn event(&self, job: &JobSnapshot, facts: HealthFacts, now: i64) -> Event {
        let (kind, severity, summary) = if facts.unhealthy {
            (
                EventKind::JobUnhealthy,
                self.severities.of(facts.check),
                format!(
                    "{} is unhealthy ({}): {}",
                    job.name, facts.check, facts.reason
                ),
            )
        } else {
            (
                EventKind::JobHealthy,
                Severity::Info,
                format!(
                    "{} is healthy again ({}): {}",
                    job.name, facts.check, facts.reason
                ),
            )
        };
        Event {
            event_id: uuid::Uuid::now_v7().to_string(),
            kind,
            severity,
            notify: true,
            summary,
            occurred_at_ms: now,
            observed_at_ms: now,
            cluster: self.client.cluster().to_string(),
            cluster_url: self.client.base_url().to_string(),
            job: Some(job.facts()),
            exception: None,
            error: None,
            restart: None,
            health: Some(facts),
        }
    }
}

/// The checks' view of `GET /jobs/:jid/checkpoints/config` (missing values: Flink's defaults,
/// interval off, timeout 10 min, no tolerable failures).
fn settings(config: &CheckpointConfig) -> CheckpointSettings {
    CheckpointSettings {
        interval_ms: config.interval_ms.unwrap_or(i64::MAX),
        timeout_ms: config.timeout_ms.unwrap_or(600_000),
        tolerable_failures: config.tolerable_failed_checkpoints.unwrap_or(0),
    }
}

/// The checks' view of `GET /jobs/:jid/checkpoints`: the latest completed checkpoint's
/// acknowledgement and every failed checkpoint the answer shows (history and `latest.failed`).
fn sample(settings: CheckpointSettings, stats: &CheckpointStatistics) -> CheckpointSample {
    let failed = stats
        .history
        .iter()
        .chain(stats.latest.failed.iter())
        .filter(|c| c.status == "FAILED")
        .map(|c| (c.id, c.failure_timestamp_ms))
        .collect();
    CheckpointSample {
        settings,
        latest_completed_ack_ms: stats
            .latest
            .completed
            .as_ref()
            .and_then(|c| c.latest_ack_timestamp_ms),
        failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flink_answers_become_samples_with_failed_ids_from_history_and_latest() {
        // A stalled job's answer (Flink 2.3): checkpoints expire one after the other; 22 is
        // both in the history and `latest.failed`.
        let stats: CheckpointStatistics = serde_json::from_value(serde_json::json!({
            "counts": {"restored": 0, "total": 23, "in_progress": 1, "completed": 8, "failed": 14},
            "latest": {
                "completed": {"id": 8, "status": "COMPLETED", "latest_ack_timestamp": 1795260080000i64},
                "failed": {"id": 22, "status": "FAILED", "failure_timestamp": 1795260088604i64},
                "savepoint": null, "restored": null
            },
            "history": [
                {"id": 23, "status": "IN_PROGRESS"},
                {"id": 22, "status": "FAILED", "failure_timestamp": 1795260088604i64},
                {"id": 21, "status": "FAILED"},
                {"id": 8, "status": "COMPLETED", "latest_ack_timestamp": 1795260080000i64}
            ]
        }))
        .unwrap();
        let config: CheckpointConfig = serde_json::from_str(include_str!(
            "../../flink-client/tests/fixtures/job_checkpoints_config.json"
        ))
        .unwrap();
        let s = settings(&config);
        assert_eq!(
            s,
            CheckpointSettings {
                interval_ms: 1000,
                timeout_ms: 600_000,
                tolerable_failures: 0
            }
        );
        let sample = sample(s, &stats);
        assert_eq!(sample.latest_completed_ack_ms, Some(1795260080000));
        assert_eq!(
            sample.failed,
            [
                (22, Some(1795260088604)),
                (21, None),
                (22, Some(1795260088604))
            ],
            "duplicates are the checks' to count once"
        );
        let disabled: CheckpointConfig = serde_json::from_str(include_str!(
            "../../flink-client/tests/fixtures/job_checkpoints_config_no_checkpointing.json"
        ))
        .unwrap();
        assert_eq!(settings(&disabled).interval_ms, i64::MAX);
    }
}
