//! One watcher task per cluster: poll `/jobs/overview` every interval (never two polls of a
//! cluster at once), enrich the jobs that need it (`numRestarts`, root exceptions), let the
//! detector decide, and store its decisions with their deliveries in one transaction.

use flink_client::{FlinkClient, JobOverview};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use streamwarden_core::clock::now_ms;
use streamwarden_core::{
    ClusterView, DetectorConfig, Event, JobState, ObservedJob, PollOutcome, RootException,
    needs_restart_count, needs_root_cause, observe,
};
use streamwarden_notify::Waker;
use streamwarden_notify::channels::ChannelRegistry;
use streamwarden_store::{NewDelivery, Store};
use tokio::time::MissedTickBehavior;

/// Lines of the stack trace kept in an event.
const STACK_LINES: usize = 12;

/// Everything one cluster's watcher needs.
pub struct ClusterWatcher {
    /// REST client of the cluster (carries its name and timeouts).
    pub client: FlinkClient,
    /// The store.
    pub store: Arc<dyn Store>,
    /// Wakes the dispatcher when alerts were stored.
    pub waker: Waker,
    /// The live channels; every alert goes to each of them (no routes yet).
    pub channels: ChannelRegistry,
    /// Time between polls.
    pub interval: Duration,
    /// Detector tunables.
    pub detector: DetectorConfig,
    /// `maxExceptions` of `/jobs/:jid/exceptions`.
    pub max_exceptions: u32,
    /// Per-job calls in flight at once.
    pub concurrency: usize,
}

impl ClusterWatcher {
    /// Runs until the task is dropped. Each poll is awaited before the next tick, so polls never
    /// overlap; ticks that pass during a slow poll are skipped and counted.
    pub async fn run(self) {
        let cluster = self.client.cluster().to_string();
        let mut view = loop {
            match self.store.load_cluster(&cluster).await {
                Ok(Some(view)) => break view,
                Ok(None) => {
                    tracing::error!(cluster, "cluster not registered in the store");
                    return;
                }
                Err(error) => {
                    tracing::error!(cluster, %error, "loading cluster state failed; retrying");
                    tokio::time::sleep(self.interval).await;
                }
            }
        };
        tracing::info!(cluster, url = %self.client.base_url(), jobs = view.jobs.len(),
            interval_ms = self.interval.as_millis() as u64, "watching cluster");
        let mut restarts_checked: HashMap<String, i64> = HashMap::new();
        let mut last_written_ms = 0;
        let mut skipped_ticks: u64 = 0;
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticker.tick().await;
            let started = tokio::time::Instant::now();
            self.poll(&mut view, &mut restarts_checked, &mut last_written_ms)
                .await;
            let took = started.elapsed();
            if took > self.interval {
                let skipped = (took.as_millis() / self.interval.as_millis().max(1)) as u64;
                skipped_ticks += skipped;
                tracing::warn!(
                    cluster,
                    took_ms = took.as_millis() as u64,
                    skipped,
                    skipped_total = skipped_ticks,
                    "poll slower than the interval; ticks skipped"
                );
            }
        }
    }

    async fn poll(
        &self,
        view: &mut ClusterView,
        restarts_checked: &mut HashMap<String, i64>,
        last_written_ms: &mut i64,
    ) {
        let cluster = self.client.cluster();
        let outcome = match self.client.jobs_overview().await {
            Err(error) => PollOutcome::Unreachable {
                error: error.to_string(),
            },
            Ok(jobs) => {
                let mut observed: Vec<ObservedJob> = jobs
                    .into_iter()
                    .filter_map(|j| self.to_observed(j))
                    .collect();
                self.read_restarts(view, &mut observed, restarts_checked)
                    .await;
                self.read_root_causes(view, &mut observed).await;
                restarts_checked.retain(|jid, _| observed.iter().any(|o| &o.jid == jid));
                PollOutcome::Reachable(observed)
            }
        };
        let now = now_ms();
        let observation = observe(view, &outcome, now, &self.detector, &mut || {
            uuid::Uuid::now_v7().to_string()
        });
        if !observation.needs_write(&view.health, *last_written_ms, now) {
            view.health = observation.health;
            return;
        }
        let deliveries = deliveries_for(&observation.events, &self.channels.names());
        match self
            .store
            .apply_observation(cluster, &observation, &deliveries)
            .await
        {
            Ok(()) => {
                *last_written_ms = now;
                for event in &observation.events {
                    log_event(event);
                }
                if !deliveries.is_empty() {
                    self.waker.wake();
                }
                view.apply(&observation);
            }
            // Nothing was stored; the next poll diffs against the same view and decides again.
            Err(error) => tracing::error!(cluster, %error, "storing a poll failed"),
        }
    }

    fn to_observed(&self, job: JobOverview) -> Option<ObservedJob> {
        let Some(state) = JobState::parse(&job.state) else {
            tracing::warn!(
                cluster = self.client.cluster(),
                job_id = job.jid,
                state = job.state,
                "unknown Flink job state; job left as it was"
            );
            return None;
        };
        Some(ObservedJob {
            url: self.client.job_web_url(&job.jid),
            jid: job.jid,
            name: job.name,
            state,
            start_time_ms: job.start_time_ms,
            end_time_ms: job.end_time_ms,
            duration_ms: job.duration_ms,
            last_modification_ms: job.last_modification_ms,
            restarts: None,
            exception: None,
        })
    }

    async fn read_restarts(
        &self,
        view: &ClusterView,
        observed: &mut [ObservedJob],
        checked: &mut HashMap<String, i64>,
    ) {
        let now = now_ms();
        let due: Vec<usize> = (0..observed.len())
            .filter(|&i| {
                let o = &observed[i];
                needs_restart_count(
                    view.jobs.get(&o.jid),
                    o,
                    checked.get(&o.jid).copied(),
                    now,
                    &self.detector,
                )
            })
            .collect();
        let results: Vec<_> = futures::stream::iter(due)
            .map(|i| {
                let jid = observed[i].jid.clone();
                async move { (i, self.client.num_restarts(&jid).await) }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        for (i, result) in results {
            match result {
                Ok(restarts) => {
                    observed[i].restarts = restarts;
                    checked.insert(observed[i].jid.clone(), now);
                }
                Err(error) => {
                    tracing::debug!(job_id = observed[i].jid, %error, "reading numRestarts failed")
                }
            }
        }
    }

    async fn read_root_causes(&self, view: &ClusterView, observed: &mut [ObservedJob]) {
        let due: Vec<usize> = (0..observed.len())
            .filter(|&i| {
                needs_root_cause(
                    view.jobs.get(&observed[i].jid),
                    &observed[i],
                    view.health.last_ok_ms,
                )
            })
            .collect();
        let results: Vec<_> = futures::stream::iter(due)
            .map(|i| {
                let jid = observed[i].jid.clone();
                async move {
                    (
                        i,
                        self.client.job_exceptions(&jid, self.max_exceptions).await,
                    )
                }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        for (i, result) in results {
            match result {
                Ok(exceptions) => {
                    observed[i].exception = exceptions.root_cause().map(|root| RootException {
                        stacktrace: root.first_lines(STACK_LINES),
                        name: root.name,
                        message: root.message,
                        task: root.task,
                        timestamp_ms: root.timestamp_ms,
                    });
                }
                Err(error) => {
                    tracing::warn!(job_id = observed[i].jid, %error, "reading the root exception failed")
                }
            }
        }
    }
}

/// With no routes configured, every alert goes to every channel.
fn deliveries_for(events: &[Event], channels: &[String]) -> Vec<NewDelivery> {
    events
        .iter()
        .filter(|e| e.notify)
        .flat_map(|e| {
            channels.iter().map(|channel| NewDelivery {
                event_id: e.event_id.clone(),
                channel: channel.clone(),
            })
        })
        .collect()
}

fn log_event(event: &Event) {
    let job_id = event.job.as_ref().map(|j| j.id.as_str());
    tracing::info!(
        cluster = event.cluster,
        job_id,
        event_id = event.event_id,
        kind = %event.kind,
        severity = %event.severity,
        alert = event.notify,
        "{}",
        event.summary
    );
}
