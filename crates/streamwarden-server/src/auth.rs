//! Authentication and authorization of every call, and the audit of every change.
//!
//! Until the first user exists, StreamWarden is open (a fresh install; `streamwarden users add
//! NAME --admin` creates the first admin). From then on every call except `/healthz`,
//! `/readyz`, `/metrics`, the sign-in (`POST /api/v1/session`) and the console's sign-in page
//! and assets needs either
//! - `Authorization: Bearer <token>` (API and CLI): an API token, acting with the lower of its
//!   own role and its user's; or
//! - the console's session cookie ([`crate::session`]), and for a change also the session's
//!   CSRF token in `X-CSRF-Token` (a page of another site cannot read it).
//!
//! A missing, unknown, revoked or expired credential is 401 (a console page redirects to the
//! sign-in page instead), a role below what the call needs ([`required_role`]) is 403. The
//! caller's name then comes from the credential, never from the `X-StreamWarden-User` header.
//! Every change (`POST`, `PUT`, `PATCH`, `DELETE` under `/api/v1/`), allowed or refused, is
//! written to the audit log ([`crate::audit`]).

use crate::audit::{Call, Via};
use crate::session::{SESSION_COOKIE, cookie_value};
use crate::{ApiError, AppState};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use streamwarden_core::access::{Role, required_role};
use streamwarden_core::clock::now_ms;
use streamwarden_store::ApiToken;

/// Who is calling, once authenticated (or anyone, while no user exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's name.
    pub user: String,
    /// What the call may do.
    pub role: Role,
    /// Whether the name comes from a credential (else: no user exists yet, the name is
    /// claimed).
    pub authenticated: bool,
    /// Through what the call came.
    pub via: Via,
    /// The session's CSRF token, when the call came with the console's session cookie (the
    /// console's pages embed it; `GET /api/v1/session` returns it).
    pub csrf: Option<String>,
}

impl Principal {
    /// Who acts: the credential's user once authenticated (whatever the body says), else the
    /// name the body gives in `field`, which must not be blank.
    pub fn acting(&self, claimed: Option<String>, field: &str) -> Result<String, ApiError> {
        if self.authenticated {
            return Ok(self.user.clone());
        }
        claimed
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ApiError::BadRequest(format!("{field}: say who you are")))
    }
}

/// A new token: `(the token, shown once; its stored form)`. The token is `swt_` and 64 hex
/// characters (244 random bits); only its SHA-256 is kept.
pub fn issue_token(label: &str, user: &str, role: Role) -> (String, ApiToken) {
    let token = format!("swt_{}", random_hex());
    let stored = ApiToken {
        id: uuid::Uuid::now_v7().to_string(),
        label: label.to_string(),
        user: user.to_string(),
        role,
        hash: token_hash(&token),
        prefix: token[..8].to_string(),
        created_ms: now_ms(),
        revoked_ms: None,
    };
    (token, stored)
}

/// 64 random hex characters (244 random bits, two UUID v4).
pub(crate) fn random_hex() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// SHA-256 of a token or session id, lower-case hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Shortest and longest password accepted, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=256;

/// The argon2id hash (PHC string) of `password`, with a random salt. Errors name the field
/// `password` and say why it is refused (too short or too long).
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::PasswordHasher;
    let chars = password.chars().count();
    if !PASSWORD_CHARS.contains(&chars) {
        return Err(format!(
            "password: {} to {} characters, got {chars}",
            PASSWORD_CHARS.start(),
            PASSWORD_CHARS.end()
        ));
    }
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("password: cannot be hashed: {e}"))
}

/// Whether `password` matches the stored PHC `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The middleware: authenticates the call, checks its role and audits it if it changes
/// something. Runs after routing (`route_layer`), so unknown paths are 404 for everyone.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let needed = required_role(request.method().as_str(), request.uri().path());
    let (mut request, call) = Call::begin(request).await;
    if needed.is_none() && call.is_none() {
        return next.run(request).await;
    }
    let audit_state = state.clone();
    let finish = move |actor: String, via: Via, response: Response| {
        let state = audit_state;
        async move {
            match call {
                Some(call) => call.finish(&state, actor, via, response).await,
                None => response,
            }
        }
    };
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let via = Via::claimed(request.headers());
    let principal = match principal(&state, &method, request.headers(), via).await {
        Ok(principal) => Some(principal),
        Err(_) if needed.is_none() => None,
        Err(error) => {
            let response = if path.starts_with("/ui/") && method == Method::GET {
                Redirect::to(&format!("/ui/login?next={path}")).into_response()
            } else {
                error.into_response()
            };
            return finish("anonymous".into(), via, response).await;
        }
    };
    let Some(principal) = principal else {
        let response = next.run(request).await;
        return finish("anonymous".into(), via, response).await;
    };
    if let Some(needed) = needed
        && principal.role < needed
    {
        let response = ApiError::Forbidden(format!(
            "{method} {path} needs the {needed} role; {} has {}",
            principal.user, principal.role
        ))
        .into_response();
        return finish(principal.user, principal.via, response).await;
    }
    let (user, via) = (principal.user.clone(), principal.via);
    request.extensions_mut().insert(principal);
    // A change runs to its end and is audited even if the caller goes away meanwhile (a
    // browser leaving the page while a start waits for RUNNING): its own task, not the
    // connection's, drives it.
    let change = tokio::spawn(async move {
        let response = next.run(request).await;
        finish(user, via, response).await
    });
    change.await.unwrap_or_else(|error| {
        tracing::error!(%error, "API call aborted");
        ApiError::Internal(format!("the call was aborted: {error}")).into_response()
    })
}

/// The caller: from `Authorization: Bearer`, else the session cookie (with its CSRF token for
/// a change), else — while no user exists — anyone: the name claimed in
/// `X-StreamWarden-User`, as admin. Errors are 401/403.
async fn principal(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    via: Via,
) -> Result<Principal, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let users = state.store.list_users().await?;
    if users.is_empty() {
        return Ok(Principal {
            user: header("x-streamwarden-user")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or("anonymous")
                .to_string(),
            role: Role::Admin,
            authenticated: false,
            via,
            csrf: None,
        });
    }
    let find_user = |name: &str| {
        users
            .iter()
            .find(|u| u.name == name)
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized(format!("user {name} no longer exists")))
    };
    if let Some(token) = header("authorization").and_then(|v| v.strip_prefix("Bearer ")) {
        let stored = state
            .store
            .token_by_hash(&token_hash(token.trim()))
            .await?
            .filter(|t| t.revoked_ms.is_none())
            .ok_or_else(|| ApiError::Unauthorized("unknown or revoked token".into()))?;
        let user = find_user(&stored.user)?;
        return Ok(Principal {
            user: user.name,
            role: stored.role.min(user.role),
            authenticated: true,
            via,
            csrf: None,
        });
    }
    if let Some(cookie) = cookie_value(headers, SESSION_COOKIE) {
        let session = state
            .store
            .session_by_hash(&token_hash(&cookie), now_ms())
            .await?
            .ok_or_else(|| ApiError::Unauthorized("session expired; sign in again".into()))?;
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && !constant_time_eq(header("x-csrf-token").unwrap_or(""), &session.csrf) {
            return Err(ApiError::Forbidden(
                "X-CSRF-Token: missing or not this session's".into(),
            ));
        }
        let user = find_user(&session.user)?;
        return Ok(Principal {
            user: user.name,
            role: user.role,
            authenticated: true,
            via: Via::Console,
            csrf: Some(session.csrf),
        });
    }
    Err(ApiError::Unauthorized(
        "authentication required: Authorization: Bearer <token>, or sign in at /ui/login".into(),
    ))
}

/// Compares two secrets in time independent of where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_only_their_hash_is_kept() {
        let (a, stored) = issue_token("ci", "alice", Role::Viewer);
        let (b, _) = issue_token("ci", "alice", Role::Viewer);
        assert_ne!(a, b);
        assert!(a.starts_with("swt_") && a.len() == 68, "{a}");
        assert_eq!(stored.hash, token_hash(&a));
        assert_eq!(stored.hash.len(), 64);
        assert!(!stored.hash.contains(&a[4..]));
        assert_eq!(stored.prefix, a[..8]);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn passwords_are_salted_argon2id_and_verified() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert_ne!(
            hash,
            hash_password("correct horse").expect("hash"),
            "salted"
        );
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsE", &hash));
        assert!(!verify_password("correct horse", "not a phc string"));
        assert_eq!(
            hash_password("short"),
            Err("password: 8 to 256 characters, got 5".into())
        );
        assert!(hash_password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert!(!constant_time_eq("", "a"));
    }
}
