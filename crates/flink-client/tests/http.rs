//! Transport behaviour of `FlinkClient` against a real local HTTP server (wiremock): timeouts,
//! connection failures, error bodies and decoding (`http/errors.rs`), and the exact requests
//! sent to Flink: paths, query parameters, bodies, multipart (`http/requests.rs`).

use flink_client::{ClientConfig, FlinkClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[path = "http/errors.rs"]
mod errors;
#[path = "http/requests.rs"]
mod requests;

pub(crate) const JID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

pub(crate) fn client_for(base: &str) -> FlinkClient {
    FlinkClient::new("local", base, &ClientConfig::default()).expect("valid base URL")
}

/// Mounts `response` for `verb` + `route` and returns the server.
pub(crate) async fn serve(verb: &str, route: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// The single request the server received.
pub(crate) async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request: {requests:?}"
    );
    requests.remove(0)
}
