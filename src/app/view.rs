//! The view stack: one of the top-level views, with drill-downs pushed above it.

use crate::attendance::UserId;

/// What the body of the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Sessions,
    Users,
    Timeline,
    /// Every session of one user, with the gaps between them.
    UserDetail(UserId),
}

/// The top-level views, in Tab order.
const TOP_LEVEL: [View; 3] = [View::Sessions, View::Users, View::Timeline];

impl View {
    pub fn title(self) -> &'static str {
        match self {
            View::Sessions => "Sessions",
            View::Users => "Users",
            View::Timeline => "Timeline",
            View::UserDetail(_) => "User",
        }
    }

    /// The top-level views, for the tab bar.
    pub fn top_level() -> &'static [View] {
        &TOP_LEVEL
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
    pub fn current(&self) -> View {
        *self.stack.last().expect("the root view is never popped")
    }

    pub fn root(&self) -> View {
        self.stack[0]
    }

    /// Every view from the root to the current one, for the breadcrumbs.
    pub fn path(&self) -> &[View] {
        &self.stack
    }

    pub fn push(&mut self, view: View) {
        self.stack.push(view);
    }

    /// Goes back one level; false when already at the root.
    pub fn pop(&mut self) -> bool {
        if self.stack.len() > 1 {
            self.stack.pop();
            true
        } else {
            false
        }
    }

    /// Switches to the next (or previous) top-level view, closing any drill-down.
    pub fn cycle(&mut self, forward: bool) {
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
