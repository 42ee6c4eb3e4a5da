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

#[test]
fn an_unhealthy_job_is_restarted_only_when_the_policy_says_so() {
    let d = decide(&policy(), Trigger::Unhealthy, ran(), &[], false, 0);
    assert!(matches!(d, Decision::Skip { .. }), "{d:?}");
    let p = RestartPolicy {
        on_unhealthy: true,
        ..policy()
    };
    let d = decide(&p, Trigger::Unhealthy, ran(), &[], false, 0);
    assert!(matches!(d, Decision::Schedule { attempt: 1, .. }), "{d:?}");
}

#[test]
fn overrides_replace_only_what_they_set_and_the_switch_comes_from_meta_json() {
    let base = RestartPolicy::default();
    assert_eq!(RestartOverrides::default().apply(base, true), policy());
    assert!(!RestartOverrides::default().apply(base, false).enabled);
    let o: AppPolicy = serde_json::from_str(
        r#"{"restart": {"enabled": false, "max_restarts": 5, "window": "1h", "backoff_max": "30s"}}"#,
    )
    .unwrap();
    let p = o.restart.apply(base, true);
    assert_eq!(
        p,
        RestartPolicy {
            enabled: false,
            max_restarts: 5,
            window_ms: 3_600_000,
            backoff_max_ms: 30_000,
            ..base
        }
    );
    assert!(o.restart.errors().is_empty());
    let back = serde_json::to_value(&o).unwrap();
    assert_eq!(back["restart"]["window"], "1h");
    assert!(back["restart"].get("auto_restore").is_none());
}

#[test]
fn out_of_range_overrides_and_unknown_fields_are_refused_by_name() {
    let o: AppPolicy = serde_json::from_str(
        r#"{"restart": {"max_restarts": 0, "window": "0s", "backoff_initial": "1m", "backoff_max": "10s"}}"#,
    )
    .unwrap();
    let fields: Vec<String> = o.restart.errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "restart.max_restarts",
            "restart.window",
            "restart.backoff_max"
        ]
    );
    let unknown = serde_json::from_str::<AppPolicy>(r#"{"restart": {"max_restart": 2}}"#)
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("max_restart"), "{unknown}");
}
