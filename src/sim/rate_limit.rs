//! Stream's app rate limits: a quota per endpoint over fixed windows (a minute, as Stream's,
//! unless a test asks for shorter ones so that waiting one out stays quick).

use std::collections::HashMap;
use std::sync::Mutex;

/// Counts requests per endpoint. A limit of 0 turns limiting off.
pub(crate) struct RateLimiter {
    limit: u32,
    window_secs: u64,
    windows: Mutex<HashMap<&'static str, RateWindow>>,
}

#[derive(Clone, Copy)]
struct RateWindow {
    index: u64,
    used: u32,
}

/// The state of one endpoint's quota after a request, as the `X-RateLimit-*` headers tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// End of the current window, in Unix seconds.
    pub(crate) reset: u64,
    /// This request was over the quota.
    pub(crate) exceeded: bool,
}

impl Quota {
    /// Whole seconds until the window resets (at least 1), for `Retry-After`.
    pub(crate) fn retry_after(&self, now_secs: u64) -> u64 {
        self.reset.saturating_sub(now_secs).max(1)
    }
}

impl RateLimiter {
    /// `limit` requests per endpoint in each window of `window_secs` (at least one second: the
    /// `X-RateLimit-Reset` header counts whole seconds).
    pub(crate) fn new(limit: u32, window_secs: u64) -> RateLimiter {
        RateLimiter {
            limit,
            window_secs: window_secs.max(1),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request to `endpoint` at `now_secs` (Unix seconds); `None` when limiting is
    /// off.
    pub(crate) fn take(&self, endpoint: &'static str, now_secs: u64) -> Option<Quota> {
        if self.limit == 0 {
            return None;
        }
        let index = now_secs / self.window_secs;
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = windows
            .entry(endpoint)
            .or_insert(RateWindow { index, used: 0 });
        if window.index != index {
            *window = RateWindow { index, used: 0 };
        }
        let exceeded = window.used >= self.limit;
        if !exceeded {
            window.used += 1;
        }
        Some(Quota {
            limit: self.limit,
            remaining: self.limit - window.used,
            reset: (index + 1) * self.window_secs,
            exceeded,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_is_per_endpoint_and_per_minute() {
        let limiter = RateLimiter::new(2, 60);
        let t = 1_767_000_000;
        assert_eq!(limiter.take("GetCall", t).unwrap().remaining, 1);
        assert_eq!(limiter.take("GetCall", t + 1).unwrap().remaining, 0);
        let over = limiter.take("GetCall", t + 2).unwrap();
        assert!(over.exceeded);
        assert_eq!(over.reset % 60, 0);
        assert!(over.retry_after(t + 2) <= 60);
        assert!(!limiter.take("Other", t + 2).unwrap().exceeded);
        assert!(!limiter.take("GetCall", over.reset).unwrap().exceeded);
    }

    #[test]
    fn zero_turns_limiting_off() {
        assert_eq!(RateLimiter::new(0, 60).take("GetCall", 1), None);
    }

    #[test]
    fn a_short_window_resets_sooner() {
        let limiter = RateLimiter::new(1, 5);
        let t = 1_767_000_000;
        assert!(!limiter.take("GetCall", t).unwrap().exceeded);
        let over = limiter.take("GetCall", t).unwrap();
        assert!(over.exceeded);
        assert_eq!(over.reset, t + 5);
        assert!(!limiter.take("GetCall", t + 5).unwrap().exceeded);
    }
}
