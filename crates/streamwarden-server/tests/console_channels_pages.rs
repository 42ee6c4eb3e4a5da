//! The console's channel pages over the real router and a real SQLite store: the form of a
//! kind is generated from its self-description (types, validators, required fields), a stored
//! secret never reaches the page, deliveries and stored events are shown, and a viewer sees
//! no admin control.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_core::Observation;
use streamwarden_core::access::Role;
use streamwarden_notify::templates::sample;
use streamwarden_store::{AlertingChanges, NewNotification, Store};
use streamwarden_store_sqlite::SqliteStore;

/// The console over a store with alice (admin) and vic (viewer), a file channel `from-file`
/// and a stored event.
struct Console {
    base: String,
    store: Arc<dyn Store>,
    admin: String,
    viewer: String,
    _dir: tempfile::TempDir,
}

impl Console {
    async fn start() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = SqliteStore::open(&dir.path().join("sw.db")).await.unwrap();
        let [admin, viewer] =
            support::users_with_tokens(&sqlite, [("alice", Role::Admin), ("vic", Role::Viewer)])
                .await;
        let store: Arc<dyn Store> = Arc::new(sqlite);
        let file = support::file_webhook("from-file", "http://127.0.0.1:9/x");
        let (base, _) =
            support::serve(dir.path(), store.clone(), vec![file], Default::default()).await;
        Console {
            base,
            store,
            admin,
            viewer,
            _dir: dir,
        }
    }

    /// `GET path` with `token`: the status and the page.
    async fn page(&self, path: &str, token: &str) -> (u16, String) {
        support::page(&self.base, path, token).await
    }

    /// An API call as alice.
    async fn api(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        support::api(&self.base, method.as_str(), path, Some(&self.admin), body).await
    }
}

/// The whole opening tag of the element whose attributes contain `marker`.
fn tag<'a>(page: &'a str, marker: &str) -> &'a str {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let start = page[..at].rfind('<').unwrap();
    let end = at + page[at..].find('>').unwrap();
    &page[start..=end]
}

#[tokio::test]
async fn a_kind_s_form_is_generated_from_its_description() {
    let console = Console::start().await;
    let (status, page) = console
        .page("/ui/channels/new?kind=dingtalk", &console.admin)
        .await;
    assert_eq!(status, 200, "{page}");
    let form = tag(&page, r#"id="channel-form""#);
    for attribute in [
        r#"data-api="POST /api/v1/channels""#,
        r#"data-field-prefix="config.""#,
        r#"data-then="go:/ui/channels/{name}""#,
    ] {
        assert!(form.contains(attribute), "{attribute} in {form}");
    }
    assert!(page.contains(r#"<input type="hidden" name="kind" value="dingtalk">"#));
    let url = tag(&page, r#"name="config.webhook_url""#);
    assert!(url.contains(r#"type="password""#), "a secret: {url}");
    assert!(url.contains(r#"data-validators="require url""#), "{url}");
    assert!(url.contains(" required"), "{url}");
    assert!(url.contains(r#"autocomplete="new-password""#), "{url}");
    let name = tag(&page, r#"name="config.name""#);
    assert!(
        name.contains(r#"data-validators="require identity""#) && name.contains(" required"),
        "{name}"
    );
    let secret = tag(&page, r#"name="config.secret""#);
    assert!(
        secret.contains(r#"type="password""#) && !secret.contains(" required"),
        "optional: {secret}"
    );
    let mobiles = tag(&page, r#"name="config.at_mobiles""#);
    assert!(
        mobiles.starts_with("<textarea")
            && mobiles.contains(r#"data-type="list""#)
            && mobiles.contains(r#"data-validators="integer""#),
        "{mobiles}"
    );
    assert!(tag(&page, r#"name="config.at_all""#).contains(r#"type="checkbox""#));
    let timeout = tag(&page, r#"name="config.timeout""#);
    assert!(
        timeout.contains(r#"type="text""#) && timeout.contains(r#"value="10s""#),
        "the default: {timeout}"
    );
    assert!(
        page.contains("<strong>Webhook</strong>"),
        "help is rendered from markdown"
    );
    assert!(page.contains(r#"<button type="submit" class="primary">Save</button>"#));
    // The template editor: one part per template of the kind, the preview, the events.
    for part in ["title", "body"] {
        assert!(
            page.contains(&format!(r#"name="templates.{part}""#)),
            "{part}"
        );
    }
    assert!(page.contains(r#"data-testid="preview""#));
    assert!(tag(&page, r#"name="event_id""#).starts_with("<select"));
    assert!(page.contains(r#"<script src="/ui/assets/channels.js" defer>"#));

    // The email kind: integer and enum fields.
    let (_, email) = console
        .page("/ui/channels/new?kind=email", &console.admin)
        .await;
    let port = tag(&email, r#"name="config.port""#);
    assert!(
        port.contains(r#"type="number""#) && port.contains(r#"data-type="int""#),
        "{port}"
    );
    let security = tag(&email, r#"name="config.security""#);
    assert!(security.starts_with("<select"), "{security}");
    assert!(email.contains(r#"<option value="starttls" selected>starttls</option>"#));
    let (status, _) = console
        .page("/ui/channels/new?kind=pigeon", &console.admin)
        .await;
    assert_eq!(status, 404, "an unknown kind");
    let (status, _) = console.page("/ui/channels/new", &console.admin).await;
    assert_eq!(status, 400, "no kind");
}

#[tokio::test]
async fn an_existing_channel_s_page_never_holds_its_secrets() {
    let console = Console::start().await;
    let (status, created) = console
        .api(
            reqwest::Method::POST,
            "/api/v1/channels",
            json!({"kind": "dingtalk", "config": {
                "name": "ding",
                "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t0ps3cr3t",
                "secret": "SECs3cr3tsign",
                "at_mobiles": ["13800000000", "13900000000"]
            }, "templates": {"title": "{{ summary }}!"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, page) = console.page("/ui/channels/ding", &console.admin).await;
    assert_eq!(status, 200, "{page}");
    for secret in ["t0ps3cr3t", "SECs3cr3tsign", "******"] {
        assert!(!page.contains(secret), "{secret} is in the page");
    }
    let url = tag(&page, r#"name="config.webhook_url""#);
    assert!(
        url.contains(r#"placeholder="unchanged (stored secret)""#)
            && url.contains(r#"value="""#)
            && !url.contains(" required"),
        "left empty, it keeps the stored secret: {url}"
    );
    assert!(tag(&page, r#"id="channel-form""#).contains(r#"data-api="PUT /api/v1/channels/ding""#));
    assert!(tag(&page, r#"name="config.name""#).contains(" readonly"));
    assert!(page.contains("13800000000\n13900000000</textarea>"));
    assert!(
        page.contains("{{ summary }}!</textarea>"),
        "the custom title"
    );
    assert!(page.contains(r#"data-testid="custom-title""#));
    let send = tag(&page, r#"data-testid="test-send""#);
    assert!(send.contains(r#"data-api="POST /api/v1/channels/ding/test""#));
    assert!(page.contains(r#"data-testid="test-result""#));
    assert!(page.contains(r#"data-api="DELETE /api/v1/channels/ding""#));

    // A viewer sees the same channel read-only, still without secrets.
    let (status, page) = console.page("/ui/channels/ding", &console.viewer).await;
    assert_eq!(status, 200);
    assert!(!page.contains("t0ps3cr3t") && !page.contains("SECs3cr3tsign"));
    assert!(!tag(&page, r#"id="channel-form""#).contains("data-api"));
    assert!(!page.contains(r#"data-testid="test-send""#));
    assert!(!page.contains("DELETE /api/v1/channels"));
    assert!(!page.contains(">Save</button>"));

    // A file channel is read-only even for an admin.
    let (_, page) = console.page("/ui/channels/from-file", &console.admin).await;
    assert!(page.contains(r#"data-testid="read-only""#));
    assert!(!tag(&page, r#"id="channel-form""#).contains("data-api"));
    assert!(page.contains(r#"data-testid="test-send""#), "but testable");
    let (status, _) = console.page("/ui/channels/nope", &console.admin).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_list_shows_deliveries_and_a_viewer_sees_no_admin_control() {
    let console = Console::start().await;
    let (status, _) = console
        .api(
            reqwest::Method::POST,
            "/api/v1/channels",
            json!({"kind": "webhook", "config": {"name": "hook", "url": "http://127.0.0.1:9/y"}}),
        )
        .await;
    assert_eq!(status, 201);
    let event = sample::events().remove(0);
    console
        .store
        .register_cluster(&event.cluster, &event.cluster_url)
        .await
        .unwrap();
    let changes = AlertingChanges {
        notifications: vec![NewNotification::of_event(&event, &["hook".to_string()])],
        ..AlertingChanges::default()
    };
    let observation = Observation {
        events: vec![event.clone()],
        ..Observation::default()
    };
    console
        .store
        .apply_observation(&event.cluster, &observation, &changes)
        .await
        .unwrap();

    let (status, page) = console.page("/ui/channels", &console.admin).await;
    assert_eq!(status, 200, "{page}");
    for channel in ["hook", "from-file"] {
        assert!(
            page.contains(&format!(r#"data-channel="{channel}""#)),
            "{channel}"
        );
    }
    assert_eq!(page.matches("data-new-kind=").count(), 5, "one per kind");
    assert!(page.contains(r#"href="/ui/channels/new?kind=dingtalk""#));
    assert!(tag(&page, r#"data-new-kind="dingtalk""#).starts_with("<a "));
    let row = support::row(&page, r#"data-channel="hook""#);
    assert!(row.contains(">pending</span>"), "{row}");

    let (status, page) = console.page("/ui/channels", &console.viewer).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"data-channel="hook""#));
    for admin_only in ["data-new-kind", "data-api", "class=\"danger"] {
        assert!(!page.contains(admin_only), "a viewer sees {admin_only}");
    }

    // The channel's page lists the delivery and offers the stored event for the preview.
    let (_, page) = console.page("/ui/channels/hook", &console.admin).await;
    assert!(page.contains(r#"id="deliveries""#));
    assert!(page.contains(&event.summary[..40]), "the delivery's event");
    assert!(page.contains(&format!(r#"<option value="{}" selected>"#, event.event_id)));
}
