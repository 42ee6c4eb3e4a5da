//! The `dingtalk` channel against a fake DingTalk custom robot
//! ([`streamwarden_testkit::FakeDingTalk`]), which checks what DingTalk checks — the
//! `access_token`, the signature and its timestamp, the body size, 20 messages a minute — and
//! answers with DingTalk's errcodes.
#![allow(clippy::unwrap_used)]

use super::message;
use serde_json::{Value, json};
use std::time::Duration;
use streamwarden_core::Severity;
use streamwarden_notify::channels::dingtalk::{DingTalkChannel, DingTalkConfig};
use streamwarden_testkit::robots::dingtalk::ACCESS_TOKEN as TOKEN;
use streamwarden_testkit::{FakeDingTalk, unreachable_base_url as unreachable};

const SECRET: &str = "SECc0ffee0123456789abcdef0123456789abcdef0123456789abcdef01234567";

fn config(base: &str, secret: Option<&str>) -> DingTalkConfig {
    let url = url::Url::parse(&format!("{base}/robot/send?access_token={TOKEN}")).unwrap();
    let mut config = DingTalkConfig::new("oncall", url);
    config.secret = secret.map(String::from);
    config
}

fn channel(config: DingTalkConfig) -> DingTalkChannel {
    DingTalkChannel::new(config).unwrap()
}

fn failed() -> streamwarden_notify::channels::Message {
    message(
        "orders FAILED",
        "#### Job orders FAILED\n- cluster: local\n- state: RUNNING → FAILED",
        Severity::Critical,
    )
}

#[tokio::test]
async fn a_signed_markdown_message_arrives_exactly() {
    let robot = FakeDingTalk::start(Some(SECRET)).await;
    let base = robot.base_url();
    let mut config = config(base, Some(SECRET));
    config.at_mobiles = vec!["13800000000".into(), "13900000000".into()];
    channel(config).send_message(&failed()).await.unwrap();
    assert_eq!(
        robot.accepted(),
        [json!({
            "msgtype": "markdown",
            "markdown": {
                "title": "orders FAILED",
                "text": "#### Job orders FAILED\n- cluster: local\n- state: RUNNING → FAILED\n\n@13800000000 @13900000000"
            },
            "at": { "atMobiles": ["13800000000", "13900000000"], "isAtAll": false }
        })]
    );
}

#[tokio::test]
async fn every_at_mobile_has_its_token_in_the_text() {
    let robot = FakeDingTalk::start(None).await;
    let base = robot.base_url();
    let mut config = config(base, None);
    config.at_mobiles = vec![
        "13800000000".into(),
        "13900000000".into(),
        "15000000000".into(),
    ];
    config.at_all = true;
    let alert = message("t", "on call: @13900000000, please look", Severity::Major);
    channel(config.clone()).send_message(&alert).await.unwrap();
    let accepted = robot.accepted();
    let text = accepted[0]["markdown"]["text"].as_str().unwrap();
    for mobile in &config.at_mobiles {
        assert!(
            text.contains(&format!("@{mobile}")),
            "{mobile} missing in {text:?}"
        );
    }
    assert_eq!(text.matches("@13900000000").count(), 1);
    assert_eq!(accepted[0]["at"]["atMobiles"], json!(config.at_mobiles));
    assert_eq!(accepted[0]["at"]["isAtAll"], json!(true));
}

#[tokio::test]
async fn a_wrong_secret_fails_with_dingtalks_code_and_message() {
    let robot = FakeDingTalk::start(Some(SECRET)).await;
    let base = robot.base_url();
    let error = channel(config(base, Some("SECwrong")))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("dingtalk channel \"oncall\"")
            && error.0.contains("DingTalk errcode 310000: sign not match"),
        "{error}"
    );
    assert!(robot.accepted().is_empty());
}

#[tokio::test]
async fn a_missing_signature_fails() {
    let robot = FakeDingTalk::start(Some(SECRET)).await;
    let base = robot.base_url();
    let error = channel(config(base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(error.0.contains("errcode 310000"), "{error}");
}

#[tokio::test]
async fn the_fake_refuses_a_timestamp_more_than_an_hour_off() {
    let robot = FakeDingTalk::start(Some(SECRET)).await;
    let base = robot.base_url();
    let stale = chrono::Utc::now().timestamp_millis() - 3_700_000;
    let sign = streamwarden_notify::channels::dingtalk::sign(SECRET, stale);
    let url = format!("{base}/robot/send?access_token={TOKEN}&timestamp={stale}&sign={sign}");
    let answer: Value = reqwest::Client::new()
        .post(url)
        .json(&json!({"msgtype": "markdown", "markdown": {"title": "t", "text": "t"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer,
        json!({"errcode": 310000, "errmsg": "invalid timestamp"})
    );
}

#[tokio::test]
async fn a_wrong_access_token_fails_with_300001() {
    let robot = FakeDingTalk::start(None).await;
    let base = robot.base_url();
    let mut config = config(base, None);
    config.webhook_url = url::Url::parse(&format!("{base}/robot/send?access_token=nope")).unwrap();
    let error = channel(config).send_message(&failed()).await.unwrap_err();
    assert!(
        error.0.contains("errcode 300001: token is not exist"),
        "{error}"
    );
}

#[tokio::test]
async fn too_fast_fails_with_130101() {
    let robot = FakeDingTalk::start(Some(SECRET)).await;
    let base = robot.base_url();
    robot.too_fast_after(0);
    let error = channel(config(base, Some(SECRET)))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("DingTalk errcode 130101: send too fast")
            && error.0.contains("20 messages a minute"),
        "{error}"
    );
}

#[tokio::test]
async fn the_21st_message_in_a_minute_is_refused() {
    let robot = FakeDingTalk::start(None).await;
    let base = robot.base_url();
    let channel = channel(config(base, None));
    for _ in 0..20 {
        channel.send_message(&failed()).await.unwrap();
    }
    let error = channel.send_message(&failed()).await.unwrap_err();
    assert!(error.0.contains("130101"), "{error}");
    assert_eq!(robot.accepted().len(), 20);
}

#[tokio::test]
async fn an_oversized_message_is_cut_and_accepted() {
    let robot = FakeDingTalk::start(Some(SECRET)).await;
    let base = robot.base_url();
    let mut config = config(base, Some(SECRET));
    config.at_mobiles = vec!["13800000000".into()];
    let body = "- 任务 \"orders\" 失败 🚨\n".repeat(1500);
    let alert = message("orders FAILED", &body, Severity::Critical);
    channel(config).send_message(&alert).await.unwrap();
    let accepted = robot.accepted();
    let text = accepted[0]["markdown"]["text"].as_str().unwrap();
    assert!(
        text.ends_with("… (truncated)\n\n@13800000000"),
        "{}",
        &text[text.len() - 60..]
    );
    assert!(body.starts_with(text.split("\n\n… (truncated)").next().unwrap()));
    assert!(accepted[0].to_string().len() <= 20_000);
}

#[tokio::test]
async fn a_non_2xx_answer_fails_with_status_and_excerpt_but_no_token() {
    let robot = FakeDingTalk::start(None).await;
    let base = robot.base_url();
    robot.force(
        502,
        &format!("<html>502 Bad Gateway</html>{}", "x".repeat(2000)),
    );
    let error = channel(config(base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error
            .0
            .contains("HTTP 502: <html>502 Bad Gateway</html>xxx"),
        "{error}"
    );
    assert!(error.0.len() < 700, "{} bytes", error.0.len());
    assert!(!error.0.contains(TOKEN), "{error}");
}

#[tokio::test]
async fn an_answer_without_errcode_is_a_failure() {
    let robot = FakeDingTalk::start(None).await;
    let base = robot.base_url();
    robot.force(200, "<html>captive portal</html>");
    let error = channel(config(base, None))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error
            .0
            .contains("unexpected answer (no errcode): <html>captive portal</html>"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_robot_fails_clearly() {
    let base = &unreachable().await;
    let error = channel(config(base, Some(SECRET)))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error
            .0
            .starts_with("dingtalk channel \"oncall\" (127.0.0.1:")
            && error.0.contains("could not connect"),
        "{error}"
    );
    assert!(
        !error.0.contains(TOKEN) && !error.0.contains("sign="),
        "{error}"
    );
}

#[tokio::test]
async fn a_slow_robot_times_out() {
    let robot = FakeDingTalk::start(None).await;
    let base = robot.base_url();
    robot.delay(Duration::from_secs(3));
    let mut config = config(base, None);
    config.timeout = Duration::from_millis(300);
    let error = channel(config).send_message(&failed()).await.unwrap_err();
    assert!(error.0.contains("timed out after 300ms"), "{error}");
}
