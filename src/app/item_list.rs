//! A list shown as a table, with a selection that follows its item, not its position.
//!
//! When rows stream in or the sort changes, the cursor stays on the same session (or user), so
//! reading a row is never interrupted by new data. A cursor on the first row is the exception:
//! it stays on the first row, so a list nobody has moved in (or that was sent back to the top)
//! shows the top of the list whatever arrives, until a new sort takes the row elsewhere.

use std::sync::Arc;

use crate::attendance::{HistoryEntry, RowId, UserId};

/// What identifies an item across recomputations.
pub trait Identified {
    type Key: Copy + Eq + std::fmt::Debug;
    fn key(&self) -> Self::Key;
}

impl Identified for RowId {
    type Key = RowId;
    fn key(&self) -> RowId {
        *self
    }
}

impl Identified for UserId {
    type Key = UserId;
    fn key(&self) -> UserId {
        *self
    }
}

impl Identified for HistoryEntry {
    type Key = RowId;
    fn key(&self) -> RowId {
        self.row
    }
}

/// Items in display order, the selected one, and the first row on screen.
#[derive(Debug, Clone)]
pub struct ItemList<T: Identified> {
    /// Shared with whoever derived them when they are a list kept there too (the session
    /// table unfiltered is the order of every row): at a million rows a copy is 4 MB.
    items: Arc<Vec<T>>,
    selected: Option<T::Key>,
    index: usize,
    /// The cursor was moved off the first row, so it follows its item.
    following: bool,
    /// The first row on screen at the last draw: the next draw scrolls from there just
    /// enough to show the cursor.
    offset: usize,
    /// Rows on screen at the last draw, which is how far PgUp/PgDn move; 0 before the first.
    height: usize,
}

impl<T: Identified> Default for ItemList<T> {
    fn default() -> Self {
        ItemList {
            items: Arc::default(),
            selected: None,
            index: 0,
            following: false,
            offset: 0,
            height: 0,
        }
    }
}

impl<T: Identified> ItemList<T> {
    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Replaces the items, keeping the cursor on the same item when it is still there, else at
    /// the same position.
    pub(crate) fn set_items(&mut self, items: Vec<T>) {
        self.set_shared(Arc::new(items));
    }

    /// [`ItemList::set_items`] with items shared with another owner.
    pub(crate) fn set_shared(&mut self, items: Arc<Vec<T>>) {
        self.items = items;
        let found = self
            .selected
            .filter(|_| self.following)
            .and_then(|key| self.items.iter().position(|item| item.key() == key));
        self.index = found.unwrap_or(self.index.min(self.items.len().saturating_sub(1)));
        self.selected = self.items.get(self.index).map(Identified::key);
    }

    /// Drops the items and keeps the selection: the next [`ItemList::set_items`] puts the
    /// cursor back on the same item, as if the items had been there all along.
    pub(crate) fn release(&mut self) {
        self.items = Arc::default();
    }

    /// The next [`ItemList::set_items`] keeps the selected item selected wherever it goes,
    /// the first row's included: a new sort moves the cursor with its row, and the next
    /// draw scrolls to it.
    pub(crate) fn follow_selected(&mut self) {
        self.following = self.selected.is_some();
    }

    pub fn selected_index(&self) -> Option<usize> {
        (!self.items.is_empty()).then_some(self.index)
    }

    pub fn selected(&self) -> Option<&T> {
        self.items.get(self.index)
    }

    /// Moves the cursor by `delta` rows, stopping at either end.
    pub(crate) fn move_by(&mut self, delta: isize) {
        if self.items.is_empty() {
            return;
        }
        let last = self.items.len() - 1;
        self.index = self.index.saturating_add_signed(delta).min(last);
        self.selected = Some(self.items[self.index].key());
        self.following = self.index > 0;
    }

    /// Rows shown at the last draw; `None` before the first.
    pub(crate) fn page_rows(&self) -> Option<usize> {
        Some(self.height).filter(|&rows| rows > 0)
    }

    /// What a draw in `height` rows shows: from the last draw's first row, scrolled just
    /// enough to show the cursor. Drawing reports it back ([`ListWindow`]) through
    /// [`ItemList::laid_out`].
    pub(crate) fn window(&self, height: usize) -> ListWindow {
        let rows = height.max(1);
        let mut first = self.offset.min(self.items.len().saturating_sub(1));
        if self.index < first {
            first = self.index;
        } else if self.index >= first + rows {
            first = self.index + 1 - rows;
        }
        ListWindow { first, rows }
    }

    /// The range of items in `window`.
    pub(crate) fn range(&self, window: ListWindow) -> std::ops::Range<usize> {
        window.first..(window.first + window.rows).min(self.items.len())
    }

    /// Keeps what the last draw showed: where the next one scrolls from, and the page size.
    pub(crate) fn laid_out(&mut self, window: ListWindow) {
        self.offset = window.first;
        self.height = window.rows;
    }
}

/// The rows of a list a frame showed: from item `first`, `rows` rows high (some may be
/// empty past the end of the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListWindow {
    pub first: usize,
    pub rows: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(values: &[u32]) -> Vec<RowId> {
        values.iter().map(|&v| RowId(v)).collect()
    }

    #[test]
    fn the_selection_follows_its_row_when_rows_are_inserted_before_it() {
        let mut list = ItemList::default();
        list.set_items(ids(&[5, 7, 9]));
        list.move_by(1);
        list.set_items(ids(&[1, 2, 5, 7, 9]));
        assert_eq!(list.selected(), Some(&RowId(7)));
        assert_eq!(list.selected_index(), Some(3));
    }

    #[test]
    fn a_cursor_on_the_first_row_stays_there_as_rows_arrive_before_it() {
        let mut list = ItemList::default();
        list.set_items(ids(&[5, 7, 9]));
        list.set_items(ids(&[1, 2, 5, 7, 9]));
        assert_eq!(list.selected(), Some(&RowId(1)));
        list.move_by(2);
        list.move_by(isize::MIN);
        list.set_items(ids(&[0, 1, 2, 5, 7, 9]));
        assert_eq!(list.selected_index(), Some(0));
    }

    #[test]
    fn a_new_sort_takes_the_cursor_with_its_row_even_from_the_first_row() {
        let mut list = ItemList::default();
        list.set_items(ids(&[5, 7, 9]));
        list.follow_selected();
        list.set_items(ids(&[9, 7, 5]));
        assert_eq!(list.selected(), Some(&RowId(5)));
        assert_eq!(list.selected_index(), Some(2));
        list.set_items(ids(&[1, 9, 7, 5]));
        assert_eq!(
            list.selected(),
            Some(&RowId(5)),
            "and follows it as rows arrive"
        );
    }

    #[test]
    fn a_vanished_row_leaves_the_cursor_in_place() {
        let mut list = ItemList::default();
        list.set_items(ids(&[1, 2, 3]));
        list.move_by(isize::MAX);
        list.set_items(ids(&[1, 2]));
        assert_eq!(list.selected(), Some(&RowId(2)));
    }

    #[test]
    fn a_page_is_what_the_last_draw_showed() {
        let mut list = ItemList::default();
        list.set_items((0..100).map(RowId).collect());
        assert_eq!(list.page_rows(), None);
        list.laid_out(list.window(17));
        assert_eq!(list.page_rows(), Some(17));
    }

    #[test]
    fn scrolling_keeps_the_cursor_on_screen() {
        let mut list = ItemList::default();
        list.set_items((0..100).map(RowId).collect());
        let draw = |list: &mut ItemList<RowId>| {
            let window = list.window(10);
            list.laid_out(window);
            list.range(window)
        };
        list.move_by(30);
        assert_eq!(draw(&mut list), 21..31);
        list.move_by(-25);
        assert_eq!(draw(&mut list), 5..15);
    }
}
