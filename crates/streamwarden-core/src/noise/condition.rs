//! What an event means for alert conditions: it opens one (a job down, a job restarting, a
//! cluster unreachable), it resolves some (the job runs again, the cluster answers), or it is a
//! one-off notice (a job finished).

use crate::{Event, EventKind, JobState};

/// An event's effect on conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Opens (or continues) the condition `key`.
    Open {
        /// Condition key: `job/<cluster>/<job name>/down`, `…/restarting`,
        /// `cluster/<cluster>/unreachable`.
        key: String,
    },
    /// A notice that is not a condition (a finished job): notified once, nothing to resolve.
    Notice {
        /// Key for de-duplicating identical notices.
        key: String,
    },
    /// Resolves the conditions `keys` once the subject has stayed well for the stability time
    /// (`stable`), or at once.
    Resolve {
        /// Condition keys.
        keys: Vec<String>,
        /// Wait for the stability time before resolving.
        stable: bool,
    },
    /// Nothing to alert or resolve.
    None,
}

/// The key of a job's condition. Jobs are identified by cluster and name, not job id: a job
/// brought back is a new Flink job with the same name.
pub fn job_key(cluster: &str, name: &str, condition: &str) -> String {
    format!("job/{cluster}/{name}/{condition}")
}

/// The key of a cluster's unreachability.
pub fn cluster_key(cluster: &str) -> String {
    format!("cluster/{cluster}/unreachable")
}

/// The key of a job's open health check: `job/<cluster>/<name>/unhealthy/<check>`.
fn unhealthy_key(cluster: &str, name: &str, event: &Event) -> String {
    let check = event.health.as_ref().map_or("", |h| h.check.as_str());
    job_key(cluster, name, &format!("unhealthy/{check}"))
}

/// What `event` does to conditions.
pub fn effect(event: &Event) -> Effect {
    let cluster = &event.cluster;
    match (&event.kind, &event.job) {
        (EventKind::ClusterUnreachable, _) => Effect::Open {
            key: cluster_key(cluster),
        },
        (EventKind::ClusterRecovered, _) => Effect::Resolve {
            keys: vec![cluster_key(cluster)],
            stable: false,
        },
        // Each step of self-healing is news of its own: never folded into another.
        (
            EventKind::RestartScheduled
            | EventKind::RestartSucceeded
            | EventKind::RestartFailed
            | EventKind::RestartGaveUp,
            Some(job),
        ) => Effect::Notice {
            key: format!(
                "{}/{}",
                job_key(cluster, &job.name, event.kind.as_str()),
                event.event_id
            ),
        },
        (EventKind::JobUnhealthy, Some(job)) => Effect::Open {
            key: unhealthy_key(cluster, &job.name, event),
        },
        (EventKind::JobHealthy, Some(job)) => Effect::Resolve {
            keys: vec![unhealthy_key(cluster, &job.name, event)],
            stable: false,
        },
        (EventKind::JobRestarted, Some(job)) => Effect::Open {
            key: job_key(cluster, &job.name, "restarting"),
        },
        (EventKind::JobDisappeared, Some(job)) => Effect::Open {
            key: job_key(cluster, &job.name, "down"),
        },
        (EventKind::JobStateChanged | EventKind::JobDiscovered, Some(job)) => match job.state {
            JobState::Failed | JobState::Canceled | JobState::Suspended
                if event.kind == EventKind::JobStateChanged && event.notify =>
            {
                Effect::Open {
                    key: job_key(cluster, &job.name, "down"),
                }
            }
            JobState::Restarting if event.notify => Effect::Open {
                key: job_key(cluster, &job.name, "restarting"),
            },
            JobState::Finished if event.notify => Effect::Notice {
                key: job_key(cluster, &job.name, "finished"),
            },
            JobState::Running => Effect::Resolve {
                keys: vec![
                    job_key(cluster, &job.name, "down"),
                    job_key(cluster, &job.name, "restarting"),
                ],
                stable: true,
            },
            _ => Effect::None,
        },
        _ => Effect::None,
    }
}
