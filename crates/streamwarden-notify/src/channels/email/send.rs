//! Sending an email through SMTP.

use super::{EmailConfig, EmailSecurity, build_email};
use crate::channels::{Message, SendError};
use crate::describe::DescribedConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, Error as SmtpError};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Longest error text kept (bytes).
const ERROR_LIMIT: usize = 1024;

/// Longest wait for the polite `QUIT` after a send.
const CLOSE_LIMIT: Duration = Duration::from_secs(2);

/// A ready-to-send email channel.
///
/// Every send opens its own SMTP connection (TLS and login included) and closes it: alerts
/// are rare, and a fresh connection never fails on one the server dropped while idle.
#[derive(Clone)]
pub struct EmailChannel {
    config: EmailConfig,
    transport: AsyncSmtpTransportBuilder,
}

impl std::fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailChannel")
            .field("name", &self.config.name)
            .field("host", &self.config.host)
            .field("port", &self.config.effective_port())
            .field("security", &self.config.security)
            .field("username", &self.config.username)
            .finish_non_exhaustive()
    }
}

impl EmailChannel {
    /// Builds the channel; fails when the configuration is invalid (see
    /// [`EmailConfig::validate`]) or its TLS settings cannot be built. Connects to nothing
    /// and needs no async runtime.
    pub fn new(config: EmailConfig) -> Result<EmailChannel, String> {
        config.validate().map_err(|errors| {
            let errors: Vec<String> = errors
                .into_iter()
                .map(|(field, reason)| format!("{field}: {reason}"))
                .collect();
            format!("channel {}: {}", config.name, errors.join("; "))
        })?;
        let tls_parameters = || {
            TlsParameters::builder(config.host.clone())
                .dangerous_accept_invalid_certs(config.accept_invalid_certs)
                .build()
                .map_err(|e| format!("channel {}: TLS settings: {e}", config.name))
        };
        let tls = match config.security {
            EmailSecurity::None => Tls::None,
            EmailSecurity::Starttls => Tls::Required(tls_parameters()?),
            EmailSecurity::Smtps => Tls::Wrapper(tls_parameters()?),
        };
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.effective_port())
            .tls(tls)
            .timeout(Some(config.timeout));
        if let Some(username) = &config.username {
            transport = transport.credentials(Credentials::new(
                username.clone(),
                config.password.clone().unwrap_or_default(),
            ));
        }
        Ok(EmailChannel { config, transport })
    }

    /// The channel's configured name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The channel's configuration.
    pub fn config(&self) -> &EmailConfig {
        &self.config
    }

    /// Sends `message` as one email (see [`build_email`]) to every `to` and `cc` address.
    /// `Ok` only when the server accepted the message for delivery. Otherwise the error says
    /// what failed: the server's reply (code and text, e.g. `535 5.7.8 Authentication
    /// credentials invalid`), or the connection, TLS or timeout problem.
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let email = build_email(&self.config, message)
            .map_err(|e| SendError(self.error_text(&format!("not sent: {e}"))))?;
        let transport = self.transport.clone().build::<Tokio1Executor>();
        let outcome = tokio::time::timeout(self.config.timeout, transport.send(email)).await;
        // The message is accepted or refused by now; QUIT is only politeness.
        let _ =
            tokio::time::timeout(CLOSE_LIMIT.min(self.config.timeout), transport.shutdown()).await;
        match outcome {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(SendError(self.error_text(&self.describe(&error)))),
            Err(_) => Err(SendError(self.error_text(&self.timed_out()))),
        }
    }

    fn timed_out(&self) -> String {
        let mut text = format!(
            "no answer within {} (connect, TLS handshake, login or sending)",
            humantime::format_duration(self.config.timeout)
        );
        if self.config.security != EmailSecurity::Smtps && self.config.effective_port() == 465 {
            text.push_str("; port 465 usually expects security = \"smtps\"");
        }
        text
    }

    fn describe(&self, error: &SmtpError) -> String {
        if let Some(code) = error.status() {
            let reply = std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_default();
            return format!("the server replied {code} {reply}")
                .trim_end()
                .to_string();
        }
        let chain = chain(error);
        if chain.contains("STARTTLS is not supported") {
            return "the server does not offer STARTTLS, which security = \"starttls\" requires \
                    (use \"smtps\" for a port with TLS from the first byte such as 465, or \
                    \"none\" for a trusted plain relay)"
                .into();
        }
        if chain.contains("No compatible authentication mechanism") {
            return format!(
                "cannot log in: the server offers neither AUTH PLAIN nor AUTH LOGIN{}",
                if self.config.security == EmailSecurity::None {
                    " (many servers offer them only over TLS: try security = \"starttls\")"
                } else {
                    ""
                }
            );
        }
        let mut text = if error.is_timeout() {
            format!(
                "could not connect within {}: {chain}",
                humantime::format_duration(self.config.timeout)
            )
        } else if let Some(cause) = strip_prefix_repeated(&chain, "Connection error: ") {
            let lower = cause.to_lowercase();
            let tls = [
                "certificate",
                "corrupt message",
                "handshake",
                "alert",
                "tls",
            ]
            .iter()
            .any(|word| lower.contains(word));
            if tls {
                format!("TLS handshake failed: {cause}")
            } else {
                format!("could not connect: {cause}")
            }
        } else {
            chain
        };
        let lower = text.to_lowercase();
        if lower.contains("certificate") && !self.config.accept_invalid_certs {
            text.push_str(
                " (the server's TLS certificate is not trusted; for a test server with a \
                 self-signed certificate set accept_invalid_certs)",
            );
        } else if self.config.security == EmailSecurity::Smtps
            && (lower.contains("corrupt message") || lower.contains("invalidcontenttype"))
        {
            text.push_str(
                " (the server does not speak TLS from the first byte: try security = \
                 \"starttls\" or \"none\")",
            );
        }
        text
    }

    /// `SMTP host:port (security): what`, at most [`ERROR_LIMIT`] bytes.
    fn error_text(&self, what: &str) -> String {
        let text = format!(
            "SMTP {}:{} ({}): {what}",
            self.config.host,
            self.config.effective_port(),
            self.config.security.as_str()
        );
        truncate(text, ERROR_LIMIT)
    }
}

/// The error and its sources, each once, without a segment repeated right after itself
/// (lettre nests `Connection error: Connection error: …`).
fn chain(error: &SmtpError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in text.split(": ") {
        if segments.last() != Some(&segment) {
            segments.push(segment);
        }
    }
    segments.join(": ")
}

/// `text` without every leading `prefix`; `None` when it does not start with it.
fn strip_prefix_repeated<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = text.strip_prefix(prefix)?;
    while let Some(shorter) = rest.strip_prefix(prefix) {
        rest = shorter;
    }
    Some(rest)
}

/// Cuts `text` to at most `limit` bytes on a character boundary, marking the cut.
fn truncate(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let end = crate::channels::truncate::prefix(&text, limit - '…'.len_utf8()).len();
    text.truncate(end);
    text.push('…');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> EmailConfig {
        EmailConfig::new(
            "ops-mail",
            "smtp.example.com",
            "streamwarden@example.com",
            &["oncall@example.com"],
        )
    }

    #[test]
    fn new_needs_no_runtime_and_rejects_invalid_configs() {
        let channel = EmailChannel::new(config()).unwrap();
        assert_eq!(channel.name(), "ops-mail");
        let error = EmailChannel::new(EmailConfig {
            to: Vec::new(),
            password: Some("pw".into()),
            ..config()
        })
        .unwrap_err();
        assert_eq!(
            error,
            "channel ops-mail: to: at least one recipient is required; \
             username: required when a password is set"
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let channel = EmailChannel::new(EmailConfig {
            username: Some("alice".into()),
            password: Some("hunter2".into()),
            ..config()
        })
        .unwrap();
        let debug = format!("{channel:?}");
        assert!(debug.contains("alice"));
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn truncate_keeps_whole_characters() {
        assert_eq!(truncate("abc".into(), 10), "abc");
        let long = "作".repeat(600);
        let cut = truncate(long, ERROR_LIMIT);
        assert!(cut.len() <= ERROR_LIMIT);
        assert!(cut.ends_with('…'));
    }
}
