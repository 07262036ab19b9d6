//! Applying a parsed filter to the store's rows.
//!
//! Stored user session ids are mostly UUIDs kept as integers; their text is rebuilt only when a
//! filter actually reads it (a `session:` term evaluated locally), so the common filters pay
//! nothing for it. A filter is bound to the store before a pass over its rows (see
//! `CompiledPredicate`), so a million rows cost table lookups rather than string searches.

use std::cell::OnceCell;

use crate::api::SessionFields;
use crate::api::models::ParticipantSessionDetails;
use crate::api::timestamp::Nanos;
use crate::filter::{Filter, LocalRow, Predicate, Reads, TimeTest};

use super::problems::{Counted, Problems, RawTimes, RowContext};
use super::row::{PublisherId, RoleId, Row, RowId, SessionRef, UserId, shown_duration};
use super::session_id::SessionIdText;
use super::store::SessionStore;

/// A stored row as the filter language sees it.
pub(crate) struct FilterableRow<'a> {
    row: SessionRef<'a>,
    live: bool,
    session_id: OnceCell<SessionIdText<'a>>,
}

impl<'a> FilterableRow<'a> {
    pub(crate) fn new(row: SessionRef<'a>) -> Self {
        FilterableRow {
            live: row.store().is_live(),
            row,
            session_id: OnceCell::new(),
        }
    }

    fn context(&self, now: Nanos) -> RowContext {
        self.row.store().row_context(now)
    }
}

impl SessionFields for FilterableRow<'_> {
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
    fn duration_in_seconds(&self) -> Option<i64> {
        self.row.duration_in_seconds()
    }
}

impl LocalRow for FilterableRow<'_> {
    fn trusted_times(&self) -> (Option<Nanos>, Option<Nanos>) {
        self.row.trusted_bounds()
    }
    fn is_open(&self) -> bool {
        self.live && self.row.is_open()
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        self.row.shown_duration(&self.context(now))
    }
    fn has_problem(&self, now: Nanos) -> bool {
        !self.row.counted(&self.context(now)).problems.is_empty()
    }
}

/// A row as the API sent it (any form of it: the rows of a page as decoded once, an owned
/// row), with what its session says about it: the rows of a streamed export, read page by
/// page without a store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionRow<'a, D> {
    pub(crate) details: &'a D,
    pub(crate) context: &'a RowContext,
}

impl<D: SessionFields> SessionRow<'_, D> {
    fn raw(&self) -> RawTimes {
        RawTimes::of(self.details)
    }

    /// How the row counts, and its problems.
    pub(crate) fn counted(&self) -> Counted {
        let raw = self.raw();
        Counted::of(raw, raw.problems(), self.context)
    }

    pub(crate) fn problems(&self) -> Problems {
        self.counted().problems
    }
}

impl<D: SessionFields> SessionFields for SessionRow<'_, D> {
    fn user_id(&self) -> &str {
        self.details.user_id()
    }
    fn user_session_id(&self) -> &str {
        self.details.user_session_id()
    }
    fn publisher_type(&self) -> &str {
        self.details.publisher_type()
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        self.details.roles()
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.details.joined_at()
    }
    fn left_at(&self) -> Option<Nanos> {
        self.details.left_at()
    }
    fn duration_in_seconds(&self) -> Option<i64> {
        self.details.duration_in_seconds()
    }
}

impl<D: SessionFields> LocalRow for SessionRow<'_, D> {
    fn trusted_times(&self) -> (Option<Nanos>, Option<Nanos>) {
        self.raw().trusted_bounds()
    }
    fn is_open(&self) -> bool {
        self.context.live && self.details.left_at().is_none()
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        let context = RowContext {
            now,
            ..*self.context
        };
        let raw = self.raw();
        shown_duration(
            raw.duration_in_seconds,
            raw.joined_at,
            raw.left_at.is_none(),
            &context,
        )
    }
    fn has_problem(&self, _now: Nanos) -> bool {
        !self.problems().is_empty()
    }
}

/// A row alone, with no session to tell (an owned row, the sim's rows): read as a row of a
/// live session whose window is unknown, so a row without `left_at` is open and only the
/// problems the row shows on its own count. Rows of a known session are read through
/// [`SessionRow`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowAlone {
    raw: RawTimes,
    context: RowContext,
}

impl RowAlone {
    /// The row as read at `now` (Unix ns).
    pub(crate) fn at(row: &impl SessionFields, now: Nanos) -> Self {
        RowAlone {
            raw: RawTimes::of(row),
            context: RowContext::unknown_live(now),
        }
    }

    pub(crate) fn trusted_times(&self) -> (Option<Nanos>, Option<Nanos>) {
        self.raw.trusted_bounds()
    }

    pub(crate) fn duration_seconds(&self) -> Option<i64> {
        let raw = self.raw;
        shown_duration(
            raw.duration_in_seconds,
            raw.joined_at,
            raw.left_at.is_none(),
            &self.context,
        )
    }

    pub(crate) fn has_problem(&self) -> bool {
        !Counted::of(self.raw, self.raw.problems(), &self.context)
            .problems
            .is_empty()
    }
}

/// An owned row is read alone (`RowAlone`).
impl LocalRow for ParticipantSessionDetails {
    fn trusted_times(&self) -> (Option<Nanos>, Option<Nanos>) {
        RowAlone::at(self, 0).trusted_times()
    }
    fn is_open(&self) -> bool {
        self.left_at.is_none()
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        RowAlone::at(self, now).duration_seconds()
    }
    fn has_problem(&self, now: Nanos) -> bool {
        RowAlone::at(self, now).has_problem()
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
    let existing = candidates.into_iter().filter(|id| id.index() < store.len());
    match &filter.local {
        None => existing.collect(),
        Some(predicate) => {
            let compiled = CompiledPredicate::new(store, predicate, now);
            let mut kept = Vec::with_capacity(existing.size_hint().1.unwrap_or(0));
            let mut lanes = Vec::with_capacity(LANES);
            let mut passes = vec![0; predicate.step_count()];
            for id in existing {
                lanes.push(id);
                if lanes.len() == LANES {
                    compiled.keep(&lanes, &mut passes, &mut kept);
                    lanes.clear();
                }
            }
            compiled.keep(&lanes, &mut passes, &mut kept);
            kept
        }
    }
}

/// Rows are filtered 64 at a time, one bit each in a `u64` per test.
const LANES: usize = 64;

/// A predicate bound to one store: each test that reads a user id, publisher type or role
/// list is answered once per distinct value (a few hundred thousand users for a million rows,
/// a handful of role lists), so evaluating a row is table lookups and integer comparisons.
/// The answers come from [`Predicate::step_matches`] itself, so they cannot differ from
/// evaluating each row as a [`FilterableRow`].
struct CompiledPredicate<'a> {
    store: &'a SessionStore,
    predicate: &'a Predicate,
    tests: Vec<StoreTest>,
    context: RowContext,
}

enum StoreTest {
    ByUser(Vec<bool>),
    ByPublisher(Vec<bool>),
    ByRoleSet(Vec<bool>),
    /// Timestamps and durations, read from the row's integers.
    OnTimes(TimeTest),
    /// The session id's text is needed (rare: `session:` terms are usually sent to the server).
    OnSessionId(usize),
    Constant(bool),
}

impl<'a> CompiledPredicate<'a> {
    fn new(store: &'a SessionStore, predicate: &'a Predicate, now: Nanos) -> Self {
        let tests = (0..predicate.step_count())
            .map(|step| StoreTest::new(store, predicate, step, now))
            .collect();
        CompiledPredicate {
            store,
            predicate,
            tests,
            context: store.row_context(now),
        }
    }

    /// Appends to `kept` the `lanes` (at most 64 rows) the predicate keeps, in order.
    fn keep(&self, lanes: &[RowId], passes: &mut [u64], kept: &mut Vec<RowId>) {
        if lanes.is_empty() {
            return;
        }
        let mut rows = [self.store.row(lanes[0]); LANES];
        for (row, &id) in rows.iter_mut().zip(lanes) {
            *row = self.store.row(id);
        }
        let rows = &rows[..lanes.len()];
        for (pass, test) in passes.iter_mut().zip(&self.tests) {
            *pass = self.lanes_passing(test, lanes, rows);
        }
        let used = u64::MAX >> (LANES - lanes.len());
        let mut accepted = self.predicate.run_lanes(passes) & used;
        while accepted != 0 {
            kept.push(lanes[accepted.trailing_zeros() as usize]);
            accepted &= accepted - 1;
        }
    }

    /// Bit `i` says whether row `lanes[i]` (stored as `rows[i]`) passes `test`.
    fn lanes_passing(&self, test: &StoreTest, lanes: &[RowId], rows: &[&Row]) -> u64 {
        let kinds = |row: &Row| self.store.row_kinds(row);
        match test {
            StoreTest::ByUser(answers) => lanes_by_id(rows, answers, |row| row.user),
            StoreTest::ByPublisher(answers) => {
                lanes_by_id(rows, answers, |row| kinds(row).publisher)
            }
            StoreTest::ByRoleSet(answers) => lanes_by_id(rows, answers, |row| kinds(row).role_set),
            StoreTest::OnTimes(test) => {
                (lanes.iter().zip(rows).enumerate()).fold(0u64, |bits, (lane, (&id, row))| {
                    let row = SessionRef::new(self.store, id, row);
                    let passes =
                        test.matches(&OneColumn::times(row, &self.context), self.context.now);
                    bits | u64::from(passes) << lane
                })
            }
            StoreTest::OnSessionId(step) => {
                lanes.iter().enumerate().fold(0u64, |bits, (lane, &id)| {
                    let session = FilterableRow::new(self.store.get(id).expect("candidates exist"));
                    let passes = self
                        .predicate
                        .step_matches(*step, &session, self.context.now);
                    bits | u64::from(passes) << lane
                })
            }
            StoreTest::Constant(answer) => lane_bits(rows, |_| *answer),
        }
    }
}

/// Bit `i` is the answer for the id `id` reads from `rows[i]`.
#[inline]
fn lanes_by_id(rows: &[&Row], answers: &[bool], id: impl Fn(&Row) -> u32) -> u64 {
    lane_bits(rows, |row| answers[id(row) as usize])
}

/// Bit `i` is `answer` for `rows[i]`.
#[inline]
fn lane_bits(rows: &[&Row], answer: impl Fn(&Row) -> bool) -> u64 {
    rows.iter()
        .enumerate()
        .fold(0, |bits, (lane, row)| bits | u64::from(answer(row)) << lane)
}

impl StoreTest {
    fn new(store: &SessionStore, predicate: &Predicate, step: usize, now: Nanos) -> StoreTest {
        let answer = |row: OneColumn| predicate.step_matches(step, &row, now);
        match predicate.step_reads(step) {
            Reads::UserId => StoreTest::ByUser(
                predicate
                    .user_needle(step)
                    .and_then(|needle| store.users_containing(needle))
                    .unwrap_or_else(|| {
                        (0..store.user_count())
                            .map(|user| {
                                answer(OneColumn::user(store.user_name(UserId(user as u32))))
                            })
                            .collect()
                    }),
            ),
            Reads::PublisherType => StoreTest::ByPublisher(
                (0..store.publisher_count())
                    .map(|publisher| {
                        let name = store.publisher_name(PublisherId(publisher as u32));
                        answer(OneColumn::publisher(name))
                    })
                    .collect(),
            ),
            Reads::Roles => StoreTest::ByRoleSet(
                (0..store.role_set_count())
                    .map(|set| answer(OneColumn::roles(store, set as u32)))
                    .collect(),
            ),
            Reads::Times => match predicate.time_test(step) {
                Some(test) => StoreTest::OnTimes(test),
                None => unreachable!("a test that reads times is a time test"),
            },
            Reads::SessionId => StoreTest::OnSessionId(step),
            Reads::Nothing | Reads::Person => StoreTest::Constant(answer(OneColumn::default())),
        }
    }
}

/// A row showing only one of its parts; a test that reads only that part answers as it would
/// on the whole row.
#[derive(Default)]
struct OneColumn<'a> {
    user_id: &'a str,
    publisher_type: &'a str,
    roles: Option<(&'a SessionStore, u32)>,
    times: Option<(SessionRef<'a>, &'a RowContext)>,
}

impl<'a> OneColumn<'a> {
    fn user(user_id: &'a str) -> Self {
        OneColumn {
            user_id,
            ..OneColumn::default()
        }
    }

    fn publisher(publisher_type: &'a str) -> Self {
        OneColumn {
            publisher_type,
            ..OneColumn::default()
        }
    }

    fn roles(store: &'a SessionStore, set: u32) -> Self {
        OneColumn {
            roles: Some((store, set)),
            ..OneColumn::default()
        }
    }

    fn times(row: SessionRef<'a>, context: &'a RowContext) -> Self {
        OneColumn {
            times: Some((row, context)),
            ..OneColumn::default()
        }
    }
}

impl SessionFields for OneColumn<'_> {
    fn user_id(&self) -> &str {
        self.user_id
    }
    fn user_session_id(&self) -> &str {
        ""
    }
    fn publisher_type(&self) -> &str {
        self.publisher_type
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.into_iter().flat_map(|(store, set)| {
            store
                .role_set_roles(set)
                .iter()
                .map(move |&role| store.role_name(RoleId(role)))
        })
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.times.and_then(|(row, _)| row.joined_at())
    }
    fn left_at(&self) -> Option<Nanos> {
        self.times.and_then(|(row, _)| row.left_at())
    }
    fn duration_in_seconds(&self) -> Option<i64> {
        self.times.and_then(|(row, _)| row.duration_in_seconds())
    }
}

impl LocalRow for OneColumn<'_> {
    fn trusted_times(&self) -> (Option<Nanos>, Option<Nanos>) {
        self.times
            .map_or((None, None), |(row, _)| row.trusted_bounds())
    }
    fn is_open(&self) -> bool {
        self.times
            .is_some_and(|(row, context)| context.live && row.is_open())
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        let (row, context) = self.times?;
        row.shown_duration(&RowContext { now, ..*context })
    }
    fn has_problem(&self, now: Nanos) -> bool {
        self.times.is_some_and(|(row, context)| {
            !row.counted(&RowContext { now, ..*context })
                .problems
                .is_empty()
        })
    }
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
            roles: roles.iter().map(std::string::ToString::to_string).collect(),
            joined_at: Some(joined),
            left_at: left,
            duration_in_seconds: left.map(|l| (l - joined) / 1_000_000_000),
        }
    }

    fn store_of(rows: Vec<ParticipantSessionDetails>) -> SessionStore {
        let mut store = SessionStore::new();
        let page = ParticipantSessionsPage {
            call_type: "default".into(),
            call_id: "c".into(),
            call_session_id: "s".into(),
            duration: crate::api::models::RequestDuration::default(),
            total_participant_sessions: None,
            total_participant_duration: None,
            participants_sessions: rows,
            next: None,
            prev: None,
            session: None,
        };
        store.ingest(&page).unwrap();
        store
    }

    fn store() -> SessionStore {
        store_of(vec![
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
        ])
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

    fn store_of_users(users: &[&str]) -> SessionStore {
        store_of(
            users
                .iter()
                .enumerate()
                .map(|(i, user)| row(user, &format!("s{i}"), &["user"], 0, Some(MIN)))
                .collect(),
        )
    }

    #[test]
    fn a_bare_word_matches_within_one_user_id_in_any_case() {
        let store = store_of_users(&["ab", "otter", "Recorder-BOT-1", "robot"]);
        assert_eq!(kept(&store, "bo"), ["Recorder-BOT-1", "robot"]);
        assert_eq!(kept(&store, "!bo"), ["ab", "otter"]);
        let unicode = store_of_users(&["\u{212A}elvin", "kate", "Été-bot", "ab"]);
        assert_eq!(kept(&unicode, "k"), ["\u{212A}elvin", "kate"]);
        assert_eq!(kept(&unicode, "bot"), ["Été-bot"]);
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
