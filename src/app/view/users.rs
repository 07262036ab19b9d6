//! The Users view: one row per user of the filter with their figures, in the chosen sort.
//! The timeline view shows the same list as lanes.

use crate::attendance::{
    Order, SessionStore, USER_COLUMNS, UserColumn, UserId, UserLine, user_headers, user_record,
};

use super::{Data, ViewRecords};
use crate::app::derived::Derived;
use crate::app::item_list::ItemList;
use crate::app::keymap::{Action, Context};

pub(super) const TITLE: &str = "Users";
pub(super) const CONTEXTS: &[Context] = &[Context::Users, Context::List, Context::Global];

/// The users table (ids in display order) and its sort.
#[derive(Debug, Clone)]
pub(crate) struct UsersView {
    pub(crate) list: ItemList<UserId>,
    pub(crate) sort: (UserColumn, Order),
}

impl Default for UsersView {
    fn default() -> Self {
        UsersView {
            list: ItemList::default(),
            sort: (UserColumn::User, Order::Ascending),
        }
    }
}

impl UsersView {
    /// The users of the filter in the table's order.
    pub(crate) fn refresh(&mut self, derived: &mut Derived, store: &SessionStore) {
        self.list.set_items(derived.sorted_users(store, self.sort));
    }

    /// A column's sort key sorts by it, or the other way round when it sorts already.
    pub(crate) fn act(&mut self, action: Action, derived: &mut Derived, store: &SessionStore) {
        if let Action::SortUsers(column) = action {
            self.sort = super::toggled(&USER_COLUMNS, self.sort, column);
            self.list.follow_selected();
            self.refresh(derived, store);
        }
    }

    /// The selected user, for Enter.
    pub(crate) fn selected_user(&self) -> Option<UserId> {
        self.list.selected().copied()
    }

    /// `y`: the selected user's id.
    pub(crate) fn copy_text(&self, store: &SessionStore) -> Option<String> {
        Some(store.user_name(*self.list.selected()?).to_owned())
    }

    /// The users on screen and the users stored.
    pub(crate) fn counts(&self, store: &SessionStore) -> (usize, usize) {
        (self.list.len(), store.user_count())
    }

    /// Every user of the table as CSV, in its order.
    pub(crate) fn records(&self, data: &Data<'_>) -> ViewRecords {
        let window = data.store.window(data.now);
        let mut records = ViewRecords::new(user_headers());
        let figures = self
            .list
            .items()
            .iter()
            .filter_map(|&user| data.derived.figures.as_ref()?.user(user));
        for figures in figures {
            let record = user_record(&UserLine {
                figures,
                store: data.store,
                rows: data.derived.user_rows(data.store).of(figures.user),
                zone: data.zone,
                window,
                now: data.now,
            });
            records.push(record);
        }
        records
    }
}
