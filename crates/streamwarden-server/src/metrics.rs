//! `GET /metrics`: StreamWarden's own metrics in Prometheus' text format.
//!
//! Counted where they happen (through the `metrics` facade): poll latency per cluster
//! (`streamwarden_poll_duration_seconds`), events per cluster and kind
//! (`streamwarden_events_total`), delivery attempts per channel and outcome
//! (`streamwarden_deliveries_total`: delivered, retry, failed), automatic restarts per outcome
//! (`streamwarden_restarts_total`). Read from the store at each scrape: clusters up
//! (`streamwarden_cluster_up`, 1 or 0), jobs per cluster and Flink state (`streamwarden_jobs`,
//! every state, 0 included), the outbox (`streamwarden_outbox_pending`,
//! `streamwarden_outbox_oldest_pending_seconds`).

use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::BTreeMap;
use streamwarden_core::JobState;
use streamwarden_core::clock::now_ms;

/// Renders the metrics; 404 when the process runs without a metrics recorder.
#[utoipa::path(get, path = "/metrics", tag = "service", operation_id = "metrics",
    responses(
        (status = 200, description = "StreamWarden's metrics", body = String,
            content_type = "text/plain; version=0.0.4",
            example = "streamwarden_outbox_pending 0"),
        (status = 404, description = "The process runs without a metrics recorder",
            body = crate::ErrorBody),
        (status = 500, description = "The store failed", body = crate::ErrorBody),
    ))]
pub(crate) async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let Some(handle) = &state.metrics else {
        return Err(ApiError::NotFound("metrics are not recorded".into()));
    };
    let clusters = state.store.list_clusters().await?;
    let jobs = state.store.list_jobs(None).await?;
    let outbox = state.store.outbox_stats().await?;
    for cluster in &clusters {
        let up = if cluster.health.unreachable { 0.0 } else { 1.0 };
        metrics::gauge!("streamwarden_cluster_up", "cluster" => cluster.name.clone()).set(up);
        let mut counts: BTreeMap<JobState, u32> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
        for job in jobs.iter().filter(|j| j.cluster == cluster.name) {
            *counts.entry(job.job.state).or_default() += 1;
        }
        for (job_state, count) in counts {
            metrics::gauge!(
                "streamwarden_jobs",
                "cluster" => cluster.name.clone(),
                "state" => job_state.as_str()
            )
            .set(f64::from(count));
        }
    }
    metrics::gauge!("streamwarden_outbox_pending").set(outbox.pending as f64);
    let oldest_s = outbox
        .oldest_pending_ms
        .map_or(0.0, |t| (now_ms() - t).max(0) as f64 / 1000.0);
    metrics::gauge!("streamwarden_outbox_oldest_pending_seconds").set(oldest_s);
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    ))
}
