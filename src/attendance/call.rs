//! What the responses say about the call session as a whole: identity, server totals, data
//! state and the call window.

use std::fmt;

use crate::api::call_stats::SessionStats;
use crate::api::models::{Call, CallSession};
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::call_sessions::current_session_id;

/// Stream keeps per-session details for 90 days after the call session ends.
pub(crate) const DETAILS_RETENTION: Nanos = 90 * 24 * 3600 * NANOS_PER_SEC;

/// Which call session the stored rows belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallIdentity {
    pub(crate) call_type: String,
    pub(crate) call_id: String,
    pub(crate) call_session_id: String,
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
pub(crate) struct ServerTotals {
    pub(crate) participant_sessions: Option<i64>,
    pub(crate) participant_duration_seconds: Option<i64>,
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

/// A [`CallState`] in words, for every output that shows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StateWords {
    /// For scripts: `live`, `ended`, `expired`, `empty`.
    pub(crate) name: &'static str,
    /// In a table: `LIVE`, `ENDED`, `EXPIRED`, `EMPTY`.
    pub(crate) label: &'static str,
    /// On the dashboard's title line: the label and what it means for the figures.
    pub(crate) badge: &'static str,
}

impl CallState {
    /// How every output names this state.
    pub(crate) const fn words(self) -> StateWords {
        let (name, label, badge) = match self {
            Self::Live => ("live", "LIVE", "● LIVE · provisional"),
            Self::Ended => ("ended", "ENDED", "ENDED"),
            Self::Expired => (
                "expired",
                "EXPIRED",
                "EXPIRED · details purged after 90 days, totals kept",
            ),
            Self::Empty => ("empty", "EMPTY", "EMPTY · no one joined"),
        };
        StateWords { name, label, badge }
    }
}

/// The call window: `start` → `end`, with `end >= start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub(crate) start: Nanos,
    pub end: Nanos,
}

impl Window {
    pub(crate) fn len(&self) -> Nanos {
        self.end - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub(crate) fn midpoint(&self) -> Nanos {
        self.start + self.len() / 2
    }

    /// How much of `[from, to)` lies inside the window.
    pub(crate) fn overlap(&self, from: Nanos, to: Nanos) -> Nanos {
        (to.min(self.end) - from.max(self.start)).max(0)
    }
}

/// The data state of a call session from what a read saw of it: the last `session` object,
/// what `GetCall` and the stats said of its end (`reports`), the totals, and how many distinct
/// rows (and open ones) came back. The same rule as
/// [`crate::attendance::SessionStore::state`], for readers that keep no store.
pub(crate) fn session_state(
    session_id: &str,
    session: Option<&CallSession>,
    reports: &EndReports,
    totals: ServerTotals,
    rows: usize,
    open_rows: usize,
    now: Nanos,
) -> CallState {
    CallFacts {
        end: reports.facts(session, Some(session_id)),
        totals,
        has_rows: rows > 0,
        has_open_rows: open_rows > 0,
        earliest_join: None,
        latest_leave: None,
    }
    .state(now)
}

/// What `GetCall` and `QueryCallSessionStats` said about whether one session ended. The
/// session's own `session` object (from the pages) is kept by whoever holds this, and joined
/// to it in `EndReports::facts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndReports {
    /// `call.ended_at` and `call.current_session_id` (when it names one).
    call: Option<(Option<Nanos>, Option<String>)>,
    /// The times of `GetCall`'s `call.session`, with its id.
    call_session: Option<(String, SessionTimes)>,
    /// The session's `call_ended_at` in `QueryCallSessionStats`.
    stats: Option<Option<Nanos>>,
}

impl EndReports {
    /// Takes what `GetCall` says; true when it changed anything.
    pub fn take_call(&mut self, call: &Call) -> bool {
        let facts = (call.ended_at, current_session_id(call).map(str::to_owned));
        let session = call.session.as_ref().map(|session| {
            let times = SessionTimes {
                started_at: session.started_at,
                ended_at: session.ended_at,
            };
            (session.id.clone(), times)
        });
        let changed = self.call.as_ref() != Some(&facts) || self.call_session != session;
        self.call = Some(facts);
        self.call_session = session;
        changed
    }

    /// Takes a row of `QueryCallSessionStats` when it is `session_id`'s (any row when the id
    /// is not known yet); true when it changed anything.
    pub(crate) fn take_stats(&mut self, row: &SessionStats, session_id: Option<&str>) -> bool {
        let same_session = session_id.is_none_or(|id| id == row.call_session_id);
        let changed = same_session && self.stats != Some(row.call_ended_at);
        if changed {
            self.stats = Some(row.call_ended_at);
        }
        changed
    }

    /// Adds what `other` knows and this does not; true when it changed anything.
    pub(crate) fn merge(&mut self, other: &EndReports) -> bool {
        let before = self.clone();
        if other.call.is_some() {
            self.call.clone_from(&other.call);
            self.call_session.clone_from(&other.call_session);
        }
        if other.stats.is_some() {
            self.stats = other.stats;
        }
        *self != before
    }

    /// Everything known of the end of `session_id`, whose own `session` object is `session`.
    pub(crate) fn facts(
        &self,
        session: Option<&CallSession>,
        session_id: Option<&str>,
    ) -> EndFacts {
        let this_session = session_id.or(session.map(|s| s.id.as_str()));
        let own = session.map(|session| SessionTimes {
            started_at: session.started_at,
            ended_at: session.ended_at,
        });
        let from_call = self
            .call_session
            .as_ref()
            .filter(|(id, _)| this_session.is_none_or(|this| this == id))
            .map(|(_, times)| *times);
        let session = match (own, from_call) {
            (Some(own), Some(call)) => Some(SessionTimes {
                started_at: own.started_at.or(call.started_at),
                ended_at: own.ended_at.or(call.ended_at),
            }),
            (own, call) => own.or(call),
        };
        EndFacts {
            session,
            call: self.call.as_ref().map(|(ended_at, current)| CallEnd {
                ended_at: *ended_at,
                current: this_session
                    .zip(current.as_deref())
                    .is_none_or(|(this, current)| this == current),
            }),
            stats: self.stats,
        }
    }
}

/// What `GetCall` says about one of the call's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallEnd {
    /// `call.ended_at`.
    pub(crate) ended_at: Option<Nanos>,
    /// The session is the call's current one (`call.current_session_id`); a call has moved
    /// on from every other session.
    pub(crate) current: bool,
}

/// Everything that can tell whether a call session has ended, from each source that says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct EndFacts {
    /// The session's own `session` object (in the pages or in `GetCall`), when one was given.
    pub(crate) session: Option<SessionTimes>,
    /// What `GetCall` says, when it was read.
    pub(crate) call: Option<CallEnd>,
    /// The session's `call_ended_at` in `QueryCallSessionStats`, when it lists the session.
    pub(crate) stats: Option<Option<Nanos>>,
}

/// `started_at` and `ended_at` of a `session` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SessionTimes {
    pub(crate) started_at: Option<Nanos>,
    pub(crate) ended_at: Option<Nanos>,
}

/// Whether a call session has ended, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Ended, at this instant when a source says.
    Ended(Option<Nanos>),
    /// A source was read and none says it ended.
    Live,
    /// No source says anything (rows without any `session` object, no `GetCall`).
    Unknown,
}

impl SessionEnd {
    pub fn is_ended(self) -> bool {
        matches!(self, SessionEnd::Ended(_))
    }
}

/// **When is a session ended?** The one rule, as docs/attendance-definitions.md writes it:
///
/// 1. its `session.ended_at` is set: ended then;
/// 2. `QueryCallSessionStats` gives it a `call_ended_at`: ended then;
/// 3. `GetCall` names another session as the call's current one: ended (a call only moves on
///    from a session that is over), at a time no source gives;
/// 4. `GetCall`'s `call.ended_at` is set and the session did not start after it (a session
///    started after the call's end is a new, running one): ended at `call.ended_at`;
/// 5. otherwise live, when any of these sources was read; unknown when none was.
///
/// A recorded GetCall response has `call.ended_at` set and `session.ended_at: null`: rule 4
/// reads it as ended.
pub(crate) fn session_end(facts: &EndFacts) -> SessionEnd {
    if let Some(ended) = facts.session.and_then(|s| s.ended_at) {
        return SessionEnd::Ended(Some(ended));
    }
    if let Some(Some(ended)) = facts.stats {
        return SessionEnd::Ended(Some(ended));
    }
    if let Some(call) = facts.call {
        if !call.current {
            return SessionEnd::Ended(None);
        }
        let started = facts.session.and_then(|s| s.started_at);
        if let Some(ended) = call.ended_at
            && started.is_none_or(|started| started <= ended)
        {
            return SessionEnd::Ended(Some(ended));
        }
    }
    if facts.session.is_some() || facts.call.is_some() || facts.stats.is_some() {
        SessionEnd::Live
    } else {
        SessionEnd::Unknown
    }
}

/// What the store knows beyond the rows, used to decide the state and the window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallFacts {
    pub(crate) end: EndFacts,
    pub(crate) totals: ServerTotals,
    pub(crate) has_rows: bool,
    pub(crate) has_open_rows: bool,
    pub(crate) earliest_join: Option<Nanos>,
    pub(crate) latest_leave: Option<Nanos>,
}

impl CallFacts {
    /// Live unless [`session_end`] says it ended. When no source says anything, open rows are
    /// the only sign of a running call.
    pub(crate) fn is_live(&self) -> bool {
        match session_end(&self.end) {
            SessionEnd::Ended(_) => false,
            SessionEnd::Live => true,
            SessionEnd::Unknown => self.has_open_rows,
        }
    }

    /// Whether the rows change the state or the window: the session's start, or its end (or
    /// that it is live), is not said by any source but the rows.
    pub(crate) fn depends_on_rows(&self) -> bool {
        let start_known = self.end.session.and_then(|s| s.started_at).is_some();
        let end_known = matches!(
            session_end(&self.end),
            SessionEnd::Ended(Some(_)) | SessionEnd::Live
        );
        !(start_known && end_known)
    }

    fn ended_at(&self) -> Option<Nanos> {
        match session_end(&self.end) {
            SessionEnd::Ended(at) => at,
            SessionEnd::Live | SessionEnd::Unknown => None,
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
        match self.ended_at() {
            Some(ended) if now - ended > DETAILS_RETENTION => CallState::Expired,
            _ => CallState::Ended,
        }
    }

    pub(crate) fn window(&self, now: Nanos) -> Option<Window> {
        // The session's start from its own object, else from GetCall's.
        let start = self
            .end
            .session
            .and_then(|s| s.started_at)
            .or(self.earliest_join)?;
        let end = if self.is_live() {
            now
        } else {
            self.ended_at().or(self.latest_leave).unwrap_or(start)
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

    #[test]
    fn every_output_names_a_state_alike() {
        for state in [
            CallState::Live,
            CallState::Ended,
            CallState::Expired,
            CallState::Empty,
        ] {
            let words = state.words();
            assert_eq!(words.label, words.name.to_uppercase());
            let badge = words.badge.trim_start_matches("● ");
            assert!(badge.starts_with(words.label), "{}", words.badge);
        }
        assert_eq!(CallState::Live.words().badge, "● LIVE · provisional");
    }

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

    fn facts(session: Option<&CallSession>) -> CallFacts {
        CallFacts {
            end: EndFacts {
                session: session.map(|s| SessionTimes {
                    started_at: s.started_at,
                    ended_at: s.ended_at,
                }),
                ..EndFacts::default()
            },
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
        let mut ended_facts = facts(Some(&ended));
        ended_facts.has_rows = false;
        ended_facts.totals = ServerTotals {
            participant_sessions: Some(0),
            participant_duration_seconds: Some(0),
        };
        assert_eq!(ended_facts.state(T0 + 90 * MIN), CallState::Empty);
        let live = session(Some(T0), None);
        let live_facts = CallFacts {
            has_rows: false,
            totals: ended_facts.totals,
            ..facts(Some(&live))
        };
        assert_eq!(live_facts.state(T0 + 90 * MIN), CallState::Live);
    }

    fn times(started: Option<Nanos>, ended: Option<Nanos>) -> Option<SessionTimes> {
        Some(SessionTimes {
            started_at: started,
            ended_at: ended,
        })
    }

    fn current(ended_at: Option<Nanos>) -> Option<CallEnd> {
        Some(CallEnd {
            ended_at,
            current: true,
        })
    }

    #[test]
    fn a_session_is_ended_by_its_own_end_the_stats_or_the_call() {
        let end = |facts: EndFacts| session_end(&facts);
        let own = EndFacts {
            session: times(Some(T0), Some(T0 + MIN)),
            ..EndFacts::default()
        };
        assert_eq!(end(own), SessionEnd::Ended(Some(T0 + MIN)));
        let by_stats = EndFacts {
            session: times(Some(T0), None),
            stats: Some(Some(T0 + 2 * MIN)),
            ..EndFacts::default()
        };
        assert_eq!(end(by_stats), SessionEnd::Ended(Some(T0 + 2 * MIN)));
        // As recorded from Stream: the call ended, the session object has no times.
        let recorded = EndFacts {
            session: times(None, None),
            call: current(Some(T0 + 3 * MIN)),
            ..EndFacts::default()
        };
        assert_eq!(end(recorded), SessionEnd::Ended(Some(T0 + 3 * MIN)));
        let without_session_object = EndFacts {
            call: current(Some(T0 + 3 * MIN)),
            ..EndFacts::default()
        };
        assert_eq!(
            end(without_session_object),
            SessionEnd::Ended(Some(T0 + 3 * MIN))
        );
        let moved_on = EndFacts {
            session: times(Some(T0), None),
            call: Some(CallEnd {
                ended_at: None,
                current: false,
            }),
            ..EndFacts::default()
        };
        assert_eq!(end(moved_on), SessionEnd::Ended(None));
    }

    #[test]
    fn a_session_is_live_when_a_source_was_read_and_none_ends_it() {
        let end = |facts: EndFacts| session_end(&facts);
        assert_eq!(
            end(EndFacts {
                session: times(Some(T0), None),
                call: current(None),
                stats: Some(None),
            }),
            SessionEnd::Live
        );
        // The call ended before this session started: the call was started again.
        assert_eq!(
            end(EndFacts {
                session: times(Some(T0), None),
                call: current(Some(T0 - MIN)),
                ..EndFacts::default()
            }),
            SessionEnd::Live
        );
        assert_eq!(end(EndFacts::default()), SessionEnd::Unknown);
    }

    #[test]
    fn an_end_from_the_call_ends_the_window_and_the_state() {
        let no_times = session(None, None);
        let facts = CallFacts {
            end: EndFacts {
                session: times(None, None),
                call: current(Some(T0 + 55 * MIN)),
                ..EndFacts::default()
            },
            ..facts(Some(&no_times))
        };
        assert_eq!(facts.state(T0 + 90 * MIN), CallState::Ended);
        let window = facts.window(T0 + 90 * MIN).unwrap();
        assert_eq!((window.start, window.end), (T0 + MIN, T0 + 55 * MIN));
    }

    #[test]
    fn a_window_never_ends_before_it_starts() {
        let live = session(Some(T0), None);
        let window = facts(Some(&live)).window(T0 - MIN).unwrap();
        assert!(window.is_empty());
        assert_eq!(window.overlap(T0 - MIN, T0 + MIN), 0);
    }
}
