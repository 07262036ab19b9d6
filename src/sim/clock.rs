//! The scenario clock of a live call: wall time, sped up.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Maps the server's running time to scenario time (Unix ns) at a chosen speed, so that a
/// two-hour webinar can play out in minutes; or, stepped, to the time a test moved it to.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioClock {
    anchor: Instant,
    anchor_ns: i64,
    speed: f64,
    /// Scenario time moved on by hand since `anchor_ns` (ns), when the clock is stepped: it
    /// then stands still between steps, so that two clients can read the same moment.
    stepped: Option<Arc<AtomicI64>>,
}

impl ScenarioClock {
    /// A clock that reads `anchor_ns` now and runs `speed` times faster than the wall.
    pub(crate) fn new(anchor_ns: i64, speed: f64) -> ScenarioClock {
        ScenarioClock {
            anchor: Instant::now(),
            anchor_ns,
            speed,
            stepped: None,
        }
    }

    /// A clock that reads `anchor_ns` until [`ScenarioClock::advance`] moves it on.
    pub(crate) fn stepped(anchor_ns: i64, speed: f64) -> ScenarioClock {
        ScenarioClock {
            stepped: Some(Arc::default()),
            ..ScenarioClock::new(anchor_ns, speed)
        }
    }

    /// Moves a stepped clock on by `by` of scenario time; a running clock is left alone
    /// (`false`).
    pub(crate) fn advance(&self, by: Duration) -> bool {
        let Some(moved) = &self.stepped else {
            return false;
        };
        let by = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX);
        let _ = moved.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |at| {
            Some(at.saturating_add(by))
        });
        true
    }

    /// Scenario seconds per wall second.
    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    /// Saturates rather than wraps, however long the clock has run.
    pub(crate) fn now_ns(&self) -> i64 {
        if let Some(moved) = &self.stepped {
            return self.anchor_ns.saturating_add(moved.load(Ordering::Relaxed));
        }
        let elapsed = self.anchor.elapsed().as_secs_f64() * self.speed;
        let elapsed_ns = Duration::try_from_secs_f64(elapsed)
            .ok()
            .and_then(|elapsed| i64::try_from(elapsed.as_nanos()).ok())
            .unwrap_or(i64::MAX);
        self.anchor_ns.saturating_add(elapsed_ns)
    }
}

/// The wall clock in Unix ns.
pub(crate) fn unix_now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default()
}

/// The wall clock in Unix seconds.
pub(crate) fn unix_now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn scenario_time_saturates_instead_of_wrapping() {
        let near_the_end = ScenarioClock::new(i64::MAX - 1, 10_000.0);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(near_the_end.now_ns(), i64::MAX);
        // A machine up for less than a second has no instant that far back to anchor on.
        if let Some(anchor) = Instant::now().checked_sub(Duration::from_secs(1)) {
            let clock = ScenarioClock {
                anchor,
                anchor_ns: 0,
                speed: 1e12,
                stepped: None,
            };
            assert_eq!(
                clock.now_ns(),
                i64::MAX,
                "10^12 s overflows i64 nanoseconds"
            );
        }
    }

    #[test]
    fn a_stepped_clock_stands_still_between_steps() {
        let clock = ScenarioClock::stepped(1_000, 600.0);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(clock.now_ns(), 1_000);
        assert!(clock.advance(Duration::from_nanos(500)));
        assert_eq!(clock.clone().now_ns(), 1_500, "clones share the steps");
        assert!(!ScenarioClock::new(0, 1.0).advance(Duration::from_secs(1)));
    }
}
