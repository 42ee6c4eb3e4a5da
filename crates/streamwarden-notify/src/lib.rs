//! Delivering alerts: the channels (one module per kind: config, payload, sender) and the
//! dispatcher that drains the outbox with retries.

pub mod alerting;
pub mod channels;
pub mod describe;
pub mod dispatcher;
pub mod retry;
pub mod templates;

pub use channels::{Channel, SendError};
pub use dispatcher::{Dispatcher, Waker};
pub use retry::RetryPolicy;
