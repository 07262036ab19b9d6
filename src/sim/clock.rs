//! The scenario clock of a live call: wall time, sped up.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Maps the server's running time to scenario time (Unix ns) at a chosen speed, so that a
/// two-hour webinar can play out in minutes.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioClock {
    anchor: Instant,
    anchor_ns: i64,
    speed: f64,
}

impl ScenarioClock {
    /// A clock that reads `anchor_ns` now and runs `speed` times faster than the wall.
    pub fn new(anchor_ns: i64, speed: f64) -> ScenarioClock {
        ScenarioClock {
            anchor: Instant::now(),
            anchor_ns,
            speed,
        }
    }

    /// Scenario seconds per wall second.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn now_ns(&self) -> i64 {
        let elapsed = self.anchor.elapsed().as_secs_f64() * self.speed;
        self.anchor_ns
            .saturating_add(Duration::from_secs_f64(elapsed).as_nanos() as i64)
    }
}

/// The wall clock in Unix ns.
pub fn unix_now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default()
}

/// The wall clock in Unix seconds.
pub fn unix_now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
