//! API errors and the HTTP status each one gets.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
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
    /// The store failed: 500 (details are logged, not returned).
    Internal(String),
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
                let body = json!({ "error": message, "errors": errors });
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
            ApiError::Conflict(m) => (StatusCode::CONFLICT, m),
            ApiError::Upstream(m) => {
                return (
                    StatusCode::BAD_GATEWAY,
                    Json(json!({ "ok": false, "error": m })),
                )
                    .into_response();
            }
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, format!("forbidden: {m}")),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, format!("not found: {m}")),
            ApiError::Internal(m) => {
                tracing::error!(error = m, "API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the server log".into(),
                )
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}
