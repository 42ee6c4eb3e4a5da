//! HTTP plumbing shared by the channels that POST to a URL (the chat robots and webhooks):
//! building the client, describing a transport failure without the URL (which often holds a
//! credential), and reading an answer within a cap.

use crate::channels::truncate;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// Longest time allowed for connecting (5 s), however long the channel's overall timeout.
const CONNECT_LIMIT: Duration = Duration::from_secs(5);

/// Most of a response body quoted in an error (bytes).
pub(crate) const ERROR_BODY_LIMIT: usize = 512;

/// Most of a response body read (bytes, 64 KiB); robots answer a few dozen.
pub(crate) const RESPONSE_LIMIT: usize = 64 * 1024;

/// A client for one channel: each request takes at most `timeout` in all (connecting at most
/// the smaller of `timeout` and 5 s), carries `headers` and StreamWarden's user agent.
pub(crate) fn client(timeout: Duration, headers: HeaderMap) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(timeout.min(CONNECT_LIMIT))
        .timeout(timeout)
        .default_headers(headers)
        .user_agent(concat!("streamwarden/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A transport failure as `what happened: cause: cause…`, where what happened is `timed out
/// after <timeout>`, `could not connect` or `request failed`. The error's own text (which
/// names the URL, and so the token a robot URL carries) is left out; only its causes are kept.
pub(crate) fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    let mut message = if error.is_timeout() {
        format!("timed out after {}", humantime::format_duration(timeout))
    } else if error.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// The body of `response`, at most [`RESPONSE_LIMIT`] bytes of it (the rest is not read).
pub(crate) async fn read_capped(mut response: reqwest::Response) -> reqwest::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = RESPONSE_LIMIT - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= RESPONSE_LIMIT {
            break;
        }
    }
    Ok(bytes)
}

/// A body quoted in an error: its text, trimmed, at most [`ERROR_BODY_LIMIT`] bytes (cut on a
/// character boundary and marked `…`); `(empty body)` when there is none.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".into();
    }
    let kept = truncate::prefix(text, ERROR_BODY_LIMIT);
    if kept.len() < text.len() {
        format!("{kept}…")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_trimmed_and_cut_on_a_character_boundary() {
        assert_eq!(excerpt(b"  "), "(empty body)");
        assert_eq!(excerpt(b" ok \n"), "ok");
        assert_eq!(excerpt("é".repeat(400).as_bytes()).len(), 512 + "…".len());
        assert_eq!(excerpt("x".repeat(512).as_bytes()), "x".repeat(512));
    }

    #[tokio::test]
    async fn a_refused_connection_is_described_without_the_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let http = client(Duration::from_secs(2), HeaderMap::new()).unwrap();
        let error = http
            .get(format!("http://{address}/robot/send?access_token=s3cret"))
            .send()
            .await
            .unwrap_err();
        let text = describe(&error, Duration::from_secs(2));
        assert!(text.starts_with("could not connect"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
