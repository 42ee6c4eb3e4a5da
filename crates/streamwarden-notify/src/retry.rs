//! Retry schedule of deliveries: exponential backoff with jitter, up to a limit.

use std::time::Duration;

/// How failed deliveries are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 12); then the delivery is `failed`.
    pub max_attempts: u32,
    /// Delay after the first failure (default 1 s); doubled after each further one.
    pub initial_backoff: Duration,
    /// Longest delay between two attempts (default 5 min).
    pub max_backoff: Duration,
    /// Each delay is spread by ± this fraction at random, so that many deliveries failing
    /// together do not retry in lockstep (default 0.2).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 12,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// The delay before the next attempt after `failed_attempts` failures (≥ 1), given a
    /// random `unit` in `[0, 1)`; `None` when no attempt is left.
    pub fn next_delay(&self, failed_attempts: u32, unit: f64) -> Option<Duration> {
        if failed_attempts >= self.max_attempts {
            return None;
        }
        let exponent = failed_attempts.saturating_sub(1).min(30);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let spread = 1.0 + self.jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        Some(base.mul_f64(spread.max(0.0)).min(self.max_backoff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_initial_delay_and_is_capped() {
        let policy = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        let delays: Vec<_> = (1..=11)
            .map(|n| policy.next_delay(n, 0.5).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            delays,
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map(Some)
        );
        assert_eq!(policy.next_delay(12, 0.5), None, "12 attempts in all");
    }

    #[test]
    fn jitter_spreads_the_delay_within_its_fraction() {
        let policy = RetryPolicy::default();
        let low = policy.next_delay(3, 0.0).expect("delay");
        let high = policy.next_delay(3, 0.999_999).expect("delay");
        assert_eq!(low, Duration::from_millis(3_200));
        assert!(high > Duration::from_millis(4_790) && high <= Duration::from_millis(4_800));
        assert!(policy.next_delay(u32::MAX - 1, 0.5).is_none());
    }
}
