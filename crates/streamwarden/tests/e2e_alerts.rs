//! End to end against a real Flink 2.3 cluster: a job that fails, a job cancelled through
//! Flink's REST API and a restart-looping job each reach a real webhook receiver.

#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use std::time::Duration;
use support::receiver::{Alerts, Receiver};
use support::warden::Warden;
use support::{cancel, flink_url, submit_demo, unique, wait_for};

/// StreamWarden watching the test cluster and, beside it, a "black hole" cluster that accepts
/// connections and never answers, so every alert below also proves that a dead cluster does not
/// delay another.
async fn watch_test_cluster(receiver: &Receiver) -> (Warden, std::net::TcpListener) {
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let warden = Warden::start(&format!(
        "[[clusters]]\nname = \"black-hole\"\nurl = \"http://{}\"\n\n\
         [[clusters]]\nname = \"e2e\"\nurl = \"{}\"\n\n\
         [[channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n",
        black_hole.local_addr().unwrap(),
        flink_url(),
        receiver.url()
    ))
    .await;
    (warden, black_hole)
}

/// Waits until StreamWarden's API lists the job as RUNNING.
async fn seen_running(warden: &Warden, jid: &str) {
    wait_for(
        "the job RUNNING in /api/v1/jobs",
        Duration::from_secs(60),
        || async {
            let jobs = warden.get("/api/v1/jobs").await;
            jobs.as_array()?
                .iter()
                .any(|j| j["jid"] == jid && j["state"] == "RUNNING")
                .then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn failed_job_alert_carries_root_exception() {
    let receiver = Receiver::start().await;
    let (warden, _black_hole) = watch_test_cluster(&receiver).await;
    let name = unique("e2e-fail");
    let jid = submit_demo(
        &flink_url(),
        &["--mode", "fail", "--after-ms", "4000", "--name", &name],
    )
    .await;
    let alert = wait_for("the FAILED alert", Duration::from_secs(90), || async {
        receiver
            .alerts_for(&jid, "job_state_changed", Some("FAILED"))
            .pop()
    })
    .await;
    assert_eq!(alert["job"]["name"], name.as_str());
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["cluster"]["name"], "e2e");
    assert!(
        matches!(
            alert["job"]["previous_state"].as_str(),
            Some("RUNNING" | "FAILING")
        ),
        "{alert}"
    );
    let message = alert["exception"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("demo failure after 4000 ms"), "{alert}");
    assert_eq!(
        alert["exception"]["name"],
        "java.lang.IllegalStateException"
    );
    assert!(alert["job"]["end_time"].is_string(), "{alert}");
    assert_eq!(alert["version"], "1");
    // StreamWarden's own metrics counted the polls, the event and the delivery.
    let metrics = wait_for("the delivery counted", Duration::from_secs(10), || async {
        let text = reqwest::get(format!("{}/metrics", warden.api))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("streamwarden_deliveries_total{channel=\"hook\",outcome=\"delivered\"}")
            .then_some(text)
    })
    .await;
    let value = |prefix: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{prefix} in\n{metrics}"))
    };
    assert!(value("streamwarden_poll_duration_seconds_count{cluster=\"e2e\"}") >= 1.0);
    assert!(value("streamwarden_events_total{cluster=\"e2e\",kind=\"job_state_changed\"}") >= 1.0);
    assert_eq!(value("streamwarden_cluster_up{cluster=\"e2e\"}"), 1.0);
    assert!(value("streamwarden_jobs{cluster=\"e2e\",state=\"FAILED\"}") >= 1.0);
    // Polls of the black hole time out after 5 s; they must not hold up this cluster's alert.
    let received_at = receiver
        .requests()
        .iter()
        .find(|r| r.json().is_some_and(|b| b["event_id"] == alert["event_id"]))
        .map(|r| r.at_ms)
        .unwrap();
    let end_time = support::flink(&flink_url())
        .job(&jid)
        .await
        .unwrap()
        .end_time()
        .unwrap();
    assert!(
        received_at - end_time < 4_000,
        "alert took {} ms after Flink's end-time",
        received_at - end_time
    );
    let clusters = warden.get("/api/v1/clusters").await;
    let hole = clusters
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "black-hole")
        .unwrap();
    let error = hole["health"]["last_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("black-hole")
            && error.contains("/jobs/overview")
            && error.contains("timed out"),
        "{hole}"
    );

    // Exactly one: later polls see the same FAILED job and stay silent.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let failed = receiver.alerts_for(&jid, "job_state_changed", Some("FAILED"));
    assert_eq!(failed.len(), 1, "{failed:?}");
    let events = warden.get(&format!("/api/v1/events?job={jid}")).await;
    let stored_failed = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["job"]["state"] == "FAILED")
        .count();
    assert_eq!(stored_failed, 1, "{events}");

    // The CLI prints the same from the API.
    let jobs = warden.cli(&["jobs", "--cluster", "e2e"]);
    let row = jobs.lines().find(|l| l.contains(&jid)).unwrap_or_default();
    assert!(row.contains("FAILED") && row.contains(&name), "{jobs}");
    let events = warden.cli(&["events", "--job", &jid, "--kind", "job_state_changed"]);
    assert!(
        events.contains("RUNNING → FAILED") && events.contains("critical"),
        "{events}"
    );
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_streamwarden"))
        .args(["events", "--kind", "nonsense", "--server", &warden.api])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("kind: unknown event kind"));
}

#[tokio::test]
async fn job_cancelled_through_flink_is_alerted_as_canceled() {
    let receiver = Receiver::start().await;
    let (warden, _black_hole) = watch_test_cluster(&receiver).await;
    let name = unique("e2e-cancel");
    let jid = submit_demo(&flink_url(), &["--mode", "steady", "--name", &name]).await;
    seen_running(&warden, &jid).await;
    cancel(&flink_url(), &jid).await;
    let alert = wait_for("the CANCELED alert", Duration::from_secs(60), || async {
        receiver
            .alerts_for(&jid, "job_state_changed", Some("CANCELED"))
            .pop()
    })
    .await;
    assert_eq!(alert["severity"], "major");
    assert_eq!(alert["job"]["name"], name.as_str());
    assert!(
        matches!(
            alert["job"]["previous_state"].as_str(),
            Some("RUNNING" | "CANCELLING")
        ),
        "{alert}"
    );
    assert_eq!(alert["exception"], serde_json::Value::Null);
    // Starting the job was recorded, not alerted.
    let alerts: Vec<_> = receiver
        .accepted()
        .into_iter()
        .filter(|b| b["job"]["id"] == jid.as_str())
        .collect();
    assert!(
        alerts.iter().all(|b| b["job"]["state"] != "RUNNING"),
        "a normal start must not alert: {alerts:?}"
    );
}

#[tokio::test]
async fn a_restart_loop_is_alerted_once_while_every_restart_is_recorded() {
    let receiver = Receiver::start().await;
    let (warden, _black_hole) = watch_test_cluster(&receiver).await;
    let name = unique("e2e-loop");
    let jid = submit_demo(
        &flink_url(),
        &[
            "--mode",
            "loop",
            "--after-ms",
            "1500",
            "--restart-delay-ms",
            "500",
            "--name",
            &name,
        ],
    )
    .await;
    // Flink refreshes numRestarts about every 10 s: wait for two growths in the history.
    let events = wait_for(
        "two job_restarted events",
        Duration::from_secs(90),
        || async {
            let events = warden
                .get(&format!("/api/v1/events?job={jid}&kind=job_restarted"))
                .await;
            (events.as_array()?.len() >= 2).then_some(events)
        },
    )
    .await;
    cancel(&flink_url(), &jid).await;
    let counts: Vec<u64> = events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter_map(|e| e["job"]["restarts"].as_u64())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] < w[1]),
        "restart counts grow: {counts:?}"
    );

    // The loop is one ongoing condition: one alert (the first RESTARTING seen, or the first
    // restart counted), carrying the loop's exception; the rest only count.
    let alerts: Vec<_> = receiver
        .accepted()
        .into_iter()
        .filter(|b| b["job"]["id"] == jid.as_str())
        .filter(|b| {
            b["kind"] == "job_restarted"
                || (b["kind"] == "job_state_changed" && b["job"]["state"] == "RESTARTING")
        })
        .collect();
    assert_eq!(alerts.len(), 1, "de-duplicated: {alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert["severity"], "major");
    assert_eq!(alert["job"]["name"], name.as_str());
    assert_eq!(alert["notice"], "alert");
    assert!(
        alert["exception"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("demo failure")),
        "{alert}"
    );
    let history = warden.get(&format!("/api/v1/alerts?job={name}")).await;
    let record = history
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["key"]
                .as_str()
                .is_some_and(|k| k.ends_with("/restarting"))
        })
        .cloned()
        .expect("the alert is in the history");
    assert!(
        record["events"].as_u64().unwrap_or(0) >= 2,
        "every restart counted: {record}"
    );
    assert_eq!(record["deliveries"][0]["status"], "delivered");
}
