//! Configuration of a `dingtalk` channel (a DingTalk group's custom robot).

use crate::channels::checks;
use crate::describe::DescribedConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A `dingtalk` channel: the custom robot (自定义机器人) of a DingTalk group, which posts each
/// alert to the group as a markdown message and `@`-mentions the people on call.
///
/// Add the robot in the group's settings (*Group settings → Bots → Add robot → Custom*), choose
/// the *Additional signature* (加签) security setting and copy both the **Webhook** URL and the
/// `SEC…` secret shown there. A robot may send at most 20 messages a minute; beyond that
/// DingTalk answers errcode 130101 and throttles the robot for 10 minutes.
///
/// Protocol: <https://open.dingtalk.com/document/robots/custom-robot-access>; signing:
/// <https://open.dingtalk.com/document/robots/customize-robot-security-settings>.
///
/// ```toml
/// [[channels]]
/// name = "flink-oncall"
/// kind = "dingtalk"
/// webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=0123abcd…"
/// secret = "SEC0123abcd…"
/// at_mobiles = ["13800000000"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DingTalkConfig {
    /// Unique name of the channel, used in routes, deliveries and logs.
    #[schemars(extend("x-label" = "Name", "x-placeholder" = "flink-oncall", "x-validators" = ["require", "identity"]))]
    pub name: String,
    /// The robot's **Webhook** URL exactly as DingTalk shows it in the robot's settings,
    /// `https://oapi.dingtalk.com/robot/send?access_token=…` (the whole URL, not only the token).
    /// It is a credential: anyone holding it can post to the group.
    #[schemars(extend("x-label" = "Webhook URL", "x-placeholder" = "https://oapi.dingtalk.com/robot/send?access_token=…", "x-validators" = ["require", "url"], "x-secret" = true))]
    pub webhook_url: url::Url,
    /// The signing secret of the *Additional signature* (加签) security setting: the string
    /// starting with `SEC` shown under it in the robot's security settings. When set, every
    /// message is signed (`timestamp` and `sign` query parameters). Leave empty only when the
    /// robot is secured by keywords (the alert template must then contain one) or IP addresses
    /// instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Signing secret", "x-placeholder" = "SEC…", "x-validators" = ["none_blank"], "x-secret" = true))]
    pub secret: Option<String>,
    /// Mobile numbers (digits only, as registered in DingTalk) of the group members to `@` in
    /// every message, one per line. Each gets an `@<mobile>` in the message text, as DingTalk
    /// requires for the mention to notify.
    #[serde(default)]
    #[schemars(extend("x-label" = "Mention mobiles", "x-placeholder" = "13800000000", "x-validators" = ["integer"]))]
    pub at_mobiles: Vec<String>,
    /// `@` everyone in the group (`isAtAll`).
    #[serde(default)]
    #[schemars(extend("x-label" = "Mention everyone"))]
    pub at_all: bool,
    /// Total time allowed for one request (connect, send, answer), e.g. `10s`.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    #[schemars(with = "String", extend("x-label" = "Timeout", "x-type" = "duration", "x-placeholder" = "10s"))]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl DingTalkConfig {
    /// A channel posting to `webhook_url`, unsigned, mentioning nobody, with the default
    /// timeout.
    pub fn new(name: &str, webhook_url: url::Url) -> DingTalkConfig {
        DingTalkConfig {
            name: name.into(),
            webhook_url,
            secret: None,
            at_mobiles: Vec::new(),
            at_all: false,
            timeout: default_timeout(),
        }
    }
}

impl DescribedConfig for DingTalkConfig {
    /// Checks what the field description cannot: that the URL is http(s) and carries the
    /// robot's `access_token` (and no `timestamp`/`sign` of its own), that the secret has no
    /// stray white space, that mobiles are digits. Returns `(field path, reason)` pairs.
    fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let url = &self.webhook_url;
        checks::http_url("webhook_url", url, &mut errors);
        let token = url
            .query_pairs()
            .find(|(key, _)| key == "access_token")
            .map(|(_, value)| value.into_owned());
        if token.as_deref().is_none_or(|t| t.trim().is_empty()) {
            errors.push((
                "webhook_url".into(),
                "has no access_token: paste the whole Webhook URL from the robot's settings \
                 (…/robot/send?access_token=…)"
                    .into(),
            ));
        }
        if url
            .query_pairs()
            .any(|(key, _)| key == "timestamp" || key == "sign")
        {
            errors.push((
                "webhook_url".into(),
                "remove the timestamp and sign parameters: they are computed for each message \
                 from `secret`"
                    .into(),
            ));
        }
        checks::secret(self.secret.as_deref(), "the SEC… string", &mut errors);
        for (i, mobile) in self.at_mobiles.iter().enumerate() {
            if !checks::is_mobile(mobile) {
                errors.push((
                    format!("at_mobiles[{i}]"),
                    format!("{mobile:?} is not a mobile number (5 to 20 digits, no spaces or +)"),
                ));
            }
        }
        checks::positive_timeout(self.timeout, &mut errors);
        checks::finish(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::checks::failed_fields as fields;
    use serde_json::json;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn good() -> DingTalkConfig {
        let mut config = DingTalkConfig::new(
            "flink-oncall",
            url("https://oapi.dingtalk.com/robot/send?access_token=abc123"),
        );
        config.secret = Some("SEC0123".into());
        config.at_mobiles = vec!["13800000000".into()];
        config
    }

    #[test]
    fn a_good_config_passes() {
        assert_eq!(good().validate(), Ok(()));
    }

    #[test]
    fn reads_json_with_defaults_and_humantime() {
        let config: DingTalkConfig = serde_json::from_value(json!({
            "name": "flink-oncall",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            "timeout": "3s"
        }))
        .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(3));
        assert!(!config.at_all);
        assert!(config.at_mobiles.is_empty());
        assert_eq!(config.secret, None);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let result = serde_json::from_value::<DingTalkConfig>(json!({
            "name": "x",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "token": "abc"
        }));
        assert!(result.is_err());
    }

    #[test]
    fn the_url_must_carry_the_access_token_and_no_signature() {
        let mut config = good();
        config.webhook_url = url("https://oapi.dingtalk.com/robot/send");
        assert_eq!(fields(&config), ["webhook_url"]);
        config.webhook_url =
            url("https://oapi.dingtalk.com/robot/send?access_token=a&timestamp=1&sign=x");
        assert_eq!(fields(&config), ["webhook_url"]);
        config.webhook_url = url("ftp://oapi.dingtalk.com/robot/send?access_token=a");
        assert_eq!(fields(&config), ["webhook_url"]);
    }

    #[test]
    fn mobiles_must_be_digits_and_the_secret_clean() {
        let mut config = good();
        config.at_mobiles = vec!["13800000000".into(), "+86 138".into(), "12".into()];
        config.secret = Some(" SEC1 ".into());
        config.timeout = Duration::ZERO;
        assert_eq!(
            fields(&config),
            ["secret", "at_mobiles[1]", "at_mobiles[2]", "timeout"]
        );
    }

    #[test]
    fn the_schema_carries_the_form_description() {
        let schema = serde_json::to_value(schemars::schema_for!(DingTalkConfig)).unwrap();
        let props = &schema["properties"];
        let keys: Vec<&String> = props.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "webhook_url",
                "secret",
                "at_mobiles",
                "at_all",
                "timeout"
            ]
        );
        assert_eq!(
            props["name"]["x-validators"],
            json!(["require", "identity"])
        );
        assert_eq!(props["secret"]["x-secret"], json!(true));
        assert_eq!(props["webhook_url"]["x-secret"], json!(true));
        assert_eq!(props["timeout"]["x-type"], json!("duration"));
        assert_eq!(props["timeout"]["default"], json!("10s"));
        assert!(
            props["at_mobiles"]["description"]
                .as_str()
                .unwrap()
                .contains("@<mobile>")
        );
        assert_eq!(schema["required"], json!(["name", "webhook_url"]));
    }
}
