//! Hand-built rows and pages for the unit and property tests.

use crate::api::models::{
    Call, CallSession, ParticipantSessionDetails, ParticipantSessionsPage, RequestDuration,
};
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::row::RowId;
use super::store::SessionStore;

/// 2025-10-09T08:53:20Z, a round start for readable offsets.
pub(crate) const T0: Nanos = 1_760_000_000 * NANOS_PER_SEC;
pub(crate) const SEC: Nanos = NANOS_PER_SEC;
pub(crate) const MIN: Nanos = 60 * SEC;
pub(crate) const DAY: Nanos = 86_400 * SEC;
/// 2026-11-26T14:03:21Z, the present of the tests of a call's sessions.
pub(crate) const NOW: Nanos = 1_795_701_801 * SEC;

/// The call `default:weekly` as GetCall gives it, whose current session is `current` (empty:
/// it has none yet), started a day before [`NOW`] and ended at `ended_at`.
pub(crate) fn weekly_call(current: &str, ended_at: Option<Nanos>) -> Call {
    Call {
        call_type: "default".into(),
        id: "weekly".into(),
        cid: "default:weekly".into(),
        current_session_id: current.into(),
        created_by: None,
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

/// A closed session from `T0 + from` to `T0 + to`, with the API's duration in seconds.
pub(crate) fn closed(user: &str, id: &str, from: Nanos, to: Nanos) -> ParticipantSessionDetails {
    ParticipantSessionDetails {
        user_id: user.into(),
        user_session_id: id.into(),
        publisher_type: "webrtc".into(),
        roles: vec!["user".into()],
        joined_at: Some(T0 + from),
        left_at: Some(T0 + to),
        duration_in_seconds: Some((to - from) / SEC),
    }
}

/// A session joined at `T0 + from` and not left yet.
pub(crate) fn open(user: &str, id: &str, from: Nanos) -> ParticipantSessionDetails {
    ParticipantSessionDetails {
        left_at: None,
        duration_in_seconds: None,
        ..closed(user, id, from, from)
    }
}

pub(crate) fn session(started: Option<Nanos>, ended: Option<Nanos>) -> CallSession {
    CallSession {
        id: "call-session-1".into(),
        started_at: started.map(|at| T0 + at),
        ended_at: ended.map(|at| T0 + at),
        ..CallSession::default()
    }
}

pub(crate) fn page(
    session: Option<CallSession>,
    rows: Vec<ParticipantSessionDetails>,
) -> ParticipantSessionsPage {
    ParticipantSessionsPage {
        call_type: "default".into(),
        call_id: "standup".into(),
        call_session_id: "call-session-1".into(),
        duration: RequestDuration::default(),
        total_participant_sessions: Some(rows.len() as i64),
        total_participant_duration: Some(
            rows.iter()
                .filter_map(|r| r.duration_in_seconds)
                .fold(0i64, i64::saturating_add),
        ),
        participants_sessions: rows,
        next: None,
        prev: None,
        session,
    }
}

/// A store holding `rows` of a call that ran from `T0` to `T0 + 60 min`.
pub(crate) fn ended_call(rows: Vec<ParticipantSessionDetails>) -> SessionStore {
    store_of(page(Some(session(Some(0), Some(60 * MIN))), rows))
}

pub(crate) fn store_of(page: ParticipantSessionsPage) -> SessionStore {
    let mut store = SessionStore::new();
    store.ingest(&page).expect("one call");
    store
}

pub(crate) fn all_rows(store: &SessionStore) -> Vec<RowId> {
    store.row_ids().collect()
}
