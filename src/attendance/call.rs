//! What the responses say about the call session as a whole: identity, server totals, data
//! state and the call window.

use std::fmt;

use crate::api::models::CallSession;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// Stream keeps per-session details for 90 days after the call session ends.
pub const DETAILS_RETENTION: Nanos = 90 * 24 * 3600 * NANOS_PER_SEC;

/// Which call session the stored rows belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallIdentity {
    pub call_type: String,
    pub call_id: String,
    pub call_session_id: String,
}

impl fmt::Display for CallIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} session {}",
            self.call_type, self.call_id, self.call_session_id
        )
    }
}

/// `total_participant_sessions` and `total_participant_duration` exactly as the last page
/// returned them. They cover the whole call session whatever the filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerTotals {
    pub participant_sessions: Option<i64>,
    pub participant_duration_seconds: Option<i64>,
}

impl ServerTotals {
    fn are_zero(&self) -> bool {
        self.participant_sessions.unwrap_or(0) == 0
            && self.participant_duration_seconds.unwrap_or(0) == 0
    }
}

/// The data state of the call session, as the screen announces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// The call is running; figures are provisional.
    Live,
    /// The call ended; figures are final once Stream's stats report is ready.
    Ended,
    /// Ended over 90 days ago: Stream purged the per-session rows, only totals remain.
    Expired,
    /// No one joined this call session.
    Empty,
}

/// The call window: `start` → `end`, with `end >= start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub start: Nanos,
    pub end: Nanos,
}

impl Window {
    pub fn len(&self) -> Nanos {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub fn midpoint(&self) -> Nanos {
        self.start + self.len() / 2
    }

    /// How much of `[from, to)` lies inside the window.
    pub fn overlap(&self, from: Nanos, to: Nanos) -> Nanos {
        (to.min(self.end) - from.max(self.start)).max(0)
    }
}

/// The data state of a call session from what a read saw of it: the last `session` object,
/// the totals, and how many distinct rows (and open ones) came back. The same rule as
/// [`crate::attendance::SessionStore::state`], for readers that keep no store.
pub fn session_state(
    session: Option<&CallSession>,
    totals: ServerTotals,
    rows: usize,
    open_rows: usize,
    now: Nanos,
) -> CallState {
    CallFacts {
        session,
        totals,
        has_rows: rows > 0,
        has_open_rows: open_rows > 0,
        earliest_join: None,
        latest_leave: None,
    }
    .state(now)
}

/// What the store knows beyond the rows, used to decide the state and the window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallFacts<'a> {
    pub(crate) session: Option<&'a CallSession>,
    pub(crate) totals: ServerTotals,
    pub(crate) has_rows: bool,
    pub(crate) has_open_rows: bool,
    pub(crate) earliest_join: Option<Nanos>,
    pub(crate) latest_leave: Option<Nanos>,
}

impl CallFacts<'_> {
    /// Live while `session.ended_at` is absent. Without any `session` object, open rows are
    /// the only sign of a running call.
    pub(crate) fn is_live(&self) -> bool {
        match self.session {
            Some(session) => session.ended_at.is_none(),
            None => self.has_open_rows,
        }
    }

    pub(crate) fn state(&self, now: Nanos) -> CallState {
        if self.is_live() {
            return CallState::Live;
        }
        if self.has_rows {
            return CallState::Ended;
        }
        if self.totals.are_zero() {
            return CallState::Empty;
        }
        let ended_at = self.session.and_then(|s| s.ended_at);
        match ended_at {
            Some(ended) if now - ended > DETAILS_RETENTION => CallState::Expired,
            _ => CallState::Ended,
        }
    }

    pub(crate) fn window(&self, now: Nanos) -> Option<Window> {
        let start = self
            .session
            .and_then(|s| s.started_at)
            .or(self.earliest_join)?;
        let end = if self.is_live() {
            now
        } else {
            self.session
                .and_then(|s| s.ended_at)
                .or(self.latest_leave)
                .unwrap_or(start)
        };
        Some(Window {
            start,
            end: end.max(start),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Nanos = 1_760_000_000 * NANOS_PER_SEC;
    const MIN: Nanos = 60 * NANOS_PER_SEC;

    fn session(started: Option<Nanos>, ended: Option<Nanos>) -> CallSession {
        CallSession {
            id: "s".into(),
            started_at: started,
            ended_at: ended,
            ..CallSession::default()
        }
    }

    fn facts(session: Option<&CallSession>) -> CallFacts<'_> {
        CallFacts {
            session,
            totals: ServerTotals {
                participant_sessions: Some(2),
                participant_duration_seconds: Some(120),
            },
            has_rows: true,
            has_open_rows: false,
            earliest_join: Some(T0 + MIN),
            latest_leave: Some(T0 + 50 * MIN),
        }
    }

    #[test]
    fn a_session_without_ended_at_is_live_and_its_window_ends_now() {
        let live = session(Some(T0), None);
        let facts = facts(Some(&live));
        let now = T0 + 30 * MIN;
        assert_eq!(facts.state(now), CallState::Live);
        assert_eq!(
            facts.window(now),
            Some(Window {
                start: T0,
                end: now
            })
        );
    }

    #[test]
    fn an_ended_session_uses_its_own_bounds() {
        let ended = session(Some(T0), Some(T0 + 60 * MIN));
        let facts = facts(Some(&ended));
        assert_eq!(facts.state(T0 + 61 * MIN), CallState::Ended);
        let window = facts.window(T0 + 61 * MIN).unwrap();
        assert_eq!((window.start, window.end), (T0, T0 + 60 * MIN));
        assert_eq!(window.midpoint(), T0 + 30 * MIN);
    }

    #[test]
    fn missing_bounds_fall_back_to_the_rows() {
        let ended = session(None, Some(T0 + 60 * MIN));
        let window = facts(Some(&ended)).window(T0 + 90 * MIN).unwrap();
        assert_eq!(window.start, T0 + MIN);
        let no_session = facts(None);
        assert_eq!(no_session.state(T0 + 90 * MIN), CallState::Ended);
        let window = no_session.window(T0 + 90 * MIN).unwrap();
        assert_eq!((window.start, window.end), (T0 + MIN, T0 + 50 * MIN));
    }

    #[test]
    fn without_a_session_object_open_rows_mean_live() {
        let mut facts = facts(None);
        facts.has_open_rows = true;
        assert_eq!(facts.state(T0 + 90 * MIN), CallState::Live);
        assert_eq!(facts.window(T0 + 90 * MIN).unwrap().end, T0 + 90 * MIN);
    }

    #[test]
    fn rows_purged_after_ninety_days_mean_expired_not_empty() {
        let ended_at = T0 + 60 * MIN;
        let ended = session(Some(T0), Some(ended_at));
        let mut facts = facts(Some(&ended));
        facts.has_rows = false;
        assert_eq!(
            facts.state(ended_at + DETAILS_RETENTION + MIN),
            CallState::Expired
        );
        assert_eq!(
            facts.state(ended_at + DETAILS_RETENTION - MIN),
            CallState::Ended
        );
    }

    #[test]
    fn zero_totals_and_no_rows_mean_empty_once_the_call_is_over() {
        let ended = session(Some(T0), Some(T0 + 60 * MIN));
        let mut facts = facts(Some(&ended));
        facts.has_rows = false;
        facts.totals = ServerTotals {
            participant_sessions: Some(0),
            participant_duration_seconds: Some(0),
        };
        assert_eq!(facts.state(T0 + 90 * MIN), CallState::Empty);
        let live = session(Some(T0), None);
        facts.session = Some(&live);
        assert_eq!(facts.state(T0 + 90 * MIN), CallState::Live);
    }

    #[test]
    fn a_window_never_ends_before_it_starts() {
        let live = session(Some(T0), None);
        let window = facts(Some(&live)).window(T0 - MIN).unwrap();
        assert!(window.is_empty());
        assert_eq!(window.overlap(T0 - MIN, T0 + MIN), 0);
    }
}
