//! A fake Feishu/Lark custom bot.
//!
//! It checks what the custom bot checks
//! (<https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>): the hook token; the
//! body at most 20 KB of JSON; with a secret, `timestamp` (epoch seconds) within one hour and
//! `sign` equal to base64(HMAC-SHA256(key = "{timestamp}\n{secret}", message = empty)); an
//! `interactive` card; 100 requests a minute — and answers with the platform's
//! `{"code", "msg", "data"}` (HTTP 400 with code 9499 for malformed or oversized bodies).

use super::{FakeRobot, RobotCore, is_json};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use std::sync::Arc;

/// The bot's hook token (the last segment of its webhook URL): the only one it accepts.
pub const HOOK: &str = "8f0c1d2e-3a4b-5c6d-7e8f-90a1b2c3d4e5";

/// The path of custom bot webhooks, followed by the hook token.
pub const PATH: &str = "/open-apis/bot/v2/hook/";

/// The Feishu/Lark platform, for [`FakeRobot`].
#[derive(Debug)]
pub struct Lark;

/// A Feishu/Lark custom bot on 127.0.0.1.
pub type FakeLark = FakeRobot<Lark>;

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

/// The official signature: base64(HMAC-SHA256(key = "{timestamp}\n{secret}", empty)).
fn expected_sign(secret: &str, timestamp: &str) -> String {
    let key = format!("{timestamp}\n{secret}");
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl FakeRobot<Lark> {
    /// Starts a bot requiring signatures made with `secret` (`None`: unsecured, as a bot
    /// secured by keywords or IP addresses).
    pub async fn start(secret: Option<&str>) -> FakeLark {
        FakeRobot::serve(&format!("{PATH}{{token}}"), send, secret).await
    }

    /// The bot's webhook address as the bot's settings show it:
    /// `<base>/open-apis/bot/v2/hook/<HOOK>`.
    pub fn webhook_url(&self) -> url::Url {
        url::Url::parse(&format!("{}{PATH}{HOOK}", self.base_url())).unwrap()
    }
}

async fn send(
    State(bot): State<Arc<RobotCore>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(forced) = bot.intercept().await {
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
    if let Some(secret) = bot.secret() {
        let timestamp = match &message["timestamp"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let now = chrono::Utc::now().timestamp();
        let fresh = timestamp
            .parse::<i64>()
            .is_ok_and(|seconds| (now - seconds).abs() <= 3600);
        let signed = message["sign"].as_str() == Some(&expected_sign(secret, &timestamp));
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
    if bot.too_fast(100) {
        return answer(11232, "frequency limited");
    }
    bot.accept(message);
    axum::Json(json!({
        "StatusCode": 0,
        "StatusMessage": "success",
        "code": 0,
        "data": {},
        "msg": "success"
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_larks_documented_algorithm() {
        // python3 -c 'import hmac,hashlib,base64;
        //   print(base64.b64encode(hmac.new(("1700000000"+"\n"+"lark-test-secret").encode(),
        //     b"", hashlib.sha256).digest()).decode())'
        assert_eq!(
            expected_sign("lark-test-secret", "1700000000"),
            "C6hZMltuQURn+DA/Nk3fqLS7mnbNGEAKTQOhSxXgQ2U="
        );
    }

    #[tokio::test]
    async fn a_signed_card_is_accepted() {
        let bot = FakeLark::start(Some("s3cret")).await;
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let card = json!({
            "msg_type": "interactive",
            "card": {},
            "timestamp": timestamp,
            "sign": expected_sign("s3cret", &timestamp),
        });
        let answer = super::super::post_json(bot.webhook_url(), &card).await;
        assert_eq!(answer["code"], 0);
        assert_eq!(bot.accepted(), [card]);
    }
}
