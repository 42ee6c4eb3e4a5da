//! The `lark` channel: a Feishu/Lark group's custom bot
//! (<https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>). Each alert is one
//! interactive message card, coloured by severity, built as JSON (so any text arrives intact)
//! and signed with the bot's secret when one is configured.

mod config;
mod payload;
mod send;

pub use config::LarkConfig;
pub use payload::{MAX_BODY_BYTES, TRUNCATION_MARKER, mentions, payload, sign, template};
pub use send::LarkChannel;
