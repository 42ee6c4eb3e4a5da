//! Sending to a Feishu/Lark custom bot.

use super::{LarkConfig, payload};
use crate::channels::robot::{self, Platform};
use crate::channels::{Message, SendError, merged};
use serde_json::Value;

/// How a Feishu/Lark custom bot answers: `{"code": 0, "msg": "success", …}`.
const LARK: Platform = Platform {
    name: "Lark",
    code_field: "code",
    read: platform_error,
    hint: payload::hint,
};

/// A ready-to-send `lark` channel.
#[derive(Debug, Clone)]
pub struct LarkChannel {
    config: LarkConfig,
    http: reqwest::Client,
}

impl LarkChannel {
    /// Builds the channel; fails when the configuration is invalid (see
    /// [`LarkConfig::validate`]) or the HTTP client cannot be built.
    pub fn new(config: LarkConfig) -> Result<LarkChannel, String> {
        let http = robot::client("lark", &config.name, &config, config.timeout)?;
        Ok(LarkChannel { config, http })
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The channel's configuration.
    pub fn config(&self) -> &LarkConfig {
        &self.config
    }

    /// An error naming the channel and the bot's host (never the URL: its last segment is the
    /// bot's token), then `why`.
    fn fail(&self, why: impl std::fmt::Display) -> SendError {
        let what = robot::label("lark", &self.config.name, &self.config.webhook_url);
        SendError(format!("{what}: {why}"))
    }

    /// Sends `message` as an interactive card ([`payload::payload`]), signed when a secret is
    /// configured. `Ok` only when the bot answers `code` 0 (or, from older deployments,
    /// `StatusCode` 0); otherwise the error names the channel and carries the HTTP status, or
    /// the platform's code and message (with a hint for known codes), or the transport failure.
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let signature = self.config.secret.as_deref().map(|secret| {
            let timestamp = chrono::Utc::now().timestamp();
            (timestamp, payload::sign(secret, timestamp))
        });
        let body = payload::payload(
            message,
            self.config.at_all,
            &merged(&self.config.at_user_ids, &message.recipients.user_ids),
            signature,
        );
        let url = self.config.webhook_url.clone();
        LARK.post(&self.http, url, &body, self.config.timeout)
            .await
            .map_err(|why| self.fail(why))
    }
}

/// `(code, msg)` of an answer: `code`/`msg`, else the legacy `StatusCode`/`StatusMessage`.
fn platform_error(reply: &Value) -> Option<(i64, String)> {
    let (code, msg) = match robot::number(&reply["code"]) {
        Some(code) => (code, &reply["msg"]),
        None => (
            robot::number(&reply["StatusCode"])?,
            &reply["StatusMessage"],
        ),
    };
    Some((code, msg.as_str().unwrap_or_default().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_new_and_legacy_are_read() {
        assert_eq!(
            platform_error(&json!({"code": 0, "msg": "success", "data": {}, "StatusCode": 0})),
            Some((0, "success".into()))
        );
        assert_eq!(
            platform_error(&json!({"code": 19021, "msg": "sign match fail"})),
            Some((19021, "sign match fail".into()))
        );
        assert_eq!(
            platform_error(&json!({"StatusCode": 1, "StatusMessage": "bad"})),
            Some((1, "bad".into()))
        );
        assert_eq!(platform_error(&json!({"data": {}})), None);
        assert_eq!(platform_error(&json!(null)), None);
    }

    #[test]
    fn an_invalid_config_is_refused() {
        let config = LarkConfig::new(
            "l",
            url::Url::parse("https://open.feishu.cn/open-apis/bot/v2/hook/").unwrap(),
        );
        let error = LarkChannel::new(config).unwrap_err();
        assert!(error.starts_with("lark channel \"l\": webhook_url: is not a custom bot webhook"));
    }
}
