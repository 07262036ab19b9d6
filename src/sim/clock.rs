//! The scenario clock of a live call: wall time, sped up.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Maps the server's running time to scenario time (Unix ns) at a chosen speed, so that a
/// two-hour webinar can play out in minutes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScenarioClock {
    anchor: Instant,
    anchor_ns: i64,
    speed: f64,
}

impl ScenarioClock {
    /// A clock that reads `anchor_ns` now and runs `speed` times faster than the wall.
    pub(crate) fn new(anchor_ns: i64, speed: f64) -> ScenarioClock {
        ScenarioClock {
            anchor: Instant::now(),
            anchor_ns,
            speed,
        }
    }

    /// Scenario seconds per wall second.
    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    /// Saturates rather than wraps, however long the clock has run.
    pub(crate) fn now_ns(&self) -> i64 {
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
            };
            assert_eq!(
                clock.now_ns(),
                i64::MAX,
                "10^12 s overflows i64 nanoseconds"
            );
        }
    }
}
