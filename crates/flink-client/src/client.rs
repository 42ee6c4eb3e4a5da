//! [`FlinkClient`]: construction, URL handling and the request/response plumbing shared by
//! all endpoints (the endpoints themselves are in `api.rs`).

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{FlinkError, error_chain, reqwest_causes, snippet, status_message};

/// HTTP settings of a [`FlinkClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Longest wait for the TCP (and TLS) connection to the JobManager. Default: 2 s.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, from connecting to the last byte of the response
    /// body. Default: 5 s.
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
        }
    }
}

/// A typed client for one Flink cluster's REST API (the JobManager's web endpoint, port 8081
/// by default).
///
/// Cheap to clone: clones share the connection pool. Every error names the cluster and the
/// endpoint (see [`FlinkError`]). Endpoints follow the Flink REST API documentation,
/// <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone)]
pub struct FlinkClient {
    pub(crate) http: reqwest::Client,
    pub(crate) cluster: Arc<str>,
    pub(crate) base: Url,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
}

/// A request being built, with the `METHOD /path` it will be reported as.
pub(crate) struct Call {
    pub(crate) endpoint: String,
    pub(crate) builder: RequestBuilder,
}

impl Call {
    /// Applies `f` to the request builder (to add a body).
    pub(crate) fn with(self, f: impl FnOnce(RequestBuilder) -> RequestBuilder) -> Self {
        Self {
            endpoint: self.endpoint,
            builder: f(self.builder),
        }
    }
}

impl FlinkClient {
    /// A client for the cluster named `cluster` (used in errors and logs) whose REST API is
    /// at `base_url`, e.g. `http://jobmanager:8081` or `https://ingress.example/flink/`.
    ///
    /// The base URL must be an absolute `http`/`https` URL with a host and without a query
    /// string. It may carry a path prefix (a trailing slash is optional): endpoint paths are
    /// appended to it. A fragment (as in a copied web UI link, `.../#/overview`) is dropped.
    ///
    /// # Errors
    /// [`FlinkError::InvalidUrl`] for a bad URL; [`FlinkError::Client`] if the HTTP client
    /// cannot be built.
    pub fn new(
        cluster: impl Into<String>,
        base_url: &str,
        config: &ClientConfig,
    ) -> Result<Self, FlinkError> {
        let cluster: String = cluster.into();
        let base = parse_base_url(base_url).map_err(|reason| FlinkError::InvalidUrl {
            cluster: cluster.clone(),
            url: base_url.to_owned(),
            reason,
        })?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!(
                "streamwarden-flink-client/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|err| FlinkError::Client {
                cluster: cluster.clone(),
                message: error_chain(&err),
            })?;
        Ok(Self {
            http,
            cluster: cluster.into(),
            base,
            connect_timeout: config.connect_timeout,
            timeout: config.timeout,
        })
    }

    /// The cluster name given to [`FlinkClient::new`].
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// The normalised base URL: always ends with `/`, no query or fragment.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Link to the job's page in the Flink web UI: `{base}#/job/running/{jid}/overview`.
    ///
    /// The `running` route is used whatever the job's state: the Flink 2.x web UI redirects
    /// it to `#/job/completed/{jid}` once the job is terminal, so one link stays valid for
    /// as long as the JobManager knows the job.
    pub fn job_web_url(&self, jid: &str) -> String {
        let jid: String = url::form_urlencoded::byte_serialize(jid.as_bytes()).collect();
        format!("{}#/job/running/{jid}/overview", self.base)
    }

    /// Starts a request to `base + segments` (each segment percent-encoded), with an already
    /// encoded `query` string.
    pub(crate) fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: Option<&str>,
    ) -> Result<Call, FlinkError> {
        let endpoint = format!("{method} /{}", segments.join("/"));
        let mut url = self.base.clone();
        match url.path_segments_mut() {
            Ok(mut path) => {
                path.pop_if_empty().extend(segments);
            }
            Err(()) => {
                return Err(FlinkError::Transport {
                    cluster: self.cluster.to_string(),
                    endpoint,
                    message: format!("base URL {} cannot take a path", self.base),
                });
            }
        }
        url.set_query(query);
        let builder = self.http.request(method, url);
        Ok(Call { endpoint, builder })
    }

    /// Sends the request and returns the body of a 2xx response; any other status becomes
    /// [`FlinkError::Status`] with Flink's error message.
    pub(crate) async fn send(&self, call: Call) -> Result<Vec<u8>, FlinkError> {
        let Call { endpoint, builder } = call;
        let response = builder
            .send()
            .await
            .map_err(|err| self.transport_error(&endpoint, &err))?;
        let status = response.status();
        let body = response.bytes().await;
        if !status.is_success() {
            let reason = status.canonical_reason().unwrap_or("no reason phrase");
            let message = match &body {
                Ok(bytes) => status_message(bytes, reason),
                Err(_) => reason.to_owned(),
            };
            return Err(FlinkError::Status {
                cluster: self.cluster.to_string(),
                endpoint,
                code: status.as_u16(),
                message,
            });
        }
        body.map(|bytes| bytes.to_vec())
            .map_err(|err| self.transport_error(&endpoint, &err))
    }

    /// Sends the request and decodes the 2xx body as `T`.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, call: Call) -> Result<T, FlinkError> {
        let endpoint = call.endpoint.clone();
        let body = self.send(call).await?;
        self.decode(&endpoint, &body)
    }

    /// Decodes `body` as `T`, or a [`FlinkError::Decode`] naming the endpoint.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        body: &[u8],
    ) -> Result<T, FlinkError> {
        serde_json::from_slice(body)
            .map_err(|err| self.decode_error(endpoint, err.to_string(), body))
    }

    /// A [`FlinkError::Decode`] for `endpoint`.
    pub(crate) fn decode_error(&self, endpoint: &str, message: String, body: &[u8]) -> FlinkError {
        FlinkError::Decode {
            cluster: self.cluster.to_string(),
            endpoint: endpoint.to_owned(),
            message,
            snippet: snippet(body),
        }
    }

    /// Classifies a transport failure as timeout, connect or other.
    fn transport_error(&self, endpoint: &str, err: &reqwest::Error) -> FlinkError {
        let cluster = self.cluster.to_string();
        let endpoint = endpoint.to_owned();
        if err.is_timeout() {
            let connecting = err.is_connect();
            FlinkError::Timeout {
                cluster,
                endpoint,
                after: if connecting {
                    self.connect_timeout
                } else {
                    self.timeout
                },
                connecting,
            }
        } else if err.is_connect() {
            FlinkError::Connect {
                cluster,
                endpoint,
                message: reqwest_causes(err),
            }
        } else {
            FlinkError::Transport {
                cluster,
                endpoint,
                message: reqwest_causes(err),
            }
        }
    }
}

/// Parses and normalises a base URL (see [`FlinkClient::new`]); `Err` holds the reason.
fn parse_base_url(raw: &str) -> Result<Url, String> {
    let mut url = Url::parse(raw.trim()).map_err(|err| err.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("scheme {:?} is not http or https", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("no host".to_owned());
    }
    if url.query().is_some() {
        return Err("a query string is not allowed".to_owned());
    }
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalised() {
        let ok = |raw: &str| parse_base_url(raw).map(|u| u.to_string());
        assert_eq!(ok("http://jm:8081").as_deref(), Ok("http://jm:8081/"));
        assert_eq!(ok("http://jm:8081/").as_deref(), Ok("http://jm:8081/"));
        assert_eq!(
            ok(" https://in.example/flink ").as_deref(),
            Ok("https://in.example/flink/")
        );
        assert_eq!(
            ok("https://in.example/a/b/").as_deref(),
            Ok("https://in.example/a/b/")
        );
        assert_eq!(
            ok("http://jm:8081/#/overview").as_deref(),
            Ok("http://jm:8081/")
        );
    }

    #[test]
    fn bad_base_urls_are_rejected() {
        for raw in [
            "",
            "jm:8081",
            "ftp://jm/",
            "file:///tmp",
            "http://jm:8081/?x=1",
            "/relative",
        ] {
            assert!(parse_base_url(raw).is_err(), "{raw:?} should be rejected");
        }
        let err = FlinkClient::new("prod", "ftp://jm", &ClientConfig::default()).expect_err("ftp");
        assert!(matches!(err, FlinkError::InvalidUrl { .. }));
        assert_eq!(err.cluster(), "prod");
        assert!(err.to_string().contains("not http or https"), "{err}");
    }

    #[test]
    fn endpoints_append_to_the_prefix_and_encode_segments() {
        let client =
            FlinkClient::new("c", "http://h/flink", &ClientConfig::default()).expect("client");
        let call = client
            .call(Method::GET, &["jars", "a b/c", "run"], Some("x=1"))
            .expect("call");
        assert_eq!(call.endpoint, "GET /jars/a b/c/run");
        let request = call.builder.build().expect("request");
        assert_eq!(
            request.url().as_str(),
            "http://h/flink/jars/a%20b%2Fc/run?x=1"
        );
    }

    #[test]
    fn web_url_points_at_the_running_job_route() {
        let client =
            FlinkClient::new("c", "http://h:8081/ui", &ClientConfig::default()).expect("client");
        assert_eq!(
            client.job_web_url("0123abcd"),
            "http://h:8081/ui/#/job/running/0123abcd/overview"
        );
    }

    #[test]
    fn default_config_is_2s_connect_5s_total() {
        let config = ClientConfig::default();
        assert_eq!(config.connect_timeout, Duration::from_secs(2));
        assert_eq!(config.timeout, Duration::from_secs(5));
    }
}
