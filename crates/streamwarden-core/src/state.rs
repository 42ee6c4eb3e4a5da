//! Flink's job states, named as Flink names them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Flink job's status, with Flink's `JobStatus` names verbatim (serialized in upper case).
///
/// Source: `org.apache.flink.api.common.JobStatus`; the REST API reports it as the `state`
/// field of `GET /jobs/overview` and `GET /jobs/:jid`.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    /// The job has been received by the dispatcher and is waiting for the job manager.
    Initializing,
    /// The job is created but no task has been scheduled yet.
    Created,
    /// Some tasks are scheduled or running.
    Running,
    /// The job has failed and is waiting for its tasks to stop.
    Failing,
    /// The job failed with a non-recoverable failure (globally terminal).
    Failed,
    /// The job is being cancelled.
    Cancelling,
    /// The job has been cancelled (globally terminal).
    Canceled,
    /// All of the job's tasks finished successfully (globally terminal).
    Finished,
    /// The job is being restarted after a failure.
    Restarting,
    /// The job was suspended, e.g. its JobManager lost leadership (locally terminal only).
    Suspended,
    /// The job is being reconciled with the state of a recovered JobManager.
    Reconciling,
}

impl JobState {
    /// Every state, in Flink's declaration order.
    pub const ALL: [JobState; 11] = [
        JobState::Initializing,
        JobState::Created,
        JobState::Running,
        JobState::Failing,
        JobState::Failed,
        JobState::Cancelling,
        JobState::Canceled,
        JobState::Finished,
        JobState::Restarting,
        JobState::Suspended,
        JobState::Reconciling,
    ];

    /// Parses Flink's name of a state (`"RUNNING"`); `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Flink's name of the state, e.g. `"RUNNING"`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Initializing => "INITIALIZING",
            JobState::Created => "CREATED",
            JobState::Running => "RUNNING",
            JobState::Failing => "FAILING",
            JobState::Failed => "FAILED",
            JobState::Cancelling => "CANCELLING",
            JobState::Canceled => "CANCELED",
            JobState::Finished => "FINISHED",
            JobState::Restarting => "RESTARTING",
            JobState::Suspended => "SUSPENDED",
            JobState::Reconciling => "RECONCILING",
        }
    }

    /// Globally terminal: the job will never run again (FAILED, CANCELED, FINISHED), as Flink's
    /// `JobStatus::isGloballyTerminalState`.
    pub fn is_globally_terminal(self) -> bool {
        matches!(
            self,
            JobState::Failed | JobState::Canceled | JobState::Finished
        )
    }

    /// A state that means the job is in trouble: leaving it for RUNNING is a recovery.
    pub fn is_trouble(self) -> bool {
        matches!(
            self,
            JobState::Failing | JobState::Restarting | JobState::Suspended | JobState::Reconciling
        )
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_parses_back_from_its_flink_name() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(JobState::parse("running"), None);
        assert_eq!(JobState::parse("LOST"), None);
    }

    #[test]
    fn only_failed_canceled_finished_are_globally_terminal() {
        let terminal: Vec<_> = JobState::ALL
            .into_iter()
            .filter(|s| s.is_globally_terminal())
            .collect();
        assert_eq!(
            terminal,
            [JobState::Failed, JobState::Canceled, JobState::Finished]
        );
    }
}
