//! The variables a template sees (documented in `docs/templates.md`).

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use streamwarden_core::Event;

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

/// The template context of `event`. Absent parts are `none` (never undefined), so templates
/// can test them: `{% if job %}`, `{% if exception %}`.
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
        "labels": globals.labels,
        "test": test,
    })
}
