//! Sending to a webhook.

use super::{WebhookConfig, default_payload};
use crate::describe::DescribedConfig;
use crate::{Channel, SendError};
use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use streamwarden_core::Event;

/// Most of a response body kept in an error (bytes).
const ERROR_BODY_LIMIT: usize = 512;

/// A ready-to-send webhook channel.
#[derive(Debug, Clone)]
pub struct WebhookChannel {
    config: WebhookConfig,
    http: reqwest::Client,
}

impl WebhookChannel {
    /// Builds the channel; fails when the configuration is invalid (see
    /// [`WebhookConfig::validate`]) or the HTTP client cannot be built.
    pub fn new(config: WebhookConfig) -> Result<WebhookChannel, String> {
        config.validate().map_err(|errors| {
            errors
                .iter()
                .map(|(f, r)| format!("{f}: {r}"))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
            headers.insert(name, value);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(std::time::Duration::from_secs(5)))
            .timeout(config.timeout)
            .default_headers(headers)
            .user_agent(concat!("streamwarden/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("channel {}: {e}", config.name))?;
        Ok(WebhookChannel { config, http })
    }
}

#[async_trait]
impl Channel for WebhookChannel {
    fn name(&self) -> &str {
        &self.config.name
    }

    /// POSTs [`default_payload`] as `application/json`; any 2xx is success, anything else
    /// (non-2xx, timeout, connection error) is a failure to retry.
    async fn send(&self, event: &Event) -> Result<(), SendError> {
        let response = self
            .http
            .post(self.config.url.clone())
            .json(&default_payload(event))
            .send()
            .await
            .map_err(|e| SendError(describe(&e, &self.config)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let excerpt: String = body.chars().take(ERROR_BODY_LIMIT).collect();
        Err(SendError(format!(
            "POST {}: HTTP {}{}",
            self.config.url,
            status.as_u16(),
            if excerpt.is_empty() {
                String::new()
            } else {
                format!(": {excerpt}")
            }
        )))
    }
}

fn describe(error: &reqwest::Error, config: &WebhookConfig) -> String {
    let what = if error.is_timeout() {
        format!(
            "timed out after {}",
            humantime::format_duration(config.timeout)
        )
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut message = format!("POST {}: {what}", config.url);
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}
