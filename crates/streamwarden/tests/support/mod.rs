//! What the end-to-end tests share: the real Flink cluster started by `scripts/test.sh`, a real
//! HTTP receiver for webhooks, and the real `streamwarden` binary as a child process.
//!
//! Tests need `E2E_FLINK_URL` (a running Flink 2.3) and
//! `E2E_DEMO_JAR` (the demo job); without them they fail, never skip.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part of this module

pub mod apps;
pub mod receiver;
pub mod warden;

use flink_client::{ClientConfig, FlinkClient, JarRunRequest};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The Flink REST URL of the shared test cluster.
pub fn flink_url() -> String {
    std::env::var("E2E_FLINK_URL")
        .expect("E2E_FLINK_URL is not set: run the tests with scripts/test.sh, which starts Flink")
}

/// The demo job's jar (`testing/demo-job`).
pub fn demo_jar() -> PathBuf {
    PathBuf::from(
        std::env::var("E2E_DEMO_JAR")
            .expect("E2E_DEMO_JAR is not set: run the tests with scripts/test.sh, which builds it"),
    )
}

/// The SQL runner jar (`scripts/flink.sh sqlrunner`).
pub fn sql_runner() -> PathBuf {
    PathBuf::from(
        std::env::var("E2E_SQL_RUNNER").expect(
            "E2E_SQL_RUNNER is not set: run the tests with scripts/test.sh, which builds it",
        ),
    )
}

/// `scripts/flink.sh` of this repository.
pub fn flink_script() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/flink.sh"
    ))
}

/// A client of a test cluster.
pub fn flink(url: &str) -> FlinkClient {
    let config = ClientConfig {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(60),
    };
    FlinkClient::new("test", url, &config).unwrap()
}

/// A unique job name for one test run.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    )
}

/// Submits the demo job with `args` to the cluster at `url`; returns its job id.
pub async fn submit_demo(url: &str, args: &[&str]) -> String {
    let client = flink(url);
    let jar = std::fs::read(demo_jar()).unwrap();
    let uploaded = client.upload_jar("demo-job.jar", jar).await.unwrap();
    let request = JarRunRequest {
        program_args_list: args.iter().map(|a| (*a).to_string()).collect(),
        ..JarRunRequest::default()
    };
    let run = client.run_jar(uploaded.jar_id(), &request).await.unwrap();
    client.delete_jar(uploaded.jar_id()).await.unwrap();
    run.job_id
}

/// Cancels a job, ignoring a job that already ended.
pub async fn cancel(url: &str, jid: &str) {
    let _ = flink(url).cancel_job(jid).await;
}

/// Flink's state of a job, from `/jobs/overview` (`/jobs/:jid` may answer from a graph Flink
/// cached for up to 3 s); empty when the job is not listed.
pub async fn job_state(url: &str, jid: &str) -> String {
    flink(url)
        .jobs_overview()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|j| j.jid == jid)
        .map(|j| j.state)
        .unwrap_or_default()
}

/// Polls `check` every 200 ms until it gives `Some`, or panics after `timeout` naming `what`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
