//! Cluster, job, exception and metric views.

use flink_client::{
    ClusterOverview, DashboardConfig, JobDetails, JobExceptions, JobsOverview, Metric,
};

use crate::{RUNNING_JID, parse, raw, serve};

#[test]
fn cluster_overview() {
    let overview: ClusterOverview = parse("overview.json");
    assert_eq!(overview.taskmanagers, 1);
    assert_eq!((overview.slots_total, overview.slots_available), (16, 12));
    assert_eq!(overview.jobs_running, 4);
    assert_eq!(
        (
            overview.jobs_finished,
            overview.jobs_cancelled,
            overview.jobs_failed
        ),
        (1, 1, 1)
    );
    assert_eq!(overview.flink_version.as_deref(), Some("2.3.0"));
    assert_eq!(overview.flink_commit.as_deref(), Some("c0f8d1a"));
}

#[test]
fn dashboard_config() {
    let config: DashboardConfig = parse("config.json");
    assert_eq!(config.refresh_interval_ms, Some(3000));
    assert_eq!(
        config.timezone_name.as_deref(),
        Some("Coordinated Universal Time")
    );
    assert_eq!(config.timezone_offset_ms, Some(0));
    assert_eq!(config.flink_version.as_deref(), Some("2.3.0"));
    assert!(
        config
            .flink_revision
            .as_deref()
            .is_some_and(|r| r.starts_with("c0f8d1a @ "))
    );
    assert_eq!(config.feature("web-submit"), Some(true));
    assert_eq!(config.feature("web-rescale"), Some(false));
    assert_eq!(config.feature("no-such-feature"), None);
}

#[test]
fn jobs_overview_states_and_end_times() {
    let overview: JobsOverview = parse("jobs_overview.json");
    let jobs = overview.jobs;
    assert_eq!(jobs.len(), 7);
    let by_name = |name: &str| {
        jobs.iter()
            .find(|job| job.name == name)
            .unwrap_or_else(|| panic!("job {name} in fixture"))
    };

    let cancelled = by_name("fx-cancel");
    assert_eq!(cancelled.jid, "ca54299f56775cbb9365e1a655a40a41");
    assert_eq!(cancelled.state, "CANCELED");
    assert_eq!(cancelled.end_time_ms, Some(1_795_251_004_790));
    assert_eq!(cancelled.duration_ms, Some(38_708));
    assert_eq!(
        cancelled.tasks.as_ref().and_then(|t| t.get("canceled")),
        Some(&1)
    );

    let running = by_name("fx-steady-checkpointed");
    assert_eq!(running.jid, RUNNING_JID);
    assert_eq!(running.state, "RUNNING");
    assert_eq!(running.end_time_ms, None, "end-time -1 while running");
    assert_eq!(running.end_time(), None);
    assert_eq!(running.start_time_ms, Some(1_795_250_963_866));
    assert_eq!(running.last_modification_ms, Some(1_795_250_964_575));
    assert_eq!(running.job_type.as_deref(), Some("STREAMING"));
    assert_eq!(
        running.tasks.as_ref().and_then(|t| t.get("total")),
        Some(&1)
    );

    let restarting = by_name("fx-loop");
    assert_eq!(restarting.state, "RESTARTING");
    assert_eq!(restarting.end_time_ms, None);

    assert_eq!(by_name("fx-fail").state, "FAILED");
    assert_eq!(by_name("fx-fail").end_time_ms, Some(1_795_250_967_259));
    assert_eq!(by_name("fx-finish").state, "FINISHED");
}

#[test]
fn running_job_details() {
    let job: JobDetails = parse("job_running.json");
    assert_eq!(job.jid, RUNNING_JID);
    assert_eq!(job.name, "fx-steady-checkpointed");
    assert_eq!(job.state, "RUNNING");
    assert_eq!(job.end_time_ms, None, "end-time -1 while running");
    assert_eq!(job.end_time(), None);
    assert_eq!(job.start_time_ms, Some(1_795_250_963_866));
    assert_eq!(job.duration_ms, Some(45_824));
    assert_eq!(job.now_ms, Some(1_795_251_009_690));
    assert_eq!(job.is_stoppable, Some(false));
    assert_eq!(job.job_type.as_deref(), Some("STREAMING"));
    assert_eq!(job.application_id.as_deref(), Some(RUNNING_JID));
    assert_eq!(job.max_parallelism, Some(-1));
    assert_eq!(job.state_timestamp("RUNNING"), Some(1_795_250_964_048));
    assert_eq!(job.state_timestamp("FAILED"), None, "0 means never");
    assert_eq!(job.timestamps.len(), 11);
    assert_eq!(job.status_counts.get("RUNNING"), Some(&1));

    assert_eq!(job.vertices.len(), 1);
    let vertex = &job.vertices[0];
    assert_eq!(vertex.id, "cbc357ccb763df2852fee8c4fc7d55f2");
    assert_eq!(
        vertex.name,
        "Source: sequence -> slow-map -> discard: Writer"
    );
    assert_eq!(vertex.parallelism, 1);
    assert_eq!(vertex.max_parallelism, Some(128));
    assert_eq!(vertex.status, "RUNNING");
    assert_eq!(vertex.end_time_ms, None);
    assert_eq!(vertex.tasks.get("RUNNING"), Some(&1));
}

#[test]
fn failed_job_root_cause_unwraps_flinks_recovery_exception() {
    let exceptions: JobExceptions = parse("job_exceptions_failed.json");
    let history = &exceptions.exception_history;
    assert_eq!(history.entries.len(), 1);
    assert!(!history.truncated);
    assert_eq!(
        exceptions.root_exception, None,
        "Flink 2.x sends no legacy fields"
    );
    let entry = &history.entries[0];
    assert_eq!(
        entry.exception_name,
        "org.apache.flink.runtime.JobException"
    );
    assert_eq!(entry.task_name, None, "the wrapper is a global failure");
    assert_eq!(entry.concurrent_exceptions.len(), 1);

    let cause = exceptions
        .root_cause()
        .expect("a failed job has a root cause");
    assert_eq!(cause.name, "java.lang.IllegalStateException");
    assert_eq!(cause.message, "demo failure after 2000 ms");
    assert_eq!(
        cause.task.as_deref(),
        Some("Source: sequence -> slow-map -> discard: Writer (1/1) - execution #0")
    );
    assert_eq!(cause.timestamp_ms, Some(1_795_250_967_259));
    assert!(cause.stacktrace.starts_with("org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy"));
    assert_eq!(
        cause.first_lines(2),
        "java.lang.IllegalStateException: demo failure after 2000 ms\n\tat io.streamwarden.demo.DemoJob$SlowMap.map(DemoJob.java:109)"
    );
}

#[test]
fn restarting_job_history_is_newest_first() {
    let exceptions: JobExceptions = parse("job_exceptions_restarting.json");
    let entries = &exceptions.exception_history.entries;
    assert_eq!(entries.len(), 9);
    assert!(
        entries
            .windows(2)
            .all(|w| w[0].timestamp_ms > w[1].timestamp_ms)
    );
    let newest = &entries[0];
    assert_eq!(newest.endpoint.as_deref(), Some("localhost:18481"));
    assert_eq!(
        newest.task_manager_id.as_deref(),
        Some("localhost:18381-e97312")
    );
    assert!(newest.failure_labels.is_empty());

    let cause = exceptions.root_cause().expect("root cause");
    assert_eq!(cause.name, "java.lang.IllegalStateException");
    assert_eq!(cause.message, "demo failure after 2000 ms");
    assert_eq!(cause.timestamp_ms, Some(1_795_251_007_843));
    assert_eq!(
        cause.task.as_deref(),
        Some("Source: sequence -> slow-map -> discard: Writer (1/1) - execution #8")
    );
}

#[test]
fn metric_list_without_values() {
    let metrics: Vec<Metric> = parse("job_metrics_list.json");
    assert_eq!(metrics.len(), 26);
    assert!(metrics.iter().any(|m| m.id == "numRestarts"));
    assert!(metrics.iter().all(|m| m.value.is_empty()));
}

#[tokio::test]
async fn num_restarts_from_the_recorded_metric() {
    let (server, client) = serve(200, raw("job_metrics_num_restarts.json")).await;
    assert_eq!(
        client.num_restarts(RUNNING_JID).await.expect("metric"),
        Some(8)
    );
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests[0].url.query(), Some("get=numRestarts"));
}
