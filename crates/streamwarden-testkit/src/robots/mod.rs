//! Fake chat robots: DingTalk custom robots, WeCom group robots and Feishu/Lark custom bots.
//!
//! Each fake implements its platform's documented checks — the credential in the URL, the
//! signature recomputed from the secret it was given with the official algorithm, timestamp
//! skew, body size limit, rate limit — and answers with the platform's real error codes, so a
//! request a fake accepts would be accepted by the platform. Every fake is a [`FakeRobot`],
//! which dereferences to its [`RobotCore`]: the messages it accepted and the switches that make
//! it misbehave.

pub mod dingtalk;
pub mod lark;
pub mod wecom;

use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fake robot of platform `P` ([`dingtalk::DingTalk`], [`wecom::WeCom`], [`lark::Lark`]) on
/// 127.0.0.1; clones share it. Dereferences to its [`RobotCore`] (accepted messages,
/// switches). Each platform adds `start` and `webhook_url`.
#[derive(Debug)]
pub struct FakeRobot<P> {
    core: Arc<RobotCore>,
    base_url: String,
    platform: PhantomData<P>,
}

impl<P> FakeRobot<P> {
    /// Serves `handler` on `route` (POST) with a fresh core requiring signatures made with
    /// `secret`.
    async fn serve<H, T>(route: &str, handler: H, secret: Option<&str>) -> FakeRobot<P>
    where
        H: Handler<T, Arc<RobotCore>>,
        T: 'static,
    {
        let core = Arc::new(RobotCore {
            secret: secret.map(String::from),
            ..RobotCore::default()
        });
        let app = Router::new()
            .route(route, post(handler))
            .with_state(core.clone());
        FakeRobot {
            core,
            base_url: crate::serve(app).await,
            platform: PhantomData,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl<P> Clone for FakeRobot<P> {
    fn clone(&self) -> FakeRobot<P> {
        FakeRobot {
            core: self.core.clone(),
            base_url: self.base_url.clone(),
            platform: PhantomData,
        }
    }
}

impl<P> Deref for FakeRobot<P> {
    type Target = RobotCore;

    fn deref(&self) -> &RobotCore {
        &self.core
    }
}

/// What every fake robot shares: the messages it accepted, and the test's switches.
#[derive(Debug, Default)]
pub struct RobotCore {
    /// Accepted messages: when (monotonic, and epoch ms) and the JSON body.
    accepted: Mutex<Vec<(Instant, i64, Value)>>,
    forced: Mutex<Option<(u16, String)>>,
    too_fast_after: Mutex<Option<usize>>,
    delay: Mutex<Duration>,
    /// The signing secret the robot requires, if any.
    secret: Option<String>,
}

impl RobotCore {
    /// Bodies of the accepted messages, in order.
    pub fn accepted(&self) -> Vec<Value> {
        let accepted = self.accepted.lock().unwrap();
        accepted.iter().map(|(_, _, body)| body.clone()).collect()
    }

    /// The accepted messages with the time each was accepted (epoch milliseconds), in order.
    pub fn accepted_at_ms(&self) -> Vec<(i64, Value)> {
        let accepted = self.accepted.lock().unwrap();
        accepted
            .iter()
            .map(|(_, ms, body)| (*ms, body.clone()))
            .collect()
    }

    /// Waits (polling every 20 ms) until at least `count` messages were accepted; their bodies.
    /// Panics, naming what did arrive, when that takes longer than `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let accepted = self.accepted();
            if accepted.len() >= count {
                return accepted;
            }
            assert!(
                Instant::now() < deadline,
                "the fake robot accepted {} message(s) within {timeout:?}, not {count}: {accepted:?}",
                accepted.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Switch: answer every request with this HTTP status and body (as `text/plain`),
    /// checking nothing.
    pub fn force(&self, status: u16, body: &str) {
        *self.forced.lock().unwrap() = Some((status, body.into()));
    }

    /// Switch: answer the platform's "too fast" error once `count` messages were accepted
    /// (0: at once).
    pub fn too_fast_after(&self, count: usize) {
        *self.too_fast_after.lock().unwrap() = Some(count);
    }

    /// Switch: wait this long before answering each request.
    pub fn delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    /// Run first by every handler: waits the delay, then gives the forced answer if any.
    pub(crate) async fn intercept(&self) -> Option<Response> {
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
    pub(crate) fn too_fast(&self, per_minute: usize) -> bool {
        let accepted = self.accepted.lock().unwrap();
        if let Some(after) = *self.too_fast_after.lock().unwrap()
            && accepted.len() >= after
        {
            return true;
        }
        let minute_ago = Instant::now().checked_sub(Duration::from_secs(60));
        let recent = accepted
            .iter()
            .filter(|(at, _, _)| minute_ago.is_none_or(|m| *at > m))
            .count();
        recent >= per_minute
    }

    /// The signing secret the robot requires, if any.
    pub(crate) fn secret(&self) -> Option<&str> {
        self.secret.as_deref()
    }

    /// Records an accepted message.
    pub(crate) fn accept(&self, body: Value) {
        let now = (Instant::now(), chrono::Utc::now().timestamp_millis());
        self.accepted.lock().unwrap().push((now.0, now.1, body));
    }
}

/// DingTalk's and WeCom's answer, `{"errcode", "errmsg"}`, with HTTP 200.
pub(crate) fn errcode(errcode: i64, errmsg: &str) -> Response {
    axum::Json(json!({ "errcode": errcode, "errmsg": errmsg })).into_response()
}

/// Whether the request says it carries JSON.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// POSTs `body` as JSON to `url`; the JSON answer.
#[cfg(test)]
pub(crate) async fn post_json(url: impl reqwest::IntoUrl, body: &Value) -> Value {
    let response = reqwest::Client::new().post(url).json(body).send().await;
    response.unwrap().json().await.unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_counts_the_last_minute_and_the_switch_overrides_it() {
        let core = RobotCore::default();
        assert!(!core.too_fast(2));
        core.accept(json!(1));
        core.accept(json!(2));
        assert!(core.too_fast(2));
        assert!(!core.too_fast(3));
        core.too_fast_after(2);
        assert!(core.too_fast(3));
        assert_eq!(core.accepted(), [json!(1), json!(2)]);
        assert_eq!(core.accepted_at_ms().len(), 2);
    }

    #[tokio::test]
    async fn forced_answers_come_first_and_waiting_sees_late_messages() {
        let core = std::sync::Arc::new(RobotCore::default());
        core.force(502, "bad gateway");
        let forced = core.intercept().await.unwrap();
        assert_eq!(forced.status(), 502);
        let late = core.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            late.accept(json!({"late": true}));
        });
        let accepted = core.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(accepted, [json!({"late": true})]);
    }
}
