//! The dispatcher against a real HTTP receiver and a real SQLite outbox.

use std::sync::Arc;
use std::time::Duration;
use streamwarden_core::{ClusterHealth, Event, EventKind, Observation, Severity};
use streamwarden_notify::channels::configured::{ChannelConfig, ConfiguredChannel};
use streamwarden_notify::channels::webhook::WebhookConfig;
use streamwarden_notify::channels::{Channel, ChannelRegistry};
use streamwarden_notify::{Dispatcher, RetryPolicy};
use streamwarden_store::{AlertingChanges, DeliveryFilter, DeliveryStatus, NewNotification, Store};
use streamwarden_store_sqlite::SqliteStore;
use streamwarden_testkit::WebhookReceiver;

/// A webhook receiver that answers `script` in turn (then 200); its URL.
async fn start_receiver(script: &[u16]) -> (WebhookReceiver, String) {
    let receiver = WebhookReceiver::start().await;
    receiver.answer_next(script);
    let url = receiver.url().to_string();
    (receiver, url)
}

/// The `event_id` of every body received, accepted or not, in arrival order.
fn event_ids(receiver: &WebhookReceiver) -> Vec<String> {
    receiver
        .requests()
        .iter()
        .map(|r| {
            let body = r.json().unwrap_or_default();
            body["event_id"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

fn event(id: &str) -> Event {
    Event {
        event_id: id.into(),
        kind: EventKind::ClusterUnreachable,
        severity: Severity::Critical,
        notify: true,
        summary: format!("event {id}"),
        occurred_at_ms: 1,
        observed_at_ms: 1,
        cluster: "local".into(),
        cluster_url: "http://127.0.0.1:8081".into(),
        job: None,
        exception: None,
        error: Some("refused".into()),
        restart: None,
        health: None,
    }
}

async fn store_with(events: &[&str], channels: &[&str]) -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("sw.db"))
        .await
        .expect("open");
    store
        .register_cluster("local", "http://127.0.0.1:8081")
        .await
        .expect("register");
    let events: Vec<Event> = events.iter().map(|id| event(id)).collect();
    let channels: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
    let deliveries = AlertingChanges {
        notifications: events
            .iter()
            .map(|e| NewNotification::of_event(e, &channels))
            .collect(),
        ..AlertingChanges::default()
    };
    let observation = Observation {
        health: ClusterHealth::default(),
        events,
        ..Observation::default()
    };
    store
        .apply_observation("local", &observation, &deliveries)
        .await
        .expect("apply");
    (dir, Arc::new(store))
}

fn webhook(name: &str, url: &str) -> Arc<dyn Channel> {
    let mut config = WebhookConfig::new(name, url.parse().expect("url"));
    config.headers = [("X-Token".to_string(), "t0k".to_string())].into();
    config.timeout = Duration::from_secs(2);
    let channel = ConfiguredChannel::new(
        ChannelConfig::Webhook(config),
        &Default::default(),
        Default::default(),
    )
    .expect("channel");
    Arc::new(channel)
}

fn registry(channels: Vec<Arc<dyn Channel>>) -> ChannelRegistry {
    let registry = ChannelRegistry::default();
    for channel in channels {
        registry.insert(channel);
    }
    registry
}

fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        jitter: 0.0,
    }
}

async fn wait_for(mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("condition not reached in 5 s");
}

async fn statuses(store: &SqliteStore, channel: &str) -> Vec<(String, DeliveryStatus, u32)> {
    let mut rows: Vec<_> = store
        .list_deliveries(&DeliveryFilter {
            channel: Some(channel.into()),
            limit: 100,
            ..DeliveryFilter::default()
        })
        .await
        .expect("deliveries")
        .into_iter()
        .map(|d| (d.outgoing.notification.id, d.status, d.attempts))
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn failed_sends_are_retried_with_the_same_event_id_until_accepted() {
    let (receiver, url) = start_receiver(&[500, 503]).await;
    let (_dir, store) = store_with(&["ev-1"], &["hook"]).await;
    let (_waker, _supervisor) = Dispatcher::new(
        store.clone(),
        registry(vec![webhook("hook", &url)]),
        fast_retry(5),
        Duration::from_millis(100),
    )
    .spawn();
    wait_for(|| event_ids(&receiver).len() == 3).await;
    assert_eq!(event_ids(&receiver), ["ev-1", "ev-1", "ev-1"]);
    let first = &receiver.requests()[0];
    assert_eq!(first.header("x-token"), Some("t0k"));
    let body = first.json().expect("a JSON body");
    assert_eq!(body["version"], "1");
    assert_eq!(body["kind"], "cluster_unreachable");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        statuses(&store, "hook").await,
        [("ev-1".to_string(), DeliveryStatus::Delivered, 3)]
    );
    let last = store
        .list_deliveries(&DeliveryFilter {
            event_id: Some("ev-1".into()),
            limit: 1,
            ..DeliveryFilter::default()
        })
        .await
        .expect("deliveries");
    assert!(
        last[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("HTTP 503"),
        "{:?}",
        last[0].last_error
    );
}

#[tokio::test]
async fn a_channel_keeps_its_order_while_retrying_and_gives_up_at_the_limit() {
    let (receiver, url) = start_receiver(&[500, 500, 500]).await;
    let (_dir, store) = store_with(&["a", "b", "c"], &["hook"]).await;
    let (_waker, _supervisor) = Dispatcher::new(
        store.clone(),
        registry(vec![webhook("hook", &url)]),
        fast_retry(3),
        Duration::from_millis(100),
    )
    .spawn();
    wait_for(|| event_ids(&receiver).len() == 5).await;
    assert_eq!(
        event_ids(&receiver),
        ["a", "a", "a", "b", "c"],
        "b never overtakes a"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        statuses(&store, "hook").await,
        [
            ("a".to_string(), DeliveryStatus::Failed, 3),
            ("b".to_string(), DeliveryStatus::Delivered, 1),
            ("c".to_string(), DeliveryStatus::Delivered, 1),
        ]
    );
}

#[tokio::test]
async fn a_dead_channel_never_holds_up_another() {
    let (good, good_url) = start_receiver(&[]).await;
    // Nothing listens on the dead channel's port.
    let dead_url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/hook", l.local_addr().expect("addr"))
    };
    let (_dir, store) = store_with(&["x", "y"], &["dead", "good"]).await;
    let (_waker, _supervisor) = Dispatcher::new(
        store.clone(),
        registry(vec![webhook("dead", &dead_url), webhook("good", &good_url)]),
        fast_retry(100),
        Duration::from_millis(100),
    )
    .spawn();
    wait_for(|| event_ids(&good).len() == 2).await;
    assert_eq!(event_ids(&good), ["x", "y"]);
    let dead = store
        .list_deliveries(&DeliveryFilter {
            channel: Some("dead".into()),
            limit: 10,
            ..DeliveryFilter::default()
        })
        .await
        .expect("deliveries");
    assert!(dead.iter().all(|d| d.status == DeliveryStatus::Pending));
    let x = dead
        .iter()
        .find(|d| d.outgoing.notification.id == "x")
        .expect("x");
    assert!(x.attempts >= 1);
    assert!(
        x.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("could not connect"),
        "{:?}",
        x.last_error
    );
}

#[tokio::test]
async fn a_wake_up_delivers_new_events_without_waiting_for_the_idle_poll() {
    let (receiver, url) = start_receiver(&[]).await;
    let (_dir, store) = store_with(&[], &[]).await;
    let (waker, _supervisor) = Dispatcher::new(
        store.clone(),
        registry(vec![webhook("hook", &url)]),
        fast_retry(3),
        Duration::from_secs(3600),
    )
    .spawn();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let observation = Observation {
        events: vec![event("late")],
        ..Observation::default()
    };
    let delivery = AlertingChanges {
        notifications: vec![NewNotification::of_event(
            &event("late"),
            &["hook".to_string()],
        )],
        ..AlertingChanges::default()
    };
    store
        .apply_observation("local", &observation, &delivery)
        .await
        .expect("apply");
    waker.wake();
    wait_for(|| event_ids(&receiver) == ["late"]).await;
}

#[tokio::test]
async fn a_channel_added_at_run_time_gets_a_worker_and_its_backlog() {
    let (receiver, url) = start_receiver(&[]).await;
    let (_dir, store) = store_with(&["early"], &["later"]).await;
    let channels = ChannelRegistry::default();
    let (_waker, _supervisor) = Dispatcher::new(
        store.clone(),
        channels.clone(),
        fast_retry(3),
        Duration::from_millis(100),
    )
    .spawn();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(event_ids(&receiver).is_empty(), "no channel yet");
    channels.insert(webhook("later", &url));
    wait_for(|| event_ids(&receiver) == ["early"]).await;
}
