//! A list shown as a table, with a selection that follows its item, not its position.
//!
//! When rows stream in or the sort changes, the cursor stays on the same session (or user), so
//! reading a row is never interrupted by new data. A cursor on the first row is the exception:
//! it stays on the first row, so a list nobody has moved in (or that was sent back to the top)
//! shows the top of the list whatever arrives.

use std::cell::Cell;

use crate::attendance::{RowId, TimelineEntry, UserId};

/// What identifies an item across recomputations.
pub trait Keyed {
    type Key: Copy + Eq + std::fmt::Debug;
    fn key(&self) -> Self::Key;
}

impl Keyed for RowId {
    type Key = RowId;
    fn key(&self) -> RowId {
        *self
    }
}

impl Keyed for UserId {
    type Key = UserId;
    fn key(&self) -> UserId {
        *self
    }
}

impl Keyed for TimelineEntry {
    type Key = RowId;
    fn key(&self) -> RowId {
        self.row
    }
}

/// Items in display order, the selected one, and the first row on screen.
#[derive(Debug, Clone)]
pub struct Listing<T: Keyed> {
    items: Vec<T>,
    selected: Option<T::Key>,
    index: usize,
    /// The cursor was moved off the first row, so it follows its item.
    following: bool,
    /// The scroll position; the renderer moves it to keep the selection visible.
    offset: Cell<usize>,
    /// Rows on screen at the last draw, which is how far PgUp/PgDn move.
    height: Cell<usize>,
}

impl<T: Keyed> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            items: Vec::new(),
            selected: None,
            index: 0,
            following: false,
            offset: Cell::new(0),
            height: Cell::new(0),
        }
    }
}

impl<T: Keyed> Listing<T> {
    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Replaces the items, keeping the cursor on the same item when it is still there, else at
    /// the same position.
    pub fn set_items(&mut self, items: Vec<T>) {
        self.items = items;
        let found = self
            .selected
            .filter(|_| self.following)
            .and_then(|key| self.items.iter().position(|item| item.key() == key));
        self.index = found.unwrap_or(self.index.min(self.items.len().saturating_sub(1)));
        self.selected = self.items.get(self.index).map(Keyed::key);
    }

    pub fn selected_index(&self) -> Option<usize> {
        (!self.items.is_empty()).then_some(self.index)
    }

    pub fn selected(&self) -> Option<&T> {
        self.items.get(self.index)
    }

    pub fn selected_key(&self) -> Option<T::Key> {
        self.selected
    }

    /// Moves the cursor by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize) {
        if self.items.is_empty() {
            return;
        }
        let last = self.items.len() - 1;
        self.index = self.index.saturating_add_signed(delta).min(last);
        self.selected = Some(self.items[self.index].key());
        self.following = self.index > 0;
    }

    pub fn top(&mut self) {
        self.move_by(isize::MIN);
    }

    pub fn bottom(&mut self) {
        self.move_by(isize::MAX);
    }

    /// Rows shown at the last draw; `None` before the first.
    pub fn page_rows(&self) -> Option<usize> {
        Some(self.height.get()).filter(|&rows| rows > 0)
    }

    /// The range of items to draw in `height` rows, scrolling just enough to show the cursor.
    pub fn visible(&self, height: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        self.height.set(height);
        let mut offset = self.offset.get().min(self.items.len().saturating_sub(1));
        if self.index < offset {
            offset = self.index;
        } else if self.index >= offset + height {
            offset = self.index + 1 - height;
        }
        self.offset.set(offset);
        offset..(offset + height).min(self.items.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(values: &[u32]) -> Vec<RowId> {
        values.iter().map(|&v| RowId(v)).collect()
    }

    #[test]
    fn the_selection_follows_its_row_when_rows_are_inserted_before_it() {
        let mut list = Listing::default();
        list.set_items(ids(&[5, 7, 9]));
        list.move_by(1);
        list.set_items(ids(&[1, 2, 5, 7, 9]));
        assert_eq!(list.selected(), Some(&RowId(7)));
        assert_eq!(list.selected_index(), Some(3));
    }

    #[test]
    fn a_cursor_on_the_first_row_stays_there_as_rows_arrive_before_it() {
        let mut list = Listing::default();
        list.set_items(ids(&[5, 7, 9]));
        list.set_items(ids(&[1, 2, 5, 7, 9]));
        assert_eq!(list.selected(), Some(&RowId(1)));
        list.move_by(2);
        list.top();
        list.set_items(ids(&[0, 1, 2, 5, 7, 9]));
        assert_eq!(list.selected_index(), Some(0));
    }

    #[test]
    fn a_vanished_row_leaves_the_cursor_in_place() {
        let mut list = Listing::default();
        list.set_items(ids(&[1, 2, 3]));
        list.bottom();
        list.set_items(ids(&[1, 2]));
        assert_eq!(list.selected(), Some(&RowId(2)));
    }

    #[test]
    fn a_page_is_what_the_last_draw_showed() {
        let mut list = Listing::default();
        list.set_items((0..100).map(RowId).collect());
        assert_eq!(list.page_rows(), None);
        list.visible(17);
        assert_eq!(list.page_rows(), Some(17));
    }

    #[test]
    fn scrolling_keeps_the_cursor_on_screen() {
        let mut list = Listing::default();
        list.set_items((0..100).map(RowId).collect());
        list.move_by(30);
        assert_eq!(list.visible(10), 21..31);
        list.move_by(-25);
        assert_eq!(list.visible(10), 5..15);
    }
}
