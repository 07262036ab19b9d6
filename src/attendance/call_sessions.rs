//! The sessions of one call, as `headcount sessions` lists them and the session picker offers
//! them: the current one from `GetCall` merged with the rows of `QueryCallSessionStats`.

use crate::api::call_stats::{SessionCounts, SessionStats};
use crate::api::models::Call;
use crate::api::timestamp::Nanos;

use super::call::{
    CallEnd, CallState, DETAILS_RETENTION, EndFacts, SessionEnd, SessionTimes, session_end,
};

/// One session of the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: String,
    pub started_at: Option<Nanos>,
    /// Whether the session has ended, by `session_end` over `GetCall` and the stats.
    pub ended: bool,
    /// When it ended, when a source says.
    pub ended_at: Option<Nanos>,
    /// `call.current_session_id`: the session the call is in, or last had.
    pub current: bool,
    /// Stream's summary; absent for a current session the stats do not list yet.
    pub counts: Option<SessionCounts>,
}

impl SessionSummary {
    /// Live while it has not ended; Expired once it ended more than 90 days before `now`
    /// (Stream has purged its participant sessions, only these counts remain).
    pub(crate) fn state(&self, now: Nanos) -> CallState {
        match (self.ended, self.ended_at) {
            (false, _) => CallState::Live,
            (true, Some(ended)) if now - ended > DETAILS_RETENTION => CallState::Expired,
            (true, _) => CallState::Ended,
        }
    }
}

/// Every session of `call`, newest first, each once. The stats row of the current session
/// gives its counts; `GetCall` adds the session when the stats do not list it. Whether each
/// has ended is decided by [`session_end`] from everything both say.
pub(crate) fn merge_sessions(call: &Call, stats: &[SessionStats]) -> Vec<SessionSummary> {
    let current_id = current_session_id(call);
    let call_end = |current: bool| {
        Some(CallEnd {
            ended_at: call.ended_at,
            current,
        })
    };
    // One summary per session id, wherever the listing repeated it: the later row wins.
    let mut position = std::collections::HashMap::new();
    let mut sessions: Vec<SessionSummary> = Vec::with_capacity(stats.len());
    for row in stats {
        let current = Some(row.call_session_id.as_str()) == current_id;
        let facts = EndFacts {
            session: None,
            call: call_end(current),
            stats: Some(row.call_ended_at),
        };
        let summary = summary(&row.call_session_id, row.call_started_at, current, &facts)
            .with_counts(row.counts.clone());
        match position.get(&row.call_session_id) {
            Some(&at) => sessions[at] = summary,
            None => {
                position.insert(row.call_session_id.clone(), sessions.len());
                sessions.push(summary);
            }
        }
    }
    if let Some(id) = current_id {
        let session = call.session.as_ref().filter(|session| session.id == id);
        let times = session.map(|s| SessionTimes {
            started_at: s.started_at,
            ended_at: s.ended_at,
        });
        let listed = sessions.iter().position(|s| s.current);
        let started_at = listed
            .and_then(|at| sessions[at].started_at)
            .or(session.and_then(|s| s.started_at));
        let facts = EndFacts {
            session: times,
            call: call_end(true),
            stats: listed
                .and_then(|at| {
                    stats
                        .iter()
                        .rfind(|row| row.call_session_id == sessions[at].id)
                })
                .map(|row| row.call_ended_at),
        };
        let from_call = summary(id, started_at, true, &facts);
        match listed {
            Some(at) => {
                let counts = sessions[at].counts.take();
                sessions[at] = SessionSummary {
                    counts,
                    ..from_call
                };
            }
            None => sessions.push(from_call),
        }
    }
    // A session that has not started yet is the newest of all.
    sessions.sort_by(|a, b| {
        let start = |s: &SessionSummary| s.started_at.unwrap_or(Nanos::MAX);
        start(b).cmp(&start(a)).then_with(|| a.id.cmp(&b.id))
    });
    sessions
}

fn summary(id: &str, started_at: Option<Nanos>, current: bool, facts: &EndFacts) -> SessionSummary {
    let end = session_end(facts);
    SessionSummary {
        id: id.to_owned(),
        started_at,
        ended: end.is_ended(),
        ended_at: match end {
            SessionEnd::Ended(at) => at,
            SessionEnd::Live | SessionEnd::Unknown => None,
        },
        current,
        counts: None,
    }
}

impl SessionSummary {
    fn with_counts(self, counts: SessionCounts) -> SessionSummary {
        SessionSummary {
            counts: Some(counts),
            ..self
        }
    }
}

/// The current session id, from `current_session_id` or else the embedded session.
pub(crate) fn current_session_id(call: &Call) -> Option<&str> {
    Some(call.current_session_id.as_str())
        .filter(|id| !id.is_empty())
        .or_else(|| call.session.as_ref().map(|session| session.id.as_str()))
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{DAY, NOW, weekly_call};
    use super::*;
    use crate::api::timestamp::NANOS_PER_SEC;

    fn stats(id: &str, started_at: Nanos, ended_at: Option<Nanos>) -> SessionStats {
        SessionStats {
            call_type: "default".into(),
            call_id: "weekly".into(),
            call_session_id: id.into(),
            call_started_at: Some(started_at),
            call_ended_at: ended_at,
            generated_at: None,
            counts: SessionCounts {
                sessions: 3,
                ..SessionCounts::default()
            },
        }
    }

    fn ids(sessions: &[SessionSummary]) -> Vec<&str> {
        sessions.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn the_current_session_is_merged_not_repeated_and_newest_comes_first() {
        let rows = [
            stats(
                "old",
                NOW - 100 * DAY,
                Some(NOW - 100 * DAY + 3_600 * NANOS_PER_SEC),
            ),
            stats("now", NOW - DAY, None),
            stats(
                "week",
                NOW - 8 * DAY,
                Some(NOW - 8 * DAY + 3_600 * NANOS_PER_SEC),
            ),
        ];
        let sessions = merge_sessions(&weekly_call("now", Some(NOW - 1)), &rows);
        assert_eq!(ids(&sessions), ["now", "week", "old"]);
        assert!(sessions[0].current && !sessions[1].current);
        // GetCall knows the session ended even though the stats row does not say so yet.
        assert_eq!(sessions[0].state(NOW), CallState::Ended);
        assert_eq!(sessions[1].state(NOW), CallState::Ended);
        assert_eq!(sessions[2].state(NOW), CallState::Expired);
        assert_eq!(sessions[0].counts.as_ref().map(|c| c.sessions), Some(3));
    }

    #[test]
    fn a_current_session_missing_from_the_stats_is_added_without_counts() {
        let rows = [stats("week", NOW - 8 * DAY, Some(NOW - 7 * DAY))];
        let sessions = merge_sessions(&weekly_call("now", None), &rows);
        assert_eq!(ids(&sessions), ["now", "week"]);
        assert_eq!(sessions[0].counts, None);
        assert_eq!(sessions[0].state(NOW), CallState::Live);
    }

    #[test]
    fn an_earlier_session_is_ended_even_when_the_stats_give_no_end() {
        let rows = [stats("week", NOW - 8 * DAY, None)];
        let sessions = merge_sessions(&weekly_call("now", None), &rows);
        let week = sessions.iter().find(|s| s.id == "week").unwrap();
        assert!(week.ended && week.ended_at.is_none());
        assert_eq!(week.state(NOW), CallState::Ended);
    }

    #[test]
    fn the_stats_end_a_current_session_that_getcall_shows_without_an_end() {
        let mut no_end = weekly_call("now", None);
        no_end.session = None;
        let rows = [stats("now", NOW - DAY, Some(NOW - DAY / 2))];
        let sessions = merge_sessions(&no_end, &rows);
        assert_eq!(sessions[0].ended_at, Some(NOW - DAY / 2));
        assert_eq!(sessions[0].state(NOW), CallState::Ended);
        assert_eq!(sessions[0].counts.as_ref().map(|c| c.sessions), Some(3));
    }

    #[test]
    fn a_call_without_any_session_lists_nothing() {
        let mut never = weekly_call("", None);
        never.session = None;
        assert_eq!(merge_sessions(&never, &[]), []);
        assert_eq!(current_session_id(&never), None);
    }
}
