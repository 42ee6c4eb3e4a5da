//! The story every backend must pass: call [`run`] from the backend's tests with a fresh store.
//!
//! Each story uses its own cluster name, so they can share one database.

use crate::{
    AttemptOutcome, DeliveryFilter, DeliveryStatus, EventFilter, NewDelivery, Store, StoreError,
    StoredChannel,
};
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
    }
}

fn deliveries(events: &[Event], channels: &[&str]) -> Vec<NewDelivery> {
    events
        .iter()
        .flat_map(|e| {
            channels.iter().map(|c| NewDelivery {
                event_id: e.event_id.clone(),
                channel: (*c).to_string(),
            })
        })
        .collect()
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
        .apply_observation(c, &observation, &[])
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
    store.apply_observation(c, &next, &[]).await.expect("apply");
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
    // A delivery of an event that is not in the observation breaks the transaction.
    let bad = [NewDelivery {
        event_id: "no-such-event".into(),
        channel: "ops".into(),
    }];
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
    assert!(store.apply_observation(c, &observation, &[]).await.is_err());
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
    let pending = store
        .pending_deliveries("da-hook", 10)
        .await
        .expect("pending");
    assert_eq!(pending.len(), 1);
    let d = &pending[0];
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 0));
    assert_eq!(d.event, events[0]);

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
    let ids: Vec<_> = pending.iter().map(|d| d.event.event_id.as_str()).collect();
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
        .apply_observation(c, &observation, &[])
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
