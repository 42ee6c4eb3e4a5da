//! The restart policy over simulated time.

use super::*;

const S: i64 = 1000;

fn policy() -> RestartPolicy {
    RestartPolicy {
        enabled: true,
        ..RestartPolicy::default()
    }
}

fn ran() -> DownRun {
    DownRun {
        reached_running: true,
        stopped_by_person: false,
    }
}

#[test]
fn a_first_failure_is_restarted_after_the_initial_backoff() {
    let d = decide(&policy(), Trigger::Failed, ran(), &[], false, 100 * S);
    assert_eq!(
        d,
        Decision::Schedule {
            at_ms: 110 * S,
            attempt: 1,
            of: 3
        }
    );
}

#[test]
fn backoff_doubles_within_the_window_and_is_capped() {
    let p = RestartPolicy {
        max_restarts: 10,
        ..policy()
    };
    let mut restarts = Vec::new();
    let mut delays = Vec::new();
    let mut now = 0;
    for _ in 0..8 {
        match decide(&p, Trigger::Failed, ran(), &restarts, false, now) {
            Decision::Schedule { at_ms, .. } => {
                delays.push((at_ms - now) / S);
                restarts.push(at_ms);
                now = at_ms + S;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300, 300]);
}

#[test]
fn the_limit_is_honoured_within_the_sliding_window_then_it_recovers() {
    let p = policy(); // 3 in 30 minutes
    let restarts = [0, 60 * S, 120 * S];
    let d = decide(&p, Trigger::Failed, ran(), &restarts, false, 180 * S);
    assert_eq!(d, Decision::GiveUp { attempts: 3 }, "not N+1");
    // Once the oldest restart leaves the window, a restart is allowed again.
    let d = decide(
        &p,
        Trigger::Failed,
        ran(),
        &restarts,
        false,
        30 * 60 * S + 1,
    );
    assert!(matches!(d, Decision::Schedule { attempt: 3, .. }), "{d:?}");
    let d = decide(
        &p,
        Trigger::Failed,
        ran(),
        &restarts,
        false,
        31 * 60 * S + 1,
    );
    assert!(matches!(d, Decision::Schedule { attempt: 2, .. }), "{d:?}");
}

#[test]
fn stops_by_a_person_failed_starts_and_the_switch_are_never_restarted() {
    let off = RestartPolicy::default();
    assert!(matches!(
        decide(&off, Trigger::Failed, ran(), &[], false, 0),
        Decision::Skip { .. }
    ));
    let stopped = DownRun {
        stopped_by_person: true,
        ..ran()
    };
    assert!(
        matches!(decide(&policy(), Trigger::Disappeared, stopped, &[], false, 0), Decision::Skip { reason } if reason.contains("person"))
    );
    let never = DownRun {
        reached_running: false,
        ..ran()
    };
    assert!(
        matches!(decide(&policy(), Trigger::Failed, never, &[], false, 0), Decision::Skip { reason } if reason.contains("failed start"))
    );
}

#[test]
fn concurrent_triggers_make_one_restart() {
    // Two watcher ticks see the same failure; the second finds the first's restart in flight.
    let first = decide(&policy(), Trigger::Failed, ran(), &[], false, 0);
    assert!(matches!(first, Decision::Schedule { .. }));
    let second = decide(&policy(), Trigger::Failed, ran(), &[], true, 500);
    assert!(matches!(second, Decision::Skip { reason } if reason.contains("in flight")));
    // A disappearance is treated as a failure.
    let gone = decide(&policy(), Trigger::Disappeared, ran(), &[], false, 0);
    assert_eq!(gone, first);
}
