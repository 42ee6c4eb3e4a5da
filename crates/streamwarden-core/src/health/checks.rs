//! The three checks' bookkeeping and measurements: `numRestarts` samples, failed checkpoint ids,
//! the stall threshold; and the one-line reasons.

use super::{
    Check, CheckpointSample, CheckpointSettings, CheckpointStallCheck, FailedCheckpointsCheck,
    HealthFacts, HealthSample, RestartLoopCheck,
};
use crate::JobState;
use std::collections::{BTreeMap, VecDeque};

/// Most `numRestarts` samples kept. Only changes are kept, so this is only reached by a job that
/// restarted this often within the window (a loop by any sane limit); past it the oldest sample
/// goes, which can only under-count.
const MAX_RESTART_SAMPLES: usize = 1024;

/// Most failed checkpoint ids kept; past it the lowest id is forgotten (and never recounted).
const MAX_FAILED_IDS: usize = 1024;

/// `numRestarts` samples `(epoch ms, count)` of one job: the first sample ever seen, then one
/// per change of the count, oldest first.
///
/// The growth within a window `(now − window, now]` is the latest count minus the count of the
/// *baseline*: the newest sample at or before `now − window` (the count the job had when the
/// window began), or, when every sample is younger, the oldest sample (the first count seen:
/// what happened before StreamWarden looked is never growth). Samples older than the baseline
/// are pruned, so the deque holds one baseline plus the changes within the window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RestartWindow {
    samples: VecDeque<(i64, u64)>,
}

impl RestartWindow {
    /// Records a read of `numRestarts`. An unchanged count adds nothing; a count lower than the
    /// latest (a JobManager failover, another job under the id) starts over with it as the
    /// baseline.
    pub(super) fn record(&mut self, now_ms: i64, count: u64) {
        match self.samples.back() {
            Some(&(_, latest)) if latest == count => return,
            Some(&(_, latest)) if count < latest => self.samples.clear(),
            _ => {}
        }
        self.samples.push_back((now_ms, count));
        if self.samples.len() > MAX_RESTART_SAMPLES {
            self.samples.pop_front();
        }
    }

    /// Prunes samples before the baseline, then returns the growth within `window_ms`.
    pub(super) fn growth(&mut self, now_ms: i64, window_ms: i64) -> u64 {
        let start = now_ms.saturating_sub(window_ms);
        while self.samples.get(1).is_some_and(|&(at, _)| at <= start) {
            self.samples.pop_front();
        }
        match (self.samples.front(), self.samples.back()) {
            (Some(&(_, base)), Some(&(_, latest))) => latest.saturating_sub(base),
            _ => 0,
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.samples.len()
    }
}

/// The restart-loop measurement.
pub(super) fn restart_facts(check: &RestartLoopCheck, growth: u64) -> HealthFacts {
    let observed = i64::try_from(growth).unwrap_or(i64::MAX);
    let limit = i64::from(check.max_restarts);
    HealthFacts {
        check: Check::RestartLoop,
        unhealthy: observed > limit,
        observed,
        limit,
        window_ms: Some(check.window_ms),
        reason: format!(
            "numRestarts grew by {observed} within {} (limit {limit})",
            human_ms(check.window_ms)
        ),
    }
}

/// Failed checkpoint ids of one job, each counted once.
///
/// `within` holds the ids counted and not yet pruned, with their failure time. An id pruned
/// (its failure left the window) may still be in Flink's history (the last
/// `web.checkpoints.history` checkpoints, 10 by default) on later polls; `forgotten_up_to`, the
/// highest id ever pruned, keeps it from being counted again: an id not in `within` and not above
/// it is ignored. Ids grow with trigger time, so the only id this could wrongly ignore is one that
/// fails a whole window after a higher id did (concurrent checkpoints): an under-count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FailedIds {
    within: BTreeMap<u64, i64>,
    forgotten_up_to: Option<u64>,
}

impl FailedIds {
    /// Counts the ids not seen before. A missing failure time, or one in the future (clock
    /// skew), is `now_ms`.
    pub(super) fn ingest(&mut self, failed: &[(u64, Option<i64>)], now_ms: i64) {
        for &(id, at) in failed {
            if self.forgotten_up_to.is_some_and(|f| id <= f) || self.within.contains_key(&id) {
                continue;
            }
            self.within.insert(id, at.unwrap_or(now_ms).min(now_ms));
            if self.within.len() > MAX_FAILED_IDS
                && let Some((lowest, _)) = self.within.pop_first()
            {
                self.forget(lowest);
            }
        }
    }

    /// Forgets the ids whose failure is `window_ms` or longer ago.
    pub(super) fn prune(&mut self, now_ms: i64, window_ms: i64) {
        let start = now_ms.saturating_sub(window_ms);
        let old: Vec<u64> = self
            .within
            .iter()
            .filter(|&(_, &at)| at <= start)
            .map(|(&id, _)| id)
            .collect();
        for id in old {
            self.within.remove(&id);
            self.forget(id);
        }
    }

    fn forget(&mut self, id: u64) {
        self.forgotten_up_to = Some(self.forgotten_up_to.map_or(id, |f| f.max(id)));
    }

    /// The failed-checkpoints measurement (call after [`FailedIds::prune`]).
    pub(super) fn facts(&self, check: &FailedCheckpointsCheck) -> HealthFacts {
        let observed = i64::try_from(self.within.len()).unwrap_or(i64::MAX);
        let limit = i64::from(check.max_failed);
        let latest = match self.within.last_key_value() {
            Some((id, _)) => format!(", latest id {id}"),
            None => String::new(),
        };
        HealthFacts {
            check: Check::CheckpointsFailing,
            unhealthy: observed > limit,
            observed,
            limit,
            window_ms: Some(check.window_ms),
            reason: format!(
                "{observed} failed checkpoint{} within {} (limit {limit}){latest}",
                if observed == 1 { "" } else { "s" },
                human_ms(check.window_ms)
            ),
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.within.len()
    }
}

/// Whether checkpointing is enabled: Flink reports `interval` `Long.MAX_VALUE` when it is not.
fn checkpointing_enabled(settings: &CheckpointSettings) -> bool {
    settings.interval_ms > 0 && settings.interval_ms != i64::MAX
}

/// The stall threshold, ms: `check.threshold_ms` when it is positive, else
/// `max(interval, timeout) × (max(tolerable_failures, 0) + 2)` (saturating); `None` when
/// checkpointing is disabled (`interval_ms <= 0` or `i64::MAX`).
///
/// E.g. interval 1 000, timeout 600 000, tolerable 0 → 1 200 000 (20 min).
pub fn stall_threshold_ms(
    settings: &CheckpointSettings,
    check: &CheckpointStallCheck,
) -> Option<i64> {
    if !checkpointing_enabled(settings) {
        return None;
    }
    match check.threshold_ms {
        Some(threshold) if threshold > 0 => Some(threshold),
        _ => Some(
            settings
                .interval_ms
                .max(settings.timeout_ms)
                .saturating_mul(settings.tolerable_failures.max(0).saturating_add(2)),
        ),
    }
}

/// The stall measurement, or `None` when the job cannot be judged (not RUNNING, or no time to
/// measure from). The age runs from the latest of the last completed checkpoint's
/// acknowledgement and the `since` times (when the job became RUNNING, when it restarted).
pub(super) fn stall_facts(
    check: &CheckpointStallCheck,
    checkpoints: &CheckpointSample,
    sample: &HealthSample,
    since: [Option<i64>; 2],
) -> Option<HealthFacts> {
    let settings = &checkpoints.settings;
    let Some(threshold) = stall_threshold_ms(settings, check) else {
        return Some(HealthFacts {
            check: Check::CheckpointStalled,
            unhealthy: false,
            observed: 0,
            limit: 0,
            window_ms: None,
            reason: "checkpointing is disabled".into(),
        });
    };
    if sample.state != JobState::Running {
        return None;
    }
    let ack = checkpoints.latest_completed_ack_ms;
    let started = since.into_iter().flatten().max();
    let (from, from_checkpoint) = match (ack, started) {
        (Some(ack), Some(started)) if started > ack => (started, false),
        (Some(ack), _) => (ack, true),
        (None, Some(started)) => (started, false),
        (None, None) => return None,
    };
    let age = sample.now_ms.saturating_sub(from).max(0);
    let unhealthy = age > threshold;
    let how = match check.threshold_ms {
        Some(t) if t > 0 => ", configured".to_string(),
        _ => format!(
            " = max(interval {}, timeout {}) × ({} tolerable failure{} + 2)",
            human_ms(settings.interval_ms),
            human_ms(settings.timeout_ms),
            settings.tolerable_failures.max(0),
            if settings.tolerable_failures == 1 {
                ""
            } else {
                "s"
            },
        ),
    };
    let what = match (unhealthy, from_checkpoint) {
        (true, true) => format!("no completed checkpoint for {}", human_ms(age)),
        (true, false) => format!(
            "no completed checkpoint in the {} since the job became RUNNING",
            human_ms(age)
        ),
        (false, true) => format!("a checkpoint completed {} ago", human_ms(age)),
        (false, false) => format!("the job became RUNNING {} ago", human_ms(age)),
    };
    Some(HealthFacts {
        check: Check::CheckpointStalled,
        unhealthy,
        observed: age,
        limit: threshold,
        window_ms: None,
        reason: format!("{what} (threshold {}{how})", human_ms(threshold)),
    })
}

/// A duration for people, truncated to whole seconds from 1 s on: `"500 ms"`, `"1 min 35 s"`,
/// `"10 min"`, `"2 d 3 h"`. Negative durations read as `"0 ms"`.
pub(super) fn human_ms(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let secs = ms / 1000;
    let parts = [
        (secs / 86_400, "d"),
        (secs / 3600 % 24, "h"),
        (secs / 60 % 60, "min"),
        (secs % 60, "s"),
    ];
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}
