//! Hand-built rows and pages for the unit and property tests.

use crate::api::models::{
    CallSession, ParticipantSessionDetails, ParticipantSessionsPage, RequestDuration,
};
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::row::RowId;
use super::store::SessionStore;

/// 2025-10-09T08:53:20Z, a round start for readable offsets.
pub(crate) const T0: Nanos = 1_760_000_000 * NANOS_PER_SEC;
pub(crate) const SEC: Nanos = NANOS_PER_SEC;
pub(crate) const MIN: Nanos = 60 * SEC;

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
