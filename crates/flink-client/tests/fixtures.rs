//! Real Flink 2.3 REST responses (recorded in `tests/fixtures/`, see its README) parsed into
//! the client's types, asserting on the recorded values: cluster and job views
//! (`fixture_tests/jobs.rs`), checkpoints, jars, savepoints, cancel and error bodies
//! (`fixture_tests/operations.rs`). Trigger, cancel, metric and error responses are served
//! through a local HTTP server to the real client methods.

use std::path::PathBuf;

use flink_client::{ClientConfig, FlinkClient};
use serde::de::DeserializeOwned;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "fixture_tests/jobs.rs"]
mod jobs;
#[path = "fixture_tests/operations.rs"]
mod operations;

pub(crate) const RUNNING_JID: &str = "3dfa107d9a9fdbd7a3a87beadaa6e621";

pub(crate) fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

pub(crate) fn raw(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("fixture {}: {err}", path.display()))
}

pub(crate) fn parse<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&raw(name)).unwrap_or_else(|err| panic!("fixture {name}: {err}"))
}

/// Serves `body` with `status` for any request, and a client for it.
pub(crate) async fn serve(status: u16, body: String) -> (MockServer, FlinkClient) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let client =
        FlinkClient::new("fixtures", &server.uri(), &ClientConfig::default()).expect("client");
    (server, client)
}

/// Every recorded fixture is exercised by a test above; a new recording fails here until a
/// test covers it.
#[test]
fn every_fixture_is_covered() {
    const COVERED: &[&str] = &[
        "config.json",
        "error_bad_request.json",
        "error_jar_run_missing_jar.json",
        "error_not_found.json",
        "jar_run.json",
        "jars_upload.json",
        "job_cancel.txt",
        "job_checkpoints.json",
        "job_checkpoints_config.json",
        "job_checkpoints_config_no_checkpointing.json",
        "job_checkpoints_no_checkpointing.json",
        "job_exceptions_failed.json",
        "job_exceptions_restarting.json",
        "job_metrics_list.json",
        "job_metrics_num_restarts.json",
        "job_running.json",
        "job_stop_status_completed.json",
        "job_stop_trigger.json",
        "jobs_overview.json",
        "overview.json",
        "savepoint_status_completed.json",
        "savepoint_status_failed.json",
        "savepoint_status_in_progress.json",
        "savepoint_trigger.json",
    ];
    let dir = fixture_path("");
    let mut recorded: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| {
            entry
                .expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !name.eq_ignore_ascii_case("README.md"))
        .collect();
    recorded.sort();
    let uncovered: Vec<&String> = recorded
        .iter()
        .filter(|name| !COVERED.contains(&name.as_str()))
        .collect();
    assert!(
        uncovered.is_empty(),
        "fixtures without a test: {uncovered:?}"
    );
    let missing: Vec<&&str> = COVERED
        .iter()
        .filter(|name| !recorded.iter().any(|r| r == *name))
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures tested but not recorded: {missing:?}"
    );
}
