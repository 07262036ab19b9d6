//! Every user id, role and publisher type a call session has shown, kept across its reads: a
//! server filter narrows the store to the rows it matches, and a search that then finds
//! nobody should still be able to say which ids exist.

use std::collections::BTreeSet;

use super::row::{PublisherId, RoleId, UserId};
use super::store::SessionStore;

/// The names seen in one call session, in text order. `Seen::learn` copies what a store
/// interned since the last call (its interners only grow until `SessionStore::clear`, after
/// which `Seen::store_cleared` starts over from their first entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    users: BTreeSet<Box<str>>,
    roles: BTreeSet<Box<str>>,
    publishers: BTreeSet<Box<str>>,
    /// How many of the store's users, roles and publisher types are copied already.
    copied: (usize, usize, usize),
}

impl Seen {
    /// Copies the names `store` interned since the last call.
    pub(crate) fn learn(&mut self, store: &SessionStore) {
        let (users, roles, publishers) = self.copied;
        for id in users..store.user_count() {
            self.users.insert(store.user_name(UserId(id as u32)).into());
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

    /// The store was cleared for a new read of the same session: its names start again.
    pub(crate) fn store_cleared(&mut self) {
        self.copied = (0, 0, 0);
    }

    pub(crate) fn users(&self) -> impl Iterator<Item = &str> {
        self.users.iter().map(|id| &**id)
    }

    pub(crate) fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|id| &**id)
    }

    pub(crate) fn publishers(&self) -> impl Iterator<Item = &str> {
        self.publishers.iter().map(|id| &**id)
    }

    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
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
        store.clear();
        seen.store_cleared();
        let narrower = ended_call(vec![closed("carol", "c", 0, 1)]);
        seen.learn(&narrower);
        seen.learn(&narrower);
        assert_eq!(seen.users().collect::<Vec<_>>(), ["alice", "bob", "carol"]);
        assert_eq!(seen.user_count(), 3);
        assert!(seen.publishers().count() >= 1);
    }
}
