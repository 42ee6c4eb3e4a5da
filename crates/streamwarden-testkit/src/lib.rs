//! Test support for StreamWarden's tests — a dev-dependency only, never part of the product.
//!
//! Real local stand-ins for the destinations of alerts, so that tests exercise the real
//! protocols end to end:
//! - [`robots`]: fake DingTalk, WeCom and Lark robots that check what the platforms check
//!   (credential in the URL, signature recomputed with the official algorithm, size and rate
//!   limits) and answer with the platforms' real error codes;
//! - [`smtp`]: the SMTP test server (`testing/smtp/server.py`, aiosmtpd) as a child process;
//! - [`webhook`]: an HTTP receiver that records every request and answers what it is told.
//!
//! Every server listens on an ephemeral port of 127.0.0.1 and lives until the test ends.
// Test support: a failed `unwrap` is a failed test, with the reason in its panic message.
#![allow(clippy::unwrap_used)]

mod net;
pub mod robots;
pub mod smtp;
pub mod webhook;

pub use net::{serve, unreachable_base_url};
pub use robots::dingtalk::FakeDingTalk;
pub use robots::lark::FakeLark;
pub use robots::wecom::FakeWeCom;
pub use robots::{FakeRobot, RobotCore};
pub use smtp::SmtpServer;
pub use webhook::WebhookReceiver;
