//! API errors and the HTTP status each one gets.

use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use streamwarden_notify::describe::FieldError;
use streamwarden_store::StoreError;

/// An error answered by the API as `{"error": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// A query parameter or body field is invalid: 400; the message names the field.
    BadRequest(String),
    /// A submitted configuration is invalid: 400 with every offending field.
    Invalid(Vec<FieldError>),
    /// The request conflicts with what exists (a name taken, a read-only channel): 409.
    Conflict(String),
    /// A destination refused or failed (a test send): 502 with its real error.
    Upstream(String),
    /// No valid credentials: 401.
    Unauthorized(String),
    /// Authenticated, but the role is too low: 403.
    Forbidden(String),
    /// The thing asked for does not exist: 404.
    NotFound(String),
    /// Too many attempts (sign-ins of one user): 429; the message says how long to wait.
    TooManyRequests(String),
    /// The store failed: 500 (details are logged, not returned).
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `<field>: <reason>` (for an invalid configuration, every offending field's, joined by
    /// `; `).
    #[schema(example = "limit: at most 1000, got 5000")]
    pub error: String,
    /// An invalid configuration's offending fields, one by one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// `false` when a destination refused a test send (502).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
}

impl ErrorBody {
    /// An error with only its message.
    pub fn new(error: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: error.into(),
            errors: None,
            ok: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::Invalid(errors) => {
                let message = errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                let body = ErrorBody {
                    errors: Some(errors),
                    ..ErrorBody::new(message)
                };
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
            ApiError::Conflict(m) => (StatusCode::CONFLICT, m),
            ApiError::Upstream(m) => {
                let body = ErrorBody {
                    ok: Some(false),
                    ..ErrorBody::new(m)
                };
                return (StatusCode::BAD_GATEWAY, Json(body)).into_response();
            }
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, format!("forbidden: {m}")),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, format!("not found: {m}")),
            ApiError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m),
            ApiError::Internal(m) => {
                tracing::error!(error = m, "API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the server log".into(),
                )
            }
        };
        (status, Json(ErrorBody::new(message))).into_response()
    }
}

/// Answers axum's own rejections under `/api/` (a body or query string that does not parse, a
/// body too large, an unknown route or method) in the API's error format,
/// `{"error": "<field>: <reason>"}`, keeping their status.
pub(crate) async fn json_rejections(request: Request, next: Next) -> Response {
    let call = format!("{} {}", request.method(), request.uri().path());
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let body = ErrorBody::new(rejection_message(status, &text, &call));
    (parts, Json(body)).into_response()
}

/// `<field>: <reason>` for a rejection's status and text.
fn rejection_message(status: StatusCode, text: &str, call: &str) -> String {
    const PREFIXES: [(&str, &str); 4] = [
        (
            "Failed to deserialize the JSON body into the target type: ",
            "body",
        ),
        ("Failed to parse the request body as JSON: ", "body"),
        ("Failed to deserialize query string: ", "query"),
        ("Failed to buffer the request body: ", "body"),
    ];
    for (prefix, field) in PREFIXES {
        if let Some(reason) = text.strip_prefix(prefix) {
            // serde names the offending field first (`role: unknown variant …`) when it knows it.
            let named = reason
                .split_once(": ")
                .is_some_and(|(path, _)| !path.is_empty() && !path.contains(' '));
            return if named {
                reason.to_string()
            } else {
                format!("{field}: {reason}")
            };
        }
    }
    match (status, text.is_empty()) {
        (StatusCode::NOT_FOUND, true) => format!("not found: no route for {call}"),
        (StatusCode::METHOD_NOT_ALLOWED, true) => format!("method: {call} is not allowed"),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, _) => format!("content-type: {text}"),
        (_, true) => format!(
            "request: {}",
            status.canonical_reason().unwrap_or("refused")
        ),
        (_, false) => format!("request: {text}"),
    }
}
