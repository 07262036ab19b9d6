//! Every `user_session_id` one read has received, with what reconciliation and deduplication
//! need of its latest copy, in about 40 bytes an id.
//!
//! A read may receive a row twice (an overlapping page, the previous page served again, a
//! fresh start after an expired cursor). The ledger tells each copy apart: the first one of an
//! id, the same values again, or other values, in which case the later copy wins. It keeps,
//! per id, the raw `duration_in_seconds` of the winning copy (so the sum Stream's
//! `total_participant_duration` is checked against counts each row once, as received), whether
//! it is open, and a fingerprint of all its fields. Canonical UUIDs, which Stream's ids are in
//! practice, are kept as 128-bit integers behind the store's compact index; any other id in a
//! hash map of its text.
//!
//! Pages are read leniently: a row that is not an object, or has no string
//! `user_session_id`, is counted as unreadable instead of failing the page, so that what is
//! missing can be said.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};

use crate::api::RawSessionsPage;
use crate::api::models::CallSession;
use crate::api::timestamp;

use super::call::ServerTotals;
use super::index::{IdIndex, KeyHasher};
use super::row_digest::{DigestId, RowDigest};

/// The reserve taken from Stream's total on the first page is capped, so that an absurd total
/// cannot make the ledger allocate gigabytes up front.
const MAX_RESERVE: usize = 1 << 22;
const NO_DURATION: i32 = i32::MIN;
/// The duration is in `wide_durations`: it does not fit in an `i32`.
const WIDE_DURATION: i32 = i32::MIN + 1;
const OPEN: u32 = 1;

/// A row's position in the ledger; the same id keeps it for the life of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct EntryId(pub u32);

/// What a copy of a row is to the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowNews {
    /// The first copy of its `user_session_id`.
    New(EntryId),
    /// The values of the copy already held, again.
    Same(EntryId),
    /// Other values than the copy already held: this later copy wins.
    Changed(EntryId),
    /// No readable `user_session_id`: the row cannot be counted or deduplicated.
    Unreadable,
}

impl RowNews {}

/// What one page told the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct PageNews {
    /// One verdict per row of `participants_sessions`, in order.
    pub(crate) rows: Vec<RowNews>,
    /// The page had rows and every one had already been received in this walk (see
    /// [`SessionLedger::new_walk`]): most likely the previous page served again.
    pub(crate) all_seen: bool,
    /// The page's totals, exactly as sent.
    pub(crate) totals: ServerTotals,
    /// The page's `session` object.
    pub(crate) session: Option<CallSession>,
}

/// One id's latest copy: its raw duration (in `i32` seconds when it fits) and a fingerprint of
/// all its fields whose lowest bit says whether the row is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LedgerEntry {
    key: [u64; 2],
    duration: i32,
    meta: u32,
}

/// Every `user_session_id` of one read. See the module documentation.
#[derive(Debug, Clone)]
pub struct SessionLedger {
    hasher: KeyHasher,
    index: IdIndex,
    text_ids: HashMap<Box<str>, u32>,
    entries: Vec<LedgerEntry>,
    wide_durations: HashMap<u32, i64>,
    /// One bit per entry: received in the current walk.
    this_walk: Vec<u64>,
    raw_duration: i128,
    open: usize,
    unreadable: u64,
}

impl Default for SessionLedger {
    fn default() -> Self {
        SessionLedger::new()
    }
}

impl SessionLedger {
    pub fn new() -> Self {
        SessionLedger {
            hasher: KeyHasher::new(),
            index: IdIndex::default(),
            text_ids: HashMap::new(),
            entries: Vec::new(),
            wide_durations: HashMap::new(),
            this_walk: Vec::new(),
            raw_duration: 0,
            open: 0,
            unreadable: 0,
        }
    }

    /// Records every row of a page, from the digests its one decoding took
    /// ([`RawSessionsPage::decode_once`]), or, for a page that decoding refused (or that was
    /// not decoded), from its bytes ([`SessionLedger::record`]). Fails only when the body is
    /// not a page at all.
    pub fn record_page(&mut self, page: &RawSessionsPage) -> Result<PageNews, serde_json::Error> {
        match page
            .decoding()
            .map(|decoding| (&decoding.page, &decoding.digests))
        {
            Some((Ok(decoded), Some(digests))) => Ok(self.record_digests(
                ServerTotals {
                    participant_sessions: decoded.total_participant_sessions,
                    participant_duration_seconds: decoded.total_participant_duration,
                },
                decoded.session.clone(),
                digests,
            )),
            _ => self.record(page.bytes()),
        }
    }

    /// Records every row of a `QueryCallParticipantSessions` body, read leniently. Fails only
    /// when the body is not a page at all; unreadable rows are counted instead.
    pub fn record(&mut self, body: &[u8]) -> Result<PageNews, serde_json::Error> {
        // Validated once as a whole, the text's strings are not validated one by one again
        // (a sixth of the work when decoding from bytes).
        let page: PageDigest = match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text)?,
            Err(_) => serde_json::from_slice(body)?,
        };
        Ok(self.record_digests(
            ServerTotals {
                participant_sessions: page.total_participant_sessions,
                participant_duration_seconds: page.total_participant_duration,
            },
            page.session,
            &page.participants_sessions,
        ))
    }

    fn record_digests(
        &mut self,
        totals: ServerTotals,
        session: Option<CallSession>,
        rows: &[RowDigest],
    ) -> PageNews {
        if self.entries.is_empty()
            && let Some(total) = totals.participant_sessions
        {
            let expected = usize::try_from(total).unwrap_or(0).min(MAX_RESERVE);
            self.entries.reserve(expected);
        }
        let mut all_seen = !rows.is_empty();
        let rows = rows
            .iter()
            .map(|row| {
                let (news, seen) = self.record_row(row);
                all_seen &= seen;
                news
            })
            .collect();
        PageNews {
            rows,
            all_seen,
            totals,
            session,
        }
    }

    /// Counts every row of a page that could not be read at all as unreadable.
    pub(crate) fn unreadable_page(&mut self, rows: usize, totals: ServerTotals) -> PageNews {
        self.unreadable += rows as u64;
        PageNews {
            rows: vec![RowNews::Unreadable; rows],
            all_seen: false,
            totals,
            session: None,
        }
    }

    /// Starts another walk through the pages (after a fresh start, or for the next part of a
    /// split filter): rows received before no longer count as seen in this walk.
    pub(crate) fn new_walk(&mut self) {
        self.this_walk.fill(0);
    }

    /// Distinct `user_session_id`s received.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a copy of `user_session_id` was received.
    pub(crate) fn holds(&self, user_session_id: &str) -> bool {
        self.find(&DigestId::of(user_session_id)).is_some()
    }

    /// The sum of the raw `duration_in_seconds` of each id's latest copy.
    pub(crate) fn raw_duration_seconds(&self) -> i128 {
        self.raw_duration
    }

    /// Ids whose latest copy has no `left_at`.
    pub(crate) fn open_rows(&self) -> usize {
        self.open
    }

    /// Rows without a readable `user_session_id`.
    pub(crate) fn unreadable_rows(&self) -> u64 {
        self.unreadable
    }

    /// Bytes held by the ledger's allocations.
    pub fn memory_bytes(&self) -> usize {
        size_of::<SessionLedger>()
            + self.entries.capacity() * size_of::<LedgerEntry>()
            + self.index.memory_bytes()
            + self.this_walk.capacity() * size_of::<u64>()
            + self.text_ids.capacity() * (size_of::<(Box<str>, u32)>() + 1)
            + self.text_ids.keys().map(|id| id.len()).sum::<usize>()
            + self.wide_durations.capacity() * (size_of::<(u32, i64)>() + 1)
    }

    /// Records one row; also says whether it had been received in this walk already.
    fn record_row(&mut self, row: &RowDigest) -> (RowNews, bool) {
        let Some(id) = &row.id else {
            self.unreadable += 1;
            return (RowNews::Unreadable, false);
        };
        let meta = (row.fingerprint as u32 & !OPEN) | u32::from(row.open);
        match self.find(id) {
            Some(position) => {
                let seen = self.mark_walk(position);
                let old = self.entries[position as usize];
                let old_duration = self.duration_of(position, old.duration);
                let entry = EntryId(position);
                if old.meta == meta && old_duration == row.duration {
                    return (RowNews::Same(entry), seen);
                }
                self.raw_duration +=
                    i128::from(row.duration.unwrap_or(0)) - i128::from(old_duration.unwrap_or(0));
                self.open = self.open + usize::from(row.open) - usize::from(old.meta & OPEN != 0);
                if old.duration == WIDE_DURATION {
                    self.wide_durations.remove(&position);
                }
                let duration = self.encode_duration(position, row.duration);
                self.entries[position as usize] = LedgerEntry {
                    duration,
                    meta,
                    ..old
                };
                (RowNews::Changed(entry), seen)
            }
            None => {
                let position = u32::try_from(self.entries.len()).expect("fewer than 2^32 rows");
                let key = match id {
                    DigestId::Uuid(value) => {
                        let (entries, hasher) = (&self.entries, self.hasher);
                        self.index
                            .insert(hasher.wide(*value), position, |position| {
                                let [high, low] = entries[position as usize].key;
                                hasher.wide((u128::from(high) << 64) | u128::from(low))
                            });
                        [(value >> 64) as u64, *value as u64]
                    }
                    DigestId::Text(text) => {
                        self.text_ids.insert(text.as_str().into(), position);
                        [0, 0]
                    }
                };
                let duration = self.encode_duration(position, row.duration);
                self.entries.push(LedgerEntry {
                    key,
                    duration,
                    meta,
                });
                self.raw_duration += i128::from(row.duration.unwrap_or(0));
                self.open += usize::from(row.open);
                self.mark_walk(position);
                (RowNews::New(EntryId(position)), false)
            }
        }
    }

    fn find(&self, id: &DigestId) -> Option<u32> {
        match id {
            DigestId::Uuid(value) => {
                let key = [(value >> 64) as u64, *value as u64];
                self.index.find(self.hasher.wide(*value), |position| {
                    self.entries[position as usize].key == key
                })
            }
            DigestId::Text(text) => self.text_ids.get(text.as_str()).copied(),
        }
    }

    /// Sets the entry's bit of the current walk; returns whether it was set already.
    fn mark_walk(&mut self, position: u32) -> bool {
        let (word, bit) = (position as usize / 64, 1u64 << (position % 64));
        if word >= self.this_walk.len() {
            self.this_walk.resize(word + 1, 0);
        }
        let seen = self.this_walk[word] & bit != 0;
        self.this_walk[word] |= bit;
        seen
    }

    /// The duration as an entry holds it; one that does not fit an `i32` goes to the side map
    /// (the caller removes a replaced entry's side value first).
    fn encode_duration(&mut self, position: u32, duration: Option<i64>) -> i32 {
        match duration {
            None => NO_DURATION,
            Some(seconds) => match i32::try_from(seconds) {
                Ok(narrow) if narrow > WIDE_DURATION => narrow,
                _ => {
                    self.wide_durations.insert(position, seconds);
                    WIDE_DURATION
                }
            },
        }
    }

    fn duration_of(&self, position: u32, encoded: i32) -> Option<i64> {
        match encoded {
            NO_DURATION => None,
            WIDE_DURATION => self.wide_durations.get(&position).copied(),
            narrow => Some(i64::from(narrow)),
        }
    }
}

/// What the ledger reads of a page.
#[derive(Deserialize)]
struct PageDigest {
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    total_participant_sessions: Option<i64>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    total_participant_duration: Option<i64>,
    #[serde(default)]
    session: Option<CallSession>,
    #[serde(default, deserialize_with = "rows_or_null")]
    participants_sessions: Vec<RowDigest>,
}

fn rows_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RowDigest>, D::Error> {
    Ok(Option::<Vec<RowDigest>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const A: &str = "5b1d6f5e-8a0c-4c57-9d3e-2f4b6a7c8d90";
    const B: &str = "0f8e2c1a-9b7d-4e3f-a1b2-c3d4e5f60718";

    fn row(id: &str, duration: Value, left: bool) -> Value {
        let mut row = json!({
            "user_id": "u", "user_session_id": id, "publisher_type": "webrtc",
            "roles": ["user"], "joined_at": "2026-05-12T09:00:00Z",
            "duration_in_seconds": duration,
        });
        if left {
            row["left_at"] = json!("2026-05-12T09:30:00Z");
        }
        row
    }

    fn page(rows: Vec<Value>, totals: (i64, i64)) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "call_type": "default", "call_id": "c", "call_session_id": "s",
            "total_participant_sessions": totals.0, "total_participant_duration": totals.1,
            "participants_sessions": rows,
        }))
        .unwrap()
    }

    fn record(ledger: &mut SessionLedger, rows: Vec<Value>) -> PageNews {
        ledger.record(&page(rows, (3, 4800))).unwrap()
    }

    #[test]
    fn a_row_on_two_pages_counts_once_with_its_raw_duration() {
        let mut ledger = SessionLedger::new();
        let first = record(
            &mut ledger,
            vec![row("i-1", json!(1800), true), row("i-2", json!(2400), true)],
        );
        assert_eq!(
            first.rows,
            [RowNews::New(EntryId(0)), RowNews::New(EntryId(1))]
        );
        assert!(!first.all_seen);
        assert_eq!(first.totals.participant_sessions, Some(3));
        let second = record(
            &mut ledger,
            vec![row("i-2", json!(2400), true), row("i-3", json!(600), true)],
        );
        assert_eq!(
            second.rows,
            [RowNews::Same(EntryId(1)), RowNews::New(EntryId(2))]
        );
        assert_eq!(ledger.len(), 3);
        assert_eq!(ledger.raw_duration_seconds(), 4800);
        assert_eq!(ledger.open_rows(), 0);
    }

    #[test]
    fn the_later_copy_wins_and_moves_the_sums() {
        let mut ledger = SessionLedger::new();
        record(&mut ledger, vec![row(A, Value::Null, false)]);
        assert_eq!((ledger.open_rows(), ledger.raw_duration_seconds()), (1, 0));
        let later = record(&mut ledger, vec![row(A, json!(1800), true)]);
        assert_eq!(later.rows, [RowNews::Changed(EntryId(0))]);
        assert_eq!(
            (ledger.open_rows(), ledger.raw_duration_seconds()),
            (0, 1800)
        );
        let reordered = json!({
            "left_at": "2026-05-12T09:30:00Z", "duration_in_seconds": 1800,
            "joined_at": "2026-05-12T09:00:00Z", "roles": ["user"],
            "publisher_type": "webrtc", "user_session_id": A, "user_id": "u",
        });
        let again = record(&mut ledger, vec![reordered]);
        assert_eq!(
            again.rows,
            [RowNews::Same(EntryId(0))],
            "field order does not matter"
        );
        let mut other_roles = row(A, json!(1800), true);
        other_roles["roles"] = json!(["host"]);
        let changed = record(&mut ledger, vec![other_roles]);
        assert_eq!(changed.rows, [RowNews::Changed(EntryId(0))]);
        assert_eq!(ledger.raw_duration_seconds(), 1800);
    }

    #[test]
    fn a_page_of_rows_seen_in_this_walk_is_all_seen() {
        let mut ledger = SessionLedger::new();
        let rows = vec![row(A, json!(60), true), row(B, json!(60), true)];
        assert!(!record(&mut ledger, rows.clone()).all_seen);
        assert!(record(&mut ledger, rows.clone()).all_seen);
        ledger.new_walk();
        assert!(!record(&mut ledger, rows.clone()).all_seen, "a new walk");
        assert!(record(&mut ledger, rows).all_seen);
        assert!(
            !record(&mut ledger, vec![]).all_seen,
            "an empty page is no repeat"
        );
        assert_eq!(ledger.len(), 2);
    }

    #[test]
    fn unreadable_rows_are_counted_not_fatal() {
        let mut ledger = SessionLedger::new();
        let news = record(
            &mut ledger,
            vec![
                json!(null),
                json!({"user_id": "u"}),
                json!({"user_session_id": 7}),
                row("x", json!(5), true),
            ],
        );
        assert_eq!(news.rows[..3], [RowNews::Unreadable; 3]);
        assert_eq!(ledger.unreadable_rows(), 3);
        assert_eq!(ledger.len(), 1);
        assert!(ledger.record(b"42").is_err(), "not a page at all");
    }

    #[test]
    fn durations_read_as_the_models_read_them() {
        let mut ledger = SessionLedger::new();
        record(
            &mut ledger,
            vec![
                row("a", json!("42"), true),
                row("b", json!(10.6), true),
                row("c", json!(i64::MAX), true),
                row("d", json!(-600), true),
            ],
        );
        let expected = 42 + 11 + i128::from(i64::MAX) - 600;
        assert_eq!(ledger.raw_duration_seconds(), expected);
        record(&mut ledger, vec![row("c", json!(1), true)]);
        assert_eq!(ledger.raw_duration_seconds(), 42 + 11 + 1 - 600);
        assert!(ledger.wide_durations.is_empty());
    }

    #[test]
    fn uuids_and_other_ids_never_mix() {
        let mut ledger = SessionLedger::new();
        let upper = A.to_uppercase();
        record(
            &mut ledger,
            vec![row(A, json!(1), true), row(&upper, json!(1), true)],
        );
        assert_eq!(ledger.len(), 2, "ids are compared as sent");
        let news = record(&mut ledger, vec![row(&upper, json!(1), true)]);
        assert_eq!(news.rows, [RowNews::Same(EntryId(1))]);
    }

    #[test]
    fn uuids_cost_no_allocation_of_their_own() {
        let mut ledger = SessionLedger::new();
        let rows = 20_000u32;
        for chunk in 0..rows / 100 {
            let page_rows = (0..100)
                .map(|i| {
                    let n = chunk * 100 + i;
                    let id = format!("{n:08x}-0000-4000-8000-{:012x}", u64::from(n) * 7919);
                    row(&id, json!(60), true)
                })
                .collect();
            ledger
                .record(&page(page_rows, (i64::from(rows), 0)))
                .unwrap();
        }
        assert_eq!(ledger.len(), rows as usize);
        // 24 bytes of entry and 8 to 32 of index, whose slots double at half load; a million
        // ids take 41 (docs/benchmarks.md).
        let per_id = ledger.memory_bytes() / ledger.len();
        assert!(per_id <= 60, "{per_id} bytes per id");
    }
}
