//! When to try a failed request again, and how long to wait first.
//!
//! Pure arithmetic, so the policy is tested without clocks or sockets: the client passes in the
//! server's hint and a random number, and sleeps for whatever this module answers.

use std::time::Duration;

/// How persistently a failed request that changes nothing (see `Request::idempotent`) is
/// retried.
///
/// Fields are public so tests and tools can shrink the waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry; each later retry doubles it.
    pub base_delay: Duration,
    /// The backoff ceiling never grows beyond this.
    pub max_delay: Duration,
    /// The longest wait the server may ask for (`Retry-After`, rate-limit reset). Stream's
    /// windows last a minute, so the default waits one out. A longer request gets no retry:
    /// the error reports until when instead.
    pub max_server_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_server_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// One attempt only.
    pub const NEVER: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_server_wait: Duration::ZERO,
    };

    /// The wait before the next attempt, or `None` to give up.
    ///
    /// `attempts_made` counts the attempts that already failed (1 after the first).
    /// `server_hint` is the wait the server asked for (`Retry-After` or the rate-limit reset).
    /// `jitter` is uniform in `[0, 1)`; backoff uses "full jitter" so that many clients failing
    /// together do not retry together.
    pub(crate) fn wait_before_retry(
        &self,
        attempts_made: u32,
        server_hint: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        match server_hint {
            Some(hint) if hint > self.max_server_wait => None,
            Some(hint) => Some(hint),
            None => Some(
                self.backoff_ceiling(attempts_made)
                    .mul_f64(jitter.clamp(0.0, 1.0)),
            ),
        }
    }

    /// `base_delay * 2^(retry - 1)`, capped at `max_delay`.
    fn backoff_ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.base_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn default_is_four_attempts_backing_off_from_one_second() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 4);
        assert_eq!(policy.wait_before_retry(1, None, 1.0), Some(SECOND));
        assert!(policy.wait_before_retry(4, None, 0.5).is_none());
    }

    #[test]
    fn backoff_doubles_until_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 20,
            ..RetryPolicy::default()
        };
        let ceilings: Vec<_> = (1..8)
            .map(|n| policy.wait_before_retry(n, None, 1.0).unwrap())
            .collect();
        let expected: Vec<_> = [1, 2, 4, 8, 16, 30, 30].map(|s| s * SECOND).to_vec();
        assert_eq!(ceilings, expected);
    }

    #[test]
    fn full_jitter_scales_the_ceiling() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait_before_retry(2, None, 0.0), Some(Duration::ZERO));
        assert_eq!(policy.wait_before_retry(2, None, 0.25), Some(SECOND / 2));
    }

    #[test]
    fn server_hint_is_obeyed_without_jitter() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.wait_before_retry(1, Some(7 * SECOND), 0.0),
            Some(7 * SECOND)
        );
        assert_eq!(
            policy.wait_before_retry(3, Some(Duration::ZERO), 0.9),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn a_whole_rate_limit_window_is_waited_out() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.wait_before_retry(1, Some(45 * SECOND), 0.5),
            Some(45 * SECOND)
        );
        assert_eq!(
            policy.wait_before_retry(1, Some(60 * SECOND), 0.5),
            Some(60 * SECOND)
        );
    }

    #[test]
    fn a_hint_beyond_the_server_wait_cap_gives_up_instead_of_hanging() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait_before_retry(1, Some(61 * SECOND), 0.5), None);
    }

    #[test]
    fn attempts_are_capped_even_with_a_hint() {
        let policy = RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        };
        assert!(policy.wait_before_retry(1, Some(SECOND), 0.5).is_some());
        assert!(policy.wait_before_retry(2, Some(SECOND), 0.5).is_none());
        assert!(RetryPolicy::NEVER.wait_before_retry(1, None, 0.5).is_none());
    }
}
