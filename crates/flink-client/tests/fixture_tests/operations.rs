//! Checkpoints, jars, savepoints, cancel and Flink's error bodies.

use flink_client::{
    AsyncOperation, CheckpointConfig, CheckpointStatistics, FlinkError, JarRunResponse,
    JarUploaded, QueueStatus, SavepointInfo,
};

use crate::{RUNNING_JID, parse, raw, serve};

#[test]
fn checkpoint_statistics_of_a_checkpointed_job() {
    let stats: CheckpointStatistics = parse("job_checkpoints.json");
    let counts = &stats.counts;
    assert_eq!((counts.total, counts.completed, counts.failed), (47, 47, 0));
    assert_eq!((counts.in_progress, counts.restored), (0, 0));

    let latest = stats
        .latest
        .completed
        .as_ref()
        .expect("a completed checkpoint");
    assert_eq!(latest.id, 47);
    assert_eq!(latest.status, "COMPLETED");
    assert_eq!(latest.is_savepoint, Some(false));
    assert_eq!(latest.checkpoint_type.as_deref(), Some("CHECKPOINT"));
    assert_eq!(latest.trigger_timestamp_ms, Some(1_795_251_009_582));
    assert_eq!(latest.latest_ack_timestamp_ms, Some(1_795_251_009_598));
    assert_eq!(latest.end_to_end_duration_ms, Some(16));
    assert_eq!(latest.state_size_bytes, Some(265));
    assert_eq!(
        latest.external_path.as_deref(),
        Some("<checkpoint-not-externally-addressable>")
    );
    assert_eq!(
        latest.external_location(),
        None,
        "JobManager storage has no path"
    );
    assert!(stats.latest.savepoint.is_none() && stats.latest.failed.is_none());
    assert!(stats.latest.restored.is_none());

    assert_eq!(stats.history.len(), 10);
    assert_eq!(stats.history[0].id, 47);
    assert_eq!(stats.history[9].id, 38);
}

#[test]
fn checkpoint_statistics_without_checkpointing_are_empty_not_an_error() {
    let stats: CheckpointStatistics = parse("job_checkpoints_no_checkpointing.json");
    assert_eq!(stats.counts.total, 0);
    assert_eq!(stats.counts.completed, 0);
    assert!(stats.latest.completed.is_none());
    assert!(stats.history.is_empty());
}

#[test]
fn checkpoint_config_with_and_without_checkpointing() {
    let on: CheckpointConfig = parse("job_checkpoints_config.json");
    assert_eq!(on.mode.as_deref(), Some("exactly_once"));
    assert_eq!(on.interval_ms, Some(1000));
    assert_eq!(on.timeout_ms, Some(600_000));
    assert_eq!((on.min_pause_ms, on.max_concurrent), (Some(0), Some(1)));
    assert_eq!(on.state_backend.as_deref(), Some("HashMapStateBackend"));
    assert_eq!(
        on.checkpoint_storage.as_deref(),
        Some("JobManagerCheckpointStorage")
    );
    assert_eq!(on.tolerable_failed_checkpoints, Some(0));
    let externalization = on.externalization.as_ref().expect("externalization");
    assert!(!externalization.enabled && externalization.delete_on_cancellation);
    assert!(on.periodic_checkpoints());

    let off: CheckpointConfig = parse("job_checkpoints_config_no_checkpointing.json");
    assert_eq!(off.mode.as_deref(), Some("at_least_once"));
    assert_eq!(off.interval_ms, Some(i64::MAX));
    assert!(!off.periodic_checkpoints());
}

#[test]
fn jar_upload_and_run() {
    let uploaded: JarUploaded = parse("jars_upload.json");
    assert_eq!(uploaded.status, "success");
    assert_eq!(
        uploaded.jar_id(),
        "65393d39-ec24-4a4a-8abe-df2343049058_demo-job.jar"
    );
    let run: JarRunResponse = parse("jar_run.json");
    assert_eq!(run.job_id, RUNNING_JID);
    assert_eq!(run.application_id.as_deref(), Some(RUNNING_JID));
}

#[tokio::test]
async fn savepoint_and_stop_triggers_return_request_ids() {
    let (_server, client) = serve(202, raw("savepoint_trigger.json")).await;
    let trigger = client
        .trigger_savepoint(RUNNING_JID, &Default::default())
        .await
        .expect("trigger");
    assert_eq!(trigger.as_str(), "44cf9205790dea76398aa8b6adef5a79");

    let (_server, client) = serve(202, raw("job_stop_trigger.json")).await;
    let trigger = client
        .stop_job("373c559ff48ee7a70b124c3513dbca5d", &Default::default())
        .await
        .expect("trigger");
    assert_eq!(trigger.as_str(), "6b8ee99e77ee5c0d51e2fe1006097965");
}

#[test]
fn savepoint_status_in_progress_completed_and_failed() {
    let pending: AsyncOperation<SavepointInfo> = parse("savepoint_status_in_progress.json");
    assert_eq!(pending.status, QueueStatus::InProgress);
    assert!(
        pending.operation.is_none(),
        "operation is null while in progress"
    );

    let done: AsyncOperation<SavepointInfo> = parse("savepoint_status_completed.json");
    assert!(done.is_completed());
    let info = done.operation.expect("operation");
    assert_eq!(
        info.location.as_deref(),
        Some("file:/tmp/sw-savepoints/savepoint-3dfa10-92a5f640ee56")
    );
    assert!(info.failure_cause.is_none());

    let stopped: AsyncOperation<SavepointInfo> = parse("job_stop_status_completed.json");
    assert_eq!(
        stopped.operation.and_then(|op| op.location).as_deref(),
        Some("file:/tmp/sw-savepoints/savepoint-373c55-3ea1e59d0301")
    );

    let failed: AsyncOperation<SavepointInfo> = parse("savepoint_status_failed.json");
    assert!(
        failed.is_completed(),
        "a failed savepoint is COMPLETED with a failure-cause"
    );
    let info = failed.operation.expect("operation");
    assert!(info.location.is_none());
    let cause = info.failure_cause.expect("failure cause");
    assert_eq!(
        cause.class.as_deref(),
        Some("java.util.concurrent.CompletionException")
    );
    assert!(
        cause
            .serialized_throwable
            .as_deref()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(
        cause.summary(),
        Some(
            "java.io.IOException: Failed to create savepoint directory at file:/proc/sw-savepoints"
        )
    );
}

#[tokio::test]
async fn cancel_response_is_accepted() {
    let recorded = raw("job_cancel.txt");
    let mut lines = recorded.lines();
    let request_line = lines.next().expect("request line");
    assert_eq!(
        request_line,
        "PATCH /jobs/ca54299f56775cbb9365e1a655a40a41?mode=cancel"
    );
    let status: u16 = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    assert_eq!(status, 202);
    let body = recorded
        .split("\n\n")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert_eq!(body, "{}");

    let (server, client) = serve(status, body).await;
    client
        .cancel_job("ca54299f56775cbb9365e1a655a40a41")
        .await
        .expect("cancel accepted");
    let requests = server.received_requests().await.expect("recorded");
    let sent = format!(
        "{} {}?{}",
        requests[0].method,
        requests[0].url.path(),
        requests[0].url.query().unwrap_or_default()
    );
    assert_eq!(sent, request_line, "same request as recorded");
}

/// Serves a recorded error body with `status` to `call` and returns the error.
async fn recorded_error(name: &str, status: u16) -> FlinkError {
    let (_server, client) = serve(status, raw(name)).await;
    client
        .job("00000000000000000000000000000000")
        .await
        .expect_err("error status")
}

#[tokio::test]
async fn flink_error_bodies_surface_their_headline() {
    let err = recorded_error("error_not_found.json", 404).await;
    assert_eq!(err.status(), Some(404));
    let FlinkError::Status { message, .. } = &err else {
        panic!("expected Status, got {err:?}");
    };
    assert_eq!(
        message,
        "org.apache.flink.runtime.rest.NotFoundException: Job 00000000000000000000000000000000 not found"
    );

    let err = recorded_error("error_bad_request.json", 400).await;
    assert!(
        err.to_string().ends_with(r#"HTTP 400: org.apache.flink.runtime.rest.handler.RestHandlerException: Bad request, could not parse parameters: Cannot resolve path parameter (jobid) from value "not-a-job-id"."#),
        "{err}"
    );

    let err = recorded_error("error_jar_run_missing_jar.json", 500).await;
    let FlinkError::Status { message, .. } = &err else {
        panic!("expected Status, got {err:?}");
    };
    assert!(
        message.starts_with("Internal server error.; java.util.concurrent.CompletionException: "),
        "{message}"
    );
    assert!(
        message.ends_with("doesnotexist.jar does not exist"),
        "{message}"
    );
    assert!(
        !message.contains("\tat "),
        "stack frames are dropped: {message}"
    );
}
