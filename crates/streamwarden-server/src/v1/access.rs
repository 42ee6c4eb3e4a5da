//! `/api/v1/users` and `/api/v1/tokens` (admin only): local users, and API tokens shown once,
//! stored hashed, revocable.

use crate::auth::{Principal, hash_password, issue_token};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use streamwarden_core::access::{Role, check_user_name};
use streamwarden_core::clock::now_ms;
use streamwarden_store::{ApiToken, User};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{name}", put(update_user))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

/// Every local user.
#[utoipa::path(get, path = "/api/v1/users", tag = "access", operation_id = "list_users",
    responses((status = 200, description = "The users", body = Vec<User>)))]
async fn list_users(State(state): State<AppState>) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.store.list_users().await?))
}

/// A new user.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUser {
    /// 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    #[schema(pattern = "^[A-Za-z0-9._@-]{1,64}$")]
    name: String,
    /// What the user may do.
    role: Role,
    /// Password for the console (8 to 256 characters); without it the user signs in with
    /// tokens only.
    #[serde(default)]
    password: Option<String>,
}

/// The argon2 hash of `password` (hashing takes tens of ms, off the async threads); 400 naming
/// `password` when it is refused.
async fn password_hash(password: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(password) = password else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?
        .map(Some)
        .map_err(ApiError::BadRequest)
}

/// Creates a local user (who then signs in with tokens).
#[utoipa::path(post, path = "/api/v1/users", tag = "access", operation_id = "create_user",
    request_body = NewUser,
    responses(
        (status = 201, description = "The user", body = User),
        (status = 400, description = "The name is invalid", body = ErrorBody),
        (status = 409, description = "A user of that name exists", body = ErrorBody),
    ))]
async fn create_user(
    State(state): State<AppState>,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    check_user_name(&body.name)
        .map_err(|reason| ApiError::BadRequest(format!("name: {reason}")))?;
    if state
        .store
        .list_users()
        .await?
        .iter()
        .any(|u| u.name == body.name)
    {
        return Err(ApiError::Conflict(format!("user {} exists", body.name)));
    }
    let user = User {
        name: body.name,
        role: body.role,
        password_hash: password_hash(body.password).await?,
        created_ms: now_ms(),
    };
    state.store.put_user(&user).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserChange {
    /// New role (tokens never act above it).
    #[serde(default)]
    role: Option<Role>,
    /// New password.
    #[serde(default)]
    password: Option<String>,
}

/// `PUT /api/v1/users/{name}` `{"role"?, "password"?}`: changes a user's role or password (a new
/// password ends the user's console sessions).
#[utoipa::path(put, path = "/api/v1/users/{name}", tag = "access", operation_id = "update_user",
    params(("name" = String, Path, description = "The user's name")),
    request_body = UserChange,
    responses(
        (status = 200, description = "The user", body = User),
        (status = 400, description = "The password is refused", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub(crate) async fn update_user(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(body): Json<UserChange>,
) -> Result<Json<User>, ApiError> {
    let mut user = state
        .store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("user {name}")))?;
    if let Some(role) = body.role {
        user.role = role;
    }
    let password_changed = match password_hash(body.password).await? {
        Some(hash) => {
            user.password_hash = Some(hash);
            true
        }
        None => false,
    };
    state.store.put_user(&user).await?;
    if password_changed {
        // Whoever signed in with the old password is signed out.
        state.store.end_sessions_of(&user.name).await?;
    }
    Ok(Json(user))
}

/// Every API token (without the tokens themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", operation_id = "list_tokens",
    responses((status = 200, description = "The tokens", body = Vec<ApiToken>)))]
async fn list_tokens(State(state): State<AppState>) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(state.store.list_tokens().await?))
}

/// A new token.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// What it is for (`ci`, `grafana`); not blank.
    #[schema(pattern = r"\S")]
    label: String,
    /// Its role, at most its user's.
    role: Role,
    /// The user it acts as (default: the caller).
    #[serde(default)]
    user: Option<String>,
}

/// A token just created: the only time the token itself is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct CreatedToken {
    /// The token, for `Authorization: Bearer <token>`.
    #[schema(example = "swt_3f9a0c…")]
    token: String,
    /// Its id (to revoke it).
    id: String,
    /// Its first characters, to recognise it.
    prefix: String,
    /// What it is for.
    label: String,
    /// The user it acts as.
    user: String,
    /// Its role.
    role: Role,
}

/// Creates a token; the answer is the only time the token itself is shown.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", operation_id = "create_token",
    request_body = NewToken,
    responses(
        (status = 201, description = "The token, shown once", body = CreatedToken),
        (status = 400, description = "Blank label, unknown user or a role above the user's",
            body = ErrorBody),
    ))]
async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    if body.label.trim().is_empty() {
        return Err(ApiError::BadRequest("label: must not be blank".into()));
    }
    let name = body.user.unwrap_or(caller.user);
    let user = state
        .store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.name == name)
        .ok_or_else(|| ApiError::BadRequest(format!("user: no user {name:?}")))?;
    if body.role > user.role {
        return Err(ApiError::BadRequest(format!(
            "role: {} is above the user's role {}",
            body.role, user.role
        )));
    }
    let (token, stored) = issue_token(&body.label, &user.name, body.role);
    state.store.put_token(&stored).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token,
            id: stored.id,
            prefix: stored.prefix,
            label: stored.label,
            user: stored.user,
            role: stored.role,
        }),
    ))
}

/// Revokes a token: it no longer works.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", operation_id = "revoke_token",
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token", body = ErrorBody),
    ))]
async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.revoke_token(&id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
