//! The console's job and application pages, rendered by the real router over a real SQLite
//! store with real rows: what a user must see, and what each role may use.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_apps::parse_meta_value;
use streamwarden_core::noise::Alert;
use streamwarden_core::{
    ClusterHealth, Event, EventKind, JobFacts, JobSnapshot, JobState, Observation, RootException,
    Severity,
};
use streamwarden_store::{
    AlertingChanges, AppVersion, Application, NewNotification, Run, RunStatus, Store,
};
use streamwarden_store_sqlite::SqliteStore;

/// The console over a store with alice (admin), olga (operator) and vic (viewer).
struct Console {
    base: String,
    store: Arc<dyn Store>,
    admin: String,
    operator: String,
    viewer: String,
    _dir: tempfile::TempDir,
}

impl Console {
    async fn start() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("sw.db")).await.unwrap();
        let [admin, operator, viewer] =
            support::users_with_tokens(&store, support::ALICE_OLGA_VIC).await;
        store
            .register_cluster("local", "http://127.0.0.1:9")
            .await
            .unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        // The lifecycle of `support::serve` has no cluster: every cluster is unknown to it.
        let (base, _) = support::serve(dir.path(), store.clone(), vec![], Default::default()).await;
        Console {
            base,
            store,
            admin,
            operator,
            viewer,
            _dir: dir,
        }
    }

    /// A page as `token` sees it: status and HTML (with `/`, which the templates escape as
    /// `&#x2f;`, as a browser reads it).
    async fn page(&self, path: &str, token: &str) -> (u16, String) {
        let (status, page) = support::page(&self.base, path, token).await;
        (status, page.replace("&#x2f;", "/"))
    }

    /// A page that must render: its HTML.
    async fn html(&self, path: &str, token: &str) -> String {
        let (status, html) = self.page(path, token).await;
        assert_eq!(status, 200, "{path}: {html}");
        html
    }

    /// An API call as `token`: status and JSON answer.
    async fn api(&self, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
        support::api(&self.base, method, path, Some(token), body).await
    }

    /// Application `shop/orders` with two versions, stored as an upload stores them (its
    /// meta.json read by the package reader).
    async fn add_app(&self) -> Application {
        let meta = json!({
            "projectName": "shop",
            "jobName": "orders",
            "jobType": "flink.jar",
            "tags": "team_a,prod",
            "jobContent": {"main.class.jar": "app.jar", "main.class": "com.example.Orders", "args": ["--in", "kafka"]},
            "jobConfig": {"wds.linkis.flink.produce": {"wds.linkis.flink.alert.failure.user": "ops"}}
        });
        let parsed = parse_meta_value(&meta).unwrap();
        let app = Application {
            id: "app-1".into(),
            project: "shop".into(),
            name: "orders".into(),
            job_type: "flink.jar".into(),
            description: "orders to invoices".into(),
            tags: parsed.spec.tags.clone(),
            enabled: true,
            cluster: "local".into(),
            pinned_savepoint: None,
            policy: Default::default(),
            created_ms: 1_000,
            updated_ms: 1_000,
        };
        let mut stored = app.clone();
        for (n, version) in ["v00001", "v00002"].into_iter().enumerate() {
            stored = self
                .store
                .add_version(
                    &app,
                    &AppVersion {
                        app_id: app.id.clone(),
                        version: version.into(),
                        spec: serde_json::to_value(&parsed.spec).unwrap(),
                        meta: meta.clone(),
                        warnings: vec![],
                        package: format!("/packages/app-1/{version}.zip"),
                        source: "upload".into(),
                        created_by: "olga".into(),
                        created_ms: 1_000 + n as i64,
                    },
                )
                .await
                .unwrap();
        }
        stored
    }

    /// Stores one poll of `cluster`: jobs, events, alerts and one delivery of each alert to
    /// channel `hook`.
    async fn observe(
        &self,
        cluster: &str,
        jobs: Vec<JobSnapshot>,
        events: Vec<Event>,
        alerts: Vec<Alert>,
    ) {
        let notifications = alerts
            .iter()
            .map(|a| {
                let event = events
                    .iter()
                    .find(|e| e.event_id == a.last_event_id)
                    .unwrap();
                let mut n = NewNotification::of_event(event, &["hook".to_string()]);
                n.notification.id = format!("n-{}", a.id);
                n.notification.notice = streamwarden_core::noise::Notice::Alert {
                    alert_id: a.id.clone(),
                    event_id: event.event_id.clone(),
                };
                n
            })
            .collect();
        let observation = Observation {
            health: ClusterHealth::default(),
            upserts: jobs,
            events,
            ..Observation::default()
        };
        self.store
            .apply_observation(
                cluster,
                &observation,
                &AlertingChanges {
                    alerts,
                    notifications,
                    ..AlertingChanges::default()
                },
            )
            .await
            .unwrap();
    }
}

const JID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

fn snapshot(jid: &str, name: &str, state: JobState) -> JobSnapshot {
    JobSnapshot {
        jid: jid.into(),
        name: name.into(),
        state,
        start_time_ms: Some(1_763_719_200_000),
        end_time_ms: None,
        duration_ms: Some(95_000),
        last_modification_ms: None,
        restarts: Some(2),
        first_seen_ms: 1_763_719_200_000,
        last_seen_ms: 1_763_719_295_000,
        url: format!("http://127.0.0.1:9/#/job/running/{jid}/overview"),
    }
}

fn event(
    id: &str,
    kind: EventKind,
    job: &JobSnapshot,
    previous: Option<JobState>,
    at_ms: i64,
) -> Event {
    Event {
        event_id: id.into(),
        kind,
        severity: if kind == EventKind::JobStateChanged {
            Severity::Critical
        } else {
            Severity::Info
        },
        notify: kind != EventKind::JobDiscovered,
        summary: format!("{} {id}", job.name),
        occurred_at_ms: at_ms,
        observed_at_ms: at_ms + 1,
        cluster: "local".into(),
        cluster_url: "http://127.0.0.1:9".into(),
        job: Some(JobFacts {
            previous_state: previous,
            ..job.facts()
        }),
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

fn alert(id: &str, job: &str, last_event: &str) -> Alert {
    support::firing_alert(
        id,
        &format!("job/local/{job}/failed"),
        "local",
        job,
        last_event,
        1_763_719_290_000,
    )
}

/// A job that ran, then failed with a root exception; an alert on it.
async fn failed_job(console: &Console) -> JobSnapshot {
    let running = snapshot(JID, "payments", JobState::Running);
    let failed = JobSnapshot {
        state: JobState::Failed,
        ..running.clone()
    };
    let discovered = event(
        "e1",
        EventKind::JobDiscovered,
        &running,
        None,
        1_763_719_200_000,
    );
    let mut failure = event(
        "e2",
        EventKind::JobStateChanged,
        &failed,
        Some(JobState::Running),
        1_763_719_290_000,
    );
    failure.exception = Some(RootException {
        name: "java.lang.IllegalStateException".into(),
        message: "sink <kafka> unavailable".into(),
        stacktrace:
            "at com.example.Sink.write(Sink.java:42)\nat org.apache.flink.Task.run(Task.java:7)"
                .into(),
        task: Some("Sink: kafka (1/1)".into()),
        timestamp_ms: Some(1_763_719_289_500),
    });
    console
        .observe(
            "local",
            vec![failed.clone()],
            vec![discovered, failure],
            vec![alert("alert-1", "payments", "e2")],
        )
        .await;
    failed
}

#[tokio::test]
async fn the_job_page_shows_state_timeline_root_exception_and_alerts() {
    let console = Console::start().await;
    failed_job(&console).await;
    let html = console
        .html(&format!("/ui/jobs/local/{JID}"), &console.viewer)
        .await;
    assert!(
        html.contains(r#"data-testid="job-state">FAILED</span>"#),
        "live state badge: {html}"
    );
    assert!(
        html.contains(r#"id="job-live" hx-get="/ui/jobs/local/a1b2c3d4e5f60718293a4b5c6d7e8f90""#)
    );
    assert!(html.contains(&format!(r#"data-testid="job-id">{JID}<"#)));
    assert!(html.contains(r#"<a href="/ui/jobs" class="active" aria-current="page">Jobs</a>"#));
    // The timeline, newest first: the failure, then the discovery.
    let timeline = &html[html.find(r#"<ul class="timeline""#).expect("a timeline")..];
    let failed_at = timeline.find(r#"data-kind="job_state_changed""#).unwrap();
    let discovered_at = timeline.find(r#"data-kind="job_discovered""#).unwrap();
    assert!(failed_at < discovered_at, "newest first");
    assert!(timeline.contains(r#"<li class="bad" data-kind="job_state_changed">"#));
    assert!(timeline.contains("2025-11-21T10:01:30Z"), "event time");
    assert!(timeline.contains(r#"<span class="badge sev-critical">critical</span>"#));
    // The root exception, escaped.
    let exception = &html[html.find(r#"<pre data-testid="root-exception">"#).unwrap()..];
    assert!(exception.starts_with(
        "<pre data-testid=\"root-exception\">java.lang.IllegalStateException: sink &lt;kafka&gt; unavailable\nat com.example.Sink.write(Sink.java:42)"
    ));
    assert!(html.contains("in Sink: kafka (1/1)"));
    // The alert with its delivery.
    assert!(html.contains(r#"<tr data-alert="alert-1">"#), "{html}");
    assert!(html.contains(
        r#"<div data-channel="hook"><b>hook</b> <span class="badge warn">pending</span>"#
    ));
    // A viewer may not subscribe nor see lifecycle buttons.
    assert!(!html.contains(r#"data-testid="subscribe""#));
    assert!(!html.contains("<dialog"));
}

#[tokio::test]
async fn the_job_page_notes_why_checkpoints_are_missing_instead_of_failing() {
    let console = Console::start().await;
    console
        .store
        .register_cluster("elsewhere", "http://127.0.0.1:9")
        .await
        .unwrap();
    let job = snapshot("ff00", "audit-trail", JobState::Running);
    console
        .observe(
            "elsewhere",
            vec![job.clone()],
            vec![event("x1", EventKind::JobDiscovered, &job, None, 5)],
            vec![],
        )
        .await;
    let html = console
        .html("/ui/jobs/elsewhere/ff00", &console.viewer)
        .await;
    assert!(html.contains(r#"data-testid="job-state">RUNNING</span>"#));
    assert!(
        html.contains(r#"<p class="muted" data-testid="checkpoints-unavailable">Checkpoints cannot be read from Flink now: cluster: no cluster named &quot;elsewhere&quot;</p>"#),
        "{html}"
    );
    assert!(html.contains("No failure recorded for this job."));
    assert!(html.contains("No alert for this job."));
    let (status, html) = console
        .page("/ui/jobs/elsewhere/nope", &console.viewer)
        .await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("not found: job nope on cluster elsewhere"));
}

#[tokio::test]
async fn operators_subscribe_to_a_job_through_the_api_the_form_calls() {
    let console = Console::start().await;
    let job = failed_job(&console).await;
    let path = format!("/ui/jobs/local/{JID}");
    let html = console.html(&path, &console.operator).await;
    assert!(html.contains(r#"<button type="submit" class="primary" data-testid="subscribe" disabled title="No channel exists yet">Subscribe me</button>"#), "{html}");
    let (status, created) = console
        .api(
            "POST",
            "/api/v1/channels",
            &console.admin,
            json!({"kind": "webhook", "config": {"name": "hook", "url": "http://127.0.0.1:9/x"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let html = console.html(&path, &console.operator).await;
    let form = &html[html.find(r#"<form class="card subscribe""#).unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains(r#"data-api="POST /api/v1/subscriptions""#));
    assert!(form.contains(r#"<input type="hidden" name="user" value="olga">"#));
    assert!(form.contains(r#"<input type="hidden" name="job" value="payments">"#));
    assert!(
        form.contains(r#"<select name="channels" data-type="list" required >"#),
        "{form}"
    );
    assert!(
        form.contains(r#"data-testid="subscribe" >Subscribe me</button>"#),
        "{form}"
    );
    // What the form sends (console.js: the list-typed select becomes ["hook"]).
    let (status, answer) = console
        .api(
            "POST",
            "/api/v1/subscriptions",
            &console.operator,
            json!({"user": "olga", "job": job.name, "channels": ["hook"]}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let html = console.html(&path, &console.operator).await;
    assert!(html.contains(r#"<p class="small" data-testid="subscribed">You are subscribed to <b>payments</b> through hook.</p>"#), "{html}");
    assert!(html.contains(">Update my subscription</button>"));
}

#[tokio::test]
async fn the_application_list_has_selection_bulk_actions_and_the_upload_form_for_operators() {
    let console = Console::start().await;
    let app = console.add_app().await;
    let html = console.html("/ui/apps", &console.operator).await;
    assert!(
        html.contains(r#"<a href="/ui/apps" class="active" aria-current="page">Applications</a>"#)
    );
    assert!(html.contains(r#"<script src="/ui/assets/apps.js" defer></script>"#));
    let row = support::row(&html, r#"<tr data-app-id="app-1" data-app-name="orders">"#);
    assert!(
        row.contains(r#"<input type="checkbox" name="app" value="app-1""#),
        "{row}"
    );
    assert!(row.contains(r#"<a href="/ui/apps/app-1">orders</a>"#));
    assert!(row.contains("<td>shop</td>") && row.contains("<td>local</td>"));
    assert!(row.contains(r#"<span class="tag">team_a</span>"#), "{row}");
    assert!(row.contains(r#"<span class="badge good">enabled</span>"#));
    assert!(row.contains("never started"));
    assert!(row.contains("<td>v00002</td>"), "latest version: {row}");
    assert!(html.contains(r##"id="app-list" hx-get="/ui/apps" hx-select="#app-list""##));
    for op in ["start", "stop_with_savepoint", "enable", "disable"] {
        assert!(html.contains(&format!(r#"data-bulk="{op}""#)), "{op}");
    }
    let form = &html[html.find(r#"<form id="upload-form""#).unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    for part in [
        r#"enctype="multipart/form-data""#,
        r#"data-api="POST /api/v1/apps/upload""#,
        r#"data-then="go:/ui/apps/{app.id}""#,
        r#"<input type="file" name="file" accept=".zip,application/zip" required>"#,
        r#"<input type="text" name="project""#,
        r#"<input type="text" name="cluster""#,
        r#"<button type="submit" class="primary">Upload</button>"#,
    ] {
        assert!(form.contains(part), "{part} in {form}");
    }
    // The upload form is not refreshed under the user's hands.
    let live = &html[html.find(r#"id="app-list""#).unwrap()..];
    assert!(live.find("upload-form").unwrap() > live.find("</table>").unwrap());
    let dialog = &html[html.find(r#"<dialog id="confirm-dialog""#).unwrap()..];
    assert!(
        dialog.contains(r#"data-testid="inspect""#) && dialog.contains(r#"data-testid="confirm""#)
    );
    // What the dialog lists before a bulk start.
    let (status, checks) = console
        .api(
            "POST",
            "/api/v1/apps/inspect",
            &console.operator,
            json!({"apps": [app.id]}),
        )
        .await;
    assert_eq!(
        (status, checks),
        (200, json!([{"app_id": "app-1", "checks": []}]))
    );

    let html = console.html("/ui/apps", &console.viewer).await;
    assert!(html.contains(r#"<a href="/ui/apps/app-1">orders</a>"#));
    for hidden in [r#"name="app""#, "upload-form", "data-bulk", "<dialog"] {
        assert!(!html.contains(hidden), "a viewer sees no {hidden}");
    }
}

#[tokio::test]
async fn the_application_page_shows_versions_runs_and_lifecycle_buttons_to_operators_only() {
    let console = Console::start().await;
    console.add_app().await;
    let html = console.html("/ui/apps/app-1", &console.operator).await;
    assert!(html.contains("<h1>orders</h1>"));
    assert!(
        html.contains(r#"data-testid="app-state" data-status="never started""#),
        "{html}"
    );
    let versions = &html[html.find(r#"data-testid="versions""#).unwrap()..];
    let (v2, v1) = (
        versions.find(r#"data-version="v00002""#).unwrap(),
        versions.find(r#"data-version="v00001""#).unwrap(),
    );
    assert!(v2 < v1, "newest first");
    assert!(versions.contains("--in kafka"), "program arguments");
    assert!(html.contains("Never started."));
    for button in ["start", "stop", "savepoint", "enable", "disable"] {
        assert!(
            html.contains(&format!(r#"data-testid="{button}""#)),
            "{button} button"
        );
    }
    assert!(html.contains(r#"data-api="POST /api/v1/apps/app-1/enable""#));
    let dialog = &html[html.find(r#"<dialog id="confirm-dialog""#).unwrap()..];
    let dialog = &dialog[..dialog.find("</dialog>").unwrap()];
    for part in [
        r#"data-app="app-1""#,
        r#"data-cluster="local""#,
        r#"<div data-testid="inspect" aria-live="polite">"#,
        r#"<option value="v00002">v00002 (newest)</option>"#,
        r#"<input type="checkbox" name="savepoint" checked>"#,
        r#"<div class="result" data-result></div>"#,
        r#"<button type="button" data-close>Cancel</button>"#,
        r#"<button type="button" class="primary" data-testid="confirm">"#,
    ] {
        assert!(dialog.contains(part), "{part} in {dialog}");
    }
    // What the dialog shows, and what confirm calls (here the lifecycle's error: the
    // test's lifecycle has no cluster).
    let (status, inspected) = console
        .api(
            "GET",
            "/api/v1/apps/app-1/inspect?version=v00001",
            &console.operator,
            json!(null),
        )
        .await;
    assert_eq!(
        (status, inspected),
        (200, json!({"app_id": "app-1", "checks": []}))
    );
    let (status, answer) = console
        .api(
            "POST",
            "/api/v1/apps/app-1/start",
            &console.operator,
            json!({"version": "v00002", "allow_non_restored_state": false}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "cluster: no cluster named \"local\"");

    let html = console.html("/ui/apps/app-1", &console.viewer).await;
    assert!(html.contains(r#"data-version="v00002""#));
    for hidden in ["start", "stop", "savepoint", "enable", "disable", "confirm"] {
        assert!(
            !html.contains(&format!(r#"data-testid="{hidden}""#)),
            "a viewer sees no {hidden} button"
        );
    }
    let (status, _) = console.page("/ui/apps/nope", &console.viewer).await;
    assert_eq!(status, 404);
    let response = reqwest::get(format!("{}/ui/assets/apps.js", console.base))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "text/javascript");
}

#[tokio::test]
async fn a_managed_applications_job_shows_the_application_panel() {
    let console = Console::start().await;
    let app = console.add_app().await;
    let job = snapshot(JID, "orders", JobState::Running);
    console
        .observe(
            "local",
            vec![job.clone()],
            vec![event("r1", EventKind::JobDiscovered, &job, None, 10)],
            vec![],
        )
        .await;
    console
        .store
        .put_run(&Run {
            id: "run-1".into(),
            app_id: app.id.clone(),
            version: "v00002".into(),
            cluster: "local".into(),
            jid: Some(JID.into()),
            status: RunStatus::Running,
            restore_path: Some("file:///ck/orders/chk-7".into()),
            started_by: "olga".into(),
            started_ms: 1_763_719_200_000,
            ended_ms: None,
            stop_requested_by: None,
            savepoint_path: None,
            message: None,
            healing: None,
        })
        .await
        .unwrap();
    let html = console
        .html(&format!("/ui/jobs/local/{JID}"), &console.operator)
        .await;
    assert!(html.contains("<h2>Managed application</h2>"), "{html}");
    assert!(html.contains(r#"<script src="/ui/assets/apps.js" defer></script>"#));
    let state = &html[html.find(r#"data-testid="app-state""#).unwrap()..];
    let state = &state[..state.find("</dd>").unwrap()];
    assert!(state.contains(r#"data-status="running""#), "{state}");
    assert!(state.contains(r#"<span class="badge good">running</span>"#));
    assert!(state.contains("Flink RUNNING"));
    assert!(html.contains(&format!(
        r#"<a class="mono" data-testid="app-job" href="/ui/jobs/local/{JID}">{JID}</a>"#
    )));
    assert!(html.contains(&format!(
        r##"id="app-live" hx-get="/ui/jobs/local/{JID}" hx-select="#app-live""##
    )));
    assert!(html.contains("↺ file:///ck/orders/chk-7"), "restore path");
    assert!(
        html.contains(r#"data-testid="start""#) && html.contains(r#"<dialog id="confirm-dialog""#)
    );
    // The panel's own refresh skips Flink (no checkpoints note rendered then).
    let response = reqwest::Client::new()
        .get(format!("{}/ui/jobs/local/{JID}", console.base))
        .bearer_auth(&console.viewer)
        .header("hx-target", "app-live")
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap().replace("&#x2f;", "/");
    assert!(html.contains(r#"id="app-live""#));
    assert!(html.contains("Checkpoints cannot be read from Flink now: not loaded"));

    let html = console.html("/ui/apps/app-1", &console.viewer).await;
    assert!(html.contains(&format!(r#"href="/ui/jobs/local/{JID}""#)));
    assert!(html.contains(r#"data-status="running""#));
}
