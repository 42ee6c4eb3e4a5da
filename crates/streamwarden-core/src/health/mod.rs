//! Unhealthy-job detection: a job can be RUNNING and still be broken. Three checks, modelled on
//! the Flink Kubernetes Operator's job health check, but built so that they do not cry wolf:
//!
//! - **restart loop** ([`Check::RestartLoop`]): Flink's `numRestarts` grew by more than
//!   `max_restarts` within a sliding window. The first count ever seen is a baseline, never
//!   growth: a job discovered with `numRestarts` 50 is not in a loop. A count that goes down
//!   (a JobManager failover, another job under the same id) starts a new baseline instead of
//!   underflowing.
//! - **checkpoint stalled** ([`Check::CheckpointStalled`]): a RUNNING job with checkpointing
//!   enabled completed no checkpoint for longer than a threshold, by default
//!   `max(interval, timeout) × (tolerable failed checkpoints + 2)` ([`stall_threshold_ms`]). The
//!   age is measured from the latest of the last completed checkpoint and the time the job
//!   (last) became RUNNING, so a job that just came back from a restart, or restored from an old
//!   checkpoint, is never reported stalled.
//! - **failed checkpoints** ([`Check::CheckpointsFailing`]): more than `max_failed` distinct
//!   failed checkpoints within a window. Flink's checkpoint history shows the same failed
//!   checkpoint on every poll; each id counts once, also after it left the window.
//!
//! Each check behaves like a Prometheus alert rule evaluated at every sample: when its condition
//! becomes true it *opens* (one finding with `unhealthy: true`), nothing more is said while it
//! stays true, and when it becomes false it *closes* (one finding with `unhealthy: false`). When
//! the job ends (a terminal state, or [`end`] when it is gone) every open check closes and the
//! job's state is forgotten. There is no extra hysteresis: the windows and the threshold are it.
//!
//! Pure: the caller polls Flink, merges the application's configuration and passes the clock
//! (`now_ms`, epoch ms) in each [`HealthSample`]. Severity is the caller's decision.

mod checks;
pub(crate) mod policy;
#[cfg(test)]
mod tests;

pub use checks::stall_threshold_ms;
pub use policy::{FailedOverrides, HealthOverrides, RestartLoopOverrides, StallOverrides};

use crate::JobState;
use checks::{FailedIds, RestartWindow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Which checks run, and how. `None` disables a check; the default enables all three with their
/// defaults. Deserializing, a missing check takes its default and `null` disables it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthConfig {
    /// The restart-loop check.
    pub restart_loop: Option<RestartLoopCheck>,
    /// The checkpoint-stall check.
    pub checkpoint_stalled: Option<CheckpointStallCheck>,
    /// The failed-checkpoints check.
    pub failed_checkpoints: Option<FailedCheckpointsCheck>,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            restart_loop: Some(RestartLoopCheck::default()),
            checkpoint_stalled: Some(CheckpointStallCheck::default()),
            failed_checkpoints: Some(FailedCheckpointsCheck::default()),
        }
    }
}

/// Unhealthy when `numRestarts` grew by more than `max_restarts` within `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestartLoopCheck {
    /// Most restarts tolerated within the window (default 3); one more opens the check.
    pub max_restarts: u32,
    /// The sliding window, ms (default 10 min).
    pub window_ms: i64,
}

impl Default for RestartLoopCheck {
    fn default() -> Self {
        RestartLoopCheck {
            max_restarts: 3,
            window_ms: 10 * 60 * 1000,
        }
    }
}

/// Unhealthy when a RUNNING job with checkpointing enabled completed no checkpoint for longer
/// than the threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckpointStallCheck {
    /// Explicit threshold, ms; `None` (the default) or a value <= 0 means
    /// `max(interval, timeout) × (tolerable failed checkpoints + 2)` ([`stall_threshold_ms`]).
    pub threshold_ms: Option<i64>,
}

/// Unhealthy when more than `max_failed` distinct checkpoints failed within `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailedCheckpointsCheck {
    /// Most failed checkpoints tolerated within the window (default 3); one more opens the check.
    pub max_failed: u32,
    /// The sliding window, ms (default 10 min); a failed checkpoint counts while its failure
    /// time is less than this long ago.
    pub window_ms: i64,
}

impl Default for FailedCheckpointsCheck {
    fn default() -> Self {
        FailedCheckpointsCheck {
            max_failed: 3,
            window_ms: 10 * 60 * 1000,
        }
    }
}

/// The job's checkpointing configuration, from `GET /jobs/:jid/checkpoints/config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointSettings {
    /// `interval`, ms; `<= 0` or `i64::MAX` (Flink's `Long.MAX_VALUE`) means checkpointing is
    /// disabled.
    pub interval_ms: i64,
    /// `timeout`, ms.
    pub timeout_ms: i64,
    /// `tolerable_failed_checkpoints` (0 when Flink does not report it; negative counts as 0).
    pub tolerable_failures: i64,
}

/// What one poll read of the job's checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointSample {
    /// The checkpointing configuration.
    pub settings: CheckpointSettings,
    /// `latest.completed.latest_ack_timestamp`, epoch ms; `None` before the first completed
    /// checkpoint.
    pub latest_completed_ack_ms: Option<i64>,
    /// The failed checkpoints seen in this poll (`history` entries with status FAILED, and
    /// `latest.failed`): `(checkpoint id, failure_timestamp epoch ms)`. The same id may come
    /// again in later polls; it counts once. A missing failure time counts as the `now_ms` of
    /// the sample that first shows the id.
    pub failed: Vec<(u64, Option<i64>)>,
}

/// One observation of a job (one Flink job id), taken every poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSample {
    /// When it was observed, epoch ms.
    pub now_ms: i64,
    /// The job's state.
    pub state: JobState,
    /// `numRestarts`; `None` when not read this time.
    pub restarts: Option<u64>,
    /// When the job last became RUNNING, epoch ms (Flink's `timestamps.RUNNING`, which moves
    /// forward on every RESTARTING → RUNNING); `None` when unknown, then the first sample that
    /// shows the job RUNNING stands in.
    pub running_since_ms: Option<i64>,
    /// The checkpoints; `None` when not read this time: the checkpoint checks keep their
    /// previous judgement (they neither open nor close).
    pub checkpoints: Option<CheckpointSample>,
}

/// A check.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// `numRestarts` grew too fast.
    RestartLoop,
    /// No completed checkpoint for too long.
    CheckpointStalled,
    /// Too many checkpoints failed.
    CheckpointsFailing,
}

impl Check {
    /// Every check, in evaluation order.
    pub const ALL: [Check; 3] = [
        Check::RestartLoop,
        Check::CheckpointStalled,
        Check::CheckpointsFailing,
    ];

    /// The serialized name, e.g. `"restart_loop"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::RestartLoop => "restart_loop",
            Check::CheckpointStalled => "checkpoint_stalled",
            Check::CheckpointsFailing => "checkpoints_failing",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding: a check opened (`unhealthy: true`) or closed (`unhealthy: false`). Carried in
/// events, so templates can show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HealthFacts {
    /// The check.
    pub check: Check,
    /// `true` when the check opened, `false` when it closed (recovered, or the job ended).
    pub unhealthy: bool,
    /// What was measured: restarts within the window ([`Check::RestartLoop`]), ms since the
    /// last progress ([`Check::CheckpointStalled`]), distinct failed checkpoints within the
    /// window ([`Check::CheckpointsFailing`]). When the job ended: the last measurement.
    pub observed: i64,
    /// The limit `observed` is compared with: `max_restarts`, the threshold in ms, `max_failed`;
    /// the check is unhealthy when `observed > limit`.
    pub limit: i64,
    /// The window, ms, for the windowed checks; `None` for the stall check.
    pub window_ms: Option<i64>,
    /// One line for people, e.g. `"numRestarts grew by 7 within 10 min (limit 3)"`.
    pub reason: String,
}

/// What StreamWarden remembers of one job's health between samples. Start with
/// `JobHealth::default()` for a new job id; memory is bounded whatever the inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobHealth {
    /// `numRestarts` samples of the restart-loop check.
    restarts: RestartWindow,
    /// Failed checkpoint ids of the failed-checkpoints check.
    failed: FailedIds,
    /// The last `numRestarts` read (whatever the checks).
    last_restarts: Option<u64>,
    /// When a change of `numRestarts` was last seen, epoch ms: the job restarted around then.
    restart_seen_ms: Option<i64>,
    /// The first sample of the current RUNNING stretch, epoch ms.
    running_seen_ms: Option<i64>,
    /// The open checks, with their latest measurement.
    open: BTreeMap<Check, HealthFacts>,
}

impl JobHealth {
    /// The open checks, with their latest measurement, in [`Check::ALL`] order.
    pub fn open_checks(&self) -> impl Iterator<Item = &HealthFacts> {
        self.open.values()
    }

    /// Whether `check` is open.
    pub fn is_open(&self, check: Check) -> bool {
        self.open.contains_key(&check)
    }
}

/// Evaluates every enabled check on `sample` and returns the checks that opened or closed, in
/// [`Check::ALL`] order (empty when nothing changed). A terminal state (FAILED, CANCELED,
/// FINISHED, SUSPENDED) closes every open check with reason "the job ended (STATE)" and forgets
/// the job. A check disabled while open closes with reason "the check was disabled".
pub fn assess(
    health: &mut JobHealth,
    config: &HealthConfig,
    sample: &HealthSample,
) -> Vec<HealthFacts> {
    let now = sample.now_ms;
    if sample.state.is_globally_terminal() || sample.state == JobState::Suspended {
        return close_all(health, &format!("the job ended ({})", sample.state));
    }
    let mut out = Vec::new();

    if let Some(count) = sample.restarts {
        if health.last_restarts.is_some_and(|last| last != count) {
            health.restart_seen_ms = Some(now);
        }
        health.last_restarts = Some(count);
    }
    if sample.state == JobState::Running {
        health.running_seen_ms.get_or_insert(now);
    } else {
        health.running_seen_ms = None;
    }

    match &config.restart_loop {
        None => {
            health.restarts = RestartWindow::default();
            disabled(health, Check::RestartLoop, &mut out);
        }
        Some(check) => {
            if let Some(count) = sample.restarts {
                health.restarts.record(now, count);
            }
            let growth = health.restarts.growth(now, check.window_ms);
            settle(health, checks::restart_facts(check, growth), &mut out);
        }
    }

    match (&config.checkpoint_stalled, &sample.checkpoints) {
        (None, _) => disabled(health, Check::CheckpointStalled, &mut out),
        (Some(_), None) => {}
        (Some(check), Some(checkpoints)) => {
            let since = [
                sample.running_since_ms.or(health.running_seen_ms),
                health.restart_seen_ms,
            ];
            if let Some(facts) = checks::stall_facts(check, checkpoints, sample, since) {
                settle(health, facts, &mut out);
            }
        }
    }

    match (&config.failed_checkpoints, &sample.checkpoints) {
        (None, _) => {
            health.failed = FailedIds::default();
            disabled(health, Check::CheckpointsFailing, &mut out);
        }
        (Some(_), None) => {}
        (Some(check), Some(checkpoints)) => {
            health.failed.ingest(&checkpoints.failed, now);
            health.failed.prune(now, check.window_ms);
            settle(health, health.failed.facts(check), &mut out);
        }
    }
    out
}

/// The job is gone (no longer listed by a reachable cluster): closes every open check once, with
/// reason "the job ended", and forgets the job. A second call returns nothing.
pub fn end(health: &mut JobHealth) -> Vec<HealthFacts> {
    close_all(health, "the job ended")
}

/// Opens or closes `facts.check` as `facts.unhealthy` says; an open check keeps its latest
/// measurement.
fn settle(health: &mut JobHealth, facts: HealthFacts, out: &mut Vec<HealthFacts>) {
    let was_open = health.open.contains_key(&facts.check);
    if facts.unhealthy {
        if !was_open {
            out.push(facts.clone());
        }
        health.open.insert(facts.check, facts);
    } else if was_open {
        health.open.remove(&facts.check);
        out.push(facts);
    }
}

/// Closes `check` if it is open, because it was disabled.
fn disabled(health: &mut JobHealth, check: Check, out: &mut Vec<HealthFacts>) {
    if let Some(facts) = health.open.remove(&check) {
        out.push(closed(facts, "the check was disabled"));
    }
}

/// Closes every open check with `reason` and forgets the job.
fn close_all(health: &mut JobHealth, reason: &str) -> Vec<HealthFacts> {
    let open = std::mem::take(health).open;
    open.into_values()
        .map(|facts| closed(facts, reason))
        .collect()
}

fn closed(facts: HealthFacts, reason: &str) -> HealthFacts {
    HealthFacts {
        unhealthy: false,
        reason: reason.into(),
        ..facts
    }
}
