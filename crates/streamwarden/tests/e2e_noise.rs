//! End to end against a real Flink 2.3 cluster: routes send each job's alert to its own
//! receiver, a silence mutes and history shows it, a burst is the first alert plus one group,
//! a job brought back is resolved, and an ongoing outage repeats only after `repeat_interval`.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use streamwarden_testkit::WebhookReceiver;
use support::warden::Warden;
use support::{cancel, flink_url, submit_demo, unique, wait_for};

const LONG: Duration = Duration::from_secs(90);

fn about(receiver: &WebhookReceiver, name: &str) -> Vec<Value> {
    receiver
        .accepted()
        .into_iter()
        .filter(|b| b.to_string().contains(name))
        .collect()
}

#[tokio::test]
async fn routes_pick_the_receiver_and_a_silence_mutes_while_history_keeps_it() {
    let (a, b) = (
        WebhookReceiver::start().await,
        WebhookReceiver::start().await,
    );
    let (job_a, job_b, job_c) = (
        unique("e2e-route-a"),
        unique("e2e-route-b"),
        unique("e2e-muted"),
    );
    let warden = Warden::start(&format!(
        r#"
[[clusters]]
name = "e2e"
url = "{flink}"

[[channels]]
name = "team-a"
kind = "webhook"
url = "{a}"

[[channels]]
name = "team-b"
kind = "webhook"
url = "{b}"

[[routes]]
name = "a"
jobs = ["{job_a}", "{job_c}"]
channels = ["team-a"]

[[routes]]
name = "b"
jobs = ["{job_b}"]
channels = ["team-b"]
"#,
        flink = flink_url(),
        a = a.url(),
        b = b.url(),
    ))
    .await;
    let added = warden.cli(&[
        "silences",
        "add",
        "--job",
        &job_c,
        "--duration",
        "1h",
        "--comment",
        "upgrading",
        "--author",
        "alice",
    ]);
    let silence_id = added.split_whitespace().nth(1).unwrap().to_string();
    assert!(warden.cli(&["silences", "list"]).contains(&silence_id));
    let routes = warden.cli(&["routes", "list"]);
    assert!(
        routes.contains(&job_a) && routes.contains("team-b"),
        "{routes}"
    );
    for name in [&job_a, &job_b, &job_c] {
        submit_demo(
            &flink_url(),
            &["--mode", "fail", "--after-ms", "2000", "--name", name],
        )
        .await;
    }
    wait_for("job a's alert at receiver a", LONG, || async {
        about(&a, &job_a).pop()
    })
    .await;
    wait_for("job b's alert at receiver b", LONG, || async {
        about(&b, &job_b).pop()
    })
    .await;
    let muted = wait_for("job c's alert silenced in the history", LONG, || async {
        let alerts = warden
            .get(&format!("/api/v1/alerts?job={job_c}&state=silenced"))
            .await;
        alerts.as_array()?.first().cloned()
    })
    .await;
    assert_eq!(muted["silenced_by"], silence_id.as_str());
    let listed = warden.cli(&["alerts", "--job", &job_c, "--state", "silenced"]);
    assert!(listed.contains("silenced"), "{listed}");
    assert_eq!(muted["deliveries"], json!([]), "nothing sent for it");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(about(&b, &job_a).is_empty(), "job a only at receiver a");
    assert!(about(&a, &job_b).is_empty(), "job b only at receiver b");
    assert!(about(&a, &job_c).is_empty(), "job c silenced");
}

#[tokio::test]
async fn ten_failures_at_once_are_the_first_alert_and_one_group_of_nine() {
    let hook = WebhookReceiver::start().await;
    let prefix = unique("e2e-burst");
    let warden = Warden::start(&format!(
        r#"
[[clusters]]
name = "e2e"
url = "{flink}"

[[channels]]
name = "grouped-hook"
kind = "webhook"
url = "{hook}"

[[routes]]
name = "burst"
jobs = ["{prefix}-*"]
channels = ["grouped-hook"]
group_webhooks = true
"#,
        flink = flink_url(),
        hook = hook.url(),
    ))
    .await;
    // Ten jobs that all fail at the same moment, about 12 s after the first submission.
    let started = Instant::now();
    for i in 0..10 {
        let after = 12_000 - started.elapsed().as_millis() as i64;
        let name = format!("{prefix}-{i}");
        submit_demo(
            &flink_url(),
            &[
                "--mode",
                "fail",
                "--after-ms",
                &after.to_string(),
                "--name",
                &name,
            ],
        )
        .await;
    }
    let messages = wait_for("the alert and the group", LONG, || async {
        let m = hook.accepted();
        (m.len() >= 2).then_some(m)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(12)).await;
    let messages = if hook.accepted().len() > messages.len() {
        hook.accepted()
    } else {
        messages
    };
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(messages[0]["notice"], "alert");
    assert_eq!(messages[0]["job"]["state"], "FAILED");
    assert_eq!(messages[1]["notice"], "group");
    assert_eq!(messages[1]["count"], 9);
    let mut names: Vec<String> = messages[1]["events"]
        .as_array()
        .unwrap()
        .iter()
        .chain(std::iter::once(&messages[0]))
        .map(|e| e["job"]["name"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 10, "every job is in one of the two: {names:?}");
    let history = warden.get("/api/v1/alerts?state=firing&limit=100").await;
    let ours = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["job"].as_str().is_some_and(|j| j.starts_with(&prefix)))
        .count();
    assert_eq!(ours, 10, "nothing lost from history");
}

#[tokio::test]
async fn a_job_brought_back_is_resolved_to_the_receiver_that_heard_of_it() {
    let hook = WebhookReceiver::start().await;
    let name = unique("e2e-back");
    let warden = Warden::start(&format!(
        r#"
[alerting]
resolve_after = "3s"

[[clusters]]
name = "e2e"
url = "{flink}"

[[channels]]
name = "hook"
kind = "webhook"
url = "{hook}"

[[routes]]
name = "mine"
jobs = ["{name}"]
channels = ["hook"]
"#,
        flink = flink_url(),
        hook = hook.url(),
    ))
    .await;
    submit_demo(
        &flink_url(),
        &["--mode", "fail", "--after-ms", "2000", "--name", &name],
    )
    .await;
    let alert = wait_for("the FAILED alert", LONG, || async {
        about(&hook, &name).pop()
    })
    .await;
    assert_eq!(alert["notice"], "alert");
    // Brought back: a new Flink job with the same name.
    let jid = submit_demo(&flink_url(), &["--mode", "steady", "--name", &name]).await;
    let resolved = wait_for("the resolution", LONG, || async {
        about(&hook, &name)
            .into_iter()
            .find(|b| b["notice"] == "resolved")
    })
    .await;
    cancel(&flink_url(), &jid).await;
    assert_eq!(
        resolved["alert_id"], alert["alert_id"],
        "it references the original alert"
    );
    assert_eq!(resolved["job"]["state"], "RUNNING");
    assert_eq!(resolved["job"]["id"], jid.as_str());
    let history = warden
        .get(&format!("/api/v1/alerts?job={name}&state=resolved"))
        .await;
    let record = &history.as_array().unwrap()[0];
    let notices: Vec<&str> = record["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["notice"].as_str())
        .collect();
    assert_eq!(notices, ["alert", "resolved"]);
}

#[tokio::test]
async fn an_unreachable_cluster_repeats_only_after_the_repeat_interval() {
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = WebhookReceiver::start().await;
    let warden = Warden::start(&format!(
        r#"
[watch]
interval = "500ms"
request_timeout = "300ms"
unreachable_after = 2

[alerting]
repeat_interval = "6s"

[[clusters]]
name = "gone"
url = "http://{hole}"

[[channels]]
name = "hook"
kind = "webhook"
url = "{hook}"
"#,
        hole = black_hole.local_addr().unwrap(),
        hook = hook.url(),
    ))
    .await;
    let first = wait_for("cluster_unreachable", LONG, || async {
        hook.requests().first().cloned()
    })
    .await;
    let first_body = first.json().unwrap();
    assert_eq!(first_body["kind"], "cluster_unreachable");
    assert_eq!(first_body["notice"], "alert");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(hook.requests().len(), 1, "no repeat before repeat_interval");
    let repeat = wait_for("the repeat", Duration::from_secs(20), || async {
        hook.requests().get(1).cloned()
    })
    .await;
    assert_eq!(repeat.json().unwrap()["notice"], "repeat");
    let gap = repeat.at_ms - first.at_ms;
    assert!((5_500..9_000).contains(&gap), "repeated after {gap} ms");
    // Acknowledged (with the CLI): no more repeats.
    let alert_id = first_body["alert_id"].as_str().unwrap().to_string();
    let acked = warden.cli(&["alerts", "ack", &alert_id, "--by", "alice"]);
    assert!(acked.contains("acknowledged by alice"), "{acked}");
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert_eq!(hook.requests().len(), 2, "acknowledged: the repeats stop");
}
