//! The chat-robot channels (DingTalk, WeCom, Lark) against local fake robots. Each fake
//! (in `robots/`) implements its platform's documented checks — signature recomputed from the
//! secret it was given, timestamp skew, body size limit, rate limit — and answers with the
//! platform's real error codes, so a test passing here means the request would pass there.
#![allow(clippy::unwrap_used)]

#[path = "robots/dingtalk.rs"]
mod dingtalk;
#[path = "robots/lark.rs"]
mod lark;
#[path = "robots/wecom.rs"]
mod wecom;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use streamwarden_core::Severity;
use streamwarden_notify::channels::Message;

/// An alert as a template renders it.
pub fn message(title: &str, body: &str, severity: Severity) -> Message {
    Message {
        title: title.into(),
        body: body.into(),
        text: body.into(),
        severity,
    }
}

/// Serves `router` on an ephemeral port of 127.0.0.1; its base URL (`http://127.0.0.1:port`).
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// A base URL nothing listens on.
pub async fn unreachable() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// Whether the request says it carries JSON.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// What every fake robot shares: the messages it accepted, and the test's switches.
#[derive(Default)]
pub struct Core {
    accepted: Mutex<Vec<(Instant, Value)>>,
    forced: Mutex<Option<(u16, String)>>,
    too_fast_after: Mutex<Option<usize>>,
    delay: Mutex<Duration>,
}

impl Core {
    /// Bodies of the accepted messages, in order.
    pub fn accepted(&self) -> Vec<Value> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| body.clone())
            .collect()
    }

    /// Switch: answer every request with this HTTP status and body, checking nothing.
    pub fn force(&self, status: u16, body: &str) {
        *self.forced.lock().unwrap() = Some((status, body.into()));
    }

    /// Switch: answer "too fast" once `count` messages were accepted (0: at once).
    pub fn too_fast_after(&self, count: usize) {
        *self.too_fast_after.lock().unwrap() = Some(count);
    }

    /// Switch: wait this long before answering.
    pub fn delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    /// Run first by every handler: waits the delay, then gives the forced answer if any.
    pub async fn intercept(&self) -> Option<Response> {
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let forced = self.forced.lock().unwrap().clone();
        forced.map(|(status, body)| {
            (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, "text/plain")],
                body,
            )
                .into_response()
        })
    }

    /// Whether one more message would be over `per_minute` accepted in the last minute, or
    /// the switch says so.
    pub fn too_fast(&self, per_minute: usize) -> bool {
        let accepted = self.accepted.lock().unwrap();
        if let Some(after) = *self.too_fast_after.lock().unwrap()
            && accepted.len() >= after
        {
            return true;
        }
        let minute_ago = Instant::now().checked_sub(Duration::from_secs(60));
        let recent = accepted
            .iter()
            .filter(|(at, _)| minute_ago.is_none_or(|m| *at > m))
            .count();
        recent >= per_minute
    }

    /// Records an accepted message.
    pub fn accept(&self, body: Value) {
        self.accepted.lock().unwrap().push((Instant::now(), body));
    }
}
