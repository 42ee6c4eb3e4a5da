//! Sending to a DingTalk custom robot.

use super::{DingTalkConfig, payload};
use crate::channels::{Message, SendError};
use crate::describe::DescribedConfig;
use serde_json::Value;
use std::time::Duration;

/// Most of a response body quoted in an error (bytes).
const ERROR_BODY_LIMIT: usize = 512;
/// Most of a response body read (bytes); robots answer a few dozen.
const RESPONSE_LIMIT: usize = 64 * 1024;

/// A ready-to-send `dingtalk` channel.
#[derive(Debug, Clone)]
pub struct DingTalkChannel {
    config: DingTalkConfig,
    http: reqwest::Client,
}

impl DingTalkChannel {
    /// Builds the channel; fails when the configuration is invalid (see
    /// [`DingTalkConfig::validate`]) or the HTTP client cannot be built.
    pub fn new(config: DingTalkConfig) -> Result<DingTalkChannel, String> {
        if let Err(errors) = config.validate() {
            let errors: Vec<String> = errors
                .into_iter()
                .map(|(field, reason)| format!("{field}: {reason}"))
                .collect();
            return Err(format!(
                "dingtalk channel {:?}: {}",
                config.name,
                errors.join("; ")
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .timeout(config.timeout)
            .user_agent(concat!("streamwarden/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("dingtalk channel {:?}: {e}", config.name))?;
        Ok(DingTalkChannel { config, http })
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The channel's configuration.
    pub fn config(&self) -> &DingTalkConfig {
        &self.config
    }

    /// The URL of one request: the webhook URL plus, when a secret is configured,
    /// `timestamp` (epoch ms) and `sign` ([`payload::sign`], already URL-encoded).
    fn url(&self, timestamp_ms: i64) -> url::Url {
        let mut url = self.config.webhook_url.clone();
        if let Some(secret) = &self.config.secret {
            let signature = payload::sign(secret, timestamp_ms);
            let query = match url.query() {
                Some(query) if !query.is_empty() => {
                    format!("{query}&timestamp={timestamp_ms}&sign={signature}")
                }
                _ => format!("timestamp={timestamp_ms}&sign={signature}"),
            };
            url.set_query(Some(&query));
        }
        url
    }

    /// What errors start with: the channel and the robot's host (never the URL: its
    /// `access_token` is a credential).
    fn what(&self) -> String {
        let url = &self.config.webhook_url;
        let host = url.host_str().unwrap_or_default();
        match url.port() {
            Some(port) => format!("dingtalk channel {:?} ({host}:{port})", self.config.name),
            None => format!("dingtalk channel {:?} ({host})", self.config.name),
        }
    }

    fn fail(&self, why: impl std::fmt::Display) -> SendError {
        SendError(format!("{}: {why}", self.what()))
    }

    /// Sends `message` as a markdown message ([`payload::payload`]), signed when a secret is
    /// configured. `Ok` only when DingTalk answers `errcode` 0; otherwise the error names the
    /// channel and carries the HTTP status, or DingTalk's `errcode` and `errmsg` (with a hint
    /// for known codes), or the transport failure (timeout, connection refused).
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let body = payload::payload(message, &self.config.at_mobiles, self.config.at_all);
        let url = self.url(chrono::Utc::now().timestamp_millis());
        let response = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| self.fail(describe(e, self.config.timeout)))?;
        let status = response.status();
        let bytes = read_capped(response).await.map_err(|e| {
            self.fail(format!(
                "reading the answer: {}",
                describe(e, self.config.timeout)
            ))
        })?;
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
            None => Err(self.fail(format!(
                "unexpected answer (no errcode): {}",
                excerpt(&bytes)
            ))),
        }
    }
}

/// `(errcode, errmsg)` of a DingTalk answer.
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
        Some(hint) => format!("DingTalk errcode {code}: {msg} — {hint}"),
        None => format!("DingTalk errcode {code}: {msg}"),
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

/// A transport error without its URL (which holds the access token), with its causes.
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

    fn channel(secret: Option<&str>) -> DingTalkChannel {
        let mut config = DingTalkConfig::new(
            "ops",
            url::Url::parse("https://oapi.dingtalk.com/robot/send?access_token=abc").unwrap(),
        );
        config.secret = secret.map(String::from);
        DingTalkChannel::new(config).unwrap()
    }

    #[test]
    fn a_signed_url_keeps_the_token_and_adds_timestamp_and_sign() {
        let secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
        let url = channel(Some(secret)).url(1_700_000_000_015);
        assert_eq!(
            url.as_str(),
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000015\
             &sign=WkhwWv%2Fd9lDN%2BiQSL1g%2Bx4dWEUFe%2F9%2BW28zhERrfbFU%3D"
        );
        let sign = url
            .query_pairs()
            .find(|(k, _)| k == "sign")
            .map(|(_, v)| v.into_owned());
        assert_eq!(
            sign.as_deref(),
            Some("WkhwWv/d9lDN+iQSL1g+x4dWEUFe/9+W28zhERrfbFU=")
        );
    }

    #[test]
    fn an_unsigned_url_is_the_webhook_url() {
        assert_eq!(
            channel(None).url(1).as_str(),
            "https://oapi.dingtalk.com/robot/send?access_token=abc"
        );
    }

    #[test]
    fn an_invalid_config_is_refused_with_every_reason() {
        let mut config = DingTalkConfig::new(
            "ops",
            url::Url::parse("https://oapi.dingtalk.com/robot/send").unwrap(),
        );
        config.at_mobiles = vec!["x".into()];
        let error = DingTalkChannel::new(config).unwrap_err();
        assert!(error.starts_with("dingtalk channel \"ops\": webhook_url: has no access_token"));
        assert!(error.contains("at_mobiles[0]"));
    }

    #[test]
    fn answers_are_read_leniently() {
        assert_eq!(
            platform_error(&serde_json::json!({"errcode": 0, "errmsg": "ok"})),
            Some((0, "ok".into()))
        );
        assert_eq!(
            platform_error(&serde_json::json!({"errcode": "310000"})),
            Some((310000, String::new()))
        );
        assert_eq!(platform_error(&serde_json::json!({"ok": true})), None);
        assert_eq!(platform_error(&serde_json::json!([1])), None);
        assert_eq!(excerpt(b"  "), "(empty body)");
        assert_eq!(excerpt("é".repeat(400).as_bytes()).len(), 512 + "…".len());
    }
}
