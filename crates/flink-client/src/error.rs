//! [`FlinkError`]: every failure of the client, always naming the cluster and the endpoint.

use std::time::Duration;

/// Largest error message (in bytes) kept from a response body; longer ones are cut at a
/// character boundary and end with `…`.
pub(crate) const MAX_MESSAGE_BYTES: usize = 1024;

/// Largest slice of an undecodable body (in bytes) quoted in a [`FlinkError::Decode`].
pub(crate) const MAX_SNIPPET_BYTES: usize = 200;

/// An error talking to a Flink JobManager's REST API.
///
/// Every variant names the cluster (the name given to [`crate::FlinkClient::new`]); every
/// variant except [`FlinkError::InvalidUrl`] and [`FlinkError::Client`] also names the endpoint
/// as `METHOD /path` (the path relative to the base URL, without query string), e.g.
/// `cluster "local": GET /jobs/overview: timed out after 5s`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlinkError {
    /// The base URL given to [`crate::FlinkClient::new`] is not an absolute `http`/`https` URL.
    #[error("cluster {cluster:?}: invalid base URL {url:?}: {reason}")]
    InvalidUrl {
        /// Cluster name.
        cluster: String,
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The HTTP client could not be built (e.g. the TLS backend failed to initialise).
    #[error("cluster {cluster:?}: cannot build HTTP client: {message}")]
    Client {
        /// Cluster name.
        cluster: String,
        /// What went wrong.
        message: String,
    },
    /// The JobManager could not be reached: connection refused, DNS failure, TLS handshake
    /// failure, or any other error while establishing the connection.
    #[error("cluster {cluster:?}: {endpoint}: cannot connect: {message}")]
    Connect {
        /// Cluster name.
        cluster: String,
        /// `METHOD /path`.
        endpoint: String,
        /// The transport's description, including its causes.
        message: String,
    },
    /// The connect timeout or the total request timeout elapsed (see
    /// [`crate::ClientConfig`]).
    #[error(
        "cluster {cluster:?}: {endpoint}: {}timed out after {}",
        if *.connecting { "connect " } else { "" },
        fmt_duration(*.after)
    )]
    Timeout {
        /// Cluster name.
        cluster: String,
        /// `METHOD /path`.
        endpoint: String,
        /// The timeout that elapsed: the connect timeout when `connecting`, else the total one.
        after: Duration,
        /// Whether the timeout fired while connecting.
        connecting: bool,
    },
    /// The JobManager answered with a non-2xx HTTP status.
    #[error("cluster {cluster:?}: {endpoint}: HTTP {code}: {message}")]
    Status {
        /// Cluster name.
        cluster: String,
        /// `METHOD /path`.
        endpoint: String,
        /// The HTTP status code, e.g. `404`.
        code: u16,
        /// Flink's `{"errors": [...]}` messages joined with `"; "`, else the start of the body,
        /// else the status' reason phrase; at most ~1 KiB.
        message: String,
    },
    /// The response body is not the JSON this endpoint is documented to return.
    #[error(
        "cluster {cluster:?}: {endpoint}: unexpected response body: {message} (body starts with {snippet:?})"
    )]
    Decode {
        /// Cluster name.
        cluster: String,
        /// `METHOD /path`.
        endpoint: String,
        /// serde's description of the mismatch (with line and column).
        message: String,
        /// The first ~200 bytes of the body.
        snippet: String,
    },
    /// Any other transport failure (connection reset mid-response, invalid HTTP, ...).
    #[error("cluster {cluster:?}: {endpoint}: {message}")]
    Transport {
        /// Cluster name.
        cluster: String,
        /// `METHOD /path`.
        endpoint: String,
        /// The transport's description, including its causes.
        message: String,
    },
}

impl FlinkError {
    /// The cluster name this error is about.
    pub fn cluster(&self) -> &str {
        match self {
            Self::InvalidUrl { cluster, .. }
            | Self::Client { cluster, .. }
            | Self::Connect { cluster, .. }
            | Self::Timeout { cluster, .. }
            | Self::Status { cluster, .. }
            | Self::Decode { cluster, .. }
            | Self::Transport { cluster, .. } => cluster,
        }
    }

    /// The endpoint as `METHOD /path` (e.g. `GET /jobs/overview`), `None` for errors raised
    /// before any request ([`FlinkError::InvalidUrl`], [`FlinkError::Client`]).
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            Self::InvalidUrl { .. } | Self::Client { .. } => None,
            Self::Connect { endpoint, .. }
            | Self::Timeout { endpoint, .. }
            | Self::Status { endpoint, .. }
            | Self::Decode { endpoint, .. }
            | Self::Transport { endpoint, .. } => Some(endpoint),
        }
    }

    /// Whether a connect or total timeout elapsed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether the JobManager could not be reached at all (refused, DNS, TLS). A connect
    /// *timeout* is reported by [`FlinkError::is_timeout`] instead.
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Connect { .. })
    }

    /// The HTTP status code when the JobManager answered with a non-2xx status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Formats a duration for humans: `5s`, `1500ms`.
pub(crate) fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{d:?}")
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary, appending `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = s.get(..end).unwrap_or_default().to_owned();
    out.push('…');
    out
}

/// The message to report for a non-2xx response: Flink's `{"errors": [...]}`, each reduced
/// to its headline (Flink puts whole Java stack traces there; the frames are dropped), joined
/// with `"; "`; else the (trimmed) body text; else `fallback` (the reason phrase). At most
/// [`MAX_MESSAGE_BYTES`].
pub(crate) fn status_message(body: &[u8], fallback: &str) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        errors: Vec<serde_json::Value>,
    }
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        let parts: Vec<String> = parsed
            .errors
            .iter()
            .map(|e| match e {
                serde_json::Value::String(s) => {
                    crate::trace::headline(s).unwrap_or_default().to_owned()
                }
                other => other.to_string(),
            })
            .filter(|s| !s.is_empty())
            .collect();
        if !parts.is_empty() {
            return truncate(&parts.join("; "), MAX_MESSAGE_BYTES);
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        fallback.to_owned()
    } else {
        truncate(text, MAX_MESSAGE_BYTES)
    }
}

/// The start of a body for a [`FlinkError::Decode`].
pub(crate) fn snippet(body: &[u8]) -> String {
    let cut = body.get(..MAX_SNIPPET_BYTES * 2).unwrap_or(body);
    truncate(&String::from_utf8_lossy(cut), MAX_SNIPPET_BYTES)
}

/// The causes of a reqwest error, `": "`-separated (its own description only repeats the
/// URL, which the endpoint already names), or its description when it has no cause.
pub(crate) fn reqwest_causes(err: &reqwest::Error) -> String {
    match std::error::Error::source(err) {
        Some(cause) => error_chain(cause),
        None => err.to_string(),
    }
}

/// An error's description followed by its causes, `": "`-separated, without repeats.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last().is_none_or(|last| !last.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(Duration::from_secs(5)), "5s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(fmt_duration(Duration::from_millis(200)), "200ms");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "abc…");
        // 'é' is two bytes: cutting at 2 would split it.
        assert_eq!(truncate("aéb", 2), "a…");
    }

    #[test]
    fn status_message_prefers_flink_errors() {
        let body = br#"{"errors":["Job 00 not found", "second"]}"#;
        assert_eq!(
            status_message(body, "Not Found"),
            "Job 00 not found; second"
        );
    }

    #[test]
    fn status_message_drops_stack_frames() {
        let body = br#"{"errors":["Internal server error.","<Exception on server side:\njava.io.IOException: gone\n\tat a.B(B.java:1)\n\nEnd of exception on server side>"]}"#;
        assert_eq!(
            status_message(body, "x"),
            "Internal server error.; java.io.IOException: gone"
        );
    }

    #[test]
    fn status_message_falls_back_to_body_then_reason() {
        assert_eq!(
            status_message(b"<html>bad gateway</html>", "Bad Gateway"),
            "<html>bad gateway</html>"
        );
        assert_eq!(status_message(b"  ", "Bad Gateway"), "Bad Gateway");
        assert_eq!(
            status_message(br#"{"errors":[]}"#, "Bad Gateway"),
            r#"{"errors":[]}"#
        );
        let long = "x".repeat(5000);
        let msg = status_message(long.as_bytes(), "");
        assert!(msg.len() <= MAX_MESSAGE_BYTES + '…'.len_utf8());
        assert!(msg.ends_with('…'));
    }

    #[test]
    fn accessors_report_the_variant() {
        let err = FlinkError::Status {
            cluster: "c".into(),
            endpoint: "GET /x".into(),
            code: 404,
            message: "nope".into(),
        };
        assert_eq!(err.status(), Some(404));
        assert_eq!(err.cluster(), "c");
        assert_eq!(err.endpoint(), Some("GET /x"));
        assert!(!err.is_timeout() && !err.is_connect());
        assert_eq!(err.to_string(), r#"cluster "c": GET /x: HTTP 404: nope"#);

        let err = FlinkError::Timeout {
            cluster: "local".into(),
            endpoint: "GET /jobs/overview".into(),
            after: Duration::from_secs(5),
            connecting: false,
        };
        assert_eq!(
            err.to_string(),
            r#"cluster "local": GET /jobs/overview: timed out after 5s"#
        );
        assert!(err.is_timeout());
        assert_eq!(err.status(), None);
    }
}
