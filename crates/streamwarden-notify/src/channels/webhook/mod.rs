//! The `webhook` channel (HTTP callback): POSTs the default JSON payload of the product
//! contract (`version` "1") to a URL, with optional extra headers.

mod config;
mod payload;
mod send;

pub use config::{WebhookConfig, WebhookMethod};
pub use payload::{default_payload, notification_payload};
pub use send::{WebhookChannel, signature};
