//! Configuration of an `email` channel (SMTP).

use crate::channels::checks;
use crate::describe::DescribedConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailSecurity {
    /// Plain SMTP, nothing encrypted (port 25 by default): the password and every alert cross
    /// the network readable. Only for a relay on a trusted network or a test server.
    None,
    /// Connect in plain text, then switch to TLS with `STARTTLS` before anything else is sent
    /// (port 587 by default). Fails when the server does not offer `STARTTLS`; it never falls
    /// back to plain text. The default.
    #[default]
    Starttls,
    /// TLS from the first byte, also called implicit TLS or SMTPS (port 465 by default).
    Smtps,
}

impl EmailSecurity {
    /// The usual port of this kind of connection: 25, 587 or 465.
    pub fn default_port(self) -> u16 {
        match self {
            EmailSecurity::None => 25,
            EmailSecurity::Starttls => 587,
            EmailSecurity::Smtps => 465,
        }
    }

    /// The name used in configuration (`"starttls"`).
    pub fn as_str(self) -> &'static str {
        match self {
            EmailSecurity::None => "none",
            EmailSecurity::Starttls => "starttls",
            EmailSecurity::Smtps => "smtps",
        }
    }
}

/// An `email` channel: sends each alert as an email (HTML with a plain-text alternative)
/// through an SMTP server.
///
/// ```toml
/// [[channels]]
/// name = "ops-mail"
/// kind = "email"
/// host = "smtp.example.com"
/// security = "starttls"
/// username = "streamwarden"
/// password = "s3cret"
/// from = "streamwarden@example.com"
/// from_name = "StreamWarden"
/// to = ["oncall@example.com", "data-team@example.com"]
/// cc = ["flink-admins@example.com"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// Unique name of the channel, used in routes, deliveries and logs.
    #[schemars(extend("x-label" = "Name", "x-placeholder" = "ops-mail", "x-validators" = ["require", "identity"]))]
    pub name: String,
    /// Host name or IP address of the SMTP server, without the port (see `port`).
    #[schemars(extend("x-label" = "SMTP host", "x-placeholder" = "smtp.example.com", "x-validators" = ["require", "host_without_port"]))]
    pub host: String,
    /// Port of the SMTP server. When empty, the usual port of `security`: 25 for `none`, 587
    /// for `starttls`, 465 for `smtps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Port", "x-placeholder" = "587", "x-validators" = ["integer"]))]
    pub port: Option<u16>,
    /// How the connection is protected. `starttls` (port 587) and `smtps` (port 465) encrypt
    /// it; `none` sends everything, the password included, in plain text.
    #[serde(default)]
    #[schemars(extend("x-label" = "Security", "x-validators" = []))]
    pub security: EmailSecurity,
    /// User name to log in to the SMTP server with (`AUTH PLAIN` or `LOGIN`); often the
    /// sender's address. Leave empty for a server that takes mail without logging in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "User name", "x-placeholder" = "streamwarden@example.com", "x-validators" = ["none_blank"]))]
    pub username: Option<String>,
    /// Password of `username`. Kept secret: it is never shown again once saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Password", "x-secret" = true, "x-validators" = []))]
    pub password: Option<String>,
    /// Sender address (`From`), a plain address such as `streamwarden@example.com`. Many
    /// servers only accept the address `username` owns.
    #[schemars(extend("x-label" = "From", "x-placeholder" = "streamwarden@example.com", "x-validators" = ["require", "email"]))]
    pub from: String,
    /// Sender name shown beside the `From` address, e.g. `StreamWarden`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Sender name", "x-placeholder" = "StreamWarden", "x-validators" = ["none_blank"]))]
    pub from_name: Option<String>,
    /// Recipients (`To`), one plain address per item; at least one.
    #[schemars(extend("x-label" = "To", "x-placeholder" = "oncall@example.com", "x-validators" = ["require", "email"]))]
    pub to: Vec<String>,
    /// Copy recipients (`Cc`), one plain address per item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-label" = "Cc", "x-placeholder" = "flink-admins@example.com", "x-validators" = ["email"]))]
    pub cc: Vec<String>,
    /// Accept any TLS certificate of the server: self-signed, expired or for another host.
    /// **Only for a test server with a self-signed certificate**: with it on, anyone between
    /// StreamWarden and the server can read the alerts and the password. Ignored with
    /// `security = none`.
    #[serde(default)]
    #[schemars(extend("x-label" = "Accept invalid certificates", "x-validators" = []))]
    pub accept_invalid_certs: bool,
    /// Longest time one send may take, from connecting to the server's answer to the
    /// message, e.g. `10s`. A send that takes longer fails (and is retried).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    #[schemars(with = "String", extend("x-label" = "Timeout", "x-type" = "duration", "x-placeholder" = "10s", "x-validators" = []))]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl EmailConfig {
    /// A channel sending from `from` to `to` through `host`, every other option at its
    /// default (`starttls` on port 587, no login, 10 s timeout).
    pub fn new(name: &str, host: &str, from: &str, to: &[&str]) -> EmailConfig {
        EmailConfig {
            name: name.into(),
            host: host.into(),
            port: None,
            security: EmailSecurity::default(),
            username: None,
            password: None,
            from: from.into(),
            from_name: None,
            to: to.iter().map(|s| (*s).to_string()).collect(),
            cc: Vec::new(),
            accept_invalid_certs: false,
            timeout: default_timeout(),
        }
    }

    /// The port connected to: `port`, or the usual port of `security`.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.security.default_port())
    }
}

impl DescribedConfig for EmailConfig {
    /// Checks what the field description cannot: every address parses, at least one
    /// recipient, a password comes with a user name, the host has no port, the timeout is not
    /// zero. Returns every problem as a `(field path, reason)` pair, e.g. `("to[1]", …)`.
    fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut push = |field: String, reason: String| errors.push((field, reason));

        if self.name.trim().is_empty() {
            push("name".into(), "must not be blank".into());
        }
        if let Err(reason) = check_host(&self.host) {
            push("host".into(), reason);
        }
        if self.port == Some(0) {
            push("port".into(), "must be between 1 and 65535".into());
        }
        if let Err(reason) = check_address(&self.from) {
            push("from".into(), reason);
        }
        if let Some(name) = &self.from_name {
            if name.trim().is_empty() {
                push(
                    "from_name".into(),
                    "must not be blank (leave it out instead)".into(),
                );
            } else if name.contains(['\r', '\n']) {
                push("from_name".into(), "must be one line".into());
            }
        }
        if self.to.is_empty() {
            push("to".into(), "at least one recipient is required".into());
        }
        for (i, address) in self.to.iter().enumerate() {
            if let Err(reason) = check_address(address) {
                push(format!("to[{i}]"), reason);
            }
        }
        for (i, address) in self.cc.iter().enumerate() {
            if let Err(reason) = check_address(address) {
                push(format!("cc[{i}]"), reason);
            }
        }
        match (&self.username, &self.password) {
            (Some(user), _) if user.trim().is_empty() => {
                push(
                    "username".into(),
                    "must not be blank (leave it out to send without logging in)".into(),
                );
            }
            (None, Some(_)) => {
                push("username".into(), "required when a password is set".into());
            }
            _ => {}
        }
        checks::positive_timeout(self.timeout, &mut errors);
        checks::finish(errors)
    }
}

/// A plain address (`ops@example.com`), as lettre reads it.
pub(super) fn check_address(address: &str) -> Result<lettre::Address, String> {
    address
        .parse::<lettre::Address>()
        .map_err(|e| format!("{address:?} is not an email address ({e})"))
}

/// A host name or an IP address, without a port or a scheme.
fn check_host(host: &str) -> Result<(), String> {
    if host.trim().is_empty() {
        return Err("required".into());
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    if host.contains("://") {
        return Err(format!(
            "{host:?} must be a host name, not a URL (set `security` and `port` instead)"
        ));
    }
    if host.contains(':') {
        return Err(format!(
            "{host:?} must not carry a port (set `port` instead)"
        ));
    }
    let labels_ok = host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        });
    if labels_ok {
        Ok(())
    } else {
        Err(format!("{host:?} is not a host name or IP address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> EmailConfig {
        EmailConfig::new(
            "ops-mail",
            "smtp.example.com",
            "streamwarden@example.com",
            &["oncall@example.com"],
        )
    }

    #[test]
    fn defaults_fill_everything_but_the_essentials() {
        let config: EmailConfig = serde_json::from_value(json!({
            "name": "ops-mail",
            "host": "smtp.example.com",
            "from": "streamwarden@example.com",
            "to": ["oncall@example.com"],
        }))
        .unwrap();
        assert_eq!(config, valid());
        assert_eq!(config.security, EmailSecurity::Starttls);
        assert_eq!(config.effective_port(), 587);
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert!(!config.accept_invalid_certs);
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn port_follows_security_unless_given() {
        let mut config = valid();
        for (security, port) in [
            (EmailSecurity::None, 25),
            (EmailSecurity::Starttls, 587),
            (EmailSecurity::Smtps, 465),
        ] {
            config.security = security;
            assert_eq!(config.effective_port(), port);
        }
        config.port = Some(2525);
        assert_eq!(config.effective_port(), 2525);
    }

    #[test]
    fn reads_every_field_and_round_trips() {
        let config: EmailConfig = serde_json::from_value(json!({
            "name": "ops-mail",
            "host": "127.0.0.1",
            "port": 2465,
            "security": "smtps",
            "username": "alice",
            "password": "s3cret",
            "from": "streamwarden@example.com",
            "from_name": "StreamWarden",
            "to": ["a@example.com", "b@example.com"],
            "cc": ["c@example.com"],
            "accept_invalid_certs": true,
            "timeout": "1m 30s",
        }))
        .unwrap();
        assert_eq!(config.security, EmailSecurity::Smtps);
        assert_eq!(config.timeout, Duration::from_secs(90));
        assert_eq!(config.validate(), Ok(()));
        let again: EmailConfig =
            serde_json::from_value(serde_json::to_value(&config).unwrap()).unwrap();
        assert_eq!(again, config);
    }

    #[test]
    fn unknown_fields_and_security_values_are_refused() {
        let unknown = serde_json::from_value::<EmailConfig>(json!({
            "name": "m", "host": "h", "from": "a@b.c", "to": ["a@b.c"], "ssl": true,
        }));
        assert!(unknown.unwrap_err().to_string().contains("ssl"));
        let security = serde_json::from_value::<EmailConfig>(json!({
            "name": "m", "host": "h", "from": "a@b.c", "to": ["a@b.c"], "security": "tls",
        }));
        assert!(security.is_err());
    }

    #[test]
    fn validate_names_every_offending_field() {
        let config = EmailConfig {
            name: " ".into(),
            host: "smtp.example.com:587".into(),
            port: Some(0),
            password: Some("pw".into()),
            from: "not-an-address".into(),
            from_name: Some(" ".into()),
            to: vec!["ok@example.com".into(), "bad address".into()],
            cc: vec!["@example.com".into()],
            timeout: Duration::ZERO,
            ..valid()
        };
        let errors = config.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "host",
                "port",
                "from",
                "from_name",
                "to[1]",
                "cc[0]",
                "username",
                "timeout"
            ]
        );
        assert!(errors[1].1.contains("port"), "{errors:?}");
        assert!(errors[5].1.contains("bad address"), "{errors:?}");
    }

    #[test]
    fn validate_wants_a_recipient_and_a_plain_host() {
        let config = EmailConfig {
            to: Vec::new(),
            host: "smtps://smtp.example.com".into(),
            username: Some(String::new()),
            ..valid()
        };
        let errors = config.validate().unwrap_err();
        assert_eq!(errors[0].0, "host");
        assert!(errors[0].1.contains("not a URL"));
        assert_eq!(
            errors[1],
            ("to".into(), "at least one recipient is required".into())
        );
        assert_eq!(errors[2].0, "username");
        for host in [
            "127.0.0.1",
            "::1",
            "[::1]",
            "mail-1.example.com",
            "localhost",
        ] {
            let config = EmailConfig {
                host: host.into(),
                ..valid()
            };
            assert_eq!(config.validate(), Ok(()), "{host}");
        }
    }

    #[test]
    fn schema_carries_the_form_description() {
        let schema = schemars::schema_for!(EmailConfig);
        let root = schema.as_value();
        let props = root["properties"].as_object().unwrap();
        let names: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "name",
                "host",
                "port",
                "security",
                "username",
                "password",
                "from",
                "from_name",
                "to",
                "cc",
                "accept_invalid_certs",
                "timeout"
            ]
        );
        let allowed = [
            "require",
            "host",
            "host_without_port",
            "url",
            "email",
            "integer",
            "identity",
            "user_name",
            "none_blank",
        ];
        for (name, prop) in props {
            assert!(prop["x-label"].is_string(), "{name} has no x-label");
            assert!(
                prop["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{name} has no help"
            );
            for validator in prop["x-validators"].as_array().unwrap() {
                assert!(
                    allowed.contains(&validator.as_str().unwrap()),
                    "{name}: {validator}"
                );
            }
        }
        assert_eq!(
            props["name"]["x-validators"],
            json!(["require", "identity"])
        );
        assert_eq!(props["password"]["x-secret"], json!(true));
        assert_eq!(props["timeout"]["x-type"], json!("duration"));
        assert_eq!(props["timeout"]["default"], json!("10s"));
        assert_eq!(props["security"]["default"], json!("starttls"));
        let required: Vec<&str> = root["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, ["name", "host", "from", "to"]);
        let security = &root["$defs"]["EmailSecurity"]["oneOf"];
        let values: Vec<&str> = security
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["const"].as_str().unwrap())
            .collect();
        assert_eq!(values, ["none", "starttls", "smtps"]);
        assert!(
            security
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v["description"].is_string())
        );
    }
}
