//! Noise control over simulated time: grouping, de-duplication, repeats, resolution, silences,
//! acknowledgement, storms. No sleeps: the clock is a number.

use super::*;
use crate::health::{Check, HealthFacts};
use crate::routing::{JobPattern, Recipients};
use crate::{Event, EventKind, JobFacts, JobState, Severity};

const S: i64 = 1000;

struct World {
    state: NoiseState,
    config: NoiseConfig,
    silences: Vec<Silence>,
    ids: u32,
    sent: Vec<(i64, Send)>,
}

fn target(route: &str, grouped: &[&str], single: &[&str]) -> RouteTarget {
    RouteTarget {
        route: route.into(),
        grouped: grouped.iter().map(|c| c.to_string()).collect(),
        single: single.iter().map(|c| c.to_string()).collect(),
        recipients: Recipients::default(),
        severity: Severity::Critical,
        notified_ms: None,
        group_interval_ms: 10 * S,
        repeat_interval_ms: 3600 * S,
    }
}

fn event(id: &str, kind: EventKind, name: Option<&str>, state: JobState, notify: bool) -> Event {
    Event {
        event_id: id.into(),
        kind,
        severity: Severity::Critical,
        notify,
        summary: id.into(),
        occurred_at_ms: 0,
        observed_at_ms: 0,
        cluster: "prod".into(),
        cluster_url: "http://f".into(),
        job: name.map(|n| JobFacts {
            id: format!("jid-{n}"),
            name: n.into(),
            previous_state: None,
            state,
            start_time_ms: None,
            end_time_ms: None,
            duration_ms: None,
            restarts: None,
            previous_restarts: None,
            url: String::new(),
        }),
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

fn failed(id: &str, name: &str) -> Event {
    event(
        id,
        EventKind::JobStateChanged,
        Some(name),
        JobState::Failed,
        true,
    )
}

fn running(id: &str, name: &str) -> Event {
    event(
        id,
        EventKind::JobStateChanged,
        Some(name),
        JobState::Running,
        false,
    )
}

fn restarted(id: &str, name: &str) -> Event {
    event(
        id,
        EventKind::JobRestarted,
        Some(name),
        JobState::Running,
        true,
    )
}

/// A health check's finding on a RUNNING job: `job_unhealthy` when `unhealthy`, else
/// `job_healthy`.
fn health(id: &str, name: &str, check: Check, unhealthy: bool) -> Event {
    let kind = if unhealthy {
        EventKind::JobUnhealthy
    } else {
        EventKind::JobHealthy
    };
    let mut event = event(id, kind, Some(name), JobState::Running, true);
    event.health = Some(HealthFacts {
        check,
        unhealthy,
        observed: if unhealthy { 7 } else { 0 },
        limit: 3,
        window_ms: Some(600 * S),
        reason: id.into(),
    });
    event
}

impl World {
    fn new() -> World {
        World {
            state: NoiseState::default(),
            config: NoiseConfig::default(),
            silences: Vec::new(),
            ids: 0,
            sent: Vec::new(),
        }
    }

    fn event(&mut self, at: i64, event: Event, targets: Vec<RouteTarget>) -> Decisions {
        let mut ids = self.ids;
        let decisions = on_event(
            &mut self.state,
            &event,
            targets,
            &self.silences,
            at,
            &mut || {
                ids += 1;
                format!("a{ids}")
            },
        );
        self.ids = ids;
        self.sent
            .extend(decisions.sends.iter().cloned().map(|s| (at, s)));
        decisions
    }

    fn tick(&mut self, at: i64) -> Decisions {
        let decisions = on_tick(&mut self.state, &self.silences, at, &self.config);
        self.sent
            .extend(decisions.sends.iter().cloned().map(|s| (at, s)));
        decisions
    }

    /// Ticks every second from `from` to `to` inclusive.
    fn run(&mut self, from: i64, to: i64) {
        let mut t = from;
        while t <= to {
            self.tick(t);
            t += S;
        }
    }

    fn to(&self, channel: &str) -> Vec<(i64, &Notice)> {
        self.sent
            .iter()
            .filter(|(_, s)| s.channels.iter().any(|c| c == channel))
            .map(|(t, s)| (*t, &s.notice))
            .collect()
    }
}

fn members(notice: &Notice) -> usize {
    match notice {
        Notice::Group { members, .. } => members.len(),
        _ => 1,
    }
}

#[test]
fn an_isolated_alert_goes_out_at_once() {
    let mut w = World::new();
    let d = w.event(
        5 * S,
        failed("e1", "orders"),
        vec![target("ops", &["ding"], &[])],
    );
    assert_eq!(d.sends.len(), 1);
    assert_eq!(
        d.sends[0].notice,
        Notice::Alert {
            alert_id: "a1".into(),
            event_id: "e1".into()
        }
    );
    assert_eq!(d.alerts[0].state, AlertState::Firing);
    w.run(6 * S, 30 * S);
    assert_eq!(
        w.to("ding").len(),
        1,
        "nothing more: the quiet group closed"
    );
    assert!(w.state.groups.is_empty());
}

#[test]
fn ten_failures_in_a_second_are_the_first_at_once_plus_one_group_of_nine() {
    let mut w = World::new();
    for i in 0..10 {
        w.event(
            i * 100,
            failed(&format!("e{i}"), &format!("job-{i}")),
            vec![target("ops", &["ding", "mail"], &[])],
        );
    }
    assert_eq!(
        w.to("ding").len(),
        1,
        "only the first before the interval ends"
    );
    w.run(S, 9 * S);
    assert_eq!(w.to("ding").len(), 1);
    w.tick(10 * S);
    let ding = w.to("ding");
    assert_eq!(ding.len(), 2);
    assert_eq!(ding[1].0, 10 * S, "at the end of the group interval");
    assert_eq!(members(ding[1].1), 9);
    assert_eq!(
        w.to("mail").len(),
        2,
        "every grouped channel of the route alike"
    );
}

#[test]
fn a_storm_of_a_hundred_failures_is_two_messages_per_channel_and_a_hundred_webhooks() {
    let mut w = World::new();
    for i in 0..100 {
        w.event(
            i * 10,
            failed(&format!("e{i}"), &format!("job-{i}")),
            vec![target("ops", &["ding"], &["hook"])],
        );
    }
    w.run(S, 60 * S);
    let ding = w.to("ding");
    assert_eq!(ding.len(), 2, "{ding:?}");
    assert_eq!(members(ding[1].1), 99);
    assert_eq!(
        w.to("hook").len(),
        100,
        "webhooks get one payload per event"
    );
    assert_eq!(
        w.state.alerts.len(),
        100,
        "nothing lost: every job has its alert"
    );
}

#[test]
fn a_group_keeps_collecting_while_busy_and_closes_when_quiet() {
    let mut w = World::new();
    let t = || vec![target("ops", &["ding"], &[])];
    w.event(0, failed("e0", "j0"), t());
    w.event(5 * S, failed("e1", "j1"), t());
    w.tick(10 * S); // flush j1
    w.event(15 * S, failed("e2", "j2"), t());
    w.tick(20 * S); // flush j2
    w.run(21 * S, 40 * S); // quiet: closes at 30 s
    w.event(41 * S, failed("e3", "j3"), t());
    let ding = w.to("ding");
    let times: Vec<i64> = ding.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        times,
        [0, 10 * S, 20 * S, 41 * S],
        "after closing, a new alert is first again"
    );
}

#[test]
fn an_ongoing_condition_is_told_once_then_repeated_until_acknowledged() {
    let mut w = World::new();
    let t = || vec![target("ops", &["ding"], &[])];
    // A loop that restarts every 30 s for two hours.
    for i in 0..=240 {
        let at = i * 30 * S;
        w.tick(at);
        let d = w.event(at, restarted(&format!("e{i}"), "orders"), t());
        if i > 0 {
            assert!(d.sends.is_empty(), "a continuing loop only counts");
        }
        if i == 100 {
            assert_eq!(w.state.alerts["job/prod/orders/restarting"].events, 101);
        }
        if at == 3570 * S {
            assert_eq!(w.to("ding").len(), 1, "not before repeat_interval");
        }
        if at == 3600 * S {
            let ding = w.to("ding");
            assert_eq!(ding.len(), 2, "repeated after an hour");
            assert!(matches!(ding[1].1, Notice::Repeat { event_id, .. } if event_id == "e119"));
            if let Some(a) = w.state.alerts.get_mut("job/prod/orders/restarting") {
                a.acknowledged_by = Some("alice".into());
            }
        }
    }
    assert_eq!(w.to("ding").len(), 2, "acknowledged: no more repeats");
    w.run(7201 * S, 7300 * S);
    assert!(
        matches!(
            w.to("ding").last().map(|(_, n)| *n),
            Some(Notice::Resolved { .. })
        ),
        "the loop ends: resolved even when acknowledged"
    );
}

#[test]
fn a_failed_job_brought_back_and_stable_is_resolved_to_the_same_receivers() {
    let mut w = World::new();
    w.event(
        0,
        failed("e0", "orders"),
        vec![target("ops", &["ding"], &["hook"])],
    );
    // Brought back: a new Flink job with the same name, RUNNING.
    let d = w.event(100 * S, running("e1", "orders"), vec![]);
    assert!(d.sends.is_empty(), "not before it is stable");
    w.run(101 * S, 159 * S);
    assert!(
        w.to("hook")
            .iter()
            .all(|(_, n)| !matches!(n, Notice::Resolved { .. }))
    );
    w.tick(160 * S);
    let hook = w.to("hook");
    assert_eq!(
        hook.last().map(|(_, n)| (*n).clone()),
        Some(Notice::Resolved {
            alert_id: "a1".into(),
            event_id: "e1".into()
        })
    );
    assert!(
        w.to("ding")
            .iter()
            .any(|(_, n)| matches!(n, Notice::Resolved { alert_id, .. } if alert_id == "a1"))
    );
    assert!(w.state.alerts.is_empty());
}

#[test]
fn flapping_before_it_is_stable_cancels_the_resolution() {
    let mut w = World::new();
    let t = || vec![target("ops", &[], &["hook"])];
    w.event(0, failed("e0", "orders"), t());
    w.event(10 * S, running("e1", "orders"), vec![]);
    w.event(40 * S, failed("e2", "orders"), t());
    w.run(41 * S, 200 * S);
    assert_eq!(
        w.to("hook").len(),
        1,
        "still down: no resolved, no second alert"
    );
    w.event(300 * S, running("e3", "orders"), vec![]);
    w.tick(359 * S);
    assert_eq!(w.to("hook").len(), 1);
    w.tick(360 * S);
    assert_eq!(w.to("hook").len(), 2);
}

#[test]
fn a_restart_loop_resolves_after_a_quiet_stable_period() {
    let mut w = World::new();
    let t = || vec![target("ops", &[], &["hook"])];
    w.event(0, restarted("e0", "orders"), t());
    w.event(30 * S, restarted("e1", "orders"), t());
    w.tick(89 * S);
    assert_eq!(w.to("hook").len(), 1);
    w.tick(90 * S);
    assert!(matches!(w.to("hook")[1].1, Notice::Resolved { .. }));
}

#[test]
fn an_unreachable_cluster_is_resolved_as_soon_as_it_answers() {
    let mut w = World::new();
    let down = event(
        "e0",
        EventKind::ClusterUnreachable,
        None,
        JobState::Running,
        true,
    );
    let up = event(
        "e1",
        EventKind::ClusterRecovered,
        None,
        JobState::Running,
        true,
    );
    w.event(0, down, vec![target("ops", &["ding"], &[])]);
    let d = w.event(50 * S, up, vec![]);
    assert_eq!(
        d.sends.len(),
        1,
        "the resolution opens its own group, so it goes at once"
    );
    assert!(matches!(&d.sends[0].notice, Notice::Resolved { event_id, .. } if event_id == "e1"));
}

#[test]
fn an_unhealthy_check_is_told_once_per_check_and_resolved_when_it_closes() {
    let mut w = World::new();
    let team = || vec![target("team", &[], &["hook"])];
    let loop_key = "job/prod/orders/unhealthy/restart_loop";
    let stall_key = "job/prod/orders/unhealthy/checkpoint_stalled";

    let d = w.event(0, health("e0", "orders", Check::RestartLoop, true), team());
    assert_eq!(
        d.sends[0].notice,
        Notice::Alert {
            alert_id: "a1".into(),
            event_id: "e0".into()
        }
    );
    assert_eq!(w.state.alerts[loop_key].state, AlertState::Firing);
    let d = w.event(
        30 * S,
        health("e1", "orders", Check::RestartLoop, true),
        team(),
    );
    assert!(d.sends.is_empty(), "the same check while open only counts");
    assert_eq!(w.state.alerts[loop_key].events, 2);

    // Another check of the same job is another alert, heard by one more route.
    let d = w.event(
        40 * S,
        health("e2", "orders", Check::CheckpointStalled, true),
        vec![
            target("team", &[], &["hook"]),
            target("pager", &[], &["phone"]),
        ],
    );
    assert_eq!(d.sends.len(), 2, "{:?}", d.sends);
    assert_eq!(w.state.alerts[stall_key].id, "a2");
    assert_eq!(w.to("hook").len(), 2);
    assert_eq!(w.to("phone").len(), 1);

    // The job running again is not a health check closing: both stay open.
    w.event(50 * S, running("e3", "orders"), vec![]);
    w.run(51 * S, 200 * S);
    assert_eq!(w.state.alerts.len(), 2);
    assert_eq!(w.sent.len(), 3);

    // A check that never opened closes silently.
    let d = w.event(
        210 * S,
        health("e4", "orders", Check::CheckpointsFailing, false),
        vec![],
    );
    assert!(d.sends.is_empty());

    // The restart loop ends: resolved at once, to the receivers that heard of it only.
    let d = w.event(
        220 * S,
        health("e5", "orders", Check::RestartLoop, false),
        vec![],
    );
    assert_eq!(d.sends.len(), 1, "{:?}", d.sends);
    assert_eq!(d.sends[0].channels, ["hook"]);
    assert_eq!(
        d.sends[0].notice,
        Notice::Resolved {
            alert_id: "a1".into(),
            event_id: "e5".into()
        }
    );
    assert!(!w.state.alerts.contains_key(loop_key));
    assert_eq!(
        w.state.alerts[stall_key].state,
        AlertState::Firing,
        "the other check is still open"
    );
    assert!(
        w.to("phone")
            .iter()
            .all(|(_, n)| matches!(n, Notice::Alert { .. }))
    );

    // The stall ends too: both routes that heard of it are told.
    let d = w.event(
        230 * S,
        health("e6", "orders", Check::CheckpointStalled, false),
        vec![],
    );
    let told: Vec<&str> = d.sends.iter().map(|s| s.route.as_str()).collect();
    assert_eq!(told, ["team", "pager"]);
    assert!(d.sends.iter().all(|s| matches!(&s.notice,
            Notice::Resolved { alert_id, event_id } if alert_id == "a2" && event_id == "e6")));
    assert!(w.state.alerts.is_empty());
}

#[test]
fn normal_starts_and_recorded_only_events_open_nothing() {
    let mut w = World::new();
    let t = || vec![target("ops", &["ding"], &[])];
    w.event(0, running("e0", "fresh"), t());
    w.event(
        0,
        event(
            "e1",
            EventKind::JobDiscovered,
            Some("x"),
            JobState::Failed,
            false,
        ),
        t(),
    );
    w.event(
        0,
        event(
            "e2",
            EventKind::JobStateChanged,
            Some("x"),
            JobState::Failing,
            false,
        ),
        t(),
    );
    assert!(w.sent.is_empty());
    assert!(w.state.alerts.is_empty());
}

#[test]
fn identical_notices_collapse_within_the_interval() {
    let mut w = World::new();
    let finished = |id: &str| {
        event(
            id,
            EventKind::JobStateChanged,
            Some("batch"),
            JobState::Finished,
            true,
        )
    };
    let t = || vec![target("ops", &[], &["hook"])];
    let d = w.event(0, finished("e0"), t());
    assert_eq!(
        d.alerts[0].state,
        AlertState::Resolved,
        "a notice is over when told"
    );
    w.event(2 * S, finished("e1"), t());
    assert_eq!(
        w.to("hook").len(),
        1,
        "a duplicate within the window only counts"
    );
    w.tick(10 * S);
    w.event(11 * S, finished("e2"), t());
    assert_eq!(w.to("hook").len(), 2, "after the window it is news again");
}

fn silence(id: &str, jobs: &[&str], from: i64, until: i64) -> Silence {
    Silence {
        id: id.into(),
        matchers: SilenceMatchers {
            jobs: jobs
                .iter()
                .map(|j| JobPattern::parse(j).expect("pattern"))
                .collect(),
            ..SilenceMatchers::default()
        },
        starts_ms: from,
        ends_ms: until,
        author: "alice".into(),
        comment: "maintenance".into(),
    }
}

#[test]
fn a_silenced_alert_is_recorded_not_sent_and_told_when_the_silence_ends() {
    let mut w = World::new();
    w.silences.push(silence("s1", &["orders-*"], 0, 600 * S));
    let d = w.event(
        10 * S,
        failed("e0", "orders-eu"),
        vec![target("ops", &["ding"], &[])],
    );
    assert!(d.sends.is_empty());
    assert_eq!(d.alerts[0].silenced_by.as_deref(), Some("s1"));
    let other = w.event(
        11 * S,
        failed("e1", "payments"),
        vec![target("ops", &["ding"], &[])],
    );
    assert_eq!(other.sends.len(), 1, "the silence matches only its jobs");
    w.run(12 * S, 599 * S);
    assert_eq!(w.to("ding").len(), 1);
    let d = w.tick(600 * S);
    assert!(
        d.alerts
            .iter()
            .any(|a| a.key == "job/prod/orders-eu/down" && a.silenced_by.is_none())
    );
    assert!(
        w.to("ding").iter().any(|(t, n)| *t == 600 * S
            && matches!(n, Notice::Alert { event_id, .. } if event_id == "e0")),
        "expired silences stop applying by themselves"
    );
}

#[test]
fn an_alert_that_ends_while_silenced_sends_no_resolution() {
    let mut w = World::new();
    w.silences.push(silence("s1", &[], 0, 1000 * S));
    w.event(
        0,
        failed("e0", "orders"),
        vec![target("ops", &[], &["hook"])],
    );
    w.event(10 * S, running("e1", "orders"), vec![]);
    w.run(11 * S, 100 * S);
    assert!(
        w.sent.is_empty(),
        "nobody heard of it, nobody hears of its end"
    );
}

#[test]
fn silence_windows_and_matchers_apply_exactly() {
    let s = silence("s", &["orders"], 100, 200);
    let mut alert = Alert {
        id: "a".into(),
        key: "k".into(),
        cluster: "prod".into(),
        job: Some("orders".into()),
        kind: EventKind::JobStateChanged,
        severity: Severity::Critical,
        state: AlertState::Firing,
        first_event_id: "e".into(),
        last_event_id: "e".into(),
        events: 1,
        started_ms: 0,
        last_event_ms: 0,
        healthy_since_ms: None,
        healthy_event_id: None,
        job_state: None,
        resolved_ms: None,
        acknowledged_by: None,
        silenced_by: None,
        targets: vec![],
    };
    assert!(!s.mutes(&alert, 99));
    assert!(s.mutes(&alert, 100));
    assert!(s.mutes(&alert, 199));
    assert!(!s.mutes(&alert, 200), "the end is exclusive");
    alert.job = None;
    assert!(
        !s.mutes(&alert, 150),
        "a job matcher never matches a cluster alert"
    );
    let by_severity = Silence {
        matchers: SilenceMatchers {
            max_severity: Some(Severity::Major),
            ..SilenceMatchers::default()
        },
        ..silence("s", &[], 0, 1000)
    };
    assert!(
        !by_severity.mutes(
            &Alert {
                job: Some("x".into()),
                ..alert.clone()
            },
            10
        ),
        "critical is above major"
    );
    assert!(by_severity.mutes(
        &Alert {
            severity: Severity::Minor,
            ..alert
        },
        10
    ));
}

#[test]
fn a_route_matching_later_is_told_on_its_own() {
    let mut w = World::new();
    w.event(
        0,
        restarted("e0", "orders"),
        vec![target("team", &[], &["hook"])],
    );
    let d = w.event(
        5 * S,
        restarted("e1", "orders"),
        vec![
            target("team", &[], &["hook"]),
            target("pager", &[], &["phone"]),
        ],
    );
    assert_eq!(d.sends.len(), 1);
    assert_eq!(d.sends[0].route, "pager");
    assert_eq!(w.to("hook").len(), 1);
}
