//! A channel as configured: its kind's configuration, its templates, its rate limit. This is
//! where an event becomes a [`Message`] and goes to the kind's sender.

use super::dingtalk::{DingTalkChannel, DingTalkConfig};
use super::email::{EmailChannel, EmailConfig};
use super::lark::{LarkChannel, LarkConfig};
use super::webhook::{WebhookChannel, WebhookConfig, notification_payload};
use super::wecom::{WeComChannel, WeComConfig};
use super::{Channel, Message, SendError};
use crate::describe::{self, DescribedConfig, FieldError, KindDescription};
use crate::templates::context::{Globals, for_outgoing};
use crate::templates::defaults::{PartSpec, parts};
use crate::templates::{self, sample};
use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;
use streamwarden_core::notification::Outgoing;

/// Every channel kind: its name and human label.
pub const KINDS: [(&str, &str); 5] = [
    ("email", "Email"),
    ("dingtalk", "DingTalk"),
    ("wecom", "WeCom"),
    ("lark", "Lark / Feishu"),
    ("webhook", "HTTP callback"),
];

/// A channel's configuration, by `kind` (`[[channels]]` in the file, `config` in the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelConfig {
    /// SMTP email.
    Email(EmailConfig),
    /// DingTalk custom robot.
    Dingtalk(DingTalkConfig),
    /// WeCom group robot.
    Wecom(WeComConfig),
    /// Lark / Feishu custom bot.
    Lark(LarkConfig),
    /// HTTP callback.
    Webhook(WebhookConfig),
}

impl ChannelConfig {
    /// The channel's name.
    pub fn name(&self) -> &str {
        match self {
            ChannelConfig::Email(c) => &c.name,
            ChannelConfig::Dingtalk(c) => &c.name,
            ChannelConfig::Wecom(c) => &c.name,
            ChannelConfig::Lark(c) => &c.name,
            ChannelConfig::Webhook(c) => &c.name,
        }
    }

    /// The kind's name (`dingtalk`).
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Email(_) => "email",
            ChannelConfig::Dingtalk(_) => "dingtalk",
            ChannelConfig::Wecom(_) => "wecom",
            ChannelConfig::Lark(_) => "lark",
            ChannelConfig::Webhook(_) => "webhook",
        }
    }

    /// The kind's own checks (see [`DescribedConfig::validate`]).
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        match self {
            ChannelConfig::Email(c) => c.validate(),
            ChannelConfig::Dingtalk(c) => c.validate(),
            ChannelConfig::Wecom(c) => c.validate(),
            ChannelConfig::Lark(c) => c.validate(),
            ChannelConfig::Webhook(c) => c.validate(),
        }
    }

    /// The configuration as a JSON object without `kind` (what the API calls `config`).
    pub fn to_value(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(object) = value.as_object_mut() {
            object.remove("kind");
        }
        value
    }
}

/// The description of kind `kind`, or `None` when there is no such kind.
pub fn describe_kind(kind: &str) -> Option<KindDescription> {
    let label = KINDS.iter().find(|(k, _)| *k == kind)?.1;
    Some(match kind {
        "email" => describe::describe::<EmailConfig>(kind, label),
        "dingtalk" => describe::describe::<DingTalkConfig>(kind, label),
        "wecom" => describe::describe::<WeComConfig>(kind, label),
        "lark" => describe::describe::<LarkConfig>(kind, label),
        _ => describe::describe::<WebhookConfig>(kind, label),
    })
}

/// Validates a submitted configuration of kind `kind` (a JSON object) with the kind's
/// description; every offending field is reported.
pub fn validate_config(kind: &str, submitted: &Value) -> Result<ChannelConfig, Vec<FieldError>> {
    let Some(description) = describe_kind(kind) else {
        let known: Vec<_> = KINDS.iter().map(|(k, _)| *k).collect();
        return Err(vec![FieldError {
            field: "kind".into(),
            reason: format!(
                "unknown channel kind {kind:?}; expected one of {}",
                known.join(", ")
            ),
        }]);
    };
    Ok(match kind {
        "email" => ChannelConfig::Email(describe::validate(&description, submitted)?),
        "dingtalk" => ChannelConfig::Dingtalk(describe::validate(&description, submitted)?),
        "wecom" => ChannelConfig::Wecom(describe::validate(&description, submitted)?),
        "lark" => ChannelConfig::Lark(describe::validate(&description, submitted)?),
        _ => ChannelConfig::Webhook(describe::validate(&description, submitted)?),
    })
}

/// The rate limit of a channel kind's platform as `(burst, period)`: up to `burst` messages at
/// once, then one more every `period`. Chosen so that no window breaks the platform's limit —
/// a full burst plus the refills of 60 s stays within it: DingTalk and WeCom robots take 20 a
/// minute (10 + 60 s / 6 s = 20), Lark bots 100 a minute and 5 a second (4 + 60 s / 650 ms =
/// 96; 4 + 1 in any second). Sends beyond it wait (queue), never drop.
pub fn platform_rate(kind: &str) -> Option<(u32, Duration)> {
    match kind {
        "dingtalk" | "wecom" => Some((10, Duration::from_secs(6))),
        "lark" => Some((4, Duration::from_millis(650))),
        _ => None,
    }
}

/// Renders events into a kind's [`Message`] with the channel's templates.
#[derive(Debug, Clone)]
pub struct Renderer {
    kind: &'static str,
    parts: Vec<(PartSpec, String)>,
    globals: Globals,
}

impl Renderer {
    /// A renderer for `kind` with `overrides` (part name → template source) over the defaults.
    /// Every override is checked against the sample events; errors are `templates.<part>`.
    pub fn new(
        kind: &'static str,
        overrides: &BTreeMap<String, String>,
        globals: Globals,
    ) -> Result<Renderer, Vec<FieldError>> {
        let specs = parts(kind);
        let mut errors = Vec::new();
        for name in overrides.keys() {
            if !specs.iter().any(|p| p.name == name) {
                let known: Vec<_> = specs.iter().map(|p| p.name).collect();
                errors.push(FieldError {
                    field: format!("templates.{name}"),
                    reason: format!("unknown part; {kind} has {}", known.join(", ")),
                });
            }
        }
        let mut chosen = Vec::new();
        for spec in specs {
            let source = overrides
                .get(spec.name)
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| spec.default.to_string());
            if let Err(e) = templates::check(spec.name, &source, spec.markup)
                && !source.is_empty()
            {
                errors.push(FieldError {
                    field: format!("templates.{}", spec.name),
                    reason: e.to_string(),
                });
            }
            chosen.push((*spec, source));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Renderer {
            kind,
            parts: chosen,
            globals,
        })
    }

    /// The message of `outgoing` (`test`: a test send, marked as such).
    pub fn message(&self, outgoing: &Outgoing, test: bool) -> Result<Message, SendError> {
        let context = for_outgoing(outgoing, &self.globals, test);
        let mut rendered = BTreeMap::new();
        for (spec, source) in &self.parts {
            let text = if source.is_empty() {
                // The webhook without a body template sends the default JSON payload.
                let mut payload = notification_payload(outgoing);
                if test {
                    payload["test"] = Value::Bool(true);
                }
                payload.to_string()
            } else {
                templates::render(spec.name, source, spec.markup, &context)
                    .map_err(|e| SendError(format!("rendering the {} template: {e}", self.kind)))?
            };
            rendered.insert(spec.name, text);
        }
        let body = rendered.remove("body").unwrap_or_default();
        let n = &outgoing.notification;
        Ok(Message {
            title: rendered.remove("title").unwrap_or_else(|| {
                outgoing
                    .events
                    .first()
                    .map_or_else(String::new, |(e, _)| e.summary.clone())
            }),
            text: rendered.remove("text").unwrap_or_else(|| body.clone()),
            body,
            severity: n.severity,
            recipients: n.recipients.clone(),
        })
    }
}

enum Sender {
    Email(EmailChannel),
    DingTalk(DingTalkChannel),
    WeCom(WeComChannel),
    Lark(LarkChannel),
    Webhook(WebhookChannel),
}

impl Sender {
    async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        match self {
            Sender::Email(c) => c.send_message(message).await,
            Sender::DingTalk(c) => c.send_message(message).await,
            Sender::WeCom(c) => c.send_message(message).await,
            Sender::Lark(c) => c.send_message(message).await,
            Sender::Webhook(c) => c.send_message(message).await,
        }
    }
}

/// A channel ready to send: sender, renderer and rate limit.
pub struct ConfiguredChannel {
    name: String,
    kind: &'static str,
    renderer: Renderer,
    sender: Sender,
    limiter: Option<DefaultDirectRateLimiter>,
    permits: NonZeroU32,
}

impl ConfiguredChannel {
    /// Builds a channel from its configuration and template overrides.
    pub fn new(
        config: ChannelConfig,
        templates: &BTreeMap<String, String>,
        globals: Globals,
    ) -> Result<ConfiguredChannel, Vec<FieldError>> {
        let one = |reason: String| {
            vec![FieldError {
                field: "(config)".into(),
                reason,
            }]
        };
        let name = config.name().to_string();
        let kind = config.kind();
        let renderer = Renderer::new(kind, templates, globals)?;
        // A WeCom alert that mentions mobiles is two messages (markdown, then text).
        let permits = match &config {
            ChannelConfig::Wecom(c) if !c.mentioned_mobiles.is_empty() => 2,
            _ => 1,
        };
        let sender = match config {
            ChannelConfig::Email(c) => Sender::Email(EmailChannel::new(c).map_err(one)?),
            ChannelConfig::Dingtalk(c) => Sender::DingTalk(DingTalkChannel::new(c).map_err(one)?),
            ChannelConfig::Wecom(c) => Sender::WeCom(WeComChannel::new(c).map_err(one)?),
            ChannelConfig::Lark(c) => Sender::Lark(LarkChannel::new(c).map_err(one)?),
            ChannelConfig::Webhook(c) => Sender::Webhook(WebhookChannel::new(c).map_err(one)?),
        };
        let limiter = platform_rate(kind).and_then(|(burst, period)| {
            Some(RateLimiter::direct(
                Quota::with_period(period)?.allow_burst(NonZeroU32::new(burst)?),
            ))
        });
        Ok(ConfiguredChannel {
            name,
            kind,
            renderer,
            sender,
            limiter,
            permits: NonZeroU32::new(permits).unwrap_or(NonZeroU32::MIN),
        })
    }

    /// Sends a clearly marked test alert (a sample failed-job event) now, waiting for the rate
    /// limit like any alert; the channel's real error when it fails.
    pub async fn test_send(&self) -> Result<(), SendError> {
        let mut event = sample::events().remove(0);
        event.event_id = format!("test-{}", streamwarden_core::clock::now_ms());
        self.deliver(&sample::alert_of(&event), true).await
    }

    async fn deliver(&self, outgoing: &Outgoing, test: bool) -> Result<(), SendError> {
        let message = self.renderer.message(outgoing, test)?;
        if let Some(limiter) = &self.limiter
            && limiter.until_n_ready(self.permits).await.is_err()
        {
            return Err(SendError(format!(
                "channel {}: one alert needs more messages than the platform's burst",
                self.name
            )));
        }
        self.sender.send_message(&message).await
    }
}

#[async_trait]
impl Channel for ConfiguredChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn groups(&self) -> bool {
        self.kind != "webhook"
    }

    async fn send(&self, outgoing: &Outgoing) -> Result<(), SendError> {
        self.deliver(outgoing, false).await
    }
}
