//! Requests as Flink expects them: paths, query parameters, JSON bodies, multipart.

use flink_client::{
    FlinkError, JarRunRequest, QueueStatus, SavepointFormatType, SavepointRequest, StopRequest,
    TriggerId,
};
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::{JID, client_for, only_request, serve};

#[tokio::test]
async fn job_exceptions_sends_max_exceptions() {
    let route = format!("/jobs/{JID}/exceptions");
    let body = json!({"exceptionHistory": {"entries": [], "truncated": false}});
    let server = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;

    let exceptions = client_for(&server.uri())
        .job_exceptions(JID, 7)
        .await
        .expect("exceptions");

    assert!(exceptions.root_cause().is_none());
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), route);
    assert_eq!(request.url.query(), Some("maxExceptions=7"));
}

#[tokio::test]
async fn a_failed_jobs_empty_exception_history_is_read_again_until_it_shows_the_failure() {
    let route = format!("/jobs/{JID}/exceptions");
    let server = wiremock::MockServer::start().await;
    // Flink's cached graph: twice an empty history, then the failure.
    wiremock::Mock::given(wiremock::matchers::path(route.as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"exceptionHistory": {"entries": [], "truncated": false}})),
        )
        .up_to_n_times(2)
        .mount(&server)
        .await;
    let failed = include_str!("../fixtures/job_exceptions_failed.json");
    wiremock::Mock::given(wiremock::matchers::path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_string(failed))
        .mount(&server)
        .await;

    let exceptions = client_for(&server.uri())
        .failed_job_exceptions(JID, 5)
        .await
        .expect("exceptions");

    assert!(exceptions.root_cause().is_some());
    let reads = server.received_requests().await.expect("recording").len();
    assert_eq!(reads, 3, "read until the failure shows, not after");
}

#[tokio::test]
async fn num_restarts_asks_for_the_metric_and_parses_it() {
    let route = format!("/jobs/{JID}/metrics");
    let body = json!([{"id": "numRestarts", "value": "3"}]);
    let server = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;

    let restarts = client_for(&server.uri())
        .num_restarts(JID)
        .await
        .expect("metric");

    assert_eq!(restarts, Some(3));
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("get=numRestarts"));
}

#[tokio::test]
async fn num_restarts_is_none_when_flink_does_not_report_it() {
    let route = format!("/jobs/{JID}/metrics");
    let server = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(json!([])),
    )
    .await;
    assert_eq!(
        client_for(&server.uri())
            .num_restarts(JID)
            .await
            .expect("ok"),
        None
    );
}

#[tokio::test]
async fn num_restarts_rejects_a_non_numeric_value() {
    let route = format!("/jobs/{JID}/metrics");
    let body = json!([{"id": "numRestarts", "value": "many"}]);
    let server = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let err = client_for(&server.uri())
        .num_restarts(JID)
        .await
        .expect_err("not a number");
    assert!(matches!(err, FlinkError::Decode { .. }), "{err:?}");
    assert_eq!(
        err.endpoint(),
        Some(format!("GET /jobs/{JID}/metrics").as_str())
    );
}

#[tokio::test]
async fn job_metrics_joins_names_with_commas_and_accepts_the_wrapped_shape() {
    let route = format!("/jobs/{JID}/metrics");
    let body = json!({"metrics": [{"id": "uptime", "value": "1234"}]});
    let server = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;

    let metrics = client_for(&server.uri())
        .job_metrics(JID, &["numRestarts", "uptime"])
        .await
        .expect("metrics");

    assert_eq!(metrics.len(), 1);
    assert_eq!(
        (metrics[0].id.as_str(), metrics[0].as_u64()),
        ("uptime", Some(1234))
    );
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("get=numRestarts,uptime"));
}

#[tokio::test]
async fn cancel_job_patches_with_mode_cancel_and_accepts_202_empty() {
    let route = format!("/jobs/{JID}");
    let server = serve("PATCH", &route, ResponseTemplate::new(202)).await;

    client_for(&server.uri())
        .cancel_job(JID)
        .await
        .expect("cancelled");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PATCH");
    assert_eq!(request.url.query(), Some("mode=cancel"));
}

#[tokio::test]
async fn run_jar_posts_camel_case_json_without_unset_fields() {
    let server = serve(
        "POST",
        "/jars/0f1e_job.jar/run",
        ResponseTemplate::new(200).set_body_json(json!({"jobid": JID})),
    )
    .await;
    let request = JarRunRequest {
        entry_class: Some("com.example.Main".into()),
        program_args_list: vec!["--input".into(), "a b".into()],
        parallelism: Some(4),
        savepoint_path: Some("s3://bucket/sp-1".into()),
        allow_non_restored_state: Some(true),
        flink_configuration: [("pipeline.name".to_owned(), "demo".to_owned())].into(),
    };

    let response = client_for(&server.uri())
        .run_jar("0f1e_job.jar", &request)
        .await
        .expect("submitted");

    assert_eq!(response.job_id, JID);
    let received = only_request(&server).await;
    let content_type = received.headers.get("content-type").expect("content type");
    assert_eq!(content_type.to_str().expect("ascii"), "application/json");
    let body: serde_json::Value = received.body_json().expect("JSON body");
    assert_eq!(
        body,
        json!({
            "entryClass": "com.example.Main",
            "programArgsList": ["--input", "a b"],
            "parallelism": 4,
            "savepointPath": "s3://bucket/sp-1",
            "allowNonRestoredState": true,
            "flinkConfiguration": {"pipeline.name": "demo"}
        })
    );

    // An empty request sends an empty object, letting Flink apply its defaults.
    let server = serve(
        "POST",
        "/jars/x.jar/run",
        ResponseTemplate::new(200).set_body_json(json!({"jobid": JID})),
    )
    .await;
    client_for(&server.uri())
        .run_jar("x.jar", &JarRunRequest::default())
        .await
        .expect("submitted");
    let body: serde_json::Value = only_request(&server).await.body_json().expect("JSON");
    assert_eq!(body, json!({}));
}

#[tokio::test]
async fn stop_job_posts_drain_and_target_directory() {
    let route = format!("/jobs/{JID}/stop");
    let trigger = "5f5b0e4b0d1c4c3f9f0e2d6a7b8c9d0e";
    let server = serve(
        "POST",
        &route,
        ResponseTemplate::new(202).set_body_json(json!({"request-id": trigger})),
    )
    .await;
    let request = StopRequest {
        drain: true,
        target_directory: Some("s3://bucket/savepoints".into()),
        format_type: Some(SavepointFormatType::Native),
    };

    let id = client_for(&server.uri())
        .stop_job(JID, &request)
        .await
        .expect("triggered");

    assert_eq!(id, TriggerId::from(trigger));
    let body: serde_json::Value = only_request(&server).await.body_json().expect("JSON");
    assert_eq!(
        body,
        json!({"drain": true, "targetDirectory": "s3://bucket/savepoints", "formatType": "NATIVE"})
    );
}

#[tokio::test]
async fn trigger_savepoint_posts_dashed_names_and_omits_unset_format() {
    let route = format!("/jobs/{JID}/savepoints");
    let server = serve(
        "POST",
        &route,
        ResponseTemplate::new(202).set_body_json(json!({"request-id": "abc"})),
    )
    .await;
    let request = SavepointRequest {
        target_directory: Some("file:///sp".into()),
        cancel_job: false,
        format_type: None,
    };

    let id = client_for(&server.uri())
        .trigger_savepoint(JID, &request)
        .await
        .expect("triggered");

    assert_eq!(id.as_str(), "abc");
    let body: serde_json::Value = only_request(&server).await.body_json().expect("JSON");
    assert_eq!(
        body,
        json!({"target-directory": "file:///sp", "cancel-job": false})
    );
}

#[tokio::test]
async fn savepoint_status_reports_progress_location_and_failure() {
    let trigger = TriggerId::from("0123456789abcdef0123456789abcdef");
    let route = format!("/jobs/{JID}/savepoints/{trigger}");
    let in_progress = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(json!({"status": {"id": "IN_PROGRESS"}})),
    )
    .await;
    let status = client_for(&in_progress.uri())
        .savepoint_status(JID, &trigger)
        .await
        .expect("status");
    assert_eq!(status.status, QueueStatus::InProgress);
    assert!(!status.is_completed());
    assert!(status.operation.is_none());

    let done = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(json!({
            "status": {"id": "COMPLETED"},
            "operation": {"location": "file:/sp/savepoint-a1b2c3-0123456789ab"}
        })),
    )
    .await;
    let status = client_for(&done.uri())
        .savepoint_status(JID, &trigger)
        .await
        .expect("status");
    assert!(status.is_completed());
    let operation = status.operation.expect("operation");
    assert_eq!(
        operation.location.as_deref(),
        Some("file:/sp/savepoint-a1b2c3-0123456789ab")
    );
    assert!(operation.failure_cause.is_none());

    let failed = serve(
        "GET",
        &route,
        ResponseTemplate::new(200).set_body_json(json!({
            "status": {"id": "COMPLETED"},
            "operation": {"failure-cause": {
                "class": "java.util.concurrent.CompletionException",
                "stack-trace": "java.util.concurrent.CompletionException: disk full\n\tat x",
                "serialized-throwable": "rO0AB"
            }}
        })),
    )
    .await;
    let status = client_for(&failed.uri())
        .savepoint_status(JID, &trigger)
        .await
        .expect("status");
    let cause = status
        .operation
        .and_then(|op| op.failure_cause)
        .expect("failure cause");
    assert_eq!(
        cause.summary(),
        Some("java.util.concurrent.CompletionException: disk full")
    );
}

#[tokio::test]
async fn upload_jar_sends_multipart_jarfile_with_java_archive_type() {
    let stored = "/tmp/flink-web-0a/flink-web-upload/4c2d-b91e_job.jar";
    let server = serve(
        "POST",
        "/jars/upload",
        ResponseTemplate::new(200).set_body_json(json!({"filename": stored, "status": "success"})),
    )
    .await;
    let jar = b"PK\x03\x04 fake jar bytes".to_vec();

    let uploaded = client_for(&server.uri())
        .upload_jar("job.jar", jar.clone())
        .await
        .expect("uploaded");

    assert_eq!(uploaded.status, "success");
    assert_eq!(uploaded.jar_id(), "4c2d-b91e_job.jar");
    let request = only_request(&server).await;
    let content_type = request.headers.get("content-type").expect("content type");
    let content_type = content_type.to_str().expect("ascii");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains(r#"Content-Disposition: form-data; name="jarfile"; filename="job.jar""#),
        "{body}"
    );
    assert!(
        body.contains("Content-Type: application/x-java-archive"),
        "{body}"
    );
    assert!(
        request
            .body
            .windows(jar.len())
            .any(|window| window == jar.as_slice()),
        "jar bytes are in the body"
    );
}

#[tokio::test]
async fn delete_jar_sends_delete_to_the_jar() {
    let server = serve(
        "DELETE",
        "/jars/4c2d_job.jar",
        ResponseTemplate::new(200).set_body_json(json!({})),
    )
    .await;
    client_for(&server.uri())
        .delete_jar("4c2d_job.jar")
        .await
        .expect("deleted");
    assert_eq!(only_request(&server).await.method.as_str(), "DELETE");
}

#[tokio::test]
async fn base_url_with_a_path_prefix_is_honoured() {
    let body = json!({"taskmanagers": 2, "slots-total": 4, "slots-available": 1,
        "jobs-running": 1, "jobs-finished": 0, "jobs-cancelled": 0, "jobs-failed": 0,
        "flink-version": "2.3.0", "flink-commit": "abc"});
    let server = serve(
        "GET",
        "/flink/prod/overview",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;

    for base in [
        format!("{}/flink/prod", server.uri()),
        format!("{}/flink/prod/", server.uri()),
    ] {
        let client = client_for(&base);
        assert_eq!(client.base_url().path(), "/flink/prod/");
        let overview = client
            .overview()
            .await
            .expect("overview through the prefix");
        assert_eq!((overview.taskmanagers, overview.slots_available), (2, 1));
        assert_eq!(overview.flink_version.as_deref(), Some("2.3.0"));
    }
    let client = client_for(&format!("{}/flink/prod", server.uri()));
    assert_eq!(
        client.job_web_url(JID),
        format!("{}/flink/prod/#/job/running/{JID}/overview", server.uri())
    );
}
