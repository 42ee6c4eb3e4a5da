//! Authentication and authorization of API calls.
//!
//! Until the first user exists, StreamWarden is open (a fresh install; `streamwarden users add
//! NAME --admin` creates the first admin and prints a token). From then on every call except
//! `/healthz`, `/readyz` and `/metrics` needs `Authorization: Bearer <token>`: a missing,
//! unknown or revoked token is 401, a token whose role is below what the call needs
//! ([`required_role`]) is 403. A token acts with the lower of its own role and its user's.
//! The caller's name is then taken from the token, never from the `X-StreamWarden-User`
//! header.

use crate::{ApiError, AppState};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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
    /// Whether the name comes from a token (else: no user exists yet, the name is claimed).
    pub authenticated: bool,
}

impl Principal {
    /// Who acts: the token's user once authenticated (whatever the body says), else the name
    /// the body gives in `field`, which must not be blank.
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
    let random = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let token = format!("swt_{random}");
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

/// SHA-256 of a token, lower-case hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The middleware: authenticates the call and checks its role.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(needed) = required_role(request.method().as_str(), request.uri().path()) else {
        return next.run(request).await;
    };
    let (authorization, claimed) = {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        (header("authorization"), header("x-streamwarden-user"))
    };
    let call = format!("{} {}", request.method(), request.uri().path());
    let principal = match principal(&state, authorization, claimed).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    if principal.role < needed {
        return ApiError::Forbidden(format!(
            "{call} needs the {needed} role; {} has {}",
            principal.user, principal.role
        ))
        .into_response();
    }
    if let Ok(value) = HeaderValue::from_str(&principal.user) {
        request.headers_mut().insert("x-streamwarden-user", value);
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// The caller, from the `Authorization` header (or, while no user exists, anyone: the name
/// `claimed` in `X-StreamWarden-User`, as admin).
async fn principal(
    state: &AppState,
    authorization: Option<String>,
    claimed: Option<String>,
) -> Result<Principal, ApiError> {
    let users = state.store.list_users().await?;
    if users.is_empty() {
        return Ok(Principal {
            user: claimed
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "anonymous".into()),
            role: Role::Admin,
            authenticated: false,
        });
    }
    let token = authorization
        .as_deref()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized("authentication required: Authorization: Bearer <token>".into())
        })?;
    let stored = state
        .store
        .token_by_hash(&token_hash(token))
        .await?
        .filter(|t| t.revoked_ms.is_none())
        .ok_or_else(|| ApiError::Unauthorized("unknown or revoked token".into()))?;
    let user = users
        .into_iter()
        .find(|u| u.name == stored.user)
        .ok_or_else(|| ApiError::Unauthorized(format!("user {} no longer exists", stored.user)))?;
    Ok(Principal {
        user: user.name,
        role: stored.role.min(user.role),
        authenticated: true,
    })
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
}
