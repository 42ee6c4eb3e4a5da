//! Self-healing: restarts managed applications whose job went down, within their restart
//! policy, from the restore point their rule chooses; every step is an event (and alert).
//!
//! The watchers hand over jobs that reached FAILED or vanished; the healer decides with the
//! pure policy ([`streamwarden_core::healing`]) and restarts through the lifecycle. Its events
//! go back to the cluster's watcher, which stores, routes and groups them like any other.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use streamwarden_apps::meta::JobSpec;
use streamwarden_core::clock::now_ms;
use streamwarden_core::healing::{Decision, DownRun, RestartPolicy, Trigger, decide};
use streamwarden_core::{Event, EventKind, Severity};
use streamwarden_lifecycle::{Lifecycle, StartRequest};
use streamwarden_store::{RunStatus, Store};
use tokio::sync::mpsc;

/// Who automatic restarts are recorded as.
pub const AUTO_RESTART: &str = "auto-restart";

/// A managed job that went down, as a watcher saw it.
#[derive(Debug, Clone)]
pub struct Down {
    /// The event that told it (FAILED or disappeared).
    pub event: Event,
    /// Why.
    pub trigger: Trigger,
}

/// The self-healing service.
pub struct Healer {
    store: Arc<dyn Store>,
    lifecycle: Arc<Lifecycle>,
    defaults: RestartPolicy,
    /// Each cluster's watcher takes the healer's events.
    events: HashMap<String, mpsc::UnboundedSender<Event>>,
    in_flight: Mutex<HashSet<String>>,
}

impl Healer {
    /// A healer restarting by `defaults` (each application's fail-restart switch decides
    /// whether it applies), handing its events to the watchers of `events`.
    pub fn new(
        store: Arc<dyn Store>,
        lifecycle: Arc<Lifecycle>,
        defaults: RestartPolicy,
        events: HashMap<String, mpsc::UnboundedSender<Event>>,
    ) -> Healer {
        Healer {
            store,
            lifecycle,
            defaults,
            events,
            in_flight: Mutex::new(HashSet::new()),
        }
    }

    /// Handles jobs that went down until the channel closes.
    pub async fn run(self: Arc<Self>, mut downs: mpsc::UnboundedReceiver<Down>) {
        while let Some(down) = downs.recv().await {
            let healer = self.clone();
            tokio::spawn(async move { healer.handle(down).await });
        }
    }

    fn emit(&self, base: &Event, kind: EventKind, severity: Severity, summary: String) {
        let now = now_ms();
        let event = Event {
            event_id: uuid::Uuid::now_v7().to_string(),
            kind,
            severity,
            notify: true,
            summary,
            occurred_at_ms: now,
            observed_at_ms: now,
            exception: if kind == EventKind::RestartFailed {
                base.exception.clone()
            } else {
                None
            },
            ..base.clone()
        };
        if let Some(tx) = self.events.get(&base.cluster) {
            let _ = tx.send(event);
        }
    }

    async fn handle(&self, down: Down) {
        let Some(job) = down.event.job.clone() else {
            return;
        };
        let runs = match self
            .store
            .runs_with_status(&[RunStatus::Running, RunStatus::Stopping])
            .await
        {
            Ok(runs) => runs,
            Err(error) => {
                tracing::error!(%error, "self-healing cannot read runs");
                return;
            }
        };
        let Some(mut run) = runs
            .into_iter()
            .find(|r| r.jid.as_deref() == Some(&job.id) && r.cluster == down.event.cluster)
        else {
            return; // not a managed application's current job
        };
        let stopped_by_person = run.stop_requested_by.is_some();
        run.status = RunStatus::Failed;
        run.ended_ms = Some(now_ms());
        run.message = down
            .event
            .exception
            .as_ref()
            .map(|e| format!("{}: {}", e.name, e.message))
            .or(Some(down.event.summary.clone()));
        if let Err(error) = self.store.put_run(&run).await {
            tracing::error!(%error, "recording the failed run");
        }
        let spec: Option<JobSpec> = match self.store.list_versions(&run.app_id).await {
            Ok(versions) => versions
                .into_iter()
                .find(|v| v.version == run.version)
                .and_then(|v| serde_json::from_value(v.spec).ok()),
            Err(_) => None,
        };
        let policy = RestartPolicy {
            enabled: spec.as_ref().is_some_and(|s| s.fail_restart),
            ..self.defaults
        };
        let history: Vec<i64> = match self.store.list_runs(&run.app_id, 100).await {
            Ok(runs) => runs
                .iter()
                .filter(|r| r.started_by == AUTO_RESTART)
                .map(|r| r.started_ms)
                .collect(),
            Err(_) => Vec::new(),
        };
        let in_flight = !self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(run.app_id.clone());
        let decision = decide(
            &policy,
            down.trigger,
            DownRun {
                reached_running: true,
                stopped_by_person,
            },
            &history,
            in_flight,
            now_ms(),
        );
        tracing::info!(
            app = run.app_id,
            job_id = job.id,
            ?decision,
            "self-healing decided"
        );
        match decision {
            Decision::Skip { .. } => {
                if !in_flight {
                    self.release(&run.app_id);
                }
            }
            Decision::GiveUp { attempts } => {
                self.emit(
                    &down.event,
                    EventKind::RestartGaveUp,
                    Severity::Critical,
                    format!(
                        "{}: {attempts} automatic restarts within the window; giving up",
                        job.name
                    ),
                );
                self.release(&run.app_id);
            }
            Decision::Schedule { at_ms, attempt, of } => {
                self.emit(
                    &down.event,
                    EventKind::RestartScheduled,
                    Severity::Major,
                    format!(
                        "{}: restart {attempt} of {of} in {} s",
                        job.name,
                        (at_ms - now_ms()).max(0) / 1000
                    ),
                );
                let wait = u64::try_from(at_ms - now_ms()).unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                match self
                    .lifecycle
                    .start(&run.app_id, &StartRequest::default(), AUTO_RESTART)
                    .await
                {
                    Ok(new) => self.emit(
                        &down.event,
                        EventKind::RestartSucceeded,
                        Severity::Info,
                        format!(
                            "{}: restarted as job {} (attempt {attempt} of {of}){}",
                            job.name,
                            new.jid.unwrap_or_default(),
                            new.restore_path
                                .map(|p| format!(", restored from {p}"))
                                .unwrap_or_default()
                        ),
                    ),
                    Err(error) => self.emit(
                        &down.event,
                        EventKind::RestartFailed,
                        Severity::Major,
                        format!("{}: restart {attempt} of {of} failed: {error}", job.name),
                    ),
                }
                self.release(&run.app_id);
            }
        }
    }

    fn release(&self, app_id: &str) {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(app_id);
    }
}
