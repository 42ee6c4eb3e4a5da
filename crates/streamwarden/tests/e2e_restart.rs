//! End to end: killing StreamWarden (SIGKILL) with deliveries pending and starting it again
//! delivers every pending alert, loses none and repeats no event; a job that failed while
//! StreamWarden was down is reported once.

#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;
use support::receiver::{Alerts, Receiver};
use support::warden::Warden;
use support::{flink_url, job_state, submit_demo, unique, wait_for};

fn failed_event_ids(bodies: &[Value], jid: &str) -> BTreeSet<String> {
    bodies
        .iter()
        .filter(|b| b["job"]["id"] == jid && b["job"]["state"] == "FAILED")
        .filter_map(|b| b["event_id"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn sigkill_with_pending_deliveries_loses_no_alert() {
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let mut warden = Warden::start(&format!(
        "[delivery]\ninitial_backoff = \"300ms\"\nmax_backoff = \"1s\"\nmax_attempts = 1000\n\n\
         [[clusters]]\nname = \"e2e\"\nurl = \"{}\"\n\n\
         [[channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n",
        flink_url(),
        receiver.url()
    ))
    .await;

    // Two jobs fail while the receiver refuses everything; a third fails later, while
    // StreamWarden is down.
    let a = submit_demo(
        &flink_url(),
        &[
            "--mode",
            "fail",
            "--after-ms",
            "2000",
            "--name",
            &unique("e2e-kill-a"),
        ],
    )
    .await;
    let b = submit_demo(
        &flink_url(),
        &[
            "--mode",
            "fail",
            "--after-ms",
            "2000",
            "--name",
            &unique("e2e-kill-b"),
        ],
    )
    .await;
    let c = submit_demo(
        &flink_url(),
        &[
            "--mode",
            "fail",
            "--after-ms",
            "25000",
            "--name",
            &unique("e2e-kill-c"),
        ],
    )
    .await;
    // Deliveries of one channel go out in order: the first is retried, the second waits.
    wait_for(
        "both FAILED alerts pending, the first refused",
        Duration::from_secs(90),
        || async {
            let pending = warden.get("/api/v1/deliveries?status=pending").await;
            let events: Vec<Value> = pending
                .as_array()?
                .iter()
                .map(|d| d["outgoing"]["events"][0][0].clone())
                .collect();
            let has = |jid: &str| {
                events
                    .iter()
                    .any(|e| e["job"]["id"] == jid && e["job"]["state"] == "FAILED")
            };
            (has(&a) && has(&b) && !receiver.requests().is_empty()).then_some(())
        },
    )
    .await;
    wait_for("job c seen RUNNING", Duration::from_secs(60), || async {
        let jobs = warden.get("/api/v1/jobs").await;
        jobs.as_array()?
            .iter()
            .any(|j| j["jid"] == c.as_str() && j["state"] == "RUNNING")
            .then_some(())
    })
    .await;
    let pending = warden.get("/api/v1/deliveries?status=pending").await;
    let pending_ids: BTreeSet<String> = pending
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| {
            d["outgoing"]["events"][0][0]["event_id"]
                .as_str()
                .map(String::from)
        })
        .collect();
    assert!(accepted_none(&receiver), "nothing accepted yet");

    warden.kill9();
    wait_for("job c FAILED in Flink", Duration::from_secs(90), || async {
        (job_state(&flink_url(), &c).await == "FAILED").then_some(())
    })
    .await;
    receiver.answer(200);
    warden.spawn().await;

    let accepted = wait_for(
        "every alert delivered after the restart",
        Duration::from_secs(60),
        || async {
            let accepted = receiver.accepted();
            let done = [&a, &b, &c]
                .iter()
                .all(|jid| !failed_event_ids(&accepted, jid).is_empty());
            done.then_some(accepted)
        },
    )
    .await;
    let accepted_ids: BTreeSet<String> = accepted
        .iter()
        .filter_map(|b| b["event_id"].as_str().map(String::from))
        .collect();
    assert!(
        pending_ids.is_subset(&accepted_ids),
        "every delivery pending at the kill went out: missing {:?}",
        pending_ids.difference(&accepted_ids).collect::<Vec<_>>()
    );
    // No event was decided twice: one FAILED event per job, with the id it had before the kill.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let everything: Vec<Value> = receiver.bodies();
    for jid in [&a, &b, &c] {
        assert_eq!(
            failed_event_ids(&everything, jid).len(),
            1,
            "job {jid}: one FAILED event across the restart"
        );
    }
    let c_alert = receiver.alerts_for(&c, "job_state_changed", Some("FAILED"));
    assert_eq!(
        c_alert.len(),
        1,
        "the failure during the downtime is reported once"
    );
    assert_eq!(c_alert[0]["job"]["previous_state"], "RUNNING");
    let undelivered = warden.get("/api/v1/deliveries?status=pending").await;
    assert_eq!(
        undelivered.as_array().map(Vec::len),
        Some(0),
        "{undelivered}"
    );

    // A second restart sends nothing already delivered (other tests' jobs may add new alerts).
    let delivered: BTreeSet<String> = receiver
        .accepted()
        .iter()
        .filter_map(|b| b["event_id"].as_str().map(String::from))
        .collect();
    let before = receiver.requests().len();
    warden.kill9();
    warden.spawn().await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let resent: Vec<Value> = receiver.requests()[before..]
        .iter()
        .filter_map(|r| r.json())
        .filter(|b| {
            b["event_id"]
                .as_str()
                .is_some_and(|id| delivered.contains(id))
        })
        .collect();
    assert!(resent.is_empty(), "delivered alerts sent again: {resent:?}");
}

fn accepted_none(receiver: &Receiver) -> bool {
    receiver.accepted().is_empty()
}
