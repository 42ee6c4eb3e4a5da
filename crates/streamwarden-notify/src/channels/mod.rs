//! Alert channels. Each kind is a folder: `config.rs` (its configuration struct — the single
//! source of its form description, validation and docs), `payload.rs` (what it sends, pure),
//! `send.rs` (how). What several kinds share has one module each: `http` (client, transport
//! errors, capped answers), `robot` (the chat robots' answers and error labels), `checks`
//! (configuration checks) and `truncate` (fitting text into a platform's size limit).

mod checks;
pub mod configured;
pub mod dingtalk;
pub mod email;
mod http;
pub mod lark;
pub mod manager;
mod registry;
mod robot;
mod truncate;
pub mod webhook;
pub mod wecom;

pub use registry::ChannelRegistry;

use async_trait::async_trait;
use streamwarden_core::Severity;
use streamwarden_core::notification::Outgoing;
use streamwarden_core::routing::Recipients;

/// Why a send failed, for the delivery's `last_error` and the test-send answer: the real error
/// of the destination (HTTP status, platform error code and message, SMTP reply).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// One alert rendered for a channel by its template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Subject (email) or title (DingTalk markdown title, Lark card header); one line.
    pub title: String,
    /// The body in the channel's markup: markdown (DingTalk, WeCom, Lark `lark_md`) or HTML
    /// (email).
    pub body: String,
    /// A plain-text rendering of the same content (the email's text/plain part).
    pub text: String,
    /// The alert's severity (card colour, subject tag).
    pub severity: Severity,
    /// Who the route addresses on top of the channel's own recipients: emails added to `to`,
    /// mobiles and user ids mentioned.
    pub recipients: Recipients,
}

/// `base` followed by the entries of `extra` it lacks.
pub fn merged(base: &[String], extra: &[String]) -> Vec<String> {
    let mut all = base.to_vec();
    for item in extra {
        if !all.contains(item) {
            all.push(item.clone());
        }
    }
    all
}

/// A configured destination of alerts.
#[async_trait]
pub trait Channel: Send + Sync + 'static {
    /// The channel's configured name (unique).
    fn name(&self) -> &str;

    /// Whether bursts to this channel are grouped (chat and email); a webhook gets every alert
    /// on its own unless its route asks for groups.
    fn groups(&self) -> bool {
        true
    }

    /// Sends one notification. `Ok` only when the destination accepted it.
    async fn send(&self, outgoing: &Outgoing) -> Result<(), SendError>;
}
