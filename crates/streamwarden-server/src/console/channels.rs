//! Channels: `GET /ui/channels` (every channel with its latest deliveries), the form of a new
//! or an existing channel generated from its kind's self-description (the same description
//! `GET /api/v1/channel-kinds` serves, so the form, the browser's validators and the server's
//! agree), with the template editor and its live preview against a stored event, the test send
//! and the channel's deliveries.

use super::{ConsoleError, Viewer, serde};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use streamwarden_core::access::Role;
use streamwarden_core::noise::Notice;
use streamwarden_notify::channels::configured::{KINDS, describe_kind};
use streamwarden_notify::channels::manager::{ChannelSource, ChannelView};
use streamwarden_notify::describe::{FieldDescription, FieldType, KindDescription, Validator};
use streamwarden_notify::templates::defaults::parts;
use streamwarden_store::{Delivery, DeliveryFilter, EventFilter};

/// The templates of these pages, embedded.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "channels.html",
        include_str!("../../console/templates/channels.html"),
    ),
    (
        "channel.html",
        include_str!("../../console/templates/channel.html"),
    ),
    (
        "ch_field.html",
        include_str!("../../console/templates/ch_field.html"),
    ),
];

/// The static files of these pages, embedded: `(file name, content type, content)`.
pub(super) const ASSETS: &[(&str, &str, &str)] = &[(
    "channels.js",
    "text/javascript",
    include_str!("../../console/assets/channels.js"),
)];

/// Deliveries shown per channel in the list.
const LIST_DELIVERIES: u32 = 5;
/// Deliveries shown on a channel's page.
const PAGE_DELIVERIES: u32 = 25;
/// Stored events offered to preview the templates with.
const PREVIEW_EVENTS: u32 = 40;
/// What a secret input shows when a value is stored (the value itself never leaves the server).
const STORED_SECRET: &str = "unchanged (stored secret)";

/// `GET /ui/channels`, `/ui/channels/new?kind=` and `/ui/channels/{name}`.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/channels", get(list))
        .route("/ui/channels/new", get(new))
        .route("/ui/channels/{name}", get(show))
}

/// Help text (our own, trusted markdown) as HTML.
fn markdown(text: &str) -> Value {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(text));
    Value::from_safe_string(html)
}

/// The human label of a kind (`Lark / Feishu`), or the kind itself.
fn label_of(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, label)| *label)
}

/// A delivery as the console lists it.
#[derive(Debug, Serialize)]
struct DeliveryLine {
    id: i64,
    status: &'static str,
    attempts: u32,
    last_error: Option<String>,
    created_ms: i64,
    updated_ms: i64,
    next_attempt_ms: i64,
    /// `alert`, `repeat`, `resolved` or `group`.
    notice: &'static str,
    /// The first event's summary (and how many more a group holds).
    summary: String,
}

impl From<Delivery> for DeliveryLine {
    fn from(d: Delivery) -> Self {
        let notice = match d.outgoing.notification.notice {
            Notice::Alert { .. } => "alert",
            Notice::Repeat { .. } => "repeat",
            Notice::Resolved { .. } => "resolved",
            Notice::Group { .. } => "group",
        };
        let events = &d.outgoing.events;
        let mut summary = events
            .first()
            .map(|(e, _)| e.summary.clone())
            .unwrap_or_default();
        if events.len() > 1 {
            summary.push_str(&format!(" (+{} more)", events.len() - 1));
        }
        DeliveryLine {
            id: d.id,
            status: d.status.as_str(),
            attempts: d.attempts,
            last_error: d.last_error,
            created_ms: d.created_ms,
            updated_ms: d.updated_ms,
            next_attempt_ms: d.next_attempt_ms,
            notice,
            summary,
        }
    }
}

/// The latest `limit` deliveries to `channel`, newest first.
async fn deliveries(
    state: &AppState,
    channel: &str,
    limit: u32,
) -> Result<Vec<DeliveryLine>, ConsoleError> {
    let filter = DeliveryFilter {
        channel: Some(channel.to_string()),
        limit,
        ..DeliveryFilter::default()
    };
    Ok(state
        .store
        .list_deliveries(&filter)
        .await?
        .into_iter()
        .map(DeliveryLine::from)
        .collect())
}

/// `GET /ui/channels`: every channel (file ones read-only), its kind and how its latest
/// deliveries went; for admins, a link per kind to create one.
async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Html<String>, ConsoleError> {
    let mut channels = Vec::new();
    for channel in state.channels.list().await {
        let latest = deliveries(&state, &channel.name, LIST_DELIVERIES).await?;
        channels.push(context! {
            label => label_of(&channel.kind),
            editable => channel.source == ChannelSource::Api,
            source => serde(&channel.source),
            deliveries => serde(&latest),
            name => channel.name,
            kind => channel.kind,
        });
    }
    let kinds: Vec<Value> = KINDS
        .iter()
        .map(|(kind, label)| context! { kind => *kind, label => *label })
        .collect();
    viewer.render(
        "channels.html",
        "channels",
        context! { channels => channels, kinds => kinds },
    )
}

/// Query of `GET /ui/channels/new`.
#[derive(Debug, Deserialize)]
struct NewQuery {
    kind: Option<String>,
}

/// `GET /ui/channels/new?kind=K`: the empty form of a new channel of kind `K`.
async fn new(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, ConsoleError> {
    let Some(kind) = q.kind.filter(|k| !k.is_empty()) else {
        // A channel may be named `new`: without a kind, this is its page.
        if let Ok(view) = state.channels.get("new").await {
            return page(&state, &viewer, view.kind.clone(), Some(view)).await;
        }
        let known: Vec<_> = KINDS.iter().map(|(k, _)| *k).collect();
        return Err(ApiError::BadRequest(format!(
            "kind: give the kind of the new channel, one of {}",
            known.join(", ")
        ))
        .into());
    };
    page(&state, &viewer, kind, None).await
}

/// `GET /ui/channels/{name}`: the channel's form (read-only for a file channel), templates with
/// live preview, test send, deliveries.
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Result<Html<String>, ConsoleError> {
    let view = state.channels.get(&name).await.map_err(ApiError::from)?;
    page(&state, &viewer, view.kind.clone(), Some(view)).await
}

/// The page of a channel of `kind`: a new one (`view` = `None`) or an existing one.
async fn page(
    state: &AppState,
    viewer: &Viewer,
    kind: String,
    view: Option<ChannelView>,
) -> Result<Html<String>, ConsoleError> {
    let description =
        describe_kind(&kind).ok_or_else(|| ApiError::NotFound(format!("channel kind {kind:?}")))?;
    let admin = viewer.role >= Role::Admin;
    let editable = admin && view.as_ref().is_none_or(|v| v.source == ChannelSource::Api);
    let current = view.as_ref().map(|v| &v.config);
    let fields: Vec<Value> = description
        .fields
        .iter()
        .map(|f| form_field(f, current))
        .collect();
    let templates: Vec<Value> = parts(&kind)
        .iter()
        .map(|part| {
            let custom = view.as_ref().and_then(|v| v.templates.get(part.name));
            context! {
                name => part.name,
                markup => serde(&part.markup),
                default => part.default,
                value => custom.map_or(part.default, String::as_str),
                custom => custom.is_some(),
            }
        })
        .collect();
    let events: Vec<Value> = state
        .store
        .list_events(&EventFilter {
            limit: PREVIEW_EVENTS,
            ..EventFilter::default()
        })
        .await?
        .into_iter()
        .map(|e| {
            let mut summary = e.summary;
            if summary.chars().count() > 90 {
                summary = summary.chars().take(89).chain(['…']).collect();
            }
            context! {
                id => e.event_id,
                kind => e.kind.as_str(),
                at_ms => e.observed_at_ms,
                summary => summary,
            }
        })
        .collect();
    let recent = match &view {
        Some(v) => deliveries(state, &v.name, PAGE_DELIVERIES).await?,
        None => Vec::new(),
    };
    let KindDescription { label, help, .. } = &description;
    viewer.render(
        "channel.html",
        "channels",
        context! {
            kind => kind,
            kind_label => label,
            kind_help => markdown(help),
            name => view.as_ref().map(|v| v.name.clone()),
            source => view.as_ref().map(|v| serde(&v.source)),
            editable => editable,
            fields => fields,
            templates => templates,
            events => events,
            deliveries => serde(&recent),
        },
    )
}

/// One field of the form: its control, typed by the field's type, and its value (the channel's
/// current one, else the kind's default). A secret's value is never put in the page: a stored
/// one shows as a placeholder and is kept when the input is left empty.
fn form_field(field: &FieldDescription, current: Option<&Json>) -> Value {
    let value = match current {
        Some(config) => config.get(&field.name).filter(|v| !v.is_null()),
        None => field.default.as_ref(),
    };
    let stored_secret = field.secret && current.is_some() && value.is_some();
    let (control, data_type) = match field.field_type {
        FieldType::Password => ("password", None),
        FieldType::Integer => ("number", Some("int")),
        FieldType::Boolean => ("checkbox", None),
        FieldType::Enum => ("select", None),
        FieldType::List => ("textarea", Some("list")),
        FieldType::Map => ("textarea", Some("map")),
        FieldType::Textarea => ("textarea", None),
        FieldType::Text | FieldType::Duration => ("text", None),
    };
    let boolean = field.field_type == FieldType::Boolean;
    let required = !boolean
        && !stored_secret
        && (field.required || field.validators.contains(&Validator::Require));
    let mut validators: Vec<&str> = field
        .validators
        .iter()
        .map(|v| v.as_str())
        .filter(|v| *v != "require")
        .collect();
    if required {
        validators.insert(0, "require");
    }
    let text = if field.secret {
        String::new()
    } else {
        value.map(text_of).unwrap_or_default()
    };
    let placeholder = if stored_secret {
        STORED_SECRET.to_string()
    } else {
        field.placeholder.clone().unwrap_or_default()
    };
    let options: Vec<Value> = field
        .options
        .iter()
        .map(|o| {
            context! {
                selected => o.value == text,
                help => markdown(&o.help),
                value => o.value.clone(),
            }
        })
        .collect();
    context! {
        name => field.name.clone(),
        label => field.label.clone(),
        help => markdown(&field.help),
        control => control,
        data_type => data_type,
        kind => serde(&field.field_type),
        required => required,
        validators => validators.join(" "),
        placeholder => placeholder,
        value => text,
        checked => value == Some(&Json::Bool(true)),
        options => options,
        secret => field.secret,
        stored_secret => stored_secret,
        // A channel's name cannot change.
        readonly => current.is_some() && field.name == "name",
    }
}

/// A configuration value as a form shows it: lists one item per line, maps `name: value`
/// lines (as `console.js` reads them back).
fn text_of(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join("\n"),
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", text_of(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_shown_as_console_js_reads_them_back() {
        assert_eq!(text_of(&json!(["a", "b"])), "a\nb");
        assert_eq!(text_of(&json!({"X-A": "1", "X-B": 2})), "X-A: 1\nX-B: 2");
        assert_eq!(text_of(&json!(25)), "25");
        assert_eq!(text_of(&json!("10s")), "10s");
        assert_eq!(text_of(&Json::Null), "");
    }

    #[test]
    fn a_stored_secret_is_never_shown_nor_required_again() {
        let description = describe_kind("dingtalk").expect("dingtalk");
        let url = description
            .fields
            .iter()
            .find(|f| f.name == "webhook_url")
            .expect("webhook_url");
        let stored =
            json!({"name": "d", "webhook_url": "https://x.example/robot?access_token=s3cr3t"});
        let field = form_field(url, Some(&stored));
        assert_eq!(field.get_attr("value").expect("value").as_str(), Some(""));
        assert_eq!(
            field.get_attr("placeholder").expect("p").as_str(),
            Some(STORED_SECRET)
        );
        assert!(!field.get_attr("required").expect("r").is_true());
        assert_eq!(
            field.get_attr("validators").expect("v").as_str(),
            Some("url")
        );
        let fresh = form_field(url, None);
        assert!(fresh.get_attr("required").expect("r").is_true());
        assert_eq!(
            fresh.get_attr("validators").expect("v").as_str(),
            Some("require url")
        );
    }
}
