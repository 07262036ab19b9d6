//! Every key binding, in one table.
//!
//! Dispatch, the footer hints and the help screen all read [`bindings`], so what the screen
//! promises is always what the keys do. The sort keys come from the tables' columns.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::attendance::{
    Column, EXPECTED_COLUMNS, ExpectedColumn, Lines, SESSION_COLUMNS, SessionColumn, USER_COLUMNS,
    UserColumn,
};

/// Where a key is pressed: bindings of a more specific context win over `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Context {
    /// Everywhere except while typing in the filter bar.
    Global,
    /// Views that show a list (sessions, users, user detail).
    List,
    /// The session table.
    Sessions,
    /// The users, as the Users table and the Timeline list them (its sort keys).
    Users,
    /// The timeline.
    Timeline,
    /// Who was expected.
    Expected,
    /// Typing in the filter bar.
    FilterBar,
    /// The help overlay.
    Help,
    /// The answer card's popup.
    Card,
    /// The session picker over the current view (`s`).
    Picker,
    /// The export prompt (`e`).
    Prompt,
}

/// What a key asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Action {
    Quit,
    Help,
    NextView,
    PrevView,
    DrillDown,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    OpenFilter,
    ToggleFreeze,
    Refresh,
    Export,
    CopyId,
    AnswerCard,
    PickSession,
    PromptAccept,
    PromptFormat,
    SortSessions(SessionColumn),
    SortUsers(UserColumn),
    SortExpected(ExpectedColumn),
    ShowExpected,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    PanLeft,
    PanRight,
    FilterApply,
    FilterCancel,
    FilterHistoryPrev,
    FilterHistoryNext,
    FilterLineStart,
    FilterLineEnd,
    FilterDeleteWord,
    FilterDeleteToStart,
    FilterDeleteToEnd,
}

/// One binding: in `context`, `key` with `modifiers` triggers `action`. `hint` is the short
/// label of the footer (empty: not in the footer), shown while the action does something
/// (`App::does_something`); `help` is the line of the help screen, which lists every key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding {
    pub(crate) context: Context,
    pub(crate) key: KeyCode,
    pub(crate) modifiers: KeyModifiers,
    pub(crate) action: Action,
    pub(crate) keys: &'static str,
    pub(crate) hint: &'static str,
    pub(crate) help: &'static str,
}

const fn bind(
    context: Context,
    key: KeyCode,
    action: Action,
    keys: &'static str,
    hint: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        key,
        modifiers: KeyModifiers::NONE,
        action,
        keys,
        hint,
        help,
    }
}

const fn ctrl(
    context: Context,
    key: KeyCode,
    action: Action,
    keys: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        key,
        modifiers: KeyModifiers::CONTROL,
        action,
        keys,
        hint: "",
        help,
    }
}

use Action as A;
use Context as C;
use KeyCode as K;

/// Every binding but the sort keys, which come from the tables' columns ([`bindings`]).
const BINDINGS: &[Binding] = &[
    bind(C::Global, K::Char('q'), A::Quit, "q", "quit", "quit"),
    ctrl(C::Global, K::Char('c'), A::Quit, "Ctrl-c", "quit"),
    ctrl(C::FilterBar, K::Char('c'), A::Quit, "Ctrl-c", "quit"),
    ctrl(C::Help, K::Char('c'), A::Quit, "Ctrl-c", "quit"),
    bind(
        C::Global,
        K::Char('?'),
        A::Help,
        "?",
        "help",
        "show this help",
    ),
    bind(C::Help, K::Char('?'), A::Back, "?", "", "close the help"),
    bind(C::Help, K::Esc, A::Back, "Esc", "", "close the help"),
    bind(C::Help, K::Char('q'), A::Back, "q", "", "close the help"),
    bind(C::Help, K::Char('j'), A::Down, "j", "", "scroll down"),
    bind(C::Help, K::Down, A::Down, "↓", "", "scroll down"),
    bind(C::Help, K::Char('k'), A::Up, "k", "", "scroll up"),
    bind(C::Help, K::Up, A::Up, "↑", "", "scroll up"),
    bind(C::Help, K::PageDown, A::PageDown, "PgDn", "", "page down"),
    ctrl(C::Help, K::Char('d'), A::PageDown, "Ctrl-d", "page down"),
    bind(C::Help, K::PageUp, A::PageUp, "PgUp", "", "page up"),
    ctrl(C::Help, K::Char('u'), A::PageUp, "Ctrl-u", "page up"),
    bind(C::Help, K::Char('g'), A::Top, "g", "", "top"),
    bind(C::Help, K::Home, A::Top, "Home", "", "top"),
    bind(C::Help, K::Char('G'), A::Bottom, "G", "", "bottom"),
    bind(C::Help, K::End, A::Bottom, "End", "", "bottom"),
    bind(C::Global, K::Tab, A::NextView, "Tab", "view", "next view"),
    bind(
        C::Global,
        K::Char('x'),
        A::ShowExpected,
        "x",
        "",
        "show who was expected and how each fared",
    ),
    bind(
        C::Global,
        K::BackTab,
        A::PrevView,
        "Shift-Tab",
        "",
        "previous view",
    ),
    bind(
        C::Global,
        K::Enter,
        A::DrillDown,
        "Enter",
        "open",
        "open the user under the cursor",
    ),
    bind(
        C::Global,
        K::Esc,
        A::Back,
        "Esc",
        "back",
        "go back; clear the filter at the top",
    ),
    bind(
        C::Global,
        K::Char('/'),
        A::OpenFilter,
        "/",
        "filter",
        "edit the filter",
    ),
    bind(
        C::Global,
        K::Char('f'),
        A::ToggleFreeze,
        "f",
        "freeze",
        "freeze or resume the view",
    ),
    bind(
        C::Global,
        K::Char('r'),
        A::Refresh,
        "r",
        "refresh",
        "fetch everything again",
    ),
    bind(
        C::Global,
        K::Char('e'),
        A::Export,
        "e",
        "export",
        "export the current view to CSV or JSON",
    ),
    bind(
        C::Global,
        K::Char('y'),
        A::CopyId,
        "y",
        "copy",
        "copy the selected id (OSC 52)",
    ),
    bind(
        C::Global,
        K::Char('c'),
        A::AnswerCard,
        "c",
        "card",
        "copy and show the answer card",
    ),
    bind(
        C::Card,
        K::Esc,
        A::Back,
        "Esc",
        "close",
        "close the answer card",
    ),
    bind(
        C::Card,
        K::Char('q'),
        A::Back,
        "q",
        "",
        "close the answer card",
    ),
    bind(
        C::Card,
        K::Char('c'),
        A::Back,
        "c",
        "",
        "close the answer card",
    ),
    bind(
        C::Global,
        K::Char('s'),
        A::PickSession,
        "s",
        "session",
        "switch to another session of the call",
    ),
    bind(
        C::Picker,
        K::Char('j'),
        A::Down,
        "j",
        "move",
        "next session",
    ),
    bind(C::Picker, K::Down, A::Down, "↓", "", "next session"),
    bind(C::Picker, K::Char('k'), A::Up, "k", "", "previous session"),
    bind(C::Picker, K::Up, A::Up, "↑", "", "previous session"),
    bind(C::Picker, K::Char('g'), A::Top, "g", "", "newest session"),
    bind(C::Picker, K::Home, A::Top, "Home", "", "newest session"),
    bind(
        C::Picker,
        K::Char('G'),
        A::Bottom,
        "G",
        "",
        "oldest session",
    ),
    bind(C::Picker, K::End, A::Bottom, "End", "", "oldest session"),
    bind(
        C::Picker,
        K::Enter,
        A::DrillDown,
        "Enter",
        "open",
        "open the session under the cursor",
    ),
    bind(
        C::Picker,
        K::Esc,
        A::Back,
        "Esc",
        "back",
        "back to the view, unchanged",
    ),
    bind(
        C::Picker,
        K::Char('s'),
        A::Back,
        "s",
        "",
        "back to the view, unchanged",
    ),
    bind(
        C::Picker,
        K::Char('q'),
        A::Back,
        "q",
        "",
        "back to the view, unchanged",
    ),
    ctrl(C::Picker, K::Char('c'), A::Quit, "Ctrl-c", "quit"),
    bind(
        C::Prompt,
        K::Enter,
        A::PromptAccept,
        "Enter",
        "write",
        "write the file (asked first if it exists)",
    ),
    bind(
        C::Prompt,
        K::Tab,
        A::PromptFormat,
        "Tab",
        "format",
        "switch between CSV and JSON",
    ),
    bind(C::Prompt, K::Esc, A::Back, "Esc", "cancel", "write nothing"),
    ctrl(C::Prompt, K::Char('c'), A::Quit, "Ctrl-c", "quit"),
    bind(C::Card, K::Char('j'), A::Down, "j", "scroll", "scroll down"),
    bind(C::Card, K::Down, A::Down, "↓", "", "scroll down"),
    bind(C::Card, K::Char('k'), A::Up, "k", "", "scroll up"),
    bind(C::Card, K::Up, A::Up, "↑", "", "scroll up"),
    ctrl(C::Card, K::Char('c'), A::Quit, "Ctrl-c", "quit"),
    bind(C::List, K::Char('j'), A::Down, "j", "", "move down"),
    bind(C::List, K::Down, A::Down, "↓", "", "move down"),
    bind(C::List, K::Char('k'), A::Up, "k", "", "move up"),
    bind(C::List, K::Up, A::Up, "↑", "", "move up"),
    bind(C::List, K::PageDown, A::PageDown, "PgDn", "", "page down"),
    bind(C::List, K::PageUp, A::PageUp, "PgUp", "", "page up"),
    ctrl(C::List, K::Char('d'), A::PageDown, "Ctrl-d", "page down"),
    ctrl(C::List, K::Char('u'), A::PageUp, "Ctrl-u", "page up"),
    bind(C::List, K::Char('g'), A::Top, "g", "", "first row"),
    bind(C::List, K::Home, A::Top, "Home", "", "first row"),
    bind(C::List, K::Char('G'), A::Bottom, "G", "", "last row"),
    bind(C::List, K::End, A::Bottom, "End", "", "last row"),
    bind(C::Timeline, K::Char('+'), A::ZoomIn, "+", "zoom", "zoom in"),
    bind(
        C::Timeline,
        K::Char('='),
        A::ZoomReset,
        "=",
        "",
        "show the whole call",
    ),
    bind(C::Timeline, K::Char('-'), A::ZoomOut, "-", "", "zoom out"),
    bind(
        C::Timeline,
        K::Char('h'),
        A::PanLeft,
        "h",
        "pan",
        "pan left",
    ),
    bind(C::Timeline, K::Left, A::PanLeft, "←", "", "pan left"),
    bind(C::Timeline, K::Char('l'), A::PanRight, "l", "", "pan right"),
    bind(C::Timeline, K::Right, A::PanRight, "→", "", "pan right"),
    bind(
        C::FilterBar,
        K::Enter,
        A::FilterApply,
        "Enter",
        "keep",
        "keep the filter and fetch it now",
    ),
    bind(
        C::FilterBar,
        K::Esc,
        A::FilterCancel,
        "Esc",
        "undo",
        "restore the filter in force before editing, and leave",
    ),
    bind(
        C::FilterBar,
        K::Up,
        A::FilterHistoryPrev,
        "↑",
        "history",
        "previous filter",
    ),
    bind(
        C::FilterBar,
        K::Down,
        A::FilterHistoryNext,
        "↓",
        "",
        "next filter",
    ),
    bind(
        C::FilterBar,
        K::Home,
        A::FilterLineStart,
        "Home",
        "",
        "start of the line",
    ),
    ctrl(
        C::FilterBar,
        K::Char('a'),
        A::FilterLineStart,
        "Ctrl-a",
        "start of the line",
    ),
    bind(
        C::FilterBar,
        K::End,
        A::FilterLineEnd,
        "End",
        "",
        "end of the line",
    ),
    ctrl(
        C::FilterBar,
        K::Char('e'),
        A::FilterLineEnd,
        "Ctrl-e",
        "end of the line",
    ),
    ctrl(
        C::FilterBar,
        K::Char('w'),
        A::FilterDeleteWord,
        "Ctrl-w",
        "delete the word before",
    ),
    ctrl(
        C::FilterBar,
        K::Char('u'),
        A::FilterDeleteToStart,
        "Ctrl-u",
        "delete to the start",
    ),
    ctrl(
        C::FilterBar,
        K::Char('k'),
        A::FilterDeleteToEnd,
        "Ctrl-k",
        "delete to the end",
    ),
];

/// The sort keys of a table's columns, in column order; the first one carries the footer's
/// `sort` hint.
fn sort_bindings<L: Lines>(
    context: Context,
    columns: &'static [Column<L>],
    action: fn(L::Id) -> Action,
) -> impl Iterator<Item = Binding> {
    columns
        .iter()
        .filter_map(|column| column.sort)
        .enumerate()
        .map(move |(i, sort)| Binding {
            hint: if i == 0 { "sort" } else { "" },
            ..bind(
                context,
                K::Char(sort.keys.chars().next().expect("a sort key")),
                action(sort.id),
                sort.keys,
                "",
                sort.help,
            )
        })
}

/// Every binding: the table above, then the sort keys of the session and users tables.
pub(crate) fn bindings() -> impl Iterator<Item = Binding> {
    BINDINGS
        .iter()
        .copied()
        .chain(sort_bindings(
            C::Sessions,
            &SESSION_COLUMNS,
            A::SortSessions,
        ))
        .chain(sort_bindings(C::Users, &USER_COLUMNS, A::SortUsers))
        .chain(sort_bindings(
            C::Expected,
            &EXPECTED_COLUMNS,
            A::SortExpected,
        ))
}

/// The action bound to `key` in the first of `contexts` (most specific first) that binds it.
pub(crate) fn lookup(contexts: &[Context], key: KeyEvent) -> Option<Action> {
    let modifiers = key.modifiers - KeyModifiers::SHIFT;
    contexts.iter().find_map(|context| {
        bindings()
            .find(|b| b.context == *context && b.key == key.code && b.modifiers == modifiers)
            .map(|b| b.action)
    })
}

/// The footer: the hinted bindings of the active contexts whose action does something now
/// (`works`, the app's [`super::App::does_something`]), in table order.
pub(crate) fn hints<'a>(
    contexts: &'a [Context],
    works: impl Fn(Action) -> bool + 'a,
) -> impl Iterator<Item = Binding> + 'a {
    bindings()
        .filter(move |b| !b.hint.is_empty() && contexts.contains(&b.context) && works(b.action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let mut seen = HashSet::new();
        for b in bindings() {
            assert!(
                seen.insert((b.context, b.key, b.modifiers)),
                "{} is bound twice in {:?}",
                b.keys,
                b.context
            );
        }
    }

    #[test]
    fn the_specific_context_wins_over_global() {
        let on_help = lookup(&[C::Help, C::Global], key(K::Char('q')));
        assert_eq!(on_help, Some(A::Back));
        let on_list = lookup(&[C::Sessions, C::List, C::Global], key(K::Char('q')));
        assert_eq!(on_list, Some(A::Quit));
    }

    #[test]
    fn shifted_letters_sort_and_ctrl_c_always_quits() {
        let shift_d = KeyEvent::new(K::Char('D'), KeyModifiers::SHIFT);
        assert_eq!(
            lookup(&[C::Sessions, C::List, C::Global], shift_d),
            Some(A::SortSessions(SessionColumn::Duration))
        );
        let ctrl_c = KeyEvent::new(K::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(&[C::FilterBar], ctrl_c), Some(A::Quit));
    }

    #[test]
    fn typing_in_the_filter_bar_is_not_a_command() {
        assert_eq!(lookup(&[C::FilterBar], key(K::Char('q'))), None);
    }

    #[test]
    fn the_footer_shows_only_hinted_bindings_of_active_contexts() {
        let labels: Vec<_> = hints(&[C::Timeline, C::Global], |_| true)
            .map(|b| b.hint)
            .collect();
        assert!(labels.contains(&"zoom") && labels.contains(&"quit"));
        assert!(!labels.contains(&"sort"));
        let frozen: Vec<_> = hints(&[C::Global], |action| action != A::ToggleFreeze)
            .map(|b| b.hint)
            .collect();
        assert!(!frozen.contains(&"freeze") && frozen.contains(&"quit"));
    }
}
