//! The configurable limits of the per-user flags.

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// Grace periods and the reconnect gap, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Thresholds {
    /// A user is late when their first join is more than this after the window start.
    pub(crate) late_grace: Nanos,
    /// A user left early when their last leave is more than this before the window end.
    pub(crate) early_grace: Nanos,
    /// A gap between a user's sessions shorter than this is a reconnect.
    pub(crate) reconnect_gap: Nanos,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            late_grace: 5 * 60 * NANOS_PER_SEC,
            early_grace: 5 * 60 * NANOS_PER_SEC,
            reconnect_gap: 60 * NANOS_PER_SEC,
        }
    }
}
