//! Serving a test server on a free local port.

use axum::Router;

/// Serves `router` on an ephemeral port of 127.0.0.1 (in a task of the current tokio runtime,
/// until the runtime ends); its base URL, `http://127.0.0.1:<port>`.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// A base URL (`http://127.0.0.1:<port>`) nothing listens on: connections are refused.
pub async fn unreachable_base_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}
