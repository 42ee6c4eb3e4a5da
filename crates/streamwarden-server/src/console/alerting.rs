//! Routes, subscriptions, silences, alert history and the audit log pages. Each reads the
//! alerting manager or the store; changes go through the API from `console.js`.

use super::{ConsoleError, Viewer, given, serde};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use streamwarden_core::access::Role;
use streamwarden_core::clock::now_ms;
use streamwarden_core::noise::SilenceMatchers;
use streamwarden_core::routing::{Recipients, Route};
use streamwarden_core::{EventKind, Severity};
use streamwarden_notify::alerting::{RouteSource, RouteView};
use streamwarden_store::{AlertFilter, AlertStatus, AuditFilter};

/// The templates of these pages, embedded.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "routes.html",
        include_str!("../../console/templates/routes.html"),
    ),
    (
        "silences.html",
        include_str!("../../console/templates/silences.html"),
    ),
    (
        "alerts.html",
        include_str!("../../console/templates/alerts.html"),
    ),
    (
        "audit.html",
        include_str!("../../console/templates/audit.html"),
    ),
    (
        "al_matchers.html",
        include_str!("../../console/templates/al_matchers.html"),
    ),
];

/// The static files of these pages, embedded: `(file name, content type, content)`.
pub(super) const ASSETS: &[(&str, &str, &str)] = &[];

/// Alerts and audit entries shown at most.
const LIST_LIMIT: u32 = 200;

/// Severities, most severe first.
const SEVERITIES: [&str; 5] = ["critical", "major", "minor", "warning", "info"];

/// `GET /ui/routes`, `/ui/silences`, `/ui/alerts` and `/ui/audit`.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/routes", get(routes_page))
        .route("/ui/silences", get(silences))
        .route("/ui/alerts", get(alerts))
        .route("/ui/audit", get(audit))
}

/// `value` as one URL path segment (route names may hold `:`, `/` or spaces).
fn path_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a route or a silence matches, as `(what, value)` pairs for the page.
type Matchers = Vec<(&'static str, String)>;

/// The matchers of a silence.
fn silence_matchers(m: &SilenceMatchers) -> Matchers {
    let mut out: Matchers = Vec::new();
    out.extend(m.clusters.iter().map(|c| ("cluster", c.clone())));
    out.extend(m.jobs.iter().map(|j| ("job", j.as_str().to_string())));
    out.extend(m.kinds.iter().map(|k| ("kind", k.as_str().to_string())));
    out.extend(
        m.max_severity
            .map(|s| ("severity ≤", s.as_str().to_string())),
    );
    out
}

/// Who a route's channels address.
fn recipients(r: &Recipients) -> Matchers {
    let mut out: Matchers = Vec::new();
    out.extend(r.emails.iter().map(|e| ("email", e.clone())));
    out.extend(r.mobiles.iter().map(|m| ("mobile", m.clone())));
    out.extend(r.user_ids.iter().map(|u| ("user id", u.clone())));
    out
}

/// A route as the routes page shows it.
#[derive(Debug, Serialize)]
struct RouteLine {
    /// Place in the evaluation order, from 1.
    position: usize,
    name: String,
    /// The name as a URL path segment.
    path: String,
    /// `file` or `api`.
    source: &'static str,
    subscription: bool,
    owner: Option<String>,
    matchers: Matchers,
    channels: Vec<String>,
    recipients: Matchers,
    continues: bool,
    severity: Vec<(String, String)>,
    group_interval_ms: Option<i64>,
    repeat_interval_ms: Option<i64>,
    group_webhooks: bool,
}

fn millis(d: Option<Duration>) -> Option<i64> {
    d.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl RouteLine {
    fn new(position: usize, route: Route, source: RouteSource, subscription: bool) -> Self {
        let mut matchers: Matchers = Vec::new();
        matchers.extend(route.clusters.iter().map(|c| ("cluster", c.clone())));
        matchers.extend(route.jobs.iter().map(|j| ("job", j.as_str().to_string())));
        matchers.extend(route.tags.iter().map(|t| ("tag", t.clone())));
        matchers.extend(route.kinds.iter().map(|k| ("kind", k.as_str().to_string())));
        matchers.extend(
            route
                .min_severity
                .map(|s| ("severity ≥", s.as_str().to_string())),
        );
        RouteLine {
            position,
            path: path_segment(&route.name),
            source: match source {
                RouteSource::File => "file",
                RouteSource::Api => "api",
            },
            subscription,
            matchers,
            recipients: recipients(&route.recipients),
            severity: route
                .severity
                .iter()
                .map(|(k, s)| (k.clone(), s.as_str().to_string()))
                .collect(),
            group_interval_ms: millis(route.group_interval),
            repeat_interval_ms: millis(route.repeat_interval),
            continues: route.continue_matching,
            group_webhooks: route.group_webhooks,
            name: route.name,
            owner: route.owner,
            channels: route.channels,
        }
    }
}

/// `GET /ui/routes`: subscriptions, then routes, in the order they are tried, with their
/// matchers and targets; what no route takes; for admins, a form to add a route.
async fn routes_page(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Html<String>, ConsoleError> {
    let lines: Vec<RouteLine> = state
        .alerting
        .list_routes()
        .into_iter()
        .enumerate()
        .map(
            |(
                i,
                RouteView {
                    route,
                    source,
                    subscription,
                },
            )| { RouteLine::new(i + 1, route, source, subscription) },
        )
        .collect();
    let (subscriptions, routes): (Vec<&RouteLine>, Vec<&RouteLine>) =
        lines.iter().partition(|r| r.subscription);
    let fallback = state
        .alerting
        .routing()
        .default
        .map(|r| RouteLine::new(0, r, RouteSource::File, false));
    let channels = state.channels.names().await;
    viewer.render(
        "routes.html",
        "routes",
        context! {
            subscriptions => serde(&subscriptions),
            routes => serde(&routes),
            fallback => serde(&fallback),
            channels => channels,
            kinds => EventKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            severities => SEVERITIES,
        },
    )
}

/// A silence as the silences page shows it.
#[derive(Debug, Serialize)]
struct SilenceLine {
    id: String,
    matchers: Matchers,
    author: String,
    comment: String,
    starts_ms: i64,
    ends_ms: i64,
    created_ms: i64,
    /// In force now (else it is still to come).
    active: bool,
}

/// `GET /ui/silences`: the silences in force and to come; for operators, a form to add one and
/// a button to expire each.
async fn silences(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Html<String>, ConsoleError> {
    let now = now_ms();
    let lines: Vec<SilenceLine> = state
        .store
        .list_silences(false, now)
        .await?
        .into_iter()
        .map(|s| SilenceLine {
            matchers: silence_matchers(&s.silence.matchers),
            active: s.silence.is_active(now),
            id: s.silence.id,
            author: s.silence.author,
            comment: s.silence.comment,
            starts_ms: s.silence.starts_ms,
            ends_ms: s.silence.ends_ms,
            created_ms: s.created_ms,
        })
        .collect();
    let clusters: Vec<String> = state
        .store
        .list_clusters()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    viewer.render(
        "silences.html",
        "silences",
        context! {
            silences => serde(&lines),
            clusters => clusters,
            kinds => EventKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            severities => SEVERITIES,
        },
    )
}

/// Filters of `GET /ui/alerts` (each empty = any).
#[derive(Debug, Default, Deserialize)]
struct AlertsQuery {
    state: Option<String>,
    severity: Option<String>,
    job: Option<String>,
    cluster: Option<String>,
}

/// `GET /ui/alerts?state=&severity=&job=&cluster=`: the alert history, newest first, with who
/// acknowledged or silenced each alert and its deliveries; for operators, an Acknowledge button.
async fn alerts(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AlertsQuery>,
) -> Result<Html<String>, ConsoleError> {
    let (status, severity, job, cluster) = (
        given(q.state),
        given(q.severity),
        given(q.job),
        given(q.cluster),
    );
    let filter = AlertFilter {
        status: status
            .as_deref()
            .map(|s| {
                AlertStatus::parse(s).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "state: {s:?} is not firing, resolved, acknowledged or silenced"
                    ))
                })
            })
            .transpose()?,
        severity: severity
            .as_deref()
            .map(|s| {
                serde_json::from_value::<Severity>(serde_json::Value::String(s.into())).map_err(
                    |_| {
                        ApiError::BadRequest(format!(
                            "severity: {s:?} is not critical, major, minor, warning or info"
                        ))
                    },
                )
            })
            .transpose()?,
        job: job.clone(),
        cluster: cluster.clone(),
        limit: LIST_LIMIT,
        ..AlertFilter::default()
    };
    let records = state.store.list_alerts(&filter).await?;
    let clusters: Vec<String> = state
        .store
        .list_clusters()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let mut jobs: Vec<String> = state
        .store
        .list_jobs(None)
        .await?
        .into_iter()
        .map(|j| j.job.name)
        .collect();
    jobs.sort();
    jobs.dedup();
    viewer.render(
        "alerts.html",
        "alerts",
        context! {
            alerts => serde(&records),
            limit => LIST_LIMIT,
            clusters => clusters,
            jobs => jobs,
            states => ["firing", "resolved", "acknowledged", "silenced"],
            severities => SEVERITIES,
            filter => context! { state => status, severity => severity, job => job, cluster => cluster },
        },
    )
}

/// Filters of `GET /ui/audit` (each empty = any; `ok`: `true` or `false`).
#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    ok: Option<String>,
}

/// `GET /ui/audit?actor=&action=&target=&ok=` (admins only): the audit log, newest first, each
/// entry with its redacted parameters.
async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, ConsoleError> {
    if viewer.role < Role::Admin {
        return Err(ApiError::Forbidden("the audit log needs the admin role".into()).into());
    }
    let (actor, action, target) = (given(q.actor), given(q.action), given(q.target));
    let ok = match given(q.ok).as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::BadRequest(format!("ok: {other:?} is not true or false")).into());
        }
    };
    let entries: Vec<Value> = state
        .store
        .list_audit(&AuditFilter {
            actor: actor.clone(),
            action: action.clone(),
            target: target.clone(),
            ok,
            since_ms: None,
            limit: LIST_LIMIT,
        })
        .await?
        .into_iter()
        .map(|e| {
            let summary = serde_json::to_string_pretty(&e.summary).unwrap_or_default();
            context! { summary_text => summary, ..serde(&e) }
        })
        .collect();
    viewer.render(
        "audit.html",
        "audit",
        context! {
            entries => entries,
            limit => LIST_LIMIT,
            filter => context! { actor => actor, action => action, target => target, ok => ok },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_names_become_one_path_segment() {
        assert_eq!(path_segment("orders-1.a_b~"), "orders-1.a_b~");
        assert_eq!(
            path_segment("subscription:bob:team a/b"),
            "subscription%3Abob%3Ateam%20a%2Fb"
        );
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
