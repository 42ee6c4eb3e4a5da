//! Console sessions and the audit log on a real socket over a real store: a password opens an
//! HttpOnly, SameSite session whose changes need its CSRF token; every change, allowed or
//! refused, is audited with who, what, target and outcome, and no secret reaches the log.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_core::access::Role;
use streamwarden_server::auth::hash_password;
use streamwarden_store::Store;
use streamwarden_store_sqlite::SqliteStore;

const PASSWORD: &str = "correct horse battery";

struct Api {
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Api {
    /// Calls `path` with `headers`; status, JSON answer and the `Set-Cookie` header.
    async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get(SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_string());
        (status, response.json().await.unwrap_or_default(), cookie)
    }

    /// Signs in as `user` with `password`: status, answer and the `Set-Cookie` header.
    async fn sign_in(&self, user: &str, password: &str) -> (u16, Value, Option<String>) {
        let body = json!({"user": user, "password": password});
        self.call("POST", "/api/v1/session", &[], Some(body)).await
    }
}

/// alice (admin, with a password and a token) and vic (viewer, with a token).
async fn api() -> (Api, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("sw.db")).await.unwrap();
    let mut tokens = Vec::new();
    for (name, role) in [("alice", Role::Admin), ("vic", Role::Viewer)] {
        let password_hash = Some(hash_password(PASSWORD).unwrap());
        let token = support::user_with_token(&store, "test", name, role, password_hash).await;
        tokens.push(format!("Bearer {token}"));
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let (base, _) = support::serve(dir.path(), store, vec![], Default::default()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let [admin, viewer]: [String; 2] = tokens.try_into().unwrap();
    (
        Api {
            base,
            http,
            _dir: dir,
        },
        admin,
        viewer,
    )
}

fn silence() -> Value {
    json!({"matchers": {"jobs": ["orders"]}, "duration": "1h", "comment": "deploy"})
}

#[tokio::test]
async fn a_password_opens_a_session_whose_changes_need_its_csrf_token() {
    let (api, _, _) = api().await;
    let (status, answer, cookie) = api.sign_in("alice", "wrong password").await;
    assert_eq!((status, cookie), (401, None), "{answer}");
    assert_eq!(answer["error"], "user or password is wrong");
    let (status, _, _) = api.sign_in("nobody", PASSWORD).await;
    assert_eq!(status, 401, "an unknown user gets the same answer");

    let (status, signed_in, set_cookie) = api.sign_in("alice", PASSWORD).await;
    assert_eq!(status, 200, "{signed_in}");
    assert_eq!(signed_in["role"], "admin");
    let set_cookie = set_cookie.unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let csrf = signed_in["csrf"].as_str().unwrap().to_string();

    let (status, me, _) = api
        .call(
            "GET",
            "/api/v1/session",
            &[(COOKIE.as_str(), &cookie)],
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (me["user"].as_str(), me["csrf"].as_str()),
        (Some("alice"), Some(csrf.as_str()))
    );

    let (status, refused, _) = api
        .call(
            "POST",
            "/api/v1/silences",
            &[(COOKIE.as_str(), &cookie)],
            Some(silence()),
        )
        .await;
    assert_eq!(status, 403, "a change without the CSRF token: {refused}");
    assert!(refused["error"].as_str().unwrap().contains("X-CSRF-Token"));
    let (status, _, _) = api
        .call(
            "POST",
            "/api/v1/silences",
            &[(COOKIE.as_str(), &cookie), ("x-csrf-token", "forged")],
            Some(silence()),
        )
        .await;
    assert_eq!(status, 403, "a forged CSRF token");
    let (status, created, _) = api
        .call(
            "POST",
            "/api/v1/silences",
            &[(COOKIE.as_str(), &cookie), ("x-csrf-token", &csrf)],
            Some(silence()),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["author"], "alice",
        "the session's user is the author"
    );

    let (status, _, cleared) = api
        .call(
            "DELETE",
            "/api/v1/session",
            &[(COOKIE.as_str(), &cookie), ("x-csrf-token", &csrf)],
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert!(cleared.unwrap().contains("Max-Age=0"));
    let (status, _, _) = api
        .call("GET", "/api/v1/jobs", &[(COOKIE.as_str(), &cookie)], None)
        .await;
    assert_eq!(status, 401, "the session ended at sign-out");
}

#[tokio::test]
async fn every_change_is_audited_with_its_outcome_and_without_secrets() {
    let (api, admin, viewer) = api().await;
    let auth = |token: &str| [("authorization", token.to_string())];
    let call = |method: &'static str, path: &'static str, token: Option<String>, body: Value| {
        let api = &api;
        async move {
            let headers: Vec<(&str, String)> = token
                .map(|t| {
                    vec![
                        ("authorization", t),
                        ("x-streamwarden-client", "cli".into()),
                    ]
                })
                .unwrap_or_default();
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            api.call(method, path, &headers, Some(body)).await
        }
    };
    let _ = auth;
    let channel = json!({"kind": "dingtalk", "config": {
        "name": "ops-robot",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=AT-SECRET-1",
        "secret": "SEC-SECRET-2"
    }});
    let (status, answer, _) = call(
        "POST",
        "/api/v1/channels",
        Some(admin.clone()),
        channel.clone(),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let (status, _, _) = call(
        "POST",
        "/api/v1/channels",
        Some(viewer.clone()),
        channel.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = call("POST", "/api/v1/channels", None, channel).await;
    assert_eq!(status, 401);
    let (status, silenced, _) =
        call("POST", "/api/v1/silences", Some(admin.clone()), silence()).await;
    assert_eq!(status, 201);
    let silenced = format!("silences/{}", silenced["id"].as_str().unwrap());
    let (status, _, _) = call(
        "POST",
        "/api/v1/users",
        Some(admin.clone()),
        json!({"name": "olga", "role": "operator", "password": "short"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, made, _) = call(
        "POST",
        "/api/v1/users",
        Some(admin.clone()),
        json!({"name": "olga", "role": "operator", "password": "PW-SECRET-3 long enough"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert!(!made.to_string().contains("argon2"), "{made}");
    let (status, _, _) = call(
        "POST",
        "/api/v1/session",
        None,
        json!({"user": "olga", "password": "PW-SECRET-3 long enough"}),
    )
    .await;
    assert_eq!(
        status, 200,
        "the new user signs in with the password set through the API"
    );
    let (status, _, _) = call(
        "POST",
        "/api/v1/session",
        None,
        json!({"user": "olga", "password": "PW-SECRET-4 wrong"}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _, _) = call("GET", "/api/v1/jobs", Some(admin.clone()), Value::Null).await;
    assert_eq!(status, 200);

    let (status, log, _) = call("GET", "/api/v1/audit", Some(admin.clone()), Value::Null).await;
    assert_eq!(status, 200, "{log}");
    let rows: Vec<(String, String, String, String, u64, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_string(),
                e["via"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["target"].as_str().unwrap().to_string(),
                e["status"].as_u64().unwrap(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |actor: &str, via: &str, action: &str, target: &str, status: u64, outcome: &str| {
        (
            actor.into(),
            via.into(),
            action.into(),
            target.into(),
            status,
            outcome.into(),
        )
    };
    assert_eq!(
        rows,
        vec![
            row(
                "alice",
                "cli",
                "POST /api/v1/channels",
                "channels/ops-robot",
                201,
                "ok"
            ),
            row(
                "vic",
                "cli",
                "POST /api/v1/channels",
                "channels/ops-robot",
                403,
                "forbidden: POST /api/v1/channels needs the admin role; vic has viewer"
            ),
            row(
                "anonymous",
                "api",
                "POST /api/v1/channels",
                "channels/ops-robot",
                401,
                "authentication required: Authorization: Bearer <token>, or sign in at /ui/login"
            ),
            row(
                "alice",
                "cli",
                "POST /api/v1/silences",
                &silenced,
                201,
                "ok"
            ),
            row(
                "alice",
                "cli",
                "POST /api/v1/users",
                "users/olga",
                400,
                "password: 8 to 256 characters, got 5"
            ),
            row(
                "alice",
                "cli",
                "POST /api/v1/users",
                "users/olga",
                201,
                "ok"
            ),
            row("olga", "api", "POST /api/v1/session", "session", 200, "ok"),
            row(
                "olga",
                "api",
                "POST /api/v1/session",
                "session",
                401,
                "user or password is wrong"
            ),
        ],
        "reads are not audited; every change is, newest first"
    );
    let text = log.to_string();
    for secret in [
        "AT-SECRET-1",
        "SEC-SECRET-2",
        "PW-SECRET-3",
        "PW-SECRET-4",
        "short",
        &admin[7..],
    ] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the audit log: {text}"
        );
    }
    let first = &log.as_array().unwrap().last().unwrap()["summary"]["body"];
    assert_eq!(
        first,
        &json!({"kind": "dingtalk", "config": {
            "name": "ops-robot",
            "webhook_url": "https://oapi.dingtalk.com/…",
            "secret": "***"
        }}),
        "the summary keeps what is not secret"
    );

    let (_, refused, _) = call(
        "GET",
        "/api/v1/audit?ok=false&actor=vic",
        Some(admin.clone()),
        Value::Null,
    )
    .await;
    assert_eq!(refused.as_array().unwrap().len(), 1, "{refused}");
    let (_, users, _) = call(
        "GET",
        "/api/v1/audit?target=users/&limit=1",
        Some(admin.clone()),
        Value::Null,
    )
    .await;
    assert_eq!(users[0]["status"], 201, "{users}");
    let (status, _, _) = call("GET", "/api/v1/audit", Some(viewer), Value::Null).await;
    assert_eq!(status, 403, "the audit log is for admins");
}

#[tokio::test]
async fn password_guessing_is_slowed_to_ten_attempts_a_minute_per_user() {
    let (api, _, _) = api().await;
    for attempt in 0..10 {
        let (status, _, _) = api.sign_in("alice", "a wrong guess").await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    let (status, answer, cookie) = api.sign_in("alice", PASSWORD).await;
    assert_eq!(
        (status, cookie),
        (429, None),
        "even the right password waits: {answer}"
    );
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .starts_with("user: more than 10 sign-in attempts")
    );
    let (status, _, _) = api.sign_in("vic", PASSWORD).await;
    assert_eq!(status, 200, "another user is not held back");
}

#[tokio::test]
async fn a_new_password_signs_out_the_sessions_of_the_old_one() {
    let (api, admin, _) = api().await;
    let (status, _, set_cookie) = api.sign_in("vic", PASSWORD).await;
    assert_eq!(status, 200);
    let cookie = set_cookie.unwrap().split(';').next().unwrap().to_string();
    let with_cookie = [(COOKIE.as_str(), cookie.as_str())];
    let (status, _, _) = api.call("GET", "/api/v1/jobs", &with_cookie, None).await;
    assert_eq!(status, 200);
    let (status, changed, _) = api
        .call(
            "PUT",
            "/api/v1/users/vic",
            &[("authorization", admin.as_str())],
            Some(json!({"password": "a brand new password"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    let (status, _, _) = api.call("GET", "/api/v1/jobs", &with_cookie, None).await;
    assert_eq!(status, 401, "the old session ended with the old password");
    let (status, _, _) = api.sign_in("vic", PASSWORD).await;
    assert_eq!(status, 401, "the old password no longer works");
}
