//! The chat-robot channels (DingTalk, WeCom, Lark) against local fake robots. Each fake
//! (`streamwarden_testkit::robots`) implements its platform's documented checks — signature
//! recomputed from the secret it was given, timestamp skew, body size limit, rate limit — and
//! answers with the platform's real error codes, so a test passing here means the request
//! would pass there.
#![allow(clippy::unwrap_used)]

#[path = "robots/dingtalk.rs"]
mod dingtalk;
#[path = "robots/lark.rs"]
mod lark;
#[path = "robots/wecom.rs"]
mod wecom;

use streamwarden_core::Severity;
use streamwarden_notify::channels::Message;

/// An alert as a template renders it.
pub fn message(title: &str, body: &str, severity: Severity) -> Message {
    Message {
        title: title.into(),
        body: body.into(),
        text: body.into(),
        severity,
        recipients: Default::default(),
    }
}
