//! The detector: from what StreamWarden knew of a cluster and what one poll observed, decide the
//! new state and the events. Pure: no clock, no IO, ids come from the caller.
//!
//! One call covers a whole cluster so that disappearances (a job missing from a reachable
//! cluster) and the cluster's own health are decided together with the jobs' transitions.

mod cluster;
mod job;
#[cfg(test)]
mod tests;

use crate::{Event, JobFacts, JobState, RootException};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use job::{needs_restart_count, needs_root_cause, transition_rule};

/// A stored job is re-written at least this often (epoch ms) so `last_seen_ms` stays meaningful
/// without writing every job on every poll.
pub const LAST_SEEN_REFRESH_MS: i64 = 60_000;

/// Tunables of the detector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorConfig {
    /// Consecutive failed polls before a cluster is declared unreachable (default 3).
    pub unreachable_after: u32,
    /// Longest time between two reads of a RUNNING job's `numRestarts`, ms (default 10 000).
    /// Reads also happen whenever Flink's `last-modification` of the job moves.
    pub restart_check_interval_ms: i64,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            unreachable_after: 3,
            restart_check_interval_ms: 10_000,
        }
    }
}

/// What StreamWarden knows about a cluster's reachability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClusterHealth {
    /// Failed polls in a row since the last successful one.
    pub consecutive_failures: u32,
    /// Whether `cluster_unreachable` has been raised and not yet recovered.
    pub unreachable: bool,
    /// When the current run of failures began, epoch ms.
    pub first_failure_ms: Option<i64>,
    /// When the last successful poll was observed, epoch ms; `None` before the first one.
    pub last_ok_ms: Option<i64>,
    /// Error of the last failed poll.
    pub last_error: Option<String>,
}

/// The stored state of one job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobSnapshot {
    /// Flink job id.
    pub jid: String,
    /// Job name.
    pub name: String,
    /// Last state seen.
    pub state: JobState,
    /// Flink's `start-time`, epoch ms.
    pub start_time_ms: Option<i64>,
    /// Flink's `end-time`, epoch ms (`None` while not terminal).
    pub end_time_ms: Option<i64>,
    /// Flink's `duration`, ms.
    pub duration_ms: Option<i64>,
    /// Flink's `last-modification`, epoch ms.
    pub last_modification_ms: Option<i64>,
    /// Flink's `numRestarts` as last read.
    pub restarts: Option<u64>,
    /// When StreamWarden first saw the job, epoch ms.
    pub first_seen_ms: i64,
    /// When StreamWarden last saw the job, epoch ms (refreshed at least every
    /// [`LAST_SEEN_REFRESH_MS`]).
    pub last_seen_ms: i64,
    /// Link to the job in Flink's web UI.
    pub url: String,
}

impl JobSnapshot {
    /// What an event says of this job as last seen, with no previous state or count.
    pub fn facts(&self) -> JobFacts {
        JobFacts {
            id: self.jid.clone(),
            name: self.name.clone(),
            previous_state: None,
            state: self.state,
            start_time_ms: self.start_time_ms,
            end_time_ms: self.end_time_ms,
            duration_ms: self.duration_ms,
            restarts: self.restarts,
            previous_restarts: None,
            url: self.url.clone(),
        }
    }
}

/// Everything known about one cluster before a poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterView {
    /// Cluster name.
    pub name: String,
    /// Cluster REST URL.
    pub url: String,
    /// Reachability.
    pub health: ClusterHealth,
    /// Known jobs by job id.
    pub jobs: BTreeMap<String, JobSnapshot>,
}

/// One job as a poll of `GET /jobs/overview` (plus the enrichment calls) saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedJob {
    /// Flink job id.
    pub jid: String,
    /// Job name.
    pub name: String,
    /// State.
    pub state: JobState,
    /// Flink's `start-time`, epoch ms.
    pub start_time_ms: Option<i64>,
    /// Flink's `end-time`, epoch ms, `None` while running.
    pub end_time_ms: Option<i64>,
    /// Flink's `duration`, ms.
    pub duration_ms: Option<i64>,
    /// Flink's `last-modification`, epoch ms.
    pub last_modification_ms: Option<i64>,
    /// `numRestarts`, when read in this poll.
    pub restarts: Option<u64>,
    /// Root exception, when fetched in this poll.
    pub exception: Option<RootException>,
    /// Link to the job in Flink's web UI.
    pub url: String,
    /// Who asked StreamWarden to stop this job: its CANCELED or FINISHED is then an operation,
    /// recorded but not alerted as an incident.
    pub stop_requested_by: Option<String>,
}

/// The result of one poll of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// The cluster answered `GET /jobs/overview`; every job it lists.
    Reachable(Vec<ObservedJob>),
    /// The poll failed (connection, timeout, non-2xx, bad body); the error for humans.
    Unreachable {
        /// What went wrong.
        error: String,
    },
}

/// The decisions of one poll: what to store and what happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// The cluster's new health.
    pub health: ClusterHealth,
    /// Jobs to insert or update (only those that changed or whose `last_seen_ms` is due).
    pub upserts: Vec<JobSnapshot>,
    /// Job ids to forget (vanished from the cluster).
    pub removed: Vec<String>,
    /// New events, in the order they happened.
    pub events: Vec<Event>,
}

impl Observation {
    /// Whether this observation must be stored: it changed a job or raised an event, or the
    /// cluster's health changed — apart from `last_ok_ms`, which moves on every poll and is only
    /// refreshed every [`LAST_SEEN_REFRESH_MS`] (`last_written_ms`: when the cluster was last
    /// stored). A stale stored `last_ok_ms` is harmless: jobs seen since are already stored.
    pub fn needs_write(&self, before: &ClusterHealth, last_written_ms: i64, now_ms: i64) -> bool {
        let health = &self.health;
        !self.upserts.is_empty()
            || !self.removed.is_empty()
            || !self.events.is_empty()
            || (
                health.consecutive_failures,
                health.unreachable,
                &health.first_failure_ms,
                &health.last_error,
            ) != (
                before.consecutive_failures,
                before.unreachable,
                &before.first_failure_ms,
                &before.last_error,
            )
            || now_ms - last_written_ms >= LAST_SEEN_REFRESH_MS
    }
}

impl ClusterView {
    /// Applies an observation to this view, giving the view the next poll starts from.
    pub fn apply(&mut self, observation: &Observation) {
        self.health = observation.health.clone();
        for jid in &observation.removed {
            self.jobs.remove(jid);
        }
        for job in &observation.upserts {
            self.jobs.insert(job.jid.clone(), job.clone());
        }
    }
}

/// Decides the outcome of one poll of `view`'s cluster at `now_ms`.
///
/// `next_id` gives each new event its id. When the cluster was unreachable, jobs are left as
/// they were: an unreachable cluster says nothing about its jobs.
pub fn observe(
    view: &ClusterView,
    outcome: &PollOutcome,
    now_ms: i64,
    config: &DetectorConfig,
    next_id: &mut dyn FnMut() -> String,
) -> Observation {
    match outcome {
        PollOutcome::Unreachable { error } => {
            let (health, event) = cluster::poll_failed(view, error, now_ms, config, next_id);
            Observation {
                health,
                events: event.into_iter().collect(),
                ..Observation::default()
            }
        }
        PollOutcome::Reachable(jobs) => {
            let (health, recovered) = cluster::poll_succeeded(view, now_ms, next_id);
            let mut observation = Observation {
                health,
                events: recovered.into_iter().collect(),
                ..Observation::default()
            };
            let seen_before = view.health.last_ok_ms;
            for obs in jobs {
                let prev = view.jobs.get(&obs.jid);
                let (snapshot, events, changed) =
                    job::diff(view, prev, obs, seen_before, now_ms, next_id);
                observation.events.extend(events);
                if changed {
                    observation.upserts.push(snapshot);
                }
            }
            for (jid, prev) in &view.jobs {
                if jobs.iter().any(|o| &o.jid == jid) {
                    continue;
                }
                observation.removed.push(jid.clone());
                if !prev.state.is_globally_terminal() {
                    observation
                        .events
                        .push(job::disappeared(view, prev, now_ms, next_id));
                }
            }
            observation
        }
    }
}
