//! The detector's state table, exhaustively: every (previous, new) pair of Flink states, first
//! sightings, restart growth, disappearances and cluster reachability.

use super::*;
use crate::{EventKind, JobState, RootException, Severity};

const JID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("e{n}")
    }
}

fn observed(state: JobState) -> ObservedJob {
    ObservedJob {
        jid: JID.into(),
        name: "orders".into(),
        state,
        start_time_ms: Some(1_000),
        end_time_ms: state.is_globally_terminal().then_some(9_000),
        duration_ms: Some(8_000),
        last_modification_ms: Some(8_500),
        restarts: None,
        exception: None,
        url: "http://flink/#/job/x".into(),
        stop_requested_by: None,
    }
}

fn snapshot(state: JobState) -> JobSnapshot {
    JobSnapshot {
        jid: JID.into(),
        name: "orders".into(),
        state,
        start_time_ms: Some(1_000),
        end_time_ms: None,
        duration_ms: Some(5_000),
        last_modification_ms: Some(5_000),
        restarts: Some(0),
        first_seen_ms: 2_000,
        last_seen_ms: 9_000,
        url: "http://flink/#/job/x".into(),
    }
}

fn view_with(jobs: Vec<JobSnapshot>) -> ClusterView {
    ClusterView {
        name: "local".into(),
        url: "http://flink".into(),
        health: ClusterHealth {
            last_ok_ms: Some(9_000),
            ..ClusterHealth::default()
        },
        jobs: jobs.into_iter().map(|j| (j.jid.clone(), j)).collect(),
    }
}

fn run(view: &ClusterView, outcome: PollOutcome) -> Observation {
    observe(
        view,
        &outcome,
        10_000,
        &DetectorConfig::default(),
        &mut ids(),
    )
}

fn reachable(jobs: Vec<ObservedJob>) -> PollOutcome {
    PollOutcome::Reachable(jobs)
}

#[test]
fn every_state_change_yields_exactly_one_transition_event_with_both_states() {
    for prev in JobState::ALL {
        for new in JobState::ALL {
            let obs = run(
                &view_with(vec![snapshot(prev)]),
                reachable(vec![observed(new)]),
            );
            let transitions: Vec<_> = obs
                .events
                .iter()
                .filter(|e| e.kind == EventKind::JobStateChanged)
                .collect();
            if prev == new {
                assert!(transitions.is_empty(), "{prev} → {new} must be silent");
                continue;
            }
            assert_eq!(transitions.len(), 1, "{prev} → {new}");
            let job = transitions[0].job.as_ref().expect("job facts");
            assert_eq!(job.previous_state, Some(prev));
            assert_eq!(job.state, new);
            assert_eq!(job.id, JID);
            assert_eq!(obs.upserts.len(), 1);
            assert_eq!(obs.upserts[0].state, new);
        }
    }
}

#[test]
fn severity_and_alerting_follow_the_table_for_every_pair() {
    for prev in JobState::ALL {
        for new in JobState::ALL.into_iter().filter(|n| *n != prev) {
            let obs = run(
                &view_with(vec![snapshot(prev)]),
                reachable(vec![observed(new)]),
            );
            let e = &obs.events[0];
            let (severity, notify) = match new {
                JobState::Failed => (Severity::Critical, true),
                JobState::Restarting | JobState::Canceled | JobState::Suspended => {
                    (Severity::Major, true)
                }
                JobState::Finished => (Severity::Info, true),
                JobState::Running => (
                    Severity::Info,
                    matches!(
                        prev,
                        JobState::Failing
                            | JobState::Restarting
                            | JobState::Suspended
                            | JobState::Reconciling
                            | JobState::Failed
                            | JobState::Canceled
                            | JobState::Finished
                    ),
                ),
                _ => (e.severity, false),
            };
            assert_eq!((e.severity, e.notify), (severity, notify), "{prev} → {new}");
        }
    }
}

#[test]
fn a_normal_start_is_recorded_not_alerted() {
    for prev in [JobState::Initializing, JobState::Created] {
        let obs = run(
            &view_with(vec![snapshot(prev)]),
            reachable(vec![observed(JobState::Running)]),
        );
        assert!(!obs.events[0].notify, "{prev} → RUNNING");
    }
}

#[test]
fn terminal_transitions_use_flinks_end_time() {
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![observed(JobState::Failed)]),
    );
    assert_eq!(obs.events[0].occurred_at_ms, 9_000);
    assert_eq!(obs.events[0].observed_at_ms, 10_000);
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![observed(JobState::Restarting)]),
    );
    assert_eq!(obs.events[0].occurred_at_ms, 8_500, "last-modification");
}

#[test]
fn failed_event_carries_root_exception_in_payload_and_summary() {
    let mut job = observed(JobState::Failed);
    job.exception = Some(RootException {
        name: "java.lang.IllegalStateException".into(),
        message: "demo failure after 2000 ms".into(),
        stacktrace: "java.lang.IllegalStateException: demo failure after 2000 ms".into(),
        task: Some("Map".into()),
        timestamp_ms: Some(8_900),
    });
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![job]),
    );
    let e = &obs.events[0];
    assert_eq!(
        e.exception.as_ref().map(|x| x.message.as_str()),
        Some("demo failure after 2000 ms")
    );
    assert!(e.summary.contains("RUNNING → FAILED"), "{}", e.summary);
    assert!(
        e.summary.contains("demo failure after 2000 ms"),
        "{}",
        e.summary
    );
}

#[test]
fn first_sighting_is_recorded_but_not_alerted() {
    for state in JobState::ALL {
        let mut job = observed(state);
        job.start_time_ms = Some(1_000); // older than the last poll at 9 000
        let obs = run(&view_with(vec![]), reachable(vec![job]));
        assert_eq!(obs.events.len(), 1, "{state}");
        assert_eq!(obs.events[0].kind, EventKind::JobDiscovered);
        assert!(!obs.events[0].notify);
        assert_eq!(obs.upserts.len(), 1);
        assert_eq!(obs.upserts[0].first_seen_ms, 10_000);
    }
}

#[test]
fn first_poll_of_a_cluster_alerts_nothing() {
    let mut view = view_with(vec![]);
    view.health.last_ok_ms = None;
    let mut job = observed(JobState::Failed);
    job.start_time_ms = Some(9_500);
    let obs = run(&view, reachable(vec![job]));
    assert!(obs.events.iter().all(|e| !e.notify));
}

#[test]
fn a_job_that_started_and_failed_between_two_polls_is_alerted_once() {
    let mut job = observed(JobState::Failed);
    job.start_time_ms = Some(9_200); // after the last successful poll at 9 000
    let obs = run(&view_with(vec![]), reachable(vec![job.clone()]));
    assert_eq!(obs.events.len(), 1);
    let e = &obs.events[0];
    assert_eq!(e.kind, EventKind::JobStateChanged);
    assert!(e.notify);
    assert_eq!(e.severity, Severity::Critical);
    assert_eq!(e.job.as_ref().and_then(|j| j.previous_state), None);
    // A new RUNNING job is a normal start: discovered, no alert.
    job.state = JobState::Running;
    let obs = run(&view_with(vec![]), reachable(vec![job]));
    assert_eq!(obs.events[0].kind, EventKind::JobDiscovered);
    assert!(!obs.events[0].notify);
}

#[test]
fn growing_restart_count_yields_job_restarted_with_the_delta() {
    let mut job = observed(JobState::Running);
    job.restarts = Some(3);
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![job]),
    );
    assert_eq!(obs.events.len(), 1);
    let e = &obs.events[0];
    assert_eq!(e.kind, EventKind::JobRestarted);
    assert_eq!(e.severity, Severity::Major);
    assert!(e.notify);
    let facts = e.job.as_ref().expect("facts");
    assert_eq!(
        (facts.previous_restarts, facts.restarts),
        (Some(0), Some(3))
    );
    assert!(e.summary.contains("restarted 3 times"), "{}", e.summary);
    assert_eq!(obs.upserts[0].restarts, Some(3));
}

#[test]
fn a_visible_restarting_transition_is_not_also_a_job_restarted() {
    let mut job = observed(JobState::Restarting);
    job.restarts = Some(1);
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![job.clone()]),
    );
    assert_eq!(obs.events.len(), 1);
    assert_eq!(obs.events[0].kind, EventKind::JobStateChanged);
    // Two restarts, one of them seen as RESTARTING: the other is reported.
    job.restarts = Some(2);
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![job]),
    );
    let kinds: Vec<_> = obs.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::JobStateChanged, EventKind::JobRestarted]);
    assert!(
        obs.events[1].summary.contains("restarted 1 time "),
        "{}",
        obs.events[1].summary
    );
}

#[test]
fn unknown_or_shrinking_restart_counts_are_not_restarts() {
    for (before, now) in [
        (None, Some(5)),
        (Some(5), None),
        (Some(5), Some(0)),
        (Some(5), Some(5)),
    ] {
        let mut prev = snapshot(JobState::Running);
        prev.restarts = before;
        let mut job = observed(JobState::Running);
        job.restarts = now;
        let obs = run(&view_with(vec![prev]), reachable(vec![job]));
        assert!(
            obs.events.iter().all(|e| e.kind != EventKind::JobRestarted),
            "{before:?} → {now:?}"
        );
    }
}

#[test]
fn an_unchanged_job_writes_nothing_until_last_seen_is_due() {
    let mut prev = snapshot(JobState::Running);
    prev.last_modification_ms = Some(8_500);
    prev.duration_ms = Some(8_000);
    prev.end_time_ms = None;
    let job = observed(JobState::Running);
    let obs = run(&view_with(vec![prev.clone()]), reachable(vec![job.clone()]));
    assert!(obs.events.is_empty());
    assert!(obs.upserts.is_empty());
    prev.last_seen_ms = 10_000 - LAST_SEEN_REFRESH_MS;
    let obs = run(&view_with(vec![prev]), reachable(vec![job]));
    assert_eq!(obs.upserts.len(), 1);
    assert_eq!(obs.upserts[0].last_seen_ms, 10_000);
}

#[test]
fn a_non_terminal_job_missing_from_a_reachable_cluster_disappeared() {
    for state in JobState::ALL {
        let obs = run(&view_with(vec![snapshot(state)]), reachable(vec![]));
        assert_eq!(obs.removed, vec![JID.to_string()], "{state}");
        if state.is_globally_terminal() {
            assert!(
                obs.events.is_empty(),
                "{state}: expired from Flink's job store"
            );
        } else {
            assert_eq!(obs.events.len(), 1);
            let e = &obs.events[0];
            assert_eq!(e.kind, EventKind::JobDisappeared);
            assert_eq!(e.severity, Severity::Critical);
            assert!(e.notify);
            assert_eq!(e.job.as_ref().map(|j| j.state), Some(state));
        }
    }
}

#[test]
fn an_unreachable_cluster_says_nothing_about_its_jobs() {
    let view = view_with(vec![snapshot(JobState::Running)]);
    let obs = run(
        &view,
        PollOutcome::Unreachable {
            error: "refused".into(),
        },
    );
    assert!(obs.removed.is_empty());
    assert!(obs.upserts.is_empty());
    assert!(obs.events.is_empty());
    assert_eq!(obs.health.consecutive_failures, 1);
}

#[test]
fn cluster_unreachable_is_debounced_raised_once_and_recovered_once() {
    let config = DetectorConfig {
        unreachable_after: 3,
        ..DetectorConfig::default()
    };
    let mut view = view_with(vec![]);
    let mut id = ids();
    let mut raised = Vec::new();
    for (i, t) in [10_000, 11_000, 12_000, 13_000, 14_000]
        .into_iter()
        .enumerate()
    {
        let outcome = PollOutcome::Unreachable {
            error: format!("connection refused #{i}"),
        };
        let obs = observe(&view, &outcome, t, &config, &mut id);
        raised.extend(obs.events.clone());
        view.apply(&obs);
    }
    assert_eq!(raised.len(), 1, "one alert for five failures");
    let e = &raised[0];
    assert_eq!(e.kind, EventKind::ClusterUnreachable);
    assert_eq!(e.severity, Severity::Critical);
    assert_eq!(e.occurred_at_ms, 10_000, "since the first failure");
    assert_eq!(e.observed_at_ms, 12_000, "at the third failure");
    assert_eq!(e.error.as_deref(), Some("connection refused #2"));
    assert!(view.health.unreachable);

    let obs = observe(&view, &reachable(vec![]), 20_000, &config, &mut id);
    assert_eq!(obs.events.len(), 1);
    assert_eq!(obs.events[0].kind, EventKind::ClusterRecovered);
    assert_eq!(obs.events[0].severity, Severity::Info);
    assert!(
        obs.events[0].summary.contains("after 10 s"),
        "{}",
        obs.events[0].summary
    );
    view.apply(&obs);
    assert_eq!(view.health.consecutive_failures, 0);
    let obs = observe(&view, &reachable(vec![]), 21_000, &config, &mut id);
    assert!(obs.events.is_empty(), "recovered once");
}

#[test]
fn failures_below_the_debounce_then_success_raise_nothing() {
    let mut view = view_with(vec![]);
    let mut id = ids();
    let config = DetectorConfig::default();
    for t in [1, 2] {
        let obs = observe(
            &view,
            &PollOutcome::Unreachable {
                error: "timeout".into(),
            },
            t,
            &config,
            &mut id,
        );
        assert!(obs.events.is_empty());
        view.apply(&obs);
    }
    let obs = observe(&view, &reachable(vec![]), 3, &config, &mut id);
    assert!(obs.events.is_empty());
    assert_eq!(obs.health.consecutive_failures, 0);
    assert_eq!(obs.health.last_ok_ms, Some(3));
}

#[test]
fn restart_count_is_read_when_a_loop_could_hide_between_polls() {
    let config = DetectorConfig::default();
    let prev = snapshot(JobState::Running);
    let mut job = observed(JobState::Running);
    job.last_modification_ms = prev.last_modification_ms;
    // Nothing moved and it was read recently: skip.
    assert!(!needs_restart_count(
        Some(&prev),
        &job,
        Some(9_000),
        10_000,
        &config
    ));
    // Interval elapsed.
    assert!(needs_restart_count(
        Some(&prev),
        &job,
        Some(0),
        10_000,
        &config
    ));
    // Never read, or never seen.
    assert!(needs_restart_count(
        Some(&prev),
        &job,
        None,
        10_000,
        &config
    ));
    assert!(needs_restart_count(
        None,
        &job,
        Some(9_000),
        10_000,
        &config
    ));
    // Tasks were redeployed: last-modification moved.
    job.last_modification_ms = Some(9_999);
    assert!(needs_restart_count(
        Some(&prev),
        &job,
        Some(9_000),
        10_000,
        &config
    ));
    // RESTARTING always; terminal and other states never.
    for state in JobState::ALL {
        let job = observed(state);
        let expected = match state {
            JobState::Restarting => true,
            JobState::Running => true, // last-modification differs from the snapshot's
            _ => false,
        };
        assert_eq!(
            needs_restart_count(Some(&prev), &job, Some(9_000), 10_000, &config),
            expected,
            "{state}"
        );
    }
}

#[test]
fn root_cause_is_fetched_only_for_changes_that_become_events() {
    for prev in JobState::ALL {
        for new in JobState::ALL {
            let expected = prev != new
                && matches!(
                    new,
                    JobState::Failed | JobState::Failing | JobState::Restarting
                );
            assert_eq!(
                needs_root_cause(Some(&snapshot(prev)), &observed(new), Some(9_000)),
                expected,
                "{prev} → {new}"
            );
        }
    }
    let mut looping = observed(JobState::Running);
    looping.restarts = Some(1);
    assert!(needs_root_cause(
        Some(&snapshot(JobState::Running)),
        &looping,
        Some(9_000)
    ));
    let mut old_failure = observed(JobState::Failed);
    old_failure.start_time_ms = Some(1_000);
    assert!(!needs_root_cause(None, &old_failure, Some(9_000)));
    old_failure.start_time_ms = Some(9_500);
    assert!(needs_root_cause(None, &old_failure, Some(9_000)));
}

#[test]
fn events_get_ids_from_the_caller_in_order() {
    let view = view_with(vec![snapshot(JobState::Running), {
        let mut other = snapshot(JobState::Running);
        other.jid = "ffffffffffffffffffffffffffffffff".into();
        other
    }]);
    let obs = run(&view, reachable(vec![observed(JobState::Failed)]));
    let ids: Vec<_> = obs.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2"]);
    assert_eq!(obs.events[1].kind, EventKind::JobDisappeared);
}

#[test]
fn a_quiet_poll_is_written_only_when_its_refresh_is_due() {
    let view = view_with(vec![]);
    let quiet = run(&view, reachable(vec![]));
    assert!(
        !quiet.needs_write(&view.health, 9_000, 10_000),
        "only last_ok_ms moved"
    );
    assert!(quiet.needs_write(&view.health, 10_000 - LAST_SEEN_REFRESH_MS, 10_000));
    let failed = run(
        &view,
        PollOutcome::Unreachable {
            error: "refused".into(),
        },
    );
    assert!(
        failed.needs_write(&view.health, 9_000, 10_000),
        "a failure is counted durably"
    );
    let with_job = run(&view, reachable(vec![observed(JobState::Running)]));
    assert!(with_job.needs_write(&view.health, 9_000, 10_000));
}

#[test]
fn a_stop_streamwarden_performed_is_recorded_not_alerted() {
    for state in [JobState::Cancelling, JobState::Canceled, JobState::Finished] {
        let mut job = observed(state);
        job.stop_requested_by = Some("alice".into());
        let obs = run(
            &view_with(vec![snapshot(JobState::Running)]),
            reachable(vec![job]),
        );
        let e = &obs.events[0];
        assert!(!e.notify, "{state}");
        assert_eq!(e.severity, Severity::Info);
        assert!(
            e.summary.ends_with("(stopped by StreamWarden for alice)"),
            "{}",
            e.summary
        );
    }
    // A failure during our stop is still an incident.
    let mut job = observed(JobState::Failed);
    job.stop_requested_by = Some("alice".into());
    let obs = run(
        &view_with(vec![snapshot(JobState::Running)]),
        reachable(vec![job]),
    );
    assert!(obs.events[0].notify);
    assert_eq!(obs.events[0].severity, Severity::Critical);
}
