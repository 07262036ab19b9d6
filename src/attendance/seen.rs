//! Every user id, role and publisher type a call session has shown, kept across its reads: a
//! server filter narrows the store to the rows it matches, and a search that then finds
//! nobody should still be able to say which ids exist.

use std::collections::BTreeSet;

use super::row::{PublisherId, RoleId, UserId};
use super::store::SessionStore;

/// The names seen in one call session. The current store's user ids are read from its
/// interner, never copied (at a million users a copy was tens of megabytes); only the ids of
/// a store cleared since, that the current one has not shown, are kept here. Roles and
/// publisher types are few and copied. `Seen::learn` takes what a store interned since the
/// last call (its interners only grow until `SessionStore::clear`, before which
/// `Seen::store_cleared` keeps its user ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    earlier_users: BTreeSet<Box<str>>,
    roles: BTreeSet<Box<str>>,
    publishers: BTreeSet<Box<str>>,
    /// How many of the store's users, roles and publisher types are learnt already.
    copied: (usize, usize, usize),
}

impl Seen {
    /// Learns the names `store` interned since the last call.
    pub(crate) fn learn(&mut self, store: &SessionStore) {
        let (users, roles, publishers) = self.copied;
        if !self.earlier_users.is_empty() {
            for id in users..store.user_count() {
                self.earlier_users
                    .remove(store.user_name(UserId(id as u32)));
            }
        }
        for id in roles..store.role_count() {
            self.roles.insert(store.role_name(RoleId(id as u32)).into());
        }
        for id in publishers..store.publisher_count() {
            self.publishers
                .insert(store.publisher_name(PublisherId(id as u32)).into());
        }
        self.copied = (
            store.user_count(),
            store.role_count(),
            store.publisher_count(),
        );
    }

    /// `store` is about to be cleared for a new read of the same session (which may be
    /// narrower): its user ids are kept until a store shows them again.
    pub(crate) fn store_cleared(&mut self, store: &SessionStore) {
        for id in 0..self.copied.0.min(store.user_count()) {
            self.earlier_users
                .insert(store.user_name(UserId(id as u32)).into());
        }
        self.copied = (0, 0, 0);
    }

    /// Every user id seen, in text order; `store` is the one [`Seen::learn`] learnt from.
    pub(crate) fn users<'a>(&'a self, store: &'a SessionStore) -> Vec<&'a str> {
        let current =
            (0..self.copied.0.min(store.user_count())).map(|id| store.user_name(UserId(id as u32)));
        let mut users: Vec<&str> = (self.earlier_users.iter().map(|id| &**id))
            .chain(current)
            .collect();
        users.sort_unstable();
        users
    }

    pub(crate) fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|id| &**id)
    }

    pub(crate) fn publishers(&self) -> impl Iterator<Item = &str> {
        self.publishers.iter().map(|id| &**id)
    }

    /// How many user ids were seen: a store's own are never among the earlier ones.
    pub(crate) fn user_count(&self) -> usize {
        self.earlier_users.len() + self.copied.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{closed, ended_call};
    use super::*;

    #[test]
    fn names_are_kept_when_the_store_is_cleared_and_read_again_narrower() {
        let mut seen = Seen::default();
        let mut store = ended_call(vec![closed("alice", "a", 0, 1), closed("bob", "b", 0, 1)]);
        seen.learn(&store);
        seen.store_cleared(&store);
        store.clear();
        let narrower = ended_call(vec![closed("carol", "c", 0, 1)]);
        seen.learn(&narrower);
        seen.learn(&narrower);
        assert_eq!(seen.users(&narrower), ["alice", "bob", "carol"]);
        assert_eq!(seen.user_count(), 3);
        // Read whole again: the ids the store shows again are its own, not kept twice.
        seen.store_cleared(&narrower);
        let whole = ended_call(vec![closed("bob", "b", 0, 1), closed("carol", "c", 0, 1)]);
        seen.learn(&whole);
        assert_eq!(seen.users(&whole), ["alice", "bob", "carol"]);
        assert_eq!(seen.user_count(), 3);
        assert!(seen.publishers().count() >= 1);
    }
}
