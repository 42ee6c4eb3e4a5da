//! Sending to a Feishu/Lark custom bot.

use super::{LarkConfig, payload};
use crate::channels::{Message, SendError};
use crate::describe::DescribedConfig;
use serde_json::Value;
use std::time::Duration;

/// Most of a response body quoted in an error (bytes).
const ERROR_BODY_LIMIT: usize = 512;
/// Most of a response body read (bytes); bots answer a few dozen.
const RESPONSE_LIMIT: usize = 64 * 1024;

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
        if let Err(errors) = config.validate() {
            let errors: Vec<String> = errors
                .into_iter()
                .map(|(field, reason)| format!("{field}: {reason}"))
                .collect();
            return Err(format!(
                "lark channel {:?}: {}",
                config.name,
                errors.join("; ")
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .user_agent(concat!("streamwarden/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("lark channel {:?}: {e}", config.name))?;
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

    /// What errors start with: the channel and the bot's host (never the URL: its last
    /// segment is the bot's token).
    fn what(&self) -> String {
        let url = &self.config.webhook_url;
        let host = url.host_str().unwrap_or_default();
        match url.port() {
            Some(port) => format!("lark channel {:?} ({host}:{port})", self.config.name),
            None => format!("lark channel {:?} ({host})", self.config.name),
        }
    }

    fn fail(&self, why: impl std::fmt::Display) -> SendError {
        SendError(format!("{}: {why}", self.what()))
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
            &self.config.at_user_ids,
            signature,
        );
        let timeout = self.config.timeout;
        let response = self
            .http
            .post(self.config.webhook_url.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| self.fail(describe(e, timeout)))?;
        let status = response.status();
        let bytes = read_capped(response)
            .await
            .map_err(|e| self.fail(format!("reading the answer: {}", describe(e, timeout))))?;
        let reply: Option<Value> = serde_json::from_slice(&bytes).ok();
        let platform = reply.as_ref().and_then(platform_error);
        if !status.is_success() {
            return Err(self.fail(match platform {
                Some((code, msg)) => format!("HTTP {}, {}", status.as_u16(), explain(code, &msg)),
                None => format!("HTTP {}: {}", status.as_u16(), excerpt(&bytes)),
            }));
        }
        match platform {
            Some((0, _)) => Ok(()),
            Some((code, msg)) => Err(self.fail(explain(code, &msg))),
            None => Err(self.fail(format!("unexpected answer (no code): {}", excerpt(&bytes)))),
        }
    }
}

fn number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `(code, msg)` of an answer: `code`/`msg`, else the legacy `StatusCode`/`StatusMessage`.
fn platform_error(reply: &Value) -> Option<(i64, String)> {
    let (code, msg) = match number(&reply["code"]) {
        Some(code) => (code, &reply["msg"]),
        None => (number(&reply["StatusCode"])?, &reply["StatusMessage"]),
    };
    Some((code, msg.as_str().unwrap_or_default().to_string()))
}

fn explain(code: i64, msg: &str) -> String {
    let msg: String = msg.chars().take(ERROR_BODY_LIMIT).collect();
    match payload::hint(code) {
        Some(hint) => format!("Lark code {code}: {msg} — {hint}"),
        None => format!("Lark code {code}: {msg}"),
    }
}

/// Reads at most [`RESPONSE_LIMIT`] bytes of the body.
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = RESPONSE_LIMIT - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= RESPONSE_LIMIT {
            break;
        }
    }
    Ok(bytes)
}

/// At most [`ERROR_BODY_LIMIT`] bytes of a body, as text.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".into();
    }
    let mut end = text.len().min(ERROR_BODY_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < text.len() {
        format!("{}…", &text[..end])
    } else {
        text.to_string()
    }
}

/// A transport error without its URL (which holds the bot's token), with its causes.
fn describe(error: reqwest::Error, timeout: Duration) -> String {
    let what = if error.is_timeout() {
        format!("timed out after {}", humantime::format_duration(timeout))
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let error = error.without_url();
    let mut message = what;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
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
