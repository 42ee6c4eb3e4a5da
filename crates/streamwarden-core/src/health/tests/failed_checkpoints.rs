//! The failed-checkpoints check: each id counted once, the window, ids that come back.

use super::*;

#[test]
fn the_same_failed_checkpoints_over_100_polls_count_once() {
    let mut w = Watch::new(HealthConfig::default());
    let mut history = vec![(1, Some(0)), (2, Some(S)), (3, Some(2 * S))];
    for i in 0..100 {
        if i == 50 {
            history.push((4, Some(50 * S)));
        }
        w.poll(&checkpoints(i * S, Some(i * S), &history));
    }
    assert_eq!(w.transitions(), [(50 * S, Check::CheckpointsFailing, true)]);
    assert_eq!(w.found[0].1.observed, 4);
    assert_eq!(w.health.failed.len(), 4);
}

#[test]
fn failures_within_the_window_open_then_the_window_slides_and_old_ids_are_never_recounted() {
    // Checkpoint k fails at k min (k = 1..=4); Flink's history keeps showing them for 2 h.
    let mut w = Watch::new(HealthConfig::default());
    for now in (0..=2 * 60 * MIN).step_by(10_000) {
        let history: Vec<_> = (1..=4u64)
            .map(|k| (k, Some(k as i64 * MIN)))
            .filter(|(_, at)| at.is_some_and(|at| at <= now))
            .collect();
        w.poll(&checkpoints(now, Some(now), &history));
    }
    use Check::CheckpointsFailing as F;
    assert_eq!(w.transitions(), [(4 * MIN, F, true), (11 * MIN, F, false)]);
    assert_eq!(
        w.found[0].1.reason,
        "4 failed checkpoints within 10 min (limit 3), latest id 4"
    );
    assert_eq!(
        w.found[1].1.reason,
        "3 failed checkpoints within 10 min (limit 3), latest id 4"
    );
    assert_eq!(w.health.failed.len(), 0);
    // A new failure counts; the old ones still in the history do not.
    let mut history: Vec<_> = (1..=4u64).map(|k| (k, Some(k as i64 * MIN))).collect();
    history.push((5, None));
    w.poll(&checkpoints(121 * MIN, None, &history));
    assert_eq!(w.health.failed.len(), 1);
}

#[test]
fn a_missing_failure_time_is_the_time_the_id_was_first_seen() {
    let mut w = Watch::new(HealthConfig::default());
    let history: Vec<_> = (1..=4u64).map(|k| (k, None)).collect();
    for now in (0..=20 * MIN).step_by(10_000) {
        w.poll(&checkpoints(now, Some(now), &history));
    }
    use Check::CheckpointsFailing as F;
    assert_eq!(w.transitions(), [(0, F, true), (10 * MIN, F, false)]);
}

#[test]
fn old_failures_seen_at_discovery_and_future_failure_times_are_judged_sanely() {
    let mut w = Watch::new(HealthConfig::default());
    let old: Vec<_> = (1..=10u64).map(|k| (k, Some(k as i64 * MIN))).collect();
    for now in (2 * 60 * MIN..3 * 60 * MIN).step_by(10_000) {
        w.poll(&checkpoints(now, Some(now), &old));
    }
    assert_eq!(w.transitions(), []);
    // Clock skew: failures "in an hour" count as now and leave the window 10 min later.
    let future: Vec<_> = (11..=14u64).map(|k| (k, Some(5 * 60 * MIN))).collect();
    for now in (3 * 60 * MIN..=3 * 60 * MIN + 20 * MIN).step_by(10_000) {
        w.poll(&checkpoints(now, Some(now), &future));
    }
    use Check::CheckpointsFailing as F;
    assert_eq!(
        w.transitions(),
        [(180 * MIN, F, true), (190 * MIN, F, false)]
    );
}

#[test]
fn failed_ids_stay_bounded_and_are_never_recounted_once_evicted() {
    let config = HealthConfig {
        failed_checkpoints: Some(FailedCheckpointsCheck {
            max_failed: 3,
            window_ms: i64::MAX,
        }),
        ..HealthConfig::default()
    };
    let mut w = Watch::new(config);
    for i in 0..5000u64 {
        let history: Vec<_> = (i.saturating_sub(9)..=i)
            .map(|id| (id, Some(id as i64)))
            .collect();
        w.poll(&checkpoints(i as i64, Some(i as i64), &history));
        assert!(w.health.failed.len() <= 1024);
    }
    assert_eq!(w.transitions(), [(3, Check::CheckpointsFailing, true)]);
    assert_eq!(
        w.health.open_checks().next().map(|f| f.observed),
        Some(1024),
        "capped"
    );
}
