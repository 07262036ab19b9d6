//! The views: what the body of the screen shows.
//!
//! Each view has one module here (its state, the actions it handles, its list and selection,
//! its export and its title) and one in `ui/view/` (its drawing). This file is the one place
//! that dispatches to them, by [`View`]: the stack of open views, the cursor, Enter, `y`,
//! the export and the counts in the title. Views change only their own state; the app turns
//! what they return into effects.
//!
//! The Users and Timeline views show one list (the users, in the Users table's order): the
//! Timeline view keeps only its time scale, and forwards the rest to the Users view.

mod expected;
mod sessions;
mod timeline;
mod user_detail;
mod users;

use crate::api::timestamp::Nanos;
use crate::attendance::{
    Cell, Column, DisplayZone, Lines, Order, SessionStore, Thresholds, UserId, first_order,
};

use super::derived::Derived;
use super::item_list::{Identified, ItemList, ListWindow};
use super::keymap::{Action, Context};

pub(crate) use expected::{ExpectedView, PersonAt, line_of};
pub(crate) use sessions::SessionsView;
pub(crate) use timeline::TimelineView;
pub(crate) use user_detail::UserDetailView;
pub(crate) use users::UsersView;

/// Which view the body shows; a drill-down names what it was opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Sessions,
    Users,
    Timeline,
    /// Who was expected: every member and every attendee who is not one, with their state.
    Expected,
    /// Every session of one user, with the gaps between them.
    UserDetail(UserId),
    /// A member who never joined (their place in the members read): who they are in the
    /// roster, and that they have no sessions.
    Member(usize),
}

/// The top-level views, in Tab order.
const TOP_LEVEL: [View; 4] = [View::Sessions, View::Users, View::Timeline, View::Expected];

impl View {
    pub(crate) fn title(self) -> &'static str {
        match self {
            View::Sessions => sessions::TITLE,
            View::Users => users::TITLE,
            View::Timeline => timeline::TITLE,
            View::Expected => expected::TITLE,
            View::UserDetail(_) | View::Member(_) => user_detail::TITLE,
        }
    }

    /// The top-level views, for the tab bar.
    pub(crate) fn top_level() -> &'static [View] {
        &TOP_LEVEL
    }

    /// The key contexts of the view, most specific first.
    pub(crate) fn contexts(self) -> &'static [Context] {
        match self {
            View::Sessions => sessions::CONTEXTS,
            View::Users => users::CONTEXTS,
            View::Timeline => timeline::CONTEXTS,
            View::Expected => expected::CONTEXTS,
            View::UserDetail(_) | View::Member(_) => user_detail::CONTEXTS,
        }
    }
}

/// What the views read besides their own state, for exports.
pub(crate) struct Data<'a> {
    pub(crate) store: &'a SessionStore,
    pub(crate) derived: &'a Derived,
    pub(crate) zone: &'a DisplayZone,
    pub(crate) now: Nanos,
}

/// Every view's state and the stack of open views.
#[derive(Debug, Clone)]
pub(crate) struct Views {
    pub(crate) stack: ViewStack,
    pub(crate) sessions: SessionsView,
    pub(crate) users: UsersView,
    pub(crate) timeline: TimelineView,
    pub(crate) expected: ExpectedView,
    pub(crate) detail: UserDetailView,
}

/// A list's cursor and scroll, whatever it lists.
pub(crate) trait Cursor {
    fn move_by(&mut self, delta: isize);
    fn laid_out(&mut self, window: ListWindow);
    fn page_rows(&self) -> Option<usize>;
}

impl<T: Identified> Cursor for ItemList<T> {
    fn move_by(&mut self, delta: isize) {
        ItemList::move_by(self, delta);
    }

    fn laid_out(&mut self, window: ListWindow) {
        ItemList::laid_out(self, window);
    }

    fn page_rows(&self) -> Option<usize> {
        ItemList::page_rows(self)
    }
}

impl Views {
    pub(crate) fn new(now: Nanos) -> Self {
        Views {
            stack: ViewStack::default(),
            sessions: SessionsView::default(),
            users: UsersView::default(),
            timeline: TimelineView::new(now),
            expected: ExpectedView::default(),
            detail: UserDetailView::default(),
        }
    }

    pub(crate) fn current(&self) -> View {
        self.stack.current()
    }

    /// Whether the Expected view's list is shown, or is under a drill-down opened from it:
    /// the list is made only then (the header needs the counts alone).
    pub(crate) fn lists_expected(&self) -> bool {
        self.stack.root() == View::Expected
    }

    /// The list of the current view.
    pub(crate) fn cursor(&self) -> &dyn Cursor {
        match self.current() {
            View::Sessions => &self.sessions.list,
            View::Users | View::Timeline => &self.users.list,
            View::Expected => &self.expected.list,
            View::UserDetail(_) | View::Member(_) => &self.detail.list,
        }
    }

    pub(crate) fn cursor_mut(&mut self) -> &mut dyn Cursor {
        match self.current() {
            View::Sessions => &mut self.sessions.list,
            View::Users | View::Timeline => &mut self.users.list,
            View::Expected => &mut self.expected.list,
            View::UserDetail(_) | View::Member(_) => &mut self.detail.list,
        }
    }

    /// An action of the current view's own (its key context has the bindings).
    pub(crate) fn act(
        &mut self,
        action: Action,
        derived: &mut Derived,
        store: &SessionStore,
        zone: &DisplayZone,
        now: Nanos,
    ) {
        match self.current() {
            View::Sessions => self.sessions.act(action, derived, store, now),
            View::Users => self.users.act(action, derived, store),
            // The Timeline lists the Users view's users: it sorts them with its keys.
            View::Timeline => match action {
                Action::SortUsers(_) => self.users.act(action, derived, store),
                action => self.timeline.act(action),
            },
            View::Expected => self.expected.act(action, derived, store, zone),
            View::UserDetail(_) | View::Member(_) => {}
        }
    }

    /// The rows of the filter changed (data, filter): the views that list rows follow.
    pub(crate) fn refresh_rows(&mut self, derived: &mut Derived, store: &SessionStore, now: Nanos) {
        self.sessions.refresh(derived, store, now);
    }

    /// The figures changed (new rows, or a clock that moved on): the views built on them follow.
    pub(crate) fn refresh_figures(
        &mut self,
        derived: &mut Derived,
        store: &SessionStore,
        thresholds: &Thresholds,
        now: Nanos,
    ) {
        self.users.refresh(derived, store);
        if let View::UserDetail(user) = self.current() {
            self.detail.refresh(user, derived, store, thresholds, now);
        }
        self.timeline.refresh(store, now);
    }

    /// What Enter opens on the current view's selection, if anything.
    pub(crate) fn drill_target(&self, derived: &Derived, store: &SessionStore) -> Option<View> {
        match self.current() {
            View::Sessions => self.sessions.selected_user(store).map(View::UserDetail),
            View::Users | View::Timeline => self.users.selected_user().map(View::UserDetail),
            View::Expected => self.expected.selected_detail(derived, store),
            View::UserDetail(_) | View::Member(_) => None,
        }
    }

    /// Enter: opens the user of the current view's selection on top of it.
    pub(crate) fn drill_down(
        &mut self,
        derived: &Derived,
        store: &SessionStore,
        thresholds: &Thresholds,
        now: Nanos,
    ) {
        let Some(opened) = self.drill_target(derived, store) else {
            return;
        };
        self.stack.push(opened);
        self.detail = UserDetailView::default();
        if let View::UserDetail(user) = opened {
            self.detail.refresh(user, derived, store, thresholds, now);
        }
    }

    /// What `y` copies in the current view.
    pub(crate) fn copy_text(&self, store: &SessionStore, derived: &Derived) -> Option<String> {
        match self.current() {
            View::Sessions => self.sessions.copy_text(store),
            View::Users | View::Timeline => self.users.copy_text(store),
            View::Expected => self.expected.copy_text(derived, store),
            View::UserDetail(_) => self.detail.copy_text(store),
            View::Member(member) => expected::member_id(derived, store, member),
        }
    }

    /// `c`: whose answer card the current view gives: the selected user, or the call's
    /// (`None`) in the sessions, which are no one's in particular, and in an empty list.
    pub(crate) fn card_user(
        &self,
        derived: &Derived,
        store: &SessionStore,
    ) -> Result<Option<UserId>, &'static str> {
        const NEVER_JOINED: &str =
            "this member never joined: the Expected view says how they fared";
        match self.current() {
            View::Sessions => Ok(None),
            View::Users | View::Timeline => Ok(self.users.list.selected().copied()),
            View::Expected => match self.expected.selected(derived, store) {
                Some(person) => person.user.map(Some).ok_or(NEVER_JOINED),
                None => Ok(None),
            },
            View::UserDetail(user) => Ok(Some(user)),
            View::Member(_) => Err(NEVER_JOINED),
        }
    }

    /// The current view's rows as export records.
    pub(crate) fn records(&self, data: &Data<'_>) -> ViewRecords {
        match self.current() {
            View::Sessions => self.sessions.records(data),
            View::Users | View::Timeline => self.users.records(data),
            View::Expected => self.expected.records(data),
            View::UserDetail(_) | View::Member(_) => self.detail.records(data),
        }
    }

    /// The rows the current view shows, and of how many (the rows, users or people known).
    pub(crate) fn counts(&self, store: &SessionStore, derived: &Derived) -> (usize, usize) {
        match self.current() {
            View::Sessions => self.sessions.counts(store),
            View::Users | View::Timeline => self.users.counts(store),
            View::Expected => self.expected.counts(derived),
            View::UserDetail(_) | View::Member(_) => {
                (self.detail.list.len(), self.detail.list.len())
            }
        }
    }
}

/// The same column again reverses the order; another column sorts in its `first` order
/// (declared with the column: largest first for durations, counts and shares).
fn toggled<L: Lines>(
    columns: &'static [Column<L>],
    current: (L::Id, Order),
    column: L::Id,
) -> (L::Id, Order) {
    if current.0 == column {
        let order = match current.1 {
            Order::Ascending => Order::Descending,
            Order::Descending => Order::Ascending,
        };
        (column, order)
    } else {
        (column, first_order(columns, column))
    }
}

/// A view's rows as export records: its headers and one record per row it lists, in its
/// order. The driver writes them in the chosen format through the sink of `headcount export`.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewRecords {
    pub(crate) headers: Vec<String>,
    pub(crate) records: Vec<Vec<Cell>>,
}

impl ViewRecords {
    fn new(headers: Vec<String>) -> Self {
        ViewRecords {
            headers,
            records: Vec::new(),
        }
    }

    fn push(&mut self, record: Vec<Cell>) {
        self.records.push(record);
    }

    /// The records (the header excluded).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The root view and the drill-downs opened from it; Esc pops, Tab switches the root.
#[derive(Debug, Clone)]
pub struct ViewStack {
    stack: Vec<View>,
}

impl Default for ViewStack {
    fn default() -> Self {
        ViewStack {
            stack: vec![View::Sessions],
        }
    }
}

impl ViewStack {
    pub(crate) fn current(&self) -> View {
        *self.stack.last().expect("the root view is never popped")
    }

    pub(crate) fn root(&self) -> View {
        self.stack[0]
    }

    /// Every view from the root to the current one, for the breadcrumbs.
    pub fn path(&self) -> &[View] {
        &self.stack
    }

    pub(crate) fn push(&mut self, view: View) {
        self.stack.push(view);
    }

    /// Goes back one level; false when already at the root.
    pub(crate) fn pop(&mut self) -> bool {
        if self.stack.len() > 1 {
            self.stack.pop();
            true
        } else {
            false
        }
    }

    /// Shows the top-level `view`, closing any drill-down.
    pub(crate) fn show(&mut self, view: View) {
        self.stack = vec![view];
    }

    /// Switches to the next (or previous) top-level view, closing any drill-down.
    pub(crate) fn cycle(&mut self, forward: bool) {
        let at = TOP_LEVEL
            .iter()
            .position(|&v| v == self.root())
            .unwrap_or(0);
        let len = TOP_LEVEL.len();
        let next = if forward {
            (at + 1) % len
        } else {
            (at + len - 1) % len
        };
        self.stack = vec![TOP_LEVEL[next]];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_cycles_the_root_and_closes_drill_downs() {
        let mut views = ViewStack::default();
        views.push(View::UserDetail(UserId(3)));
        views.cycle(true);
        assert_eq!(views.path(), &[View::Users]);
        views.cycle(false);
        views.cycle(false);
        assert_eq!(
            views.current(),
            View::Expected,
            "the last tab comes before the first"
        );
        views.cycle(false);
        assert_eq!(views.current(), View::Timeline);
    }

    #[test]
    fn the_root_cannot_be_popped() {
        let mut views = ViewStack::default();
        views.push(View::UserDetail(UserId(0)));
        assert!(views.pop());
        assert!(!views.pop());
        assert_eq!(views.current(), View::Sessions);
    }
}
