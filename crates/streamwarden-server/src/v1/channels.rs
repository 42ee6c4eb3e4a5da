//! `/api/v1/channel-kinds`, `/api/v1/channels` (CRUD and test send) and
//! `/api/v1/templates/preview`.

use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
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
#[derive(Serialize)]
struct TemplatePart {
    name: &'static str,
    markup: Markup,
    default: &'static str,
}

/// A kind's description with its template parts.
#[derive(Serialize)]
struct Kind {
    #[serde(flatten)]
    description: KindDescription,
    templates: Vec<TemplatePart>,
}

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

async fn list(State(state): State<AppState>) -> Json<Vec<ChannelView>> {
    Json(state.channels.list().await)
}

async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ChannelView>, ApiError> {
    Ok(Json(state.channels.get(&name).await?))
}

/// Body of create and update: `kind` (create only), the kind's `config` (with its `name` on
/// create), and template overrides.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelBody {
    kind: Option<String>,
    config: Value,
    #[serde(default)]
    templates: BTreeMap<String, String>,
}

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

async fn remove(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.channels.delete(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn test(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state.channels.test(&name).await?;
    Ok(Json(json!({ "ok": true, "channel": name })))
}

/// Body of a preview: a kind's or a channel's templates, with overrides, rendered against a
/// stored event (`event_id`) or the sample failed-job event.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewBody {
    kind: Option<String>,
    channel: Option<String>,
    #[serde(default)]
    templates: BTreeMap<String, String>,
    event_id: Option<String>,
}

async fn preview(
    State(state): State<AppState>,
    Json(body): Json<PreviewBody>,
) -> Result<Json<Value>, ApiError> {
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
        .await?;
    Ok(Json(json!({
        "event_id": event.event_id,
        "title": message.title,
        "body": message.body,
        "text": message.text,
    })))
}
