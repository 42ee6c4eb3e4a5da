//! The web console: server-rendered pages under `/ui/` (minijinja templates embedded in the
//! binary) that read the store directly, refresh their live parts with htmx every
//! [`LIVE_REFRESH_MS`], and make every change through the JSON API (`/api/v1/…`) from
//! `console.js` with the session's CSRF token — so the console is held to exactly the same
//! roles, validation and audit as the API and the CLI.
//!
//! Every asset (htmx, the console's script and style) is embedded: the console works offline.

mod alerting;
mod apps;
mod assets;
mod channels;
mod format;
mod job;
mod pages;

use crate::auth::Principal;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::{Environment, Value, context};
use std::sync::OnceLock;

/// How often live parts of a page refresh, ms.
pub const LIVE_REFRESH_MS: u64 = 2000;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui/") }))
        .route("/ui", get(|| async { Redirect::to("/ui/") }))
        .route("/ui/login", get(pages::login))
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route("/ui/assets/{file}", get(assets::serve))
        .merge(pages::routes())
        .merge(job::routes())
        .merge(apps::routes())
        .merge(channels::routes())
        .merge(alerting::routes())
}

/// The templates, compiled once. Names end in `.html`, so values are HTML-escaped.
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let all = [
            pages::TEMPLATES,
            job::TEMPLATES,
            apps::TEMPLATES,
            channels::TEMPLATES,
            alerting::TEMPLATES,
        ];
        for (name, source) in all.into_iter().flatten() {
            if let Err(error) = env.add_template(name, source) {
                // A broken template is a build mistake; the page using it reports it.
                tracing::error!(template = name, %error, "console template does not compile");
            }
        }
        format::register(&mut env);
        env
    })
}

/// Who is looking at a page, and what the page needs to make changes.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// The signed-in user (or, while no user exists, `anonymous`).
    pub user: String,
    /// Their role, so pages show only the buttons that will work.
    pub role: streamwarden_core::access::Role,
    /// The session's CSRF token (empty while no user exists: no session is needed).
    pub csrf: String,
    /// No user exists yet: anyone may do anything.
    pub open: bool,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("sign in at /ui/login".into()))?;
        Ok(Viewer {
            user: principal.user,
            role: principal.role,
            csrf: principal.csrf.unwrap_or_default(),
            open: !principal.authenticated,
        })
    }
}

impl Viewer {
    /// What every page's layout shows: the user, their role, the CSRF token, the open-mode
    /// warning, the active menu entry and the live refresh period.
    fn context(&self, active: &str) -> Value {
        context! {
            me => context! {
                user => self.user.clone(),
                role => self.role.as_str(),
                operator => self.role >= streamwarden_core::access::Role::Operator,
                admin => self.role >= streamwarden_core::access::Role::Admin,
                open => self.open,
            },
            csrf => self.csrf.clone(),
            active => active,
            refresh_ms => LIVE_REFRESH_MS,
        }
    }

    /// Renders page `template` with `values` merged over the layout's context.
    pub(crate) fn render(
        &self,
        template: &str,
        active: &str,
        values: Value,
    ) -> Result<Html<String>, ConsoleError> {
        render(template, context! { ..values, ..self.context(active) })
    }
}

/// A filter value from a page's query: `None` when absent or empty (an empty select).
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// A template value from anything serializable (rows of the store, lines of a page).
pub(crate) fn serde<T: serde::Serialize>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Renders `template` with `values`.
fn render(template: &str, values: Value) -> Result<Html<String>, ConsoleError> {
    environment()
        .get_template(template)
        .and_then(|t| t.render(values))
        .map(Html)
        .map_err(|e| {
            ConsoleError(ApiError::Internal(format!(
                "console template {template}: {e:#}"
            )))
        })
}

/// A page that cannot be shown: an HTML page with the reason and the API's status.
#[derive(Debug)]
pub(crate) struct ConsoleError(pub ApiError);

impl From<ApiError> for ConsoleError {
    fn from(error: ApiError) -> Self {
        ConsoleError(error)
    }
}

impl From<streamwarden_store::StoreError> for ConsoleError {
    fn from(error: streamwarden_store::StoreError) -> Self {
        ConsoleError(error.into())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, message) = match &self.0 {
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, format!("not found: {m}")),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m.clone()),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            ApiError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m.clone()),
            other => {
                tracing::error!(error = ?other, "console page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the server log".into(),
                )
            }
        };
        let page = render(
            "error.html",
            context! { status => status.as_u16(), message => message.clone() },
        )
        .map(|h| h.0)
        .unwrap_or(message);
        (status, Html(page)).into_response()
    }
}
