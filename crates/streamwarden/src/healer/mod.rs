//! Self-healing: restarts managed applications whose job went down (or, if their policy says
//! so, turned unhealthy), within their restart policy, from the restore point their rule
//! chooses; every step is an event (and alert).
//!
//! The watchers hand over jobs that reached FAILED, vanished or turned unhealthy; the healer
//! decides with the pure policy ([`streamwarden_core::healing`]) and restarts through the
//! lifecycle. A scheduled restart is stored first ([`RestartIntent`], one per application), so
//! several triggers, a restart slower than a tick, or a restart of StreamWarden in the middle
//! never make two: at start-up the stored intents are resumed. Its events go back to the
//! cluster's watcher, which stores, routes and groups them like any other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use streamwarden_apps::meta::JobSpec;
use streamwarden_core::clock::now_ms;
use streamwarden_core::healing::{Decision, DownRun, RestartPolicy, Trigger, decide};
use streamwarden_core::{Event, EventKind, RestartFacts, Severity};
use streamwarden_lifecycle::{Lifecycle, OpError, StartRequest, StopRequest, has_ended};
use streamwarden_store::{Application, RestartIntent, RunStatus, Store, StoreError};
use tokio::sync::mpsc;

mod events;
mod sweep;

use events::{facts, job_name};

/// Who automatic restarts (and the stops of unhealthy jobs before them) are recorded as.
pub const AUTO_RESTART: &str = "auto-restart";

/// How many of an application's latest runs are read to count its automatic restarts.
const HISTORY_RUNS: u32 = 100;

/// A managed job that went down or turned unhealthy, as a watcher saw it.
#[derive(Debug, Clone)]
pub struct Down {
    /// The event that told it (FAILED, disappeared, unhealthy).
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
    /// One decision at a time per application (two triggers of one run in the same poll).
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// An application's effective policy and auto-restore switch.
struct Effective {
    policy: RestartPolicy,
    auto_restore: bool,
}

impl Healer {
    /// A healer restarting by `defaults` (each application's fail-restart switch and its own
    /// policy decide whether and how they apply), handing its events to the watchers of
    /// `events` (by cluster name).
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
            locks: Mutex::new(HashMap::new()),
        }
    }

    fn lock_of(&self, app_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(app_id.to_string())
            .or_default()
            .clone()
    }

    /// Resumes the restarts a previous process scheduled and did not finish, then handles
    /// jobs that go down until the channel closes. Call after runs were reconciled.
    pub async fn run(self: Arc<Self>, mut downs: mpsc::UnboundedReceiver<Down>) {
        match self.store.list_restarts().await {
            Ok(intents) => {
                for intent in intents {
                    tracing::info!(
                        app = intent.app_id,
                        attempt = intent.attempt,
                        "resuming a scheduled restart"
                    );
                    let healer = self.clone();
                    tokio::spawn(async move { healer.resume(intent).await });
                }
            }
            Err(error) => tracing::error!(%error, "self-healing cannot read scheduled restarts"),
        }
        if let Err(error) = self.clone().sweep().await {
            tracing::error!(%error, "self-healing cannot look for undecided failures");
        }
        while let Some(down) = downs.recv().await {
            let healer = self.clone();
            tokio::spawn(async move {
                if let Err(error) = healer.handle(down).await {
                    tracing::error!(%error, "self-healing failed to decide");
                }
            });
        }
    }

    async fn handle(&self, down: Down) -> Result<(), StoreError> {
        let Some(job) = down.event.job.as_ref() else {
            return Ok(());
        };
        let Some(found) = self.store.run_of_job(&down.event.cluster, &job.id).await? else {
            return Ok(()); // not a managed application's job
        };
        let lock = self.lock_of(&found.app_id);
        let deciding = lock.lock().await;
        let newest = self.store.list_runs(&found.app_id, 1).await?;
        let Some(mut run) = newest.into_iter().next().filter(|r| r.id == found.id) else {
            return Ok(()); // an older run
        };
        if run.healing.is_some() {
            return Ok(()); // decided already
        }
        let Some(app) = self.store.get_app(&run.app_id).await? else {
            return Ok(());
        };
        let effective = self.effective(&app, &run.version).await?;
        let history = self.restarts_made(&app.id).await?;
        let now = now_ms();
        let decision = decide(
            &effective.policy,
            down.trigger,
            DownRun {
                // A run still starting, or failed by its start (which marks `healing`), never
                // reached RUNNING; one settled by reconciliation after a restart did.
                reached_running: run.status != RunStatus::Starting,
                stopped_by_person: run
                    .stop_requested_by
                    .as_deref()
                    .is_some_and(|by| by != AUTO_RESTART),
            },
            &history,
            false,
            now,
        );
        tracing::info!(
            app = app.name,
            job_id = job.id,
            ?decision,
            "self-healing decided"
        );
        if down.trigger == Trigger::Unhealthy && !matches!(decision, Decision::Schedule { .. }) {
            // Only reported: the run goes on, and a later failure is decided on its own.
            if let Decision::GiveUp { attempts } = decision {
                self.gave_up(&down.event, &app, &effective, attempts, down.trigger);
            }
            return Ok(());
        }
        let mut intent = None;
        run.healing = Some(match &decision {
            Decision::Skip { reason } => format!("not restarted: {reason}"),
            Decision::GiveUp { attempts } => {
                format!("not restarted: {attempts} automatic restarts within the window")
            }
            Decision::Schedule { at_ms, attempt, of } => {
                let restore_point = if effective.auto_restore {
                    self.lifecycle
                        .restore_path_for(&app.id, &run.version, Some(true))
                        .await
                        .unwrap_or_else(|error| {
                            tracing::warn!(%error, "choosing the restore point");
                            None
                        })
                } else {
                    None
                };
                let candidate = RestartIntent {
                    app_id: app.id.clone(),
                    run_id: run.id.clone(),
                    version: run.version.clone(),
                    cluster: run.cluster.clone(),
                    trigger: down.trigger,
                    due_ms: *at_ms,
                    attempt: *attempt,
                    max_restarts: *of,
                    window_ms: effective.policy.window_ms,
                    auto_restore: effective.auto_restore,
                    restore_point,
                    event: down.event.clone(),
                    created_ms: now,
                };
                if self.store.claim_restart(&candidate).await? {
                    intent = Some(candidate);
                    format!("restart {attempt} of {of} scheduled")
                } else {
                    "not restarted: a restart of the application is already in flight".into()
                }
            }
        });
        if down.trigger != Trigger::Unhealthy {
            run.status = if down.trigger == Trigger::Failed || run.status == RunStatus::Failed {
                RunStatus::Failed
            } else {
                RunStatus::Ended
            };
            run.ended_ms = run.ended_ms.or(Some(now));
            run.message = down
                .event
                .exception
                .as_ref()
                .map(|e| format!("{}: {}", e.name, e.message))
                .or(run.message.take())
                .or(Some(down.event.summary.clone()));
        }
        // An unhealthy job's run goes on until its restart: nothing is recorded on it now, so
        // a failure meanwhile is still decided (and finds this restart in flight).
        let recorded = if down.trigger == Trigger::Unhealthy {
            Ok(())
        } else {
            self.store.put_run(&run).await
        };
        if let Err(error) = recorded {
            if intent.is_some() {
                self.finish(&app.id).await; // never leave a claim nobody carries out
            }
            return Err(error);
        }
        drop(deciding);
        match decision {
            Decision::Skip { .. } => {}
            Decision::GiveUp { attempts } => {
                self.gave_up(&down.event, &app, &effective, attempts, down.trigger)
            }
            Decision::Schedule { .. } => {
                if let Some(intent) = intent {
                    self.scheduled(&intent);
                    self.heal(intent).await;
                }
            }
        }
        Ok(())
    }

    /// A stored intent after a restart of StreamWarden: finished if its start had begun
    /// (reconciliation settled the run), carried on otherwise.
    async fn resume(&self, intent: RestartIntent) {
        let started = match self.store.list_runs(&intent.app_id, 1).await {
            Ok(runs) => runs.into_iter().next().filter(|r| {
                r.started_by == AUTO_RESTART
                    && r.started_ms >= intent.created_ms
                    && r.id != intent.run_id
            }),
            Err(error) => {
                tracing::error!(%error, "resuming a restart");
                return;
            }
        };
        match started {
            Some(run) if run.status == RunStatus::Running => {
                self.succeeded(&intent, &run);
                self.finish(&intent.app_id).await;
            }
            Some(run) => {
                let reason = run
                    .message
                    .unwrap_or_else(|| format!("the restart's run is {}", run.status.as_str()));
                self.after_failure(intent, reason, true).await;
            }
            None => self.heal(intent).await,
        }
    }

    /// Waits for the intent's time, then restarts; a failed restart is retried within the
    /// policy, the last one gives up.
    async fn heal(&self, mut intent: RestartIntent) {
        loop {
            let wait = u64::try_from(intent.due_ms - now_ms()).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            if let Some(reason) = self.overtaken(&intent).await {
                tracing::info!(app = intent.app_id, reason, "scheduled restart dropped");
                self.finish(&intent.app_id).await;
                return;
            }
            if intent.trigger == Trigger::Unhealthy
                && let Err(error) = self.stop_unhealthy(&intent).await
            {
                self.after_failure(
                    intent,
                    format!("stopping the unhealthy job: {error}"),
                    false,
                )
                .await;
                return;
            }
            let request = StartRequest {
                version: Some(intent.version.clone()),
                restore: (!intent.auto_restore).then(|| "none".to_string()),
                auto_restore: Some(intent.auto_restore),
                ..StartRequest::default()
            };
            match self
                .lifecycle
                .start(&intent.app_id, &request, AUTO_RESTART)
                .await
            {
                Ok(run) => {
                    self.succeeded(&intent, &run);
                    self.finish(&intent.app_id).await;
                    return;
                }
                Err(error) => {
                    let retry = !matches!(
                        error,
                        OpError::Conflict(_) | OpError::NotFound(_) | OpError::Invalid(_)
                    );
                    match self.after_failure(intent, error.to_string(), retry).await {
                        Some(next) => intent = next,
                        None => return,
                    }
                }
            }
        }
    }

    /// Why a scheduled restart no longer applies, checked when it is due: a person started or
    /// stopped the application meanwhile, or the job that vanished is listed again.
    async fn overtaken(&self, intent: &RestartIntent) -> Option<String> {
        let newest = match self.store.list_runs(&intent.app_id, 1).await {
            Ok(runs) => runs.into_iter().next()?,
            Err(error) => {
                tracing::warn!(%error, "checking a scheduled restart");
                return None;
            }
        };
        if newest.id != intent.run_id {
            return Some(format!(
                "the application was started meanwhile (run {})",
                newest.id
            ));
        }
        if let Some(by) = newest.stop_requested_by.filter(|by| by != AUTO_RESTART) {
            return Some(format!("{by} stopped the application meanwhile"));
        }
        if intent.trigger == Trigger::Disappeared
            && let Some(jid) = &newest.jid
            && let Ok(Some(state)) = self.lifecycle.flink_job_state(&intent.cluster, jid).await
            && !has_ended(&state)
        {
            return Some(format!("job {jid} is listed again ({state})"));
        }
        None
    }

    /// Cancels the unhealthy job before it is started again (recorded as stopped by
    /// auto-restart, so neither an alert nor a trigger).
    async fn stop_unhealthy(&self, intent: &RestartIntent) -> Result<(), OpError> {
        let Some(run) = self
            .lifecycle
            .active_run(&intent.app_id)
            .await?
            .filter(|run| run.id == intent.run_id)
        else {
            return Ok(()); // its job ended meanwhile
        };
        let stopped = self
            .lifecycle
            .stop(&intent.app_id, &StopRequest::default(), AUTO_RESTART)
            .await;
        match (stopped, &run.jid) {
            (Ok(_), _) => Ok(()),
            // Flink refuses to cancel a job that ended meanwhile (409): nothing to stop.
            (Err(error), Some(jid)) => {
                match self.lifecycle.flink_job_state(&run.cluster, jid).await {
                    Ok(Some(state)) if has_ended(&state) => {
                        let mut ended = run.clone();
                        ended.status = if state == "FAILED" {
                            RunStatus::Failed
                        } else {
                            RunStatus::Ended
                        };
                        ended.ended_ms = Some(now_ms());
                        ended.message = Some(format!("the job was {state} before its restart"));
                        self.store.put_run(&ended).await?;
                        Ok(())
                    }
                    _ => Err(error),
                }
            }
            (Err(error), None) => Err(error),
        }
    }

    /// Reports a failed attempt, then decides again: the next attempt (returned, stored and
    /// announced), or giving up. `retry` false ends the series after the report.
    async fn after_failure(
        &self,
        intent: RestartIntent,
        reason: String,
        retry: bool,
    ) -> Option<RestartIntent> {
        self.emit(
            &intent.event,
            EventKind::RestartFailed,
            Severity::Major,
            format!(
                "{}: restart {} of {} failed: {reason}",
                job_name(&intent.event),
                intent.attempt,
                intent.max_restarts
            ),
            RestartFacts {
                reason: Some(reason),
                ..facts(&intent)
            },
        );
        self.finish(&intent.app_id).await;
        if !retry {
            return None;
        }
        let app = self.store.get_app(&intent.app_id).await.ok().flatten()?;
        let effective = self.effective(&app, &intent.version).await.ok()?;
        let mut history = self.restarts_made(&app.id).await.ok()?;
        if !history.iter().any(|t| *t >= intent.created_ms) {
            history.push(intent.due_ms); // an attempt that failed before it made a run counts
        }
        let now = now_ms();
        let run = DownRun {
            reached_running: true,
            stopped_by_person: false,
        };
        match decide(
            &effective.policy,
            Trigger::Failed,
            run,
            &history,
            false,
            now,
        ) {
            Decision::Schedule { at_ms, attempt, of } => {
                let next = RestartIntent {
                    due_ms: at_ms,
                    attempt,
                    max_restarts: of,
                    window_ms: effective.policy.window_ms,
                    trigger: Trigger::Failed,
                    created_ms: now,
                    ..intent
                };
                match self.store.claim_restart(&next).await {
                    Ok(true) => {
                        self.scheduled(&next);
                        Some(next)
                    }
                    Ok(false) => None,
                    Err(error) => {
                        tracing::error!(%error, "storing the next restart");
                        None
                    }
                }
            }
            Decision::GiveUp { attempts } => {
                self.gave_up(&intent.event, &app, &effective, attempts, intent.trigger);
                None
            }
            Decision::Skip { .. } => None,
        }
    }

    async fn finish(&self, app_id: &str) {
        if let Err(error) = self.store.finish_restart(app_id).await {
            tracing::error!(%error, app_id, "clearing a finished restart");
        }
    }

    /// The application's policy: its own overrides over the defaults, the version's switches.
    async fn effective(&self, app: &Application, version: &str) -> Result<Effective, StoreError> {
        let spec: Option<JobSpec> = self
            .store
            .list_versions(&app.id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .and_then(|v| serde_json::from_value(v.spec).ok());
        let overrides = &app.policy.restart;
        Ok(Effective {
            policy: overrides.apply(self.defaults, spec.as_ref().is_some_and(|s| s.fail_restart)),
            auto_restore: overrides
                .auto_restore
                .unwrap_or(spec.as_ref().is_some_and(|s| s.auto_restore)),
        })
    }

    /// When the application's automatic restarts were made, epoch ms.
    async fn restarts_made(&self, app_id: &str) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .store
            .list_runs(app_id, HISTORY_RUNS)
            .await?
            .iter()
            .filter(|r| r.started_by == AUTO_RESTART)
            .map(|r| r.started_ms)
            .collect())
    }
}
