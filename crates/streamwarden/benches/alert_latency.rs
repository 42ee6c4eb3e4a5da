//! Alert latency on a real Flink 2.3 cluster: from Flink's `end-time` of a failing job to the
//! webhook receiving its FAILED alert, with default settings (1 s poll interval).
//!
//! Run with `scripts/bench.sh` (starts Flink, then `cargo bench -p streamwarden --bench
//! alert_latency`). Needs `E2E_FLINK_URL` and `E2E_DEMO_JAR`. `BENCH_JOBS` sets the number of
//! failing jobs (default 24). Prints p50, p90, p99 and max in ms.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;
use support::receiver::Receiver;
use support::warden::Warden;
use support::{flink, flink_url, submit_demo, unique, wait_for};

fn percentile(sorted: &[i64], p: f64) -> i64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let jobs: usize = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let receiver = Receiver::start().await;
    let _warden = Warden::start(&format!(
        "[[clusters]]\nname = \"bench\"\nurl = \"{}\"\n\n[[channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n",
        flink_url(),
        receiver.url()
    ))
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // One failing job every 1.3 s, each failing 3 to 4.2 s after it starts, so the failures
    // land at every phase of the 1 s poll.
    let mut jids = Vec::new();
    for i in 0..jobs {
        let after = (3000 + (i * 137) % 1200).to_string();
        let name = unique("bench-fail");
        jids.push(
            submit_demo(
                &flink_url(),
                &["--mode", "fail", "--after-ms", &after, "--name", &name],
            )
            .await,
        );
        tokio::time::sleep(Duration::from_millis(1300)).await;
    }
    let client = flink(&flink_url());
    let mut latencies = Vec::new();
    for jid in &jids {
        let received_at = wait_for("the FAILED alert", Duration::from_secs(120), || async {
            receiver
                .requests()
                .into_iter()
                .find(|r| {
                    r.json().is_some_and(|b| {
                        b["job"]["id"] == jid.as_str() && b["job"]["state"] == "FAILED"
                    })
                })
                .map(|r| r.at_ms)
        })
        .await;
        let end_time = client.job(jid).await.unwrap().end_time().unwrap();
        latencies.push(received_at - end_time);
    }
    latencies.sort_unstable();
    let mean = latencies.iter().sum::<i64>() as f64 / latencies.len() as f64;
    println!(
        "alert latency, Flink end-time → webhook received, {} failing jobs",
        latencies.len()
    );
    println!(
        "  p50 {} ms   p90 {} ms   p99 {} ms   max {} ms   min {} ms   mean {:.0} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        latencies[latencies.len() - 1],
        latencies[0],
        mean
    );
    println!("  all (ms): {latencies:?}");
}
