//! The console's static files, embedded in the binary: `GET /ui/assets/{file}`.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `(file name, content type, content)` of every asset.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "htmx.min.js",
        "text/javascript",
        include_str!("../../console/assets/htmx.min.js"),
    ),
    (
        "console.js",
        "text/javascript",
        include_str!("../../console/assets/console.js"),
    ),
    (
        "console.css",
        "text/css",
        include_str!("../../console/assets/console.css"),
    ),
];

/// Serves an asset (cached for an hour), or 404.
pub(super) async fn serve(Path(file): Path<String>) -> Response {
    let all = [
        ASSETS,
        super::job::ASSETS,
        super::apps::ASSETS,
        super::channels::ASSETS,
        super::alerting::ASSETS,
    ];
    match all.into_iter().flatten().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no asset {file}")).into_response(),
    }
}
