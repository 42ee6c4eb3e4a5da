//! A fake WeCom group robot.
//!
//! It checks what WeCom checks (<https://developer.work.weixin.qq.com/document/path/91770>):
//! the `key`; a JSON `markdown` or `text` message, markdown content at most 4096 bytes and text
//! content at most 2048 bytes (UTF-8); 20 messages a minute — and answers with WeCom's
//! `{"errcode", "errmsg"}`, with HTTP 200 for errors too, as WeCom does. WeCom group robots have
//! no signing.

use super::{FakeRobot, RobotCore, errcode, is_json};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;

/// The robot's `key`: the only one it accepts.
pub const KEY: &str = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa";

/// The path the robot listens on.
pub const PATH: &str = "/cgi-bin/webhook/send";

/// The WeCom platform, for [`FakeRobot`].
#[derive(Debug)]
pub struct WeCom;

/// A WeCom group robot on 127.0.0.1.
pub type FakeWeCom = FakeRobot<WeCom>;

impl FakeRobot<WeCom> {
    /// Starts a robot.
    pub async fn start() -> FakeWeCom {
        FakeRobot::serve(PATH, send, None).await
    }

    /// The robot's Webhook URL as WeCom shows it: `<base>/cgi-bin/webhook/send?key=…`.
    pub fn webhook_url(&self) -> url::Url {
        url::Url::parse(&format!("{}{PATH}?key={KEY}", self.base_url())).unwrap()
    }
}

async fn send(
    State(core): State<Arc<RobotCore>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(forced) = core.intercept().await {
        return forced;
    }
    let key = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.into_owned());
    if key.as_deref() != Some(KEY) {
        return errcode(
            93000,
            "invalid webhook url, hint: [1700000000_00_fake], more info at https://open.work.weixin.qq.com/devtool/query?e=93000",
        );
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return errcode(40035, "invalid Request Parameter");
    };
    if !is_json(&headers) {
        return errcode(40035, "invalid Request Parameter");
    }
    let (kind, limit) = match message["msgtype"].as_str() {
        Some("markdown") => ("markdown", 4096),
        Some("text") => ("text", 2048),
        _ => return errcode(40008, "invalid message type"),
    };
    let Some(content) = message[kind]["content"].as_str() else {
        return errcode(40035, "invalid Request Parameter");
    };
    if content.len() > limit {
        return errcode(
            40058,
            &format!("{kind}.content exceed max length {limit}. invalid Request Parameter"),
        );
    }
    if core.too_fast(20) {
        return errcode(45009, "api freq out of limit");
    }
    core.accept(message);
    errcode(0, "ok")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_text_message_is_accepted_and_a_wrong_key_refused() {
        let robot = FakeWeCom::start().await;
        let message = json!({"msgtype": "text", "text": {"content": "hi"}});
        let answer = super::super::post_json(robot.webhook_url(), &message).await;
        assert_eq!(answer, json!({"errcode": 0, "errmsg": "ok"}));
        let other = format!("{}{PATH}?key=other", robot.base_url());
        let answer = super::super::post_json(other, &message).await;
        assert_eq!(answer["errcode"], 93000);
        assert_eq!(robot.accepted(), [message]);
    }
}
