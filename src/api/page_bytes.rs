//! A `QueryCallParticipantSessions` page kept as the bytes Stream sent, and the borrowed model
//! the attendance store decodes it into.
//!
//! Decoding a million rows into [`ParticipantSessionsPage`] costs five `String`s per row, more
//! than the store then spends on the row. The borrowed model points into the body instead (a
//! string is copied only when it holds escapes) and keeps the lenient decoding of timestamps
//! and integers, so the store ingests straight from the bytes. The pager reads only the outline
//! of a page (cursor and row count) to know where to go next.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::decode;
use super::error::{ApiError, DecodeError};
use super::models::{CallSession, ParticipantSessionsPage};
use super::timestamp::{self, Nanos};

const OPERATION: &str = "QueryCallParticipantSessions";

/// One page as received: its bytes, plus the outline the pager needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSessionsPage {
    body: Vec<u8>,
    rows: usize,
    next: Option<String>,
}

impl RawSessionsPage {
    /// Checks that `body` is a JSON page and reads its outline; rows are decoded later.
    pub fn new(body: Vec<u8>) -> Result<RawSessionsPage, ApiError> {
        let (rows, next) = {
            let outline: Outline =
                decode::borrowed_body(OPERATION, &body).map_err(ApiError::Decode)?;
            (
                outline.participants_sessions,
                outline.next.map(Cow::into_owned),
            )
        };
        Ok(RawSessionsPage { body, rows, next })
    }

    /// The bytes of an owned page, as Stream would send it.
    pub fn from_page(page: &ParticipantSessionsPage) -> RawSessionsPage {
        let body = serde_json::to_vec(page).expect("a page always serializes");
        RawSessionsPage::new(body).expect("a serialized page reads back")
    }

    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// Number of rows in `participants_sessions`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The cursor of the following page; absent, null or empty ends paging.
    pub fn next_cursor(&self) -> Option<&str> {
        self.next.as_deref().filter(|c| !c.is_empty())
    }

    /// The page as the owned model.
    pub fn decode(&self) -> Result<ParticipantSessionsPage, ApiError> {
        decode::success_body(OPERATION, &self.body)
    }
}

/// What paging needs from a page, read without building its rows.
#[derive(Deserialize)]
struct Outline<'a> {
    #[serde(default, deserialize_with = "count_rows")]
    participants_sessions: usize,
    #[serde(borrow, default)]
    next: Option<Cow<'a, str>>,
}

fn count_rows<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct Counter;
    impl<'de> Visitor<'de> for Counter {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of sessions")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut rows = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                rows += 1;
            }
            Ok(rows)
        }
        fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
            Ok(0)
        }
    }
    d.deserialize_any(Counter)
}

/// `QueryCallParticipantSessionsResponse`, borrowing its text from the body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ParticipantSessionsPageRef<'a> {
    #[serde(borrow)]
    pub call_type: Cow<'a, str>,
    #[serde(borrow)]
    pub call_id: Cow<'a, str>,
    #[serde(borrow)]
    pub call_session_id: Cow<'a, str>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_sessions: Option<i64>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_duration: Option<i64>,
    #[serde(borrow, default)]
    pub participants_sessions: Vec<SessionDetailsRef<'a>>,
    #[serde(borrow, default)]
    pub next: Option<Cow<'a, str>>,
    #[serde(default)]
    pub session: Option<CallSession>,
}

impl<'a> ParticipantSessionsPageRef<'a> {
    /// Decodes a page body, with the same error as the owned model would give.
    pub fn from_json(body: &'a [u8]) -> Result<Self, DecodeError> {
        decode::borrowed_body(OPERATION, body)
    }
}

/// One row of `participants_sessions`, borrowing its text from the body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionDetailsRef<'a> {
    #[serde(borrow)]
    pub user_id: Cow<'a, str>,
    #[serde(borrow)]
    pub user_session_id: Cow<'a, str>,
    #[serde(borrow, default)]
    pub publisher_type: Cow<'a, str>,
    #[serde(borrow, default)]
    pub roles: RoleList<'a>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub joined_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub left_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub duration_in_seconds: Option<i64>,
}

/// Sessions rarely carry more roles than this; more go to a vector.
const INLINE_ROLES: usize = 3;

/// A session's roles in the order listed, held inline so the usual one or two roles cost no
/// allocation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleList<'a> {
    inline: [Cow<'a, str>; INLINE_ROLES],
    len: usize,
    more: Vec<Cow<'a, str>>,
}

impl<'a> RoleList<'a> {
    pub fn len(&self) -> usize {
        self.len + self.more.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.inline[..self.len]
            .iter()
            .chain(&self.more)
            .map(|role| role.as_ref())
    }

    fn push(&mut self, role: Cow<'a, str>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = role;
                self.len += 1;
            }
            None => self.more.push(role),
        }
    }
}

/// One role, borrowed from the body when it has no escapes.
#[derive(Deserialize)]
struct Role<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for RoleList<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Roles;
        impl<'de> Visitor<'de> for Roles {
            type Value = RoleList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of role names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut roles = RoleList::default();
                while let Some(Role(role)) = seq.next_element()? {
                    roles.push(role);
                }
                Ok(roles)
            }
        }
        d.deserialize_seq(Roles)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::api::models::ParticipantSessionDetails;

    /// The owned rows the borrowed ones stand for.
    fn owned_rows(page: &ParticipantSessionsPageRef) -> Vec<ParticipantSessionDetails> {
        page.participants_sessions
            .iter()
            .map(|row| ParticipantSessionDetails {
                user_id: row.user_id.to_string(),
                user_session_id: row.user_session_id.to_string(),
                publisher_type: row.publisher_type.to_string(),
                roles: row.roles.iter().map(str::to_owned).collect(),
                joined_at: row.joined_at,
                left_at: row.left_at,
                duration_in_seconds: row.duration_in_seconds,
            })
            .collect()
    }

    /// Both models decode `value` to the same page.
    fn assert_same_decoding(value: Value) {
        let body = serde_json::to_vec(&value).unwrap();
        let owned: ParticipantSessionsPage = serde_json::from_slice(&body).unwrap();
        let borrowed = ParticipantSessionsPageRef::from_json(&body).unwrap();
        assert_eq!(owned_rows(&borrowed), owned.participants_sessions);
        assert_eq!(
            (borrowed.call_type.as_ref(), borrowed.call_id.as_ref()),
            (owned.call_type.as_str(), owned.call_id.as_str())
        );
        assert_eq!(borrowed.call_session_id, owned.call_session_id);
        assert_eq!(
            (
                borrowed.total_participant_sessions,
                borrowed.total_participant_duration
            ),
            (
                owned.total_participant_sessions,
                owned.total_participant_duration
            )
        );
        assert_eq!(borrowed.next.as_deref(), owned.next.as_deref());
        assert_eq!(borrowed.session, owned.session);
        let raw = RawSessionsPage::new(body).unwrap();
        assert_eq!(raw.rows(), owned.participants_sessions.len());
        assert_eq!(raw.next_cursor(), owned.next_cursor());
        assert_eq!(raw.decode().unwrap(), owned);
    }

    #[test]
    fn every_lenient_encoding_decodes_as_the_owned_model_does() {
        assert_same_decoding(json!({
          "call_type": "livestream", "call_id": "town-hall", "call_session_id": "s",
          "duration": "12.5ms",
          "total_participant_sessions": "2", "total_participant_duration": 61.0,
          "participants_sessions": [
            {"user_id": "carol", "user_session_id": "c1", "publisher_type": "rtmp",
             "roles": [], "joined_at": "2025-10-09T08:53:20Z", "left_at": null,
             "duration_in_seconds": null, "is_live": true, "published_tracks": ["audio"]},
            {"user_id": "dan", "user_session_id": "d1", "roles": ["user"],
             "joined_at": 1.76e18, "left_at": "2025-10-09T08:54:21.5+00:00",
             "duration_in_seconds": "61"},
            {"user_id": "erin", "user_session_id": "e1", "publisher_type": "webrtc",
             "roles": ["host", "user"], "joined_at": 1_760_000_000_000_000_000_i64,
             "left_at": "1760000090000000000", "duration_in_seconds": 90}
          ],
          "next": "", "prev": null,
          "session": {"id": "s", "started_at": 1_760_000_000_000_000_000_i64, "ended_at": null,
                      "participants_count_by_role": {"user": 2}},
          "some_future_field": {"nested": [1, 2, 3]}
        }));
    }

    #[test]
    fn escaped_text_and_long_role_lists_read_back_whole() {
        assert_same_decoding(json!({
          "call_type": "default", "call_id": "caf\u{e9} \"quoted\"", "call_session_id": "s",
          "participants_sessions": [
            {"user_id": "line\nbreak", "user_session_id": "tab\tid", "publisher_type": "web\\rtc",
             "roles": ["a", "b\"", "c", "d", "e"], "joined_at": 1}
          ],
          "next": "cursor/with\\escape"
        }));
    }

    #[test]
    fn an_expired_session_keeps_its_totals_without_rows() {
        assert_same_decoding(json!({
          "call_type": "default", "call_id": "old", "call_session_id": "s", "duration": 1,
          "total_participant_sessions": 40, "total_participant_duration": 9000
        }));
    }

    #[test]
    fn garbage_fails_with_the_path_of_the_bad_field() {
        let body = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_session_id": "a1",
            "joined_at": "yesterday"}]}"#;
        let error = ParticipantSessionsPageRef::from_json(body).unwrap_err();
        assert_eq!(error.path, "participants_sessions[0].joined_at");
        let owned = decode::success_body::<ParticipantSessionsPage>(OPERATION, body);
        assert_eq!(owned.unwrap_err().to_string(), error.to_string());
        assert!(RawSessionsPage::new(b"<html>".to_vec()).is_err());
    }
}
