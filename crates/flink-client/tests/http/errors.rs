//! Failures: timeouts, refused connections, error statuses, undecodable bodies.

use std::time::{Duration, Instant};

use flink_client::{ClientConfig, FlinkClient, FlinkError};
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::{JID, client_for, serve};

#[tokio::test]
async fn total_timeout_fires_and_names_cluster_and_endpoint() {
    let slow = ResponseTemplate::new(200)
        .set_body_json(json!({"jobs": []}))
        .set_delay(Duration::from_secs(3));
    let server = serve("GET", "/jobs/overview", slow).await;
    let config = ClientConfig {
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_millis(300),
    };
    let client = FlinkClient::new("local", &server.uri(), &config).expect("client");

    let started = Instant::now();
    let err = client.jobs_overview().await.expect_err("must time out");

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.is_timeout(), "{err:?}");
    assert!(!err.is_connect());
    assert_eq!(err.cluster(), "local");
    assert_eq!(err.endpoint(), Some("GET /jobs/overview"));
    assert_eq!(
        err.to_string(),
        r#"cluster "local": GET /jobs/overview: timed out after 300ms"#
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let client = client_for(&format!("http://127.0.0.1:{port}"));

    let err = client.overview().await.expect_err("nothing listens there");

    assert!(err.is_connect(), "{err:?}");
    assert!(!err.is_timeout());
    assert_eq!(err.status(), None);
    assert_eq!(err.endpoint(), Some("GET /overview"));
    let text = err.to_string();
    assert!(
        text.starts_with(r#"cluster "local": GET /overview: cannot connect: "#),
        "{text}"
    );
    assert!(text.contains("refused"), "says why: {text}");
}

#[tokio::test]
async fn not_found_surfaces_flinks_error_message() {
    let body = json!({"errors": [format!("Job {JID} not found")]});
    let server = serve(
        "GET",
        &format!("/jobs/{JID}"),
        ResponseTemplate::new(404).set_body_json(body),
    )
    .await;

    let err = client_for(&server.uri()).job(JID).await.expect_err("404");

    assert_eq!(err.status(), Some(404));
    assert!(
        matches!(&err, FlinkError::Status { message, .. } if message == &format!("Job {JID} not found")),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(r#"cluster "local": GET /jobs/{JID}: HTTP 404: Job {JID} not found"#)
    );
}

#[tokio::test]
async fn non_flink_error_bodies_are_truncated_or_replaced_by_the_reason() {
    let html = format!("<html>{}</html>", "bad gateway ".repeat(500));
    let server = serve(
        "GET",
        "/overview",
        ResponseTemplate::new(502).set_body_string(html),
    )
    .await;
    let err = client_for(&server.uri()).overview().await.expect_err("502");
    let FlinkError::Status { code, message, .. } = &err else {
        panic!("expected Status, got {err:?}");
    };
    assert_eq!(*code, 502);
    assert!(message.starts_with("<html>bad gateway"), "{message}");
    assert!(
        message.len() <= 1024 + 3,
        "message is {} bytes",
        message.len()
    );
    assert!(message.ends_with('…'));

    let server = serve("GET", "/overview", ResponseTemplate::new(503)).await;
    let err = client_for(&server.uri()).overview().await.expect_err("503");
    assert!(
        matches!(&err, FlinkError::Status { code: 503, message, .. } if message == "Service Unavailable"),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_naming_the_endpoint() {
    let server = serve(
        "GET",
        "/jobs/overview",
        ResponseTemplate::new(200).set_body_raw("<html>login</html>", "text/html"),
    )
    .await;
    let err = client_for(&server.uri())
        .jobs_overview()
        .await
        .expect_err("not JSON");
    assert!(matches!(err, FlinkError::Decode { .. }), "{err:?}");
    assert_eq!(err.endpoint(), Some("GET /jobs/overview"));
    let text = err.to_string();
    assert!(
        text.starts_with(r#"cluster "local": GET /jobs/overview: unexpected response body: "#),
        "{text}"
    );
    assert!(
        text.contains("<html>login</html>"),
        "quotes the body: {text}"
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_decode_error_with_serdes_message() {
    let body = json!({"jobs": [{"name": "no id", "state": "RUNNING"}]});
    let server = serve(
        "GET",
        "/jobs/overview",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let err = client_for(&server.uri())
        .jobs_overview()
        .await
        .expect_err("missing jid");
    let FlinkError::Decode { message, .. } = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert!(message.contains("missing field `jid`"), "{message}");
}

#[tokio::test]
async fn unknown_fields_and_legacy_gaps_are_tolerated() {
    let body = json!({"jobs": [{
        "jid": JID, "name": "legacy", "state": "RUNNING", "start-time": 1_700_000_000_000_i64,
        "end-time": -1, "duration": 5000, "some-future-field": {"nested": [1, 2]}
    }]});
    let server = serve(
        "GET",
        "/jobs/overview",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let jobs = client_for(&server.uri())
        .jobs_overview()
        .await
        .expect("tolerant");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].end_time_ms, None);
    assert_eq!(jobs[0].start_time_ms, Some(1_700_000_000_000));
    assert_eq!(jobs[0].tasks, None);
    assert_eq!(jobs[0].last_modification_ms, None);
}

#[tokio::test]
async fn connect_timeout_is_reported_as_such() {
    // A listener with a backlog of 1 that never accepts: once its queue is full, the kernel
    // drops further SYNs and the client's connect hangs until the connect timeout.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let addr = socket.local_addr().expect("addr");
    let listener = socket.listen(1).expect("listen");
    let mut fillers = Vec::new();
    for _ in 0..3 {
        if let Ok(Ok(stream)) = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            fillers.push(stream);
        }
    }
    let config = ClientConfig {
        connect_timeout: Duration::from_millis(300),
        timeout: Duration::from_secs(5),
    };
    let client = FlinkClient::new("local", &format!("http://{addr}"), &config).expect("client");

    let started = Instant::now();
    let err = client.overview().await.expect_err("connect must time out");

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        matches!(
            err,
            FlinkError::Timeout {
                connecting: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        r#"cluster "local": GET /overview: connect timed out after 300ms"#
    );
    drop((listener, fillers));
}
