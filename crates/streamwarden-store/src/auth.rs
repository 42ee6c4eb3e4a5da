//! Rows of access control: local users and API tokens.

use serde::{Deserialize, Serialize};
use streamwarden_core::access::Role;

/// A local user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    /// Unique name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// The password's argon2 hash (PHC string); `None` for a user who signs in with tokens
    /// only. Never returned by the API.
    #[serde(skip_serializing)]
    pub password_hash: Option<String>,
    /// When created, epoch ms.
    pub created_ms: i64,
}

/// An API token: random, shown once, stored as its SHA-256 only, revocable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiToken {
    /// Unique id.
    pub id: String,
    /// What it is for ("ci", "grafana").
    pub label: String,
    /// The user it acts as.
    pub user: String,
    /// Its role (at most its user's).
    pub role: Role,
    /// SHA-256 of the token, lower-case hex. Never returned by the API.
    #[serde(skip_serializing)]
    pub hash: String,
    /// The token's first characters, to recognise it (`swt_3f9a`).
    pub prefix: String,
    /// When created, epoch ms.
    pub created_ms: i64,
    /// When revoked, epoch ms; a revoked token no longer works.
    pub revoked_ms: Option<i64>,
}

/// A console session: the browser holds a random id in an HttpOnly cookie; only its SHA-256
/// is stored. Mutating calls made with it must echo `csrf` in `X-CSRF-Token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// SHA-256 of the cookie's value, lower-case hex.
    pub hash: String,
    /// The signed-in user.
    pub user: String,
    /// The CSRF token the console sends back with each change.
    pub csrf: String,
    /// When signed in, epoch ms.
    pub created_ms: i64,
    /// When it stops working, epoch ms.
    pub expires_ms: i64,
}

/// One audited call: who did what to which target, with what (redacted) parameters, and how
/// it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Unique id (UUID v7, so ids sort by time).
    pub id: String,
    /// When the call ended, epoch ms.
    pub at_ms: i64,
    /// Who called: the user's name, or the name claimed before any user exists, or
    /// `anonymous` when the call was refused before anyone was known.
    pub actor: String,
    /// Through what: `api`, `console` or `cli`.
    pub via: String,
    /// The call: method and path template of the endpoint (`POST /api/v1/apps/{id}/start`)
    /// or a CLI command (`users add`).
    pub action: String,
    /// What it acted on (`apps/a1`, `channels/ops`); empty when nothing is named.
    pub target: String,
    /// The parameters, redacted (`streamwarden_core::audit::redact`): `{"query"?, "body"?}`.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// The HTTP status answered (a CLI command done locally records 200, or 500 on error).
    pub status: u16,
    /// `ok`, or the error answered.
    pub outcome: String,
}

/// Which audit entries to list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only actions containing this text (`apps`, `DELETE`).
    pub action: Option<String>,
    /// Only targets starting with this text (`apps/a1`).
    pub target: Option<String>,
    /// Only failed calls (status ≥ 400) when `Some(false)`, only successful when `Some(true)`.
    pub ok: Option<bool>,
    /// Only entries at or after this time, epoch ms.
    pub since_ms: Option<i64>,
    /// At most this many.
    pub limit: u32,
}
