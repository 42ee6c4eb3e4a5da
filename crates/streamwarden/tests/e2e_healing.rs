//! End to end against a real Flink 2.3 cluster: self-healing (a managed application restarted
//! from its latest checkpoint with its state continuing, the limit honoured, one restart in
//! flight across a kill of StreamWarden) and unhealthy-job detection (a restart loop, stalled
//! and failing checkpoints reported; a healthy job never, over two minutes).
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::time::Duration;
use support::apps::{Apps, jar_meta};
use support::warden::Warden;
use support::{cancel, flink, flink_url, sql_runner, submit_demo, unique, wait_for};

/// A StreamWarden with `sections` (TOML: `[healing]`, `[health]`) watching the test cluster,
/// sending every alert about jobs named `prefix*` to a webhook receiver.
async fn healing_warden(
    sections: &str,
    prefix: &str,
    hook: &streamwarden_testkit::WebhookReceiver,
) -> Apps {
    let warden = Warden::start(&format!(
        r#"
sql_runner = "{runner}"

{sections}

[[clusters]]
name = "e2e"
url = "{flink}"

[[channels]]
name = "hook"
kind = "webhook"
url = "{hook}"

[[routes]]
name = "mine"
jobs = ["{prefix}*"]
channels = ["hook"]
"#,
        runner = sql_runner().display(),
        flink = flink_url(),
        hook = hook.url(),
    ))
    .await;
    Apps::with(warden)
}

/// meta.json of the demo job in `args` mode with the fail-restart switch on, checkpointing
/// every 300 ms into a retained directory of `apps`.
fn failing_meta(apps: &Apps, name: &str, args: &[&str]) -> Value {
    let mut meta = jar_meta("e2e", name, "e2e", &apps.savepoints);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--checkpoint-ms", "300", "--name", name]);
    meta["jobContent"]["args"] = json!(all);
    meta["jobConfig"]["wds.linkis.flink.produce"]["wds.linkis.flink.app.fail-restart.switch"] =
        json!("ON");
    let custom = &mut meta["jobConfig"]["wds.linkis.flink.custom"];
    custom["execution.checkpointing.dir"] = json!(format!(
        "file://{}",
        apps.warden.dir.join("checkpoints").display()
    ));
    custom["execution.checkpointing.externalized-checkpoint-retention"] =
        json!("RETAIN_ON_CANCELLATION");
    meta
}

/// The alerts about `name` the receiver accepted: their kinds, a state change as its state.
fn kinds(hook: &streamwarden_testkit::WebhookReceiver, name: &str) -> Vec<String> {
    of_job(hook, name)
        .iter()
        .map(|b| match b["kind"].as_str().unwrap_or_default() {
            "job_state_changed" => b["job"]["state"].as_str().unwrap_or_default().to_string(),
            other => other.to_string(),
        })
        .collect()
}

fn of_job(hook: &streamwarden_testkit::WebhookReceiver, name: &str) -> Vec<Value> {
    hook.accepted()
        .into_iter()
        .filter(|b| b["job"]["name"] == name)
        .collect()
}

/// Waits until the receiver accepted an alert of `kind` about `name`.
async fn wait_for_kind(
    hook: &streamwarden_testkit::WebhookReceiver,
    name: &str,
    kind: &str,
    timeout: Duration,
) {
    wait_for(kind, timeout, || async {
        kinds(hook, name).iter().any(|k| k == kind).then_some(())
    })
    .await;
}

/// The count the demo job's failure reports (`… at count C`).
fn failure_count(message: &str) -> u64 {
    message
        .rsplit("at count ")
        .next()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count in {message:?}"))
}

#[tokio::test]
async fn a_failing_application_is_restarted_from_its_checkpoint_until_the_limit() {
    let hook = streamwarden_testkit::WebhookReceiver::start().await;
    let name = unique("e2e-heal");
    let apps = healing_warden(
        "[healing]\nmax_restarts = 2\nbackoff_initial = \"1s\"",
        &name,
        &hook,
    )
    .await;
    let meta = failing_meta(&apps, &name, &["--mode", "fail", "--after-ms", "4000"]);
    let id = apps.upload_ok(&meta).await;
    apps.start_ok(&id).await;

    wait_for_kind(&hook, &name, "restart_gave_up", Duration::from_secs(150)).await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        kinds(&hook, &name),
        [
            "FAILED",
            "restart_scheduled",
            "restart_succeeded",
            "restart_scheduled",
            "restart_succeeded",
            "restart_gave_up"
        ],
        "in order; the job staying down is one alert; the limit honoured, given up once"
    );
    // Every step carries its attempt: 1 of 2, then 2 of 2, and the restore point.
    let steps: Vec<(String, u64, u64)> = of_job(&hook, &name)
        .iter()
        .filter(|b| b["restart"].is_object())
        .map(|b| {
            (
                b["kind"].as_str().unwrap().to_string(),
                b["restart"]["attempt"].as_u64().unwrap(),
                b["restart"]["max_restarts"].as_u64().unwrap(),
            )
        })
        .collect();
    let step = |k: &str, a: u64| (k.to_string(), a, 2);
    assert_eq!(
        steps,
        [
            step("restart_scheduled", 1),
            step("restart_succeeded", 1),
            step("restart_scheduled", 2),
            step("restart_succeeded", 2),
            step("restart_gave_up", 2)
        ]
    );
    let succeeded = &of_job(&hook, &name)
        .into_iter()
        .find(|b| b["kind"] == "restart_succeeded")
        .unwrap();
    assert!(
        succeeded["restart"]["restore_point"]
            .as_str()
            .is_some_and(|p| p.contains("chk-"))
            && succeeded["restart"]["new_job_id"].as_str().is_some(),
        "{succeeded}"
    );

    // The restarted jobs really restored from a checkpoint of the failed one, and the job's
    // counter went on from it: each failure reports a higher count than the one before.
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    let mut runs: Vec<Value> = runs.as_array().unwrap().clone();
    runs.reverse(); // oldest first
    let by: Vec<&str> = runs
        .iter()
        .map(|r| r["started_by"].as_str().unwrap())
        .collect();
    assert_eq!(by, ["alice", "auto-restart", "auto-restart"], "{runs:?}");
    let healing: Vec<&str> = runs
        .iter()
        .map(|r| r["healing"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        healing,
        [
            "restart 1 of 2 scheduled",
            "restart 2 of 2 scheduled",
            "not restarted: 2 automatic restarts within the window"
        ]
    );
    for r in &runs[1..] {
        assert!(
            r["restore_path"]
                .as_str()
                .is_some_and(|p| p.contains("chk-")),
            "{r}"
        );
    }
    let counts: Vec<u64> = runs
        .iter()
        .map(|r| failure_count(r["message"].as_str().unwrap()))
        .collect();
    // Each attempt processes about 40 records (4 s at 100 ms) on top of its restored state.
    assert!(
        counts[1] > counts[0] + 20 && counts[2] > counts[1] + 20,
        "the counter continues across restores: {counts:?}"
    );
    // The restarts are counted in StreamWarden's own metrics.
    let metrics = reqwest::get(format!("{}/metrics", apps.warden.api))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "streamwarden_restarts_total{outcome=\"succeeded\"} 2",
        "streamwarden_restarts_total{outcome=\"gave_up\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    let jid = runs[1]["jid"].as_str().unwrap();
    let stats = flink(&flink_url()).job_checkpoints(jid).await.unwrap();
    let restored = stats
        .latest
        .restored
        .and_then(|r| r.external_path)
        .unwrap_or_default();
    assert!(
        restored.contains("chk-"),
        "Flink restored from a checkpoint: {restored:?}"
    );
}

#[tokio::test]
async fn a_restart_interrupted_by_a_kill_of_streamwarden_is_made_exactly_once() {
    let hook = streamwarden_testkit::WebhookReceiver::start().await;
    let name = unique("e2e-heal-kill");
    let mut apps = healing_warden(
        "[healing]\nmax_restarts = 1\nbackoff_initial = \"10s\"",
        &name,
        &hook,
    )
    .await;
    let meta = failing_meta(&apps, &name, &["--mode", "fail", "--after-ms", "30000"]);
    let id = apps.upload_ok(&meta).await;
    apps.start_ok(&id).await;
    // The first attempt fails after 30 s; StreamWarden dies during the 10 s backoff.
    wait_for_kind(&hook, &name, "restart_scheduled", Duration::from_secs(90)).await;
    apps.warden.kill9();
    tokio::time::sleep(Duration::from_secs(3)).await;
    apps.warden.spawn().await;
    wait_for_kind(&hook, &name, "restart_succeeded", Duration::from_secs(90)).await;
    let jobs = flink(&flink_url()).jobs_overview().await.unwrap();
    let running: Vec<_> = jobs
        .iter()
        .filter(|j| j.name == name && j.state == "RUNNING")
        .collect();
    assert_eq!(running.len(), 1, "exactly one job runs: {jobs:?}");
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    let restarts: Vec<&Value> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["started_by"] == "auto-restart")
        .collect();
    assert_eq!(restarts.len(), 1, "{runs}");
    assert_eq!(restarts[0]["jid"], running[0].jid.as_str());
    assert_eq!(
        kinds(&hook, &name),
        ["FAILED", "restart_scheduled", "restart_succeeded"],
        "resumed, not scheduled again"
    );
    apps.stop_ok(&id).await;
}

/// Events of the job `name` of a kind, as `check` names.
async fn checks(apps: &Apps, name: &str, kind: &str) -> Vec<String> {
    let events = apps
        .warden
        .get(&format!("/api/v1/events?job={name}&kind={kind}&limit=500"))
        .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["health"]["check"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn restart_loops_and_stalled_checkpoints_are_reported_and_a_healthy_job_never() {
    let hook = streamwarden_testkit::WebhookReceiver::start().await;
    let prefix = unique("e2e-health");
    let apps = healing_warden(
        r#"[health]
check_interval = "2s"
restart_loop = { max_restarts = 2, window = "2m" }
checkpoint_stalled = { threshold = "8s" }
failed_checkpoints = { max_failed = 2, window = "2m" }"#,
        &prefix,
        &hook,
    )
    .await;
    let url = flink_url();
    let healthy = format!("{prefix}-healthy");
    let looping = format!("{prefix}-loop");
    let stalled = format!("{prefix}-stall");
    let tuned = format!("{prefix}-tuned");
    let stall_args = |name: &str| {
        vec![
            "--mode".to_string(),
            "stall".into(),
            "--checkpoint-ms".into(),
            "500".into(),
            "--after-ms".into(),
            "3000".into(),
            "--checkpoint-timeout-ms".into(),
            "1000".into(),
            "--tolerable-failures".into(),
            "1000".into(),
            "--name".into(),
            name.to_string(),
        ]
    };
    let jids = [
        submit_demo(
            &url,
            &[
                "--mode",
                "steady",
                "--checkpoint-ms",
                "1000",
                "--name",
                &healthy,
            ],
        )
        .await,
        submit_demo(
            &url,
            &["--mode", "loop", "--after-ms", "1000", "--name", &looping],
        )
        .await,
        submit_demo(
            &url,
            &stall_args(&stalled)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .await,
    ];
    // The same stall as a managed application whose own policy tunes the checks: a shorter
    // stall threshold, failed checkpoints not checked. Set with the CLI.
    let mut meta = jar_meta("e2e", &tuned, "e2e", &apps.savepoints);
    meta["jobContent"]["args"] = json!(stall_args(&tuned));
    let id = apps.upload_ok(&meta).await;
    let shown = apps.warden.cli(&[
        "apps",
        "policy",
        &id,
        "--set",
        "health.checkpoint_stalled.threshold=4s",
        "--set",
        "health.failed_checkpoints.enabled=false",
    ]);
    let policy: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        policy["health"],
        json!({"checkpoint_stalled": {"threshold": "4s"}, "failed_checkpoints": {"enabled": false}})
    );
    apps.start_ok(&id).await;

    // Two minutes of watching.
    tokio::time::sleep(Duration::from_secs(120)).await;

    assert_eq!(
        checks(&apps, &healthy, "job_unhealthy").await,
        Vec::<String>::new(),
        "a healthy job is never reported"
    );
    let completed = flink(&url)
        .job_checkpoints(&jids[0])
        .await
        .unwrap()
        .counts
        .completed;
    assert!(completed > 60, "it did checkpoint: {completed}");
    assert_eq!(
        checks(&apps, &looping, "job_unhealthy").await,
        ["restart_loop"],
        "reported once while it loops"
    );
    let mut stall = checks(&apps, &stalled, "job_unhealthy").await;
    stall.sort();
    assert_eq!(
        stall,
        ["checkpoint_stalled", "checkpoints_failing"],
        "each reported once, failed checkpoints counted once per id"
    );
    assert_eq!(
        checks(&apps, &tuned, "job_unhealthy").await,
        ["checkpoint_stalled"],
        "the application's policy turned the failed-checkpoints check off"
    );
    // The alerts went out with the checks' severities.
    let alerts: Vec<(String, String, String)> = hook
        .accepted()
        .iter()
        .filter(|b| b["kind"] == "job_unhealthy")
        .map(|b| {
            (
                b["job"]["name"].as_str().unwrap().to_string(),
                b["health"]["check"].as_str().unwrap().to_string(),
                b["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        (looping.clone(), "restart_loop", "major"),
        (stalled.clone(), "checkpoints_failing", "warning"),
        (tuned.clone(), "checkpoint_stalled", "major"),
    ] {
        let expected = (expected.0, expected.1.to_string(), expected.2.to_string());
        assert!(alerts.contains(&expected), "{expected:?} in {alerts:?}");
    }

    for jid in &jids {
        cancel(&url, jid).await;
    }
    apps.stop_ok(&id).await;
}

#[tokio::test]
async fn an_application_in_a_restart_loop_is_restarted_when_its_policy_says_so_then_given_up() {
    let hook = streamwarden_testkit::WebhookReceiver::start().await;
    let name = unique("e2e-heal-loop");
    let apps = healing_warden(
        r#"[healing]
max_restarts = 1
backoff_initial = "1s"

[health]
check_interval = "2s"
restart_loop = { max_restarts = 2, window = "2m" }"#,
        &name,
        &hook,
    )
    .await;
    let mut meta = jar_meta("e2e", &name, "e2e", &apps.savepoints);
    meta["jobContent"]["args"] = json!(["--mode", "loop", "--after-ms", "1000", "--name", name]);
    let id = apps.upload_ok(&meta).await;
    // The fail-restart switch is off in meta.json: the application's own policy turns
    // restarts on, for unhealthy jobs too.
    let (status, app) = apps
        .put(
            &format!("/api/v1/apps/{id}/policy"),
            json!({"restart": {"enabled": true, "on_unhealthy": true}}),
        )
        .await;
    assert_eq!(status, 200, "{app}");
    let run = apps.start_ok(&id).await;
    let first = run["jid"].as_str().unwrap().to_string();

    wait_for_kind(&hook, &name, "restart_gave_up", Duration::from_secs(150)).await;
    let steps: Vec<String> = kinds(&hook, &name)
        .into_iter()
        .filter(|k| k.starts_with("restart_") || k == "job_unhealthy" || k == "CANCELED")
        .collect();
    assert_eq!(
        steps,
        [
            "job_unhealthy",
            "restart_scheduled",
            "restart_succeeded",
            "job_unhealthy",
            "restart_gave_up"
        ],
        "the looping job is restarted once, its cancel is not an alert, then the limit"
    );
    let scheduled = of_job(&hook, &name)
        .into_iter()
        .find(|b| b["kind"] == "restart_scheduled")
        .unwrap();
    assert_eq!(scheduled["restart"]["trigger"], "unhealthy", "{scheduled}");
    assert_eq!(support::job_state(&flink_url(), &first).await, "CANCELED");
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    let first_run = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["jid"] == first.as_str())
        .unwrap();
    assert_eq!(
        (&first_run["status"], &first_run["stop_requested_by"]),
        (&json!("stopped"), &json!("auto-restart")),
        "{first_run}"
    );
    apps.stop_ok(&id).await;
}

#[tokio::test]
async fn a_job_that_failed_while_streamwarden_was_down_is_restarted_when_it_is_back() {
    let hook = streamwarden_testkit::WebhookReceiver::start().await;
    let name = unique("e2e-heal-down");
    let mut apps = healing_warden(
        "[healing]\nmax_restarts = 1\nbackoff_initial = \"1s\"",
        &name,
        &hook,
    )
    .await;
    let meta = failing_meta(&apps, &name, &["--mode", "fail", "--after-ms", "8000"]);
    let id = apps.upload_ok(&meta).await;
    apps.start_ok(&id).await;
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    let first = runs[0]["jid"].as_str().unwrap().to_string();
    apps.warden.kill9();
    wait_for("the job failed", Duration::from_secs(60), || async {
        (support::job_state(&flink_url(), &first).await == "FAILED").then_some(())
    })
    .await;
    apps.warden.spawn().await;
    wait_for_kind(&hook, &name, "restart_succeeded", Duration::from_secs(60)).await;
    assert_eq!(
        kinds(&hook, &name),
        ["FAILED", "restart_scheduled", "restart_succeeded"],
        "the failure seen on return is alerted once and healed"
    );
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    assert_eq!(runs[1]["jid"], first.as_str(), "{runs}");
    assert_eq!(runs[1]["status"], "failed", "{runs}");
    assert_eq!(runs[0]["started_by"], "auto-restart", "{runs}");
    assert!(
        runs[0]["restore_path"]
            .as_str()
            .is_some_and(|p| p.contains("chk-")),
        "{runs}"
    );
    apps.stop_ok(&id).await;
}
