//! Sessions and connected time per role and per publisher type.

use crate::api::timestamp::Nanos;

use super::row::{PublisherId, RoleId, RowId};
use super::store::SessionStore;

/// How many of the rows fall under `key`, and their connected time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Share<K> {
    pub(crate) key: K,
    pub(crate) sessions: u64,
    pub(crate) connected_seconds: i64,
}

/// Shares ordered by sessions, most first, then by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Breakdowns {
    /// A session with several roles counts under each; `None` gathers sessions without roles,
    /// so that every session is counted somewhere.
    pub(crate) by_role: Vec<Share<Option<RoleId>>>,
    pub(crate) by_publisher: Vec<Share<PublisherId>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    sessions: u64,
    connected_seconds: i64,
}

impl Sum {
    fn add(&mut self, other: Sum) {
        self.sessions += other.sessions;
        self.connected_seconds = self
            .connected_seconds
            .saturating_add(other.connected_seconds);
    }
}

pub fn breakdowns(store: &SessionStore, rows: &[RowId], now: Nanos) -> Breakdowns {
    let ctx = store.row_context(now);
    let mut per_role_set = vec![Sum::default(); store.role_set_count()];
    let mut per_publisher = vec![Sum::default(); store.publisher_count()];
    for &id in rows {
        let row = store.row(id);
        let sum = Sum {
            sessions: 1,
            connected_seconds: row.counted(&ctx).connected_seconds,
        };
        let kinds = store.row_kinds(row);
        per_role_set[kinds.role_set as usize].add(sum);
        per_publisher[kinds.publisher as usize].add(sum);
    }
    Breakdowns {
        by_role: role_shares(store, &per_role_set),
        by_publisher: publisher_shares(store, &per_publisher),
    }
}

fn role_shares(store: &SessionStore, per_role_set: &[Sum]) -> Vec<Share<Option<RoleId>>> {
    let mut per_role = vec![Sum::default(); store.role_count()];
    let mut without_role = Sum::default();
    for (set, sum) in per_role_set.iter().enumerate() {
        let roles = store.role_set_roles(set as u32);
        if roles.is_empty() {
            without_role.add(*sum);
        }
        for &role in roles {
            per_role[role as usize].add(*sum);
        }
    }
    let mut shares: Vec<_> = per_role
        .iter()
        .enumerate()
        .map(|(role, sum)| share(Some(RoleId(role as u32)), sum))
        .chain(std::iter::once(share(None, &without_role)))
        .filter(|share| share.sessions > 0)
        .collect();
    let name = |key: &Option<RoleId>| key.map_or("", |role| store.role_name(role));
    shares.sort_by(|a, b| {
        b.sessions
            .cmp(&a.sessions)
            .then_with(|| name(&a.key).cmp(name(&b.key)))
    });
    shares
}

fn publisher_shares(store: &SessionStore, per_publisher: &[Sum]) -> Vec<Share<PublisherId>> {
    let mut shares: Vec<_> = per_publisher
        .iter()
        .enumerate()
        .map(|(publisher, sum)| share(PublisherId(publisher as u32), sum))
        .filter(|share| share.sessions > 0)
        .collect();
    let name = |key: PublisherId| store.publisher_name(key);
    shares.sort_by(|a, b| {
        b.sessions
            .cmp(&a.sessions)
            .then_with(|| name(a.key).cmp(name(b.key)))
    });
    shares
}

fn share<K>(key: K, sum: &Sum) -> Share<K> {
    Share {
        key,
        sessions: sum.sessions,
        connected_seconds: sum.connected_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{MIN, T0, all_rows, closed, ended_call};
    use super::*;

    #[test]
    fn a_session_counts_under_each_of_its_roles_and_one_publisher() {
        let mut host = closed("alice", "a", 0, 10 * MIN);
        host.roles = vec!["host".into(), "user".into()];
        let mut stream = closed("bob", "b", 0, 20 * MIN);
        stream.publisher_type = "rtmp".into();
        let mut anonymous = closed("carol", "c", 0, 30 * MIN);
        anonymous.roles = vec![];
        let store = ended_call(vec![host, stream, anonymous]);
        let shares = breakdowns(&store, &all_rows(&store), T0 + 60 * MIN);
        let roles: Vec<_> = shares
            .by_role
            .iter()
            .map(|s| {
                (
                    s.key.map(|r| store.role_name(r)),
                    s.sessions,
                    s.connected_seconds,
                )
            })
            .collect();
        assert_eq!(
            roles,
            [
                (Some("user"), 2, 30 * 60),
                (None, 1, 30 * 60),
                (Some("host"), 1, 10 * 60)
            ]
        );
        let publishers: Vec<_> = shares
            .by_publisher
            .iter()
            .map(|s| (store.publisher_name(s.key), s.sessions, s.connected_seconds))
            .collect();
        assert_eq!(publishers, [("webrtc", 2, 40 * 60), ("rtmp", 1, 20 * 60)]);
    }
}
