//! The variables a template sees (documented in `docs/templates.md`).

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use streamwarden_core::Event;
use streamwarden_core::noise::Notice;
use streamwarden_core::notification::Outgoing;

/// Values every template gets besides the event's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Globals {
    /// User labels, e.g. `environment = "prod"` (`labels.environment`).
    pub labels: BTreeMap<String, String>,
    /// StreamWarden's own public base URL, for links to its pages (`None`: no links).
    pub public_url: Option<String>,
}

fn rfc3339(ms: Option<i64>) -> Value {
    ms.and_then(DateTime::from_timestamp_millis)
        .map_or(Value::Null, |t| {
            Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
        })
}

/// Most members a group notification lists; the rest are counted in `group.more`.
pub const GROUP_SHOWN: usize = 20;

/// The template context of a notification: the first event's variables at the top level (as
/// [`for_event`]), `notice` (`alert`, `repeat`, `resolved`, `group`), `alert_id`, and `alerts`
/// (every shown event with its `resolved` flag) and `group` (`none` unless a group).
pub fn for_outgoing(outgoing: &Outgoing, globals: &Globals, test: bool) -> Value {
    let n = &outgoing.notification;
    let (notice, alert_id) = match &n.notice {
        Notice::Alert { alert_id, .. } => ("alert", Some(alert_id)),
        Notice::Repeat { alert_id, .. } => ("repeat", Some(alert_id)),
        Notice::Resolved { alert_id, .. } => ("resolved", Some(alert_id)),
        Notice::Group { .. } => ("group", None),
    };
    let mut context = match outgoing.events.first() {
        Some((event, _)) => for_event(event, globals, test),
        None => json!({ "labels": globals.labels, "test": test }),
    };
    let alerts: Vec<Value> = outgoing
        .events
        .iter()
        .take(GROUP_SHOWN)
        .map(|(event, resolved)| {
            let mut item = for_event(event, globals, test);
            item["resolved"] = Value::Bool(*resolved);
            item
        })
        .collect();
    let group = match &n.notice {
        Notice::Group { group, members } => {
            let resolved = members.iter().filter(|m| m.resolved).count();
            json!({
                "key": group,
                "count": members.len(),
                "firing": members.len() - resolved,
                "resolved": resolved,
                "shown": alerts.len(),
                "more": members.len().saturating_sub(alerts.len()),
                "url": globals.public_url.as_ref().map(|base| format!(
                    "{}/alerts?cluster={}", base.trim_end_matches('/'), n.cluster
                )),
            })
        }
        _ => Value::Null,
    };
    if let Some(object) = context.as_object_mut() {
        object.insert("notice".into(), Value::String(notice.into()));
        object.insert(
            "alert_id".into(),
            alert_id.map_or(Value::Null, |a| Value::String(a.clone())),
        );
        object.insert("severity".into(), Value::String(n.severity.as_str().into()));
        object.insert("alerts".into(), Value::Array(alerts));
        object.insert("group".into(), group);
    }
    context
}

/// The template context of `event`. Absent parts are `none` (never undefined), so templates
/// can test them: `{% if job %}`, `{% if exception %}`, `{% if restart %}` (self-healing's
/// events), `{% if health %}` (`job_unhealthy`, `job_healthy`).
pub fn for_event(event: &Event, globals: &Globals, test: bool) -> Value {
    let job = event.job.as_ref().map(|j| {
        json!({
            "id": j.id,
            "name": j.name,
            "previous_state": j.previous_state.map(|s| s.as_str()),
            "state": j.state.as_str(),
            "start_time": rfc3339(j.start_time_ms),
            "end_time": rfc3339(j.end_time_ms),
            "duration_ms": j.duration_ms,
            "restarts": j.restarts,
            "previous_restarts": j.previous_restarts,
            "url": j.url,
            "streamwarden_url": globals.public_url.as_ref().map(|base| format!(
                "{}/jobs/{}/{}", base.trim_end_matches('/'), event.cluster, j.id
            )),
        })
    });
    json!({
        "event_id": event.event_id,
        "kind": event.kind.as_str(),
        "severity": event.severity.as_str(),
        "summary": event.summary,
        "occurred_at": rfc3339(Some(event.occurred_at_ms)),
        "observed_at": rfc3339(Some(event.observed_at_ms)),
        "cluster": { "name": event.cluster, "url": event.cluster_url },
        "job": job,
        "exception": event.exception.as_ref().map(|e| json!({
            "name": e.name,
            "message": e.message,
            "stacktrace": e.stacktrace,
            "task": e.task,
            "timestamp": rfc3339(e.timestamp_ms),
        })),
        "error": event.error,
        "restart": event.restart.as_ref().map(|r| json!({
            "app_id": r.app_id,
            "trigger": r.trigger.as_str(),
            "attempt": r.attempt,
            "max_restarts": r.max_restarts,
            "window_ms": r.window_ms,
            "at": rfc3339(r.at_ms),
            "restore_point": r.restore_point,
            "new_job_id": r.new_job_id,
            "reason": r.reason,
        })),
        "health": event.health.as_ref().map(|h| json!({
            "check": h.check.as_str(),
            "unhealthy": h.unhealthy,
            "observed": h.observed,
            "limit": h.limit,
            "window_ms": h.window_ms,
            "reason": h.reason,
        })),
        "labels": globals.labels,
        "test": test,
    })
}
