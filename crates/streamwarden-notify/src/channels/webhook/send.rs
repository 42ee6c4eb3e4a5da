//! Sending to a webhook: method, headers, auth, optional HMAC-SHA256 signature of the body.

use super::WebhookConfig;
use crate::channels::{Message, SendError, http};
use crate::describe::DescribedConfig;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use sha2::Sha256;

/// A ready-to-send webhook channel.
#[derive(Debug, Clone)]
pub struct WebhookChannel {
    config: WebhookConfig,
    http: reqwest::Client,
}

/// `sha256=<hex>` of HMAC-SHA256(`secret`, `body`): the signature header's value. A receiver
/// recomputes it over the exact bytes it received and compares.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

impl WebhookChannel {
    /// Builds the channel; fails when the configuration is invalid or the HTTP client cannot
    /// be built.
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
        let http = http::client(config.timeout, headers)
            .map_err(|e| format!("channel {}: {e}", config.name))?;
        Ok(WebhookChannel { config, http })
    }

    /// The configuration.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Sends `message.body` as the request body (the default JSON payload, or the channel's
    /// body template). Any 2xx is success; anything else (non-2xx, timeout, connection error)
    /// is a failure with what the receiver said.
    pub async fn send_message(&self, message: &Message) -> Result<(), SendError> {
        let c = &self.config;
        let method = match c.method {
            super::WebhookMethod::Post => reqwest::Method::POST,
            super::WebhookMethod::Put => reqwest::Method::PUT,
        };
        let mut request = self
            .http
            .request(method.clone(), c.url.clone())
            .header(CONTENT_TYPE, &c.content_type)
            .body(message.body.clone());
        if let Some(secret) = &c.signing_secret {
            request = request.header(
                &c.signature_header,
                signature(secret, message.body.as_bytes()),
            );
        }
        if let Some(user) = &c.basic_user {
            request = request.basic_auth(user, c.basic_password.as_ref());
        }
        if let Some(token) = &c.bearer_token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| {
            SendError(format!(
                "{method} {}: {}",
                c.url,
                http::describe(&e, c.timeout)
            ))
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let excerpt: String = body.chars().take(http::ERROR_BODY_LIMIT).collect();
        Err(SendError(format!(
            "{method} {}: HTTP {}{}",
            c.url,
            status.as_u16(),
            if excerpt.is_empty() {
                String::new()
            } else {
                format!(": {excerpt}")
            }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac_sha256() {
        // python3 -c "import hmac,hashlib;print(hmac.new(b'shared',b'{\"a\":1}',hashlib.sha256).hexdigest())"
        assert_eq!(
            signature("shared", br#"{"a":1}"#),
            "sha256=def0e4aa31899afa017c6243f1c30528c036adf4a25fa5a755f7137ac60a0c0f"
        );
    }
}
