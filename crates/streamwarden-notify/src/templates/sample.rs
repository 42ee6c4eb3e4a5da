//! Sample events and notifications: templates are checked against them when saved, previewed
//! with them, and the default templates are snapshot-tested on them.

use streamwarden_core::healing::Trigger;
use streamwarden_core::health::{Check, HealthFacts};
use streamwarden_core::noise::{Member, Notice};
use streamwarden_core::notification::{Notification, Outgoing};
use streamwarden_core::routing::Recipients;
use streamwarden_core::{
    Event, EventKind, JobFacts, JobState, RestartFacts, RootException, Severity,
};

const CLUSTER_URL: &str = "http://flink-jobmanager:8081/";
const JID: &str = "3f2b9c1d4e5a60718293a4b5c6d7e8f9";
/// The Flink job id of the job an automatic restart started.
const NEW_JID: &str = "8c1e4f2a9b3d5e6f7a8b9c0d1e2f3a4b";
/// The managed application of the job (UUID v7, as the API makes them).
const APP_ID: &str = "0199a1b0-7c2e-7a41-9d3f-5e6a7b8c9d0e";
const RESTORE_POINT: &str =
    "s3://flink-state/checkpoints/3f2b9c1d4e5a60718293a4b5c6d7e8f9/chk-1842";

fn job(previous: JobState, state: JobState, restarts: u64) -> JobFacts {
    JobFacts {
        id: JID.into(),
        name: "orders-enrichment".into(),
        previous_state: Some(previous),
        state,
        start_time_ms: Some(1_763_700_000_000),
        end_time_ms: state.is_globally_terminal().then_some(1_763_703_723_000),
        duration_ms: Some(3_723_000),
        restarts: Some(restarts),
        previous_restarts: Some(restarts.saturating_sub(1)),
        url: format!("{CLUSTER_URL}#/job/running/{JID}/overview"),
    }
}

fn exception() -> RootException {
    RootException {
        name: "java.lang.IllegalStateException".into(),
        message: "Kafka topic orders is not available".into(),
        stacktrace: "java.lang.IllegalStateException: Kafka topic orders is not available\n\tat com.example.Enrich.map(Enrich.java:42)\n\tat org.apache.flink.streaming.api.operators.StreamMap.processElement(StreamMap.java:38)".into(),
        task: Some("Enrich -> Sink (1/4)".into()),
        timestamp_ms: Some(1_763_703_722_900),
    }
}

fn base(id: &str, kind: EventKind, severity: Severity, summary: &str) -> Event {
    Event {
        event_id: id.into(),
        kind,
        severity,
        notify: true,
        summary: summary.into(),
        occurred_at_ms: 1_763_703_723_000,
        observed_at_ms: 1_763_703_723_450,
        cluster: "prod".into(),
        cluster_url: CLUSTER_URL.into(),
        job: None,
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

/// Self-healing's facts of attempt `attempt` of 3 within 30 min, after the job FAILED, due 20 s
/// after the failure and restoring from the latest checkpoint.
fn restart(attempt: u32) -> RestartFacts {
    RestartFacts {
        app_id: APP_ID.into(),
        trigger: Trigger::Failed,
        attempt,
        max_restarts: 3,
        window_ms: 30 * 60 * 1000,
        at_ms: Some(1_763_703_743_000),
        restore_point: Some(RESTORE_POINT.into()),
        new_job_id: None,
        reason: None,
    }
}

/// A self-healing event: built from the event that brought the job down (the failed job, as
/// the healer does), without its exception.
fn healing(id: &str, kind: EventKind, severity: Severity, summary: &str) -> Event {
    let mut event = base(id, kind, severity, summary);
    event.job = Some(job(JobState::Running, JobState::Failed, 0));
    event
}

/// A health event: the job as the health check polled it (RUNNING, no previous state).
fn health(id: &str, kind: EventKind, severity: Severity, summary: &str) -> Event {
    let mut event = base(id, kind, severity, summary);
    event.job = Some(JobFacts {
        previous_state: None,
        previous_restarts: None,
        ..job(JobState::Running, JobState::Running, 19)
    });
    event
}

/// One event of every shape: job failed (with exception), job restarted, job recovered, job
/// disappeared, cluster unreachable, cluster recovered; self-healing's restart scheduled,
/// succeeded, failed (without state) and given up; a job unhealthy (restart loop) and healthy
/// again (checkpoints).
pub fn events() -> Vec<Event> {
    let mut failed = base(
        "0199a1b2-0000-7000-8000-00000000f001",
        EventKind::JobStateChanged,
        Severity::Critical,
        "Job orders-enrichment (3f2b9c1d) on cluster prod: RUNNING → FAILED: java.lang.IllegalStateException: Kafka topic orders is not available",
    );
    failed.job = Some(job(JobState::Running, JobState::Failed, 0));
    failed.exception = Some(exception());
    let mut restarted = base(
        "0199a1b2-0000-7000-8000-00000000f002",
        EventKind::JobRestarted,
        Severity::Major,
        "Job orders-enrichment (3f2b9c1d) on cluster prod restarted 1 time (numRestarts 6 → 7): java.lang.IllegalStateException: Kafka topic orders is not available",
    );
    restarted.job = Some(job(JobState::Running, JobState::Running, 7));
    restarted.exception = Some(exception());
    let mut recovered = base(
        "0199a1b2-0000-7000-8000-00000000f003",
        EventKind::JobStateChanged,
        Severity::Info,
        "Job orders-enrichment (3f2b9c1d) on cluster prod: RESTARTING → RUNNING",
    );
    recovered.job = Some(job(JobState::Restarting, JobState::Running, 7));
    let mut disappeared = base(
        "0199a1b2-0000-7000-8000-00000000f004",
        EventKind::JobDisappeared,
        Severity::Critical,
        "Job orders-enrichment (3f2b9c1d) disappeared from cluster prod while RUNNING",
    );
    disappeared.job = Some(job(JobState::Running, JobState::Running, 0));
    let mut unreachable = base(
        "0199a1b2-0000-7000-8000-00000000f005",
        EventKind::ClusterUnreachable,
        Severity::Critical,
        "Cluster prod unreachable (3 failed polls in a row): cluster \"prod\": GET /jobs/overview: could not connect",
    );
    unreachable.error = Some("cluster \"prod\": GET /jobs/overview: could not connect".into());
    let recovered_cluster = base(
        "0199a1b2-0000-7000-8000-00000000f006",
        EventKind::ClusterRecovered,
        Severity::Info,
        "Cluster prod reachable again after 95 s",
    );
    let mut scheduled = healing(
        "0199a1b2-0000-7000-8000-00000000f007",
        EventKind::RestartScheduled,
        Severity::Major,
        &format!("orders-enrichment: restart 2 of 3 in 20 s, from {RESTORE_POINT}"),
    );
    scheduled.restart = Some(restart(2));
    let mut succeeded = healing(
        "0199a1b2-0000-7000-8000-00000000f008",
        EventKind::RestartSucceeded,
        Severity::Info,
        &format!(
            "orders-enrichment: restarted as job {NEW_JID} (attempt 2 of 3), restored from {RESTORE_POINT}"
        ),
    );
    succeeded.restart = Some(RestartFacts {
        at_ms: Some(1_763_703_744_200),
        new_job_id: Some(NEW_JID.into()),
        ..restart(2)
    });
    let reason = "Flink refused the job: org.apache.flink.runtime.client.JobSubmissionException: Failed to submit JobGraph";
    let mut restart_failed = healing(
        "0199a1b2-0000-7000-8000-00000000f009",
        EventKind::RestartFailed,
        Severity::Major,
        &format!("orders-enrichment: restart 2 of 3 failed: {reason}"),
    );
    restart_failed.restart = Some(RestartFacts {
        restore_point: None,
        reason: Some(reason.into()),
        ..restart(2)
    });
    let mut gave_up = healing(
        "0199a1b2-0000-7000-8000-00000000f010",
        EventKind::RestartGaveUp,
        Severity::Critical,
        "orders-enrichment: 3 automatic restarts within 30m: the limit; giving up",
    );
    gave_up.restart = Some(RestartFacts {
        at_ms: None,
        restore_point: None,
        reason: Some("3 automatic restarts within 30m: the limit".into()),
        ..restart(3)
    });
    let mut unhealthy = health(
        "0199a1b2-0000-7000-8000-00000000f011",
        EventKind::JobUnhealthy,
        Severity::Major,
        "orders-enrichment is unhealthy (restart_loop): numRestarts grew by 7 within 10 min (limit 3)",
    );
    unhealthy.health = Some(HealthFacts {
        check: Check::RestartLoop,
        unhealthy: true,
        observed: 7,
        limit: 3,
        window_ms: Some(10 * 60 * 1000),
        reason: "numRestarts grew by 7 within 10 min (limit 3)".into(),
    });
    let stall = "a checkpoint completed 18 s ago (threshold 20 min = max(interval 1 min, timeout 10 min) × (0 tolerable failures + 2))";
    let mut healthy = health(
        "0199a1b2-0000-7000-8000-00000000f012",
        EventKind::JobHealthy,
        Severity::Info,
        &format!("orders-enrichment is healthy again (checkpoint_stalled): {stall}"),
    );
    healthy.health = Some(HealthFacts {
        check: Check::CheckpointStalled,
        unhealthy: false,
        observed: 18_000,
        limit: 20 * 60 * 1000,
        window_ms: None,
        reason: stall.into(),
    });
    vec![
        failed,
        restarted,
        recovered,
        disappeared,
        unreachable,
        recovered_cluster,
        scheduled,
        succeeded,
        restart_failed,
        gave_up,
        unhealthy,
        healthy,
    ]
}

/// `event` as a single alert notification of the implicit route.
pub fn alert_of(event: &Event) -> Outgoing {
    single(
        event,
        Notice::Alert {
            alert_id: format!("alert-{}", event.event_id),
            event_id: event.event_id.clone(),
        },
        false,
    )
}

fn single(event: &Event, notice: Notice, resolved: bool) -> Outgoing {
    Outgoing {
        notification: Notification {
            id: format!("n-{}", event.event_id),
            route: "default".into(),
            cluster: event.cluster.clone(),
            severity: event.severity,
            recipients: Recipients::default(),
            notice,
            created_ms: event.observed_at_ms,
        },
        events: vec![(event.clone(), resolved)],
    }
}

/// One notification of every shape: each sample event as an alert, a resolution of an unhealthy
/// job (carrying its `job_healthy` event), a group of restarts scheduled for two more jobs, a
/// repeat, a resolution of a failed job, and a group of 25 members (alerts and resolutions,
/// more than a group shows). The last three stay last, in this order.
pub fn notifications() -> Vec<Outgoing> {
    let events = events();
    let mut all: Vec<Outgoing> = events.iter().map(alert_of).collect();
    let failed = &events[0];
    let recovered = &events[2];
    let scheduled = &events[6];
    let unhealthy = &events[10];
    let healthy = &events[11];
    // The unhealthy job's check closed: the resolution shows the `job_healthy` event, with the
    // severity of the alert it ends.
    let mut healed = single(
        healthy,
        Notice::Resolved {
            alert_id: "alert-2".into(),
            event_id: healthy.event_id.clone(),
        },
        true,
    );
    healed.notification.severity = unhealthy.severity;
    healed.notification.id = "n-resolved_unhealthy".into();
    all.push(healed);
    // An outage took down three managed applications at once: the first restart scheduled went
    // out alone, the other two joined its group.
    let restarts: Vec<(Event, bool)> = ["payments-aggregator", "fraud-scoring"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut event = scheduled.clone();
            event.event_id = format!("0199a1b2-0000-7000-8000-0000000h{i:04}");
            event.summary = format!("{name}: restart 1 of 3 in 10 s, without state");
            if let Some(job) = event.job.as_mut() {
                job.name = (*name).into();
                job.id = format!("{:032x}", i + 101);
                job.url = format!("{CLUSTER_URL}#/job/completed/{}/overview", job.id);
            }
            if let Some(restart) = event.restart.as_mut() {
                restart.app_id = format!("0199a1b0-7c2e-7a41-9d3f-00000000{i:04}");
                restart.attempt = 1;
                restart.at_ms = Some(1_763_703_733_000);
                restart.restore_point = None;
            }
            (event, false)
        })
        .collect();
    all.push(group(
        "n-group_restarts",
        format!("{}/restart_scheduled", scheduled.cluster),
        scheduled,
        restarts,
    ));
    let mut repeat = single(
        failed,
        Notice::Repeat {
            alert_id: "alert-1".into(),
            event_id: failed.event_id.clone(),
        },
        false,
    );
    repeat.notification.id = "n-repeat".into();
    all.push(repeat);
    // A resolution carries the severity of the alert it ends, not of the recovery event.
    let mut resolution = single(
        recovered,
        Notice::Resolved {
            alert_id: "alert-1".into(),
            event_id: recovered.event_id.clone(),
        },
        true,
    );
    resolution.notification.severity = failed.severity;
    resolution.notification.id = "n-resolved".into();
    all.push(resolution);
    let members: Vec<(Event, bool)> = (0..25)
        .map(|i| {
            let mut event = failed.clone();
            event.event_id = format!("0199a1b2-0000-7000-8000-0000000g{i:04}");
            if let Some(job) = event.job.as_mut() {
                job.name = format!("orders-shard-{i}");
                job.id = format!("{:032x}", i + 1);
            }
            (event, i % 5 == 4)
        })
        .collect();
    all.push(group(
        "n-group",
        format!("{}/job_state_changed", failed.cluster),
        failed,
        members,
    ));
    all
}

/// A group notification `id` of `members`, decided 10 s after `first` was seen.
fn group(id: &str, key: String, first: &Event, members: Vec<(Event, bool)>) -> Outgoing {
    Outgoing {
        notification: Notification {
            id: id.into(),
            route: "default".into(),
            cluster: first.cluster.clone(),
            severity: first.severity,
            recipients: Recipients::default(),
            notice: Notice::Group {
                group: key,
                members: members
                    .iter()
                    .map(|(e, resolved)| Member {
                        alert_id: format!("alert-{}", e.event_id),
                        event_id: e.event_id.clone(),
                        resolved: *resolved,
                    })
                    .collect(),
            },
            created_ms: first.observed_at_ms + 10_000,
        },
        events: members,
    }
}
