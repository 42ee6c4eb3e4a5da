//! The validators of form fields (the seed's list): the same rules run in the browser (console)
//! and here, on the server.

use super::{FieldDescription, FieldError, FieldType};
use serde::Serialize;
use serde_json::Value;
use std::net::IpAddr;

/// A rule a field's value must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// Must be given and not empty.
    Require,
    /// A host name or IP address, optionally with `:port` (`smtp.example.com:587`).
    Host,
    /// A host name or IP address without a port.
    HostWithoutPort,
    /// An `http` or `https` URL.
    Url,
    /// An email address (`ops@example.com`).
    Email,
    /// A whole number.
    Integer,
    /// An identifier: a letter or digit, then letters, digits, `_`, `.`, `-`; 64 at most.
    Identity,
    /// A user name: letters, digits, `_`, `.`, `-`.
    UserName,
    /// Not only white space.
    NoneBlank,
}

impl Validator {
    /// Every validator.
    pub const ALL: [Validator; 9] = [
        Validator::Require,
        Validator::Host,
        Validator::HostWithoutPort,
        Validator::Url,
        Validator::Email,
        Validator::Integer,
        Validator::Identity,
        Validator::UserName,
        Validator::NoneBlank,
    ];

    /// The name used in descriptions (`host_without_port`).
    pub fn as_str(self) -> &'static str {
        match self {
            Validator::Require => "require",
            Validator::Host => "host",
            Validator::HostWithoutPort => "host_without_port",
            Validator::Url => "url",
            Validator::Email => "email",
            Validator::Integer => "integer",
            Validator::Identity => "identity",
            Validator::UserName => "user_name",
            Validator::NoneBlank => "none_blank",
        }
    }

    /// Parses a name; `None` when unknown.
    pub fn parse(name: &str) -> Option<Validator> {
        Validator::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// Checks one text value; the reason when it fails.
    pub fn check(self, value: &str) -> Result<(), String> {
        let ok = match self {
            Validator::Require => !value.is_empty(),
            Validator::NoneBlank => !value.trim().is_empty(),
            Validator::Host => match value.rsplit_once(':') {
                Some((host, port)) if !host.ends_with(']') && host.contains(':') => {
                    is_host(value) && !port.is_empty() // a bare IPv6 address
                }
                Some((host, port)) => is_host(host) && port.parse::<u16>().is_ok_and(|p| p > 0),
                None => is_host(value),
            },
            Validator::HostWithoutPort => is_host(value),
            Validator::Url => url::Url::parse(value)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()),
            Validator::Email => value.parse::<lettre::Address>().is_ok(),
            Validator::Integer => value.trim().parse::<i64>().is_ok(),
            Validator::Identity => {
                value.len() <= 64
                    && value
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            }
            Validator::UserName => {
                !value.is_empty()
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            }
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Validator::Require => "required".into(),
            Validator::NoneBlank => "must not be blank".into(),
            Validator::Host => {
                format!("{value:?} is not a host name or IP address (with an optional :port)")
            }
            Validator::HostWithoutPort => {
                format!("{value:?} is not a host name or IP address without a port")
            }
            Validator::Url => format!("{value:?} is not an http or https URL"),
            Validator::Email => format!("{value:?} is not an email address"),
            Validator::Integer => format!("{value:?} is not a whole number"),
            Validator::Identity => format!(
                "{value:?} must start with a letter or digit and hold only letters, digits, '_', '.', '-' (64 at most)"
            ),
            Validator::UserName => {
                format!("{value:?} may hold only letters, digits, '_', '.', '-'")
            }
        })
    }
}

/// A DNS name (labels of letters, digits and `-`) or an IP address (IPv6 in brackets or bare).
fn is_host(value: &str) -> bool {
    let bare = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    if bare.parse::<IpAddr>().is_ok() {
        return true;
    }
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn push(errors: &mut Vec<FieldError>, field: String, reason: String) {
    errors.push(FieldError { field, reason });
}

/// Checks one field's submitted value against its type and validators.
pub(super) fn check_field(
    field: &FieldDescription,
    value: Option<&Value>,
    errors: &mut Vec<FieldError>,
) {
    let name = &field.name;
    let must = field.required || field.validators.contains(&Validator::Require);
    let value = match value {
        None | Some(Value::Null) => {
            if must {
                push(errors, name.clone(), "required".into());
            }
            return;
        }
        Some(value) => value,
    };
    let run = |text: &str, path: String, errors: &mut Vec<FieldError>| {
        for validator in &field.validators {
            if let Err(reason) = validator.check(text) {
                push(errors, path.clone(), reason);
                return;
            }
        }
    };
    match field.field_type {
        FieldType::Text | FieldType::Password | FieldType::Textarea => match value.as_str() {
            Some(text) => run(text, name.clone(), errors),
            None => push(errors, name.clone(), "must be a string".into()),
        },
        FieldType::Duration => match value.as_str() {
            Some(text) if humantime::parse_duration(text).is_ok() => {}
            _ => push(
                errors,
                name.clone(),
                format!("{value} is not a duration such as \"10s\" or \"5m\""),
            ),
        },
        FieldType::Integer => {
            if value.as_i64().is_none() && value.as_u64().is_none() {
                push(
                    errors,
                    name.clone(),
                    format!("{value} is not a whole number"),
                );
            }
        }
        FieldType::Boolean => {
            if !value.is_boolean() {
                push(errors, name.clone(), "must be true or false".into());
            }
        }
        FieldType::Enum => {
            if !field
                .options
                .iter()
                .any(|o| value.as_str() == Some(o.value.as_str()))
            {
                let allowed: Vec<_> = field.options.iter().map(|o| o.value.as_str()).collect();
                push(
                    errors,
                    name.clone(),
                    format!("{value} is not one of {}", allowed.join(", ")),
                );
            }
        }
        FieldType::List => match value.as_array() {
            Some(items) => {
                if must && items.is_empty() {
                    push(errors, name.clone(), "required: give at least one".into());
                }
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(text) => run(text, format!("{name}[{i}]"), errors),
                        None => push(errors, format!("{name}[{i}]"), "must be a string".into()),
                    }
                }
            }
            None => push(errors, name.clone(), "must be a list".into()),
        },
        FieldType::Map => match value.as_object() {
            Some(map) => {
                for (key, item) in map {
                    if !item.is_string() {
                        push(errors, format!("{name}.{key}"), "must be a string".into());
                    }
                }
            }
            None => push(
                errors,
                name.clone(),
                "must be a table of name → value".into(),
            ),
        },
    }
}
