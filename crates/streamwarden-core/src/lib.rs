//! StreamWarden's domain: the vocabulary (job states, severities, events) and the pure decisions
//! taken on it. Nothing here does IO or spawns tasks, and no decision reads the clock: callers
//! pass `now_ms` ([`clock::now_ms`]) and observations in, and get decisions back, so every rule
//! is testable without a network.

pub mod access;
pub mod audit;
pub mod clock;
pub mod detector;
pub mod event;
pub mod healing;
pub mod health;
pub mod noise;
pub mod notification;
pub mod routing;
pub mod severity;
pub mod state;

pub use detector::{
    ClusterHealth, ClusterView, DetectorConfig, JobSnapshot, Observation, ObservedJob, PollOutcome,
    needs_restart_count, needs_root_cause, observe,
};
pub use event::{Event, EventKind, JobFacts, RestartFacts, RootException};
pub use severity::Severity;
pub use state::JobState;
