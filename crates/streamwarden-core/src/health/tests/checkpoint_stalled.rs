//! The checkpoint-stall check: the threshold, what age is measured from, when it is judged.

use super::*;

#[test]
fn the_default_stall_threshold_is_max_of_interval_and_timeout_times_tolerable_plus_two() {
    let formula = CheckpointStallCheck::default();
    let t = |interval_ms, timeout_ms, tolerable_failures, check: &CheckpointStallCheck| {
        let s = CheckpointSettings {
            interval_ms,
            timeout_ms,
            tolerable_failures,
        };
        stall_threshold_ms(&s, check)
    };
    assert_eq!(t(1000, 600_000, 0, &formula), Some(1_200_000));
    assert_eq!(t(60_000, 10_000, 3, &formula), Some(300_000));
    assert_eq!(
        t(60_000, 10_000, -4, &formula),
        Some(120_000),
        "negative counts as 0"
    );
    let explicit = CheckpointStallCheck {
        threshold_ms: Some(5 * MIN),
    };
    assert_eq!(
        t(1000, 600_000, 0, &explicit),
        Some(5 * MIN),
        "explicit wins"
    );
    let zero = CheckpointStallCheck {
        threshold_ms: Some(0),
    };
    assert_eq!(
        t(1000, 600_000, 0, &zero),
        Some(1_200_000),
        "0 means the formula"
    );
    for disabled in [i64::MAX, 0, -1, i64::MIN] {
        assert_eq!(t(disabled, 600_000, 0, &formula), None);
        assert_eq!(t(disabled, 600_000, 0, &explicit), None);
    }
    assert_eq!(
        t(i64::MAX - 1, i64::MAX, i64::MAX, &formula),
        Some(i64::MAX)
    );
}

/// Checkpoints complete every second until `stop`, then again from `resume`; polled every
/// second for 15 min.
fn stall_run(config: HealthConfig, stop: i64, resume: i64) -> Watch {
    let mut w = Watch::new(config);
    for now in (0..=15 * MIN).step_by(1000) {
        let ack = if now <= stop || now >= resume {
            now
        } else {
            stop
        };
        w.poll(&checkpoints(now, Some(ack), &[]));
    }
    w
}

#[test]
fn a_stalled_checkpoint_is_reported_once_and_closes_when_one_completes() {
    let w = stall_run(HealthConfig::default(), 30 * S, 5 * MIN);
    use Check::CheckpointStalled as C;
    assert_eq!(w.transitions(), [(91 * S, C, true), (5 * MIN, C, false)]);
    let opened = &w.found[0].1;
    assert_eq!(
        opened.reason,
        "no completed checkpoint for 1 min 1 s \
         (threshold 1 min = max(interval 1 s, timeout 30 s) × (0 tolerable failures + 2))"
    );
    assert_eq!(
        (opened.observed, opened.limit, opened.window_ms),
        (61 * S, MIN, None)
    );
    assert!(
        w.found[1]
            .1
            .reason
            .starts_with("a checkpoint completed 0 ms ago")
    );
}

#[test]
fn an_explicit_stall_threshold_wins_over_the_formula() {
    let config = HealthConfig {
        checkpoint_stalled: Some(CheckpointStallCheck {
            threshold_ms: Some(5 * MIN),
        }),
        ..HealthConfig::default()
    };
    let w = stall_run(config, 30 * S, 10 * MIN);
    use Check::CheckpointStalled as C;
    assert_eq!(w.transitions(), [(331 * S, C, true), (10 * MIN, C, false)]);
    assert!(
        w.found[0]
            .1
            .reason
            .ends_with("(threshold 5 min, configured)")
    );
}

#[test]
fn a_job_without_checkpointing_is_never_reported_stalled() {
    for interval_ms in [i64::MAX, 0, -1] {
        let mut w = Watch::new(HealthConfig::default());
        for now in (0..=60 * MIN).step_by(10_000) {
            let mut s = checkpoints(now, None, &[]);
            if let Some(c) = &mut s.checkpoints {
                c.settings.interval_ms = interval_ms;
            }
            w.poll(&s);
        }
        assert_eq!(w.transitions(), []);
    }
}

#[test]
fn a_job_that_just_came_back_running_is_not_reported_stalled() {
    // Restored from a checkpoint acknowledged at 0, RUNNING again since 1 h.
    let mut w = Watch::new(HealthConfig::default());
    for now in (60 * MIN..=60 * MIN + 60 * S).step_by(1000) {
        let s = checkpoints(now, Some(0), &[]);
        w.poll(&HealthSample {
            running_since_ms: Some(60 * MIN),
            ..s
        });
    }
    assert_eq!(w.transitions(), [], "not for the old checkpoint");
    let s = checkpoints(61 * MIN + S, Some(0), &[]);
    let facts = w.poll(&HealthSample {
        running_since_ms: Some(60 * MIN),
        ..s
    });
    assert!(
        facts[0]
            .reason
            .starts_with("no completed checkpoint in the 1 min 1 s since the job became RUNNING")
    );
    // RESTARTING keeps the judgement; RUNNING again with a fresh start closes it.
    let restarting = HealthSample {
        state: JobState::Restarting,
        ..checkpoints(62 * MIN, Some(0), &[])
    };
    assert_eq!(w.poll(&restarting), []);
    assert_eq!(
        w.poll(&sample(62 * MIN + S, JobState::Running)),
        [],
        "not read: kept"
    );
    let back = HealthSample {
        running_since_ms: Some(62 * MIN),
        ..checkpoints(62 * MIN + 2 * S, Some(0), &[])
    };
    let facts = w.poll(&back);
    assert_eq!((facts[0].unhealthy, facts[0].observed), (false, 2 * S));
    assert!(
        facts[0]
            .reason
            .starts_with("the job became RUNNING 2 s ago")
    );
}

#[test]
fn without_a_running_since_the_first_running_sample_and_seen_restarts_stand_in() {
    let mut w = Watch::new(HealthConfig::default());
    for now in (10 * MIN..=12 * MIN).step_by(10_000) {
        // Restarted between two polls at 10 min 50 s: numRestarts moved, RESTARTING unseen.
        let count = if now >= 10 * MIN + 50 * S { 1 } else { 0 };
        let s = checkpoints(now, None, &[]);
        w.poll(&HealthSample {
            running_since_ms: None,
            restarts: Some(count),
            ..s
        });
    }
    assert_eq!(
        w.transitions(),
        [(11 * MIN + 60 * S, Check::CheckpointStalled, true)]
    );
}

#[test]
fn a_job_is_not_judged_stalled_while_restarting_or_unread() {
    let mut w = Watch::new(HealthConfig::default());
    for now in (0..=60 * MIN).step_by(10_000) {
        let s = checkpoints(now, Some(0), &[]);
        w.poll(&HealthSample {
            state: JobState::Restarting,
            ..s
        });
    }
    assert_eq!(w.transitions(), []);
    w.poll(&checkpoints(61 * MIN, Some(0), &[]));
    for now in (61 * MIN..=120 * MIN).step_by(10_000) {
        w.poll(&sample(now, JobState::Running));
        w.poll(&HealthSample {
            state: JobState::Restarting,
            ..checkpoints(now, Some(0), &[])
        });
    }
    assert_eq!(
        w.transitions(),
        [(61 * MIN, Check::CheckpointStalled, true)]
    );
}

#[test]
fn huge_and_negative_numbers_saturate_without_panicking() {
    let edges = [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
    let windows = [i64::MIN, 0, i64::MAX];
    for &a in &edges {
        for &b in &edges {
            for &window_ms in &windows {
                let config = HealthConfig {
                    restart_loop: Some(RestartLoopCheck {
                        max_restarts: u32::MAX,
                        window_ms,
                    }),
                    checkpoint_stalled: Some(CheckpointStallCheck {
                        threshold_ms: Some(b),
                    }),
                    failed_checkpoints: Some(FailedCheckpointsCheck {
                        max_failed: 0,
                        window_ms,
                    }),
                };
                let mut w = Watch::new(config);
                for (now, count) in [(a, 0), (b, u64::MAX), (a, 1)] {
                    let settings = CheckpointSettings {
                        interval_ms: a,
                        timeout_ms: b,
                        tolerable_failures: a,
                    };
                    w.poll(&HealthSample {
                        now_ms: now,
                        state: JobState::Running,
                        restarts: Some(count),
                        running_since_ms: Some(b),
                        checkpoints: Some(CheckpointSample {
                            settings,
                            latest_completed_ack_ms: Some(a),
                            failed: vec![(u64::MAX, Some(a)), (0, Some(b)), (1, None)],
                        }),
                    });
                }
                for (_, f) in &w.found {
                    assert!(f.observed >= 0, "{f:?}");
                }
                end(&mut w.health);
            }
        }
    }
}
