//! A `QueryCallParticipantSessions` page kept as the bytes Stream sent, decoded once.
//!
//! The pager reads only the outline of a page (cursor and row count) to know where to go next.
//! The read that receives the page then decodes it in one pass that gives both what the store
//! ingests (the borrowed rows of `page_ref`, pointing into the bytes) and what the read's
//! ledger records of each row (`attendance::row_digest`). The bytes and their decoding travel
//! together, from the fetch task to the dashboard, as one value that owns both ([`self_cell`]),
//! so neither side parses the page again. A page that decoding refuses is kept with the strict
//! decoder's error for the store and read leniently by the ledger, exactly as a page was
//! before.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::decode;
use super::error::{ApiError, DecodeError};
use super::models::ParticipantSessionsPage;
use super::page_ref::{ParticipantSessionsPageRef, decode_with_digests};
use crate::attendance::row_digest::RowDigest;

pub(super) const OPERATION: &str = "QueryCallParticipantSessions";

/// What decoding made of a page's bytes.
#[derive(Debug)]
pub(crate) struct PageDecoding<'a> {
    /// The page as the store reads it (strictly: one bad row refuses the page), or why not.
    pub(crate) page: Result<ParticipantSessionsPageRef<'a>, DecodeError>,
    /// Each row's digest, in order, for the read's ledger; `None` when the page is to be read
    /// leniently from its bytes (the strict decoding refused it, or the body holds what only
    /// the lenient reading says how to count).
    pub(crate) digests: Option<Vec<RowDigest>>,
}

impl<'a> PageDecoding<'a> {
    fn of(bytes: &'a [u8]) -> Self {
        match decode_with_digests(bytes) {
            Ok((page, digests)) => PageDecoding {
                page: Ok(page),
                digests: Some(digests),
            },
            Err(_) => PageDecoding {
                page: ParticipantSessionsPageRef::from_json(bytes),
                digests: None,
            },
        }
    }
}

/// Not decoded yet, or decoded.
type MaybeDecoded<'a> = Option<PageDecoding<'a>>;

self_cell::self_cell!(
    /// A page's bytes and their decoding, which borrows from them.
    struct Decoded {
        owner: Vec<u8>,
        #[covariant]
        dependent: MaybeDecoded,
    }
    impl {Debug}
);

/// One page as received: its bytes, the outline the pager needs and, once
/// [`RawSessionsPage::decode_once`] ran, their decoding.
///
/// The client reads only the outline, so that the next page is asked for as soon as its
/// cursor is known; the rows are decoded by the read that receives the page, while the next
/// request is under way.
#[derive(Debug)]
pub struct RawSessionsPage {
    decoded: Decoded,
    rows: usize,
    next: Option<String>,
}

impl RawSessionsPage {
    /// Checks that `body` is a JSON page and reads its outline; rows are decoded later
    /// ([`RawSessionsPage::decode_once`]).
    pub fn new(body: Vec<u8>) -> Result<RawSessionsPage, ApiError> {
        let (rows, next) = {
            let outline: Outline =
                decode::borrowed_body(OPERATION, &body).map_err(ApiError::Decode)?;
            (
                outline.participants_sessions,
                outline.next.map(Cow::into_owned),
            )
        };
        Ok(RawSessionsPage {
            decoded: Decoded::new(body, |_| None),
            rows,
            next,
        })
    }

    /// The bytes of an owned page, as Stream would send it.
    pub fn from_page(page: &ParticipantSessionsPage) -> RawSessionsPage {
        let body = serde_json::to_vec(page).expect("a page always serializes");
        RawSessionsPage::new(body).expect("a serialized page reads back")
    }

    /// Decodes the rows, once: for the store, the borrowed rows; for the read's ledger, each
    /// row's digest, taken in the same pass. A page whose rows do not decode keeps the error.
    pub fn decode_once(&mut self) {
        self.decoded.with_dependent_mut(|bytes, decoding| {
            if decoding.is_none() {
                *decoding = Some(PageDecoding::of(bytes));
            }
        });
    }

    pub fn bytes(&self) -> &[u8] {
        self.decoded.borrow_owner()
    }

    /// The rows as decoded once (decoding them now if that has not happened yet), or the
    /// strict decoder's error when a row does not decode: what every reader of a page's rows
    /// reads, so that nobody parses the page a second time.
    pub(crate) fn decoded(&mut self) -> Result<&ParticipantSessionsPageRef<'_>, &DecodeError> {
        self.decode_once();
        self.decoding().expect("decoded just now").page.as_ref()
    }

    /// The page's one decoding; `None` until [`RawSessionsPage::decode_once`].
    pub(crate) fn decoding(&self) -> Option<&PageDecoding<'_>> {
        self.decoded.borrow_dependent().as_ref()
    }

    /// Number of rows in `participants_sessions`.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The cursor of the following page; absent, null or empty ends paging.
    pub(crate) fn next_cursor(&self) -> Option<&str> {
        self.next.as_deref().filter(|c| !c.is_empty())
    }

    /// The page as the owned model, in a decoding of its own: for a page read alone
    /// ([`crate::api::StreamClient::query_call_participant_sessions`]) and for tests. A page
    /// of a read is already decoded: its readers take the rows decoded with it.
    pub fn decode(&self) -> Result<ParticipantSessionsPage, ApiError> {
        decode::success_body(OPERATION, self.bytes())
    }
}

/// A copy reads the same bytes again, and decodes them when the original was (pages are
/// rarely copied: a test's event; a frozen screen's buffer holds the original).
impl Clone for RawSessionsPage {
    fn clone(&self) -> Self {
        let mut copy = RawSessionsPage::new(self.bytes().to_vec()).expect("the page read once");
        if self.decoding().is_some() {
            copy.decode_once();
        }
        copy
    }
}

/// Two pages are equal when their bytes are.
impl PartialEq for RawSessionsPage {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for RawSessionsPage {}

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
    use crate::attendance::{EntryId, RowNews, SessionLedger, SessionStore};

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

    const GOOD: &[u8] = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
        "total_participant_sessions": 3, "total_participant_duration": 90,
        "participants_sessions": [
          {"user_id": "a", "user_session_id": "5b1d6f5e-8a0c-4c57-9d3e-2f4b6a7c8d90",
           "roles": ["user"], "joined_at": 1, "left_at": null, "duration_in_seconds": 30,
           "published_tracks": [{"kind": "audio"}]},
          {"user_id": "b", "user_session_id": "b1", "joined_at": "2026-05-12T09:00:00Z",
           "left_at": "2026-05-12T09:01:00Z", "duration_in_seconds": "60"}
        ]}"#;

    /// The same two rows, then a row the store refuses and one nobody can count.
    const BAD_ROW: &[u8] = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
        "total_participant_sessions": 3, "total_participant_duration": 90,
        "participants_sessions": [
          {"published_tracks": [{"kind": "audio"}], "duration_in_seconds": 30, "left_at": null,
           "joined_at": 1, "roles": ["user"],
           "user_session_id": "5b1d6f5e-8a0c-4c57-9d3e-2f4b6a7c8d90", "user_id": "a"},
          {"user_id": "b", "user_session_id": "b1", "joined_at": "2026-05-12T09:00:00Z",
           "left_at": "2026-05-12T09:01:00Z", "duration_in_seconds": "60"},
          {"user_id": "c", "user_session_id": "c1", "joined_at": "yesterday"},
          42
        ]}"#;

    fn with_invalid_utf8_note() -> Vec<u8> {
        [
            &br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_session_id": "a1", "note": ""#[..],
            b"\xff",
            br#""}]}"#,
        ]
        .concat()
    }

    /// The ledger's figures, for comparing two ledgers.
    fn tally(ledger: &SessionLedger) -> (usize, i128, usize, u64) {
        (
            ledger.len(),
            ledger.raw_duration_seconds(),
            ledger.open_rows(),
            ledger.unreadable_rows(),
        )
    }

    #[test]
    fn a_page_decoded_once_records_and_ingests_as_its_bytes_did() {
        for body in [GOOD.to_vec(), BAD_ROW.to_vec(), with_invalid_utf8_note()] {
            let mut raw = RawSessionsPage::new(body.clone()).unwrap();
            raw.decode_once();
            let (mut once, mut lenient) = (SessionLedger::new(), SessionLedger::new());
            assert_eq!(once.record_page(&raw).ok(), lenient.record(&body).ok());
            assert_eq!(tally(&once), tally(&lenient));
            let (mut from_page, mut from_bytes) = (SessionStore::new(), SessionStore::new());
            let (ingested, reference) = (from_page.ingest_raw(&raw), from_bytes.ingest_json(&body));
            assert_eq!(
                ingested.map_err(|error| error.to_string()),
                reference.map_err(|error| error.to_string())
            );
            assert_eq!(from_page.len(), from_bytes.len());
        }
        let mut raw = RawSessionsPage::new(BAD_ROW.to_vec()).unwrap();
        raw.decode_once();
        let decoding = raw.decoding().unwrap();
        assert!(decoding.page.is_err() && decoding.digests.is_none());
        assert_eq!(raw.rows(), 4);
    }

    #[test]
    fn a_row_reads_the_same_whichever_way_its_page_was_read() {
        let decoded = |body: &[u8]| {
            let mut page = RawSessionsPage::new(body.to_vec()).unwrap();
            page.decode_once();
            page
        };
        let mut ledger = SessionLedger::new();
        let first = ledger.record_page(&decoded(GOOD)).unwrap();
        assert_eq!(
            first.rows,
            [RowNews::New(EntryId(0)), RowNews::New(EntryId(1))]
        );
        let again = ledger.record_page(&decoded(BAD_ROW)).unwrap();
        assert_eq!(
            again.rows,
            [
                RowNews::Same(EntryId(0)),
                RowNews::Same(EntryId(1)),
                RowNews::New(EntryId(2)),
                RowNews::Unreadable
            ],
            "the lenient reading fingerprints the rows as the one decoding did"
        );
        assert_eq!(tally(&ledger), (3, 90, 2, 1));
    }

    #[test]
    fn a_body_that_is_not_json_is_refused() {
        assert!(RawSessionsPage::new(b"<html>".to_vec()).is_err());
    }
}
