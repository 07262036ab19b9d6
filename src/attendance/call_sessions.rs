//! The sessions of one call, as `headcount sessions` lists them and the session picker offers
//! them: the current one from `GetCall` merged with the rows of `QueryCallSessionStats`.

use crate::api::call_stats::{SessionCounts, SessionStats};
use crate::api::models::Call;
use crate::api::timestamp::Nanos;

use super::call::{CallState, DETAILS_RETENTION};

/// One session of the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: String,
    pub started_at: Option<Nanos>,
    pub ended_at: Option<Nanos>,
    /// `call.current_session_id`: the session the call is in, or last had.
    pub current: bool,
    /// Stream's summary; absent for a current session the stats do not list yet.
    pub counts: Option<SessionCounts>,
}

impl SessionSummary {
    /// Live while it has not ended; Expired once it ended more than 90 days before `now`
    /// (Stream has purged its participant sessions, only these counts remain).
    pub fn state(&self, now: Nanos) -> CallState {
        match self.ended_at {
            None => CallState::Live,
            Some(ended) if now - ended > DETAILS_RETENTION => CallState::Expired,
            Some(_) => CallState::Ended,
        }
    }
}

/// Every session of `call`, newest first, each once. The stats row of the current session
/// gives its counts; `GetCall` is the authority on whether it has ended (the stats may lag),
/// and adds the session when the stats do not list it.
pub fn merge_sessions(call: &Call, stats: &[SessionStats]) -> Vec<SessionSummary> {
    let current_id = current_session_id(call);
    // One summary per session id, wherever the listing repeated it: the later row wins.
    let mut position = std::collections::HashMap::new();
    let mut sessions: Vec<SessionSummary> = Vec::with_capacity(stats.len());
    for row in stats {
        let summary = SessionSummary {
            id: row.call_session_id.clone(),
            started_at: row.call_started_at,
            ended_at: row.call_ended_at,
            current: Some(row.call_session_id.as_str()) == current_id,
            counts: Some(row.counts.clone()),
        };
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
        let from_call = SessionSummary {
            id: id.to_string(),
            started_at: session.and_then(|s| s.started_at),
            ended_at: session.and_then(|s| s.ended_at).or(call.ended_at),
            current: true,
            counts: None,
        };
        match sessions.iter_mut().find(|s| s.current) {
            Some(listed) => {
                listed.ended_at = from_call.ended_at;
                listed.started_at = listed.started_at.or(from_call.started_at);
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

/// The current session id, from `current_session_id` or else the embedded session.
pub fn current_session_id(call: &Call) -> Option<&str> {
    Some(call.current_session_id.as_str())
        .filter(|id| !id.is_empty())
        .or_else(|| call.session.as_ref().map(|session| session.id.as_str()))
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::CallSession;
    use crate::api::timestamp::NANOS_PER_SEC;

    const DAY: Nanos = 86_400 * NANOS_PER_SEC;
    const NOW: Nanos = 1_795_701_801 * NANOS_PER_SEC;

    fn call(current: &str, ended_at: Option<Nanos>) -> Call {
        Call {
            call_type: "default".into(),
            id: "weekly".into(),
            cid: "default:weekly".into(),
            current_session_id: current.into(),
            created_at: None,
            ended_at,
            session: Some(CallSession {
                id: current.into(),
                started_at: Some(NOW - DAY),
                ended_at,
                ..CallSession::default()
            }),
        }
    }

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
        let sessions = merge_sessions(&call("now", Some(NOW - 1)), &rows);
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
        let sessions = merge_sessions(&call("now", None), &rows);
        assert_eq!(ids(&sessions), ["now", "week"]);
        assert_eq!(sessions[0].counts, None);
        assert_eq!(sessions[0].state(NOW), CallState::Live);
    }

    #[test]
    fn a_call_without_any_session_lists_nothing() {
        let mut never = call("", None);
        never.session = None;
        assert_eq!(merge_sessions(&never, &[]), []);
        assert_eq!(current_session_id(&never), None);
    }
}
