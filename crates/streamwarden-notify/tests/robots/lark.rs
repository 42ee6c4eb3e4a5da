//! The `lark` channel against a fake Feishu/Lark custom bot ([`streamwarden_testkit::FakeLark`]),
//! which checks what the custom bot checks — the hook token, the body at most 20 KB, the
//! signature and its timestamp, 100 requests a minute — and answers with the platform's codes.
#![allow(clippy::unwrap_used)]

use super::message;
use serde_json::{Value, json};
use streamwarden_core::Severity;
use streamwarden_notify::channels::lark::{LarkChannel, LarkConfig};
use streamwarden_testkit::robots::lark::HOOK;
use streamwarden_testkit::{FakeLark, unreachable_base_url as unreachable};

const SECRET: &str = "qT9zL2xV8mN4pR6sW1yB3c";

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
    let bot = FakeLark::start(Some(SECRET)).await;
    let base = bot.base_url();
    let mut config = config(base, Some(SECRET));
    config.at_all = true;
    config.at_user_ids = vec!["ou_7d8a6e6df7621556ce0d21922b676706".into()];
    channel(config).send_message(&failed()).await.unwrap();
    let accepted = bot.accepted();
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
    let bot = FakeLark::start(Some(SECRET)).await;
    let base = bot.base_url();
    let title = r#"Job "orders\prod" </div> 🚨 {"x": 1}"#;
    let chunk =
        "quote \" backslash \\ newline \n tab \t </div> <at id=x> ${x} }]} 🚨 告警 \u{0007}\r\n";
    let mut body = String::new();
    while body.len() < 5 * 1024 {
        body.push_str(chunk);
    }
    let alert = message(title, &body, Severity::Warning);
    channel(config(base, Some(SECRET)))
        .send_message(&alert)
        .await
        .unwrap();
    let accepted = bot.accepted();
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
    let bot = FakeLark::start(Some(SECRET)).await;
    let base = bot.base_url();
    let error = channel(config(base, Some("not-the-secret")))
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
    assert!(bot.accepted().is_empty());
}

#[tokio::test]
async fn a_missing_signature_fails_with_19021() {
    let bot = FakeLark::start(Some(SECRET)).await;
    let base = bot.base_url();
    let error = channel(config(base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(error.0.contains("Lark code 19021"), "{error}");
}

#[tokio::test]
async fn the_fake_refuses_a_timestamp_more_than_an_hour_off() {
    let bot = FakeLark::start(Some(SECRET)).await;
    let base = bot.base_url();
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
    let bot = FakeLark::start(None).await;
    let base = bot.base_url();
    bot.too_fast_after(0);
    let error = channel(config(base, None))
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
    let bot = FakeLark::start(Some(SECRET)).await;
    let base = bot.base_url();
    let body = "- \"checkpoint\" 超时 \\ 🚨\n".repeat(2000);
    let alert = message("orders FAILED", &body, Severity::Major);
    channel(config(base, Some(SECRET)))
        .send_message(&alert)
        .await
        .unwrap();
    let accepted = bot.accepted();
    assert!(accepted[0].to_string().len() <= 20_000);
    let text = accepted[0]["card"]["elements"][0]["text"]["content"]
        .as_str()
        .unwrap();
    assert!(text.ends_with("\n\n… (truncated)"));
    assert!(body.starts_with(text.trim_end_matches("\n\n… (truncated)")));
}

#[tokio::test]
async fn the_fake_refuses_bodies_over_20_kb_like_lark() {
    let bot = FakeLark::start(None).await;
    let base = bot.base_url();
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
    let bot = FakeLark::start(None).await;
    let base = bot.base_url();
    bot.force(400, r#"{"code":9499,"msg":"Bad Request","data":{}}"#);
    let error = channel(config(base, None))
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
    let bot = FakeLark::start(None).await;
    let base = bot.base_url();
    bot.force(500, "internal error");
    let error = channel(config(base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(error.0.contains("HTTP 500: internal error"), "{error}");
    assert!(!error.0.contains(HOOK), "{error}");
}

#[tokio::test]
async fn an_unreachable_bot_fails_clearly() {
    let base = &unreachable().await;
    let error = channel(config(base, Some(SECRET)))
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
