//! The email an alert becomes (pure: no network).

use super::EmailConfig;
use super::config::check_address;
use crate::channels::Message;
use lettre::message::{Mailbox, MultiPart};

/// Builds the email of `message` for `config`: `From` (with `from_name`), `To`, `Cc`, the
/// subject `message.title`, a new `Message-ID` in the sender's domain, and a
/// `multipart/alternative` body holding `message.text` as `text/plain` and `message.body` as
/// `text/html`, both UTF-8. lettre adds `Date`, encodes non-ASCII headers (RFC 2047) and picks
/// each part's transfer encoding. The envelope's recipients are `To` and `Cc`.
pub fn build_email(config: &EmailConfig, message: &Message) -> Result<lettre::Message, String> {
    let from = check_address(&config.from).map_err(|e| format!("from: {e}"))?;
    let message_id = format!(
        "<{}@{}>",
        std::iter::repeat_with(fastrand::alphanumeric)
            .take(32)
            .collect::<String>(),
        from.domain()
    );
    let mut builder = lettre::Message::builder()
        .from(Mailbox::new(
            config.from_name.as_ref().map(|n| one_line(n)),
            from,
        ))
        .subject(one_line(&message.title))
        .message_id(Some(message_id))
        .user_agent(concat!("StreamWarden/", env!("CARGO_PKG_VERSION")).to_string());
    for (i, address) in crate::channels::merged(&config.to, &message.recipients.emails)
        .iter()
        .enumerate()
    {
        let address = check_address(address).map_err(|e| format!("to[{i}]: {e}"))?;
        builder = builder.to(Mailbox::new(None, address));
    }
    for (i, address) in config.cc.iter().enumerate() {
        let address = check_address(address).map_err(|e| format!("cc[{i}]: {e}"))?;
        builder = builder.cc(Mailbox::new(None, address));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            message.text.clone(),
            message.body.clone(),
        ))
        .map_err(|e| format!("cannot build the email: {e}"))
}

/// Header text on one line: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamwarden_core::Severity;

    fn message() -> Message {
        Message {
            title: "[CRITICAL] 作业失败 ✓ orders-etl".into(),
            body: "<p>Job <b>orders-etl</b> failed</p>".into(),
            text: "Job orders-etl failed".into(),
            severity: Severity::Critical,
            recipients: Default::default(),
        }
    }

    fn config() -> EmailConfig {
        EmailConfig {
            from_name: Some("StreamWarden".into()),
            cc: vec!["admins@example.com".into()],
            ..EmailConfig::new(
                "ops-mail",
                "smtp.example.com",
                "streamwarden@example.com",
                &["a@example.com", "b@example.com"],
            )
        }
    }

    #[test]
    fn headers_envelope_and_both_parts() {
        let email = build_email(&config(), &message()).unwrap();
        let envelope = email.envelope();
        assert_eq!(
            envelope.from().map(ToString::to_string).as_deref(),
            Some("streamwarden@example.com")
        );
        let recipients: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
        assert_eq!(
            recipients,
            ["a@example.com", "b@example.com", "admins@example.com"]
        );
        let raw = String::from_utf8(email.formatted()).unwrap();
        assert!(
            raw.contains("From: StreamWarden <streamwarden@example.com>"),
            "{raw}"
        );
        assert!(raw.contains("To: a@example.com, b@example.com"), "{raw}");
        assert!(raw.contains("Cc: admins@example.com"), "{raw}");
        assert!(
            raw.contains("Subject: [CRITICAL] =?utf-8?b?"),
            "non-ASCII subject is encoded: {raw}"
        );
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain; charset=utf-8"), "{raw}");
        assert!(raw.contains("text/html; charset=utf-8"), "{raw}");
        assert!(
            raw.contains("@example.com>\r\n"),
            "Message-ID in the sender's domain: {raw}"
        );
        assert!(raw.contains("Message-ID: <"), "{raw}");
        assert!(raw.contains("User-Agent: StreamWarden/"), "{raw}");
        assert!(raw.contains("Date: "), "{raw}");
        assert!(
            raw.find("text/plain").unwrap() < raw.find("text/html").unwrap(),
            "the plain part comes first, the preferred HTML part last"
        );
    }

    #[test]
    fn a_multi_line_title_stays_one_header() {
        let mut message = message();
        message.title = "job\r\nBcc: evil@example.com".into();
        let raw = String::from_utf8(build_email(&config(), &message).unwrap().formatted()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(raw.contains("Subject: job Bcc: evil@example.com"), "{raw}");
    }

    #[test]
    fn a_bad_address_names_its_field() {
        let mut config = config();
        config.cc.push("nope".into());
        let error = build_email(&config, &message()).unwrap_err();
        assert!(error.starts_with("cc[1]: "), "{error}");
    }
}
