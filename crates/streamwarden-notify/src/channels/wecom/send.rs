//! Sending to a WeCom group robot.

use super::{WeComConfig, payload};
use crate::channels::{Message, SendError};
use crate::describe::DescribedConfig;
use serde_json::Value;
use std::time::Duration;

/// Most of a response body quoted in an error (bytes).
const ERROR_BODY_LIMIT: usize = 512;
/// Most of a response body read (bytes); robots answer a few dozen.
const RESPONSE_LIMIT: usize = 64 * 1024;

/// A ready-to-send `wecom` channel.
#[derive(Debug, Clone)]
pub struct WeComChannel {
    config: WeComConfig,
    http: reqwest::Client,
}

impl WeComChannel {
    /// Builds the channel; fails when the configuration is invalid (see
    /// [`WeComConfig::validate`]) or the HTTP client cannot be built.
    pub fn new(config: WeComConfig) -> Result<WeComChannel, String> {
        if let Err(errors) = config.validate() {
            let errors: Vec<String> = errors
                .into_iter()
                .map(|(field, reason)| format!("{field}: {reason}"))
                .collect();
            return Err(format!(
                "wecom channel {:?}: {}",
                config.name,
                errors.join("; ")
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .user_agent(concat!("streamwarden/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("wecom channel {:?}: {e}", config.name))?;
        Ok(WeComChannel { config, http })
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The channel's configuration.
    pub fn config(&self) -> &WeComConfig {
        &self.config
    }

    /// What errors start with: the channel and the robot's host (never the URL: its `key` is
    /// the credential).
    fn what(&self) -> String {
        let url = &self.config.webhook_url;
        let host = url.host_str().unwrap_or_default();
        match url.port() {
            Some(port) => format!("wecom channel {:?} ({host}:{port})", self.config.name),
            None => format!("wecom channel {:?} ({host})", self.config.name),
        }
    }

    /// Sends `message` as a markdown message ([`payload::markdown`], mentioning
    /// `mentioned_userids`), then — when `mentioned_mobiles` is set — a text message that
    /// mentions them ([`payload::mention_text`]). `Ok` only when WeCom answers `errcode` 0 to
    /// each; otherwise the error names the channel and carries the HTTP status, or WeCom's
    /// `errcode` and `errmsg`, or the transport failure. When the markdown message went through
    /// but the mention did not, the error says so (a retry then repeats the markdown message).
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let markdown = payload::markdown(message, &self.config.mentioned_userids);
        self.post(&markdown)
            .await
            .map_err(|why| SendError(format!("{}: {why}", self.what())))?;
        if let Some(text) = payload::mention_text(message, &self.config.mentioned_mobiles) {
            self.post(&text).await.map_err(|why| {
                SendError(format!(
                    "{}: markdown message delivered, but the text message mentioning \
                     mentioned_mobiles failed: {why}",
                    self.what()
                ))
            })?;
        }
        Ok(())
    }

    /// POSTs one message; the reason when WeCom did not take it.
    async fn post(&self, body: &Value) -> Result<(), String> {
        let timeout = self.config.timeout;
        let response = self
            .http
            .post(self.config.webhook_url.clone())
            .json(body)
            .send()
            .await
            .map_err(|e| describe(e, timeout))?;
        let status = response.status();
        let bytes = read_capped(response)
            .await
            .map_err(|e| format!("reading the answer: {}", describe(e, timeout)))?;
        let reply: Option<Value> = serde_json::from_slice(&bytes).ok();
        let platform = reply.as_ref().and_then(platform_error);
        if !status.is_success() {
            return Err(match platform {
                Some((code, msg)) => format!("HTTP {}, {}", status.as_u16(), explain(code, &msg)),
                None => format!("HTTP {}: {}", status.as_u16(), excerpt(&bytes)),
            });
        }
        match platform {
            Some((0, _)) => Ok(()),
            Some((code, msg)) => Err(explain(code, &msg)),
            None => Err(format!(
                "unexpected answer (no errcode): {}",
                excerpt(&bytes)
            )),
        }
    }
}

/// `(errcode, errmsg)` of a WeCom answer.
fn platform_error(reply: &Value) -> Option<(i64, String)> {
    let code = match &reply["errcode"] {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    let msg = reply["errmsg"].as_str().unwrap_or_default().to_string();
    Some((code, msg))
}

fn explain(code: i64, msg: &str) -> String {
    let msg: String = msg.chars().take(ERROR_BODY_LIMIT).collect();
    match payload::hint(code) {
        Some(hint) => format!("WeCom errcode {code}: {msg} — {hint}"),
        None => format!("WeCom errcode {code}: {msg}"),
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

/// A transport error without its URL (which holds the key), with its causes.
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

    #[test]
    fn an_invalid_config_is_refused() {
        let config = WeComConfig::new(
            "w",
            url::Url::parse("https://qyapi.weixin.qq.com/cgi-bin/webhook/send").unwrap(),
        );
        let error = WeComChannel::new(config).unwrap_err();
        assert!(error.starts_with("wecom channel \"w\": webhook_url: has no key"));
    }

    #[test]
    fn answers_are_read_leniently() {
        assert_eq!(
            platform_error(
                &serde_json::json!({"errcode": 45009, "errmsg": "api freq out of limit"})
            ),
            Some((45009, "api freq out of limit".into()))
        );
        assert_eq!(platform_error(&serde_json::json!("ok")), None);
        assert!(explain(93000, "invalid webhook url").contains("check the key"));
    }
}
