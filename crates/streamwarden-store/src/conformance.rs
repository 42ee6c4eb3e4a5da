//! The story every backend must pass: call [`run`] from the backend's tests with a fresh store.
//!
//! Each story uses its own cluster name, so they can share one database.

use crate::{
    AlertFilter, AlertRecord, AlertStatus, AppFilter, AppVersion, Application, RestartIntent, Run,
    RunStatus, StoredRoute, StoredSilence, StoredSnapshot,
};
use crate::{
    AlertingChanges, AttemptOutcome, DeliveryFilter, DeliveryStatus, EventFilter, NewNotification,
    Store, StoreError, StoredChannel,
};
use crate::{ApiToken, AuditEntry, AuditFilter, Session, User};
use streamwarden_core::noise::{
    Alert, AlertState, Group, Member, Notice, Silence, SilenceMatchers,
};
use streamwarden_core::notification::Notification;
use streamwarden_core::routing::{JobPattern, Recipients, Route};
use streamwarden_core::{
    ClusterHealth, Event, EventKind, JobFacts, JobSnapshot, JobState, Observation, RootException,
    Severity,
};

/// Runs every story against `store`; panics (as a test does) on the first broken promise.
pub async fn run(store: &dyn Store) {
    register_keeps_health_and_jobs(store).await;
    observation_round_trips(store).await;
    observation_is_all_or_nothing(store).await;
    delivery_attempts_are_recorded(store).await;
    pending_deliveries_keep_event_order_per_channel(store).await;
    events_filter_by_job_kind_cluster_and_limit(store).await;
    channels_are_created_replaced_and_deleted(store).await;
    alerts_groups_and_notifications_round_trip(store).await;
    silences_and_routes_are_kept(store).await;
    applications_versions_runs_and_snapshots(store).await;
    users_and_tokens(store).await;
    sessions_and_audit(store).await;
}

fn job(jid: &str, name: &str, state: JobState) -> JobSnapshot {
    JobSnapshot {
        jid: jid.into(),
        name: name.into(),
        state,
        start_time_ms: Some(1_000),
        end_time_ms: state.is_globally_terminal().then_some(5_000),
        duration_ms: Some(4_000),
        last_modification_ms: Some(4_500),
        restarts: Some(2),
        first_seen_ms: 1_500,
        last_seen_ms: 6_000,
        url: format!("http://flink/#/job/running/{jid}/overview"),
    }
}

fn event(id: &str, cluster: &str, jid: &str, name: &str, kind: EventKind, at: i64) -> Event {
    Event {
        event_id: id.into(),
        kind,
        severity: Severity::Critical,
        notify: true,
        summary: format!("{name} {kind}"),
        occurred_at_ms: at,
        observed_at_ms: at + 10,
        cluster: cluster.into(),
        cluster_url: "http://flink".into(),
        job: Some(JobFacts {
            id: jid.into(),
            name: name.into(),
            previous_state: Some(JobState::Running),
            state: JobState::Failed,
            start_time_ms: Some(1_000),
            end_time_ms: Some(at),
            duration_ms: Some(at - 1_000),
            restarts: Some(0),
            previous_restarts: None,
            url: "http://flink/#/job".into(),
        }),
        exception: Some(RootException {
            name: "java.lang.IllegalStateException".into(),
            message: "boom \"quoted\" ünïcode".into(),
            stacktrace: "java.lang.IllegalStateException: boom\n\tat X.y(X.java:1)".into(),
            task: Some("Map (1/1)".into()),
            timestamp_ms: Some(at - 5),
        }),
        error: None,
        restart: None,
        health: None,
    }
}

fn deliveries(events: &[Event], channels: &[&str]) -> AlertingChanges {
    let channels: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
    AlertingChanges {
        notifications: events
            .iter()
            .map(|e| NewNotification::of_event(e, &channels))
            .collect(),
        ..AlertingChanges::default()
    }
}

fn nothing() -> AlertingChanges {
    AlertingChanges::default()
}

async fn register_keeps_health_and_jobs(store: &dyn Store) {
    let c = "story-register";
    assert!(store.load_cluster(c).await.expect("load").is_none());
    store
        .register_cluster(c, "http://a:8081")
        .await
        .expect("register");
    let view = store
        .load_cluster(c)
        .await
        .expect("load")
        .expect("registered");
    assert_eq!(
        (view.name.as_str(), view.url.as_str()),
        (c, "http://a:8081")
    );
    assert_eq!(view.health, ClusterHealth::default());
    assert!(view.jobs.is_empty());

    let health = ClusterHealth {
        consecutive_failures: 4,
        unreachable: true,
        first_failure_ms: Some(100),
        last_ok_ms: Some(50),
        last_error: Some("connection refused".into()),
    };
    let observation = Observation {
        health: health.clone(),
        upserts: vec![job("j1", "orders", JobState::Running)],
        ..Observation::default()
    };
    store
        .apply_observation(c, &observation, &nothing())
        .await
        .expect("apply");
    store
        .register_cluster(c, "http://b:8081")
        .await
        .expect("re-register");
    let view = store
        .load_cluster(c)
        .await
        .expect("load")
        .expect("registered");
    assert_eq!(view.url, "http://b:8081", "the configured URL wins");
    assert_eq!(view.health, health, "health survives a re-registration");
    assert_eq!(view.jobs.len(), 1);
    let rows = store.list_clusters().await.expect("clusters");
    assert!(rows.iter().any(|r| r.name == c && r.health == health));
}

async fn observation_round_trips(store: &dyn Store) {
    let c = "story-roundtrip";
    store
        .register_cluster(c, "http://flink")
        .await
        .expect("register");
    let events = vec![
        event("rt-1", c, "j1", "orders", EventKind::JobStateChanged, 5_000),
        event(
            "rt-2",
            c,
            "j2",
            "payments",
            EventKind::JobDisappeared,
            5_001,
        ),
    ];
    let observation = Observation {
        health: ClusterHealth {
            last_ok_ms: Some(6_000),
            ..ClusterHealth::default()
        },
        upserts: vec![
            job("j1", "orders", JobState::Failed),
            job("j2", "payments", JobState::Running),
        ],
        removed: vec![],
        events: events.clone(),
    };
    store
        .apply_observation(c, &observation, &deliveries(&events, &["ops"]))
        .await
        .expect("apply");
    let view = store
        .load_cluster(c)
        .await
        .expect("load")
        .expect("registered");
    assert_eq!(
        view.jobs.get("j1"),
        Some(&job("j1", "orders", JobState::Failed))
    );
    assert_eq!(view.health.last_ok_ms, Some(6_000));

    let stored = store
        .list_events(&EventFilter {
            cluster: Some(c.into()),
            limit: 10,
            ..EventFilter::default()
        })
        .await
        .expect("events");
    assert_eq!(
        stored,
        vec![events[1].clone(), events[0].clone()],
        "newest first, lossless"
    );

    // Removal and update in the next poll.
    let next = Observation {
        health: view.health.clone(),
        upserts: vec![job("j1", "orders-v2", JobState::Failed)],
        removed: vec!["j2".into()],
        events: vec![],
    };
    store
        .apply_observation(c, &next, &nothing())
        .await
        .expect("apply");
    let view = store
        .load_cluster(c)
        .await
        .expect("load")
        .expect("registered");
    assert_eq!(view.jobs.keys().collect::<Vec<_>>(), ["j1"]);
    assert_eq!(view.jobs["j1"].name, "orders-v2");
    let jobs = store.list_jobs(Some(c)).await.expect("jobs");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].cluster, c);
}

async fn observation_is_all_or_nothing(store: &dyn Store) {
    let c = "story-atomic";
    store
        .register_cluster(c, "http://flink")
        .await
        .expect("register");
    let events = vec![event(
        "at-1",
        c,
        "j1",
        "orders",
        EventKind::JobStateChanged,
        1,
    )];
    let observation = Observation {
        health: ClusterHealth {
            consecutive_failures: 1,
            ..ClusterHealth::default()
        },
        upserts: vec![job("j1", "orders", JobState::Failed)],
        removed: vec![],
        events: events.clone(),
    };
    // A notification of an event that is not stored breaks the transaction.
    let mut ghost = events[0].clone();
    ghost.event_id = "no-such-event".into();
    let bad = deliveries(&[ghost], &["ops"]);
    assert!(
        store
            .apply_observation(c, &observation, &bad)
            .await
            .is_err()
    );
    let view = store
        .load_cluster(c)
        .await
        .expect("load")
        .expect("registered");
    assert!(view.jobs.is_empty(), "job not written");
    assert_eq!(view.health, ClusterHealth::default(), "health not written");
    let none = store
        .list_events(&EventFilter {
            cluster: Some(c.into()),
            limit: 10,
            ..EventFilter::default()
        })
        .await
        .expect("events");
    assert!(none.is_empty(), "event not written");

    // The same event id twice is refused: events are append-only.
    store
        .apply_observation(c, &observation, &deliveries(&events, &["ops"]))
        .await
        .expect("apply");
    assert!(
        store
            .apply_observation(c, &observation, &nothing())
            .await
            .is_err()
    );
}

async fn delivery_attempts_are_recorded(store: &dyn Store) {
    let c = "story-attempts";
    store
        .register_cluster(c, "http://flink")
        .await
        .expect("register");
    let events = vec![event(
        "da-1",
        c,
        "j1",
        "orders",
        EventKind::JobStateChanged,
        1,
    )];
    let observation = Observation {
        events: events.clone(),
        ..Observation::default()
    };
    store
        .apply_observation(
            c,
            &observation,
            &deliveries(&events, &["da-hook", "da-mail"]),
        )
        .await
        .expect("apply");
    let outbox = store.outbox_stats().await.expect("outbox");
    assert!(outbox.pending >= 2, "{outbox:?}");
    assert!(outbox.oldest_pending_ms.is_some(), "{outbox:?}");
    let pending = store
        .pending_deliveries("da-hook", 10)
        .await
        .expect("pending");
    assert_eq!(pending.len(), 1);
    let d = &pending[0];
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 0));
    assert_eq!(d.outgoing.events, vec![(events[0].clone(), false)]);

    let retry = AttemptOutcome::Retry {
        at_ms: 9_999,
        error: "HTTP 503".into(),
    };
    store
        .record_attempt(d.id, 100, &retry)
        .await
        .expect("retry");
    let d2 = &store
        .pending_deliveries("da-hook", 10)
        .await
        .expect("pending")[0];
    assert_eq!(d2.attempts, 1);
    assert_eq!(d2.next_attempt_ms, 9_999);
    assert_eq!(d2.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(d2.updated_ms, 100);

    store
        .record_attempt(d.id, 200, &AttemptOutcome::Delivered)
        .await
        .expect("delivered");
    assert!(
        store
            .pending_deliveries("da-hook", 10)
            .await
            .expect("pending")
            .is_empty()
    );
    let other = store
        .pending_deliveries("da-mail", 10)
        .await
        .expect("pending");
    assert_eq!(other.len(), 1, "the other channel is untouched");
    store
        .record_attempt(
            other[0].id,
            300,
            &AttemptOutcome::GaveUp {
                error: "550".into(),
            },
        )
        .await
        .expect("gave up");
    assert_eq!(
        store.outbox_stats().await.expect("outbox").pending,
        outbox.pending - 2,
        "delivered and given up are no longer pending"
    );
    let all = store
        .list_deliveries(&DeliveryFilter {
            event_id: Some("da-1".into()),
            limit: 10,
            ..DeliveryFilter::default()
        })
        .await
        .expect("deliveries");
    let mut states: Vec<_> = all
        .iter()
        .map(|d| (d.channel.as_str(), d.status, d.attempts))
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            ("da-hook", DeliveryStatus::Delivered, 2),
            ("da-mail", DeliveryStatus::Failed, 1)
        ]
    );
    assert!(
        store
            .record_attempt(i64::MAX, 1, &AttemptOutcome::Delivered)
            .await
            .is_err()
    );
}

async fn pending_deliveries_keep_event_order_per_channel(store: &dyn Store) {
    let c = "story-order";
    store
        .register_cluster(c, "http://flink")
        .await
        .expect("register");
    for batch in 0..3 {
        let events: Vec<_> = (0..4)
            .map(|i| {
                event(
                    &format!("ord-{batch}-{i}"),
                    c,
                    "j",
                    "orders",
                    EventKind::JobRestarted,
                    i64::from(batch * 10 + i),
                )
            })
            .collect();
        let observation = Observation {
            events: events.clone(),
            ..Observation::default()
        };
        store
            .apply_observation(c, &observation, &deliveries(&events, &["ord-ch"]))
            .await
            .expect("apply");
    }
    let pending = store
        .pending_deliveries("ord-ch", 5)
        .await
        .expect("pending");
    let ids: Vec<_> = pending
        .iter()
        .map(|d| d.outgoing.notification.id.as_str())
        .collect();
    assert_eq!(ids, ["ord-0-0", "ord-0-1", "ord-0-2", "ord-0-3", "ord-1-0"]);
}

async fn events_filter_by_job_kind_cluster_and_limit(store: &dyn Store) {
    let c = "story-filter";
    store
        .register_cluster(c, "http://flink")
        .await
        .expect("register");
    let mut events = vec![
        event("f-1", c, "jid-a", "alpha", EventKind::JobStateChanged, 1),
        event("f-2", c, "jid-b", "beta", EventKind::JobRestarted, 2),
        event("f-3", c, "jid-a", "alpha", EventKind::JobRestarted, 3),
    ];
    events[2].notify = false;
    let observation = Observation {
        events,
        ..Observation::default()
    };
    store
        .apply_observation(c, &observation, &nothing())
        .await
        .expect("apply");
    let ids = |v: Vec<Event>| v.into_iter().map(|e| e.event_id).collect::<Vec<_>>();
    let base = EventFilter {
        cluster: Some(c.into()),
        limit: 10,
        ..EventFilter::default()
    };
    let by_jid = EventFilter {
        job: Some("jid-a".into()),
        ..base.clone()
    };
    assert_eq!(
        ids(store.list_events(&by_jid).await.expect("q")),
        ["f-3", "f-1"]
    );
    let by_name = EventFilter {
        job: Some("beta".into()),
        ..base.clone()
    };
    assert_eq!(ids(store.list_events(&by_name).await.expect("q")), ["f-2"]);
    let by_kind = EventFilter {
        kind: Some(EventKind::JobRestarted),
        ..base.clone()
    };
    assert_eq!(
        ids(store.list_events(&by_kind).await.expect("q")),
        ["f-3", "f-2"]
    );
    let alerts = EventFilter {
        notify_only: true,
        ..base.clone()
    };
    assert_eq!(
        ids(store.list_events(&alerts).await.expect("q")),
        ["f-2", "f-1"]
    );
    let limited = EventFilter { limit: 1, ..base };
    assert_eq!(ids(store.list_events(&limited).await.expect("q")), ["f-3"]);
}

async fn channels_are_created_replaced_and_deleted(store: &dyn Store) {
    let mut channel = StoredChannel {
        name: "story-ops".into(),
        kind: "dingtalk".into(),
        config: serde_json::json!({"name": "story-ops", "secret": "SEC\"x\"", "at_mobiles": ["138"]}),
        templates: [("body".to_string(), "{{ summary }}\n✓".to_string())].into(),
        created_ms: 10,
        updated_ms: 10,
    };
    store.put_channel(&channel).await.expect("create");
    let listed = store.list_channels().await.expect("list");
    assert_eq!(listed.iter().filter(|c| c.name == "story-ops").count(), 1);
    assert_eq!(
        listed.iter().find(|c| c.name == "story-ops"),
        Some(&channel),
        "lossless"
    );

    channel.config["at_mobiles"] = serde_json::json!(["139"]);
    channel.templates.clear();
    channel.created_ms = 99;
    channel.updated_ms = 20;
    store.put_channel(&channel).await.expect("replace");
    let got = store
        .list_channels()
        .await
        .expect("list")
        .into_iter()
        .find(|c| c.name == "story-ops")
        .expect("still there");
    assert_eq!(got.config["at_mobiles"][0], "139");
    assert!(got.templates.is_empty());
    assert_eq!(
        (got.created_ms, got.updated_ms),
        (10, 20),
        "creation time kept"
    );

    store.delete_channel("story-ops").await.expect("delete");
    assert!(
        store
            .list_channels()
            .await
            .expect("list")
            .iter()
            .all(|c| c.name != "story-ops")
    );
    assert!(matches!(
        store.delete_channel("story-ops").await,
        Err(StoreError::NotFound(_))
    ));
}

fn alert(id: &str, cluster: &str, job: &str, state: AlertState, started_ms: i64) -> Alert {
    Alert {
        id: id.into(),
        key: format!("job/{cluster}/{job}/down"),
        cluster: cluster.into(),
        job: Some(job.into()),
        kind: EventKind::JobStateChanged,
        severity: Severity::Critical,
        state,
        first_event_id: "x".into(),
        last_event_id: "x".into(),
        events: 1,
        started_ms,
        last_event_ms: started_ms,
        healthy_since_ms: None,
        healthy_event_id: None,
        job_state: Some(JobState::Failed),
        resolved_ms: (state == AlertState::Resolved).then_some(started_ms + 5),
        acknowledged_by: None,
        silenced_by: None,
        targets: vec![],
    }
}

async fn alerts_groups_and_notifications_round_trip(store: &dyn Store) {
    let c = "story-alerts";
    store
        .register_cluster(c, "http://flink")
        .await
        .expect("register");
    let events = vec![
        event("al-e1", c, "j1", "orders", EventKind::JobStateChanged, 100),
        event(
            "al-e2",
            c,
            "j2",
            "payments",
            EventKind::JobStateChanged,
            101,
        ),
    ];
    let firing = alert("al-1", c, "orders", AlertState::Firing, 100);
    let mut silenced = alert("al-2", c, "payments", AlertState::Firing, 101);
    silenced.silenced_by = Some("s1".into());
    let resolved = alert("al-3", c, "billing", AlertState::Resolved, 50);
    let group = Group {
        route: "ops".into(),
        key: format!("{c}/job_state_changed"),
        channels: vec!["ding".into()],
        recipients: Recipients::default(),
        severity: Severity::Critical,
        flush_at_ms: 10_100,
        interval_ms: 10_000,
        pending: vec![Member {
            alert_id: "al-2".into(),
            event_id: "al-e2".into(),
            resolved: false,
        }],
    };
    let notification = Notification {
        id: "al-n1".into(),
        route: "ops".into(),
        cluster: c.into(),
        severity: Severity::Critical,
        recipients: Recipients {
            mobiles: vec!["138".into()],
            ..Recipients::default()
        },
        notice: Notice::Group {
            group: format!("{c}/job_state_changed"),
            members: vec![
                Member {
                    alert_id: "al-1".into(),
                    event_id: "al-e1".into(),
                    resolved: false,
                },
                Member {
                    alert_id: "al-3".into(),
                    event_id: "al-e2".into(),
                    resolved: true,
                },
            ],
        },
        created_ms: 200,
    };
    let changes = AlertingChanges {
        alerts: vec![firing.clone(), silenced.clone(), resolved.clone()],
        groups: Some(vec![group.clone()]),
        notifications: vec![NewNotification {
            notification: notification.clone(),
            channels: vec!["al-ding".into(), "al-mail".into()],
        }],
    };
    let observation = Observation {
        events: events.clone(),
        ..Observation::default()
    };
    store
        .apply_observation(c, &observation, &changes)
        .await
        .expect("apply");

    let (loaded, groups) = store.load_alerting(c).await.expect("load");
    let mut ids: Vec<_> = loaded.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["al-1", "al-2"], "only firing alerts resume");
    assert_eq!(groups, vec![group]);

    let pending = store
        .pending_deliveries("al-ding", 10)
        .await
        .expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].outgoing.notification, notification);
    assert_eq!(
        pending[0].outgoing.events,
        vec![(events[0].clone(), false), (events[1].clone(), true)],
        "events in member order with their resolution flag"
    );

    let all = AlertFilter {
        cluster: Some(c.into()),
        limit: 10,
        ..AlertFilter::default()
    };
    let listed = store.list_alerts(&all).await.expect("alerts");
    let ids: Vec<_> = listed.iter().map(|r| r.alert.id.as_str()).collect();
    assert_eq!(ids, ["al-2", "al-1", "al-3"], "newest first");
    let first = listed.iter().find(|r| r.alert.id == "al-1").expect("al-1");
    let channels: Vec<_> = first
        .deliveries
        .iter()
        .map(|d| (d.channel.as_str(), d.notice.as_str()))
        .collect();
    assert_eq!(channels, [("al-ding", "group"), ("al-mail", "group")]);
    let by = |status| AlertFilter {
        status: Some(status),
        ..all.clone()
    };
    let ids = |v: Vec<AlertRecord>| v.into_iter().map(|r| r.alert.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .list_alerts(&by(AlertStatus::Firing))
            .await
            .expect("q")),
        ["al-1"]
    );
    assert_eq!(
        ids(store
            .list_alerts(&by(AlertStatus::Silenced))
            .await
            .expect("q")),
        ["al-2"]
    );
    assert_eq!(
        ids(store
            .list_alerts(&by(AlertStatus::Resolved))
            .await
            .expect("q")),
        ["al-3"]
    );
    let by_job = AlertFilter {
        job: Some("payments".into()),
        ..all.clone()
    };
    assert_eq!(ids(store.list_alerts(&by_job).await.expect("q")), ["al-2"]);
    let window = AlertFilter {
        since_ms: Some(60),
        until_ms: Some(101),
        ..all.clone()
    };
    assert_eq!(ids(store.list_alerts(&window).await.expect("q")), ["al-1"]);
    let minor = AlertFilter {
        severity: Some(Severity::Minor),
        ..all.clone()
    };
    assert!(store.list_alerts(&minor).await.expect("q").is_empty());

    store
        .acknowledge_alert("al-1", "alice", 300)
        .await
        .expect("ack");
    assert!(matches!(
        store.acknowledge_alert("nope", "alice", 300).await,
        Err(StoreError::NotFound(_))
    ));
    // A later write of the alert (from the watcher's memory, without the ack) keeps it.
    let again = AlertingChanges {
        alerts: vec![firing],
        ..AlertingChanges::default()
    };
    store
        .apply_observation(c, &Observation::default(), &again)
        .await
        .expect("apply");
    assert_eq!(
        store.acknowledged_alerts(c).await.expect("acks"),
        [("al-1".to_string(), "alice".to_string())]
    );
    let acked = store
        .list_alerts(&by(AlertStatus::Acknowledged))
        .await
        .expect("q");
    assert_eq!(acked[0].alert.acknowledged_by.as_deref(), Some("alice"));
    assert_eq!(acked[0].acknowledged_ms, Some(300));
}

async fn silences_and_routes_are_kept(store: &dyn Store) {
    let silence = |id: &str, ends_ms| StoredSilence {
        silence: Silence {
            id: id.into(),
            matchers: SilenceMatchers {
                clusters: vec!["prod".into()],
                ..SilenceMatchers::default()
            },
            starts_ms: 0,
            ends_ms,
            author: "alice".into(),
            comment: "upgrade ✓".into(),
        },
        created_ms: ends_ms,
    };
    store
        .put_silence(&silence("story-s1", 1_000))
        .await
        .expect("put");
    store
        .put_silence(&silence("story-s2", 5_000))
        .await
        .expect("put");
    let active: Vec<_> = store
        .list_silences(false, 2_000)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.silence.id)
        .collect();
    assert!(active.contains(&"story-s2".to_string()) && !active.contains(&"story-s1".to_string()));
    let all = store.list_silences(true, 2_000).await.expect("list");
    let s1 = all
        .iter()
        .find(|s| s.silence.id == "story-s1")
        .expect("expired kept in history");
    assert_eq!(s1, &silence("story-s1", 1_000), "lossless");
    let mut expired = silence("story-s2", 5_000);
    expired.silence.ends_ms = 1_500;
    store.put_silence(&expired).await.expect("expire");
    assert!(
        store
            .list_silences(false, 2_000)
            .await
            .expect("list")
            .iter()
            .all(|s| !s.silence.id.starts_with("story-"))
    );

    let route = |name: &str, position| StoredRoute {
        route: Route {
            owner: Some("bob".into()),
            jobs: vec![JobPattern::parse("orders-*").expect("pattern")],
            ..Route::catch_all(name, vec!["ding".into()])
        },
        position,
        created_ms: 10,
        updated_ms: 10,
    };
    store.put_route(&route("story-b", 2)).await.expect("put");
    store.put_route(&route("story-a", 1)).await.expect("put");
    let mut changed = route("story-b", 0);
    changed.created_ms = 99;
    changed.updated_ms = 20;
    store.put_route(&changed).await.expect("replace");
    let routes: Vec<_> = store
        .list_routes()
        .await
        .expect("list")
        .into_iter()
        .filter(|r| r.route.name.starts_with("story-"))
        .collect();
    let names: Vec<_> = routes.iter().map(|r| r.route.name.as_str()).collect();
    assert_eq!(names, ["story-b", "story-a"], "by position");
    assert_eq!((routes[0].created_ms, routes[0].updated_ms), (10, 20));
    assert!(routes[0].route.jobs[0].matches("orders-eu"));
    store.delete_route("story-a").await.expect("delete");
    assert!(matches!(
        store.delete_route("story-a").await,
        Err(StoreError::NotFound(_))
    ));
}

async fn applications_versions_runs_and_snapshots(store: &dyn Store) {
    let app = Application {
        id: "story-app-1".into(),
        project: "story".into(),
        name: "orders".into(),
        job_type: "flink.jar".into(),
        description: "first".into(),
        tags: vec!["team-a".into()],
        enabled: true,
        cluster: "local".into(),
        pinned_savepoint: None,
        policy: Default::default(),
        created_ms: 10,
        updated_ms: 10,
    };
    let version = |v: &str, at: i64| AppVersion {
        app_id: String::new(),
        version: v.into(),
        spec: serde_json::json!({"parallelism": 2, "args": ["--x", "ünï"]}),
        meta: serde_json::json!({"projectName": "story", "jobName": "orders"}),
        warnings: vec![serde_json::json!({"path": "jobConfig.x", "message": "unknown key"})],
        package: format!("/packages/story/orders/{v}.zip"),
        source: "upload".into(),
        created_by: "alice".into(),
        created_ms: at,
    };
    let stored = store
        .add_version(&app, &version("v00001", 10))
        .await
        .expect("first upload");
    assert_eq!(stored.id, "story-app-1");
    // A second upload of the same project/name keeps the application's id, flag and cluster.
    let again = Application {
        id: "ignored-new-id".into(),
        description: "second".into(),
        enabled: true,
        cluster: "other".into(),
        updated_ms: 20,
        ..app.clone()
    };
    let stored = store
        .add_version(&again, &version("v00002", 20))
        .await
        .expect("second upload");
    assert_eq!(
        (
            stored.id.as_str(),
            stored.cluster.as_str(),
            stored.description.as_str()
        ),
        ("story-app-1", "local", "second")
    );
    assert!(
        store
            .add_version(&app, &version("v00002", 30))
            .await
            .is_err(),
        "versions are immutable"
    );
    let versions = store.list_versions("story-app-1").await.expect("versions");
    let names: Vec<_> = versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(names, ["v00001", "v00002"]);
    assert_eq!(versions[0].spec["args"][1], "ünï", "lossless");
    assert_eq!(versions[0].app_id, "story-app-1");

    let mut disabled = stored.clone();
    disabled.enabled = false;
    disabled.tags = vec!["team-b".into(), "eu".into()];
    disabled.pinned_savepoint = Some("file:///sp/1".into());
    disabled.policy = serde_json::from_value(
        serde_json::json!({"restart": {"max_restarts": 5, "window": "1h", "auto_restore": false}}),
    )
    .expect("policy");
    store.update_app(&disabled).await.expect("update");
    assert_eq!(
        store.get_app("story-app-1").await.expect("get"),
        Some(disabled.clone())
    );
    assert_eq!(
        store.find_app("story", "orders").await.expect("find"),
        Some(disabled)
    );
    let by_tag = AppFilter {
        tag: Some("eu".into()),
        ..AppFilter::default()
    };
    assert_eq!(store.list_apps(&by_tag).await.expect("list").len(), 1);
    let other_tag = AppFilter {
        tag: Some("team-a".into()),
        project: Some("story".into()),
        ..AppFilter::default()
    };
    assert!(store.list_apps(&other_tag).await.expect("list").is_empty());

    let mut run = Run {
        id: "story-run-1".into(),
        app_id: "story-app-1".into(),
        version: "v00002".into(),
        cluster: "local".into(),
        jid: None,
        status: RunStatus::Starting,
        restore_path: Some("file:///sp/1".into()),
        started_by: "alice".into(),
        started_ms: 100,
        ended_ms: None,
        stop_requested_by: None,
        savepoint_path: None,
        message: None,
        healing: None,
    };
    store.put_run(&run).await.expect("run");
    run.jid = Some("abc".into());
    run.status = RunStatus::Stopping;
    run.stop_requested_by = Some("bob".into());
    run.healing = Some("not restarted: a person stopped it".into());
    store.put_run(&run).await.expect("run update");
    assert_eq!(
        store.run_of_job("local", "abc").await.expect("by job"),
        Some(run.clone())
    );
    assert_eq!(
        store.run_of_job("other", "abc").await.expect("by job"),
        None
    );
    assert_eq!(
        store.run_of_job("local", "zzz").await.expect("by job"),
        None
    );
    assert_eq!(
        store.list_runs("story-app-1", 10).await.expect("runs"),
        vec![run.clone()]
    );
    let stopping = store
        .runs_with_status(&[RunStatus::Stopping])
        .await
        .expect("by status");
    assert!(stopping.iter().any(|r| r.id == "story-run-1"));
    assert!(
        store
            .runs_with_status(&[RunStatus::Running])
            .await
            .expect("by status")
            .iter()
            .all(|r| r.id != "story-run-1")
    );

    let snapshot = |path: &str, at: i64| StoredSnapshot {
        app_id: "story-app-1".into(),
        path: path.into(),
        kind: "savepoint".into(),
        completed_ms: at,
        run_id: Some("story-run-1".into()),
    };
    store
        .put_snapshot(&snapshot("file:///sp/old", 1))
        .await
        .expect("snapshot");
    store
        .put_snapshot(&snapshot("file:///sp/new", 2))
        .await
        .expect("snapshot");
    store
        .put_snapshot(&snapshot("file:///sp/new", 2))
        .await
        .expect("again: kept once");
    let paths: Vec<_> = store
        .list_snapshots("story-app-1")
        .await
        .expect("snapshots")
        .into_iter()
        .map(|s| s.path)
        .collect();
    assert_eq!(paths, ["file:///sp/new", "file:///sp/old"]);

    // One restart in flight per application: a second claim is refused until it finishes.
    let intent = RestartIntent {
        app_id: "story-app-1".into(),
        run_id: "story-run-1".into(),
        version: "v00002".into(),
        cluster: "local".into(),
        trigger: streamwarden_core::healing::Trigger::Failed,
        due_ms: 500,
        attempt: 1,
        max_restarts: 3,
        window_ms: 1_800_000,
        auto_restore: true,
        restore_point: Some("file:///chk/7".into()),
        event: event(
            "story-heal",
            "local",
            "abc",
            "orders",
            EventKind::JobStateChanged,
            400,
        ),
        created_ms: 400,
    };
    assert!(store.claim_restart(&intent).await.expect("claim"));
    let second = RestartIntent {
        attempt: 2,
        created_ms: 450,
        ..intent.clone()
    };
    assert!(!store.claim_restart(&second).await.expect("claim again"));
    let pending: Vec<_> = store
        .list_restarts()
        .await
        .expect("list")
        .into_iter()
        .filter(|i| i.app_id == "story-app-1")
        .collect();
    assert_eq!(pending, vec![intent.clone()], "the first claim, losslessly");
    store.finish_restart("story-app-1").await.expect("finish");
    store
        .finish_restart("story-app-1")
        .await
        .expect("finish twice");
    assert!(
        store
            .list_restarts()
            .await
            .expect("list")
            .iter()
            .all(|i| i.app_id != "story-app-1")
    );
    assert!(
        store
            .claim_restart(&second)
            .await
            .expect("claim after finish")
    );
    store.finish_restart("story-app-1").await.expect("finish");
}

async fn users_and_tokens(store: &dyn Store) {
    use streamwarden_core::access::Role;
    let alice = User {
        name: "story-alice".into(),
        role: Role::Operator,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        created_ms: 5,
    };
    store.put_user(&alice).await.expect("user");
    let promoted = User {
        role: Role::Admin,
        created_ms: 99,
        ..alice.clone()
    };
    store.put_user(&promoted).await.expect("user again");
    let users: Vec<User> = store
        .list_users()
        .await
        .expect("users")
        .into_iter()
        .filter(|u| u.name.starts_with("story-"))
        .collect();
    assert_eq!(
        users,
        vec![User {
            created_ms: 5,
            ..promoted
        }],
        "replaced by name, creation kept"
    );
    let token = |id: &str, hash: &str, at: i64| ApiToken {
        id: id.into(),
        label: "ci".into(),
        user: "story-alice".into(),
        role: Role::Viewer,
        hash: hash.into(),
        prefix: "swt_ab12".into(),
        created_ms: at,
        revoked_ms: None,
    };
    store
        .put_token(&token("story-t1", "h1", 10))
        .await
        .expect("token");
    store
        .put_token(&token("story-t2", "h2", 20))
        .await
        .expect("token");
    assert!(
        store.put_token(&token("story-t3", "h1", 30)).await.is_err(),
        "hashes are unique"
    );
    assert_eq!(
        store.token_by_hash("h1").await.expect("by hash"),
        Some(token("story-t1", "h1", 10))
    );
    assert_eq!(store.token_by_hash("nope").await.expect("by hash"), None);
    store.revoke_token("story-t1", 50).await.expect("revoke");
    store
        .revoke_token("story-t1", 60)
        .await
        .expect("revoke twice");
    assert_eq!(
        store
            .token_by_hash("h1")
            .await
            .expect("by hash")
            .and_then(|t| t.revoked_ms),
        Some(50),
        "the first revocation time stays"
    );
    assert!(matches!(
        store.revoke_token("story-none", 1).await,
        Err(StoreError::NotFound(_))
    ));
    let ids: Vec<String> = store
        .list_tokens()
        .await
        .expect("tokens")
        .into_iter()
        .filter(|t| t.id.starts_with("story-"))
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, ["story-t2", "story-t1"], "newest first");
}

async fn sessions_and_audit(store: &dyn Store) {
    let session = Session {
        hash: "story-s1".into(),
        user: "story-alice".into(),
        csrf: "c1".into(),
        created_ms: 100,
        expires_ms: 1_000,
    };
    store.put_session(&session).await.expect("session");
    store
        .put_session(&Session {
            hash: "story-s2".into(),
            expires_ms: 200,
            ..session.clone()
        })
        .await
        .expect("session");
    assert_eq!(
        store
            .session_by_hash("story-s1", 999)
            .await
            .expect("by hash"),
        Some(session.clone())
    );
    assert_eq!(
        store
            .session_by_hash("story-s1", 1_000)
            .await
            .expect("by hash"),
        None,
        "expired at expires_ms"
    );
    store
        .delete_session("story-s1", 500)
        .await
        .expect("sign out");
    assert_eq!(
        store.session_by_hash("story-s1", 150).await.expect("gone"),
        None
    );
    assert_eq!(
        store
            .session_by_hash("story-s2", 150)
            .await
            .expect("expired"),
        None,
        "expired sessions are swept on sign-out"
    );
    for hash in ["story-s3", "story-s4"] {
        store
            .put_session(&Session {
                hash: hash.into(),
                ..session.clone()
            })
            .await
            .expect("session");
    }
    assert_eq!(store.end_sessions_of("story-alice").await.expect("end"), 2);
    assert_eq!(
        store.session_by_hash("story-s3", 150).await.expect("ended"),
        None
    );

    let entry = |id: &str, at: i64, actor: &str, action: &str, status: u16| AuditEntry {
        id: id.into(),
        at_ms: at,
        actor: actor.into(),
        via: "api".into(),
        action: action.into(),
        target: format!("apps/{id}"),
        summary: serde_json::json!({"savepoint": true}),
        status,
        outcome: if status < 400 {
            "ok".into()
        } else {
            "denied".into()
        },
    };
    let entries = [
        entry(
            "story-a1",
            10,
            "story-alice",
            "POST /api/v1/apps/{id}/start",
            202,
        ),
        entry(
            "story-a2",
            20,
            "story-bob",
            "POST /api/v1/apps/{id}/stop",
            403,
        ),
        entry(
            "story-a3",
            30,
            "story-alice",
            "DELETE /api/v1/silences/{id}",
            204,
        ),
    ];
    for e in &entries {
        store.put_audit(e).await.expect("audit");
    }
    let ids = |filter: AuditFilter| async move {
        store
            .list_audit(&AuditFilter {
                limit: 100,
                ..filter
            })
            .await
            .expect("list audit")
            .into_iter()
            .filter(|e| e.id.starts_with("story-"))
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(AuditFilter::default()).await,
        ["story-a3", "story-a2", "story-a1"],
        "newest first"
    );
    let alice = Some("story-alice".to_string());
    assert_eq!(
        ids(AuditFilter {
            actor: alice,
            ..Default::default()
        })
        .await,
        ["story-a3", "story-a1"]
    );
    assert_eq!(
        ids(AuditFilter {
            action: Some("/apps/".into()),
            ..Default::default()
        })
        .await,
        ["story-a2", "story-a1"]
    );
    assert_eq!(
        ids(AuditFilter {
            target: Some("apps/story-a2".into()),
            ..Default::default()
        })
        .await,
        ["story-a2"]
    );
    assert_eq!(
        ids(AuditFilter {
            ok: Some(false),
            ..Default::default()
        })
        .await,
        ["story-a2"]
    );
    assert_eq!(
        ids(AuditFilter {
            ok: Some(true),
            since_ms: Some(15),
            ..Default::default()
        })
        .await,
        ["story-a3"]
    );
    let stored = store
        .list_audit(&AuditFilter {
            actor: Some("story-bob".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("one");
    assert_eq!(stored, [entries[1].clone()], "round trip");
}
