//! The dashboard's two clocks.
//!
//! Every message reaches the app with two readings ([`Now`]): the server's present and this
//! machine's monotonic clock. They answer different questions and may run at different rates
//! (a skewed server, or `headcount sim --speed N`, whose present runs N times faster than real
//! time):
//!
//! - **the server's present** (`Now::server`, Unix ns, from each answer's `Date`:
//!   `StreamClient::present`) is the instant every attendance figure is computed at (an open
//!   session lasts until it), the call's state, the filter's dates, and the instants the server
//!   states (a rate limit's reset, a retry it asks for);
//! - **the local clock** (`Now::local`, [`Local`]) measures what the person at the terminal
//!   waits for: the recompute throttle, the filter's debounce, how long a message stays, how
//!   long an answer has been awaited, the rows per second, how long ago the data came, and
//!   `--interval` between polls.

use std::ops::{Add, Sub};
use std::time::Duration;

use crate::api::timestamp::Nanos;

/// An instant on this machine's monotonic clock: nanoseconds since an origin the driver picks
/// (its start). Only differences mean something; it never goes backwards and ignores the wall
/// clock's jumps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Local(Nanos);

impl Local {
    /// The instant `nanos` after the origin.
    pub const fn from_nanos(nanos: Nanos) -> Local {
        Local(nanos)
    }

    /// Nanoseconds since the origin.
    pub const fn nanos(self) -> Nanos {
        self.0
    }

    /// `later` after this instant, saturating.
    pub fn after(self, later: Nanos) -> Local {
        Local(self.0.saturating_add(later))
    }

    /// `earlier` before this instant, saturating.
    pub fn before(self, earlier: Nanos) -> Local {
        Local(self.0.saturating_sub(earlier))
    }
}

impl Add<Nanos> for Local {
    type Output = Local;

    fn add(self, later: Nanos) -> Local {
        self.after(later)
    }
}

/// The time from one local instant to another, in nanoseconds (negative when `other` is later).
impl Sub for Local {
    type Output = Nanos;

    fn sub(self, other: Local) -> Nanos {
        self.0.saturating_sub(other.0)
    }
}

/// The two clocks at one instant: what every message and every draw is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// The server's present (Unix ns): the instant of every figure.
    pub server: Nanos,
    /// This machine's monotonic clock: the instant of every wait the user sees.
    pub local: Local,
}

impl Now {
    pub const fn new(server: Nanos, local: Local) -> Now {
        Now { server, local }
    }

    /// Both clocks `by` later: the clocks of a server that runs at real speed.
    pub fn advanced(self, by: Nanos) -> Now {
        Now {
            server: self.server.saturating_add(by),
            local: self.local + by,
        }
    }

    /// The local instant of `stated` (Unix ns on the server's clock), an instant the server
    /// states as a wait from its present: a rate limit's reset, a retry's time. The server
    /// means `stated − Date` of real time (Stream's clock runs at real speed; `headcount sim`
    /// states its resets as its `Date` plus the real time left in the window, whatever its
    /// speed; the client plans a retry as a real wait), so the instant is fixed on the local
    /// clock the moment it is learned, where no later jump of the server's clock (a sped-up
    /// sim's next `Date`) moves it.
    pub fn local_of(self, stated: Nanos) -> Local {
        self.local + stated.saturating_sub(self.server)
    }
}

/// Clocks that read the same number and run together (tests, and a server at real speed):
/// the local instant is `server` nanoseconds after its origin.
impl From<Nanos> for Now {
    fn from(server: Nanos) -> Now {
        Now {
            server,
            local: Local(server),
        }
    }
}

/// The driver's monotonic clock: [`Local`] instants measured from its creation.
#[derive(Debug, Clone, Copy)]
pub struct LocalClock {
    origin: std::time::Instant,
}

impl Default for LocalClock {
    fn default() -> Self {
        LocalClock::new()
    }
}

impl LocalClock {
    /// A clock whose origin is now.
    pub fn new() -> LocalClock {
        LocalClock {
            origin: std::time::Instant::now(),
        }
    }

    /// The local instant now.
    pub fn now(&self) -> Local {
        self.local(std::time::Instant::now())
    }

    /// The local instant of `at`.
    pub fn local(&self, at: std::time::Instant) -> Local {
        let since = at.saturating_duration_since(self.origin);
        Local(Nanos::try_from(since.as_nanos()).unwrap_or(Nanos::MAX))
    }

    /// The monotonic instant of `at` (an instant before the origin is the origin).
    pub fn instant(&self, at: Local) -> std::time::Instant {
        self.origin + Duration::from_nanos(u64::try_from(at.0).unwrap_or(0))
    }

    /// Both clocks now, the server's read from `server_present` (`StreamClient::present`).
    pub fn now_with(&self, server_present: Nanos) -> Now {
        Now {
            server: server_present,
            local: self.now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::timestamp::NANOS_PER_SEC;

    #[test]
    fn local_instants_count_from_the_clocks_origin_and_map_back() {
        let clock = LocalClock::new();
        let at = clock.now() + 3 * NANOS_PER_SEC;
        let instant = clock.instant(at);
        assert_eq!(clock.local(instant), at);
        assert!(instant >= std::time::Instant::now() + Duration::from_secs(2));
        assert_eq!(at - (at + NANOS_PER_SEC), -NANOS_PER_SEC);
    }
}
