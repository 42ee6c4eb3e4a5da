//! Sending to a DingTalk custom robot.

use super::{DingTalkConfig, payload};
use crate::channels::robot::{self, Platform};
use crate::channels::{Message, SendError, merged};

/// How DingTalk answers: `{"errcode": 0, "errmsg": "ok"}`.
const DINGTALK: Platform = Platform {
    name: "DingTalk",
    code_field: "errcode",
    read: robot::errcode,
    hint: payload::hint,
};

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
        let http = robot::client("dingtalk", &config.name, &config, config.timeout)?;
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

    /// An error naming the channel and the robot's host (never the URL: its `access_token` is
    /// a credential), then `why`.
    fn fail(&self, why: impl std::fmt::Display) -> SendError {
        let what = robot::label("dingtalk", &self.config.name, &self.config.webhook_url);
        SendError(format!("{what}: {why}"))
    }

    /// Sends `message` as a markdown message ([`payload::payload`]), signed when a secret is
    /// configured. `Ok` only when DingTalk answers `errcode` 0; otherwise the error names the
    /// channel and carries the HTTP status, or DingTalk's `errcode` and `errmsg` (with a hint
    /// for known codes), or the transport failure (timeout, connection refused).
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let mobiles = merged(&self.config.at_mobiles, &message.recipients.mobiles);
        let body = payload::payload(message, &mobiles, self.config.at_all);
        let url = self.url(chrono::Utc::now().timestamp_millis());
        DINGTALK
            .post(&self.http, url, &body, self.config.timeout)
            .await
            .map_err(|why| self.fail(why))
    }
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
    fn codes_are_explained_with_dingtalks_hints() {
        assert_eq!(
            DINGTALK.explain(300001, "token is not exist"),
            "DingTalk errcode 300001: token is not exist — check the access_token of \
             `webhook_url`"
        );
        assert_eq!(DINGTALK.explain(1, "x"), "DingTalk errcode 1: x");
    }
}
