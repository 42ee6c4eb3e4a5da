//! Self-healing decisions: whether and when to restart a managed application whose job went
//! down. Pure: the caller passes the attempts so far and the clock.
//!
//! The anchors restart badly (StreamPark: no time window, N+1 attempts, duplicate submissions;
//! Streamis: every minute forever). Here a restart needs the application's fail-restart switch,
//! stays within `max_restarts` per sliding `window`, waits an exponential, capped backoff, and
//! never follows a stop a person made or a start that never reached RUNNING.

mod policy;
#[cfg(test)]
mod tests;

pub use policy::{AppPolicy, RestartOverrides};

use serde::{Deserialize, Serialize};

/// An application's restart policy (defaults configurable globally).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartPolicy {
    /// The fail-restart switch (meta.json `wds.linkis.flink.app.fail-restart.switch`).
    pub enabled: bool,
    /// Most automatic restarts within `window_ms` (default 3).
    pub max_restarts: u32,
    /// The sliding window, ms (default 30 min).
    pub window_ms: i64,
    /// Delay before the first restart of a series, ms (default 10 s); doubled for each earlier
    /// restart within the window.
    pub backoff_initial_ms: i64,
    /// Longest delay, ms (default 5 min).
    pub backoff_max_ms: i64,
    /// Whether an unhealthy job (a restart loop, stalled checkpoints) is restarted too
    /// (default off: it is only reported).
    pub on_unhealthy: bool,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            enabled: false,
            max_restarts: 3,
            window_ms: 30 * 60 * 1000,
            backoff_initial_ms: 10_000,
            backoff_max_ms: 5 * 60 * 1000,
            on_unhealthy: false,
        }
    }
}

/// Why an application's job is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The job reached FAILED.
    Failed,
    /// The job vanished from a reachable cluster.
    Disappeared,
    /// The job runs but is unhealthy (a restart loop, stalled or failing checkpoints).
    Unhealthy,
}

impl Trigger {
    /// The snake-case name (`"failed"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Failed => "failed",
            Trigger::Disappeared => "disappeared",
            Trigger::Unhealthy => "unhealthy",
        }
    }
}

/// What is known about the run whose job went down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownRun {
    /// The job had reached RUNNING (a start that never did is a failed start, not retried).
    pub reached_running: bool,
    /// A person asked StreamWarden to stop it.
    pub stopped_by_person: bool,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// Restart at `at_ms`: attempt `attempt` of at most `of` within the window.
    Schedule {
        /// When, epoch ms.
        at_ms: i64,
        /// This attempt's number within the window (1-based).
        attempt: u32,
        /// The limit.
        of: u32,
    },
    /// The limit is reached: no more automatic restarts (alert `restart_gave_up`).
    GiveUp {
        /// Restarts already made within the window.
        attempts: u32,
    },
    /// Not a case for a restart.
    Skip {
        /// Why.
        reason: String,
    },
}

/// Decides about a job that went down at `now_ms`, given the times (epoch ms) of the
/// automatic restarts already made for the application and whether one is in flight.
pub fn decide(
    policy: &RestartPolicy,
    trigger: Trigger,
    run: DownRun,
    restarts_ms: &[i64],
    in_flight: bool,
    now_ms: i64,
) -> Decision {
    let skip = |reason: &str| Decision::Skip {
        reason: reason.into(),
    };
    if !policy.enabled {
        return skip("the fail-restart switch is off");
    }
    if run.stopped_by_person {
        return skip("a person stopped it");
    }
    if !run.reached_running {
        return skip("it never reached RUNNING: a failed start is not retried");
    }
    if in_flight {
        return skip("a restart is already in flight");
    }
    if trigger == Trigger::Unhealthy && !policy.on_unhealthy {
        return skip("restarting unhealthy jobs is off");
    }
    let recent = restarts_ms
        .iter()
        .filter(|t| now_ms - **t < policy.window_ms)
        .count() as u32;
    if recent >= policy.max_restarts {
        return Decision::GiveUp { attempts: recent };
    }
    let factor = 1i64.checked_shl(recent.min(30)).unwrap_or(i64::MAX);
    let delay = policy
        .backoff_initial_ms
        .saturating_mul(factor)
        .min(policy.backoff_max_ms);
    Decision::Schedule {
        at_ms: now_ms.saturating_add(delay),
        attempt: recent + 1,
        of: policy.max_restarts,
    }
}
