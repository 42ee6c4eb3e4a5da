//! The console's routes, silences, alerts and audit pages over the real router and a real
//! SQLite store: what is created through the API shows up, each role sees only the controls
//! it may use, and the audit log is for admins only.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use streamwarden_core::{JobSnapshot, JobState, Observation};
use streamwarden_store::{AlertingChanges, NewNotification, Store};
use streamwarden_store_sqlite::SqliteStore;
use support::row;

/// The console over a store with alice (admin), olga (operator) and vic (viewer), a file
/// channel `hook` and a file route `from-file`.
struct Console {
    base: String,
    store: Arc<dyn Store>,
    tokens: [String; 3],
    _dir: tempfile::TempDir,
}

const ADMIN: usize = 0;
const OPERATOR: usize = 1;
const VIEWER: usize = 2;

impl Console {
    async fn start() -> Console {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = SqliteStore::open(&dir.path().join("sw.db")).await.unwrap();
        let tokens = support::users_with_tokens(&sqlite, support::ALICE_OLGA_VIC).await;
        let store: Arc<dyn Store> = Arc::new(sqlite);
        let hook = support::file_webhook("hook", "http://127.0.0.1:9/x");
        let config = support::from_file_route_to_hook();
        let (base, _) = support::serve(dir.path(), store.clone(), vec![hook], config).await;
        Console {
            base,
            store,
            tokens,
            _dir: dir,
        }
    }

    /// `GET path` as user `who`: the status and the page (with `/` and `"` unescaped, as a
    /// browser shows them).
    async fn page(&self, path: &str, who: usize) -> (u16, String) {
        let (status, page) = support::page(&self.base, path, &self.tokens[who]).await;
        (status, page.replace("&#x2f;", "/").replace("&quot;", "\""))
    }

    /// An API call as user `who`.
    async fn api(&self, method: reqwest::Method, path: &str, who: usize, body: Value) -> Value {
        let token = Some(self.tokens[who].as_str());
        let (status, answer) = support::api(&self.base, method.as_str(), path, token, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
        answer
    }
}

#[tokio::test]
async fn routes_and_subscriptions_are_listed_in_order_with_admin_controls_for_admins() {
    let console = Console::start().await;
    console
        .api(
            reqwest::Method::POST,
            "/api/v1/routes",
            ADMIN,
            json!({"name": "orders", "jobs": ["orders-*"], "min_severity": "major", "channels": ["hook"], "repeat_interval": "4h"}),
        )
        .await;
    console
        .api(
            reqwest::Method::POST,
            "/api/v1/subscriptions",
            OPERATOR,
            json!({"user": "olga", "tag": "team-a", "channels": ["hook"]}),
        )
        .await;
    let (status, page) = console.page("/ui/routes", ADMIN).await;
    assert_eq!(status, 200, "{page}");
    let order: Vec<usize> = [
        r#"data-route="subscription:olga:team-a""#,
        r#"data-route="from-file""#,
        r#"data-route="orders""#,
    ]
    .iter()
    .map(|m| page.find(m).unwrap_or_else(|| panic!("{m}")))
    .collect();
    assert!(order.is_sorted(), "evaluation order: {order:?}");
    let subscription = row(&page, r#"data-route="subscription:olga:team-a""#);
    assert!(subscription.contains(r#"<td data-testid="owner">olga</td>"#));
    assert!(
        subscription.contains(r#"data-api="DELETE /api/v1/routes/subscription%3Aolga%3Ateam-a""#)
    );
    let orders = row(&page, r#"data-route="orders""#);
    assert!(orders.contains("orders-*") && orders.contains("major"));
    assert!(orders.contains("repeats every 4 h"), "{orders}");
    assert!(orders.contains(r#"data-api="DELETE /api/v1/routes/orders""#));
    assert!(
        !row(&page, r#"data-route="from-file""#).contains("data-api"),
        "a file route is read-only"
    );
    assert!(page.contains(r#"id="route-form""#));
    assert!(page.contains(r#"data-api="POST /api/v1/routes""#));

    let (status, page) = console.page("/ui/routes", VIEWER).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"data-route="orders""#));
    assert!(!page.contains("data-api") && !page.contains(r#"id="route-form""#));
}

#[tokio::test]
async fn a_silence_created_through_the_api_is_listed_and_operators_may_expire_it() {
    let console = Console::start().await;
    let silence = console
        .api(
            reqwest::Method::POST,
            "/api/v1/silences",
            OPERATOR,
            json!({"matchers": {"jobs": ["orders-*"], "clusters": ["prod"]}, "duration": "2h", "comment": "kafka upgrade"}),
        )
        .await;
    let id = silence["id"].as_str().unwrap();
    let (status, page) = console.page("/ui/silences", OPERATOR).await;
    assert_eq!(status, 200, "{page}");
    let line = row(&page, &format!(r#"data-silence="{id}""#));
    for shown in [
        "orders-*",
        "prod",
        r#"<td data-testid="author">olga</td>"#,
        r#"<td data-testid="comment">kafka upgrade</td>"#,
        ">active</span>",
    ] {
        assert!(line.contains(shown), "{shown} in {line}");
    }
    assert!(line.contains(&format!(r#"data-api="DELETE /api/v1/silences/{id}""#)));
    assert!(line.contains("data-confirm="));
    let form = &page[page.find(r#"<form id="silence-form""#).unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    for input in [
        r#"name="matchers.jobs" data-type="list""#,
        r#"name="matchers.clusters" data-type="list""#,
        r#"name="matchers.kinds" data-type="list""#,
        r#"name="matchers.max_severity""#,
        r#"name="duration" required"#,
        r#"name="comment" required"#,
        r#"data-api="POST /api/v1/silences" data-then="reload""#,
    ] {
        assert!(form.contains(input), "{input}");
    }
    assert!(!form.contains(r#"name="author""#), "the token says who");

    let (status, page) = console.page("/ui/silences", VIEWER).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!(r#"data-silence="{id}""#)));
    assert!(!page.contains("silence-form") && !page.contains("data-api"));

    console
        .api(
            reqwest::Method::DELETE,
            &format!("/api/v1/silences/{id}"),
            OPERATOR,
            json!(null),
        )
        .await;
    let (_, page) = console.page("/ui/silences", VIEWER).await;
    assert!(
        !page.contains(&format!(r#"data-silence="{id}""#)),
        "expired"
    );
}

/// A firing alert about job `orders` on `prod` with one delivery to `hook`.
async fn store_alert(store: &dyn Store) {
    store
        .register_cluster("prod", "http://flink")
        .await
        .unwrap();
    let event = streamwarden_notify::templates::sample::events().remove(0);
    let alert = support::firing_alert(
        "al-1",
        "job/prod/orders/down",
        "prod",
        "orders",
        &event.event_id,
        1_000,
    );
    let mut notification = NewNotification::of_event(&event, &["hook".to_string()]);
    notification.notification.notice = streamwarden_core::noise::Notice::Alert {
        alert_id: "al-1".into(),
        event_id: event.event_id.clone(),
    };
    let changes = AlertingChanges {
        alerts: vec![alert],
        notifications: vec![notification],
        ..AlertingChanges::default()
    };
    let observation = Observation {
        events: vec![event],
        ..Observation::default()
    };
    store
        .apply_observation("prod", &observation, &changes)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_alert_history_shows_alerts_with_deliveries_filters_and_acknowledgement() {
    let console = Console::start().await;
    store_alert(console.store.as_ref()).await;
    let (status, page) = console.page("/ui/alerts", OPERATOR).await;
    assert_eq!(status, 200, "{page}");
    let line = row(&page, r#"data-alert="al-1""#);
    for shown in [
        r#"<b data-testid="job">orders</b>"#,
        "job_state_changed",
        r#"data-testid="severity">critical<"#,
        r#"data-testid="state">firing<"#,
        r#"data-delivery-channel="hook""#,
        ">pending</span>",
        r#"data-api="POST /api/v1/alerts/al-1/ack""#,
        r#"data-body='{"by": "olga"}'"#,
    ] {
        assert!(line.contains(shown), "{shown} in {line}");
    }
    let (_, page) = console.page("/ui/alerts", VIEWER).await;
    assert!(page.contains(r#"data-alert="al-1""#));
    assert!(!page.contains("data-api"), "a viewer cannot acknowledge");

    for (query, listed) in [
        (
            "?state=firing&severity=critical&cluster=prod&job=orders",
            true,
        ),
        ("?state=resolved", false),
        ("?severity=info", false),
        ("?job=payments", false),
        ("?state=&severity=&job=&cluster=", true),
    ] {
        let (status, page) = console.page(&format!("/ui/alerts{query}"), VIEWER).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(page.contains(r#"data-alert="al-1""#), listed, "{query}");
    }
    let (status, page) = console.page("/ui/alerts?severity=loud", VIEWER).await;
    assert_eq!(status, 400);
    assert!(
        page.contains(r#"severity: "loud" is not critical"#),
        "{page}"
    );

    console
        .api(
            reqwest::Method::POST,
            "/api/v1/alerts/al-1/ack",
            OPERATOR,
            json!({}),
        )
        .await;
    let (_, page) = console.page("/ui/alerts", OPERATOR).await;
    let line = row(&page, r#"data-alert="al-1""#);
    assert!(line.contains("acknowledged by <b>olga</b>"), "{line}");
    assert!(!line.contains("/ack"), "acknowledged once");
}

#[tokio::test]
async fn the_audit_log_lists_changes_for_admins_only() {
    let console = Console::start().await;
    console
        .api(
            reqwest::Method::POST,
            "/api/v1/silences",
            OPERATOR,
            json!({"matchers": {"jobs": ["orders"]}, "duration": "1h", "comment": "deploy <b>now</b>"}),
        )
        .await;
    let (status, page) = console.page("/ui/audit", ADMIN).await;
    assert_eq!(status, 200, "{page}");
    let line = row(&page, "data-audit=");
    for shown in [
        r#"<td data-testid="actor">olga</td>"#,
        "POST /api/v1/silences",
        r#"data-testid="status">201<"#,
        "<details",
        "deploy &lt;b&gt;now&lt;/b&gt;",
    ] {
        assert!(line.contains(shown), "{shown} in {line}");
    }
    assert!(page.contains(r#"<form class="filters" method="get" action="/ui/audit""#));
    for (query, listed) in [
        ("?actor=olga&action=silences&ok=true", true),
        ("?actor=vic", false),
        ("?ok=false", false),
        ("?target=apps", false),
    ] {
        let (status, page) = console.page(&format!("/ui/audit{query}"), ADMIN).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(page.contains("data-audit="), listed, "{query}");
    }
    for who in [OPERATOR, VIEWER] {
        let (status, page) = console.page("/ui/audit", who).await;
        assert_eq!(status, 403, "{page}");
        assert!(page.contains("needs the admin role"));
    }
}

fn snapshot(jid: &str, name: &str, state: JobState, start_ms: i64) -> JobSnapshot {
    JobSnapshot {
        jid: jid.into(),
        name: name.into(),
        state,
        start_time_ms: Some(start_ms),
        end_time_ms: None,
        duration_ms: Some(4_000),
        last_modification_ms: Some(start_ms + 10),
        restarts: Some(0),
        first_seen_ms: start_ms,
        last_seen_ms: start_ms + 20,
        url: format!("http://flink/#/job/running/{jid}/overview"),
    }
}

#[tokio::test]
async fn the_overview_counts_jobs_per_state_and_cluster_and_lists_the_latest_alerts() {
    let console = Console::start().await;
    store_alert(console.store.as_ref()).await;
    let observation = Observation {
        upserts: vec![
            snapshot("j1", "orders", JobState::Failed, 1_000),
            snapshot("j2", "payments", JobState::Running, 2_000),
            snapshot("j3", "clicks", JobState::Running, 3_000),
        ],
        ..Observation::default()
    };
    console
        .store
        .apply_observation("prod", &observation, &AlertingChanges::default())
        .await
        .unwrap();
    let (status, page) = console.page("/ui/", VIEWER).await;
    assert_eq!(status, 200, "{page}");
    let count = |testid: &str| {
        let at = page.find(&format!(r#"data-testid="{testid}""#)).unwrap();
        let rest = &page[at..];
        let number = &rest[rest.find(r#"class="count">"#).unwrap() + 14..];
        number[..number.find('<').unwrap()].to_string()
    };
    assert_eq!(count("count-total"), "3");
    assert_eq!(count("count-RUNNING"), "2");
    assert_eq!(count("count-FAILED"), "1");
    let cluster = row(&page, r#"data-cluster="prod""#);
    assert!(
        cluster.contains("2 RUNNING") && cluster.contains("1 FAILED"),
        "{cluster}"
    );
    assert!(row(&page, r#"data-alert="al-1""#).contains("<b>orders</b>"));
    let newest = page.find(r#"data-job="clicks""#).unwrap();
    assert!(
        newest < page.find(r#"data-job="orders""#).unwrap(),
        "most recently changed first"
    );
    assert!(
        page.contains(r#"hx-trigger="every 2000ms""#),
        "the counts refresh live"
    );

    for (query, shown) in [
        ("?state=RUNNING", vec!["clicks", "payments"]),
        ("?name=PAY", vec!["payments"]),
        ("?cluster=prod&state=FAILED", vec!["orders"]),
        ("?cluster=elsewhere", vec![]),
    ] {
        let (status, page) = console.page(&format!("/ui/jobs{query}"), VIEWER).await;
        assert_eq!(status, 200, "{query}");
        let listed: Vec<&str> = ["clicks", "orders", "payments"]
            .into_iter()
            .filter(|name| page.contains(&format!(r#"data-job="{name}""#)))
            .collect();
        assert_eq!(listed, shown, "{query}");
    }
}
