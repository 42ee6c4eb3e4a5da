//! `[healing]` and `[health]`: self-healing's restart policy and unhealthy-job detection.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use streamwarden_core::Severity;
use streamwarden_core::clock::duration_ms as ms;
use streamwarden_core::healing::RestartPolicy;
use streamwarden_core::health::{
    Check, FailedOverrides, HealthConfig, HealthOverrides, RestartLoopOverrides, StallOverrides,
};

/// `[healing]`: the restart policy of managed applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealingConfig {
    /// Most automatic restarts within `window` (default 3).
    pub max_restarts: u32,
    /// The sliding window (default `"30m"`).
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Delay before the first restart of a series, doubled for each earlier one (default `"10s"`).
    #[serde(with = "humantime_serde")]
    pub backoff_initial: Duration,
    /// Longest delay (default `"5m"`).
    #[serde(with = "humantime_serde")]
    pub backoff_max: Duration,
    /// Restart jobs found unhealthy too, not only report them (default off).
    pub on_unhealthy: bool,
}

impl Default for HealingConfig {
    fn default() -> Self {
        let p = RestartPolicy::default();
        let d = |ms: i64| Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        HealingConfig {
            max_restarts: p.max_restarts,
            window: d(p.window_ms),
            backoff_initial: d(p.backoff_initial_ms),
            backoff_max: d(p.backoff_max_ms),
            on_unhealthy: p.on_unhealthy,
        }
    }
}

impl HealingConfig {
    /// The policy (enabled per application by its switch).
    pub fn policy(&self) -> RestartPolicy {
        RestartPolicy {
            enabled: false,
            max_restarts: self.max_restarts,
            window_ms: ms(self.window),
            backoff_initial_ms: ms(self.backoff_initial),
            backoff_max_ms: ms(self.backoff_max),
            on_unhealthy: self.on_unhealthy,
        }
    }
}

/// `[health]`: unhealthy-job detection for every watched job (a managed application can
/// override the checks with its own policy).
///
/// ```toml
/// [health]
/// check_interval = "10s"
/// restart_loop = { max_restarts = 3, window = "10m" }
/// checkpoint_stalled = { threshold = "5m" }     # default: max(interval, timeout) × (tolerable + 2)
/// failed_checkpoints = { enabled = false }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthSection {
    /// How often each job's checks are evaluated and a RUNNING job's checkpoints read
    /// (`GET /jobs/:jid/checkpoints`; default `"10s"`, Flink's metric refresh period).
    #[serde(with = "humantime_serde")]
    pub check_interval: Duration,
    /// The restart-loop check: on by default, more than 3 restarts within 10 min.
    pub restart_loop: RestartLoopOverrides,
    /// The checkpoint-stall check: on by default, threshold from the job's checkpoint config.
    pub checkpoint_stalled: StallOverrides,
    /// The failed-checkpoints check: on by default, more than 3 within 10 min.
    pub failed_checkpoints: FailedOverrides,
    /// Severity of `job_unhealthy` per check (`job_healthy` is `info`).
    pub severity: CheckSeverities,
}

impl Default for HealthSection {
    fn default() -> Self {
        HealthSection {
            check_interval: Duration::from_secs(10),
            restart_loop: RestartLoopOverrides::default(),
            checkpoint_stalled: StallOverrides::default(),
            failed_checkpoints: FailedOverrides::default(),
            severity: CheckSeverities::default(),
        }
    }
}

impl HealthSection {
    /// The checks every job gets unless its application overrides them.
    pub fn defaults(&self) -> HealthConfig {
        self.overrides().apply(&HealthConfig::default())
    }

    /// This section as overrides of the built-in defaults.
    pub fn overrides(&self) -> HealthOverrides {
        HealthOverrides {
            restart_loop: self.restart_loop.clone(),
            checkpoint_stalled: self.checkpoint_stalled.clone(),
            failed_checkpoints: self.failed_checkpoints.clone(),
        }
    }
}

/// Severity of `job_unhealthy` per check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckSeverities {
    /// A restart loop (default `major`).
    pub restart_loop: Severity,
    /// Stalled checkpoints (default `major`).
    pub checkpoint_stalled: Severity,
    /// Failing checkpoints (default `warning`).
    pub checkpoints_failing: Severity,
}

impl Default for CheckSeverities {
    fn default() -> Self {
        CheckSeverities {
            restart_loop: Severity::Major,
            checkpoint_stalled: Severity::Major,
            checkpoints_failing: Severity::Warning,
        }
    }
}

impl CheckSeverities {
    /// The severity of `check`.
    pub fn of(&self, check: Check) -> Severity {
        match check {
            Check::RestartLoop => self.restart_loop,
            Check::CheckpointStalled => self.checkpoint_stalled,
            Check::CheckpointsFailing => self.checkpoints_failing,
        }
    }
}
