//! Routes, subscriptions, silences and the alert history through the API on a real socket:
//! validation names the field, file routes are read-only, subscriptions go first.

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_notify::alerting::AlertingManager;
use streamwarden_store::Store;
use streamwarden_store_sqlite::SqliteStore;
use support::call;

async fn serve() -> (tempfile::TempDir, String, Arc<AlertingManager>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&dir.path().join("sw.db"))
            .await
            .expect("open"),
    );
    let hook = support::file_webhook("hook", "http://127.0.0.1:9/x");
    let config = support::from_file_route_to_hook();
    let (base, alerting) = support::serve(dir.path(), store, vec![hook], config).await;
    (dir, base, alerting)
}

#[tokio::test]
async fn routes_are_validated_ordered_and_file_ones_read_only() {
    let (_dir, base, alerting) = serve().await;
    let post = |body: Value| {
        call(
            reqwest::Method::POST,
            format!("{base}/api/v1/routes"),
            Some(body),
        )
    };
    let (status, body) = post(json!({"name": "x", "channels": ["nope"]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "channels[0]: no channel named \"nope\"");
    let (status, body) =
        post(json!({"name": "x", "channels": ["hook"], "severity": {"job_exploded": "minor"}}))
            .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("severity:"),
        "{body}"
    );
    let (status, body) = post(json!({"name": "x", "channels": ["hook"], "jobs": ["re:("]})).await;
    assert!(status == 400 || status == 422, "{status} {body}");
    let (status, _) = post(json!({"name": "from-file", "channels": ["hook"]})).await;
    assert_eq!(status, 409, "a file route is read-only");
    let (status, created) = post(json!({"name": "orders", "jobs": ["orders-*"], "channels": ["hook"], "min_severity": "major"})).await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = post(json!({"name": "orders", "channels": ["hook"]})).await;
    assert_eq!(status, 409, "the name is taken");
    let (status, sub) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/subscriptions"),
        Some(json!({"user": "bob", "tag": "team-a", "channels": ["hook"], "recipients": {"mobiles": ["138"]}})),
    )
    .await;
    assert_eq!(status, 201, "{sub}");
    assert_eq!(sub["name"], "subscription:bob:team-a");
    let (_, list) = call(reqwest::Method::GET, format!("{base}/api/v1/routes"), None).await;
    let names: Vec<_> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(
        names,
        ["subscription:bob:team-a", "from-file", "orders"],
        "subscriptions first"
    );
    let routing = alerting.routing();
    assert!(
        routing.routes[0].continue_matching,
        "a subscription never takes an event from others"
    );
    assert!(
        routing.default.is_none(),
        "with routes, no implicit catch-all"
    );
    let (status, _) = call(
        reqwest::Method::PUT,
        format!("{base}/api/v1/routes/orders"),
        Some(json!({"name": "ignored", "channels": ["hook"], "kinds": ["job_restarted"]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(alerting.list_routes()[2].route.kinds.len(), 1);
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{base}/api/v1/routes/orders"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{base}/api/v1/routes/from-file"),
        None,
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn silences_are_validated_listed_and_expired() {
    let (_dir, base, alerting) = serve().await;
    let post = |body: Value| {
        call(
            reqwest::Method::POST,
            format!("{base}/api/v1/silences"),
            Some(body),
        )
    };
    let (status, body) = post(json!({"duration": "1h", "author": "alice", "comment": ""})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            400,
            Some("comment: say why (it is shown with every muted alert)")
        )
    );
    let (status, body) = post(json!({"starts_at": "2026-01-02T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z", "author": "a", "comment": "c"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("ends_at: must be after starts_at"))
    );
    let (status, body) = post(json!({"author": "a", "comment": "c"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("ends_at: give ends_at or duration"))
    );
    let (status, body) = post(json!({"ends_at": "tomorrow", "author": "a", "comment": "c"})).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("ends_at: \"tomorrow\" is not an RFC 3339 time"),
        "{body}"
    );
    let (status, silence) = post(json!({"matchers": {"jobs": ["orders-*"], "clusters": ["prod"]}, "duration": "2h", "author": "alice", "comment": "upgrade"})).await;
    assert_eq!(status, 201, "{silence}");
    assert_eq!(alerting.silences().len(), 1, "in force at once");
    let id = silence["id"].as_str().expect("id").to_string();
    let (_, active) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/silences"),
        None,
    )
    .await;
    assert_eq!(active[0]["id"], id.as_str());
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{base}/api/v1/silences/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(alerting.silences().is_empty(), "expired at once");
    let (_, active) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/silences"),
        None,
    )
    .await;
    assert_eq!(active, json!([]));
    let (_, all) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/silences?expired=true"),
        None,
    )
    .await;
    assert_eq!(all[0]["id"], id.as_str(), "kept in the history");
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{base}/api/v1/silences/nope"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_alert_history_rejects_bad_filters_naming_them() {
    let (_dir, base, _) = serve().await;
    for (query, field) in [
        ("state=asleep", "state:"),
        ("severity=loud", "severity:"),
        ("kind=x", "kind:"),
        ("since=yesterday", "since:"),
    ] {
        let (status, body) = call(
            reqwest::Method::GET,
            format!("{base}/api/v1/alerts?{query}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["error"].as_str().unwrap_or("").starts_with(field),
            "{query}: {body}"
        );
    }
    let (status, body) = call(
        reqwest::Method::GET,
        format!("{base}/api/v1/alerts?state=firing&since=2026-01-01T00:00:00Z"),
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!([])));
    let (status, _) = call(
        reqwest::Method::POST,
        format!("{base}/api/v1/alerts/nope/ack"),
        Some(json!({"by": "alice"})),
    )
    .await;
    assert_eq!(status, 404);
}
