//! A fake DingTalk custom robot.
//!
//! It checks what DingTalk checks
//! (<https://open.dingtalk.com/document/robots/custom-robot-access>,
//! <https://open.dingtalk.com/document/robots/customize-robot-security-settings>): the
//! `access_token`; with a secret, `timestamp` (epoch ms) within one hour and `sign` equal to
//! base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")) after URL decoding; a JSON markdown
//! message of at most 20 000 bytes; 20 messages a minute — and answers with DingTalk's
//! `{"errcode", "errmsg"}`.

use super::{FakeRobot, RobotCore, errcode, is_json};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The robot's `access_token`: the only one it accepts.
pub const ACCESS_TOKEN: &str = "0a1b2c3d4e5f";

/// The path the robot listens on.
pub const PATH: &str = "/robot/send";

/// The DingTalk platform, for [`FakeRobot`].
#[derive(Debug)]
pub struct DingTalk;

/// A DingTalk custom robot on 127.0.0.1.
pub type FakeDingTalk = FakeRobot<DingTalk>;

/// The official signature: base64(HMAC-SHA256(key = secret, "{timestamp}\n{secret}")).
fn expected_sign(secret: &str, timestamp: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl FakeRobot<DingTalk> {
    /// Starts a robot requiring signatures made with `secret` (`None`: unsecured, as a robot
    /// secured by keywords or IP addresses).
    pub async fn start(secret: Option<&str>) -> FakeDingTalk {
        FakeRobot::serve(PATH, send, secret).await
    }

    /// The robot's Webhook URL as DingTalk shows it: `<base>/robot/send?access_token=…`.
    pub fn webhook_url(&self) -> url::Url {
        let url = format!("{}{PATH}?access_token={ACCESS_TOKEN}", self.base_url());
        url::Url::parse(&url).unwrap()
    }
}

async fn send(
    State(robot): State<Arc<RobotCore>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(forced) = robot.intercept().await {
        return forced;
    }
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if params.get("access_token").map(String::as_str) != Some(ACCESS_TOKEN) {
        return errcode(300001, "token is not exist");
    }
    if let Some(secret) = robot.secret() {
        let (Some(timestamp), Some(sign)) = (params.get("timestamp"), params.get("sign")) else {
            return errcode(310000, "sign not match");
        };
        let now = chrono::Utc::now().timestamp_millis();
        match timestamp.parse::<i64>() {
            Ok(ms) if (now - ms).abs() <= 3_600_000 => {}
            _ => return errcode(310000, "invalid timestamp"),
        }
        if *sign != expected_sign(secret, timestamp) {
            return errcode(310000, "sign not match");
        }
    }
    if !is_json(&headers) {
        return errcode(43004, "无效的HTTP HEADER Content-Type");
    }
    if body.len() > 20_000 {
        return errcode(460101, "message too long, exceed 20000 bytes");
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return errcode(40035, "缺少参数 json");
    };
    let markdown_ok = message["msgtype"] == "markdown"
        && message["markdown"]["title"].is_string()
        && message["markdown"]["text"].is_string();
    if !markdown_ok {
        return errcode(40035, "缺少参数 json");
    }
    if robot.too_fast(20) {
        return errcode(130101, "send too fast, exceed 20 times per minute");
    }
    robot.accept(message);
    errcode(0, "ok")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_signature_matches_dingtalks_documented_algorithm() {
        // python3 -c 'import hmac,hashlib,base64; s="SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
        //   print(base64.b64encode(hmac.new(s.encode(), ("1700000000015\n"+s).encode(), hashlib.sha256).digest()).decode())'
        let secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
        assert_eq!(
            expected_sign(secret, "1700000000015"),
            "WkhwWv/d9lDN+iQSL1g+x4dWEUFe/9+W28zhERrfbFU="
        );
    }

    #[tokio::test]
    async fn an_unsigned_robot_accepts_a_markdown_message() {
        let robot = FakeDingTalk::start(None).await;
        assert_eq!(
            robot.webhook_url().as_str(),
            format!(
                "{}/robot/send?access_token={ACCESS_TOKEN}",
                robot.base_url()
            )
        );
        let message = json!({"msgtype": "markdown", "markdown": {"title": "t", "text": "x"}});
        let answer = super::super::post_json(robot.webhook_url(), &message).await;
        assert_eq!(answer, json!({"errcode": 0, "errmsg": "ok"}));
        assert_eq!(robot.accepted(), [message]);
    }
}
