//! The OpenAPI 3.1 document of the HTTP API, served at `GET /api/v1/openapi.json`, and Swagger
//! UI at `/api/docs`, whose assets are built into the binary (nothing is fetched at run time).
//!
//! Every route of [`crate::router`] is listed in [`ApiDoc`]'s `paths(...)` below: a new route
//! gets `#[utoipa::path(...)]` above its handler and its handler's name in that list (the
//! `openapi` integration test fails until it has both). What every call has in common — the
//! bearer token, the role it needs, the 401, 403 and 500 answers — is added by [`Conventions`]
//! from [`required_role`], the table the server itself enforces.

use crate::{ErrorBody, metrics, v1};
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;
use streamwarden_core::access::required_role;
use streamwarden_store::AlertStatus;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "StreamWarden API"),
    paths(
        // lib.rs, metrics.rs and this file
        crate::healthz,
        crate::readyz,
        metrics::metrics,
        document,
        // v1/mod.rs
        v1::clusters,
        v1::jobs,
        v1::events,
        v1::deliveries,
        // v1/channels.rs
        v1::channels::kinds,
        v1::channels::list,
        v1::channels::create,
        v1::channels::show,
        v1::channels::update,
        v1::channels::remove,
        v1::channels::test,
        v1::channels::preview,
        // v1/alerting.rs
        v1::alerting::alerts,
        v1::alerting::acknowledge,
        v1::alerting::list_routes,
        v1::alerting::create_route,
        v1::alerting::update_route,
        v1::alerting::delete_route,
        v1::alerting::subscribe,
        v1::alerting::list_silences,
        v1::alerting::create_silence,
        v1::alerting::expire_silence,
        // v1/apps.rs and v1/apps/many.rs
        v1::apps::list,
        v1::apps::upload,
        v1::apps::show,
        v1::apps::versions,
        v1::apps::runs,
        v1::apps::inspect,
        v1::apps::start,
        v1::apps::stop,
        v1::apps::savepoint,
        v1::apps::enable,
        v1::apps::disable,
        v1::apps::tags,
        v1::apps::args,
        v1::apps::policy,
        v1::apps::many::inspect_many,
        v1::apps::many::tags_many,
        v1::apps::many::bulk,
        // v1/access.rs
        v1::access::list_users,
        v1::access::create_user,
        v1::access::list_tokens,
        v1::access::create_token,
        v1::access::revoke_token,
        v1::access::update_user,
        // v1/audit.rs and session.rs
        v1::audit::list,
        crate::session::sign_in,
        crate::session::whoami,
        crate::session::sign_out,
    ),
    // Schemas only query parameters name (the others are found from the operations).
    components(schemas(ErrorBody, AlertStatus)),
    modifiers(&Conventions),
    tags(
        (name = "service", description = "Liveness, readiness, metrics and this document."),
        (name = "watch", description = "What the watcher saw: clusters, jobs, events, and the \
            deliveries of alerts."),
        (name = "channels", description = "Destinations of alerts, their kinds and templates."),
        (name = "alerting", description = "The alert history, routes, subscriptions and \
            silences."),
        (name = "apps", description = "Managed applications: packages, versions, runs, \
            start, stop, savepoints, self-healing policy."),
        (name = "access", description = "Local users, API tokens, console sessions and the \
            audit log (admin only, but for the session)."),
    )
)]
pub(crate) struct ApiDoc;

/// The document's description.
const DESCRIPTION: &str = "\
StreamWarden watches Apache Flink jobs, alerts on failures and manages streaming applications.

**Errors** are JSON, `{\"error\": \"<field>: <reason>\"}`, naming the offending field; an invalid \
channel configuration also lists every offending field in `errors`, and a failed test send (502) \
carries `\"ok\": false`.

**Authentication.** Until the first user exists (`streamwarden users add NAME --admin`) the API \
is open: a call acts as admin, under the name given in `X-StreamWarden-User` (or \
`anonymous`). From then on every call but `/healthz`, `/readyz`, `/metrics` and the sign-in \
(`POST /api/v1/session`) needs `Authorization: Bearer swt_…` (a token from \
`POST /api/v1/tokens` or the CLI) or the console's session cookie, with the session's CSRF \
token in `X-CSRF-Token` for a change: a missing, unknown or revoked credential is 401, a role \
below what the call needs is 403. Roles: `viewer` reads; `operator` also runs applications, \
silences and acknowledges; `admin` also configures channels, routes, users and tokens and \
reads the audit log. Each operation says the role it needs. Every change is recorded in the \
audit log (`GET /api/v1/audit`).

Swagger UI for this document is at `/api/docs`.";

/// What every operation has in common, from the server's own rules.
pub(crate) struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.info.description = Some(DESCRIPTION.into());
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("swt_…")
                    .description(Some(
                        "An API token, `swt_` and 64 hex characters. Not needed while no user \
                         exists.",
                    ))
                    .build(),
            ),
        );
        for (name, description) in [
            (
                "Unauthorized",
                "No valid token (a user exists, and the token is missing, unknown or revoked)",
            ),
            ("Forbidden", "The token's role is below what the call needs"),
            (
                "InternalError",
                "The store failed (details are in the server log)",
            ),
            (
                "BadRequest",
                "A query parameter or the body is invalid (for a body, not JSON at all)",
            ),
            (
                "UnsupportedMediaType",
                "The body is not sent as `application/json`",
            ),
            (
                "Unprocessable",
                "The body is JSON but does not fit the schema: a missing or unknown field, or a \
                 value of the wrong type",
            ),
        ] {
            components.responses.insert(
                name.into(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content("application/json", error_content())
                        .build(),
                ),
            );
        }
        open_flattened(&mut components.schemas);
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    conventions(method, path, operation);
                }
            }
        }
    }
}

/// A type that refuses unknown fields (`additionalProperties: false`) and is also flattened
/// into a bigger answer (`allOf`: a `Route` into a `RouteView`) would refuse the bigger
/// answer's own fields: such a type is left open. (Unknown fields of a request are refused
/// all the same: 422.)
fn open_flattened(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    let flattened: BTreeSet<String> = schemas
        .values()
        .filter_map(|schema| match schema {
            RefOr::T(Schema::AllOf(all_of)) => Some(&all_of.items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            RefOr::Ref(r) => r.ref_location.strip_prefix("#/components/schemas/"),
            RefOr::T(_) => None,
        })
        .map(str::to_string)
        .collect();
    for name in flattened {
        if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(&name) {
            object.additional_properties = None;
        }
    }
}

/// The role, security and common answers of one operation.
fn conventions(method: &str, path: &str, operation: &mut Operation) {
    let json_body = operation
        .request_body
        .as_ref()
        .is_some_and(|body| match body {
            RefOr::T(body) => body.content.contains_key("application/json"),
            RefOr::Ref(_) => false,
        });
    let query = operation.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Query,
        RefOr::Ref(_) => false,
    });
    let responses = &mut operation.responses.responses;
    // What axum answers for a request its extractors refuse.
    let mut rejections = Vec::new();
    if json_body || query {
        rejections.push(("400", "BadRequest"));
    }
    if json_body {
        rejections.extend([("415", "UnsupportedMediaType"), ("422", "Unprocessable")]);
    }
    for (status, name) in rejections {
        responses
            .entry(status.into())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
    let Some(role) = required_role(method, path) else {
        operation.security = Some(vec![SecurityRequirement::default()]);
        return;
    };
    let note = format!("Needs the `{role}` role (once a user exists).");
    operation.description = Some(match operation.description.take() {
        Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
        _ => note,
    });
    // A token, or none while no user exists.
    operation.security = Some(vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::default(),
    ]);
    for (status, name) in [
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("500", "InternalError"),
    ] {
        responses
            .entry(status.into())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// `application/json` with an [`ErrorBody`].
fn error_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build()
}

/// The document as served (built once).
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"openapi: {e}\"}}"))
});

/// This OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API",
        body = Object, content_type = "application/json")))]
pub(crate) async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

/// Swagger UI at `/api/docs`, reading `/api/v1/openapi.json`.
pub(crate) fn swagger_ui() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/api/docs").config(
        utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])
            .try_it_out_enabled(true)
            .persist_authorization(true),
    )
}
