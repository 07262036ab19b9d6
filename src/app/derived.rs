//! Everything the views read that is computed from the store: the rows matching the filter,
//! the figures, the sorted tables and each user's rows.
//!
//! Computed in `update`, never in `draw`, and only when the data, the filter or the sort
//! changed, so a frame costs the same with ten rows or a million.

use crate::api::timestamp::Nanos;
use crate::attendance::{
    Figures, NameRanks, Order, RowId, SessionColumn, SessionStore, Thresholds, UserColumn, UserId,
    UserRows, keep_local_matches, sort_sessions, sorted_user_ids,
};
use crate::filter::Filter;

/// What decides the order of every stored row in the session table: the data, the sort, and
/// the clock when open sessions make durations move.
type OrderKey = (u64, (SessionColumn, Order), Option<Nanos>);

/// Every stored row in the session table's order. Sorting a million rows costs far more than
/// filtering them, and editing the filter changes neither the data nor the sort: the order is
/// kept, and each filter only picks its rows from it.
#[derive(Debug, Clone, Default)]
struct SessionOrder {
    key: Option<OrderKey>,
    rows: Vec<RowId>,
}

/// What the filtered rows were computed from: the store's generation and the revision of the
/// filter's local part (the server applied the rest before the rows were stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowsKey {
    pub(crate) store: u64,
    pub(crate) local_filter: u64,
}

/// The filtered rows and what is computed from them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Derived {
    pub(crate) filtered: Vec<RowId>,
    pub(crate) figures: Option<Figures>,
    pub(crate) user_rows: UserRows,
    /// What `filtered` was computed from; `None` before the first computation.
    pub(crate) rows_key: Option<RowsKey>,
    pub(crate) computed_at: Option<Nanos>,
    order: SessionOrder,
    /// The users' name order, with the `users_generation` of the store it ranks.
    names: Option<(u64, NameRanks)>,
}

impl Derived {
    /// Applies the filter's local part to every stored row (the server applied its part);
    /// `key` says what they are computed from.
    pub(crate) fn filter(
        &mut self,
        store: &SessionStore,
        filter: &Filter,
        key: RowsKey,
        now: Nanos,
    ) {
        self.filtered = if filter.local.is_some() {
            keep_local_matches(store, store.row_ids(), filter, now)
        } else {
            store.row_ids().collect()
        };
        self.rows_key = Some(key);
        self.computed_at = Some(now);
    }

    /// The figures and each user's rows, for the filtered rows.
    pub(crate) fn compute_figures(
        &mut self,
        store: &SessionStore,
        now: Nanos,
        thresholds: &Thresholds,
    ) {
        // The old figures go first: holding both at a million users doubles the peak.
        self.figures = None;
        self.user_rows = UserRows::group(store, &self.filtered);
        self.figures = Some(Figures::compute(store, &self.filtered, now, thresholds));
        self.computed_at = Some(now);
    }

    /// The filtered rows in the session table's order.
    pub(crate) fn sorted_sessions(
        &mut self,
        store: &SessionStore,
        sort: (SessionColumn, Order),
        now: Nanos,
    ) -> Vec<RowId> {
        let moving = store.open_rows() > 0;
        let key = (store.generation(), sort, moving.then_some(now));
        if self.order.key != Some(key) {
            let mut rows: Vec<RowId> = store.row_ids().collect();
            sort_sessions(store, &mut rows, sort.0, sort.1, now);
            self.order = SessionOrder {
                key: Some(key),
                rows,
            };
        }
        if self.filtered.len() == store.len() {
            return self.order.rows.clone();
        }
        let mut kept = vec![false; store.len()];
        for id in &self.filtered {
            kept[id.0 as usize] = true;
        }
        self.order
            .rows
            .iter()
            .copied()
            .filter(|id| kept[id.0 as usize])
            .collect()
    }

    /// The users of the filter in the users table's order. The table holds ids, not a copy
    /// of every user's figures: at a million users that copy would be most of the memory.
    pub(crate) fn sorted_users(
        &mut self,
        store: &SessionStore,
        sort: (UserColumn, Order),
    ) -> Vec<UserId> {
        let Some(figures) = &self.figures else {
            return Vec::new();
        };
        let users = store.users_generation();
        let names = match &self.names {
            Some((ranked, names)) if *ranked == users => names,
            _ => &self.names.insert((users, NameRanks::of_users(store))).1,
        };
        sorted_user_ids(names, &figures.users, sort.0, sort.1)
    }
}
