//! Routes, subscriptions, silences, alert history and the audit log pages.

use crate::AppState;
use axum::Router;

/// The templates of these pages, embedded.
pub(super) const TEMPLATES: &[(&str, &str)] = &[];

/// The static files of these pages, embedded: `(file name, content type, content)`.
pub(super) const ASSETS: &[(&str, &str, &str)] = &[];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
}
