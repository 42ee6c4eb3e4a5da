//! Configuration of a `webhook` channel (HTTP callback).

use crate::channels::checks;
use crate::describe::DescribedConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// HTTP method of a webhook call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum WebhookMethod {
    /// `POST` (the default).
    #[default]
    Post,
    /// `PUT`.
    Put,
}

/// A `webhook` channel: an HTTP callback receiving each alert.
///
/// ```toml
/// [[channels]]
/// name = "ops-hook"
/// kind = "webhook"
/// url = "https://hooks.example.com/flink"
/// headers = { "X-Team" = "data" }
/// bearer_token = "s3cret"
/// signing_secret = "shared"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Unique name of the channel, used in routes, deliveries and logs.
    #[schemars(extend("x-label" = "Name", "x-placeholder" = "ops-hook", "x-validators" = ["require", "identity"]))]
    pub name: String,
    /// Where to send each alert; `http` or `https`.
    #[schemars(extend("x-label" = "URL", "x-placeholder" = "https://hooks.example.com/flink", "x-validators" = ["require", "url"]))]
    pub url: url::Url,
    /// HTTP method.
    #[serde(default)]
    #[schemars(extend("x-label" = "Method"))]
    pub method: WebhookMethod,
    /// Extra request headers, name → value (for example a routing key). Use the auth fields
    /// below for credentials: they are kept secret.
    #[serde(default)]
    #[schemars(extend("x-label" = "Headers", "x-placeholder" = "X-Team: data"))]
    pub headers: BTreeMap<String, String>,
    /// User of HTTP basic authentication; with `basic_password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Basic auth user", "x-validators" = ["user_name"]))]
    pub basic_user: Option<String>,
    /// Password of HTTP basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Basic auth password", "x-secret" = true))]
    pub basic_password: Option<String>,
    /// Token sent as `Authorization: Bearer <token>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Bearer token", "x-secret" = true))]
    pub bearer_token: Option<String>,
    /// Shared secret: when set, every request carries the header named by `signature_header`
    /// with `sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with this secret>`, so the
    /// receiver can check that the call is genuine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Signing secret", "x-secret" = true))]
    pub signing_secret: Option<String>,
    /// Name of the signature header.
    #[serde(default = "default_signature_header")]
    #[schemars(extend("x-label" = "Signature header", "x-placeholder" = "X-StreamWarden-Signature", "x-validators" = ["none_blank"]))]
    pub signature_header: String,
    /// Body template (minijinja, JSON-escaped). When empty, the default JSON payload
    /// (`version` "1", documented in the README) is sent with `Content-Type: application/json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-label" = "Body template", "x-type" = "textarea"))]
    pub body_template: Option<String>,
    /// `Content-Type` of a templated body.
    #[serde(default = "default_content_type")]
    #[schemars(extend("x-label" = "Content type", "x-placeholder" = "application/json", "x-validators" = ["none_blank"]))]
    pub content_type: String,
    /// Total time allowed for one request (connect, send, response), e.g. `10s`.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    #[schemars(with = "String", extend("x-label" = "Timeout", "x-type" = "duration", "x-placeholder" = "10s"))]
    pub timeout: Duration,
}

fn default_signature_header() -> String {
    "X-StreamWarden-Signature".into()
}

fn default_content_type() -> String {
    "application/json".into()
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl WebhookConfig {
    /// A webhook to `url` with every option at its default.
    pub fn new(name: &str, url: url::Url) -> WebhookConfig {
        WebhookConfig {
            name: name.into(),
            url,
            method: WebhookMethod::Post,
            headers: BTreeMap::new(),
            basic_user: None,
            basic_password: None,
            bearer_token: None,
            signing_secret: None,
            signature_header: default_signature_header(),
            body_template: None,
            content_type: default_content_type(),
            timeout: default_timeout(),
        }
    }
}

impl DescribedConfig for WebhookConfig {
    /// The URL's scheme, header names and values, auth fields in pairs.
    fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut errors = Vec::new();
        checks::http_scheme("url", &self.url, &mut errors);
        for (name, value) in &self.headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                errors.push((
                    format!("headers.{name}"),
                    "not a valid HTTP header name".into(),
                ));
            } else if reqwest::header::HeaderValue::from_str(value).is_err() {
                errors.push((
                    format!("headers.{name}"),
                    "not a valid HTTP header value".into(),
                ));
            }
        }
        if reqwest::header::HeaderName::from_bytes(self.signature_header.as_bytes()).is_err() {
            errors.push((
                "signature_header".into(),
                "not a valid HTTP header name".into(),
            ));
        }
        if self.basic_password.is_some() && self.basic_user.is_none() {
            errors.push(("basic_user".into(), "required with basic_password".into()));
        }
        if self.basic_user.is_some() && self.bearer_token.is_some() {
            errors.push((
                "bearer_token".into(),
                "use basic auth or a bearer token, not both".into(),
            ));
        }
        checks::positive_timeout(self.timeout, &mut errors);
        checks::finish(errors)
    }
}
