//! The Sessions view: every matching participant session, one row each, in the chosen sort.

use crate::api::timestamp::Nanos;
use crate::attendance::{
    FilterableRow, Order, RowId, SESSION_COLUMNS, SessionColumn, SessionStore, UserId,
    session_headers, session_record,
};

use super::{Data, ViewRecords};
use crate::app::derived::{Derived, SortedKey};
use crate::app::item_list::ItemList;
use crate::app::keymap::{Action, Context};

pub(super) const TITLE: &str = "Sessions";
pub(super) const CONTEXTS: &[Context] = &[Context::Sessions, Context::List, Context::Global];

/// The session table and its sort.
#[derive(Debug, Clone)]
pub(crate) struct SessionsView {
    pub(crate) list: ItemList<RowId>,
    pub(crate) sort: (SessionColumn, Order),
    /// What the list was derived from.
    derived_from: Option<SortedKey>,
}

impl Default for SessionsView {
    fn default() -> Self {
        SessionsView {
            list: ItemList::default(),
            sort: (SessionColumn::Joined, Order::Ascending),
            derived_from: None,
        }
    }
}

impl SessionsView {
    /// The rows of the filter in the table's order.
    pub(crate) fn refresh(&mut self, derived: &mut Derived, store: &SessionStore, now: Nanos) {
        let shown = self.derived_from;
        if let Some((key, rows)) = derived.sorted_sessions(store, self.sort, now, shown) {
            self.list.set_shared(rows);
            self.derived_from = Some(key);
        }
    }

    /// A column's sort key sorts by it, or the other way round when it sorts already.
    pub(crate) fn act(
        &mut self,
        action: Action,
        derived: &mut Derived,
        store: &SessionStore,
        now: Nanos,
    ) {
        if let Action::SortSessions(column) = action {
            self.sort = super::toggled(&SESSION_COLUMNS, self.sort, column);
            self.list.follow_selected();
            self.refresh(derived, store, now);
        }
    }

    /// The user of the selected session, for Enter.
    pub(crate) fn selected_user(&self, store: &SessionStore) -> Option<UserId> {
        let row = store.get(*self.list.selected()?)?;
        Some(row.user())
    }

    /// `y`: the selected session's id.
    pub(crate) fn copy_text(&self, store: &SessionStore) -> Option<String> {
        let row = store.get(*self.list.selected()?)?;
        Some(row.user_session_id().as_str().to_owned())
    }

    /// The rows on screen and the rows stored.
    pub(crate) fn counts(&self, store: &SessionStore) -> (usize, usize) {
        (self.list.len(), store.len())
    }

    /// Every row of the table as CSV, in its order.
    pub(crate) fn records(&self, data: &Data<'_>) -> ViewRecords {
        let mut records = ViewRecords::new(session_headers());
        for row in self
            .list
            .items()
            .iter()
            .filter_map(|&id| data.store.get(id))
        {
            let problems = row.counted(&row.store().row_context(data.now)).problems;
            let record = session_record(data.zone, &FilterableRow::new(row), problems, data.now);
            records.push(record);
        }
        records
    }
}
