//! End to end: stopping a real Flink cluster raises one `cluster_unreachable`, starting it again
//! one `cluster_recovered`. Uses its own cluster instance so other tests keep theirs.

#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use std::process::Command;
use std::time::Duration;
use support::receiver::{Alerts, Receiver};
use support::warden::Warden;
use support::{flink_script, wait_for};

const INSTANCE: &str = "e2e-down";
const PORT: &str = "18091";

fn flink_sh(args: &[&str]) {
    let status = Command::new("bash")
        .arg(flink_script())
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "scripts/flink.sh {args:?} failed");
}

#[tokio::test]
async fn stopping_the_cluster_alerts_once_and_starting_it_alerts_recovery() {
    flink_sh(&["start", "--name", INSTANCE, "--port", PORT]);
    let receiver = Receiver::start().await;
    let warden = Warden::start(&format!(
        "[[clusters]]\nname = \"down\"\nurl = \"http://127.0.0.1:{PORT}\"\n\n[[channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n",
        receiver.url()
    ))
    .await;
    wait_for(
        "a first successful poll",
        Duration::from_secs(30),
        || async {
            let clusters = warden.get("/api/v1/clusters").await;
            clusters[0]["health"]["last_ok_ms"].as_i64().map(|_| ())
        },
    )
    .await;

    flink_sh(&["stop", "--name", INSTANCE]);
    let down = wait_for("cluster_unreachable", Duration::from_secs(60), || async {
        receiver.cluster_alerts("down", "cluster_unreachable").pop()
    })
    .await;
    assert_eq!(down["severity"], "critical");
    assert!(down.get("job").is_none(), "{down}");
    assert!(
        down["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("unreachable"),
        "{down}"
    );
    // Still down for several more polls: no second alert.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        receiver.cluster_alerts("down", "cluster_unreachable").len(),
        1
    );

    flink_sh(&["start", "--name", INSTANCE, "--port", PORT]);
    let up = wait_for("cluster_recovered", Duration::from_secs(120), || async {
        receiver.cluster_alerts("down", "cluster_recovered").pop()
    })
    .await;
    assert_eq!(up["severity"], "info");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        receiver.cluster_alerts("down", "cluster_unreachable").len(),
        1
    );
    assert_eq!(
        receiver.cluster_alerts("down", "cluster_recovered").len(),
        1
    );
    drop(warden);
    flink_sh(&["stop", "--name", INSTANCE]);
}
