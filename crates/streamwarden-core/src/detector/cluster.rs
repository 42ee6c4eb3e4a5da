//! A cluster's reachability: debounced `cluster_unreachable`, and `cluster_recovered`.

use super::{ClusterHealth, ClusterView, DetectorConfig};
use crate::{Event, EventKind, Severity};

/// One failed poll: count it; raise `cluster_unreachable` once the debounce is reached.
pub(super) fn poll_failed(
    view: &ClusterView,
    error: &str,
    now_ms: i64,
    config: &DetectorConfig,
    next_id: &mut dyn FnMut() -> String,
) -> (ClusterHealth, Option<Event>) {
    let before = &view.health;
    let health = ClusterHealth {
        consecutive_failures: before.consecutive_failures.saturating_add(1),
        unreachable: before.unreachable,
        first_failure_ms: Some(before.first_failure_ms.unwrap_or(now_ms)),
        last_ok_ms: before.last_ok_ms,
        last_error: Some(error.to_string()),
    };
    if health.unreachable || health.consecutive_failures < config.unreachable_after.max(1) {
        return (health, None);
    }
    let since = health.first_failure_ms.unwrap_or(now_ms);
    let event = Event {
        event_id: next_id(),
        kind: EventKind::ClusterUnreachable,
        severity: Severity::Critical,
        notify: true,
        summary: format!(
            "Cluster {} unreachable ({} failed polls in a row): {}",
            view.name, health.consecutive_failures, error
        ),
        occurred_at_ms: since,
        observed_at_ms: now_ms,
        cluster: view.name.clone(),
        cluster_url: view.url.clone(),
        job: None,
        exception: None,
        error: Some(error.to_string()),
        restart: None,
        health: None,
    };
    (
        ClusterHealth {
            unreachable: true,
            ..health
        },
        Some(event),
    )
}

/// One successful poll: reset the failure count; raise `cluster_recovered` if it was unreachable.
pub(super) fn poll_succeeded(
    view: &ClusterView,
    now_ms: i64,
    next_id: &mut dyn FnMut() -> String,
) -> (ClusterHealth, Option<Event>) {
    let before = &view.health;
    let health = ClusterHealth {
        consecutive_failures: 0,
        unreachable: false,
        first_failure_ms: None,
        last_ok_ms: Some(now_ms),
        last_error: None,
    };
    if !before.unreachable {
        return (health, None);
    }
    let since = before.first_failure_ms.unwrap_or(now_ms);
    let event = Event {
        event_id: next_id(),
        kind: EventKind::ClusterRecovered,
        severity: Severity::Info,
        notify: true,
        summary: format!(
            "Cluster {} reachable again after {} s",
            view.name,
            (now_ms - since).max(0) / 1000
        ),
        occurred_at_ms: now_ms,
        observed_at_ms: now_ms,
        cluster: view.name.clone(),
        cluster_url: view.url.clone(),
        job: None,
        exception: None,
        error: before.last_error.clone(),
        restart: None,
        health: None,
    };
    (health, Some(event))
}
