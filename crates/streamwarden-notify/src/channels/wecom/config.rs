//! Configuration of a `wecom` channel (a WeCom group robot).

use crate::channels::checks;
use crate::describe::DescribedConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A `wecom` channel: the robot (群机器人) of a WeCom (WeChat Work) group chat, which posts
/// each alert to the group as a markdown message.
///
/// Add the robot in the group chat (*… → Group robots → Add*) and copy its **Webhook** URL.
/// WeCom group robots have no signing: the `key` in the URL is the only credential, so keep
/// the URL secret. A robot may send at most 20 messages a minute (errcode 45009 beyond).
///
/// Mentions: markdown messages can mention group members by user ID (`<@userid>`), not by
/// mobile. When `mentioned_mobiles` is set, each alert is therefore sent as **two** messages:
/// the markdown message, then a short text message (the alert's title) carrying
/// `mentioned_mobile_list` so those people are notified — which counts twice against the rate
/// limit.
///
/// Protocol: <https://developer.work.weixin.qq.com/document/path/91770>.
///
/// ```toml
/// [[channels]]
/// name = "flink-wecom"
/// kind = "wecom"
/// webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-…"
/// mentioned_userids = ["zhangsan"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeComConfig {
    /// Unique name of the channel, used in routes, deliveries and logs.
    #[schemars(extend("x-label" = "Name", "x-placeholder" = "flink-wecom", "x-validators" = ["require", "identity"]))]
    pub name: String,
    /// The robot's **Webhook** URL exactly as WeCom shows it when the robot is added or in the
    /// robot's details, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…` (the whole URL,
    /// not only the key). It is the only credential: anyone holding it can post to the group.
    #[schemars(extend("x-label" = "Webhook URL", "x-placeholder" = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…", "x-validators" = ["require", "url"], "x-secret" = true))]
    pub webhook_url: url::Url,
    /// Mobile numbers of the group members to mention, one per line; `@all` mentions everyone.
    /// Sent in an extra text message (see above), since markdown cannot mention by mobile.
    #[serde(default)]
    #[schemars(extend("x-label" = "Mention mobiles", "x-placeholder" = "13800001111", "x-validators" = ["none_blank"]))]
    pub mentioned_mobiles: Vec<String>,
    /// WeCom user IDs (the *Account* of the member in the admin console, 1–64 of letters,
    /// digits and `_-@.`) of the group members to mention, one per line; each gets a
    /// `<@userid>` at the end of the markdown message.
    #[serde(default)]
    #[schemars(extend("x-label" = "Mention user IDs", "x-placeholder" = "zhangsan", "x-validators" = ["none_blank"]))]
    pub mentioned_userids: Vec<String>,
    /// Total time allowed for one request (connect, send, answer), e.g. `10s`.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    #[schemars(with = "String", extend("x-label" = "Timeout", "x-type" = "duration", "x-placeholder" = "10s"))]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// A mobile number (5 to 20 digits) or `@all`.
fn is_mobile(mobile: &str) -> bool {
    mobile == "@all" || checks::is_mobile(mobile)
}

/// A WeCom user ID: 1 to 64 bytes of letters, digits and `_-@.` (and not `@all`, which
/// markdown mentions do not support).
fn is_userid(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id != "@all"
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@' | b'.'))
}

impl WeComConfig {
    /// A channel posting to `webhook_url`, mentioning nobody, with the default timeout.
    pub fn new(name: &str, webhook_url: url::Url) -> WeComConfig {
        WeComConfig {
            name: name.into(),
            webhook_url,
            mentioned_mobiles: Vec::new(),
            mentioned_userids: Vec::new(),
            timeout: default_timeout(),
        }
    }
}

impl DescribedConfig for WeComConfig {
    /// Checks what the field description cannot: that the URL is http(s) and carries the
    /// robot's `key`, that mobiles are digits and user IDs well formed. Returns
    /// `(field path, reason)` pairs.
    fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let url = &self.webhook_url;
        checks::http_url("webhook_url", url, &mut errors);
        let has_key = url
            .query_pairs()
            .any(|(key, value)| key == "key" && !value.trim().is_empty());
        if !has_key {
            errors.push((
                "webhook_url".into(),
                "has no key: paste the whole Webhook URL of the robot \
                 (…/cgi-bin/webhook/send?key=…)"
                    .into(),
            ));
        }
        for (i, mobile) in self.mentioned_mobiles.iter().enumerate() {
            if !is_mobile(mobile) {
                errors.push((
                    format!("mentioned_mobiles[{i}]"),
                    format!("{mobile:?} is not a mobile number (5 to 20 digits) or @all"),
                ));
            }
        }
        for (i, id) in self.mentioned_userids.iter().enumerate() {
            if !is_userid(id) {
                errors.push((
                    format!("mentioned_userids[{i}]"),
                    format!(
                        "{id:?} is not a WeCom user ID (1 to 64 letters, digits, '_', '-', '@', \
                         '.'; to mention everyone put @all in mentioned_mobiles)"
                    ),
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

    fn good() -> WeComConfig {
        let mut config = WeComConfig::new(
            "flink-wecom",
            url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"),
        );
        config.mentioned_mobiles = vec!["13800001111".into(), "@all".into()];
        config.mentioned_userids = vec!["zhang.san@corp".into(), "li_si-2".into()];
        config
    }

    #[test]
    fn a_good_config_passes() {
        assert_eq!(good().validate(), Ok(()));
    }

    #[test]
    fn reads_json_with_defaults() {
        let config: WeComConfig = serde_json::from_value(json!({
            "name": "w",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
        }))
        .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert!(config.mentioned_mobiles.is_empty() && config.mentioned_userids.is_empty());
        assert!(
            serde_json::from_value::<WeComConfig>(json!({
                "name": "w",
                "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "secret": "x"
            }))
            .is_err()
        );
    }

    #[test]
    fn bad_values_are_reported_by_path() {
        let mut config = good();
        config.webhook_url = url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=");
        config.mentioned_mobiles = vec!["138 0000".into()];
        config.mentioned_userids = vec!["ok".into(), "<@x>".into(), "@all".into()];
        assert_eq!(
            fields(&config),
            [
                "webhook_url",
                "mentioned_mobiles[0]",
                "mentioned_userids[1]",
                "mentioned_userids[2]"
            ]
        );
    }

    #[test]
    fn the_schema_carries_the_form_description() {
        let schema = serde_json::to_value(schemars::schema_for!(WeComConfig)).unwrap();
        let props = &schema["properties"];
        let keys: Vec<&String> = props.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "webhook_url",
                "mentioned_mobiles",
                "mentioned_userids",
                "timeout"
            ]
        );
        assert_eq!(props["webhook_url"]["x-label"], json!("Webhook URL"));
        assert_eq!(props["timeout"]["x-type"], json!("duration"));
        assert_eq!(schema["required"], json!(["name", "webhook_url"]));
    }
}
