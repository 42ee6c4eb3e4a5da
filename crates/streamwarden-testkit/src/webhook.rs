//! A webhook receiver: a real HTTP server that records every request (method, path, headers,
//! body, receive time) and answers the status it is told — 200 unless told otherwise.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got, with the status it answered.
#[derive(Debug, Clone)]
pub struct Request {
    /// `POST`, `PUT`, …
    pub method: String,
    /// The path and query, e.g. `/hook?x=1`.
    pub path: String,
    /// The headers in arrival order, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as received.
    pub body: Vec<u8>,
    /// The status answered.
    pub status: u16,
    /// When it arrived, epoch milliseconds.
    pub at_ms: i64,
}

impl Request {
    /// The value of header `name` (any case); the first one when repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; `None` when it is not.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether the receiver answered 2xx.
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The receiver; clones share it. Answers any method on any path.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    url: String,
    state: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
struct Inner {
    requests: Vec<Request>,
    /// Answered to every request once `next` is empty.
    answer: u16,
    /// Answered to the next requests, one each, first to last.
    next: VecDeque<u16>,
}

impl WebhookReceiver {
    /// Starts a receiver on a free port of 127.0.0.1, answering 200.
    pub async fn start() -> WebhookReceiver {
        WebhookReceiver::start_on("127.0.0.1:0").await
    }

    /// Starts a receiver listening on `addr` (e.g. `127.0.0.1:18080`, for a receiver that
    /// must come back on the same port), answering 200.
    pub async fn start_on(addr: &str) -> WebhookReceiver {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = WebhookReceiver {
            url,
            state: Arc::new(Mutex::new(Inner {
                requests: Vec::new(),
                answer: 200,
                next: VecDeque::new(),
            })),
        };
        let app = Router::new()
            .fallback(record)
            .with_state(receiver.state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    /// The URL to configure: `http://127.0.0.1:<port>/hook` (any other path is received too).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// From now on answer `status` to every request (after those of [`WebhookReceiver::answer_next`]).
    pub fn answer(&self, status: u16) {
        self.state.lock().unwrap().answer = status;
    }

    /// Answer `statuses` to the next requests, one each in order, then the standing answer
    /// again (e.g. `[500, 503]`: fail twice, then accept).
    pub fn answer_next(&self, statuses: &[u16]) {
        self.state.lock().unwrap().next.extend(statuses);
    }

    /// Every request received so far, accepted or not, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The JSON bodies of the requests answered 2xx, in arrival order.
    pub fn accepted(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter(|r| r.accepted())
            .filter_map(Request::json)
            .collect()
    }

    /// Waits (polling every 20 ms) until at least `count` requests were answered 2xx; those
    /// requests. Panics, naming what did arrive, when that takes longer than `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Request> {
        let deadline = Instant::now() + timeout;
        loop {
            let accepted: Vec<Request> = self
                .requests()
                .into_iter()
                .filter(Request::accepted)
                .collect();
            if accepted.len() >= count {
                return accepted;
            }
            assert!(
                Instant::now() < deadline,
                "the webhook receiver accepted {} request(s) within {timeout:?}, not {count}; \
                 received: {:?}",
                accepted.len(),
                self.requests()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn record(
    State(state): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at_ms = chrono::Utc::now().timestamp_millis();
    let mut state = state.lock().unwrap();
    let status = state.next.pop_front().unwrap_or(state.answer);
    let headers = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_string(), value)
        })
        .collect();
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    state.requests.push(Request {
        method: method.to_string(),
        path,
        headers,
        body: body.to_vec(),
        status,
        at_ms,
    });
    StatusCode::from_u16(status).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn records_method_path_headers_and_body() {
        let receiver = WebhookReceiver::start().await;
        let before = chrono::Utc::now().timestamp_millis();
        let response = reqwest::Client::new()
            .put(format!("{}?x=1", receiver.url()))
            .header("X-Signature", "sha256=00")
            .json(&json!({"a": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let requests = receiver.wait_for(1, Duration::from_secs(5)).await;
        let request = &requests[0];
        assert_eq!(request.method, "PUT");
        assert_eq!(request.path, "/hook?x=1");
        assert_eq!(request.header("x-signature"), Some("sha256=00"));
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.text(), r#"{"a":1}"#);
        assert_eq!(request.json(), Some(json!({"a": 1})));
        assert!(request.at_ms >= before);
        assert_eq!(receiver.accepted(), [json!({"a": 1})]);
    }

    #[tokio::test]
    async fn answers_what_it_is_told() {
        let receiver = WebhookReceiver::start().await;
        receiver.answer(503);
        receiver.answer_next(&[500, 201]);
        let http = reqwest::Client::new();
        let mut statuses = Vec::new();
        for n in 0..3 {
            let response = http
                .post(receiver.url())
                .body(format!("{n}"))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [500, 201, 503]);
        let recorded: Vec<u16> = receiver.requests().iter().map(|r| r.status).collect();
        assert_eq!(recorded, [500, 201, 503]);
        assert_eq!(receiver.accepted(), [json!(1)]);
    }
}
