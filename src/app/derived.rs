//! Everything the views read that is computed from the store: the rows matching the filter,
//! the figures, the sorted tables and each user's rows.
//!
//! Computed in `update`, never in `draw`, and only when the data, the filter or the sort
//! changed, so a frame costs the same with ten rows or a million.

use crate::api::timestamp::Nanos;
use crate::attendance::{
    Figures, Order, RowId, SessionColumn, SessionStore, Thresholds, UserColumn, UserFigures,
    UserId, keep_local_matches, sort_sessions, sort_users,
};
use crate::filter::{Filter, Predicate};

/// The rows of the filter, grouped by user (offsets indexed by `UserId`).
#[derive(Debug, Clone, Default)]
pub struct UserRows {
    offsets: Vec<u32>,
    rows: Vec<RowId>,
}

impl UserRows {
    fn group(store: &SessionStore, rows: &[RowId]) -> UserRows {
        let users = store.user_count();
        let mut offsets = vec![0u32; users + 1];
        let owners: Vec<usize> = rows
            .iter()
            .map(|&id| store.get(id).map_or(0, |row| row.user().index()))
            .collect();
        for &user in &owners {
            offsets[user + 1] += 1;
        }
        for user in 0..users {
            offsets[user + 1] += offsets[user];
        }
        let mut next = offsets.clone();
        let mut grouped = vec![RowId(0); rows.len()];
        for (&id, &user) in rows.iter().zip(&owners) {
            grouped[next[user] as usize] = id;
            next[user] += 1;
        }
        UserRows {
            offsets,
            rows: grouped,
        }
    }

    /// The user's matching rows, by row id.
    pub fn of(&self, user: UserId) -> &[RowId] {
        match (
            self.offsets.get(user.index()),
            self.offsets.get(user.index() + 1),
        ) {
            (Some(&from), Some(&to)) => &self.rows[from as usize..to as usize],
            _ => &[],
        }
    }
}

/// The filtered rows and what is computed from them.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub filtered: Vec<RowId>,
    pub figures: Option<Figures>,
    pub user_rows: UserRows,
    /// The store generation the rows were computed from.
    pub store_generation: Option<u64>,
    pub computed_at: Option<Nanos>,
    /// The local filter the rows were computed with.
    pub local: Option<Predicate>,
}

impl Derived {
    /// Applies the filter's local part to every stored row (the server applied its part).
    pub fn filter(&mut self, store: &SessionStore, filter: &Filter, now: Nanos) {
        self.filtered = if filter.local.is_some() {
            keep_local_matches(store, store.row_ids(), filter, now)
        } else {
            store.row_ids().collect()
        };
        self.user_rows = UserRows::group(store, &self.filtered);
        self.store_generation = Some(store.generation());
        self.computed_at = Some(now);
        self.local = filter.local.clone();
    }

    pub fn compute_figures(&mut self, store: &SessionStore, now: Nanos, thresholds: &Thresholds) {
        self.figures = Some(Figures::compute(store, &self.filtered, now, thresholds));
    }

    pub fn sorted_sessions(
        &self,
        store: &SessionStore,
        sort: (SessionColumn, Order),
        now: Nanos,
    ) -> Vec<RowId> {
        let mut rows = self.filtered.clone();
        sort_sessions(store, &mut rows, sort.0, sort.1, now);
        rows
    }

    pub fn sorted_users(
        &self,
        store: &SessionStore,
        sort: (UserColumn, Order),
    ) -> Vec<UserFigures> {
        let mut users = self
            .figures
            .as_ref()
            .map(|figures| figures.users.clone())
            .unwrap_or_default();
        sort_users(store, &mut users, sort.0, sort.1);
        users
    }
}
