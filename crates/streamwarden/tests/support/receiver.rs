//! A real HTTP receiver for webhook deliveries, that can be told to refuse them.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// One request the receiver got, with the status it answered.
#[derive(Debug, Clone)]
pub struct Received {
    /// The JSON body.
    pub body: Value,
    /// The status answered.
    pub status: u16,
    /// When it arrived, epoch ms.
    pub at_ms: i64,
}

/// The receiver; clones share its state.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<AtomicU16>,
}

impl Receiver {
    /// Starts a receiver on a free local port, answering 200.
    pub async fn start() -> Receiver {
        Receiver::start_on("127.0.0.1:0").await
    }

    /// Starts a receiver on `addr`.
    pub async fn start_on(addr: &str) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Receiver {
            url,
            received: Arc::default(),
            answer: Arc::new(AtomicU16::new(200)),
        };
        async fn hook(State(r): State<Receiver>, body: axum::Json<Value>) -> StatusCode {
            let status = r.answer.load(Ordering::SeqCst);
            r.received.lock().unwrap().push(Received {
                body: body.0,
                status,
                at_ms: streamwarden_core::clock::now_ms(),
            });
            StatusCode::from_u16(status).unwrap()
        }
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    /// From now on answer `status` to every request.
    pub fn answer(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }

    /// Bodies this receiver accepted (answered 2xx), in arrival order.
    pub fn accepted(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .map(|r| r.body.clone())
            .collect()
    }

    /// Every request received, accepted or not.
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Accepted alerts about job `jid` of `kind` (and, if given, reaching `state`).
    pub fn alerts_for(&self, jid: &str, kind: &str, state: Option<&str>) -> Vec<Value> {
        self.accepted()
            .into_iter()
            .filter(|b| b["job"]["id"] == jid && b["kind"] == kind)
            .filter(|b| state.is_none_or(|s| b["job"]["state"] == s))
            .collect()
    }

    /// Accepted alerts of `kind` about cluster `cluster`.
    pub fn cluster_alerts(&self, cluster: &str, kind: &str) -> Vec<Value> {
        self.accepted()
            .into_iter()
            .filter(|b| b["cluster"]["name"] == cluster && b["kind"] == kind)
            .collect()
    }
}
