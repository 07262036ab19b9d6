//! The session store: every participant session of one call session, upserted by
//! `user_session_id` as pages arrive, in a compact column-free layout.
//!
//! A row is 48 bytes (ids of interned strings, timestamps as `i64` ns, `duration_in_seconds`
//! as an `i32` with the rare value beyond it kept aside by row). `user_session_id`s are
//! 128-bit integers when they are canonical UUIDs and arena text otherwise; the upsert index
//! holds only row ids (4 bytes a slot), and goes once no page is due (see
//! [`SessionStore::release_indexes`]). Row ids never change, so a selection survives updates.

use std::collections::{HashMap, HashSet};

use crate::api::SessionFields;
use crate::api::models::{CallSession, ParticipantSessionsPage};
use crate::api::timestamp::Nanos;
use crate::api::{DecodeError, ParticipantSessionsPageRef, RawSessionsPage, SessionDetailsRef};
use crate::filter::{Needle, TimeWindow};

use super::call::{
    CallFacts, CallIdentity, CallState, EndFacts, EndReports, ServerTotals, SessionEnd, Window,
    session_end,
};
use super::index::{IdIndex, KeyHasher};
use super::intern::{Interner, ListInterner, dense_id};
use super::ledger::RowNews;
use super::problems::{RawTimes, RowContext};
use super::row::{
    HeldSeconds, PublisherId, RoleId, RoleSetId, Row, RowFields, RowId, RowKinds, SessionRef,
    UserId,
};
use super::session_id::{KeyKind, SessionIdText, StoredKey, parse_canonical_uuid};
use super::table::RowTable;

/// Why a page was refused. The store is left exactly as it was.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IngestError {
    #[error("this page is for {found} but the store holds {expected}; clear it before a new query")]
    OtherCall {
        expected: Box<CallIdentity>,
        found: Box<CallIdentity>,
    },
    /// The body is not a page: the error a decoding client would give.
    #[error(transparent)]
    Unreadable(DecodeError),
}

/// What one page changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestSummary {
    pub(crate) inserted: usize,
    pub(crate) updated: usize,
    pub(crate) unchanged: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

/// Rows are ingested in batches whose index memory is loaded up front (see
/// [`SessionStore::prepare`]); 16 keeps the batch's cache lines well inside L1.
const BATCH: usize = 16;

/// A `user_session_id` as looked up, before it is stored.
#[derive(Clone, Copy)]
enum IdProbe<'a> {
    Uuid(u128),
    Text(&'a str),
}

impl<'a> IdProbe<'a> {
    fn new(text: &'a str) -> Self {
        parse_canonical_uuid(text).map_or(IdProbe::Text(text), IdProbe::Uuid)
    }
}

/// A row's hashed keys, computed once per row in [`SessionStore::prepare`].
#[derive(Clone, Copy)]
struct Prepared<'a> {
    id: IdProbe<'a>,
    id_hash: u64,
    user_hash: u64,
}

impl Prepared<'_> {
    /// Fills the tail of a batch array beyond the last row; never looked up.
    const UNUSED: Self = Prepared {
        id: IdProbe::Uuid(0),
        id_hash: 0,
        user_hash: 0,
    };
}

/// The earliest `joined_at` and latest `left_at` over all rows, for window fallbacks. An
/// update that moves the row holding an extreme marks them stale; they are rescanned once at
/// the end of the page.
#[derive(Debug, Clone, Copy, Default)]
struct RowBounds {
    earliest_join: Option<Nanos>,
    latest_leave: Option<Nanos>,
    stale: bool,
}

impl RowBounds {
    /// Absurd and inverted timestamps are left out: one `i64::MIN` must not stretch the
    /// window over centuries.
    fn include(&mut self, row: &Row) {
        self.include_times(row.trusted_bounds());
    }

    fn include_times(&mut self, (joined, left): (Option<Nanos>, Option<Nanos>)) {
        if let Some(joined) = joined {
            self.earliest_join = Some(self.earliest_join.map_or(joined, |e| e.min(joined)));
        }
        if let Some(left) = left {
            self.latest_leave = Some(self.latest_leave.map_or(left, |l| l.max(left)));
        }
    }

    fn replace(&mut self, old: &Row, new: &Row) {
        let (joined, left) = old.trusted_bounds();
        let held_extreme = (joined.is_some() && joined == self.earliest_join)
            || (left.is_some() && left == self.latest_leave);
        self.stale |= held_extreme;
        self.include(new);
    }

    fn rescanned(rows: &RowTable) -> Self {
        let mut bounds = RowBounds::default();
        rows.iter().for_each(|row| bounds.include(row));
        bounds
    }
}

/// What a read that keeps no rows saw of them: what the session facts take from rows (their
/// bounds, whether any, whether any open), for a store of no rows that stands for a streamed
/// read (see [`SessionStore::learn_rows`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowsSeen {
    bounds: RowBounds,
    rows: u64,
    /// Copies without `left_at`. A row that later closed still counts: with no copy kept,
    /// its earlier copy cannot be told apart, and a session only sees open rows when no
    /// source says whether it ended.
    open: u64,
}

impl RowsSeen {
    /// Takes one copy of a row, as the read judged it.
    pub(crate) fn see(&mut self, details: &impl SessionFields, news: RowNews) {
        let raw = RawTimes::of(details);
        match news {
            RowNews::Same(_) | RowNews::Unreadable => return,
            RowNews::New(_) => self.rows += 1,
            RowNews::Changed(_) => {}
        }
        self.open += u64::from(raw.left_at.is_none());
        self.bounds.include_times(raw.trusted_bounds());
    }
}

/// What a page says besides its rows, borrowed from either page model.
struct PageHead<'a> {
    call_type: &'a str,
    call_id: &'a str,
    call_session_id: &'a str,
    totals: ServerTotals,
    session: Option<&'a CallSession>,
}

impl<'a> PageHead<'a> {
    fn of(page: &'a ParticipantSessionsPageRef) -> Self {
        PageHead {
            call_type: &page.call_type,
            call_id: &page.call_id,
            call_session_id: &page.call_session_id,
            totals: ServerTotals {
                participant_sessions: page.total_participant_sessions,
                participant_duration_seconds: page.total_participant_duration,
            },
            session: page.session.as_ref(),
        }
    }
}

/// All participant sessions of one query, plus what the responses said about the call.
#[derive(Debug, Clone)]
pub struct SessionStore {
    rows: RowTable,
    index: IdIndex,
    text_ids: String,
    users: Interner,
    publishers: Interner,
    roles: Interner,
    role_sets: ListInterner,
    /// Each distinct pair of role set and publisher type, as `[role_set, publisher]`.
    kinds: ListInterner,
    /// The `duration_in_seconds` no row can hold (see [`Row::held_seconds`]), by row: only
    /// hostile values, beyond 68 years, so almost always empty.
    seconds_aside: HashMap<u32, i64>,
    role_scratch: Vec<u32>,
    previous: Option<RowFields>,
    hasher: KeyHasher,
    identity: Option<CallIdentity>,
    totals: ServerTotals,
    session: Option<CallSession>,
    /// What `GetCall` and the stats said of the session's end.
    end_reports: EndReports,
    bounds: RowBounds,
    open_rows: usize,
    /// The rows a streamed read saw without keeping them, for a store of no rows.
    rows_seen: RowsSeen,
    generation: u64,
    users_generation: u64,
    /// The rows of the users being replaced that no page has brought back yet (see
    /// [`SessionStore::begin_replacing`]).
    replacing: Option<HashSet<u32>>,
}

/// The hash the row index files a `user_session_id` under.
fn probe_hash(hasher: KeyHasher, id: IdProbe) -> u64 {
    match id {
        IdProbe::Uuid(value) => hasher.wide(value),
        IdProbe::Text(text) => hasher.bytes(text.as_bytes()),
    }
}

/// [`probe_hash`] of a stored row's id, whose text ids live in `text_ids`.
fn key_hash(hasher: KeyHasher, text_ids: &str, key: StoredKey) -> u64 {
    match key.kind {
        KeyKind::Uuid => probe_hash(hasher, IdProbe::Uuid(key.uuid_value())),
        KeyKind::Text => probe_hash(hasher, IdProbe::Text(key.text_in(text_ids))),
    }
}

impl Default for SessionStore {
    fn default() -> Self {
        SessionStore::new()
    }
}

impl SessionStore {
    pub fn new() -> Self {
        let hasher = KeyHasher::new();
        SessionStore {
            rows: RowTable::default(),
            index: IdIndex::default(),
            text_ids: String::new(),
            users: Interner::new(hasher),
            publishers: Interner::new(hasher),
            roles: Interner::new(hasher),
            role_sets: ListInterner::new(hasher),
            kinds: ListInterner::new(hasher),
            seconds_aside: HashMap::new(),
            role_scratch: Vec::new(),
            previous: None,
            hasher,
            identity: None,
            totals: ServerTotals::default(),
            session: None,
            end_reports: EndReports::default(),
            bounds: RowBounds::default(),
            open_rows: 0,
            rows_seen: RowsSeen::default(),
            generation: 0,
            users_generation: 0,
            replacing: None,
        }
    }

    /// Forgets everything for a new query. Row ids from before are no longer valid; the
    /// generation keeps counting up so caches never mistake the new data for the old.
    pub(crate) fn clear(&mut self) {
        let generation = self.generation + 1;
        let users_generation = self.users_generation + 1;
        *self = SessionStore::new();
        self.generation = generation;
        self.users_generation = users_generation;
    }

    /// Upserts every row of `page` by `user_session_id` and takes its totals and `session`.
    /// A page of another call session is refused, so results of two queries never mix.
    pub fn ingest(&mut self, page: &ParticipantSessionsPage) -> Result<IngestSummary, IngestError> {
        self.ingest_page(&ParticipantSessionsPageRef::borrowing(page))
    }

    /// [`SessionStore::ingest`] straight from a response body: rows are decoded in place
    /// rather than into owned strings first, which makes ingest about twice as fast. A body
    /// that does not decode changes nothing.
    pub fn ingest_json(&mut self, body: &[u8]) -> Result<IngestSummary, IngestError> {
        let page = ParticipantSessionsPageRef::from_json(body).map_err(IngestError::Unreadable)?;
        self.ingest_page(&page)
    }

    /// [`SessionStore::ingest_json`] of a page decoded once as it arrived
    /// ([`RawSessionsPage::decode_once`]): its rows are not decoded again (a page not decoded
    /// yet is decoded here). A page whose decoding failed changes nothing and gives that
    /// error.
    pub fn ingest_raw(&mut self, page: &RawSessionsPage) -> Result<IngestSummary, IngestError> {
        match page.decoding().map(|decoding| &decoding.page) {
            Some(Ok(decoded)) => self.ingest_page(decoded),
            Some(Err(error)) => Err(IngestError::Unreadable(error.clone())),
            None => self.ingest_json(page.bytes()),
        }
    }

    fn ingest_page(
        &mut self,
        page: &ParticipantSessionsPageRef,
    ) -> Result<IngestSummary, IngestError> {
        self.ingest_rows(&PageHead::of(page), &page.participants_sessions)
    }

    fn ingest_rows(
        &mut self,
        head: &PageHead,
        rows: &[SessionDetailsRef],
    ) -> Result<IngestSummary, IngestError> {
        self.adopt_identity(head)?;
        self.adopt_totals(head.totals);
        if let Some(session) = head.session {
            self.adopt_session(session);
        }
        if !rows.is_empty() {
            self.index_rows();
        }
        let mut summary = IngestSummary::default();
        for batch in rows.chunks(BATCH) {
            let prepared = self.prepare(batch);
            for (details, keys) in batch.iter().zip(prepared) {
                match self.upsert(details, keys) {
                    Upsert::Inserted => summary.inserted += 1,
                    Upsert::Updated => summary.updated += 1,
                    Upsert::Unchanged => summary.unchanged += 1,
                }
            }
        }
        if self.bounds.stale {
            self.bounds = RowBounds::rescanned(&self.rows);
        }
        Ok(summary)
    }

    /// Drops the index of the rows by `user_session_id` (8.4 MB at a million rows), which
    /// only ingest reads, and the index of the user ids (8.4 MB at 807,000 users), which
    /// ingest and the roster's classification read: for a store no page is due to, such as
    /// an ended call read whole (a fresh read starts a store of its own). A later ingest
    /// builds the first again, in one pass over the rows, and a later lookup of a user id
    /// the second, in one pass over the ids.
    pub(crate) fn release_indexes(&mut self) {
        self.release_row_index();
        self.users.release_index();
    }

    /// Drops the index of the rows by `user_session_id` alone (see
    /// [`SessionStore::release_indexes`]): the roster's classification still looks user ids up.
    pub(crate) fn release_row_index(&mut self) {
        self.index = IdIndex::default();
    }

    /// Builds the index of the rows by `user_session_id` again when it was released.
    fn index_rows(&mut self) {
        if self.index.len() == self.rows.len() {
            return;
        }
        let (rows, text_ids, hasher) = (&self.rows, &self.text_ids, self.hasher);
        let hash_of = |row: u32| key_hash(hasher, text_ids, rows[row as usize].key());
        let mut index = IdIndex::default();
        for position in 0..rows.len() {
            let id = dense_id(position);
            index.insert(hash_of(id), id, hash_of);
        }
        self.index = index;
    }

    /// Starts replacing every row of `users` (by `user_id`) with the rows the pages ingested
    /// from now on bring: a live poll reads those users again (`user_id` `$in`) and their rows
    /// must then be exactly what came back, as a whole read would have them. Rows that come
    /// back are upserted as usual; [`SessionStore::finish_replacing`] removes the others.
    pub(crate) fn begin_replacing<'u>(&mut self, users: impl IntoIterator<Item = &'u str>) {
        let users: HashSet<u32> = users
            .into_iter()
            .filter_map(|user| self.users.get(user))
            .collect();
        let pending = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| users.contains(&row.user))
            .map(|(position, _)| dense_id(position))
            .collect();
        self.replacing = Some(pending);
    }

    /// Ends the replacement begun by [`SessionStore::begin_replacing`]: when every page of
    /// the users' rows came (`complete`), their rows that none brought back are removed, so
    /// that the store holds what a whole read would. Otherwise nothing is removed (a row not
    /// read is not a row gone). Returns how many rows were removed.
    ///
    /// Stream never deletes a participant session, so this is rare; the rows kept are then
    /// stored again in their order, and the row ids of the later ones change.
    pub(crate) fn finish_replacing(&mut self, complete: bool) -> usize {
        let Some(gone) = self.replacing.take() else {
            return 0;
        };
        if !complete || gone.is_empty() {
            return 0;
        }
        self.rebuild_without(&gone);
        gone.len()
    }

    /// The same store without the rows at `gone`: every other row stored again, in order,
    /// with what the pages said of the session.
    fn rebuild_without(&mut self, gone: &HashSet<u32>) {
        // Rows come with their call session: a store without one holds none.
        let Some(identity) = self.identity.clone() else {
            return;
        };
        let rows = self
            .row_ids()
            .filter(|id| !gone.contains(&id.0))
            .filter_map(|id| self.get(id).map(SessionRef::to_details))
            .collect();
        let mut rebuilt = SessionStore::new();
        rebuilt.generation = self.generation + 1;
        rebuilt.users_generation = self.users_generation + 1;
        rebuilt.end_reports = self.end_reports.clone();
        rebuilt.rows_seen = self.rows_seen;
        let page = ParticipantSessionsPage {
            call_type: identity.call_type,
            call_id: identity.call_id,
            call_session_id: identity.call_session_id,
            duration: crate::api::models::RequestDuration::default(),
            total_participant_sessions: self.totals.participant_sessions,
            total_participant_duration: self.totals.participant_duration_seconds,
            participants_sessions: rows,
            next: None,
            prev: None,
            session: self.session.clone(),
        };
        // The page is the store's own rows and head (its call, totals and session object), of
        // its own call: it cannot be refused.
        let _ = rebuilt.ingest(&page);
        *self = rebuilt;
    }

    /// Takes what a read learned of the session's end from `GetCall` and the stats.
    pub fn learn_end(&mut self, reports: &EndReports) {
        if self.end_reports.merge(reports) {
            self.generation += 1;
        }
    }

    /// Whether the session has ended, and when, by `session_end` over every source given.
    pub fn session_end(&self) -> SessionEnd {
        session_end(&self.end_facts())
    }

    fn end_facts(&self) -> EndFacts {
        let this_session = self.identity.as_ref().map(|i| i.call_session_id.as_str());
        self.end_reports.facts(self.session.as_ref(), this_session)
    }

    fn adopt_identity(&mut self, page: &PageHead) -> Result<(), IngestError> {
        let identity_of_page = || CallIdentity {
            call_type: page.call_type.to_owned(),
            call_id: page.call_id.to_owned(),
            call_session_id: page.call_session_id.to_owned(),
        };
        match &self.identity {
            Some(held)
                if held.call_type == page.call_type
                    && held.call_id == page.call_id
                    && held.call_session_id == page.call_session_id =>
            {
                Ok(())
            }
            Some(held) => Err(IngestError::OtherCall {
                expected: Box::new(held.clone()),
                found: Box::new(identity_of_page()),
            }),
            None => {
                self.identity = Some(identity_of_page());
                self.generation += 1;
                Ok(())
            }
        }
    }

    fn adopt_totals(&mut self, totals: ServerTotals) {
        if self.totals != totals {
            self.totals = totals;
            self.generation += 1;
        }
    }

    fn adopt_session(&mut self, session: &CallSession) {
        if self.session.as_ref() != Some(session) {
            self.session = Some(session.clone());
            self.generation += 1;
        }
    }

    /// Hashes a batch of rows and loads the index slots and user names their upserts will
    /// read. Each row costs a few cache misses in tables far larger than the cache; touching
    /// them in tight loops over the whole batch lets the misses overlap, which makes ingest
    /// several times faster than meeting them one row at a time.
    fn prepare<'a>(&self, batch: &'a [SessionDetailsRef]) -> [Prepared<'a>; BATCH] {
        let mut prepared = [Prepared::UNUSED; BATCH];
        for (keys, details) in prepared.iter_mut().zip(batch) {
            let id = IdProbe::new(&details.user_session_id);
            *keys = Prepared {
                id,
                id_hash: self.hash_id(id),
                user_hash: self.users.hash(&details.user_id),
            };
        }
        let rows = &prepared[..batch.len()];
        let mut user_slots = [None; BATCH];
        let mut row_slots = [None; BATCH];
        let mut loaded = 0u64;
        for ((keys, user_slot), row_slot) in rows.iter().zip(&mut user_slots).zip(&mut row_slots) {
            *user_slot = self.users.home_slot(keys.user_hash);
            *row_slot = self.index.home_slot(keys.id_hash);
        }
        for (&user_slot, &row_slot) in user_slots.iter().zip(&row_slots) {
            loaded ^= self.users.touch_candidate(user_slot);
            if let Some(row) = row_slot {
                loaded ^= self.rows[row as usize].key().words[1];
            }
        }
        // The loads above are only useful for their side effect on the cache.
        std::hint::black_box(loaded);
        prepared
    }

    fn hash_id(&self, id: IdProbe) -> u64 {
        probe_hash(self.hasher, id)
    }

    fn upsert(&mut self, details: &SessionDetailsRef, keys: Prepared) -> Upsert {
        let (probe, hash) = (keys.id, keys.id_hash);
        let existing = self.index.find(hash, |row| self.key_matches(row, probe));
        let fields = self.intern_fields(details, keys.user_hash);
        match existing {
            Some(row) => {
                if let Some(pending) = &mut self.replacing {
                    pending.remove(&row);
                }
                self.replace(row as usize, fields, details)
            }
            None => {
                let key = self.store_key(probe);
                let row = Row::new(key, fields, details);
                let id = dense_id(self.rows.len());
                if row.seconds_aside() {
                    self.seconds_aside
                        .insert(id, details.duration_in_seconds.expect("a value aside"));
                }
                self.bounds.include(&row);
                self.open_rows += usize::from(row.is_open());
                self.rows.push(row);
                let (rows, text_ids, hasher) = (&self.rows, &self.text_ids, self.hasher);
                self.index.insert(hash, id, |row| {
                    key_hash(hasher, text_ids, rows[row as usize].key())
                });
                self.generation += 1;
                Upsert::Inserted
            }
        }
    }

    fn replace(
        &mut self,
        position: usize,
        fields: RowFields,
        details: &SessionDetailsRef,
    ) -> Upsert {
        let old = self.rows[position];
        let new = Row::new(old.key(), fields, details);
        let id = dense_id(position);
        let aside = details.duration_in_seconds.filter(|_| new.seconds_aside());
        if new == old && aside == self.seconds_aside.get(&id).copied() {
            return Upsert::Unchanged;
        }
        match aside {
            Some(seconds) => self.seconds_aside.insert(id, seconds),
            None => self.seconds_aside.remove(&id),
        };
        self.bounds.replace(&old, &new);
        self.open_rows = self.open_rows + usize::from(new.is_open()) - usize::from(old.is_open());
        self.rows.set(position, new);
        self.generation += 1;
        Upsert::Updated
    }

    fn key_matches(&self, row: u32, probe: IdProbe) -> bool {
        let key = self.rows[row as usize].key();
        match (probe, key.kind) {
            (IdProbe::Uuid(value), KeyKind::Uuid) => key.uuid_value() == value,
            (IdProbe::Text(text), KeyKind::Text) => key.text_in(&self.text_ids) == text,
            _ => false,
        }
    }

    fn store_key(&mut self, probe: IdProbe) -> StoredKey {
        match probe {
            IdProbe::Uuid(value) => StoredKey::uuid(value),
            IdProbe::Text(text) => {
                let offset = dense_id(self.text_ids.len());
                self.text_ids.push_str(text);
                StoredKey::text(offset, dense_id(text.len()))
            }
        }
    }

    fn intern_fields(&mut self, details: &SessionDetailsRef, user_hash: u64) -> RowFields {
        let known_users = self.users.len();
        let user = self.users.intern_hashed(&details.user_id, user_hash);
        let role_set = self.intern_roles(details);
        let publisher = self.intern_publisher(&details.publisher_type);
        let kinds = match self.previous {
            Some(previous) if (previous.role_set, previous.publisher) == (role_set, publisher) => {
                previous.kinds
            }
            _ => self.kinds.intern(&[role_set, publisher]),
        };
        let fields = RowFields {
            user,
            role_set,
            publisher,
            kinds,
        };
        self.previous = Some(fields);
        if self.users.len() != known_users {
            self.users_generation += 1;
        }
        fields
    }

    /// Consecutive rows mostly share roles and publisher type, so the previous row's ids are
    /// tried before hashing.
    fn intern_roles(&mut self, details: &SessionDetailsRef) -> u32 {
        if let Some(previous) = self.previous {
            let members = self.role_sets.resolve(previous.role_set);
            let same = members.len() == details.roles.len()
                && members
                    .iter()
                    .zip(details.roles.iter())
                    .all(|(&id, role)| self.roles.resolve(id) == role);
            if same {
                return previous.role_set;
            }
        }
        self.role_scratch.clear();
        for role in details.roles.iter() {
            let id = self.roles.intern(role);
            if !self.role_scratch.contains(&id) {
                self.role_scratch.push(id);
            }
        }
        self.role_sets.intern(&self.role_scratch)
    }

    fn intern_publisher(&mut self, publisher_type: &str) -> u32 {
        match self.previous {
            Some(previous) if self.publishers.resolve(previous.publisher) == publisher_type => {
                previous.publisher
            }
            _ => self.publishers.intern(publisher_type),
        }
    }

    /// Bumps on every change (rows, totals, session, clear); equal generations mean equal data.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    pub fn get(&self, id: RowId) -> Option<SessionRef<'_>> {
        self.rows
            .get(id.index())
            .map(|row| SessionRef::new(self, id, row))
    }

    pub fn row_ids(&self) -> impl ExactSizeIterator<Item = RowId> + use<> {
        (0..self.rows.len() as u32).map(RowId)
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = SessionRef<'_>> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| SessionRef::new(self, RowId(i as u32), row))
    }

    /// The row of a `user_session_id`, e.g. to restore a selection after a new query.
    #[cfg(test)]
    pub(crate) fn find(&self, user_session_id: &str) -> Option<RowId> {
        assert_eq!(self.index.len(), self.rows.len(), "the row index is held");
        let probe = IdProbe::new(user_session_id);
        let hash = self.hash_id(probe);
        self.index
            .find(hash, |row| self.key_matches(row, probe))
            .map(RowId)
    }

    pub(crate) fn row(&self, id: RowId) -> &Row {
        &self.rows[id.index()]
    }

    pub(crate) fn session_id_text(&self, row: &Row) -> SessionIdText<'_> {
        SessionIdText::new(&row.key(), &self.text_ids)
    }

    /// Bumps when a user is first seen and on `clear`: equal values mean the same user ids
    /// with the same names, so whatever was derived from the names still holds.
    pub(crate) fn users_generation(&self) -> u64 {
        self.users_generation
    }

    /// Number of distinct users; `UserId`s run from 0 to this, exclusive.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    pub fn user_name(&self, user: UserId) -> &str {
        self.users.resolve(user.0)
    }

    /// Every user id, one after another in `UserId` order, in one text: the name
    /// [`SessionStore::user_name`] gives is a slice of it, which a sort of all the names can
    /// address by its two ends instead of looking each name up again.
    pub(crate) fn user_names_text(&self) -> &str {
        self.users.joined()
    }

    /// For each user, whether its id contains `needle`, from one search over all ids at once;
    /// `None` when only a search id by id can tell (see [`Needle::ascii_starts`]).
    pub(crate) fn users_containing(&self, needle: &Needle) -> Option<Vec<bool>> {
        let starts = needle.ascii_starts(self.users.joined())?;
        Some(self.users.ids_holding(starts, needle.len()))
    }

    pub fn find_user(&self, user_id: &str) -> Option<UserId> {
        self.users.get(user_id).map(UserId)
    }

    pub(crate) fn role_count(&self) -> usize {
        self.roles.len()
    }

    pub(crate) fn role_name(&self, role: RoleId) -> &str {
        self.roles.resolve(role.0)
    }

    pub(crate) fn role_set_count(&self) -> usize {
        self.role_sets.len()
    }

    pub(crate) fn role_set_members(
        &self,
        set: RoleSetId,
    ) -> impl ExactSizeIterator<Item = RoleId> + Clone + '_ {
        self.role_sets
            .resolve(set.0)
            .iter()
            .map(|&role| RoleId(role))
    }

    pub(crate) fn role_set_roles(&self, set: u32) -> &[u32] {
        self.role_sets.resolve(set)
    }

    /// The role set and publisher type of a row of this store.
    pub(crate) fn row_kinds(&self, row: &Row) -> RowKinds {
        match *self.kinds.resolve(row.kinds) {
            [role_set, publisher] => RowKinds {
                role_set,
                publisher,
            },
            _ => unreachable!("kinds are interned as pairs"),
        }
    }

    /// `duration_in_seconds` of row `id` (`row`, of this store) exactly as the API sent it.
    pub(crate) fn duration_in_seconds(&self, id: RowId, row: &Row) -> Option<i64> {
        match row.held_seconds() {
            HeldSeconds::Held(seconds) => seconds,
            HeldSeconds::Aside => self.seconds_aside.get(&id.0).copied(),
        }
    }

    pub(crate) fn publisher_count(&self) -> usize {
        self.publishers.len()
    }

    pub(crate) fn publisher_name(&self, publisher: PublisherId) -> &str {
        self.publishers.resolve(publisher.0)
    }

    /// Which call session the rows belong to; `None` before the first page.
    pub(crate) fn identity(&self) -> Option<&CallIdentity> {
        self.identity.as_ref()
    }

    pub(crate) fn totals(&self) -> ServerTotals {
        self.totals
    }

    #[cfg(test)]
    pub(crate) fn session(&self) -> Option<&CallSession> {
        self.session.as_ref()
    }

    /// Number of rows without `left_at`.
    pub(crate) fn open_rows(&self) -> usize {
        self.open_rows
    }

    fn facts(&self) -> CallFacts {
        let seen = &self.rows_seen;
        let mut bounds = self.bounds;
        bounds.include_times((seen.bounds.earliest_join, seen.bounds.latest_leave));
        CallFacts {
            end: self.end_facts(),
            totals: self.totals,
            has_rows: self.rows.len() > 0 || seen.rows > 0,
            has_open_rows: self.open_rows > 0 || seen.open > 0,
            earliest_join: bounds.earliest_join,
            latest_leave: bounds.latest_leave,
        }
    }

    /// Takes what a read that kept no rows saw of them, so that a store of no rows (a page's
    /// head, see [`SessionStore::take_head`]) states the same facts as a store holding them.
    pub(crate) fn learn_rows(&mut self, seen: RowsSeen) {
        self.rows_seen = seen;
        self.generation += 1;
    }

    /// Takes what a page says besides its rows (the call session it belongs to, the totals,
    /// the session object), as [`SessionStore::ingest`] does, and none of its rows.
    pub(crate) fn take_head(
        &mut self,
        page: &ParticipantSessionsPageRef,
    ) -> Result<(), IngestError> {
        self.ingest_rows(&PageHead::of(page), &[]).map(|_| ())
    }

    /// Whether the state or the window depend on the rows: the session's start, or its end
    /// (or that it is live), is not known without them. A streamed read then needs every
    /// row's bounds ([`RowsSeen`]) before it can judge its first row as a whole read would.
    pub(crate) fn depends_on_rows(&self) -> bool {
        self.facts().depends_on_rows()
    }

    pub fn is_live(&self) -> bool {
        self.identity.is_some() && self.facts().is_live()
    }

    /// The data state; `None` until a page has arrived.
    pub fn state(&self, now: Nanos) -> Option<CallState> {
        self.identity.as_ref().map(|_| self.facts().state(now))
    }

    /// The call window; `None` while nothing tells where it starts.
    pub(crate) fn window(&self, now: Nanos) -> Option<Window> {
        self.facts().window(now)
    }

    /// Where the filter finds a bare time of day (`joined>10:30`): the call window, open
    /// (24 hours from its start) while the call is live so that it does not drift between
    /// polls; `None` while nothing tells where it starts.
    pub(crate) fn time_window(&self, now: Nanos) -> Option<TimeWindow> {
        let window = self.window(now)?;
        Some(TimeWindow {
            start: window.start,
            end: (!self.is_live()).then_some(window.end),
        })
    }

    /// What every row's figures depend on besides the row: whether the session is live, its
    /// window and the present. Taken once per pass over the rows.
    pub(crate) fn row_context(&self, now: Nanos) -> RowContext {
        RowContext {
            live: self.is_live(),
            window: self.window(now),
            now,
        }
    }

    /// Bytes held by the store's own allocations (rows, ids, index, interners).
    pub fn memory_bytes(&self) -> usize {
        size_of::<SessionStore>()
            + self.rows.memory_bytes()
            + self.index.memory_bytes()
            + self.text_ids.capacity()
            + self.users.memory_bytes()
            + self.publishers.memory_bytes()
            + self.roles.memory_bytes()
            + self.role_sets.memory_bytes()
            + self.kinds.memory_bytes()
            + self.seconds_aside.capacity() * size_of::<(u32, i64)>()
            + self.role_scratch.capacity() * size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{MIN, SEC, T0, closed, ended_call, open, page, session, store_of};
    use super::*;
    use crate::api::models::ParticipantSessionDetails;

    const UUID: &str = "5b1d6f5e-8a0c-4c57-9d3e-2f4b6a7c8d90";

    /// A store of no rows that saw the rows go by states the same facts as one holding them,
    /// whatever the session object says: the streamed export and `totals` judge rows alike.
    #[test]
    fn a_head_with_the_rows_seen_states_the_facts_of_the_whole_store() {
        use crate::attendance::ledger::{EntryId, RowNews};
        let rows = vec![
            closed("a", "r-1", T0 + 2 * MIN, T0 + 40 * MIN),
            open("b", "r-2", T0 + 5 * MIN),
            closed("c", "r-3", T0 + 10 * MIN, T0 + 55 * MIN),
        ];
        let now = T0 + 70 * MIN;
        for shown in [
            Some(session(Some(0), Some(60 * MIN))),
            Some(session(None, None)),
            Some(session(Some(0), None)),
            None,
        ] {
            let whole = store_of(page(shown.clone(), rows.clone()));
            let mut head = SessionStore::new();
            let first = page(shown.clone(), rows.clone());
            head.take_head(&ParticipantSessionsPageRef::borrowing(&first))
                .unwrap();
            assert!(head.is_empty());
            let mut seen = RowsSeen::default();
            for (n, row) in rows.iter().enumerate() {
                seen.see(row, RowNews::New(EntryId(n as u32)));
            }
            if head.depends_on_rows() {
                head.learn_rows(seen);
            }
            assert_eq!(head.row_context(now), whole.row_context(now), "{shown:?}");
            assert_eq!(head.time_window(now), whole.time_window(now), "{shown:?}");
        }
    }

    #[test]
    fn a_later_poll_closes_an_open_row_in_place() {
        let mut store = store_of(page(None, vec![open("alice", UUID, 0)]));
        let id = store.find(UUID).unwrap();
        assert!(store.get(id).unwrap().is_open());
        let before = store.generation();
        let summary = store
            .ingest(&page(None, vec![closed("alice", UUID, 0, 10 * MIN)]))
            .unwrap();
        assert_eq!(summary.updated, 1);
        assert_eq!(store.len(), 1);
        assert_eq!(store.find(UUID), Some(id));
        assert!(!store.get(id).unwrap().is_open());
        assert_eq!(store.get(id).unwrap().left_at(), Some(T0 + 10 * MIN));
        assert_eq!(store.open_rows(), 0);
        assert!(store.generation() > before);
    }

    /// The rows as sent, sorted by `user_session_id`.
    fn rows_of(store: &SessionStore) -> Vec<ParticipantSessionDetails> {
        let mut rows: Vec<_> = store.iter().map(SessionRef::to_details).collect();
        rows.sort_by(|a, b| a.user_session_id.cmp(&b.user_session_id));
        rows
    }

    #[test]
    fn replacing_users_rows_keeps_exactly_what_came_back_and_the_figures_follow() {
        use crate::attendance::{Figures, Thresholds};
        let live = || Some(session(Some(0), None));
        let mut store = store_of(page(
            live(),
            vec![
                open("alice", "a-1", 0),
                closed("alice", "a-2", 0, MIN),
                open("bob", "b-1", MIN),
                closed("carol", "c-1", 0, MIN),
            ],
        ));
        let before = store.generation();
        store.begin_replacing(["alice", "bob", "nobody"]);
        // alice's a-1 closed, her a-2 is gone, she rejoined as a-3; bob is as he was.
        let back = vec![
            closed("alice", "a-1", 0, 2 * MIN),
            open("alice", "a-3", 3 * MIN),
            open("bob", "b-1", MIN),
        ];
        // As Stream sends them, the totals of any page are the whole session's.
        let mut back = page(live(), back);
        back.total_participant_sessions = Some(4);
        back.total_participant_duration = Some(180);
        store.ingest(&back).unwrap();
        assert_eq!(store.finish_replacing(true), 1);
        let whole = store_of(page(
            live(),
            vec![
                closed("alice", "a-1", 0, 2 * MIN),
                open("bob", "b-1", MIN),
                closed("carol", "c-1", 0, MIN),
                open("alice", "a-3", 3 * MIN),
            ],
        ));
        assert_eq!(rows_of(&store), rows_of(&whole));
        assert_eq!(
            (store.len(), store.open_rows(), store.user_count()),
            (4, 2, 3)
        );
        assert!(store.generation() > before);
        let now = T0 + 10 * MIN;
        assert_eq!(store.window(now), whole.window(now));
        let ids: Vec<RowId> = store.row_ids().collect();
        let figures = Figures::compute(&store, &ids, now, &Thresholds::default());
        let expected = Figures::compute(&whole, &ids, now, &Thresholds::default());
        assert_eq!(figures, expected);
        assert_eq!(
            store.finish_replacing(true),
            0,
            "one replacement, finished once"
        );
    }

    #[test]
    fn a_user_with_no_row_left_is_gone_and_an_unfinished_replacement_removes_nothing() {
        let rows = vec![closed("alice", "a-1", 0, MIN), closed("bob", "b-1", 0, MIN)];
        let mut store = ended_call(rows);
        store.begin_replacing(["alice"]);
        assert_eq!(store.finish_replacing(false), 0, "a read cut short");
        assert_eq!(store.len(), 2);
        store.begin_replacing(["alice"]);
        assert_eq!(store.finish_replacing(true), 1);
        assert_eq!((store.len(), store.user_count()), (1, 1));
        assert_eq!(store.find_user("alice"), None);
        assert!(store.find("b-1").is_some());
    }

    #[test]
    fn the_users_generation_moves_with_new_users_only() {
        let mut store = store_of(page(None, vec![open("alice", UUID, 0)]));
        let first = store.users_generation();
        store
            .ingest(&page(None, vec![closed("alice", UUID, 0, MIN)]))
            .unwrap();
        assert_eq!(store.users_generation(), first, "an update, no new user");
        store
            .ingest(&page(None, vec![closed("bob", "b-1", 0, MIN)]))
            .unwrap();
        let second = store.users_generation();
        assert!(second > first);
        store.clear();
        store
            .ingest(&page(None, vec![closed("carol", "c-1", 0, MIN)]))
            .unwrap();
        assert_ne!(
            store.users_generation(),
            second,
            "one user again, another one"
        );
    }

    #[test]
    fn the_last_version_of_a_row_within_one_page_wins() {
        let mut rows: Vec<_> = (0..40)
            .map(|i| closed("bob", &format!("b-{i}"), 0, MIN))
            .collect();
        rows.push(open("alice", UUID, 0));
        rows.push(closed("alice", UUID, 0, 2 * MIN));
        let store = ended_call(rows);
        assert_eq!(store.len(), 41);
        let alice = store.get(store.find(UUID).unwrap()).unwrap();
        assert_eq!(alice.left_at(), Some(T0 + 2 * MIN));
        assert_eq!(store.open_rows(), 0);
    }

    #[test]
    fn the_same_row_twice_changes_nothing() {
        let rows = vec![closed("alice", UUID, 0, MIN), closed("bob", "b-1", 0, MIN)];
        let mut store = ended_call(rows.clone());
        let before = store.generation();
        let again = page(Some(session(Some(0), Some(60 * MIN))), rows);
        let summary = store.ingest(&again).unwrap();
        assert_eq!(summary.unchanged, 2);
        assert_eq!(store.len(), 2);
        assert_eq!(store.generation(), before);
    }

    #[test]
    fn rows_read_back_exactly_as_sent() {
        let mut row = closed("alice", "Session-ABC", 0, 90 * SEC);
        row.roles = vec!["host".into(), "admin".into(), "host".into()];
        row.publisher_type = "rtmp".into();
        let store = ended_call(vec![row, closed("bob", UUID, 0, MIN)]);
        let alice = store.get(store.find("Session-ABC").unwrap()).unwrap();
        assert_eq!(alice.user_id(), "alice");
        assert_eq!(alice.user_session_id(), "Session-ABC");
        assert_eq!(alice.publisher_type(), "rtmp");
        assert_eq!(alice.roles().collect::<Vec<_>>(), ["host", "admin"]);
        let bob = store.get(store.find(UUID).unwrap()).unwrap();
        assert_eq!(bob.user_session_id().to_string(), UUID);
        assert_eq!(bob.to_details(), closed("bob", UUID, 0, MIN));
        assert_eq!(store.find(&UUID.to_uppercase()), None);
    }

    #[test]
    fn a_store_whose_indexes_were_released_updates_its_rows_instead_of_adding_copies() {
        let rows = vec![
            closed("alice", UUID, 0, MIN),
            closed("bob", "b-text", 0, 2 * MIN),
        ];
        let mut store = ended_call(rows.clone());
        let full = store.memory_bytes();
        store.release_indexes();
        assert!(store.memory_bytes() < full);
        assert_eq!(store.find_user("bob"), Some(UserId(1)));
        let again = |rows| page(Some(session(Some(0), Some(60 * MIN))), rows);
        let summary = store.ingest(&again(rows.clone())).unwrap();
        assert_eq!((summary.unchanged, store.len()), (2, 2));
        // The index of the rows alone, as before the figures of a read's end.
        let indexed = store.memory_bytes();
        store.release_row_index();
        assert!(store.memory_bytes() < indexed);
        assert_eq!(store.find_user("alice"), Some(UserId(0)));
        let summary = store.ingest(&again(rows)).unwrap();
        assert_eq!((summary.unchanged, store.len()), (2, 2));
        store.release_indexes();
        let changed = vec![
            closed("bob", "b-text", 0, 3 * MIN),
            closed("carol", "c", 0, MIN),
        ];
        let summary = store.ingest(&again(changed)).unwrap();
        assert_eq!((summary.updated, summary.inserted, store.len()), (1, 1, 3));
        let bob = store.get(store.find("b-text").unwrap()).unwrap();
        assert_eq!(bob.left_at(), Some(T0 + 3 * MIN));
        assert_eq!(store.find("c"), Some(RowId(2)));
    }

    #[test]
    fn a_duration_beyond_what_a_row_holds_reads_back_exact_and_counts_as_sent() {
        let hostile = [
            i64::MAX,
            i64::MIN,
            1 << 31,
            -(1 << 31),
            i64::from(i32::MIN) + 1,
        ];
        let with_seconds = |id: &str, seconds| {
            let mut row = closed("eve", id, 0, MIN);
            row.duration_in_seconds = Some(seconds);
            row
        };
        let rows: Vec<_> = (hostile.iter().enumerate())
            .map(|(i, &seconds)| with_seconds(&format!("e{i}"), seconds))
            .collect();
        let mut store = ended_call(rows.clone());
        let ctx = store.row_context(T0 + 90 * MIN);
        for sent in &rows {
            let row = store
                .get(store.find(&sent.user_session_id).unwrap())
                .unwrap();
            assert_eq!(row.duration_in_seconds(), sent.duration_in_seconds);
            assert_eq!(&row.to_details(), sent);
            let as_sent = crate::attendance::filtering::SessionRow {
                details: sent,
                context: &ctx,
            };
            assert_eq!(row.counted(&ctx), as_sent.counted(), "{sent:?}");
        }
        let again = |rows| page(Some(session(Some(0), Some(60 * MIN))), rows);
        assert_eq!(store.ingest(&again(rows.clone())).unwrap().unchanged, 5);
        let changed = vec![with_seconds("e0", i64::MAX - 1), with_seconds("e1", 30)];
        assert_eq!(store.ingest(&again(changed)).unwrap().updated, 2);
        let duration = |id| {
            let row = store.get(store.find(id).unwrap()).unwrap();
            row.duration_in_seconds()
        };
        assert_eq!(duration("e0"), Some(i64::MAX - 1));
        assert_eq!(duration("e1"), Some(30));
        assert_eq!(store.seconds_aside.len(), 4, "e1 is held in its row again");
    }

    #[test]
    fn the_duration_shown_is_the_apis_or_the_running_time_of_a_live_session() {
        let mut rounded = closed("alice", "a", 0, 90 * SEC);
        rounded.duration_in_seconds = Some(91);
        let mut no_duration = closed("bob", "b", 0, 90 * SEC + SEC / 2);
        no_duration.duration_in_seconds = None;
        let mut negative = closed("dan", "d", 0, MIN);
        negative.duration_in_seconds = Some(-600);
        let rows = vec![rounded, no_duration, negative, open("carol", "c", MIN)];
        let now = T0 + 10 * MIN;
        let shown = |store: &SessionStore, id| {
            let row = store.get(store.find(id).unwrap()).unwrap();
            row.shown_duration(&store.row_context(now))
        };
        let live = store_of(page(Some(session(Some(0), None)), rows.clone()));
        assert_eq!(shown(&live, "a"), Some(91));
        assert_eq!(shown(&live, "b"), None);
        assert_eq!(shown(&live, "d"), Some(-600));
        assert_eq!(shown(&live, "c"), Some(9 * 60));
        let ended = ended_call(rows);
        assert_eq!(
            shown(&ended, "c"),
            None,
            "a leave not recorded has no duration"
        );
    }

    #[test]
    fn a_page_of_another_call_is_refused_and_changes_nothing() {
        let mut store = ended_call(vec![closed("alice", "a", 0, MIN)]);
        let before = store.generation();
        let mut other = page(None, vec![closed("mallory", "m", 0, MIN)]);
        other.call_session_id = "call-session-2".into();
        assert!(matches!(
            store.ingest(&other),
            Err(IngestError::OtherCall { .. })
        ));
        assert_eq!((store.len(), store.generation()), (1, before));
        store.clear();
        assert!(store.is_empty());
        assert!(store.generation() > before);
        store.ingest(&other).unwrap();
        assert_eq!(store.identity().unwrap().call_session_id, "call-session-2");
    }

    #[test]
    fn an_unreadable_body_is_refused_and_changes_nothing() {
        let mut store = ended_call(vec![closed("alice", "a", 0, MIN)]);
        let before = store.generation();
        let body = br#"{"call_type": "default", "call_id": "standup",
            "call_session_id": "call-session-1", "participants_sessions": [
            {"user_id": "bob", "user_session_id": "b", "joined_at": true}]}"#;
        let error = store.ingest_json(body).unwrap_err();
        assert!(matches!(error, IngestError::Unreadable(_)));
        assert!(
            error
                .to_string()
                .contains("participants_sessions[0].joined_at"),
            "{error}"
        );
        assert_eq!((store.len(), store.generation()), (1, before));
    }

    #[test]
    fn a_body_of_another_call_is_refused_like_a_page() {
        let mut store = ended_call(vec![closed("alice", "a", 0, MIN)]);
        let mut other = page(None, vec![closed("mallory", "m", 0, MIN)]);
        other.call_id = "other".into();
        let body = serde_json::to_vec(&other).unwrap();
        assert!(matches!(
            store.ingest_json(&body),
            Err(IngestError::OtherCall { .. })
        ));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn totals_are_kept_exactly_as_returned() {
        let mut first = page(None, vec![closed("alice", "a", 0, MIN)]);
        first.total_participant_sessions = Some(40);
        first.total_participant_duration = Some(12_345);
        let store = store_of(first);
        assert_eq!(store.totals().participant_sessions, Some(40));
        assert_eq!(store.totals().participant_duration_seconds, Some(12_345));
    }

    #[test]
    fn states_follow_the_responses() {
        let now = T0 + 2 * 60 * MIN;
        assert_eq!(SessionStore::new().state(now), None);
        let live = store_of(page(Some(session(Some(0), None)), vec![open("a", "a", 0)]));
        assert_eq!(live.state(now), Some(CallState::Live));
        let ended = ended_call(vec![closed("a", "a", 0, MIN)]);
        assert_eq!(ended.state(now), Some(CallState::Ended));
        let empty = ended_call(vec![]);
        assert_eq!(empty.state(now), Some(CallState::Empty));
        let mut purged = page(Some(session(Some(0), Some(60 * MIN))), vec![]);
        purged.total_participant_sessions = Some(12);
        let purged = store_of(purged);
        let long_after = T0 + 60 * MIN + super::super::call::DETAILS_RETENTION + MIN;
        assert_eq!(purged.state(long_after), Some(CallState::Expired));
        assert_eq!(purged.totals().participant_sessions, Some(12));
    }

    #[test]
    fn the_window_falls_back_to_rows_and_follows_their_updates() {
        let mut store = store_of(page(
            None,
            vec![
                closed("a", "a", 0, 10 * MIN),
                closed("b", "b", 5 * MIN, 20 * MIN),
            ],
        ));
        let window = store.window(T0 + 60 * MIN).unwrap();
        assert_eq!((window.start, window.end), (T0, T0 + 20 * MIN));
        store
            .ingest(&page(None, vec![closed("a", "a", 2 * MIN, 10 * MIN)]))
            .unwrap();
        assert_eq!(store.window(T0 + 60 * MIN).unwrap().start, T0 + 2 * MIN);
    }

    #[test]
    fn stored_sessions_stay_within_the_memory_budget() {
        let rows = (0..20_000u32)
            .map(|i| {
                let id = format!("{i:08x}-0000-4000-8000-{:012x}", u64::from(i) * 7919);
                closed(&format!("user-{}", i % 6_000), &id, 0, MIN)
            })
            .collect();
        let store = ended_call(rows);
        assert_eq!(store.len(), 20_000);
        assert_eq!(store.user_count(), 6_000);
        let per_row = store.memory_bytes() / store.len();
        assert!(per_row <= 150, "{per_row} bytes per session");
    }
}
