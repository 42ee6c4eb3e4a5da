//! Waiting on Flink: job states and asynchronous savepoint operations.

use crate::{OpError, Timeouts};
use flink_client::{FlinkClient, TriggerId};
use std::time::Duration;
use streamwarden_core::JobState;
use tokio::time::Instant;

/// The job's state as soon as it is one of `wanted` or globally terminal; a timeout after
/// `limit`.
/// Whether a Flink state name is one a job never leaves (FAILED, CANCELED, FINISHED).
pub fn has_ended(state: &str) -> bool {
    JobState::parse(state).is_some_and(JobState::is_globally_terminal)
}

/// A job's state from `/jobs/overview`; `None` when it is not listed. Not `/jobs/:jid`: Flink's
/// REST caches a job's execution graph there for `web.refresh-interval` (3 s), and that cached
/// graph would hide a failure from the next `/jobs/:jid/exceptions` — the watcher's root
/// exception of the failure.
pub(crate) async fn job_state(client: &FlinkClient, jid: &str) -> Result<Option<String>, OpError> {
    let jobs = client
        .jobs_overview()
        .await
        .map_err(|e| OpError::Flink(e.to_string()))?;
    Ok(jobs.into_iter().find(|j| j.jid == jid).map(|j| j.state))
}

pub(crate) async fn wait_for_state(
    client: &FlinkClient,
    jid: &str,
    wanted: &[&str],
    limit: Duration,
    poll: Duration,
) -> Result<String, OpError> {
    let deadline = Instant::now() + limit;
    let mut last = String::from("unknown");
    loop {
        // The job may not be listed yet right after submission.
        if let Some(state) = job_state(client, jid).await? {
            if wanted.contains(&state.as_str()) || has_ended(&state) {
                return Ok(state);
            }
            last = state;
        }
        if Instant::now() >= deadline {
            return Err(OpError::Timeout(format!(
                "job {jid} did not reach {} within {} s (last state {last})",
                wanted.join(" or "),
                limit.as_secs()
            )));
        }
        tokio::time::sleep(poll).await;
    }
}

/// The root exception of a failed job as one line (`class: message`), when Flink has one
/// ([`FlinkClient::failed_job_exceptions`]: read again while Flink's cache hides it).
pub(crate) async fn root_cause(client: &FlinkClient, jid: &str) -> Option<String> {
    let root = client
        .failed_job_exceptions(jid, 5)
        .await
        .ok()?
        .root_cause()?;
    Some(if root.message.is_empty() {
        root.name
    } else {
        format!("{}: {}", root.name, root.message)
    })
}

/// The savepoint location of an asynchronous savepoint or stop operation, once completed.
pub(crate) async fn wait_for_savepoint(
    client: &FlinkClient,
    jid: &str,
    trigger: &TriggerId,
    timeouts: &Timeouts,
) -> Result<String, OpError> {
    let deadline = Instant::now() + timeouts.stop;
    loop {
        let status = client
            .savepoint_status(jid, trigger)
            .await
            .map_err(|e| OpError::Flink(e.to_string()))?;
        if status.is_completed() {
            let info = status.operation.unwrap_or_default();
            if let Some(cause) = info.failure_cause {
                return Err(OpError::Flink(format!(
                    "savepoint of job {jid} failed: {}",
                    cause.summary().unwrap_or("no reason given")
                )));
            }
            return info.location.ok_or_else(|| {
                OpError::Flink(format!(
                    "savepoint of job {jid} completed without a location"
                ))
            });
        }
        if Instant::now() >= deadline {
            return Err(OpError::Timeout(format!(
                "savepoint of job {jid} did not complete within {} s",
                timeouts.stop.as_secs()
            )));
        }
        tokio::time::sleep(timeouts.poll).await;
    }
}
