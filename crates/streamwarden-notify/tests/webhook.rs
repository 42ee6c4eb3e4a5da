//! The webhook channel against a real HTTP receiver: method, headers, auth, the signature the
//! receiver verifies, and a custom body template.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;
use streamwarden_notify::channels::Channel;
use streamwarden_notify::channels::configured::{ChannelConfig, ConfiguredChannel};
use streamwarden_notify::channels::webhook::{WebhookConfig, WebhookMethod, signature};
use streamwarden_notify::templates::sample;
use streamwarden_testkit::WebhookReceiver;

fn channel(config: WebhookConfig, body: Option<&str>) -> ConfiguredChannel {
    let templates: BTreeMap<String, String> = body
        .map(|b| ("body".to_string(), b.to_string()))
        .into_iter()
        .collect();
    ConfiguredChannel::new(
        ChannelConfig::Webhook(config),
        &templates,
        Default::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn default_payload_is_posted_signed_with_headers_and_bearer_auth() {
    let receiver = WebhookReceiver::start().await;
    let mut config = WebhookConfig::new("hook", receiver.url().parse().unwrap());
    config.headers = [("X-Team".to_string(), "data".to_string())].into();
    config.bearer_token = Some("t0k".into());
    config.signing_secret = Some("shared".into());
    let event = sample::events().remove(0);
    channel(config, None)
        .send(&sample::alert_of(&event))
        .await
        .unwrap();
    let request = receiver.wait_for(1, Duration::from_secs(5)).await.remove(0);
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-team"), Some("data"));
    assert_eq!(request.header("authorization"), Some("Bearer t0k"));
    let expected = signature("shared", &request.body);
    assert_eq!(
        request.header("x-streamwarden-signature"),
        Some(expected.as_str())
    );
    assert_ne!(
        signature("other", &request.body),
        expected,
        "a receiver with the wrong secret would refuse it"
    );
    let body = request.json().unwrap();
    assert_eq!(body["event_id"], event.event_id.as_str());
    assert_eq!(body["job"]["state"], "FAILED");
}

#[tokio::test]
async fn put_with_basic_auth_and_a_custom_body_template() {
    let receiver = WebhookReceiver::start().await;
    let mut config = WebhookConfig::new("hook", receiver.url().parse().unwrap());
    config.method = WebhookMethod::Put;
    config.basic_user = Some("ops".into());
    config.basic_password = Some("pw".into());
    config.content_type = "application/vnd.alert+json".into();
    let template = r#"{"text": {% if job %}{{ job.name ~ " is " ~ job.state }}{% else %}{{ summary }}{% endif %}, "sev": {{ severity }}}"#;
    let mut event = sample::events().remove(0);
    if let Some(job) = event.job.as_mut() {
        job.name = "quote\" back\\slash\nnewline".into();
    }
    channel(config, Some(template))
        .send(&sample::alert_of(&event))
        .await
        .unwrap();
    let request = receiver.wait_for(1, Duration::from_secs(5)).await.remove(0);
    assert_eq!(request.method, "PUT");
    assert_eq!(request.header("authorization"), Some("Basic b3BzOnB3"));
    assert_eq!(
        request.header("content-type"),
        Some("application/vnd.alert+json")
    );
    let body = request
        .json()
        .expect("still valid JSON with a hostile job name");
    assert_eq!(body["text"], "quote\" back\\slash\nnewline is FAILED");
    assert_eq!(body["sev"], "critical");
}

#[tokio::test]
async fn a_refusal_is_reported_with_the_receivers_status_and_body() {
    let receiver = WebhookReceiver::start().await;
    receiver.answer(422);
    let config = WebhookConfig::new("hook", receiver.url().parse().unwrap());
    let error = channel(config, None)
        .send(&sample::alert_of(&sample::events()[0]))
        .await
        .unwrap_err();
    assert!(error.0.contains("HTTP 422"), "{error}");
}
