//! The `dingtalk` channel: a DingTalk group's custom robot
//! (<https://open.dingtalk.com/document/robots/custom-robot-access>). Each alert is one
//! markdown message, signed with the robot's `SEC…` secret when one is configured, with an
//! `@<mobile>` token in the text for every mobile it mentions.

mod config;
mod payload;
mod send;

pub use config::DingTalkConfig;
pub use payload::{MAX_BODY_BYTES, TRUNCATION_MARKER, markdown_text, payload, sign};
pub use send::DingTalkChannel;
