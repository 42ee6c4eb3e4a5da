//! The user-facing form of the health checks' settings: durations in humantime form, every
//! field optional, so the same shape serves the global `[health]` defaults and an
//! application's own overrides.

use super::{CheckpointStallCheck, FailedCheckpointsCheck, HealthConfig, RestartLoopCheck};
use crate::clock::duration_ms as ms;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Overrides of the three checks. JSON/TOML shape:
/// `{"restart_loop": {"max_restarts": 5, "window": "5m"}, "checkpoint_stalled": {"threshold":
/// "2m"}, "failed_checkpoints": {"enabled": false}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HealthOverrides {
    /// The restart-loop check.
    #[serde(skip_serializing_if = "is_default")]
    pub restart_loop: RestartLoopOverrides,
    /// The checkpoint-stall check.
    #[serde(skip_serializing_if = "is_default")]
    pub checkpoint_stalled: StallOverrides,
    /// The failed-checkpoints check.
    #[serde(skip_serializing_if = "is_default")]
    pub failed_checkpoints: FailedOverrides,
}

/// Overrides of the restart-loop check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RestartLoopOverrides {
    /// On or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Most restarts tolerated within the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_restarts: Option<u32>,
    /// The sliding window (more than zero).
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub window: Option<Duration>,
}

/// Overrides of the checkpoint-stall check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StallOverrides {
    /// On or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Explicit threshold, instead of `max(interval, timeout) × (tolerable failures + 2)`.
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold: Option<Duration>,
}

/// Overrides of the failed-checkpoints check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FailedOverrides {
    /// On or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Most failed checkpoints tolerated within the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failed: Option<u32>,
    /// The sliding window (more than zero).
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        with = "humantime_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub window: Option<Duration>,
}

/// Whether `value` is its type's default (left out when serialized: unset overrides).
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// `base` (when on), with `enabled` turning it on (from the defaults) or off.
fn toggle<T: Default>(enabled: Option<bool>, base: Option<T>) -> Option<T> {
    match enabled {
        Some(false) => None,
        Some(true) => Some(base.unwrap_or_default()),
        None => base,
    }
}

impl HealthOverrides {
    /// `base` with these overrides applied.
    pub fn apply(&self, base: &HealthConfig) -> HealthConfig {
        let r = &self.restart_loop;
        let s = &self.checkpoint_stalled;
        let f = &self.failed_checkpoints;
        HealthConfig {
            restart_loop: toggle(r.enabled, base.restart_loop).map(|c| RestartLoopCheck {
                max_restarts: r.max_restarts.unwrap_or(c.max_restarts),
                window_ms: r.window.map_or(c.window_ms, ms),
            }),
            checkpoint_stalled: toggle(s.enabled, base.checkpoint_stalled).map(|c| {
                CheckpointStallCheck {
                    threshold_ms: s.threshold.map(ms).or(c.threshold_ms),
                }
            }),
            failed_checkpoints: toggle(f.enabled, base.failed_checkpoints).map(|c| {
                FailedCheckpointsCheck {
                    max_failed: f.max_failed.unwrap_or(c.max_failed),
                    window_ms: f.window.map_or(c.window_ms, ms),
                }
            }),
        }
    }

    /// Every field that is out of range, as `(field path, reason)`, e.g.
    /// `("health.restart_loop.window", "must be longer than zero")`.
    pub fn errors(&self) -> Vec<(String, String)> {
        let zero = [
            ("restart_loop.window", self.restart_loop.window),
            (
                "checkpoint_stalled.threshold",
                self.checkpoint_stalled.threshold,
            ),
            ("failed_checkpoints.window", self.failed_checkpoints.window),
        ];
        zero.into_iter()
            .filter(|(_, d)| d.is_some_and(|d| d.is_zero()))
            .map(|(field, _)| (format!("health.{field}"), "must be longer than zero".into()))
            .collect()
    }
}
