//! Sorting the session table and the users table by any column (each column's key is declared
//! with the column, in `columns.rs`).
//!
//! Every sort computes one integer key per entry up front (names become ranks in name order),
//! so a million rows are sorted by comparing integers, never by re-reading strings. Missing
//! values go last in both directions, and ties keep a fixed order (row id, or user name), so
//! rows do not jump around when the same sort is applied again as data streams in.

use crate::api::timestamp::Nanos;

use super::columns::{
    SESSION_COLUMNS, SessionColumn, SessionKey, USER_COLUMNS, UserColumn, UserKey, sorted_by,
};
use super::row::{PublisherId, RoleId, RowId, SessionRef, UserId};
use super::store::SessionStore;
use super::users::UserFigures;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Order {
    #[default]
    Ascending,
    Descending,
}

/// An order-preserving key: missing values after all others, and descending order by
/// complementing the value, not the missing flag.
fn sort_key(value: Option<u64>, order: Order) -> (bool, u64) {
    match value {
        None => (true, 0),
        Some(value) => (false, ordered(value, order)),
    }
}

/// A present value as it sorts in `order`.
fn ordered(value: u64, order: Order) -> u64 {
    match order {
        Order::Ascending => value,
        Order::Descending => !value,
    }
}

/// Sorts row ids of the session table by `column`; ties by row id.
pub fn sort_sessions(
    store: &SessionStore,
    rows: &mut [RowId],
    column: SessionColumn,
    order: Order,
    now: Nanos,
) {
    match sorted_by(&SESSION_COLUMNS, column)
        .sort
        .expect("sortable")
        .by
    {
        SessionKey::SessionIdText => sort_by_session_id(store, rows, order),
        SessionKey::UserName => {
            let ranks = user_ranks(store);
            sort_rows_by(store, rows, order, &|row| {
                Some(u64::from(ranks[row.user().index()]))
            });
        }
        SessionKey::Publisher => {
            let name = |id| store.publisher_name(PublisherId(id));
            let ranks = ranks_by(store.publisher_count(), |a, b| name(a).cmp(name(b)));
            sort_rows_by(store, rows, order, &|row| {
                Some(u64::from(ranks[row.publisher().0 as usize]))
            });
        }
        SessionKey::RoleSet => {
            let names = |set| {
                let roles = store.role_set_roles(set).iter();
                roles.map(|&role| store.role_name(RoleId(role)))
            };
            let ranks = ranks_by(store.role_set_count(), |a, b| names(a).cmp(names(b)));
            sort_rows_by(store, rows, order, &|row| {
                Some(u64::from(ranks[row.role_set().0 as usize]))
            });
        }
        SessionKey::Value(key) => {
            let ctx = store.row_context(now);
            sort_rows_by(store, rows, order, &|row| key(row, &ctx));
        }
    }
}

fn sort_rows_by(
    store: &SessionStore,
    rows: &mut [RowId],
    order: Order,
    key: &dyn Fn(&SessionRef) -> Option<u64>,
) {
    // Keys are read in row order, so that the rows are visited sequentially rather than at
    // random; the result does not depend on the input order.
    rows.sort_unstable();
    // The rows with a value are sorted as 16-byte (value, row) pairs, and those without follow
    // them in row order: a missing flag beside each value would take 24 bytes a row, 8 MB
    // more at a million rows while the table is sorted again.
    let mut keyed: Vec<(u64, RowId)> = Vec::with_capacity(rows.len());
    let mut missing = Vec::new();
    for &id in rows.iter() {
        let row = SessionRef::new(store, id, store.row(id));
        match key(&row) {
            Some(value) => keyed.push((ordered(value, order), id)),
            None => missing.push(id),
        }
    }
    keyed.sort_unstable();
    let sorted = keyed.into_iter().map(|(_, id)| id).chain(missing);
    for (slot, id) in rows.iter_mut().zip(sorted) {
        *slot = id;
    }
}

/// Sorts by the id text: first by its leading 16 bytes as an integer, then, within the rare
/// runs sharing those, by the whole text.
fn sort_by_session_id(store: &SessionStore, rows: &mut [RowId], order: Order) {
    let text = |id: RowId| store.session_id_text(store.row(id));
    rows.sort_unstable();
    let mut keyed: Vec<(u128, RowId)> = rows
        .iter()
        .map(|&id| (leading_bytes(&text(id), order), id))
        .collect();
    keyed.sort_unstable();
    for run in keyed
        .chunk_by_mut(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        run.sort_by(|a, b| {
            let by_text = text(a.1).cmp(&text(b.1));
            match order {
                Order::Ascending => by_text,
                Order::Descending => by_text.reverse(),
            }
            .then(a.1.cmp(&b.1))
        });
    }
    for (slot, (_, id)) in rows.iter_mut().zip(keyed) {
        *slot = id;
    }
}

fn leading_bytes(text: &str, order: Order) -> u128 {
    let mut bytes = [0u8; 16];
    let len = text.len().min(16);
    bytes[..len].copy_from_slice(&text.as_bytes()[..len]);
    let value = u128::from_be_bytes(bytes);
    match order {
        Order::Ascending => value,
        Order::Descending => !value,
    }
}

/// `ranks[i]` is the position of item `i` when all items are sorted with `compare`.
fn ranks_by(count: usize, compare: impl Fn(u32, u32) -> std::cmp::Ordering) -> Vec<u32> {
    let mut sorted: Vec<u32> = (0..count as u32).collect();
    sorted.sort_unstable_by(|&a, &b| compare(a, b).then(a.cmp(&b)));
    ranks_in(sorted.into_iter())
}

/// `ranks[i]` is the position of item `i` in `sorted`, which lists every item once.
fn ranks_in(sorted: impl ExactSizeIterator<Item = u32>) -> Vec<u32> {
    let mut ranks = vec![0; sorted.len()];
    for (rank, item) in sorted.enumerate() {
        ranks[item as usize] = rank as u32;
    }
    ranks
}

/// Sorting each name's place in the text of all names, next to its id, spares every
/// comparison two lookups in the interner: twice as fast at a million users. The place is
/// two `u32` ends (12 bytes with the id) rather than a `&str` (24): 10 MB instead of 19 at
/// 807,000 users, held beside everything else when the users table is sorted at the end of
/// a load.
fn user_ranks(store: &SessionStore) -> Vec<u32> {
    let text = store.user_names_text();
    let mut names: Vec<(u32, u32, u32)> = (0..store.user_count() as u32)
        .map(|user| {
            let name = store.user_name(UserId(user));
            let start = name.as_ptr() as usize - text.as_ptr() as usize;
            (start as u32, (start + name.len()) as u32, user)
        })
        .collect();
    let bytes = text.as_bytes();
    let name = |&(start, end, _): &(u32, u32, u32)| &bytes[start as usize..end as usize];
    names.sort_unstable_by(|a, b| name(a).cmp(name(b)).then(a.2.cmp(&b.2)));
    ranks_in(names.into_iter().map(|(_, _, user)| user))
}

/// Every user's place in name order. Ranking is a string sort of all user ids (a quarter of a
/// second at a million users), and it holds as long as the store's users do, so callers that
/// sort often keep it (see [`SessionStore::users_generation`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NameRanks {
    ranks: Vec<u32>,
}

impl NameRanks {
    pub(crate) fn of_users(store: &SessionStore) -> NameRanks {
        NameRanks {
            ranks: user_ranks(store),
        }
    }
}

/// Sorts the users table by `column`; ties by user name.
pub fn sort_users(
    store: &SessionStore,
    users: &mut [UserFigures],
    column: UserColumn,
    order: Order,
) {
    let ranks = user_ranks(store);
    let key = user_key_of(column);
    users.sort_by_cached_key(|user| user_key(user, &ranks, key, order));
}

/// The users' ids in the order [`sort_users`] would put them, without copying their figures
/// (at a million users, a copy would be most of the dashboard's memory). `names` must rank
/// the users of the store the figures come from.
pub(crate) fn sorted_user_ids(
    names: &NameRanks,
    users: &[UserFigures],
    column: UserColumn,
    order: Order,
) -> Vec<UserId> {
    let ranks = &names.ranks;
    let key = user_key_of(column);
    // Each user with a value sorts as (value, name rank, position), 16 bytes, and those
    // without one follow by name rank: a key with its missing flag and an index beside it
    // took 32 bytes a user (26 MB at 807,000 users, the highest memory of a load). Ranks are
    // unique, so the order is total and an unstable sort gives it.
    let mut keyed: Vec<(u64, u32, u32)> = Vec::with_capacity(users.len());
    let mut missing: Vec<(u32, u32)> = Vec::new();
    for (position, user) in users.iter().enumerate() {
        let rank = ranks[user.user.index()];
        match key(user, ranks) {
            Some(value) => keyed.push((ordered(value, order), rank, position as u32)),
            None => missing.push((rank, position as u32)),
        }
    }
    keyed.sort_unstable();
    missing.sort_unstable();
    let positions = keyed
        .into_iter()
        .map(|(_, _, position)| position)
        .chain(missing.into_iter().map(|(_, position)| position));
    positions.map(|i| users[i as usize].user).collect()
}

fn user_key_of(column: UserColumn) -> UserKey {
    sorted_by(&USER_COLUMNS, column).sort.expect("sortable").by
}

/// The sort key of one user: the column's value, then the name's rank.
fn user_key(user: &UserFigures, ranks: &[u32], key: UserKey, order: Order) -> ((bool, u64), u32) {
    (sort_key(key(user, ranks), order), ranks[user.user.index()])
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        MIN, SEC, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::super::thresholds::Thresholds;
    use super::super::users::user_figures;
    use super::*;

    fn store() -> SessionStore {
        let mut carol = closed("carol", "c-2", 20 * MIN, 50 * MIN);
        carol.roles = vec!["admin".into()];
        carol.publisher_type = "rtmp".into();
        let mut untimed = closed("bob", "b-1", 0, 5 * MIN);
        untimed.joined_at = None;
        // A live call, so that alice's open session is in the call and counts up to now.
        store_of(page(
            Some(session(Some(0), None)),
            vec![
                closed("dave", "d-9", 10 * MIN, 15 * MIN),
                carol,
                open("alice", "a-5", 5 * MIN),
                untimed,
                closed("alice", "a-1", 0, 15 * MIN),
            ],
        ))
    }

    fn sorted(store: &SessionStore, column: SessionColumn, order: Order) -> Vec<String> {
        let mut rows = all_rows(store);
        sort_sessions(store, &mut rows, column, order, T0 + 60 * MIN);
        rows.iter()
            .map(|&id| store.get(id).unwrap().user_session_id().to_string())
            .collect()
    }

    #[test]
    fn sessions_sort_by_every_column_with_ties_in_arrival_order() {
        let store = store();
        let by = |column, order| sorted(&store, column, order);
        use Order::{Ascending as Up, Descending as Down};
        assert_eq!(
            by(SessionColumn::User, Up),
            ["a-5", "a-1", "b-1", "c-2", "d-9"]
        );
        assert_eq!(
            by(SessionColumn::User, Down),
            ["d-9", "c-2", "b-1", "a-5", "a-1"]
        );
        assert_eq!(
            by(SessionColumn::UserSession, Up),
            ["a-1", "a-5", "b-1", "c-2", "d-9"]
        );
        assert_eq!(
            by(SessionColumn::UserSession, Down),
            ["d-9", "c-2", "b-1", "a-5", "a-1"]
        );
        assert_eq!(
            by(SessionColumn::Joined, Up),
            ["a-1", "a-5", "d-9", "c-2", "b-1"]
        );
        assert_eq!(
            by(SessionColumn::Joined, Down),
            ["c-2", "d-9", "a-5", "a-1", "b-1"]
        );
        assert_eq!(
            by(SessionColumn::Left, Up),
            ["b-1", "d-9", "a-1", "c-2", "a-5"]
        );
        assert_eq!(
            by(SessionColumn::Left, Down),
            ["a-5", "c-2", "d-9", "a-1", "b-1"]
        );
        assert_eq!(
            by(SessionColumn::Duration, Down),
            ["a-5", "c-2", "a-1", "d-9", "b-1"]
        );
        assert_eq!(
            by(SessionColumn::Publisher, Up),
            ["c-2", "d-9", "a-5", "b-1", "a-1"]
        );
        assert_eq!(
            by(SessionColumn::Roles, Down),
            ["d-9", "a-5", "b-1", "a-1", "c-2"]
        );
    }

    #[test]
    fn long_session_ids_sharing_a_prefix_sort_by_their_whole_text() {
        let prefix = "shared-prefix-0123456789";
        let store = ended_call(vec![
            closed("a", &format!("{prefix}-b"), 0, SEC),
            closed("a", &format!("{prefix}-a"), 0, SEC),
            closed("a", &format!("{prefix}-c"), 0, SEC),
        ]);
        let up = sorted(&store, SessionColumn::UserSession, Order::Ascending);
        assert_eq!(
            up,
            [
                format!("{prefix}-a"),
                format!("{prefix}-b"),
                format!("{prefix}-c")
            ]
        );
        let down = sorted(&store, SessionColumn::UserSession, Order::Descending);
        assert_eq!(
            down,
            [
                format!("{prefix}-c"),
                format!("{prefix}-b"),
                format!("{prefix}-a")
            ]
        );
    }

    /// Names are ranked by their bytes, as `str` orders them: prefixes first, capitals
    /// before small letters, accented letters after both.
    #[test]
    fn users_are_ranked_in_the_order_of_their_names() {
        let names = [
            "bobby", "zoë", "bob", "Zed", "alice", "zoe", "b", "élodie", "bo b",
        ];
        let rows = names
            .iter()
            .enumerate()
            .map(|(i, name)| closed(name, &format!("s-{i}"), 0, MIN))
            .collect();
        let store = ended_call(rows);
        let ranks = user_ranks(&store);
        let mut by_rank: Vec<(u32, &str)> = (0..store.user_count() as u32)
            .map(|user| (ranks[user as usize], store.user_name(UserId(user))))
            .collect();
        by_rank.sort_unstable();
        let ranked: Vec<&str> = by_rank.into_iter().map(|(_, name)| name).collect();
        let mut expected = names.to_vec();
        expected.sort_unstable();
        assert_eq!(ranked, expected);
    }

    #[test]
    fn sorted_ids_follow_the_order_of_the_sorted_figures() {
        let store = store();
        let figures = user_figures(
            &store,
            &all_rows(&store),
            T0 + 60 * MIN,
            &Thresholds::default(),
        );
        for column in USER_COLUMNS
            .iter()
            .filter_map(|c| c.sort.map(|sort| sort.id))
        {
            for order in [Order::Ascending, Order::Descending] {
                let mut users = figures.clone();
                sort_users(&store, &mut users, column, order);
                let expected: Vec<UserId> = users.iter().map(|u| u.user).collect();
                assert_eq!(
                    sorted_user_ids(&NameRanks::of_users(&store), &figures, column, order),
                    expected
                );
            }
        }
    }

    #[test]
    fn users_sort_by_every_column_with_ties_by_name() {
        let store = store();
        let figures = user_figures(
            &store,
            &all_rows(&store),
            T0 + 60 * MIN,
            &Thresholds::default(),
        );
        let by = |column, order| {
            let mut users = figures.clone();
            sort_users(&store, &mut users, column, order);
            users
                .iter()
                .map(|u| store.user_name(u.user).to_owned())
                .collect::<Vec<_>>()
        };
        use Order::{Ascending as Up, Descending as Down};
        assert_eq!(
            by(UserColumn::User, Down),
            ["dave", "carol", "bob", "alice"]
        );
        assert_eq!(
            by(UserColumn::Attended, Down),
            ["alice", "carol", "dave", "bob"]
        );
        assert_eq!(
            by(UserColumn::Connected, Up),
            ["bob", "dave", "carol", "alice"]
        );
        assert_eq!(
            by(UserColumn::Sessions, Down),
            ["alice", "bob", "carol", "dave"]
        );
        assert_eq!(
            by(UserColumn::FirstJoin, Down),
            ["carol", "dave", "alice", "bob"]
        );
        assert_eq!(
            by(UserColumn::LastLeave, Down),
            ["alice", "carol", "dave", "bob"]
        );
        assert_eq!(
            by(UserColumn::Attendance, Up),
            ["bob", "dave", "carol", "alice"]
        );
    }
}
