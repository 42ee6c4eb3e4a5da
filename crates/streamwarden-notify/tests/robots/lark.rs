//! A fake Feishu/Lark custom bot and the `lark` channel against it.
//!
//! The fake checks what the custom bot checks
//! (<https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>): the hook token; the
//! body at most 20 KB of JSON; with a secret, `timestamp` (seconds) within one hour and `sign`
//! equal to base64(HMAC-SHA256(key = "{timestamp}\n{secret}", message = empty)); 100 requests
//! a minute — and answers with the platform's codes.
#![allow(clippy::unwrap_used)]

use super::{Core, is_json, message, serve, unreachable};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_core::Severity;
use streamwarden_notify::channels::lark::{LarkChannel, LarkConfig};

const HOOK: &str = "8f0c1d2e-3a4b-5c6d-7e8f-90a1b2c3d4e5";
const SECRET: &str = "qT9zL2xV8mN4pR6sW1yB3c";

/// A Feishu/Lark custom bot on 127.0.0.1.
#[derive(Clone)]
pub struct FakeLark {
    pub core: Arc<Core>,
    secret: Option<String>,
}

fn answer(code: i64, msg: &str) -> Response {
    axum::Json(json!({ "code": code, "msg": msg, "data": {} })).into_response()
}

fn bad_request() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "code": 9499, "msg": "Bad Request", "data": {} })),
    )
        .into_response()
}

impl FakeLark {
    /// Starts a bot requiring signatures made with `secret` (none: unsecured); its base URL.
    pub async fn start(secret: Option<&str>) -> (FakeLark, String) {
        let bot = FakeLark {
            core: Arc::new(Core::default()),
            secret: secret.map(String::from),
        };
        let app = Router::new()
            .route("/open-apis/bot/v2/hook/{token}", post(send))
            .with_state(bot.clone());
        (bot, serve(app).await)
    }

    /// The official signature: base64(HMAC-SHA256(key = "{timestamp}\n{secret}", empty)).
    fn expected_sign(secret: &str, timestamp: &str) -> String {
        let key = format!("{timestamp}\n{secret}");
        let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

async fn send(
    State(bot): State<FakeLark>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(forced) = bot.core.intercept().await {
        return forced;
    }
    if token != HOOK {
        return answer(
            19001,
            "param invalid: incoming webhook access token invalid",
        );
    }
    if body.len() > 20 * 1024 || !is_json(&headers) {
        return bad_request();
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return bad_request();
    };
    if let Some(secret) = &bot.secret {
        let timestamp = match &message["timestamp"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let now = chrono::Utc::now().timestamp();
        let fresh = timestamp
            .parse::<i64>()
            .is_ok_and(|seconds| (now - seconds).abs() <= 3600);
        let signed = message["sign"].as_str() == Some(&FakeLark::expected_sign(secret, &timestamp));
        if !fresh || !signed {
            return answer(
                19021,
                "sign match fail or timestamp is not within one hour from current time",
            );
        }
    }
    let card_ok = message["msg_type"] == "interactive" && message["card"].is_object();
    if !card_ok {
        return bad_request();
    }
    if bot.core.too_fast(100) {
        return answer(11232, "frequency limited");
    }
    bot.core.accept(message);
    axum::Json(json!({
        "StatusCode": 0,
        "StatusMessage": "success",
        "code": 0,
        "data": {},
        "msg": "success"
    }))
    .into_response()
}

fn config(base: &str, secret: Option<&str>) -> LarkConfig {
    let url = url::Url::parse(&format!("{base}/open-apis/bot/v2/hook/{HOOK}")).unwrap();
    let mut config = LarkConfig::new("lark-oncall", url);
    config.secret = secret.map(String::from);
    config
}

fn channel(config: LarkConfig) -> LarkChannel {
    LarkChannel::new(config).unwrap()
}

fn failed() -> streamwarden_notify::channels::Message {
    message(
        "orders FAILED",
        "**Job** orders: RUNNING → FAILED",
        Severity::Critical,
    )
}

/// The accepted body without its signature fields, and the timestamp it carried.
fn unsigned(mut body: Value) -> (Value, Option<i64>) {
    let object = body.as_object_mut().unwrap();
    object.remove("sign");
    let timestamp = object
        .remove("timestamp")
        .and_then(|t| t.as_str().and_then(|s| s.parse().ok()));
    (body, timestamp)
}

#[tokio::test]
async fn a_signed_card_arrives_exactly() {
    let (bot, base) = FakeLark::start(Some(SECRET)).await;
    let mut config = config(&base, Some(SECRET));
    config.at_all = true;
    config.at_user_ids = vec!["ou_7d8a6e6df7621556ce0d21922b676706".into()];
    channel(config).send_message(&failed()).await.unwrap();
    let accepted = bot.core.accepted();
    assert_eq!(accepted.len(), 1);
    let (card, timestamp) = unsigned(accepted[0].clone());
    let now = chrono::Utc::now().timestamp();
    assert!(
        timestamp.is_some_and(|t| (now - t).abs() < 60),
        "{timestamp:?}"
    );
    assert_eq!(
        card,
        json!({
            "msg_type": "interactive",
            "card": {
                "config": { "wide_screen_mode": true },
                "header": {
                    "template": "red",
                    "title": { "tag": "plain_text", "content": "orders FAILED" }
                },
                "elements": [
                    { "tag": "div", "text": { "tag": "lark_md", "content": "**Job** orders: RUNNING → FAILED" } },
                    { "tag": "div", "text": { "tag": "lark_md", "content": "<at id=all></at> <at id=ou_7d8a6e6df7621556ce0d21922b676706></at>" } }
                ]
            }
        })
    );
}

#[tokio::test]
async fn hostile_content_arrives_intact() {
    let (bot, base) = FakeLark::start(Some(SECRET)).await;
    let title = r#"Job "orders\prod" </div> 🚨 {"x": 1}"#;
    let chunk =
        "quote \" backslash \\ newline \n tab \t </div> <at id=x> ${x} }]} 🚨 告警 \u{0007}\r\n";
    let mut body = String::new();
    while body.len() < 5 * 1024 {
        body.push_str(chunk);
    }
    let alert = message(title, &body, Severity::Warning);
    channel(config(&base, Some(SECRET)))
        .send_message(&alert)
        .await
        .unwrap();
    let accepted = bot.core.accepted();
    let card = &accepted[0]["card"];
    assert_eq!(card["header"]["title"]["content"].as_str(), Some(title));
    assert_eq!(card["header"]["template"], "yellow");
    assert_eq!(
        card["elements"][0]["text"]["content"].as_str(),
        Some(body.as_str())
    );
    assert_eq!(card["elements"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_fails_with_19021() {
    let (bot, base) = FakeLark::start(Some(SECRET)).await;
    let error = channel(config(&base, Some("not-the-secret")))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("lark channel \"lark-oncall\"")
            && error.0.contains(
                "Lark code 19021: sign match fail or timestamp is not within one hour from current time"
            ),
        "{error}"
    );
    assert!(bot.core.accepted().is_empty());
}

#[tokio::test]
async fn a_missing_signature_fails_with_19021() {
    let (_bot, base) = FakeLark::start(Some(SECRET)).await;
    let error = channel(config(&base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(error.0.contains("Lark code 19021"), "{error}");
}

#[tokio::test]
async fn the_fake_refuses_a_timestamp_more_than_an_hour_off() {
    let (_bot, base) = FakeLark::start(Some(SECRET)).await;
    let stale = chrono::Utc::now().timestamp() - 3700;
    let body = json!({
        "msg_type": "interactive",
        "card": {},
        "timestamp": stale.to_string(),
        "sign": streamwarden_notify::channels::lark::sign(SECRET, stale),
    });
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/open-apis/bot/v2/hook/{HOOK}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["code"], 19021);
}

#[tokio::test]
async fn rate_limited_fails_with_11232() {
    let (bot, base) = FakeLark::start(None).await;
    bot.core.too_fast_after(0);
    let error = channel(config(&base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("Lark code 11232: frequency limited") && error.0.contains("100 requests"),
        "{error}"
    );
}

#[tokio::test]
async fn an_oversized_card_is_cut_and_accepted() {
    let (bot, base) = FakeLark::start(Some(SECRET)).await;
    let body = "- \"checkpoint\" 超时 \\ 🚨\n".repeat(2000);
    let alert = message("orders FAILED", &body, Severity::Major);
    channel(config(&base, Some(SECRET)))
        .send_message(&alert)
        .await
        .unwrap();
    let accepted = bot.core.accepted();
    assert!(accepted[0].to_string().len() <= 20_000);
    let text = accepted[0]["card"]["elements"][0]["text"]["content"]
        .as_str()
        .unwrap();
    assert!(text.ends_with("\n\n… (truncated)"));
    assert!(body.starts_with(text.trim_end_matches("\n\n… (truncated)")));
}

#[tokio::test]
async fn the_fake_refuses_bodies_over_20_kb_like_lark() {
    let (_bot, base) = FakeLark::start(None).await;
    let response = reqwest::Client::new()
        .post(format!("{base}/open-apis/bot/v2/hook/{HOOK}"))
        .json(&json!({"msg_type": "text", "content": {"text": "x".repeat(21 * 1024)}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"code": 9499, "msg": "Bad Request", "data": {}})
    );
}

#[tokio::test]
async fn a_non_2xx_answer_with_a_lark_body_reports_its_code() {
    let (bot, base) = FakeLark::start(None).await;
    bot.core
        .force(400, r#"{"code":9499,"msg":"Bad Request","data":{}}"#);
    let error = channel(config(&base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("HTTP 400, Lark code 9499: Bad Request"),
        "{error}"
    );
}

#[tokio::test]
async fn a_non_2xx_answer_fails_with_status_and_excerpt_but_no_token() {
    let (bot, base) = FakeLark::start(None).await;
    bot.core.force(500, "internal error");
    let error = channel(config(&base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(error.0.contains("HTTP 500: internal error"), "{error}");
    assert!(!error.0.contains(HOOK), "{error}");
}

#[tokio::test]
async fn an_unreachable_bot_fails_clearly() {
    let base = unreachable().await;
    let error = channel(config(&base, Some(SECRET)))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error
            .0
            .starts_with("lark channel \"lark-oncall\" (127.0.0.1:")
            && error.0.contains("could not connect"),
        "{error}"
    );
    assert!(!error.0.contains(HOOK), "{error}");
}
