//! Sending to a WeCom group robot.

use super::{WeComConfig, payload};
use crate::channels::robot::{self, Platform};
use crate::channels::{Message, SendError, merged};
use serde_json::Value;

/// How WeCom answers: `{"errcode": 0, "errmsg": "ok"}` (with HTTP 200 for errors too).
const WECOM: Platform = Platform {
    name: "WeCom",
    code_field: "errcode",
    read: robot::errcode,
    hint: payload::hint,
};

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
        let http = robot::client("wecom", &config.name, &config, config.timeout)?;
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
        robot::label("wecom", &self.config.name, &self.config.webhook_url)
    }

    /// Sends `message` as a markdown message ([`payload::markdown`], mentioning
    /// `mentioned_userids`), then — when `mentioned_mobiles` is set — a text message that
    /// mentions them ([`payload::mention_text`]). `Ok` only when WeCom answers `errcode` 0 to
    /// each; otherwise the error names the channel and carries the HTTP status, or WeCom's
    /// `errcode` and `errmsg`, or the transport failure. When the markdown message went through
    /// but the mention did not, the error says so (a retry then repeats the markdown message).
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let userids = merged(&self.config.mentioned_userids, &message.recipients.user_ids);
        let mobiles = merged(&self.config.mentioned_mobiles, &message.recipients.mobiles);
        let markdown = payload::markdown(message, &userids);
        self.post(&markdown)
            .await
            .map_err(|why| SendError(format!("{}: {why}", self.what())))?;
        if let Some(text) = payload::mention_text(message, &mobiles) {
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
        let url = self.config.webhook_url.clone();
        WECOM.post(&self.http, url, body, self.config.timeout).await
    }
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
            (WECOM.read)(&serde_json::json!({"errcode": 45009, "errmsg": "api freq out of limit"})),
            Some((45009, "api freq out of limit".into()))
        );
        assert_eq!((WECOM.read)(&serde_json::json!("ok")), None);
        assert!(
            WECOM
                .explain(93000, "invalid webhook url")
                .starts_with("WeCom errcode 93000: invalid webhook url — check the key")
        );
    }
}
