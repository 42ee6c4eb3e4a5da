//! The `wecom` channel: a WeCom (WeChat Work) group robot
//! (<https://developer.work.weixin.qq.com/document/path/91770>). Each alert is a markdown
//! message (cut to WeCom's 4096 bytes rather than rejected) mentioning user IDs, plus a short
//! text message when members are to be mentioned by mobile.

mod config;
mod payload;
mod send;

pub use config::WeComConfig;
pub use payload::{
    MAX_MARKDOWN_BYTES, MAX_TEXT_BYTES, TRUNCATION_MARKER, markdown, markdown_content, mention_text,
};
pub use send::WeComChannel;
