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
