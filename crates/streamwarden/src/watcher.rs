//! One watcher task per cluster: poll `/jobs/overview` every interval (never two polls of a
//! cluster at once), enrich the jobs that need it (`numRestarts`, root exceptions), let the
//! detector decide, and store its decisions with their deliveries in one transaction — with
//! the events self-healing and the health checks handed over since the last poll.

use crate::healer::Down;
use flink_client::{FlinkClient, JobOverview};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use streamwarden_core::EventKind;
use streamwarden_core::clock::now_ms;
use streamwarden_core::healing::Trigger;
use streamwarden_core::noise::{self, Alert, NoiseState};
use streamwarden_core::notification::Notification;
use streamwarden_core::{
    ClusterView, DetectorConfig, Event, JobState, Observation, ObservedJob, PollOutcome,
    RootException, needs_restart_count, needs_root_cause, observe,
};
use streamwarden_notify::Waker;
use streamwarden_notify::alerting::AlertingManager;
use streamwarden_store::{AlertingChanges, NewNotification, Store};
use tokio::sync::mpsc;
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
    /// Routes, silences and noise timing in force (and the channels).
    pub alerting: Arc<AlertingManager>,
    /// Time between polls.
    pub interval: Duration,
    /// Detector tunables.
    pub detector: DetectorConfig,
    /// `maxExceptions` of `/jobs/:jid/exceptions`.
    pub max_exceptions: u32,
    /// Per-job calls in flight at once.
    pub concurrency: usize,
    /// Where jobs that went down are handed to self-healing.
    pub healer: mpsc::UnboundedSender<Down>,
    /// Self-healing's and the health checks' events for this cluster, stored with the next
    /// poll.
    pub healer_events: mpsc::UnboundedReceiver<Event>,
}

impl ClusterWatcher {
    /// Runs until the task is dropped. Each poll is awaited before the next tick, so polls never
    /// overlap; ticks that pass during a slow poll are skipped and counted.
    pub async fn run(mut self) {
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
        let mut noise = loop {
            match self.store.load_alerting(&cluster).await {
                Ok((alerts, groups)) => {
                    break NoiseState {
                        alerts: alerts.into_iter().map(|a| (a.key.clone(), a)).collect(),
                        groups: groups
                            .into_iter()
                            .map(|g| ((g.route.clone(), g.key.clone()), g))
                            .collect(),
                    };
                }
                Err(error) => {
                    tracing::error!(cluster, %error, "loading alert state failed; retrying");
                    tokio::time::sleep(self.interval).await;
                }
            }
        };
        let mut restarts_checked: HashMap<String, i64> = HashMap::new();
        // Self-healing's events not yet stored (kept when a write fails).
        let mut extra: Vec<Event> = Vec::new();
        let mut last_written_ms = 0;
        let mut skipped_ticks: u64 = 0;
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticker.tick().await;
            let started = tokio::time::Instant::now();
            while let Ok(event) = self.healer_events.try_recv() {
                extra.push(event);
            }
            self.poll(
                &mut view,
                &mut noise,
                &mut restarts_checked,
                &mut last_written_ms,
                &mut extra,
            )
            .await;
            let took = started.elapsed();
            metrics::histogram!("streamwarden_poll_duration_seconds", "cluster" => cluster.clone())
                .record(took.as_secs_f64());
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
        noise: &mut NoiseState,
        restarts_checked: &mut HashMap<String, i64>,
        last_written_ms: &mut i64,
        extra: &mut Vec<Event>,
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
                self.read_stop_requests(view, &mut observed).await;
                self.read_restarts(view, &mut observed, restarts_checked)
                    .await;
                self.read_root_causes(view, &mut observed).await;
                restarts_checked.retain(|jid, _| observed.iter().any(|o| &o.jid == jid));
                PollOutcome::Reachable(observed)
            }
        };
        let now = now_ms();
        let mut observation = observe(view, &outcome, now, &self.detector, &mut || {
            uuid::Uuid::now_v7().to_string()
        });
        observation.events.extend(extra.iter().cloned());
        let downs: Vec<Down> = observation
            .events
            .iter()
            .filter_map(|e| {
                let trigger = match (e.kind, e.job.as_ref().map(|j| j.state)) {
                    (EventKind::JobStateChanged, Some(JobState::Failed)) => Trigger::Failed,
                    (EventKind::JobDisappeared, _) => Trigger::Disappeared,
                    (EventKind::JobUnhealthy, _) => Trigger::Unhealthy,
                    _ => return None,
                };
                Some(Down {
                    event: e.clone(),
                    trigger,
                })
            })
            .collect();
        self.refresh_acknowledgements(noise).await;
        let before = noise.clone();
        let alerting = self.decide(noise, &observation, now);
        if alerting.is_empty() && !observation.needs_write(&view.health, *last_written_ms, now) {
            view.health = observation.health;
            return;
        }
        match self
            .store
            .apply_observation(cluster, &observation, &alerting)
            .await
        {
            Ok(()) => {
                *last_written_ms = now;
                extra.clear();
                for event in &observation.events {
                    metrics::counter!(
                        "streamwarden_events_total",
                        "cluster" => cluster.to_string(),
                        "kind" => event.kind.as_str()
                    )
                    .increment(1);
                    log_event(event);
                }
                if !alerting.notifications.is_empty() {
                    self.waker.wake();
                }
                view.apply(&observation);
                for down in downs {
                    let _ = self.healer.send(down);
                }
            }
            // Nothing was stored; the next poll diffs against the same view and decides again.
            Err(error) => {
                *noise = before;
                tracing::error!(cluster, %error, "storing a poll failed");
            }
        }
    }

    /// Routes this poll's events, lets noise control decide, and turns its sends into
    /// notifications.
    fn decide(
        &self,
        noise: &mut NoiseState,
        observation: &Observation,
        now: i64,
    ) -> AlertingChanges {
        let routing = self.alerting.routing();
        let silences = self.alerting.silences();
        let config = self.alerting.noise();
        let registry = self.alerting.registry();
        let groups_before = noise.groups.clone();
        let mut ids = || uuid::Uuid::now_v7().to_string();
        let mut decisions = Vec::new();
        for event in &observation.events {
            let matches = routing.route(event, &routing.tags_of(event));
            let targets = noise::targets(&matches, &|c| registry.groups(c), &config);
            decisions.push(noise::on_event(
                noise, event, targets, &silences, now, &mut ids,
            ));
        }
        decisions.push(noise::on_tick(noise, &silences, now, &config));
        let mut alerts: Vec<Alert> = Vec::new();
        let mut notifications = Vec::new();
        for d in decisions {
            for alert in d.alerts {
                alerts.retain(|a| a.id != alert.id);
                alerts.push(alert);
            }
            for send in d.sends {
                notifications.push(NewNotification {
                    notification: Notification {
                        id: ids(),
                        route: send.route,
                        cluster: self.client.cluster().to_string(),
                        severity: send.severity,
                        recipients: send.recipients,
                        notice: send.notice,
                        created_ms: now,
                    },
                    channels: send.channels,
                });
            }
        }
        AlertingChanges {
            alerts,
            groups: (noise.groups != groups_before)
                .then(|| noise.groups.values().cloned().collect()),
            notifications,
        }
    }

    /// Acknowledgements are made through the API, in the store: bring them into memory so
    /// acknowledged alerts stop repeating.
    async fn refresh_acknowledgements(&self, noise: &mut NoiseState) {
        if noise.alerts.is_empty() {
            return;
        }
        match self.store.acknowledged_alerts(self.client.cluster()).await {
            Ok(acks) => {
                for alert in noise.alerts.values_mut() {
                    if let Some((_, by)) = acks.iter().find(|(id, _)| *id == alert.id) {
                        alert.acknowledged_by = Some(by.clone());
                    }
                }
            }
            Err(error) => {
                tracing::warn!(cluster = self.client.cluster(), %error, "reading acknowledgements failed")
            }
        }
    }

    /// Marks the jobs that just reached CANCELLING, CANCELED or FINISHED and whose stop
    /// StreamWarden was asked for (the run records who asked, before the stop is issued) —
    /// looked up by job id, so a stop that completed before this poll is still known as ours.
    async fn read_stop_requests(&self, view: &ClusterView, observed: &mut [ObservedJob]) {
        for o in observed.iter_mut() {
            let stopped = matches!(
                o.state,
                JobState::Cancelling | JobState::Canceled | JobState::Finished
            );
            if !stopped || view.jobs.get(&o.jid).is_some_and(|p| p.state == o.state) {
                continue;
            }
            match self.store.run_of_job(self.client.cluster(), &o.jid).await {
                Ok(run) => o.stop_requested_by = run.and_then(|r| r.stop_requested_by),
                Err(error) => {
                    tracing::warn!(cluster = self.client.cluster(), job_id = o.jid, %error, "reading a requested stop failed")
                }
            }
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
            stop_requested_by: None,
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
                let failed = observed[i].state == JobState::Failed;
                async move {
                    // A FAILED job's alert must carry its root exception, even when Flink's
                    // cached graph hides it for a moment (this delays only this cluster's poll,
                    // only in that case).
                    let answer = if failed {
                        self.client
                            .failed_job_exceptions(&jid, self.max_exceptions)
                            .await
                    } else {
                        self.client.job_exceptions(&jid, self.max_exceptions).await
                    };
                    (i, answer)
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
