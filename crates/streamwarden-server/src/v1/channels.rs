//! `/api/v1/channel-kinds`, `/api/v1/channels` (CRUD and test send) and
//! `/api/v1/templates/preview`.

use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use streamwarden_notify::channels::configured::{KINDS, describe_kind};
use streamwarden_notify::channels::manager::{ChannelView, ManageError};
use streamwarden_notify::describe::KindDescription;
use streamwarden_notify::templates::defaults::parts;
use streamwarden_notify::templates::{Markup, sample};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/channel-kinds", get(kinds))
        .route("/channels", get(list).post(create))
        .route("/channels/{name}", get(show).put(update).delete(remove))
        .route("/channels/{name}/test", post(test))
        .route("/templates/preview", post(preview))
}

impl From<ManageError> for ApiError {
    fn from(error: ManageError) -> Self {
        match error {
            ManageError::Invalid(errors) => ApiError::Invalid(errors),
            ManageError::NotFound(name) => ApiError::NotFound(format!("channel {name}")),
            ManageError::ReadOnly(_) | ManageError::Conflict(_) => {
                ApiError::Conflict(error.to_string())
            }
            ManageError::Send(e) => ApiError::Upstream(e.0),
            ManageError::Store(e) => e.into(),
        }
    }
}

/// One template part of a kind, for the template editor.
#[derive(Serialize, utoipa::ToSchema)]
struct TemplatePart {
    /// Part name (`title`, `body`), the key of a template override.
    name: &'static str,
    /// The markup it is written in (how values are escaped).
    markup: Markup,
    /// The default template.
    default: &'static str,
}

/// A kind's description with its template parts.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ChannelKind)]
struct Kind {
    #[serde(flatten)]
    description: KindDescription,
    /// Its template parts.
    templates: Vec<TemplatePart>,
}

/// Every channel kind: its configuration fields (type, required, default, validators, help)
/// and its template parts.
#[utoipa::path(get, path = "/api/v1/channel-kinds", tag = "channels",
    operation_id = "list_channel_kinds",
    responses((status = 200, description = "The kinds", body = Vec<Kind>)))]
async fn kinds() -> Json<Vec<Kind>> {
    Json(
        KINDS
            .iter()
            .filter_map(|(kind, _)| describe_kind(kind))
            .map(|description| Kind {
                templates: parts(&description.kind)
                    .iter()
                    .map(|p| TemplatePart {
                        name: p.name,
                        markup: p.markup,
                        default: p.default,
                    })
                    .collect(),
                description,
            })
            .collect(),
    )
}

/// Every channel, file-declared and API-created, secrets masked.
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels", operation_id = "list_channels",
    responses((status = 200, description = "The channels", body = Vec<ChannelView>)))]
async fn list(State(state): State<AppState>) -> Json<Vec<ChannelView>> {
    Json(state.channels.list().await)
}

/// One channel, secrets masked.
#[utoipa::path(get, path = "/api/v1/channels/{name}", tag = "channels",
    operation_id = "get_channel",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 200, description = "The channel", body = ChannelView),
        (status = 404, description = "No such channel", body = ErrorBody),
    ))]
async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ChannelView>, ApiError> {
    Ok(Json(state.channels.get(&name).await?))
}

/// Body of create and update: `kind` (create only), the kind's `config` (with its `name` on
/// create), and template overrides.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ChannelBody {
    /// The channel kind (`webhook`, `email`, …; see `GET /api/v1/channel-kinds`); required on
    /// create, and if given on update, the channel's own.
    kind: Option<String>,
    /// The kind's configuration, as `GET /api/v1/channel-kinds` describes it (with `name` on
    /// create). On update, a blank secret keeps the stored one.
    #[schema(value_type = Object, example = json!({"name": "ops", "url": "https://hooks.example.com/flink"}))]
    config: Value,
    /// Template overrides: part name → minijinja source.
    #[serde(default)]
    templates: BTreeMap<String, String>,
}

/// Creates a channel (stored in the database); its configuration and templates are checked.
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", operation_id = "create_channel",
    request_body = ChannelBody,
    responses(
        (status = 201, description = "The channel", body = ChannelView),
        (status = 400, description = "Every invalid field", body = ErrorBody),
        (status = 409, description = "A channel of that name exists", body = ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    Json(body): Json<ChannelBody>,
) -> Result<(StatusCode, Json<ChannelView>), ApiError> {
    let kind = body
        .kind
        .ok_or_else(|| ApiError::BadRequest("kind: required".into()))?;
    let view = state
        .channels
        .create(&kind, body.config, body.templates)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Replaces an API-created channel's configuration and templates.
#[utoipa::path(put, path = "/api/v1/channels/{name}", tag = "channels",
    operation_id = "update_channel",
    params(("name" = String, Path, description = "Channel name")),
    request_body = ChannelBody,
    responses(
        (status = 200, description = "The channel", body = ChannelView),
        (status = 400, description = "Every invalid field", body = ErrorBody),
        (status = 404, description = "No such channel", body = ErrorBody),
        (status = 409, description = "The channel is declared in the configuration file",
            body = ErrorBody),
    ))]
async fn update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(body): Json<ChannelBody>,
) -> Result<Json<ChannelView>, ApiError> {
    let current = state.channels.get(&name).await?;
    if body.kind.as_deref().is_some_and(|k| k != current.kind) {
        return Err(ApiError::BadRequest(format!(
            "kind: a channel's kind cannot change (it is {})",
            current.kind
        )));
    }
    Ok(Json(
        state
            .channels
            .update(&name, body.config, body.templates)
            .await?,
    ))
}

/// Deletes an API-created channel.
#[utoipa::path(delete, path = "/api/v1/channels/{name}", tag = "channels",
    operation_id = "delete_channel",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such channel", body = ErrorBody),
        (status = 409, description = "The channel is declared in the configuration file",
            body = ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.channels.delete(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A test send that went through.
#[derive(Serialize, utoipa::ToSchema)]
struct TestSent {
    /// Always `true`.
    ok: bool,
    /// The channel.
    channel: String,
}

/// Sends a marked test alert through the channel now.
#[utoipa::path(post, path = "/api/v1/channels/{name}/test", tag = "channels",
    operation_id = "test_channel",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 200, description = "The channel accepted the message", body = TestSent),
        (status = 404, description = "No such channel", body = ErrorBody),
        (status = 502, description = "The destination refused or failed: its real error \
            (HTTP status, platform error code and message, SMTP reply), with `ok: false`",
            body = ErrorBody),
    ))]
async fn test(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<TestSent>, ApiError> {
    state.channels.test(&name).await?;
    Ok(Json(TestSent {
        ok: true,
        channel: name,
    }))
}

/// Body of a preview: a kind's or a channel's templates, with overrides, rendered against a
/// stored event (`event_id`) or the sample failed-job event.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PreviewBody {
    /// A channel kind whose default templates to render (give it or `channel`).
    kind: Option<String>,
    /// A channel whose templates to render (wins over `kind`).
    channel: Option<String>,
    /// Template overrides to try: part name → minijinja source.
    #[serde(default)]
    templates: BTreeMap<String, String>,
    /// A stored event to render (default: a sample failed-job event).
    event_id: Option<String>,
}

/// A rendered message.
#[derive(Serialize, utoipa::ToSchema)]
struct Preview {
    /// The event rendered.
    event_id: String,
    /// Subject or title; one line.
    title: String,
    /// The body in the channel's markup.
    body: String,
    /// The plain-text rendering.
    text: String,
}

/// Renders a kind's or a channel's templates, with overrides, as the channel would send them.
#[utoipa::path(post, path = "/api/v1/templates/preview", tag = "channels",
    operation_id = "preview_templates",
    request_body = PreviewBody,
    responses(
        (status = 200, description = "The rendered message", body = Preview),
        (status = 400, description = "No kind or channel, an unknown kind, or a template that \
            does not compile or render", body = ErrorBody),
        (status = 404, description = "No such channel or event", body = ErrorBody),
    ))]
async fn preview(
    State(state): State<AppState>,
    Json(body): Json<PreviewBody>,
) -> Result<Json<Preview>, ApiError> {
    if body.kind.is_none() && body.channel.is_none() {
        return Err(ApiError::BadRequest(
            "kind: give a kind or a channel".into(),
        ));
    }
    let event = match &body.event_id {
        None => sample::events().remove(0),
        Some(id) => state
            .store
            .get_event(id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("event {id}")))?,
    };
    let message = state
        .channels
        .preview(
            body.kind.as_deref(),
            body.channel.as_deref(),
            &body.templates,
            &sample::alert_of(&event),
        )
        .await
        .map_err(|error| match error {
            // The templates compile and render the samples, but not this stored event: the
            // templates are what is wrong, not a destination (nothing is sent).
            ManageError::Send(e) => ApiError::BadRequest(format!("templates: {}", e.0)),
            other => other.into(),
        })?;
    Ok(Json(Preview {
        event_id: event.event_id,
        title: message.title,
        body: message.body,
        text: message.text,
    }))
}
