//! Alert channels. Each kind is a folder: `config.rs` (its configuration, the single source of
//! its validation), `payload.rs` (what it sends), `send.rs` (how).

pub mod webhook;

use async_trait::async_trait;
use streamwarden_core::Event;

/// Why a send failed, for the delivery's `last_error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// A configured destination of alerts.
#[async_trait]
pub trait Channel: Send + Sync + 'static {
    /// The channel's configured name (unique).
    fn name(&self) -> &str;

    /// Sends one event. `Ok` only when the destination accepted it.
    async fn send(&self, event: &Event) -> Result<(), SendError>;
}
