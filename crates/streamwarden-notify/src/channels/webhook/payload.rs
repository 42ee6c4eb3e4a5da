//! The default webhook payload (product contract, `version` "1"). Fields may be added, never
//! renamed or removed without a new version.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};
use streamwarden_core::Event;
use streamwarden_core::noise::Notice;
use streamwarden_core::notification::Outgoing;

/// Epoch ms as UTC RFC 3339 with milliseconds (`2026-11-21T08:43:00.123Z`); `null` when absent
/// or out of range.
fn rfc3339(ms: Option<i64>) -> Value {
    ms.and_then(DateTime::from_timestamp_millis)
        .map_or(Value::Null, |t| {
            Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true))
        })
}

/// Builds the default JSON payload of an event:
///
/// `{version, event_id, kind, severity, summary, occurred_at, observed_at, cluster{name,url},
/// job{id,name,previous_state,state,start_time,end_time,duration_ms,restarts,url},
/// exception{name,message,stacktrace,task,timestamp} | null, restart{app_id,trigger,attempt,
/// max_restarts,window_ms,at,restore_point,new_job_id,reason}, health{check,unhealthy,observed,
/// limit,window_ms,reason}}` — `job` is absent for cluster events, `restart` except for
/// self-healing's events (`restart_*`), `health` except for `job_unhealthy` and `job_healthy`;
/// times are RFC 3339 UTC.
pub fn default_payload(event: &Event) -> Value {
    let mut payload = json!({
        "version": "1",
        "event_id": event.event_id,
        "kind": event.kind.as_str(),
        "severity": event.severity.as_str(),
        "summary": event.summary,
        "occurred_at": rfc3339(Some(event.occurred_at_ms)),
        "observed_at": rfc3339(Some(event.observed_at_ms)),
        "cluster": { "name": event.cluster, "url": event.cluster_url },
        "exception": event.exception.as_ref().map(|e| json!({
            "name": e.name,
            "message": e.message,
            "stacktrace": e.stacktrace,
            "task": e.task,
            "timestamp": rfc3339(e.timestamp_ms),
        })),
    });
    let Some(map) = payload.as_object_mut() else {
        return payload;
    };
    if let Some(job) = &event.job {
        map.insert(
            "job".into(),
            json!({
                "id": job.id,
                "name": job.name,
                "previous_state": job.previous_state.map(|s| s.as_str()),
                "state": job.state.as_str(),
                "start_time": rfc3339(job.start_time_ms),
                "end_time": rfc3339(job.end_time_ms),
                "duration_ms": job.duration_ms,
                "restarts": job.restarts.unwrap_or(0),
                "url": job.url,
            }),
        );
    }
    if let Some(restart) = &event.restart {
        map.insert(
            "restart".into(),
            json!({
                "app_id": restart.app_id,
                "trigger": restart.trigger.as_str(),
                "attempt": restart.attempt,
                "max_restarts": restart.max_restarts,
                "window_ms": restart.window_ms,
                "at": rfc3339(restart.at_ms),
                "restore_point": restart.restore_point,
                "new_job_id": restart.new_job_id,
                "reason": restart.reason,
            }),
        );
    }
    if let Some(health) = &event.health {
        map.insert(
            "health".into(),
            json!({
                "check": health.check.as_str(),
                "unhealthy": health.unhealthy,
                "observed": health.observed,
                "limit": health.limit,
                "window_ms": health.window_ms,
                "reason": health.reason,
            }),
        );
    }
    payload
}

/// The payload of a notification: for an alert, a repeat or a resolution, the default payload
/// of its event with `notice` (`alert`, `repeat`, `resolved`), `alert_id` and `route` added;
/// for a group (only when its route groups webhooks), `{version, notice: "group", group, route,
/// count, events: [payload + resolved]}`.
pub fn notification_payload(outgoing: &Outgoing) -> Value {
    let n = &outgoing.notification;
    match &n.notice {
        Notice::Group { group, .. } => json!({
            "version": "1",
            "notice": "group",
            "group": group,
            "route": n.route,
            "count": outgoing.events.len(),
            "events": outgoing.events.iter().map(|(event, resolved)| {
                let mut payload = default_payload(event);
                payload["resolved"] = Value::Bool(*resolved);
                payload
            }).collect::<Vec<_>>(),
        }),
        Notice::Alert { alert_id, .. }
        | Notice::Repeat { alert_id, .. }
        | Notice::Resolved { alert_id, .. } => {
            let mut payload = outgoing.events.first().map_or_else(
                || json!({ "version": "1" }),
                |(event, _)| default_payload(event),
            );
            let notice = match &n.notice {
                Notice::Repeat { .. } => "repeat",
                Notice::Resolved { .. } => "resolved",
                _ => "alert",
            };
            payload["notice"] = Value::String(notice.into());
            payload["route"] = Value::String(n.route.clone());
            if !alert_id.is_empty() {
                payload["alert_id"] = Value::String(alert_id.clone());
            }
            payload
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamwarden_core::healing::Trigger;
    use streamwarden_core::health::{Check, HealthFacts};
    use streamwarden_core::{EventKind, JobFacts, JobState, RestartFacts, RootException, Severity};

    fn failed() -> Event {
        Event {
            event_id: "0193a1b2-0000-7000-8000-000000000001".into(),
            kind: EventKind::JobStateChanged,
            severity: Severity::Critical,
            notify: true,
            summary: "Job orders (a1b2c3d4) on cluster local: RUNNING → FAILED".into(),
            occurred_at_ms: 1_763_700_000_123,
            observed_at_ms: 1_763_700_000_600,
            cluster: "local".into(),
            cluster_url: "http://127.0.0.1:8081".into(),
            job: Some(JobFacts {
                id: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
                name: "orders".into(),
                previous_state: Some(JobState::Running),
                state: JobState::Failed,
                start_time_ms: Some(1_763_699_990_000),
                end_time_ms: Some(1_763_700_000_123),
                duration_ms: Some(10_123),
                restarts: None,
                previous_restarts: None,
                url: "http://127.0.0.1:8081/#/job/completed/a1b2/overview".into(),
            }),
            exception: Some(RootException {
                name: "java.lang.IllegalStateException".into(),
                message: "demo failure".into(),
                stacktrace: "java.lang.IllegalStateException: demo failure".into(),
                task: Some("Map (1/1)".into()),
                timestamp_ms: Some(1_763_700_000_100),
            }),
            error: None,
            restart: None,
            health: None,
        }
    }

    #[test]
    fn job_payload_has_exactly_the_contract_fields() {
        let expected = json!({
            "version": "1",
            "event_id": "0193a1b2-0000-7000-8000-000000000001",
            "kind": "job_state_changed",
            "severity": "critical",
            "summary": "Job orders (a1b2c3d4) on cluster local: RUNNING → FAILED",
            "occurred_at": "2025-11-21T04:40:00.123Z",
            "observed_at": "2025-11-21T04:40:00.600Z",
            "cluster": { "name": "local", "url": "http://127.0.0.1:8081" },
            "job": {
                "id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                "name": "orders",
                "previous_state": "RUNNING",
                "state": "FAILED",
                "start_time": "2025-11-21T04:39:50.000Z",
                "end_time": "2025-11-21T04:40:00.123Z",
                "duration_ms": 10_123,
                "restarts": 0,
                "url": "http://127.0.0.1:8081/#/job/completed/a1b2/overview"
            },
            "exception": {
                "name": "java.lang.IllegalStateException",
                "message": "demo failure",
                "stacktrace": "java.lang.IllegalStateException: demo failure",
                "task": "Map (1/1)",
                "timestamp": "2025-11-21T04:40:00.100Z"
            }
        });
        assert_eq!(default_payload(&failed()), expected);
    }

    #[test]
    fn cluster_payload_has_no_job_and_a_null_exception() {
        let mut event = failed();
        event.kind = EventKind::ClusterUnreachable;
        event.job = None;
        event.exception = None;
        let payload = default_payload(&event);
        assert!(payload.get("job").is_none());
        assert_eq!(payload["exception"], Value::Null);
        assert_eq!(payload["kind"], "cluster_unreachable");
    }

    #[test]
    fn restart_and_health_are_added_only_when_present() {
        let plain = default_payload(&failed());
        assert!(plain.get("restart").is_none(), "{plain}");
        assert!(plain.get("health").is_none(), "{plain}");

        let mut scheduled = failed();
        scheduled.kind = EventKind::RestartScheduled;
        scheduled.exception = None;
        scheduled.restart = Some(RestartFacts {
            app_id: "0199a1b0-7c2e-7a41-9d3f-5e6a7b8c9d0e".into(),
            trigger: Trigger::Failed,
            attempt: 2,
            max_restarts: 3,
            window_ms: 1_800_000,
            at_ms: Some(1_763_700_020_123),
            restore_point: Some("file:///flink/checkpoints/a1b2/chk-42".into()),
            new_job_id: None,
            reason: None,
        });
        let payload = default_payload(&scheduled);
        assert_eq!(payload["kind"], "restart_scheduled");
        assert_eq!(
            payload["restart"],
            json!({
                "app_id": "0199a1b0-7c2e-7a41-9d3f-5e6a7b8c9d0e",
                "trigger": "failed",
                "attempt": 2,
                "max_restarts": 3,
                "window_ms": 1_800_000,
                "at": "2025-11-21T04:40:20.123Z",
                "restore_point": "file:///flink/checkpoints/a1b2/chk-42",
                "new_job_id": null,
                "reason": null
            })
        );
        assert!(payload.get("health").is_none(), "{payload}");
        assert_eq!(payload["job"]["name"], "orders", "the job is still there");

        let mut unhealthy = failed();
        unhealthy.kind = EventKind::JobUnhealthy;
        unhealthy.exception = None;
        unhealthy.health = Some(HealthFacts {
            check: Check::CheckpointStalled,
            unhealthy: true,
            observed: 1_260_000,
            limit: 1_200_000,
            window_ms: None,
            reason: "no completed checkpoint for 21 min (threshold 20 min)".into(),
        });
        let payload = default_payload(&unhealthy);
        assert_eq!(
            payload["health"],
            json!({
                "check": "checkpoint_stalled",
                "unhealthy": true,
                "observed": 1_260_000,
                "limit": 1_200_000,
                "window_ms": null,
                "reason": "no completed checkpoint for 21 min (threshold 20 min)"
            })
        );
        assert!(payload.get("restart").is_none(), "{payload}");
    }

    #[test]
    fn a_new_job_has_a_null_previous_state_and_running_jobs_a_null_end_time() {
        let mut event = failed();
        if let Some(job) = event.job.as_mut() {
            job.previous_state = None;
            job.end_time_ms = None;
        }
        let payload = default_payload(&event);
        assert_eq!(payload["job"]["previous_state"], Value::Null);
        assert_eq!(payload["job"]["end_time"], Value::Null);
    }
}
