//! Channel management through the API on a real socket: kinds, validation, secrets, file
//! channels read-only, test send to a real receiver, template preview.

mod support;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use streamwarden_store::Store;
use streamwarden_store_sqlite::SqliteStore;
use support::call;

type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// A receiver that accepts only `Authorization: Bearer t0k`.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    async fn hook(
        State(seen): State<Seen>,
        headers: HeaderMap,
        body: axum::Json<Value>,
    ) -> StatusCode {
        let ok = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer t0k");
        seen.lock().expect("lock").push((headers, body.0));
        if ok {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        }
    }
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn serve() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&dir.path().join("sw.db"))
            .await
            .expect("open"),
    );
    let file = support::file_webhook("from-file", "http://127.0.0.1:9/x");
    let (base, _) = support::serve(dir.path(), store, vec![file], Default::default()).await;
    (dir, base)
}

#[tokio::test]
async fn channel_kinds_describe_all_five_with_fields_and_templates() {
    let (_dir, base) = serve().await;
    let (status, kinds) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/channel-kinds"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<_> = kinds
        .as_array()
        .expect("array")
        .iter()
        .map(|k| k["kind"].clone())
        .collect();
    assert_eq!(names, ["email", "dingtalk", "wecom", "lark", "webhook"]);
    let email = &kinds[0];
    let host = email["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "host")
        .expect("host");
    assert_eq!(host["validators"], json!(["require", "host_without_port"]));
    assert_eq!(host["required"], true);
    assert!(host["help"].as_str().is_some_and(|h| !h.is_empty()));
    let password = email["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "password")
        .expect("pw");
    assert_eq!(
        (password["type"].as_str(), password["secret"].as_bool()),
        (Some("password"), Some(true))
    );
    let parts: Vec<_> = email["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(parts, ["title", "body", "text"]);
}

#[tokio::test]
async fn a_bad_channel_is_refused_with_every_field_and_reason() {
    let (_dir, base) = serve().await;
    let (status, body) = call(reqwest::Method::POST,
        format!("{base}/api/v1/channels"),
        Some(json!({"kind": "email", "config": {"name": "mail", "host": "smtp.example.com:25", "from": "nobody", "to": ["ops@example.com", "x"], "colour": 1}})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let fields: Vec<_> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_string())
        .collect();
    for expected in ["colour", "host", "from", "to[1]"] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} missing in {body}"
        );
    }
    let (status, body) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/channels"),
        Some(json!({"kind": "pager", "config": {}})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("unknown channel kind"),
        "{body}"
    );
}

#[tokio::test]
async fn secrets_are_masked_kept_on_blank_update_and_used_by_test_send() {
    let (_dir, base) = serve().await;
    let (url, seen) = receiver().await;
    let (status, created) = call(reqwest::Method::POST,
        format!("{base}/api/v1/channels"),
        Some(json!({"kind": "webhook", "config": {"name": "hook", "url": url, "bearer_token": "t0k"}})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["config"]["bearer_token"], "******");
    assert_eq!(created["source"], "api");
    let (_, shown) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/channels/hook"),
        None,
    )
    .await;
    assert!(!shown.to_string().contains("t0k"), "{shown}");

    // Update with the secret left blank: the old one is kept, as the receiver proves.
    let (status, updated) = call(
        reqwest::Method::PUT,
        format!("{base}/api/v1/channels/hook"),
        Some(json!({"config": {"url": url, "bearer_token": "", "headers": {"X-Team": "data"}}})),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    let (status, answer) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/channels/hook/test"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (headers, body) = seen
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("a test alert");
    assert_eq!(
        headers.get("x-team").and_then(|v| v.to_str().ok()),
        Some("data")
    );
    assert_eq!(body["test"], true, "test sends are marked");
    assert_eq!(body["version"], "1");

    // A new, wrong secret: the test send returns the receiver's real refusal.
    call(
        reqwest::Method::PUT,
        format!("{base}/api/v1/channels/hook"),
        Some(json!({"config": {"url": url, "bearer_token": "wrong"}})),
    )
    .await;
    let (status, answer) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/channels/hook/test"),
        None,
    )
    .await;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["ok"], false);
    assert!(
        answer["error"].as_str().unwrap_or("").contains("HTTP 401"),
        "{answer}"
    );

    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{base}/api/v1/channels/hook"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/channels/hook"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn file_channels_are_listed_but_read_only() {
    let (_dir, base) = serve().await;
    let (_, list) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/channels"),
        None,
    )
    .await;
    assert_eq!(list[0]["name"], "from-file");
    assert_eq!(list[0]["source"], "file");
    let (status, body) = call(
        reqwest::Method::DELETE,
        format!("{base}/api/v1/channels/from-file"),
        None,
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        body["error"].as_str().unwrap_or("").contains("read-only"),
        "{body}"
    );
    let (status, _) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/channels"),
        Some(json!({"kind": "webhook", "config": {"name": "from-file", "url": "http://x"}})),
    )
    .await;
    assert_eq!(status, 409, "the name is taken");
    let (status, body) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/channels/from-file/test"),
        None,
    )
    .await;
    assert_eq!(status, 502);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("could not connect"),
        "{body}"
    );
}

#[tokio::test]
async fn templates_are_previewed_and_broken_ones_refused_with_their_line() {
    let (_dir, base) = serve().await;
    let (status, preview) = call(reqwest::Method::POST,
        format!("{base}/api/v1/templates/preview"),
        Some(json!({"kind": "dingtalk", "templates": {"title": "{% if job %}{{ job.name }} is {{ job.state }}{% else %}{{ summary }}{% endif %}"}})),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["title"], "orders-enrichment is FAILED");
    assert!(
        preview["body"]
            .as_str()
            .unwrap_or("")
            .contains("Kafka topic orders"),
        "default body"
    );
    let (status, body) = call(reqwest::Method::POST,
        format!("{base}/api/v1/channels"),
        Some(json!({"kind": "webhook", "config": {"name": "t", "url": "http://x"}, "templates": {"body": "{\"a\": 1,\n\"b\": {{ job.owner }}}"}})),
    )
    .await;
    assert_eq!(status, 400);
    let error = &body["errors"][0];
    assert_eq!(error["field"], "templates.body");
    assert!(
        error["reason"].as_str().unwrap_or("").contains("line 2"),
        "{body}"
    );
    // A template that breaks on cluster events (no job) is refused, saying so.
    let (status, body) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/templates/preview"),
        Some(json!({"kind": "lark", "templates": {"title": "{{ job.name }}"}})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("cluster_unreachable event (no job"),
        "{body}"
    );
    let (status, _) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/templates/preview"),
        Some(json!({"kind": "dingtalk", "event_id": "nope"})),
    )
    .await;
    assert_eq!(status, 404);
}
