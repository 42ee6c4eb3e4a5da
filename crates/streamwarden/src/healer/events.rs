//! Self-healing's events: each step of a restart, built on the event that told the job went
//! down, handed to the cluster's watcher to be stored, routed and alerted.

use super::{Effective, Healer};
use std::time::Duration;
use streamwarden_core::clock::now_ms;
use streamwarden_core::healing::Trigger;
use streamwarden_core::{Event, EventKind, RestartFacts, Severity};
use streamwarden_store::{Application, RestartIntent, Run};

impl Healer {
    pub(super) fn scheduled(&self, intent: &RestartIntent) {
        let name = job_name(&intent.event);
        let from = intent
            .restore_point
            .as_deref()
            .map_or("without state".to_string(), |p| format!("from {p}"));
        self.emit(
            &intent.event,
            EventKind::RestartScheduled,
            Severity::Major,
            format!(
                "{name}: restart {} of {} in {} s, {from}",
                intent.attempt,
                intent.max_restarts,
                (intent.due_ms - now_ms()).max(0) / 1000
            ),
            facts(intent),
        );
    }

    pub(super) fn succeeded(&self, intent: &RestartIntent, run: &Run) {
        let jid = run.jid.clone().unwrap_or_default();
        self.emit(
            &intent.event,
            EventKind::RestartSucceeded,
            Severity::Info,
            format!(
                "{}: restarted as job {jid} (attempt {} of {}){}",
                job_name(&intent.event),
                intent.attempt,
                intent.max_restarts,
                run.restore_path
                    .as_deref()
                    .map(|p| format!(", restored from {p}"))
                    .unwrap_or_default()
            ),
            RestartFacts {
                at_ms: Some(run.started_ms),
                restore_point: run.restore_path.clone(),
                new_job_id: run.jid.clone(),
                ..facts(intent)
            },
        );
    }

    pub(super) fn gave_up(
        &self,
        base: &Event,
        app: &Application,
        effective: &Effective,
        attempts: u32,
        trigger: Trigger,
    ) {
        let window = humantime::format_duration(Duration::from_millis(
            u64::try_from(effective.policy.window_ms).unwrap_or(0),
        ));
        let reason = format!("{attempts} automatic restarts within {window}: the limit");
        self.emit(
            base,
            EventKind::RestartGaveUp,
            Severity::Critical,
            format!("{}: {reason}; giving up", job_name(base)),
            RestartFacts {
                app_id: app.id.clone(),
                trigger,
                attempt: attempts,
                max_restarts: effective.policy.max_restarts,
                window_ms: effective.policy.window_ms,
                at_ms: None,
                restore_point: None,
                new_job_id: None,
                reason: Some(reason),
            },
        );
    }

    pub(super) fn emit(
        &self,
        base: &Event,
        kind: EventKind,
        severity: Severity,
        summary: String,
        restart: RestartFacts,
    ) {
        let outcome = match kind {
            EventKind::RestartSucceeded => Some("succeeded"),
            EventKind::RestartFailed => Some("failed"),
            EventKind::RestartGaveUp => Some("gave_up"),
            _ => None,
        };
        if let Some(outcome) = outcome {
            metrics::counter!("streamwarden_restarts_total", "outcome" => outcome).increment(1);
        }
        let now = now_ms();
        let event = Event {
            event_id: uuid::Uuid::now_v7().to_string(),
            kind,
            severity,
            notify: true,
            summary,
            occurred_at_ms: now,
            observed_at_ms: now,
            // A failed restart's root exception is in its reason (the start's error).
            exception: None,
            restart: Some(restart),
            ..base.clone()
        };
        match self.events.get(&base.cluster) {
            Some(tx) if tx.send(event).is_ok() => {}
            _ => {
                tracing::error!(cluster = base.cluster, %kind, "no watcher takes self-healing's event")
            }
        }
    }
}

pub(super) fn job_name(event: &Event) -> &str {
    event.job.as_ref().map_or("", |j| j.name.as_str())
}

pub(super) fn facts(intent: &RestartIntent) -> RestartFacts {
    RestartFacts {
        app_id: intent.app_id.clone(),
        trigger: intent.trigger,
        attempt: intent.attempt,
        max_restarts: intent.max_restarts,
        window_ms: intent.window_ms,
        at_ms: Some(intent.due_ms),
        restore_point: intent.restore_point.clone(),
        new_job_id: None,
        reason: None,
    }
}
