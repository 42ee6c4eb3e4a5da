//! A fake WeCom group robot and the `wecom` channel against it.
//!
//! The fake checks what WeCom checks
//! (<https://developer.work.weixin.qq.com/document/path/91770>): the `key`; markdown content at
//! most 4096 bytes and text content at most 2048 bytes (UTF-8); 20 messages a minute — and
//! answers with WeCom's errcodes (HTTP 200 for errors, as WeCom does).
#![allow(clippy::unwrap_used)]

use super::{Core, is_json, message, serve, unreachable};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_core::Severity;
use streamwarden_notify::channels::wecom::{WeComChannel, WeComConfig};

const KEY: &str = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa";

/// A WeCom group robot on 127.0.0.1.
#[derive(Clone)]
pub struct FakeWeCom {
    pub core: Arc<Core>,
}

fn answer(errcode: i64, errmsg: &str) -> Response {
    axum::Json(json!({ "errcode": errcode, "errmsg": errmsg })).into_response()
}

impl FakeWeCom {
    /// Starts a robot; its base URL.
    pub async fn start() -> (FakeWeCom, String) {
        let robot = FakeWeCom {
            core: Arc::new(Core::default()),
        };
        let app = Router::new()
            .route("/cgi-bin/webhook/send", post(send))
            .with_state(robot.clone());
        (robot, serve(app).await)
    }
}

async fn send(
    State(robot): State<FakeWeCom>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(forced) = robot.core.intercept().await {
        return forced;
    }
    let key = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.into_owned());
    if key.as_deref() != Some(KEY) {
        return answer(
            93000,
            "invalid webhook url, hint: [1700000000_00_fake], more info at https://open.work.weixin.qq.com/devtool/query?e=93000",
        );
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return answer(40035, "invalid Request Parameter");
    };
    if !is_json(&headers) {
        return answer(40035, "invalid Request Parameter");
    }
    let (kind, limit) = match message["msgtype"].as_str() {
        Some("markdown") => ("markdown", 4096),
        Some("text") => ("text", 2048),
        _ => return answer(40008, "invalid message type"),
    };
    let Some(content) = message[kind]["content"].as_str() else {
        return answer(40035, "invalid Request Parameter");
    };
    if content.len() > limit {
        return answer(
            40058,
            &format!("{kind}.content exceed max length {limit}. invalid Request Parameter"),
        );
    }
    if robot.core.too_fast(20) {
        return answer(45009, "api freq out of limit");
    }
    robot.core.accept(message);
    answer(0, "ok")
}

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
    let (robot, base) = FakeWeCom::start().await;
    let mut config = config(&base);
    config.mentioned_userids = vec!["zhangsan".into(), "li.si@corp".into()];
    channel(config).send_message(&failed()).await.unwrap();
    assert_eq!(
        robot.core.accepted(),
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
    let (robot, base) = FakeWeCom::start().await;
    let mut config = config(&base);
    config.mentioned_mobiles = vec!["13800001111".into(), "@all".into()];
    channel(config).send_message(&failed()).await.unwrap();
    let accepted = robot.core.accepted();
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
    let (robot, base) = FakeWeCom::start().await;
    let mut config = config(&base);
    config.mentioned_userids = vec!["zhangsan".into()];
    let body = "> 作业 orders 失败 🚨 checkpoint 超时\n".repeat(300);
    assert!(body.len() > 10_000);
    let alert = message("orders FAILED", &body, Severity::Critical);
    channel(config).send_message(&alert).await.unwrap();
    let accepted = robot.core.accepted();
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
    let (_robot, base) = FakeWeCom::start().await;
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
    let (robot, base) = FakeWeCom::start().await;
    robot.core.too_fast_after(0);
    let error = channel(config(&base))
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
    let (robot, base) = FakeWeCom::start().await;
    robot.core.too_fast_after(1);
    let mut config = config(&base);
    config.mentioned_mobiles = vec!["13800001111".into()];
    let error = channel(config).send_message(&failed()).await.unwrap_err();
    assert!(
        error
            .0
            .contains("markdown message delivered, but the text message")
            && error.0.contains("45009"),
        "{error}"
    );
    assert_eq!(robot.core.accepted().len(), 1);
}

#[tokio::test]
async fn a_wrong_key_fails_with_93000() {
    let (_robot, base) = FakeWeCom::start().await;
    let mut config = config(&base);
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
    let (robot, base) = FakeWeCom::start().await;
    robot.core.force(503, "upstream unavailable");
    let error = channel(config(&base))
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
    let base = unreachable().await;
    let error = channel(config(&base))
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
