//! The API served on a real socket over a real SQLite store, driven by a real HTTP client.

mod support;

use serde_json::Value;
use std::sync::Arc;
use streamwarden_core::{
    ClusterHealth, Event, EventKind, JobSnapshot, JobState, Observation, Severity,
};
use streamwarden_store::{AlertingChanges, NewNotification, Store};
use streamwarden_store_sqlite::SqliteStore;
use support::call;

fn event(id: &str, kind: EventKind) -> Event {
    Event {
        event_id: id.into(),
        kind,
        severity: Severity::Critical,
        notify: true,
        summary: id.into(),
        occurred_at_ms: 1,
        observed_at_ms: 2,
        cluster: "local".into(),
        cluster_url: "http://127.0.0.1:8081".into(),
        job: None,
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

async fn serve() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("sw.db"))
        .await
        .expect("open");
    store
        .register_cluster("local", "http://127.0.0.1:8081")
        .await
        .expect("register");
    let observation = Observation {
        health: ClusterHealth::default(),
        events: vec![
            event("e1", EventKind::ClusterUnreachable),
            event("e2", EventKind::ClusterRecovered),
        ],
        ..Observation::default()
    };
    let delivery = AlertingChanges {
        notifications: vec![NewNotification::of_event(
            &observation.events[0],
            &["hook".to_string()],
        )],
        ..AlertingChanges::default()
    };
    store
        .apply_observation("local", &observation, &delivery)
        .await
        .expect("apply");
    let store: Arc<dyn Store> = Arc::new(store);
    let (base, _) = support::serve(dir.path(), store, vec![], Default::default()).await;
    (dir, base)
}

async fn get(url: &str) -> (u16, Value) {
    call(reqwest::Method::GET, url.to_string(), None).await
}

#[tokio::test]
async fn events_are_listed_newest_first_and_filtered_by_kind() {
    let (_dir, base) = serve().await;
    let (status, body) = get(&format!("{base}/api/v1/events")).await;
    assert_eq!(status, 200);
    let ids: Vec<_> = body
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["event_id"].clone())
        .collect();
    assert_eq!(ids, ["e2", "e1"]);
    let (_, body) = get(&format!(
        "{base}/api/v1/events?kind=cluster_unreachable&limit=5"
    ))
    .await;
    assert_eq!(body.as_array().map(Vec::len), Some(1));
    assert_eq!(body[0]["kind"], "cluster_unreachable");
}

#[tokio::test]
async fn bad_query_parameters_are_rejected_naming_the_field() {
    let (_dir, base) = serve().await;
    let (status, body) = get(&format!("{base}/api/v1/events?kind=job_exploded")).await;
    assert_eq!(status, 400);
    let message = body["error"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("kind: unknown event kind \"job_exploded\""),
        "{message}"
    );
    let (status, body) = get(&format!("{base}/api/v1/events?limit=0")).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with("limit:")
    );
    let (status, _) = get(&format!("{base}/api/v1/deliveries?status=lost")).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn health_clusters_and_deliveries_answer() {
    let (_dir, base) = serve().await;
    let response = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(response.status().as_u16(), 200);
    let ready = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(
        (ready.status().as_u16(), ready.text().await.expect("text")),
        (200, "ready".to_string())
    );
    let (_, clusters) = get(&format!("{base}/api/v1/clusters")).await;
    assert_eq!(clusters[0]["name"], "local");
    let (_, deliveries) = get(&format!("{base}/api/v1/deliveries?status=pending")).await;
    assert_eq!(deliveries.as_array().map(Vec::len), Some(1));
    assert_eq!(deliveries[0]["outgoing"]["events"][0][0]["event_id"], "e1");
    assert_eq!(deliveries[0]["status"], "pending");
    let (_, jobs) = get(&format!("{base}/api/v1/jobs")).await;
    assert_eq!(jobs, Value::Array(vec![]));
}

#[tokio::test]
async fn metrics_count_jobs_per_state_clusters_up_and_the_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("sw.db"))
        .await
        .expect("open");
    store
        .register_cluster("metrics-c", "http://127.0.0.1:8081")
        .await
        .expect("register");
    let job = |jid: &str, state: JobState| JobSnapshot {
        jid: jid.into(),
        name: format!("job-{jid}"),
        state,
        start_time_ms: Some(1),
        end_time_ms: None,
        duration_ms: None,
        last_modification_ms: None,
        restarts: None,
        first_seen_ms: 1,
        last_seen_ms: 1,
        url: String::new(),
    };
    let observation = Observation {
        upserts: vec![
            job("a", JobState::Running),
            job("b", JobState::Running),
            job("c", JobState::Failed),
        ],
        events: vec![event("m1", EventKind::JobStateChanged)],
        ..Observation::default()
    };
    let delivery = AlertingChanges {
        notifications: vec![NewNotification::of_event(
            &observation.events[0],
            &["hook".to_string()],
        )],
        ..AlertingChanges::default()
    };
    store
        .apply_observation("metrics-c", &observation, &delivery)
        .await
        .expect("apply");
    let store: Arc<dyn Store> = Arc::new(store);
    let (base, _) = support::serve(dir.path(), store, vec![], Default::default()).await;
    let response = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics");
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.expect("text");
    for line in [
        "streamwarden_cluster_up{cluster=\"metrics-c\"} 1",
        "streamwarden_jobs{cluster=\"metrics-c\",state=\"RUNNING\"} 2",
        "streamwarden_jobs{cluster=\"metrics-c\",state=\"FAILED\"} 1",
        "streamwarden_jobs{cluster=\"metrics-c\",state=\"CANCELED\"} 0",
        "streamwarden_outbox_pending 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    let oldest: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("streamwarden_outbox_oldest_pending_seconds "))
        .and_then(|v| v.parse().ok())
        .expect("oldest pending age");
    assert!(
        oldest > 0.0,
        "the delivery waits since its creation: {oldest}"
    );
}

#[tokio::test]
async fn readyz_fails_while_the_store_does_not_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("sw.db"))
            .await
            .expect("open"),
    );
    let shared: Arc<dyn Store> = store.clone();
    let (base, _) = support::serve(dir.path(), shared, vec![], Default::default()).await;
    store.close().await;
    let ready = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 503);
    assert!(ready.text().await.expect("text").starts_with("store: "));
    let health = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200, "the process still runs");
}
