//! The email channel against a real SMTP server (`testing/smtp/server.py`, aiosmtpd, run by
//! [`streamwarden_testkit::smtp`]): plain, STARTTLS and implicit TLS, with and without login,
//! and the ways a send fails.

use std::time::{Duration, Instant};
use streamwarden_core::Severity;
use streamwarden_notify::channels::Message;
use streamwarden_notify::channels::email::{EmailChannel, EmailConfig, EmailSecurity};
use streamwarden_testkit::smtp::{Addr, Mode, Received, SmtpServer};

const TEXT: &str = "作业失败 ✓ orders-etl (job 5f1c…) is FAILED since 2026-11-21 09:00:00 UTC.\n\
                    Exception: java.lang.RuntimeException: a line long enough to need a soft \
                    line break in quoted-printable or base64 encoding.\n\
                    Dashboard: http://flink.example.com:8081/#/job/5f1c/overview";
const HTML: &str = "<html><body><h1>作业失败 ✓</h1>\n\
                    <p>Job <b>orders-etl</b> is <span style=\"color:#d00\">FAILED</span>.</p>\n\
                    </body></html>";

fn message() -> Message {
    Message {
        title: "[CRITICAL] 作业失败 ✓ orders-etl".into(),
        body: HTML.into(),
        text: TEXT.into(),
        severity: Severity::Critical,
        recipients: Default::default(),
    }
}

fn config(port: u16, security: EmailSecurity) -> EmailConfig {
    EmailConfig {
        port: Some(port),
        security,
        from_name: Some("StreamWarden 监控".into()),
        cc: vec!["flink-admins@example.com".into()],
        accept_invalid_certs: security != EmailSecurity::None,
        ..EmailConfig::new(
            "ops-mail",
            "127.0.0.1",
            "streamwarden@example.com",
            &["oncall@example.com", "data-team@example.org"],
        )
    }
}

fn with_login(config: EmailConfig, user: &str, password: &str) -> EmailConfig {
    EmailConfig {
        username: Some(user.into()),
        password: Some(password.into()),
        ..config
    }
}

fn addr(addr: &str) -> Addr {
    Addr {
        name: None,
        addr: addr.into(),
    }
}

/// Everything the alert must carry, whatever the connection.
fn assert_delivered(server: &SmtpServer, n: usize) -> Received {
    let got = server.message(n);
    assert_eq!(got.subject, "[CRITICAL] 作业失败 ✓ orders-etl");
    assert_eq!(
        got.from,
        [Addr {
            name: Some("StreamWarden 监控".into()),
            addr: "streamwarden@example.com".into(),
        }]
    );
    assert_eq!(
        got.to,
        [addr("oncall@example.com"), addr("data-team@example.org")]
    );
    assert_eq!(got.cc, [addr("flink-admins@example.com")]);
    assert_eq!(got.mail_from, "streamwarden@example.com");
    assert_eq!(
        got.rcpt_tos,
        [
            "oncall@example.com",
            "data-team@example.org",
            "flink-admins@example.com"
        ]
    );
    assert_eq!(got.content_type, "multipart/alternative");
    let types: Vec<&str> = got.parts.iter().map(|p| p.content_type.as_str()).collect();
    assert_eq!(types, ["text/plain", "text/html"], "{}", got.raw);
    for part in &got.parts {
        assert_eq!(part.charset.as_deref(), Some("utf-8"), "{}", got.raw);
        assert!(part.transfer_encoding.is_some(), "{}", got.raw);
    }
    assert_eq!(got.parts[0].content, TEXT);
    assert_eq!(got.parts[1].content, HTML);
    assert_eq!(got.text.as_deref(), Some(TEXT));
    assert_eq!(got.html.as_deref(), Some(HTML));
    assert!(got.message_id.is_some(), "{}", got.raw);
    assert!(got.date.is_some(), "{}", got.raw);
    assert!(
        got.raw.is_ascii(),
        "headers and parts are encoded for 7-bit transport:\n{}",
        got.raw
    );
    got
}

#[tokio::test]
async fn plain_without_login_delivers_both_parts_to_every_recipient() {
    let server = SmtpServer::start(Mode::Plain, None);
    let channel = EmailChannel::new(config(server.port, EmailSecurity::None)).unwrap();
    channel.send_message(&message()).await.unwrap();
    let got = assert_delivered(&server, 1);
    assert_eq!(got.auth_user, None);
    assert!(!got.tls);
}

#[tokio::test]
async fn starttls_with_login_encrypts_then_authenticates() {
    let server = SmtpServer::start(Mode::Starttls, Some("alice:s3cret pass"));
    let config = with_login(
        config(server.port, EmailSecurity::Starttls),
        "alice",
        "s3cret pass",
    );
    let channel = EmailChannel::new(config).unwrap();
    channel.send_message(&message()).await.unwrap();
    let got = assert_delivered(&server, 1);
    assert_eq!(got.auth_user.as_deref(), Some("alice"));
    assert!(got.tls, "the session must have been upgraded with STARTTLS");
}

#[tokio::test]
async fn smtps_with_login_encrypts_from_the_first_byte() {
    let server = SmtpServer::start(Mode::Smtps, Some("alice:s3cret"));
    let config = with_login(config(server.port, EmailSecurity::Smtps), "alice", "s3cret");
    let channel = EmailChannel::new(config).unwrap();
    channel.send_message(&message()).await.unwrap();
    let got = assert_delivered(&server, 1);
    assert_eq!(got.auth_user.as_deref(), Some("alice"));
    assert!(got.tls);
}

#[tokio::test]
async fn each_send_opens_a_fresh_connection() {
    let server = SmtpServer::start(Mode::Starttls, Some("alice:s3cret"));
    let config = with_login(
        config(server.port, EmailSecurity::Starttls),
        "alice",
        "s3cret",
    );
    let channel = EmailChannel::new(config).unwrap();
    channel.send_message(&message()).await.unwrap();
    channel.send_message(&message()).await.unwrap();
    assert_delivered(&server, 1);
    assert_delivered(&server, 2);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_wrong_password_reports_the_servers_535_reply() {
    let server = SmtpServer::start(Mode::Starttls, Some("alice:s3cret"));
    let config = with_login(
        config(server.port, EmailSecurity::Starttls),
        "alice",
        "wrong",
    );
    let channel = EmailChannel::new(config).unwrap();
    let error = channel.send_message(&message()).await.unwrap_err().0;
    assert_eq!(
        error,
        format!(
            "SMTP 127.0.0.1:{} (starttls): the server replied 535 5.7.8 Authentication \
             credentials invalid",
            server.port
        )
    );
    assert!(
        !error.contains("wrong"),
        "the password never shows: {error}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn a_server_wanting_a_login_reports_its_530_reply() {
    let server = SmtpServer::start(Mode::Smtps, Some("alice:s3cret"));
    let channel = EmailChannel::new(config(server.port, EmailSecurity::Smtps)).unwrap();
    let error = channel.send_message(&message()).await.unwrap_err().0;
    assert!(
        error.contains("the server replied 530 5.7.0 Authentication required"),
        "{error}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn starttls_required_but_not_offered_fails_without_sending_in_clear() {
    let server = SmtpServer::start(Mode::Plain, Some("alice:s3cret"));
    let config = with_login(
        config(server.port, EmailSecurity::Starttls),
        "alice",
        "s3cret",
    );
    let channel = EmailChannel::new(config).unwrap();
    let error = channel.send_message(&message()).await.unwrap_err().0;
    assert!(
        error.starts_with(&format!("SMTP 127.0.0.1:{} (starttls): ", server.port)),
        "{error}"
    );
    assert!(
        error.contains("the server does not offer STARTTLS"),
        "{error}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn smtps_against_a_plain_server_fails_with_a_tls_error() {
    let server = SmtpServer::start(Mode::Plain, None);
    let channel = EmailChannel::new(config(server.port, EmailSecurity::Smtps)).unwrap();
    let started = Instant::now();
    let error = channel.send_message(&message()).await.unwrap_err().0;
    assert!(started.elapsed() < Duration::from_secs(5), "{error}");
    assert!(error.contains("TLS handshake failed: "), "{error}");
    assert!(
        error.contains("does not speak TLS from the first byte"),
        "{error}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_unless_accepted() {
    let server = SmtpServer::start(Mode::Starttls, None);
    let strict = EmailConfig {
        accept_invalid_certs: false,
        ..config(server.port, EmailSecurity::Starttls)
    };
    let error = EmailChannel::new(strict)
        .unwrap()
        .send_message(&message())
        .await
        .unwrap_err()
        .0;
    assert!(
        error.contains("TLS handshake failed: invalid peer certificate"),
        "{error}"
    );
    assert!(error.contains("accept_invalid_certs"), "{error}");
    assert_eq!(server.count(), 0);

    let lenient = config(server.port, EmailSecurity::Starttls);
    EmailChannel::new(lenient)
        .unwrap()
        .send_message(&message())
        .await
        .unwrap();
    assert_delivered(&server, 1);
}

#[tokio::test]
async fn a_closed_port_fails_at_once_with_the_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = EmailConfig {
        timeout: Duration::from_secs(5),
        ..config(port, EmailSecurity::Starttls)
    };
    let started = Instant::now();
    let error = EmailChannel::new(config)
        .unwrap()
        .send_message(&message())
        .await
        .unwrap_err()
        .0;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "took {elapsed:?}: {error}"
    );
    assert!(
        error.starts_with(&format!(
            "SMTP 127.0.0.1:{port} (starttls): could not connect: "
        )),
        "{error}"
    );
    assert!(error.contains("refused"), "{error}");
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_timeout() {
    // Accepts connections but never greets, like a TLS-only port spoken to in plain text.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            sockets.push(socket);
        }
    });
    let config = EmailConfig {
        timeout: Duration::from_millis(800),
        ..config(port, EmailSecurity::Starttls)
    };
    let started = Instant::now();
    let error = EmailChannel::new(config)
        .unwrap()
        .send_message(&message())
        .await
        .unwrap_err()
        .0;
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(800) && elapsed < Duration::from_secs(3),
        "took {elapsed:?}: {error}"
    );
    assert_eq!(
        error,
        format!(
            "SMTP 127.0.0.1:{port} (starttls): no answer within 800ms (connect, TLS \
             handshake, login or sending)"
        )
    );
    held.abort();
}
