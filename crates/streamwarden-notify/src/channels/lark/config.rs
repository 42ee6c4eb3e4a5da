//! Configuration of a `lark` channel (a Feishu/Lark group's custom bot).

use crate::channels::checks;
use crate::describe::DescribedConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A `lark` channel: the custom bot (自定义机器人) of a Feishu or Lark group, which posts each
/// alert to the group as a message card coloured by severity.
///
/// Add the bot in the group (*Settings → Group bots → Add bot → Custom bot*), turn on
/// *Set signature verification* (签名校验) and copy both the **Webhook address** and the
/// secret shown there. The webhook's host selects the platform: `open.feishu.cn` (Feishu) or
/// `open.larksuite.com` (Lark). A custom bot may send 100 requests a minute and 5 a second
/// (code 11232 beyond), with request bodies of at most 20 KB.
///
/// Protocol: <https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>.
///
/// ```toml
/// [[channels]]
/// name = "flink-lark"
/// kind = "lark"
/// webhook_url = "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-…"
/// secret = "…"
/// at_user_ids = ["ou_7d8a6e6df7621556ce0d21922b676706"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LarkConfig {
    /// Unique name of the channel, used in routes, deliveries and logs.
    #[schemars(extend("x-label" = "Name", "x-placeholder" = "flink-lark", "x-validators" = ["require", "identity"]))]
    pub name: String,
    /// The bot's **Webhook address** exactly as shown in the bot's settings:
    /// `https://open.feishu.cn/open-apis/bot/v2/hook/…` for Feishu,
    /// `https://open.larksuite.com/open-apis/bot/v2/hook/…` for Lark. It is a credential:
    /// anyone holding it can post to the group.
    #[schemars(extend("x-label" = "Webhook URL", "x-placeholder" = "https://open.feishu.cn/open-apis/bot/v2/hook/…", "x-validators" = ["require", "url"], "x-secret" = true))]
    pub webhook_url: url::Url,
    /// The secret of the bot's *Set signature verification* (签名校验) security setting, shown
    /// under it in the bot's settings. When set, every message carries `timestamp` and `sign`.
    /// Leave empty only when the bot is secured by keywords or IP addresses instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Signing secret", "x-validators" = ["none_blank"], "x-secret" = true))]
    pub secret: Option<String>,
    /// `@` everyone in the group (`<at id=all></at>`). Has no effect when the group lets only
    /// its owner and admins mention everyone.
    #[serde(default)]
    #[schemars(extend("x-label" = "Mention everyone"))]
    pub at_all: bool,
    /// IDs of the members to `@`, one per line: an `open_id` (`ou_…`) or a `user_id`, as
    /// shown in the member's profile in the admin console or returned by the contact API.
    #[serde(default)]
    #[schemars(extend("x-label" = "Mention user IDs", "x-placeholder" = "ou_7d8a6e6df7621556ce0d21922b676706", "x-validators" = ["user_name"]))]
    pub at_user_ids: Vec<String>,
    /// Total time allowed for one request (connect, send, answer), e.g. `10s`.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    #[schemars(with = "String", extend("x-label" = "Timeout", "x-type" = "duration", "x-placeholder" = "10s"))]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// The path of custom bot webhooks, followed by the bot's token.
const HOOK_PATH: &str = "/open-apis/bot/v2/hook/";

/// An `open_id` or `user_id`: 1 to 64 of letters, digits, `_`, `-`.
fn is_user_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

impl LarkConfig {
    /// A channel posting to `webhook_url`, unsigned, mentioning nobody, with the default
    /// timeout.
    pub fn new(name: &str, webhook_url: url::Url) -> LarkConfig {
        LarkConfig {
            name: name.into(),
            webhook_url,
            secret: None,
            at_all: false,
            at_user_ids: Vec::new(),
            timeout: default_timeout(),
        }
    }
}

impl DescribedConfig for LarkConfig {
    /// Checks what the field description cannot: that the URL is an http(s) custom bot
    /// webhook (`…/open-apis/bot/v2/hook/<token>`), that the secret has no stray white space,
    /// that user IDs are well formed. Returns `(field path, reason)` pairs.
    fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let url = &self.webhook_url;
        checks::http_url("webhook_url", url, &mut errors);
        let token = url
            .path()
            .split_once(HOOK_PATH)
            .map(|(_, token)| token.trim_matches('/'));
        if token.is_none_or(|t| t.is_empty() || t.contains('/')) {
            errors.push((
                "webhook_url".into(),
                "is not a custom bot webhook: paste the whole Webhook address \
                 (…/open-apis/bot/v2/hook/<token>)"
                    .into(),
            ));
        }
        checks::secret(self.secret.as_deref(), "the secret", &mut errors);
        for (i, id) in self.at_user_ids.iter().enumerate() {
            if !is_user_id(id) {
                errors.push((
                    format!("at_user_ids[{i}]"),
                    format!(
                        "{id:?} is not an open_id or user_id (1 to 64 letters, digits, '_', '-'); \
                         use at_all to mention everyone"
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

    #[test]
    fn feishu_and_lark_webhooks_pass() {
        for hook in [
            "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f",
            "https://open.larksuite.com/open-apis/bot/v2/hook/0a1b2c3d-4e5f",
        ] {
            let mut config = LarkConfig::new("l", url(hook));
            config.secret = Some("s3cret".into());
            config.at_user_ids = vec!["ou_7d8a6e6df7621556".into(), "b6xxxxg8".into()];
            assert_eq!(config.validate(), Ok(()), "{hook}");
        }
    }

    #[test]
    fn other_urls_and_bad_ids_are_reported_by_path() {
        let mut config = LarkConfig::new("l", url("https://open.feishu.cn/open-apis/bot/v2/hook/"));
        config.at_user_ids = vec!["all".into(), "<at id=x>".into()];
        config.secret = Some("  ".into());
        assert_eq!(fields(&config), ["webhook_url", "secret", "at_user_ids[1]"]);
        config = LarkConfig::new("l", url("https://open.feishu.cn/open-apis/im/v1/messages"));
        assert_eq!(fields(&config), ["webhook_url"]);
    }

    #[test]
    fn reads_json_with_defaults() {
        let config: LarkConfig = serde_json::from_value(json!({
            "name": "l",
            "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/t",
            "at_all": true,
            "timeout": "1m"
        }))
        .unwrap();
        assert!(config.at_all);
        assert_eq!(config.timeout, Duration::from_secs(60));
        assert!(
            serde_json::from_value::<LarkConfig>(json!({
                "name": "l",
                "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/t",
                "secretEnable": true
            }))
            .is_err()
        );
    }

    #[test]
    fn the_schema_carries_the_form_description() {
        let schema = serde_json::to_value(schemars::schema_for!(LarkConfig)).unwrap();
        let props = &schema["properties"];
        let keys: Vec<&String> = props.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "webhook_url",
                "secret",
                "at_all",
                "at_user_ids",
                "timeout"
            ]
        );
        assert_eq!(props["secret"]["x-secret"], json!(true));
        assert_eq!(props["at_user_ids"]["x-validators"], json!(["user_name"]));
        assert_eq!(schema["required"], json!(["name", "webhook_url"]));
    }
}
