//! Configuration of a `webhook` channel.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// A `webhook` channel as declared in `[[channels]]` (`kind = "webhook"`).
///
/// ```toml
/// [[channels]]
/// name = "ops-hook"
/// kind = "webhook"
/// url = "https://hooks.example.com/flink"
/// headers = { "X-Token" = "s3cret" }
/// timeout = "10s"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Unique channel name, used in routes, deliveries and logs.
    pub name: String,
    /// Where to POST; `http` or `https`.
    pub url: url::Url,
    /// Extra request headers (name → value), e.g. an auth token.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Total time allowed for one request (connect, send, response), e.g. `"10s"`; default 10 s.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl WebhookConfig {
    /// Checks what serde cannot: the URL's scheme and that header names and values are valid
    /// HTTP. Errors name the field (`url`, `headers.<name>`) and the reason.
    pub fn validate(&self) -> Result<(), String> {
        if !matches!(self.url.scheme(), "http" | "https") {
            return Err(format!(
                "url: scheme must be http or https, not {:?}",
                self.url.scheme()
            ));
        }
        for (name, value) in &self.headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("headers.{name}: not a valid HTTP header name"));
            }
            if reqwest::header::HeaderValue::from_str(value).is_err() {
                return Err(format!("headers.{name}: not a valid HTTP header value"));
            }
        }
        if self.timeout.is_zero() {
            return Err("timeout: must be greater than zero".into());
        }
        Ok(())
    }
}
