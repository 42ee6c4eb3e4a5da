//! The `wecom` channel against a fake WeCom group robot ([`streamwarden_testkit::FakeWeCom`]),
//! which checks what WeCom checks — the `key`, markdown content at most 4096 bytes and text
//! content at most 2048 bytes, 20 messages a minute — and answers with WeCom's errcodes (HTTP
//! 200 for errors, as WeCom does).
#![allow(clippy::unwrap_used)]

use super::message;
use serde_json::{Value, json};
use streamwarden_core::Severity;
use streamwarden_notify::channels::wecom::{WeComChannel, WeComConfig};
use streamwarden_testkit::robots::wecom::KEY;
use streamwarden_testkit::{FakeWeCom, unreachable_base_url as unreachable};

fn config(base: &str) -> WeComConfig {
    let url = url::Url::parse(&format!("{base}/cgi-bin/webhook/send?key={KEY}")).unwrap();
    WeComConfig::new("wecom-oncall", url)
}

fn channel(config: WeComConfig) -> WeComChannel {
    WeComChannel::new(config).unwrap()
}

fn failed() -> streamwarden_notify::channels::Message {
    message(
        "orders FAILED",
        "## Job orders FAILED\n> cluster: <font color=\"warning\">local</font>",
        Severity::Critical,
    )
}

#[tokio::test]
async fn a_markdown_message_arrives_exactly_with_user_mentions() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    let mut config = config(base);
    config.mentioned_userids = vec!["zhangsan".into(), "li.si@corp".into()];
    channel(config).send_message(&failed()).await.unwrap();
    assert_eq!(
        robot.accepted(),
        [json!({
            "msgtype": "markdown",
            "markdown": {
                "content": "## Job orders FAILED\n> cluster: <font color=\"warning\">local</font>\n<@zhangsan> <@li.si@corp>"
            }
        })]
    );
}

#[tokio::test]
async fn mobiles_are_mentioned_by_a_second_text_message() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    let mut config = config(base);
    config.mentioned_mobiles = vec!["13800001111".into(), "@all".into()];
    channel(config).send_message(&failed()).await.unwrap();
    let accepted = robot.accepted();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0]["msgtype"], "markdown");
    assert_eq!(
        accepted[1],
        json!({
            "msgtype": "text",
            "text": {
                "content": "orders FAILED",
                "mentioned_mobile_list": ["13800001111", "@all"]
            }
        })
    );
}

#[tokio::test]
async fn over_long_content_is_truncated_and_accepted() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    let mut config = config(base);
    config.mentioned_userids = vec!["zhangsan".into()];
    let body = "> 作业 orders 失败 🚨 checkpoint 超时\n".repeat(300);
    assert!(body.len() > 10_000);
    let alert = message("orders FAILED", &body, Severity::Critical);
    channel(config).send_message(&alert).await.unwrap();
    let accepted = robot.accepted();
    let content = accepted[0]["markdown"]["content"].as_str().unwrap();
    assert!(
        content.len() <= 4096 && content.len() > 4000,
        "{}",
        content.len()
    );
    assert!(content.ends_with("\n… (truncated)\n<@zhangsan>"));
    assert!(body.starts_with(content.split("\n… (truncated)").next().unwrap()));
}

#[tokio::test]
async fn the_fake_refuses_content_over_4096_bytes_like_wecom() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/cgi-bin/webhook/send?key={KEY}"))
        .json(&json!({"msgtype": "markdown", "markdown": {"content": "x".repeat(4097)}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["errcode"], 40058);
}

#[tokio::test]
async fn rate_limited_fails_with_45009() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    robot.too_fast_after(0);
    let error = channel(config(base))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("wecom channel \"wecom-oncall\"")
            && error
                .0
                .contains("WeCom errcode 45009: api freq out of limit"),
        "{error}"
    );
}

#[tokio::test]
async fn a_failed_mention_message_is_reported_as_such() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    robot.too_fast_after(1);
    let mut config = config(base);
    config.mentioned_mobiles = vec!["13800001111".into()];
    let error = channel(config).send_message(&failed()).await.unwrap_err();
    assert!(
        error
            .0
            .contains("markdown message delivered, but the text message")
            && error.0.contains("45009"),
        "{error}"
    );
    assert_eq!(robot.accepted().len(), 1);
}

#[tokio::test]
async fn a_wrong_key_fails_with_93000() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    let mut config = config(base);
    config.webhook_url =
        url::Url::parse(&format!("{base}/cgi-bin/webhook/send?key=removed")).unwrap();
    let error = channel(config).send_message(&failed()).await.unwrap_err();
    assert!(
        error.0.contains("WeCom errcode 93000: invalid webhook url")
            && error.0.contains("check the key"),
        "{error}"
    );
    assert!(!error.0.contains("key=removed"), "{error}");
}

#[tokio::test]
async fn a_non_2xx_answer_fails_with_status_and_excerpt() {
    let robot = FakeWeCom::start().await;
    let base = robot.base_url();
    robot.force(503, "upstream unavailable");
    let error = channel(config(base))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error.0.contains("HTTP 503: upstream unavailable"),
        "{error}"
    );
    assert!(!error.0.contains(KEY), "{error}");
}

#[tokio::test]
async fn an_unreachable_robot_fails_clearly() {
    let base = &unreachable().await;
    let error = channel(config(base))
        .send_message(&failed())
        .await
        .unwrap_err();
    assert!(
        error
            .0
            .starts_with("wecom channel \"wecom-oncall\" (127.0.0.1:")
            && error.0.contains("could not connect"),
        "{error}"
    );
    assert!(!error.0.contains(KEY), "{error}");
}
