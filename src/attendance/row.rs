//! The stored form of one participant session and the cheap view handed to callers.

use crate::api::SessionDetailsRef;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::problems::{
    Counted, LONGEST_SECONDS, Problems, RawTimes, RowContext, plausible_instant,
};
use super::session_id::{KeyKind, SessionIdText, StoredKey};
use super::store::SessionStore;

/// Marks an absent timestamp inside a row; `Option<i64>` would double the size.
const ABSENT: i64 = i64::MIN;

/// Marks an absent `duration_in_seconds` inside a row.
const NO_SECONDS: i32 = i32::MIN;
/// Marks a `duration_in_seconds` the row cannot hold (beyond an `i32`, 68 years, or one of
/// these two marks): the store keeps it aside, by row ([`SessionStore::duration_in_seconds`]).
/// Only hostile rows send one, and the figures never trust it: they trust at most a year.
const SECONDS_ASIDE: i32 = i32::MIN + 1;
const _: () = assert!(LONGEST_SECONDS < SECONDS_ASIDE.unsigned_abs() as i64);

/// A row's stable position in the store: it names the same `user_session_id` for the life of
/// the store (until `SessionStore::clear`), however often the row is updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowId(pub u32);

/// An interned `user_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(pub u32);

/// An interned role name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RoleId(pub u32);

/// An interned list of roles, as one session carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RoleSetId(pub u32);

/// An interned `publisher_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PublisherId(pub u32);

impl RowId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

impl UserId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// One session in 48 bytes: no strings, no options. A million of them are the store's
/// largest table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    key_words: [u64; 2],
    joined_at: i64,
    left_at: i64,
    /// `duration_in_seconds`, `NO_SECONDS` or `SECONDS_ASIDE`.
    seconds: i32,
    pub(crate) user: u32,
    /// The interned pair of role set and publisher type ([`RowKinds`]): consecutive rows
    /// mostly share both, and one id for the two keeps the row within 48 bytes.
    pub(crate) kinds: u32,
    /// The problems the row shows on its own, checked once at ingest.
    problems: Problems,
    key_kind: KeyKind,
}

/// The interned parts of a row, before its key is known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowFields {
    pub(crate) user: u32,
    pub(crate) role_set: u32,
    pub(crate) publisher: u32,
    /// The pair of the two above, interned.
    pub(crate) kinds: u32,
}

/// A row's `duration_in_seconds`: held in the row (absent or not), or kept aside by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeldSeconds {
    Held(Option<i64>),
    Aside,
}

/// A row's role set and publisher type, as one interned pair names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowKinds {
    pub(crate) role_set: u32,
    pub(crate) publisher: u32,
}

fn encode(value: Option<i64>) -> i64 {
    value.unwrap_or(ABSENT)
}

/// A `duration_in_seconds` as a row holds it.
fn encode_seconds(value: Option<i64>) -> i32 {
    match value.map(i32::try_from) {
        None => NO_SECONDS,
        Some(Ok(seconds)) if seconds != NO_SECONDS && seconds != SECONDS_ASIDE => seconds,
        Some(_) => SECONDS_ASIDE,
    }
}

fn decode(value: i64) -> Option<i64> {
    (value != ABSENT).then_some(value)
}

impl Row {
    pub(crate) fn new(key: StoredKey, fields: RowFields, details: &SessionDetailsRef) -> Row {
        let raw = RawTimes {
            joined_at: details.joined_at,
            left_at: details.left_at,
            duration_in_seconds: details.duration_in_seconds,
        };
        Row {
            key_words: key.words,
            key_kind: key.kind,
            // `ABSENT` is `i64::MIN`, an absurd instant anyway: a row that sends it reads as
            // absent, and is flagged as such below.
            joined_at: encode(details.joined_at),
            left_at: encode(details.left_at),
            seconds: encode_seconds(details.duration_in_seconds),
            user: fields.user,
            kinds: fields.kinds,
            problems: raw.problems(),
        }
    }

    pub(crate) fn key(&self) -> StoredKey {
        StoredKey {
            kind: self.key_kind,
            words: self.key_words,
        }
    }

    pub(crate) fn joined_at(&self) -> Option<Nanos> {
        decode(self.joined_at)
    }

    pub(crate) fn left_at(&self) -> Option<Nanos> {
        decode(self.left_at)
    }

    /// `duration_in_seconds` when the row holds it, or that the store keeps it aside (see
    /// [`SessionStore::duration_in_seconds`]).
    pub(crate) fn held_seconds(&self) -> HeldSeconds {
        match self.seconds {
            NO_SECONDS => HeldSeconds::Held(None),
            SECONDS_ASIDE => HeldSeconds::Aside,
            seconds => HeldSeconds::Held(Some(i64::from(seconds))),
        }
    }

    /// Whether the store keeps this row's `duration_in_seconds` aside.
    pub(crate) fn seconds_aside(&self) -> bool {
        self.seconds == SECONDS_ASIDE
    }

    /// `duration_in_seconds` as far as the figures read it: a value kept aside is beyond
    /// the year they trust at most, and untrusted alike whatever it is (it reads as absent
    /// here; the problems it shows were checked at ingest, on the value itself).
    fn trusted_seconds(&self) -> Option<i64> {
        match self.held_seconds() {
            HeldSeconds::Held(seconds) => seconds,
            HeldSeconds::Aside => None,
        }
    }

    /// No `left_at`: in the call while the session is live, a leave not recorded once ended.
    pub(crate) fn is_open(&self) -> bool {
        self.left_at == ABSENT
    }

    /// The problems visible in the row alone, checked at ingest.
    pub(crate) fn stored_problems(&self) -> Problems {
        self.problems
    }

    /// The join and leave the window may fall back on: plausible, in order.
    pub(crate) fn trusted_bounds(&self) -> (Option<Nanos>, Option<Nanos>) {
        self.raw().trusted_bounds()
    }

    /// The times as the figures read them (see [`Row::trusted_seconds`]); the problems are
    /// the stored ones, never derived from this.
    fn raw(&self) -> RawTimes {
        RawTimes {
            joined_at: self.joined_at(),
            left_at: self.left_at(),
            duration_in_seconds: self.trusted_seconds(),
        }
    }

    /// How the row counts in every figure, with all of its problems.
    pub(crate) fn counted(&self, ctx: &RowContext) -> Counted {
        Counted::of(self.raw(), self.problems, ctx)
    }
}

/// The duration shown, exported and filtered on (`dur>5m`) for a row: the API's
/// `duration_in_seconds` exactly as sent, whatever it says; for a session still open in a live
/// call, whole seconds since it joined (none when its join is no clock reading, which would
/// otherwise show as 106,751 days); otherwise none.
pub(crate) fn shown_duration(
    duration_in_seconds: Option<i64>,
    joined_at: Option<Nanos>,
    open: bool,
    ctx: &RowContext,
) -> Option<i64> {
    match (duration_in_seconds, joined_at) {
        (Some(seconds), _) => Some(seconds),
        (None, Some(joined)) if open && ctx.live => plausible_instant(Some(joined))
            .map(|joined| ctx.now.saturating_sub(joined).max(0) / NANOS_PER_SEC),
        _ => None,
    }
}

/// A borrowed view of one stored session. Every accessor is a field read or an interner
/// lookup, cheap enough to call per row per frame.
#[derive(Clone, Copy)]
pub struct SessionRef<'a> {
    store: &'a SessionStore,
    id: RowId,
    row: &'a Row,
}

impl<'a> SessionRef<'a> {
    pub(crate) fn new(store: &'a SessionStore, id: RowId, row: &'a Row) -> Self {
        SessionRef { store, id, row }
    }

    pub(crate) fn store(&self) -> &'a SessionStore {
        self.store
    }

    pub(crate) fn user(&self) -> UserId {
        UserId(self.row.user)
    }

    pub(crate) fn user_id(&self) -> &'a str {
        self.store.user_name(self.user())
    }

    pub fn user_session_id(&self) -> SessionIdText<'a> {
        self.store.session_id_text(self.row)
    }

    pub(crate) fn publisher(&self) -> PublisherId {
        PublisherId(self.store.row_kinds(self.row).publisher)
    }

    pub(crate) fn publisher_type(&self) -> &'a str {
        self.store.publisher_name(self.publisher())
    }

    pub(crate) fn role_set(&self) -> RoleSetId {
        RoleSetId(self.store.row_kinds(self.row).role_set)
    }

    pub(crate) fn role_ids(&self) -> impl ExactSizeIterator<Item = RoleId> + Clone + 'a {
        self.store.role_set_members(self.role_set())
    }

    /// Role names in the order the API listed them (duplicates dropped).
    pub(crate) fn roles(&self) -> impl ExactSizeIterator<Item = &'a str> + Clone + 'a {
        let store = self.store;
        self.role_ids().map(move |role| store.role_name(role))
    }

    pub fn joined_at(&self) -> Option<Nanos> {
        self.row.joined_at()
    }

    pub(crate) fn left_at(&self) -> Option<Nanos> {
        self.row.left_at()
    }

    /// `duration_in_seconds` exactly as the API sent it.
    pub(crate) fn duration_in_seconds(&self) -> Option<i64> {
        self.store.duration_in_seconds(self.id, self.row)
    }

    /// The session has no `left_at`: the user is still in the call, or (once the session
    /// ended) the leave was never recorded.
    /// `joined_at` and `left_at` as the figures use them: a value flagged and ignored (not a
    /// clock reading, or a leave before the join) is `None`.
    pub(crate) fn trusted_bounds(&self) -> (Option<Nanos>, Option<Nanos>) {
        self.row.trusted_bounds()
    }

    pub(crate) fn is_open(&self) -> bool {
        self.row.is_open()
    }

    /// The duration shown for the row: the API's `duration_in_seconds` as sent, or for a
    /// session open in a live call the whole seconds since it joined.
    pub(crate) fn shown_duration(&self, ctx: &RowContext) -> Option<i64> {
        shown_duration(
            self.duration_in_seconds(),
            self.joined_at(),
            self.is_open(),
            ctx,
        )
    }

    /// How the row counts in the figures, and its problems.
    pub(crate) fn counted(&self, ctx: &RowContext) -> Counted {
        self.row.counted(ctx)
    }

    /// The row as the API sent it (an owned copy: to store it again, and to compare stores).
    pub fn to_details(self) -> crate::api::models::ParticipantSessionDetails {
        crate::api::models::ParticipantSessionDetails {
            user_id: self.user_id().to_owned(),
            user_session_id: self.user_session_id().to_string(),
            publisher_type: self.publisher_type().to_owned(),
            roles: self.roles().map(str::to_owned).collect(),
            joined_at: self.joined_at(),
            left_at: self.left_at(),
            duration_in_seconds: self.duration_in_seconds(),
        }
    }
}

impl std::fmt::Debug for SessionRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRef")
            .field("id", &self.id)
            .field("user_id", &self.user_id())
            .field("user_session_id", &self.user_session_id())
            .field("publisher_type", &self.publisher_type())
            .field("roles", &self.roles().collect::<Vec<_>>())
            .field("joined_at", &self.joined_at())
            .field("left_at", &self.left_at())
            .field("duration_in_seconds", &self.duration_in_seconds())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_takes_48_bytes() {
        assert_eq!(size_of::<Row>(), 48);
    }

    #[test]
    fn a_duration_is_held_in_the_row_unless_it_does_not_fit() {
        for held in [
            None,
            Some(0),
            Some(-600),
            Some(i64::from(i32::MAX)),
            Some(-(1 << 31) + 2),
        ] {
            assert_eq!(encode_seconds(held), held.map_or(NO_SECONDS, |s| s as i32));
        }
        for aside in [i64::MIN, i64::MAX, 1 << 31, -(1 << 31), -(1 << 31) + 1] {
            assert_eq!(encode_seconds(Some(aside)), SECONDS_ASIDE, "{aside}");
        }
    }
}
