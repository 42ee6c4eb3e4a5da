//! Who may do what: roles, and the role each API call needs. Pure; the HTTP layer asks it.
//!
//! - viewer: reads everything (clusters, jobs, events, alerts, applications, channels without
//!   their secrets);
//! - operator: a viewer who also runs applications (lifecycle, policies, tags), silences and
//!   acknowledges alerts, subscribes to jobs;
//! - admin: an operator who also configures channels, routes, users and tokens (and is the
//!   only one to list users and tokens).
//!
//! `/healthz`, `/readyz`, `/metrics`, the sign-in (`POST /api/v1/session`, the console's
//! `/ui/login` and its `/ui/assets/`), `/` (a redirect) and `/favicon.ico` (none) are open to
//! all; the console's pages (`GET /ui/…`), the session itself, the API's OpenAPI document
//! (`/api/v1/openapi.json`) and its Swagger UI (`/api/docs`) need viewer; the audit log needs
//! admin. A call this table does not know needs admin (deny by default).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role, ordered: `Viewer < Operator < Admin`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads.
    Viewer,
    /// Reads, runs applications, silences and acknowledges.
    Operator,
    /// Everything.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    /// The lower-case name (`"operator"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// Parses a lower-case name; `None` when unknown.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks a user name: 1 to 64 letters, digits, `.`, `_`, `-`, `@`.
pub fn check_user_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err("1 to 64 letters, digits, '.', '_', '-' or '@'".into())
    }
}

/// The role a call needs: `None` for the open endpoints (see the module's documentation).
/// `method` is the HTTP method in capitals, `path` the request path without the query.
pub fn required_role(method: &str, path: &str) -> Option<Role> {
    if matches!(
        path,
        "/" | "/healthz" | "/readyz" | "/metrics" | "/ui/login" | "/favicon.ico"
    ) || path.starts_with("/ui/assets/")
        || (path == "/api/v1/session" && method == "POST")
    {
        return None;
    }
    if path.starts_with("/ui/") && matches!(method, "GET" | "HEAD") {
        return Some(Role::Viewer);
    }
    if path == "/api/v1/session" {
        return Some(Role::Viewer);
    }
    let docs =
        path == "/api/v1/openapi.json" || path == "/api/docs" || path.starts_with("/api/docs/");
    if docs {
        return Some(if matches!(method, "GET" | "HEAD") {
            Role::Viewer
        } else {
            Role::Admin
        });
    }
    let rest = path.strip_prefix("/api/v1/").unwrap_or("");
    let segments: Vec<&str> = rest.split('/').collect();
    if matches!(segments.first(), Some(&("users" | "tokens" | "audit"))) {
        return Some(Role::Admin);
    }
    if matches!(method, "GET" | "HEAD") {
        return Some(Role::Viewer);
    }
    Some(match segments.as_slice() {
        // Read-only despite the POST: many applications at once.
        ["apps", "inspect"] => Role::Viewer,
        ["apps", ..] => Role::Operator,
        ["silences", ..] | ["subscriptions"] => Role::Operator,
        ["alerts", _, "ack"] => Role::Operator,
        _ => Role::Admin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_needs_the_role_its_kind_of_work_asks_for() {
        let cases = [
            ("GET", "/healthz", None),
            ("GET", "/readyz", None),
            ("GET", "/metrics", None),
            ("GET", "/", None),
            ("GET", "/ui/login", None),
            ("GET", "/favicon.ico", None),
            ("POST", "/ui/login", None),
            ("GET", "/ui/assets/console.js", None),
            ("POST", "/api/v1/session", None),
            ("GET", "/api/v1/session", Some(Role::Viewer)),
            ("DELETE", "/api/v1/session", Some(Role::Viewer)),
            ("GET", "/ui/jobs", Some(Role::Viewer)),
            ("GET", "/ui/", Some(Role::Viewer)),
            ("POST", "/ui/jobs", Some(Role::Admin)),
            ("GET", "/api/v1/audit", Some(Role::Admin)),
            ("PUT", "/api/v1/users/bob", Some(Role::Admin)),
            ("GET", "/api/v1/jobs", Some(Role::Viewer)),
            ("GET", "/api/v1/channels/ops", Some(Role::Viewer)),
            ("HEAD", "/api/v1/events", Some(Role::Viewer)),
            ("POST", "/api/v1/apps/inspect", Some(Role::Viewer)),
            ("POST", "/api/v1/apps/upload", Some(Role::Operator)),
            ("POST", "/api/v1/apps/a1/start", Some(Role::Operator)),
            ("PUT", "/api/v1/apps/a1/policy", Some(Role::Operator)),
            ("POST", "/api/v1/apps/bulk", Some(Role::Operator)),
            ("POST", "/api/v1/silences", Some(Role::Operator)),
            ("DELETE", "/api/v1/silences/s1", Some(Role::Operator)),
            ("POST", "/api/v1/alerts/x/ack", Some(Role::Operator)),
            ("POST", "/api/v1/subscriptions", Some(Role::Operator)),
            ("POST", "/api/v1/channels", Some(Role::Admin)),
            ("PUT", "/api/v1/channels/ops", Some(Role::Admin)),
            ("POST", "/api/v1/channels/ops/test", Some(Role::Admin)),
            ("POST", "/api/v1/templates/preview", Some(Role::Admin)),
            ("POST", "/api/v1/routes", Some(Role::Admin)),
            ("DELETE", "/api/v1/routes/r", Some(Role::Admin)),
            ("POST", "/api/v1/tokens", Some(Role::Admin)),
            ("GET", "/api/v1/tokens", Some(Role::Admin)),
            ("GET", "/api/v1/users", Some(Role::Admin)),
            ("POST", "/api/v1/users", Some(Role::Admin)),
            ("POST", "/api/v1/alerts", Some(Role::Admin)),
            ("PATCH", "/somewhere/else", Some(Role::Admin)),
            ("GET", "/api/v1/openapi.json", Some(Role::Viewer)),
            ("HEAD", "/api/v1/openapi.json", Some(Role::Viewer)),
            ("GET", "/api/docs", Some(Role::Viewer)),
            ("GET", "/api/docs/", Some(Role::Viewer)),
            ("GET", "/api/docs/swagger-ui.css", Some(Role::Viewer)),
            ("POST", "/api/v1/openapi.json", Some(Role::Admin)),
            ("PUT", "/api/docs/index.html", Some(Role::Admin)),
            ("GET", "/api/docsx", Some(Role::Viewer)),
            ("POST", "/api/docsx", Some(Role::Admin)),
        ];
        for (method, path, role) in cases {
            assert_eq!(required_role(method, path), role, "{method} {path}");
        }
    }

    #[test]
    fn user_names_are_short_and_plain() {
        for ok in ["alice", "ops.team", "bob_2", "carol-x", "dave@example.com"] {
            assert_eq!(check_user_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a b", "ü", "x/y", &"a".repeat(65)] {
            assert!(check_user_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn roles_order_and_parse() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
