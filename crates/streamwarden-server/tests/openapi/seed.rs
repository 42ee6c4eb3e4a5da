//! The rows the OpenAPI tests serve: a cluster with a failed job, its event, an alert and a
//! delivery; a jar application with a version; a file-declared channel and route. Their ids
//! are [`KNOWN`], for the fuzzer to try alongside the values it makes up.

use serde_json::json;
use streamwarden_core::{
    ClusterHealth, Event, EventKind, JobFacts, JobSnapshot, JobState, Observation, RootException,
    Severity,
};
use streamwarden_notify::alerting::AlertingConfig;
use streamwarden_notify::channels::manager::FileChannel;
use streamwarden_store::{AlertingChanges, AppVersion, Application, NewNotification, Store};
use streamwarden_store_sqlite::SqliteStore;

/// The seeded application.
pub const APP: &str = "app-orders";

/// Ids and names that exist in the seeded store (application, alert, event, channel, route,
/// job, cluster, user, version).
pub const KNOWN: [&str; 9] = [
    APP,
    "a1",
    "e1",
    "hook",
    "from-file",
    "orders",
    "local",
    "fuzz",
    "v00001",
];

/// A webhook channel `hook` (to the discard port on loopback: nothing is sent in these
/// tests) and a route `from-file` to it, both declared in the configuration file.
pub fn file_channel_and_route() -> (Vec<FileChannel>, AlertingConfig) {
    let hook = crate::support::file_webhook("hook", "http://127.0.0.1:9/hook");
    (vec![hook], crate::support::from_file_route_to_hook())
}

/// A cluster with a failed job, its event, an alert and a delivery, so that lists answer rows.
pub async fn rows(store: &SqliteStore) {
    // Port 9 (discard) on loopback: nothing in these tests calls it.
    store
        .register_cluster("local", "http://127.0.0.1:9")
        .await
        .unwrap();
    let job = JobSnapshot {
        jid: "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
        name: "orders".into(),
        state: JobState::Failed,
        start_time_ms: Some(1_000),
        end_time_ms: Some(2_000),
        duration_ms: Some(1_000),
        last_modification_ms: Some(2_000),
        restarts: Some(3),
        first_seen_ms: 1_000,
        last_seen_ms: 2_000,
        url: "http://127.0.0.1:9/#/job/running/0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
    };
    let event = Event {
        event_id: "e1".into(),
        kind: EventKind::JobStateChanged,
        severity: Severity::Critical,
        notify: true,
        summary: "orders FAILED".into(),
        occurred_at_ms: 2_000,
        observed_at_ms: 2_001,
        cluster: "local".into(),
        cluster_url: "http://127.0.0.1:9".into(),
        job: Some(JobFacts {
            previous_state: Some(JobState::Running),
            ..job.facts()
        }),
        exception: Some(RootException {
            name: "java.lang.IllegalStateException".into(),
            message: "boom".into(),
            stacktrace: "at Orders.map(Orders.java:42)".into(),
            task: Some("Map (1/1)".into()),
            timestamp_ms: Some(2_000),
        }),
        error: None,
        restart: None,
        health: None,
    };
    let alert = crate::support::firing_alert("a1", "local/orders", "local", "orders", "e1", 2_000);
    let observation = Observation {
        health: ClusterHealth::default(),
        upserts: vec![job],
        removed: vec![],
        events: vec![event.clone()],
    };
    let changes = AlertingChanges {
        alerts: vec![alert],
        groups: None,
        notifications: vec![NewNotification::of_event(&event, &["hook".to_string()])],
    };
    store
        .apply_observation("local", &observation, &changes)
        .await
        .unwrap();
    application(store).await;
}

/// A jar application [`APP`] with its first version, as an upload stores them.
async fn application(store: &SqliteStore) {
    let app = Application {
        id: APP.into(),
        project: "shop".into(),
        name: "orders".into(),
        job_type: "flink.jar".into(),
        description: String::new(),
        tags: vec!["team-a".into()],
        enabled: true,
        cluster: "local".into(),
        pinned_savepoint: None,
        policy: Default::default(),
        created_ms: 1_000,
        updated_ms: 1_000,
    };
    let version = AppVersion {
        app_id: APP.into(),
        version: "v00001".into(),
        spec: json!({
            "project_name": "shop", "job_name": "orders", "job_type": "flink.jar",
            "tags": [], "description": null, "comment": null, "jar": "app.jar",
            "entry_class": "com.example.Orders", "program_args": ["--in", "kafka"],
            "hdfs_jars": [], "dependency_jars": [], "resources": [], "sql": null,
            "parallelism": 1, "jobmanager_memory_mb": 1024, "taskmanager_memory_mb": 1024,
            "taskmanager_slots": 1, "taskmanager_cpus": 1, "yarn_queue": null,
            "flink_configuration": {}, "checkpointing": false, "checkpoint_interval_ms": null,
            "fail_restart": false, "auto_restore": false, "alert_recipients": [],
            "restore_savepoint": null, "savepoint_dir": null, "checkpoint_dir": null,
            "streamis": {"workspace_name": null, "manage_mode": null, "ha_policy": null,
                "product_name": null, "alert_level": null, "visible_users": [],
                "client_memory_mb": null}
        }),
        meta: json!({
            "projectName": "shop", "jobName": "orders", "jobType": "flink.jar",
            "jobContent": {"main.class.jar": "app.jar", "main.class": "com.example.Orders",
                "args": ["--in", "kafka"]}
        }),
        warnings: vec![],
        package: "/nonexistent/v00001.zip".into(),
        source: "upload".into(),
        created_by: "fuzz".into(),
        created_ms: 1_000,
    };
    store.add_version(&app, &version).await.unwrap();
}
