//! Applying a parsed filter to the store's rows.
//!
//! Stored user session ids are mostly UUIDs kept as integers; their text is rebuilt only when a
//! filter actually reads it (a `session:` term evaluated locally), so the common filters pay
//! nothing for it.

use std::cell::OnceCell;

use crate::api::timestamp::Nanos;
use crate::filter::{Filter, LocalRow};

use super::row::{RowId, SessionRef};
use super::session_id::SessionIdText;
use super::store::SessionStore;

/// A stored row as the filter language sees it.
pub struct FilterableRow<'a> {
    row: SessionRef<'a>,
    session_id: OnceCell<SessionIdText<'a>>,
}

impl<'a> FilterableRow<'a> {
    pub fn new(row: SessionRef<'a>) -> Self {
        FilterableRow {
            row,
            session_id: OnceCell::new(),
        }
    }
}

impl LocalRow for FilterableRow<'_> {
    fn user_id(&self) -> &str {
        self.row.user_id()
    }
    fn user_session_id(&self) -> &str {
        self.session_id
            .get_or_init(|| self.row.user_session_id())
            .as_str()
    }
    fn publisher_type(&self) -> &str {
        self.row.publisher_type()
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        self.row.roles()
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.row.joined_at()
    }
    fn left_at(&self) -> Option<Nanos> {
        self.row.left_at()
    }
    fn is_open(&self) -> bool {
        self.row.is_open()
    }
    fn duration_seconds(&self, now: Nanos) -> i64 {
        self.row.duration_seconds(now)
    }
}

/// The rows among `candidates` that the local part of `filter` keeps, in the same order.
/// The server part is not re-checked: the server already applied it to what was fetched.
pub fn keep_local_matches(
    store: &SessionStore,
    candidates: impl IntoIterator<Item = RowId>,
    filter: &Filter,
    now: Nanos,
) -> Vec<RowId> {
    candidates
        .into_iter()
        .filter(|&id| {
            store
                .get(id)
                .is_some_and(|row| filter.matches_local(&FilterableRow::new(row), now))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::{ParticipantSessionDetails, ParticipantSessionsPage};
    use crate::filter::{ParseContext, parse};

    const MIN: Nanos = 60_000_000_000;

    fn row(
        user: &str,
        id: &str,
        roles: &[&str],
        joined: Nanos,
        left: Option<Nanos>,
    ) -> ParticipantSessionDetails {
        ParticipantSessionDetails {
            user_id: user.into(),
            user_session_id: id.into(),
            publisher_type: "webrtc".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            joined_at: Some(joined),
            left_at: left,
            duration_in_seconds: left.map(|l| (l - joined) / 1_000_000_000),
        }
    }

    fn store() -> SessionStore {
        let mut store = SessionStore::new();
        let page = ParticipantSessionsPage {
            call_type: "default".into(),
            call_id: "c".into(),
            call_session_id: "s".into(),
            duration: Default::default(),
            total_participant_sessions: Some(3),
            total_participant_duration: Some(0),
            participants_sessions: vec![
                row(
                    "alice",
                    "7c0e0f9a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
                    &["host"],
                    0,
                    Some(30 * MIN),
                ),
                row("bob", "plain-id", &["user"], MIN, Some(3 * MIN)),
                row(
                    "carol",
                    "0a0b0c0d-0000-4000-8000-000000000001",
                    &["user"],
                    2 * MIN,
                    None,
                ),
            ],
            next: None,
            prev: None,
            session: None,
        };
        store.ingest(&page).unwrap();
        store
    }

    fn kept(store: &SessionStore, text: &str) -> Vec<String> {
        let filter = parse(text, &ParseContext::at(jiff::tz::TimeZone::UTC, 0)).unwrap();
        keep_local_matches(store, store.row_ids(), &filter, 40 * MIN)
            .into_iter()
            .map(|id| store.get(id).unwrap().user_id().to_owned())
            .collect()
    }

    #[test]
    fn local_terms_select_stored_rows() {
        let store = store();
        assert_eq!(kept(&store, "role:host or dur<5m"), ["alice", "bob"]);
        assert_eq!(kept(&store, "open"), ["carol"]);
        assert_eq!(kept(&store, "!role:user"), ["alice"]);
    }

    #[test]
    fn session_ids_stored_as_uuids_still_match_by_text() {
        let store = store();
        let uuid = "0a0b0c0d-0000-4000-8000-000000000001";
        assert_eq!(
            kept(&store, &format!("session:{uuid} or role:host")),
            ["alice", "carol"]
        );
        assert_eq!(kept(&store, "session:plain-id or open"), ["bob", "carol"]);
    }
}
