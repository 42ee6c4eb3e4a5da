//! End to end against a real Flink 2.3 cluster: one job failure reaches all five channel kinds
//! at once — a real SMTP server, fake DingTalk, WeCom and Lark robots that check signatures
//! like the platforms, and a webhook receiver that checks the HMAC signature. Four channels
//! come from the configuration file, the Lark one is created with the CLI.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::Value;
use std::time::Duration;
use streamwarden_notify::channels::webhook::signature;
use streamwarden_testkit::smtp::{Mode, SmtpServer};
use streamwarden_testkit::{FakeDingTalk, FakeLark, FakeWeCom, WebhookReceiver};
use support::warden::Warden;
use support::{flink_url, submit_demo, unique, wait_for};

const LONG: Duration = Duration::from_secs(90);

/// The first accepted robot message that mentions `needle`.
fn mentioning(messages: Vec<Value>, needle: &str) -> Option<Value> {
    messages
        .into_iter()
        .find(|m| m.to_string().contains(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_job_failure_reaches_all_five_channel_kinds() {
    let smtp = tokio::task::spawn_blocking(|| SmtpServer::start(Mode::Plain, None))
        .await
        .unwrap();
    let ding = FakeDingTalk::start(Some("SECe2e")).await;
    let wecom = FakeWeCom::start().await;
    let lark = FakeLark::start(Some("lark-secret")).await;
    let hook = WebhookReceiver::start().await;
    let name = unique("e2e-five");
    let warden = Warden::start(&format!(
        r#"
[labels]
environment = "e2e"

[[clusters]]
name = "e2e"
url = "{flink}"

[[channels]]
name = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "streamwarden@example.com"
to = ["oncall@example.com"]
cc = ["lead@example.com"]

[[channels]]
name = "ding"
kind = "dingtalk"
webhook_url = "{ding_url}"
secret = "SECe2e"
at_mobiles = ["13800000001"]

[[channels]]
name = "wecom"
kind = "wecom"
webhook_url = "{wecom_url}"
mentioned_userids = ["zhangsan"]

[[channels]]
name = "hook"
kind = "webhook"
url = "{hook_url}"
method = "PUT"
signing_secret = "shared"
headers = {{ "X-Team" = "data" }}

# Only this test's job: other tests fail jobs on the same cluster at the same time.
[[routes]]
name = "five"
jobs = ["{name}"]
channels = ["mail", "ding", "wecom", "hook"]
"#,
        flink = flink_url(),
        name = name,
        smtp_port = smtp.port,
        ding_url = ding.webhook_url(),
        wecom_url = wecom.webhook_url(),
        hook_url = hook.url(),
    ))
    .await;

    // The fifth channel is created through the CLI, then test-sent.
    let lark_file = warden.dir.join("lark.toml");
    std::fs::write(
        &lark_file,
        format!(
            "name = \"lark\"\nwebhook_url = \"{}\"\nsecret = \"lark-secret\"\n\n[templates]\ntitle = \"{{% if job %}}{{{{ job.name }}}} is {{{{ job.state }}}}{{% else %}}{{{{ summary }}}}{{% endif %}}\"\n",
            lark.webhook_url()
        ),
    )
    .unwrap();
    let created = warden.cli(&[
        "channels",
        "create",
        "lark",
        "--file",
        lark_file.to_str().unwrap(),
    ]);
    assert!(created.contains("created lark channel lark"), "{created}");
    let tested = warden.cli(&["channels", "test", "lark"]);
    assert!(tested.contains("accepted"), "{tested}");
    let listed = warden.cli(&["channels", "list"]);
    for channel in ["mail", "ding", "wecom", "hook", "lark"] {
        assert!(listed.contains(channel), "{listed}");
    }
    // Lark hears of the job through a user's subscription, made through the API.
    let subscribed = reqwest::Client::new()
        .post(format!("{}/api/v1/subscriptions", warden.api))
        .json(&serde_json::json!({"user": "alice", "job": name, "channels": ["lark"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        subscribed.status().as_u16(),
        201,
        "{}",
        subscribed.text().await.unwrap_or_default()
    );

    let jid = submit_demo(
        &flink_url(),
        &["--mode", "fail", "--after-ms", "3000", "--name", &name],
    )
    .await;

    // Webhook: PUT, the configured header, a signature the receiver can verify, the payload.
    let request = wait_for("the webhook alert", LONG, || async {
        hook.requests().into_iter().find(|r| {
            r.accepted()
                && r.json().is_some_and(|b| {
                    b["job"]["id"] == jid.as_str() && b["job"]["state"] == "FAILED"
                })
        })
    })
    .await;
    assert_eq!(request.method, "PUT");
    assert_eq!(request.header("x-team"), Some("data"));
    assert_eq!(
        request.header("x-streamwarden-signature"),
        Some(signature("shared", &request.body).as_str())
    );
    let payload = request.json().unwrap();
    assert_eq!(payload["job"]["name"], name.as_str());
    assert!(
        payload["exception"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("demo failure after 3000 ms")
    );

    // DingTalk: signed, markdown, the @mobile in the text.
    let message = wait_for("the DingTalk alert", LONG, || async {
        mentioning(ding.accepted(), &name)
    })
    .await;
    assert_eq!(message["msgtype"], "markdown");
    let text = message["markdown"]["text"].as_str().unwrap();
    assert!(
        text.contains("FAILED") && text.contains("demo failure after 3000 ms"),
        "{text}"
    );
    assert!(text.contains("@13800000001"), "{text}");
    assert_eq!(message["at"]["atMobiles"][0], "13800000001");
    assert!(
        message["markdown"]["title"]
            .as_str()
            .unwrap()
            .contains("[e2e]"),
        "{message}"
    );

    // WeCom: markdown with the user mention.
    let message = wait_for("the WeCom alert", LONG, || async {
        mentioning(wecom.accepted(), &name)
    })
    .await;
    let content = message["markdown"]["content"].as_str().unwrap();
    assert!(
        content.contains("FAILED") && content.contains("<@zhangsan>"),
        "{content}"
    );

    // Lark: a signed interactive card, its title from the CLI-created template.
    let card = wait_for("the Lark alert", LONG, || async {
        lark.accepted().into_iter().find(|m| {
            m["card"]["header"]["title"]["content"].as_str() == Some(&format!("{name} is FAILED"))
        })
    })
    .await;
    assert_eq!(card["msg_type"], "interactive");
    assert!(
        card["card"]
            .to_string()
            .contains("demo failure after 3000 ms"),
        "{card}"
    );
    assert!(card["sign"].is_string(), "signed: {card}");

    // Email: subject, recipients, both parts.
    let mail = wait_for("the email", LONG, || async {
        (1..=smtp.count())
            .map(|n| smtp.message(n))
            .find(|m| m.subject.contains(&name))
    })
    .await;
    assert!(
        mail.subject.contains("[e2e] [CRITICAL]") && mail.subject.contains("FAILED"),
        "{}",
        mail.subject
    );
    assert_eq!(mail.rcpt_tos.len(), 2, "to and cc: {:?}", mail.rcpt_tos);
    let text = mail.text.clone().unwrap_or_default();
    let html = mail.html.clone().unwrap_or_default();
    assert!(
        text.contains(&jid) && text.contains("demo failure after 3000 ms"),
        "{text}"
    );
    assert!(html.contains(&name) && html.contains("<table"), "{html}");
}
