//! The `email` channel: sends each alert as an email through an SMTP server (plain, STARTTLS
//! or implicit TLS, with an optional login), HTML with a plain-text alternative.

mod config;
mod payload;
mod send;

pub use config::{EmailConfig, EmailSecurity};
pub use payload::build_email;
pub use send::EmailChannel;
