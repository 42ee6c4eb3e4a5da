//! The restart-loop check: baseline, sliding window, counter resets, bounded samples.

use super::*;

#[test]
fn a_restart_loop_is_reported_once_and_recovers_when_quiet() {
    // Restarts at 60, 90, 120, 150 and 180 s; polled every 10 s for 2 h.
    let at = [60 * S, 90 * S, 120 * S, 150 * S, 180 * S];
    let mut w = Watch::new(HealthConfig::default());
    let mut previous = 0;
    for now in (0..=2 * 60 * MIN).step_by(10_000) {
        let count = at.iter().filter(|t| **t <= now).count() as u64;
        let state = if count > previous {
            JobState::Restarting
        } else {
            JobState::Running
        };
        previous = count;
        w.poll(&restarts(now, state, count));
        assert!(w.health.restarts.len() <= at.len() + 1);
    }
    use Check::RestartLoop as R;
    // 4 > 3 within 10 min at 150 s; at 690 s the count of 90 s (2) is the baseline: 5 − 2 = 3.
    assert_eq!(w.transitions(), [(150 * S, R, true), (690 * S, R, false)]);
    assert_eq!(
        w.found[0].1.reason,
        "numRestarts grew by 4 within 10 min (limit 3)"
    );
    assert_eq!((w.found[0].1.observed, w.found[0].1.limit), (4, 3));
    assert_eq!(w.found[0].1.window_ms, Some(10 * MIN));
    assert_eq!(
        w.found[1].1.reason,
        "numRestarts grew by 3 within 10 min (limit 3)"
    );
    assert_eq!(w.health.restarts.len(), 1, "only the baseline is left");
}

#[test]
fn a_job_discovered_with_many_restarts_is_not_a_loop() {
    let mut w = Watch::new(HealthConfig::default());
    for (now, count) in [(0, 50), (10 * S, 51), (MIN, 52), (2 * MIN, 53)] {
        assert_eq!(w.poll(&restarts(now, JobState::Running, count)), []);
    }
    let facts = w.poll(&restarts(3 * MIN, JobState::Running, 54));
    assert_eq!(facts.len(), 1);
    assert_eq!(
        facts[0].observed, 4,
        "growth since the first count, not the count"
    );
}

#[test]
fn restarts_spread_wider_than_the_window_never_open() {
    // One restart every 4 min: at most 3 within any 10 min.
    let mut w = Watch::new(HealthConfig::default());
    for now in (0..=2 * 60 * MIN).step_by(10_000) {
        w.poll(&restarts(now, JobState::Running, (now / (4 * MIN)) as u64));
    }
    assert_eq!(w.transitions(), []);
    assert!(w.health.restarts.len() <= 4);
}

#[test]
fn a_restart_loop_is_never_reported_while_failed_and_closes_when_the_job_fails() {
    let mut w = Watch::new(HealthConfig::default());
    for i in 0..5u64 {
        w.poll(&restarts(i as i64 * 10 * S, JobState::Restarting, i * 2));
    }
    assert!(w.health.is_open(Check::RestartLoop));
    let facts = w.poll(&restarts(MIN, JobState::Failed, 20));
    assert_eq!(facts.len(), 1);
    assert!(!facts[0].unhealthy);
    assert_eq!(facts[0].reason, "the job ended (FAILED)");
    assert_eq!(facts[0].observed, 8, "the last measurement");
    for now in (MIN..20 * MIN).step_by(10_000) {
        assert_eq!(w.poll(&restarts(now, JobState::Failed, now as u64)), []);
    }
    assert_eq!(w.health, JobHealth::default(), "an ended job is forgotten");
}

#[test]
fn a_lower_count_starts_a_new_baseline_without_underflow() {
    let mut w = Watch::new(HealthConfig::default());
    for (now, count) in [(0, 100), (10 * S, 0), (20 * S, 2)] {
        assert_eq!(w.poll(&restarts(now, JobState::Running, count)), []);
    }
    assert_eq!(
        w.poll(&restarts(30 * S, JobState::Running, 5))[0].observed,
        5
    );
    let mut w = Watch::new(HealthConfig::default());
    w.poll(&restarts(0, JobState::Running, 0));
    let opened = w.poll(&restarts(S, JobState::Running, u64::MAX));
    assert_eq!(opened[0].observed, i64::MAX);
    let closed = w.poll(&restarts(2 * S, JobState::Running, 0));
    assert_eq!((closed[0].unhealthy, closed[0].observed), (false, 0));
}

#[test]
fn an_open_loop_closes_when_the_window_slides_even_without_new_reads() {
    let mut w = Watch::new(HealthConfig::default());
    for i in 0..5 {
        w.poll(&restarts(i * S, JobState::Running, i as u64));
    }
    assert!(w.health.is_open(Check::RestartLoop));
    for now in (10 * S..20 * MIN).step_by(10_000) {
        w.poll(&sample(now, JobState::Running));
    }
    // Baseline (1 s, 1) once 10 min have passed since 1 s: 4 − 1 = 3.
    let closes: Vec<_> = w.transitions().into_iter().filter(|t| !t.2).collect();
    assert_eq!(closes, [(10 * MIN + 10 * S, Check::RestartLoop, false)]);
}

#[test]
fn restart_samples_stay_bounded_when_the_count_changes_every_poll() {
    let mut w = Watch::new(HealthConfig::default());
    for (i, now) in (0..24 * 360).map(|i| (i, i * 10 * S)) {
        w.poll(&restarts(now, JobState::Running, i as u64));
        assert!(w.health.restarts.len() <= 61);
    }
    assert_eq!(w.transitions(), [(40 * S, Check::RestartLoop, true)]);
}
