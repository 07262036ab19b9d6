//! A `QueryCallParticipantSessions` page kept as the bytes Stream sent.
//!
//! The store decodes the rows straight from these bytes (see `page_ref`); the pager reads only
//! the outline of a page (cursor and row count) to know where to go next.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::decode;
use super::error::ApiError;
use super::models::ParticipantSessionsPage;

pub(super) const OPERATION: &str = "QueryCallParticipantSessions";

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
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The cursor of the following page; absent, null or empty ends paging.
    pub(crate) fn next_cursor(&self) -> Option<&str> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_outline_counts_rows_and_reads_the_cursor() {
        let page = json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s",
          "participants_sessions": [
            {"user_id": "a", "user_session_id": "a1", "roles": ["user"], "joined_at": 1},
            {"user_id": "b", "user_session_id": "b1", "extra": {"nested": [1, 2]}}
          ],
          "next": "cursor/with\\escape"
        });
        let body = serde_json::to_vec(&page).unwrap();
        let owned: ParticipantSessionsPage = serde_json::from_slice(&body).unwrap();
        let raw = RawSessionsPage::new(body).unwrap();
        assert_eq!(raw.rows(), 2);
        assert_eq!(raw.next_cursor(), Some("cursor/with\\escape"));
        assert_eq!(raw.decode().unwrap(), owned);
    }

    #[test]
    fn an_empty_next_or_a_null_list_ends_paging() {
        let body = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": null, "next": ""}"#;
        let raw = RawSessionsPage::new(body.to_vec()).unwrap();
        assert_eq!((raw.rows(), raw.next_cursor()), (0, None));
    }

    #[test]
    fn a_body_that_is_not_json_is_refused() {
        assert!(RawSessionsPage::new(b"<html>".to_vec()).is_err());
    }
}
