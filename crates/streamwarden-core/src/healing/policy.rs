//! Per-application tuning of self-healing: overrides of the global defaults, set through the
//! API or the CLI and stored with the application.

use super::RestartPolicy;
use crate::clock::duration_ms as ms;
use crate::health::HealthOverrides;
use crate::health::policy::is_default;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// An application's own policy: what it overrides of the global `[healing]` defaults. Unset
/// fields keep the default (or, for the switches, the version's meta.json).
///
/// JSON shape: `{"restart": {"enabled": true, "max_restarts": 5, "window": "1h",
/// "backoff_initial": "10s", "backoff_max": "5m", "auto_restore": true, "on_unhealthy": false},
/// "health": {"restart_loop": {"max_restarts": 5}, "checkpoint_stalled": {"threshold": "2m"},
/// "failed_checkpoints": {"enabled": false}}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AppPolicy {
    /// The restart policy's overrides.
    #[serde(skip_serializing_if = "is_default")]
    pub restart: RestartOverrides,
    /// The health checks' overrides.
    #[serde(skip_serializing_if = "is_default")]
    pub health: HealthOverrides,
}

impl AppPolicy {
    /// Every field that is out of range, as `(field path, reason)`.
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut errors = self.restart.errors();
        errors.extend(self.health.errors());
        errors
    }
}

/// Overrides of the restart policy; durations in humantime form (`"30m"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RestartOverrides {
    /// The fail-restart switch, overriding meta.json's
    /// `wds.linkis.flink.app.fail-restart.switch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Most automatic restarts within the window (at least 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_restarts: Option<u32>,
    /// The sliding window (more than zero).
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub window: Option<Duration>,
    /// Delay before the first restart of a series.
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub backoff_initial: Option<Duration>,
    /// Longest delay (not below `backoff_initial`).
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub backoff_max: Option<Duration>,
    /// The auto-restore switch, overriding meta.json's
    /// `wds.linkis.flink.app.start-auto-restore.switch`: restart from the chosen restore point
    /// (on) or without state (off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_restore: Option<bool>,
    /// Restart unhealthy jobs too (default off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_unhealthy: Option<bool>,
}

impl RestartOverrides {
    /// `base` with these overrides applied; `switch` is the version's fail-restart switch,
    /// used unless `enabled` overrides it.
    pub fn apply(&self, base: RestartPolicy, switch: bool) -> RestartPolicy {
        RestartPolicy {
            enabled: self.enabled.unwrap_or(switch),
            max_restarts: self.max_restarts.unwrap_or(base.max_restarts),
            window_ms: self.window.map_or(base.window_ms, ms),
            backoff_initial_ms: self.backoff_initial.map_or(base.backoff_initial_ms, ms),
            backoff_max_ms: self.backoff_max.map_or(base.backoff_max_ms, ms),
            on_unhealthy: self.on_unhealthy.unwrap_or(base.on_unhealthy),
        }
    }

    /// Every field that is out of range, as `(field path, reason)`, e.g.
    /// `("restart.max_restarts", "must be at least 1")`.
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, reason: &str| {
            errors.push((format!("restart.{field}"), reason.to_string()));
        };
        if self.max_restarts == Some(0) {
            bad(
                "max_restarts",
                "must be at least 1 (turn restarts off with enabled = false)",
            );
        }
        if self.window.is_some_and(|w| w.is_zero()) {
            bad("window", "must be longer than zero");
        }
        if let (Some(initial), Some(max)) = (self.backoff_initial, self.backoff_max)
            && max < initial
        {
            bad("backoff_max", "must not be shorter than backoff_initial");
        }
        errors
    }
}
