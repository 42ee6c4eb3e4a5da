//! The audit log of changes: every `POST`, `PUT`, `PATCH` and `DELETE` under `/api/v1/`
//! (whether from the API, the console or the CLI, allowed or refused) is recorded with who,
//! when, the endpoint, the target, a redacted summary of its parameters
//! ([`streamwarden_core::audit::redact`]) and the outcome. Reads are not recorded, nor the
//! two read-only POSTs (`/apps/inspect`, `/templates/preview`).

use crate::AppState;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use streamwarden_core::audit::redact;
use streamwarden_core::clock::now_ms;
use streamwarden_store::AuditEntry;

/// Largest JSON body summarized, bytes (larger bodies are recorded by size only).
const MAX_SUMMARIZED_BYTES: usize = 1024 * 1024;

/// Through what a call came: the console (session cookie), the CLI (which says so in
/// `X-StreamWarden-Client: cli`), the API, or the configuration (changes made at start-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// HTTP API.
    Api,
    /// The web console.
    Console,
    /// The `streamwarden` command line.
    Cli,
    /// StreamWarden's configuration, applied at start-up (`[admin]`).
    Config,
}

impl Via {
    /// `api`, `console` or `cli`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Api => "api",
            Via::Console => "console",
            Via::Cli => "cli",
            Via::Config => "config",
        }
    }

    /// What the client says in `X-StreamWarden-Client` (`cli`, `console`); `api` otherwise.
    pub fn claimed(headers: &HeaderMap) -> Via {
        match headers
            .get("x-streamwarden-client")
            .and_then(|v| v.to_str().ok())
        {
            Some("cli") => Via::Cli,
            Some("console") => Via::Console,
            _ => Via::Api,
        }
    }
}

/// Set by a handler on its response to name the actor when no credential did (sign-in).
#[derive(Debug, Clone)]
pub struct AuditActor(pub String);

/// A change being made: what the audit entry needs from the request.
#[derive(Debug)]
pub(crate) struct Call {
    method: Method,
    path: String,
    template: String,
    summary: Value,
}

impl Call {
    /// Starts auditing `request` if it is a change: reads (and puts back) its JSON body for
    /// the summary. `None` for calls that are not audited.
    pub(crate) async fn begin(request: Request) -> (Request, Option<Call>) {
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        let read_only_post = matches!(
            path.as_str(),
            "/api/v1/apps/inspect" | "/api/v1/templates/preview"
        );
        if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
            || !path.starts_with("/api/v1/")
            || read_only_post
        {
            return (request, None);
        }
        let template = request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or_else(|| path.clone(), |m| m.as_str().to_string());
        let query = request.uri().query().map(str::to_string);
        let (parts, body) = request.into_parts();
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let length = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let (body, summary_body) = if is_json && length.is_none_or(|n| n <= MAX_SUMMARIZED_BYTES) {
            match to_bytes(body, MAX_SUMMARIZED_BYTES).await {
                Ok(bytes) => {
                    let value = serde_json::from_slice::<Value>(&bytes)
                        .map(|v| redact(&v))
                        .unwrap_or_else(|_| json!("(not JSON)"));
                    (Body::from(bytes), Some(value))
                }
                // Too large or broken off: the handler gets an empty body and refuses it.
                Err(_) => (Body::empty(), Some(json!("(unreadable body)"))),
            }
        } else {
            let described = length.map(|n| {
                let kind = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(';').next())
                    .unwrap_or("no content type");
                json!(format!("{kind}, {n} bytes"))
            });
            (body, described)
        };
        let mut summary = Map::new();
        if let Some(query) = query {
            summary.insert("query".into(), redact(&json!(query)));
        }
        if let Some(body) = summary_body {
            summary.insert("body".into(), body);
        }
        let call = Call {
            method,
            path,
            template,
            summary: Value::Object(summary),
        };
        (Request::from_parts(parts, body), Some(call))
    }

    /// Records the call as done by `actor` (unless the response names another, see
    /// [`AuditActor`]) with `response`'s outcome, and gives the response back. A failure to
    /// write the entry is logged; the answer stands.
    pub(crate) async fn finish(
        self,
        state: &AppState,
        actor: String,
        via: crate::audit::Via,
        response: Response,
    ) -> Response {
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, MAX_SUMMARIZED_BYTES)
            .await
            .unwrap_or_else(|_| Bytes::new());
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let status = parts.status.as_u16();
        let outcome = if status < 400 {
            "ok".to_string()
        } else {
            let message = answer["error"]
                .as_str()
                .unwrap_or_else(|| parts.status.canonical_reason().unwrap_or("error"));
            redact(&json!(message))
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        let actor = parts
            .extensions
            .get::<AuditActor>()
            .map_or(actor, |a| a.0.clone());
        let entry = AuditEntry {
            id: uuid::Uuid::now_v7().to_string(),
            at_ms: now_ms(),
            actor,
            via: via.as_str().into(),
            action: format!("{} {}", self.method, self.template),
            target: target(&self.path, &self.template, &self.summary, &answer),
            summary: self.summary,
            status,
            outcome,
        };
        if let Err(error) = state.store.put_audit(&entry).await {
            tracing::error!(%error, action = entry.action, "audit entry not written");
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

/// What a call acted on, as `collection/name`: the first path parameter
/// (`/api/v1/apps/{id}/start` on `/api/v1/apps/a1/start` → `apps/a1`), else the `name` or
/// `id` the body gives (or its `config.name`: a channel), else the id the answer gives (`app.id` of an upload), else the
/// collection alone.
fn target(path: &str, template: &str, summary: &Value, answer: &Value) -> String {
    let rest = |p: &str| p.trim_start_matches("/api/v1/").to_string();
    let (path, template) = (rest(path), rest(template));
    let collection = template.split('/').next().unwrap_or_default().to_string();
    let parameter = path
        .split('/')
        .zip(template.split('/'))
        .find(|(_, t)| t.starts_with('{'))
        .map(|(p, _)| p.to_string());
    let body = &summary["body"];
    let named = parameter
        .or_else(|| text(&body["name"]))
        .or_else(|| text(&body["config"]["name"]))
        .or_else(|| text(&body["id"]))
        .or_else(|| text(&answer["app"]["id"]))
        .or_else(|| text(&answer["id"]))
        .or_else(|| text(&answer["name"]));
    match named {
        Some(name) => format!("{collection}/{name}"),
        None => collection,
    }
}

fn text(value: &Value) -> Option<String> {
    value.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_the_path_parameter_else_what_the_body_or_answer_names() {
        let none = Value::Null;
        let cases = [
            (
                "/api/v1/apps/a1/start",
                "/api/v1/apps/{id}/start",
                &none,
                &none,
                "apps/a1",
            ),
            (
                "/api/v1/channels/ops",
                "/api/v1/channels/{name}",
                &none,
                &none,
                "channels/ops",
            ),
            (
                "/api/v1/tokens/t9",
                "/api/v1/tokens/{id}",
                &none,
                &none,
                "tokens/t9",
            ),
            (
                "/api/v1/apps/bulk",
                "/api/v1/apps/bulk",
                &none,
                &none,
                "apps",
            ),
        ];
        for (path, template, summary, answer, expected) in cases {
            assert_eq!(target(path, template, summary, answer), expected, "{path}");
        }
        let body = json!({"body": {"name": "ops", "kind": "dingtalk"}});
        assert_eq!(
            target("/api/v1/channels", "/api/v1/channels", &body, &none),
            "channels/ops"
        );
        let uploaded = json!({"app": {"id": "app-7"}, "version": {}});
        assert_eq!(
            target(
                "/api/v1/apps/upload",
                "/api/v1/apps/upload",
                &none,
                &uploaded
            ),
            "apps/app-7"
        );
        let silence = json!({"id": "s-1"});
        assert_eq!(
            target("/api/v1/silences", "/api/v1/silences", &none, &silence),
            "silences/s-1"
        );
    }

    #[test]
    fn the_client_names_how_it_came() {
        let mut headers = HeaderMap::new();
        assert_eq!(Via::claimed(&headers), Via::Api);
        headers.insert("x-streamwarden-client", "cli".parse().expect("value"));
        assert_eq!(Via::claimed(&headers), Via::Cli);
        headers.insert("x-streamwarden-client", "curl".parse().expect("value"));
        assert_eq!(Via::claimed(&headers), Via::Api);
    }
}
