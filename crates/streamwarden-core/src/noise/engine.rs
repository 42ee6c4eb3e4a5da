//! The decisions: what an event does ([`on_event`]) and what time does ([`on_tick`]).

use super::condition::{Effect, effect};
use super::{
    Alert, AlertState, Decisions, Group, Member, NoiseConfig, NoiseState, Notice, RouteTarget,
    Send, Silence,
};
use crate::{Event, JobState};

/// Decides what `event` does. `targets` are the routes it matched (from routing), with their
/// channels split into grouped and single; `next_id` names new alerts.
pub fn on_event(
    state: &mut NoiseState,
    event: &Event,
    targets: Vec<RouteTarget>,
    silences: &[Silence],
    now_ms: i64,
    next_id: &mut dyn FnMut() -> String,
) -> Decisions {
    let mut decisions = Decisions::default();
    match effect(event) {
        Effect::None => {}
        Effect::Open { key } => {
            open(
                state,
                &mut decisions,
                key,
                event,
                targets,
                silences,
                now_ms,
                next_id,
                false,
            );
        }
        Effect::Notice { key } => {
            open(
                state,
                &mut decisions,
                key,
                event,
                targets,
                silences,
                now_ms,
                next_id,
                true,
            );
        }
        Effect::Resolve { keys, stable } => {
            for key in keys {
                let Some(alert) = state.alerts.get_mut(&key) else {
                    continue;
                };
                if alert.state != AlertState::Firing {
                    continue;
                }
                if stable {
                    if alert.healthy_since_ms.is_none() {
                        alert.healthy_since_ms = Some(now_ms);
                        alert.healthy_event_id = Some(event.event_id.clone());
                    }
                    alert.job_state = event.job.as_ref().map(|j| j.state);
                    decisions.alerts.push(alert.clone());
                } else {
                    resolve(state, &mut decisions, &key, &event.event_id, now_ms);
                }
            }
        }
    }
    decisions
}

#[allow(clippy::too_many_arguments)]
fn open(
    state: &mut NoiseState,
    decisions: &mut Decisions,
    key: String,
    event: &Event,
    targets: Vec<RouteTarget>,
    silences: &[Silence],
    now_ms: i64,
    next_id: &mut dyn FnMut() -> String,
    notice: bool,
) {
    let job_state = event.job.as_ref().map(|j| j.state);
    let restarting_while_running =
        key.ends_with("/restarting") && job_state == Some(JobState::Running);
    let severity = targets
        .iter()
        .map(|t| t.severity)
        .max()
        .unwrap_or(event.severity);
    let alert = state.alerts.entry(key.clone()).or_insert_with(|| Alert {
        id: next_id(),
        key: key.clone(),
        cluster: event.cluster.clone(),
        job: event.job.as_ref().map(|j| j.name.clone()),
        kind: event.kind,
        severity,
        state: AlertState::Firing,
        first_event_id: event.event_id.clone(),
        last_event_id: event.event_id.clone(),
        events: 0,
        started_ms: now_ms,
        last_event_ms: now_ms,
        healthy_since_ms: None,
        healthy_event_id: None,
        job_state,
        resolved_ms: None,
        acknowledged_by: None,
        silenced_by: None,
        targets: Vec::new(),
    });
    alert.events += 1;
    alert.last_event_id = event.event_id.clone();
    alert.last_event_ms = now_ms;
    alert.kind = event.kind;
    alert.severity = alert.severity.max(severity);
    alert.job_state = job_state;
    // A restart while RUNNING already counts as healthy from now: quiet for `resolve_after`
    // and the loop is over. Any other continuation means the subject is not well.
    alert.healthy_since_ms = restarting_while_running.then_some(now_ms);
    alert.healthy_event_id = restarting_while_running.then(|| event.event_id.clone());
    for target in targets {
        if !alert.targets.iter().any(|t| t.route == target.route) {
            alert.targets.push(target);
        }
    }
    alert.silenced_by = silences
        .iter()
        .find(|s| s.mutes(alert, now_ms))
        .map(|s| s.id.clone());
    if alert.silenced_by.is_none() {
        let alert_id = alert.id.clone();
        let event_id = event.event_id.clone();
        let (cluster, kind) = (alert.cluster.clone(), alert.kind);
        for target in alert.targets.iter_mut().filter(|t| t.notified_ms.is_none()) {
            target.notified_ms = Some(now_ms);
            let member = Member {
                alert_id: alert_id.clone(),
                event_id: event_id.clone(),
                resolved: false,
            };
            dispatch(
                &mut state.groups,
                &mut decisions.sends,
                target,
                &format!("{cluster}/{kind}"),
                member,
                now_ms,
            );
        }
    }
    let alert = alert.clone();
    if notice {
        // A notice is over as soon as it is told; it stays (resolved) only to absorb
        // identical notices within the group interval.
        if let Some(stored) = state.alerts.get_mut(&key) {
            stored.state = AlertState::Resolved;
            stored.resolved_ms.get_or_insert(now_ms);
            decisions.alerts.push(stored.clone());
        }
    } else {
        decisions.alerts.push(alert);
    }
}

/// Sends `member` to `target`: at once to its single channels; to its grouped channels at once
/// if it opens a group, else into the open group.
fn dispatch(
    groups: &mut std::collections::BTreeMap<(String, String), Group>,
    sends: &mut Vec<Send>,
    target: &RouteTarget,
    group_key: &str,
    member: Member,
    now_ms: i64,
) {
    let notice = |m: &Member| {
        if m.resolved {
            Notice::Resolved {
                alert_id: m.alert_id.clone(),
                event_id: m.event_id.clone(),
            }
        } else {
            Notice::Alert {
                alert_id: m.alert_id.clone(),
                event_id: m.event_id.clone(),
            }
        }
    };
    let send = |channels: &[String], notice: Notice| Send {
        route: target.route.clone(),
        channels: channels.to_vec(),
        recipients: target.recipients.clone(),
        severity: target.severity,
        notice,
    };
    if !target.single.is_empty() {
        sends.push(send(&target.single, notice(&member)));
    }
    if target.grouped.is_empty() {
        return;
    }
    let slot = (target.route.clone(), group_key.to_string());
    match groups.get_mut(&slot) {
        Some(group) => {
            group.severity = group.severity.max(target.severity);
            group.pending.push(member);
        }
        None => {
            sends.push(send(&target.grouped, notice(&member)));
            groups.insert(
                slot,
                Group {
                    route: target.route.clone(),
                    key: group_key.to_string(),
                    channels: target.grouped.clone(),
                    recipients: target.recipients.clone(),
                    severity: target.severity,
                    // A route's interval may be as long as a `Duration` (saturated to i64 ms).
                    flush_at_ms: now_ms.saturating_add(target.group_interval_ms),
                    interval_ms: target.group_interval_ms,
                    pending: Vec::new(),
                },
            );
        }
    }
}

/// Resolves the firing alert `key`: tells the receivers that heard of it, forgets it.
fn resolve(
    state: &mut NoiseState,
    decisions: &mut Decisions,
    key: &str,
    event_id: &str,
    now_ms: i64,
) {
    let Some(mut alert) = state.alerts.remove(key) else {
        return;
    };
    alert.state = AlertState::Resolved;
    alert.resolved_ms = Some(now_ms);
    alert.healthy_since_ms = None;
    for target in alert.targets.iter().filter(|t| t.notified_ms.is_some()) {
        let member = Member {
            alert_id: alert.id.clone(),
            event_id: event_id.to_string(),
            resolved: true,
        };
        dispatch(
            &mut state.groups,
            &mut decisions.sends,
            target,
            &format!("{}/resolved", alert.cluster),
            member,
            now_ms,
        );
    }
    decisions.alerts.push(alert);
}

/// Decides what time does at `now_ms`: stable conditions resolve, silences that ended let
/// their alerts through, ongoing alerts repeat, groups flush or close, old notices are
/// forgotten. Call it about every second.
pub fn on_tick(
    state: &mut NoiseState,
    silences: &[Silence],
    now_ms: i64,
    config: &NoiseConfig,
) -> Decisions {
    let mut decisions = Decisions::default();
    let stable: Vec<String> = state
        .alerts
        .values()
        .filter(|a| a.state == AlertState::Firing)
        .filter(|a| {
            a.healthy_since_ms
                .is_some_and(|t| t + config.resolve_after_ms <= now_ms)
        })
        .map(|a| a.key.clone())
        .collect();
    for key in stable {
        let alert = &state.alerts[&key];
        let event_id = alert
            .healthy_event_id
            .clone()
            .unwrap_or_else(|| alert.last_event_id.clone());
        resolve(state, &mut decisions, &key, &event_id, now_ms);
    }

    let keys: Vec<String> = state.alerts.keys().cloned().collect();
    for key in keys {
        let Some(alert) = state.alerts.get_mut(&key) else {
            continue;
        };
        if alert.state != AlertState::Firing {
            // A told notice absorbs duplicates for one group interval, then goes.
            if alert
                .resolved_ms
                .is_some_and(|t| t + config.group_interval_ms <= now_ms)
            {
                state.alerts.remove(&key);
            }
            continue;
        }
        let silenced = silences
            .iter()
            .find(|s| s.mutes(alert, now_ms))
            .map(|s| s.id.clone());
        let mut changed = silenced != alert.silenced_by;
        alert.silenced_by = silenced;
        if alert.silenced_by.is_some() {
            if changed {
                decisions.alerts.push(alert.clone());
            }
            continue;
        }
        let (alert_id, event_id) = (alert.id.clone(), alert.last_event_id.clone());
        let group_key = format!("{}/{}", alert.cluster, alert.kind);
        let acknowledged = alert.acknowledged_by.is_some();
        for target in alert.targets.iter_mut() {
            match target.notified_ms {
                None => {
                    // Its silence ended while it still fires: tell it now.
                    target.notified_ms = Some(now_ms);
                    changed = true;
                    let member = Member {
                        alert_id: alert_id.clone(),
                        event_id: event_id.clone(),
                        resolved: false,
                    };
                    dispatch(
                        &mut state.groups,
                        &mut decisions.sends,
                        target,
                        &group_key,
                        member,
                        now_ms,
                    );
                }
                Some(told) if !acknowledged && now_ms - told >= target.repeat_interval_ms => {
                    target.notified_ms = Some(now_ms);
                    changed = true;
                    let channels: Vec<String> = target
                        .single
                        .iter()
                        .chain(&target.grouped)
                        .cloned()
                        .collect();
                    decisions.sends.push(Send {
                        route: target.route.clone(),
                        channels,
                        recipients: target.recipients.clone(),
                        severity: target.severity,
                        notice: Notice::Repeat {
                            alert_id: alert_id.clone(),
                            event_id: event_id.clone(),
                        },
                    });
                }
                Some(_) => {}
            }
        }
        if changed {
            decisions.alerts.push(alert.clone());
        }
    }

    let due: Vec<(String, String)> = state
        .groups
        .iter()
        .filter(|(_, g)| g.flush_at_ms <= now_ms)
        .map(|(slot, _)| slot.clone())
        .collect();
    for slot in due {
        let Some(group) = state.groups.get_mut(&slot) else {
            continue;
        };
        if group.pending.is_empty() {
            state.groups.remove(&slot);
            continue;
        }
        decisions.sends.push(Send {
            route: group.route.clone(),
            channels: group.channels.clone(),
            recipients: group.recipients.clone(),
            severity: group.severity,
            notice: Notice::Group {
                group: group.key.clone(),
                members: std::mem::take(&mut group.pending),
            },
        });
        group.flush_at_ms = now_ms.saturating_add(group.interval_ms);
    }
    decisions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_with_the_longest_group_interval_opens_a_group_that_never_flushes() {
        let event: Event = serde_json::from_value(serde_json::json!({
            "event_id": "e1", "kind": "job_state_changed", "severity": "critical",
            "notify": true, "summary": "orders FAILED", "occurred_at_ms": 1,
            "observed_at_ms": 1, "cluster": "prod", "cluster_url": "http://f",
            "job": {"id": "j1", "name": "orders", "previous_state": "RUNNING", "state": "FAILED",
                "start_time_ms": null, "end_time_ms": null, "duration_ms": null,
                "restarts": null, "previous_restarts": null, "url": ""},
            "exception": null, "error": null
        }))
        .expect("event");
        let target = RouteTarget {
            route: "ops".into(),
            grouped: vec!["mail".into()],
            single: vec![],
            recipients: Default::default(),
            severity: crate::Severity::Critical,
            notified_ms: None,
            // `duration_ms` of a route's `group_interval = "300000000y"`.
            group_interval_ms: i64::MAX,
            repeat_interval_ms: i64::MAX,
        };
        let mut state = NoiseState::default();
        let now = 1_800_000_000_000;
        let first = on_event(&mut state, &event, vec![target], &[], now, &mut || {
            "a1".into()
        });
        assert_eq!(first.sends.len(), 1, "the first alert goes out at once");
        let group = state.groups.values().next().expect("a group is open");
        assert_eq!(group.flush_at_ms, i64::MAX);
        let later = on_tick(&mut state, &[], now + 1000, &NoiseConfig::default());
        assert!(later.sends.is_empty());
    }
}
