//! Access control on a real socket over a real store: every role can do exactly what it may,
//! nothing mutates without a token, a revoked token stops at once, no secret comes back.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_core::access::Role;
use streamwarden_store::Store;
use streamwarden_store_sqlite::SqliteStore;

struct Api {
    base: String,
    _dir: tempfile::TempDir,
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        support::api(&self.base, method, path, token, body).await
    }
}

/// A store with alice (admin), olga (operator) and vic (viewer), each with a token.
async fn api() -> (Api, [String; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("sw.db")).await.unwrap();
    let tokens = support::users_with_tokens(&store, support::ALICE_OLGA_VIC).await;
    let store: Arc<dyn Store> = Arc::new(store);
    let (base, _) = support::serve(dir.path(), store, vec![], Default::default()).await;
    (Api { base, _dir: dir }, tokens)
}

#[tokio::test]
async fn every_role_can_do_exactly_what_it_may() {
    let (api, [admin, operator, viewer]) = api().await;
    let silence = json!({"matchers": {"jobs": ["orders"]}, "duration": "1h", "author": "o", "comment": "deploy"});
    let channel =
        json!({"kind": "webhook", "config": {"name": "hook", "url": "http://127.0.0.1:9/x"}});
    // (method, path, body, the lowest role that may)
    let calls = [
        ("GET", "/api/v1/jobs", json!(null), Role::Viewer),
        ("GET", "/api/v1/channels", json!(null), Role::Viewer),
        ("POST", "/api/v1/silences", silence, Role::Operator),
        ("POST", "/api/v1/channels", channel, Role::Admin),
        ("GET", "/api/v1/tokens", json!(null), Role::Admin),
        ("GET", "/api/v1/users", json!(null), Role::Admin),
    ];
    for (method, path, body, lowest) in calls {
        for (role, token) in [
            (Role::Viewer, &viewer),
            (Role::Operator, &operator),
            (Role::Admin, &admin),
        ] {
            let (status, answer) = api.call(method, path, Some(token), body.clone()).await;
            if role >= lowest {
                assert!(
                    (200..300).contains(&status),
                    "{role} {method} {path}: {status} {answer}"
                );
            } else {
                assert_eq!(status, 403, "{role} {method} {path}: {answer}");
                assert!(
                    answer["error"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("needs the {lowest} role")),
                    "{answer}"
                );
            }
        }
        let (status, answer) = api.call(method, path, None, body.clone()).await;
        assert_eq!(status, 401, "no token, {method} {path}: {answer}");
    }
    for open in ["/healthz", "/readyz", "/metrics"] {
        let (status, _) = api.call("GET", open, None, json!(null)).await;
        assert_ne!(status, 401, "{open} is open");
    }
    let (status, _) = api
        .call("GET", "/api/v1/jobs", Some("swt_forged"), json!(null))
        .await;
    assert_eq!(status, 401, "an unknown token");
}

#[tokio::test]
async fn tokens_are_shown_once_never_listed_and_revoked_at_once() {
    let (api, [admin, _, _]) = api().await;
    let (status, created) = api
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&admin),
            json!({"label": "ci", "role": "operator", "user": "olga"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("swt_"));
    let (status, _) = api
        .call(
            "POST",
            "/api/v1/silences",
            Some(&token),
            json!({"matchers": {"jobs": ["x"]}, "duration": "1h", "author": "o", "comment": "c"}),
        )
        .await;
    assert!(
        (200..300).contains(&status),
        "the new token works: {status}"
    );
    let (_, silences) = api
        .call("GET", "/api/v1/silences", Some(&admin), json!(null))
        .await;
    let authors: Vec<&Value> = silences
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["author"])
        .collect();
    assert_eq!(
        authors,
        [&json!("olga")],
        "the token's user, not the body's"
    );

    let (_, listed) = api
        .call("GET", "/api/v1/tokens", Some(&admin), json!(null))
        .await;
    let text = listed.to_string();
    assert!(!text.contains(&token[4..]), "the secret is never listed");
    assert!(!text.contains("hash"), "{text}");
    let (_, users) = api
        .call("GET", "/api/v1/users", Some(&admin), json!(null))
        .await;
    assert!(!users.to_string().contains("password"), "{users}");

    let id = created["id"].as_str().unwrap();
    let (status, _) = api
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            Some(&admin),
            json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let (status, answer) = api
        .call("GET", "/api/v1/jobs", Some(&token), json!(null))
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("unknown or revoked token"))
    );

    let (status, answer) = api
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&admin),
            json!({"label": "x", "role": "admin", "user": "vic"}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().starts_with("role: "),
        "{answer}"
    );
}

/// Every operation of the OpenAPI document as `(method, path with its parameters filled)`.
async fn operations(api: &Api, admin: &str) -> Vec<(String, String)> {
    let (status, doc) = api
        .call("GET", "/api/v1/openapi.json", Some(admin), json!(null))
        .await;
    assert_eq!(status, 200);
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let filled = path
                .replace("{name}", "hook")
                .replace("{id}", "x1")
                .replace("{event_id}", "e1");
            all.push((method.to_uppercase(), filled));
        }
    }
    assert!(all.len() > 45, "{all:?}");
    all
}

#[tokio::test]
async fn no_endpoint_changes_anything_without_credentials() {
    let (api, [admin, _, _]) = api().await;
    let mut changes = 0;
    for (method, path) in operations(&api, &admin).await {
        if method == "GET" {
            continue;
        }
        changes += 1;
        let (status, answer) = api.call(&method, &path, None, json!({})).await;
        if (method.as_str(), path.as_str()) == ("POST", "/api/v1/session") {
            assert!(
                !(200..300).contains(&status),
                "signing in needs a password: {answer}"
            );
        } else {
            assert_eq!(status, 401, "{method} {path} without a token: {answer}");
        }
    }
    assert!(changes > 25, "{changes} changing operations");
    let (_, audit) = api
        .call("GET", "/api/v1/audit?limit=1000", Some(&admin), json!(null))
        .await;
    let entries = audit.as_array().unwrap();
    // The two read-only POSTs (many applications' inspect, a template preview) are not audited.
    assert_eq!(entries.len(), changes - 2, "each refused change is audited");
    assert!(
        entries.iter().all(|e| e["status"].as_u64().unwrap() >= 400),
        "{audit}"
    );
}

#[tokio::test]
async fn no_endpoint_returns_a_secret() {
    let (api, [admin, operator, _]) = api().await;
    let (status, answer) = api
        .call(
            "POST",
            "/api/v1/channels",
            Some(&admin),
            json!({"kind": "dingtalk", "config": {
                "name": "hook",
                "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=AT-SECRET-9",
                "secret": "SEC-SECRET-8"
            }}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = api
        .call(
            "POST",
            "/api/v1/users",
            Some(&admin),
            json!({"name": "pat", "role": "viewer", "password": "PW-SECRET-7 long"}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    for (method, path) in operations(&api, &admin).await {
        if method != "GET" || path.contains("openapi") || path.starts_with("/api/docs") {
            continue;
        }
        let (_, answer) = api.call(&method, &path, Some(&admin), json!(null)).await;
        let text = answer.to_string();
        for secret in [
            "AT-SECRET-9",
            "SEC-SECRET-8",
            "PW-SECRET-7",
            "argon2",
            &admin[4..],
            &operator[4..],
        ] {
            assert!(!text.contains(secret), "{path} returned {secret}: {text}");
        }
    }
}
