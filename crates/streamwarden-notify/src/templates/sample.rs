//! Sample events and notifications: templates are checked against them when saved, previewed
//! with them, and the default templates are snapshot-tested on them.

use streamwarden_core::noise::{Member, Notice};
use streamwarden_core::notification::{Notification, Outgoing};
use streamwarden_core::routing::Recipients;
use streamwarden_core::{Event, EventKind, JobFacts, JobState, RootException, Severity};

const CLUSTER_URL: &str = "http://flink-jobmanager:8081/";
const JID: &str = "3f2b9c1d4e5a60718293a4b5c6d7e8f9";

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
    }
}

/// One event of every shape: job failed (with exception), job restarted, job recovered, job
/// disappeared, cluster unreachable, cluster recovered.
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
    vec![
        failed,
        restarted,
        recovered,
        disappeared,
        unreachable,
        recovered_cluster,
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

/// One notification of every shape: each sample event as an alert, a repeat, a resolution of a
/// failed job, and a group of 25 members (alerts and resolutions, more than a group shows).
pub fn notifications() -> Vec<Outgoing> {
    let events = events();
    let mut all: Vec<Outgoing> = events.iter().map(alert_of).collect();
    let failed = &events[0];
    let recovered = &events[2];
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
    all.push(Outgoing {
        notification: Notification {
            id: "n-group".into(),
            route: "default".into(),
            cluster: failed.cluster.clone(),
            severity: failed.severity,
            recipients: Recipients::default(),
            notice: Notice::Group {
                group: format!("{}/job_state_changed", failed.cluster),
                members: members
                    .iter()
                    .map(|(e, resolved)| Member {
                        alert_id: format!("alert-{}", e.event_id),
                        event_id: e.event_id.clone(),
                        resolved: *resolved,
                    })
                    .collect(),
            },
            created_ms: failed.observed_at_ms + 10_000,
        },
        events: members,
    });
    all
}
