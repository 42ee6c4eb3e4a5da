//! Console sessions: `POST /api/v1/session` signs in with a user's password and sets the
//! session cookie; `GET` says who is signed in (and the CSRF token the console sends back in
//! `X-CSRF-Token`); `DELETE` signs out.
//!
//! The cookie (`sw_session`) holds 64 random hex characters; only its SHA-256 is stored. It is
//! `HttpOnly` (scripts cannot read it), `SameSite=Strict` (other sites' pages do not send it)
//! and lasts [`SESSION_TTL_MS`].

use crate::audit::AuditActor;
use crate::auth::{Principal, random_hex, token_hash, verify_password};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use streamwarden_core::access::Role;
use streamwarden_core::clock::now_ms;
use streamwarden_store::Session;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sw_session";

/// How long a session lasts after sign-in, ms (12 hours).
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;

/// Sign-in attempts allowed per user name and minute (more are answered 429), against
/// password guessing.
pub const SIGN_INS_PER_MINUTE: u32 = 10;

/// The quota of sign-in attempts: [`SIGN_INS_PER_MINUTE`], all at once at most.
pub(crate) fn sign_in_quota() -> governor::Quota {
    governor::Quota::per_minute(
        std::num::NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(std::num::NonZeroU32::MIN),
    )
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/session", post(sign_in).get(whoami).delete(sign_out))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Credentials of a sign-in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Credentials {
    /// User name.
    pub(crate) user: String,
    /// The user's password.
    pub(crate) password: String,
}

/// A new session for `credentials`: `(cookie value, session, the user's role)`; 401 with one
/// message for an unknown user, a user without a password and a wrong password alike; 429
/// after [`SIGN_INS_PER_MINUTE`] attempts for one user name within a minute.
pub(crate) async fn open_session(
    state: &AppState,
    credentials: &Credentials,
) -> Result<(String, Session, Role), ApiError> {
    if state.sign_ins.check_key(&credentials.user).is_err() {
        return Err(ApiError::TooManyRequests(format!(
            "user: more than {SIGN_INS_PER_MINUTE} sign-in attempts for {:?} within a minute; \
             wait and try again",
            credentials.user
        )));
    }
    let refused = || ApiError::Unauthorized("user or password is wrong".into());
    let user = state
        .store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.name == credentials.user)
        .ok_or_else(refused)?;
    let hash = user.password_hash.as_deref().ok_or_else(refused)?;
    let (password, hash) = (credentials.password.clone(), hash.to_string());
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(format!("password check: {e}")))?;
    if !matches {
        return Err(refused());
    }
    let cookie = random_hex();
    let now = now_ms();
    let session = Session {
        hash: token_hash(&cookie),
        user: user.name.clone(),
        csrf: random_hex(),
        created_ms: now,
        expires_ms: now + SESSION_TTL_MS,
    };
    state.store.put_session(&session).await?;
    Ok((cookie, session, user.role))
}

/// The `Set-Cookie` value of a session cookie (`value` empty: one that clears it).
pub(crate) fn session_cookie(value: &str) -> HeaderValue {
    let max_age = if value.is_empty() {
        0
    } else {
        SESSION_TTL_MS / 1000
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("sw_session=; Max-Age=0"))
}

/// Who is signed in (answer of sign-in and of `GET /api/v1/session`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SessionInfo {
    /// The user's name.
    user: String,
    /// The user's role.
    role: Role,
    /// Whether the name comes from a credential (false while no user exists).
    authenticated: bool,
    /// The CSRF token to send in `X-CSRF-Token` with each change made with the session
    /// cookie; `null` when the call was not made with a session.
    csrf: Option<String>,
}

/// `POST /api/v1/session` `{"user", "password"}` → `200 {"user", "role", "authenticated",
/// "csrf"}` and the session cookie; `401` when the user or password is wrong.
#[utoipa::path(post, path = "/api/v1/session", tag = "access", operation_id = "sign_in",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionInfo),
        (status = 401, description = "The user or the password is wrong", body = ErrorBody),
        (status = 429, description = "Too many sign-in attempts for this user within a minute",
            body = ErrorBody),
    ))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Response {
    let actor = AuditActor(body.user.clone());
    let mut response = match open_session(&state, &body).await {
        Ok((cookie, session, role)) => {
            let mut response = Json(SessionInfo {
                user: session.user,
                role,
                authenticated: true,
                csrf: Some(session.csrf),
            })
            .into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&cookie));
            response
        }
        Err(error) => error.into_response(),
    };
    response.extensions_mut().insert(actor);
    response
}

/// `GET /api/v1/session` → `{"user", "role", "authenticated", "csrf"}` (`csrf` only for a
/// console session).
#[utoipa::path(get, path = "/api/v1/session", tag = "access", operation_id = "whoami",
    responses((status = 200, description = "Who is calling", body = SessionInfo)))]
pub(crate) async fn whoami(Extension(caller): Extension<Principal>) -> Json<SessionInfo> {
    Json(SessionInfo {
        user: caller.user,
        role: caller.role,
        authenticated: caller.authenticated,
        csrf: caller.csrf,
    })
}

/// `DELETE /api/v1/session` → `204`, the session ended and its cookie cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "access", operation_id = "sign_out",
    responses((status = 204, description = "Signed out; the cookie is cleared")))]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(cookie) = cookie_value(&headers, SESSION_COOKIE) {
        state
            .store
            .delete_session(&token_hash(&cookie), now_ms())
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(""));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "a=1; sw_session=abc".parse().expect("v"));
        headers.append(header::COOKIE, "b=2".parse().expect("v"));
        assert_eq!(
            cookie_value(&headers, SESSION_COOKIE).as_deref(),
            Some("abc")
        );
        assert_eq!(cookie_value(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie_value(&headers, "sw"), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_strict() {
        let set = session_cookie("abc");
        let set = set.to_str().expect("ascii");
        assert!(set.starts_with("sw_session=abc;"), "{set}");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(set.contains("Max-Age=43200"));
        let cleared = session_cookie("");
        assert!(cleared.to_str().expect("ascii").contains("Max-Age=0"));
    }
}
