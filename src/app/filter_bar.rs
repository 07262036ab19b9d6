//! The filter bar: the text being typed, its history, and the last filter that parsed.
//!
//! A parse error never puts a half-typed filter in force: while the text does not parse, the
//! filter in force is the one in force when editing began (not a prefix of the text that
//! happened to parse, such as `dur` on the way to `dur>5x`), and the bar says so. Esc puts
//! that filter back; Enter keeps the text only when it parses.

use crate::filter::{Filter, ParseContext, ParseError, parse};
use crate::ui::safe_text::is_terminal_control;

/// The editable filter line and what it currently means.
#[derive(Debug, Clone)]
pub struct FilterBar {
    open: bool,
    input: String,
    /// Byte offset of the cursor in `input`, always on a character boundary.
    cursor: usize,
    history: Vec<String>,
    /// Position while walking the history with ↑/↓; `None` when editing fresh text.
    history_at: Option<usize>,
    active: Filter,
    /// Counts the changes of `active`: what is computed from the filter is keyed by it
    /// rather than by a copy of it.
    revision: u64,
    error: Option<ParseError>,
    /// The text and the filter in force when the bar was opened: what a text that does not
    /// parse leaves in force, and what Esc restores. `None` while the bar is closed.
    before_edit: Option<(String, Filter)>,
}

impl FilterBar {
    /// A bar holding `text` (parsed with `ctx`); a bad initial text leaves the empty filter in
    /// force and shows why.
    pub(crate) fn new(text: &str, ctx: &ParseContext) -> FilterBar {
        let text = typeable(text);
        let mut bar = FilterBar {
            open: false,
            cursor: text.len(),
            input: text,
            history: Vec::new(),
            history_at: None,
            active: empty_filter(ctx),
            revision: 0,
            error: None,
            before_edit: None,
        };
        bar.reparse(ctx);
        bar
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn input(&self) -> &str {
        &self.input
    }

    /// The cursor as a column in characters.
    pub(crate) fn cursor_column(&self) -> usize {
        self.input[..self.cursor].chars().count()
    }

    /// The filter in force: the last text that parsed.
    pub fn active(&self) -> &Filter {
        &self.active
    }

    /// Changes whenever the filter in force does.
    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    pub fn error(&self) -> Option<&ParseError> {
        self.error.as_ref()
    }

    pub(crate) fn open(&mut self) {
        if !self.open {
            self.before_edit = Some((self.input.clone(), self.active.clone()));
        }
        self.open = true;
        self.cursor = self.input.len();
        self.history_at = None;
    }

    /// The filter in force when editing began, while the text being edited does not parse
    /// (the bar says so); `None` otherwise.
    pub fn kept_while_invalid(&self) -> Option<&Filter> {
        self.error.as_ref()?;
        self.open.then_some(&self.active)
    }

    /// Enter: keeps the filter, remembers the text, and closes the bar. A text that does not
    /// parse is not kept: the bar stays open on its error, and false is returned.
    pub(crate) fn keep(&mut self) -> bool {
        if self.error.is_some() {
            return false;
        }
        self.open = false;
        self.before_edit = None;
        let text = self.input.trim();
        if !text.is_empty() && self.history.last().map(String::as_str) != Some(text) {
            self.history.push(text.to_owned());
        }
        self.history_at = None;
        true
    }

    /// Esc: puts back the text and the filter in force when editing began, and closes the bar.
    pub(crate) fn cancel(&mut self) {
        if let Some((text, filter)) = self.before_edit.take() {
            self.cursor = text.len();
            self.input = text;
            self.activate(filter);
            self.error = None;
        }
        self.open = false;
        self.history_at = None;
    }

    /// Esc outside the bar: no filter. True when there was one.
    pub(crate) fn clear(&mut self, ctx: &ParseContext) -> bool {
        if self.input.is_empty() && self.active.is_empty() {
            return false;
        }
        self.set_input(String::new(), ctx);
        true
    }

    /// Types `text` at the cursor; characters that would control the terminal are left out.
    pub(crate) fn insert(&mut self, text: &str, ctx: &ParseContext) {
        let mut input = self.input.clone();
        let clean = typeable(text);
        input.insert_str(self.cursor, &clean);
        let cursor = self.cursor + clean.len();
        self.set_input(input, ctx);
        self.cursor = cursor;
    }

    /// A paste goes in whole at the cursor, as text: its line breaks and tabs become spaces
    /// (an id copied with its line end must not apply the filter or run keys).
    pub(crate) fn paste(&mut self, text: &str, ctx: &ParseContext) {
        let flat = text.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ");
        self.insert(&flat, ctx);
    }

    pub(crate) fn backspace(&mut self, ctx: &ParseContext) {
        if let Some((at, _)) = self.input[..self.cursor].char_indices().next_back() {
            let mut input = self.input.clone();
            input.remove(at);
            self.set_input(input, ctx);
            self.cursor = at;
        }
    }

    pub(crate) fn delete(&mut self, ctx: &ParseContext) {
        if self.cursor < self.input.len() {
            let mut input = self.input.clone();
            input.remove(self.cursor);
            let cursor = self.cursor;
            self.set_input(input, ctx);
            self.cursor = cursor;
        }
    }

    pub(crate) fn left(&mut self) {
        if let Some((at, _)) = self.input[..self.cursor].char_indices().next_back() {
            self.cursor = at;
        }
    }

    pub(crate) fn right(&mut self) {
        if let Some(c) = self.input[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    pub(crate) fn home(&mut self) {
        self.cursor = 0;
    }

    pub(crate) fn end(&mut self) {
        self.cursor = self.input.len();
    }

    /// Ctrl-u: deletes from the start of the line to the cursor.
    pub(crate) fn delete_to_start(&mut self, ctx: &ParseContext) {
        self.cut(0, self.cursor, ctx);
    }

    /// Ctrl-k: deletes from the cursor to the end of the line.
    pub(crate) fn delete_to_end(&mut self, ctx: &ParseContext) {
        self.cut(self.cursor, self.input.len(), ctx);
    }

    /// Ctrl-w: deletes the word before the cursor and the spaces after it, as shells do.
    pub(crate) fn delete_word(&mut self, ctx: &ParseContext) {
        let before = self.input[..self.cursor].trim_end();
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(at, c)| at + c.len_utf8());
        self.cut(start, self.cursor, ctx);
    }

    /// Removes `start..end` of the input and leaves the cursor where it was cut.
    fn cut(&mut self, start: usize, end: usize, ctx: &ParseContext) {
        if start < end {
            let mut input = self.input.clone();
            input.replace_range(start..end, "");
            self.set_input(input, ctx);
            self.cursor = start;
        }
    }

    /// ↑: the previous filter of the history.
    pub(crate) fn history_prev(&mut self, ctx: &ParseContext) {
        let at = match self.history_at {
            None => self.history.len().checked_sub(1),
            Some(at) => Some(at.saturating_sub(1)),
        };
        if let Some(at) = at {
            self.history_at = Some(at);
            self.set_input(self.history[at].clone(), ctx);
        }
    }

    /// ↓: the next filter of the history, then an empty line.
    pub(crate) fn history_next(&mut self, ctx: &ParseContext) {
        let Some(at) = self.history_at else { return };
        if at + 1 < self.history.len() {
            self.history_at = Some(at + 1);
            self.set_input(self.history[at + 1].clone(), ctx);
        } else {
            self.history_at = None;
            self.set_input(String::new(), ctx);
        }
    }

    /// Parses the text again, e.g. once the call's date is known. A text being edited that
    /// does not parse leaves the filter in force when editing began.
    pub(crate) fn reparse(&mut self, ctx: &ParseContext) {
        match parse(&self.input, ctx) {
            Ok(filter) => {
                self.activate(filter);
                self.error = None;
            }
            Err(error) => {
                if let Some((_, before)) = &self.before_edit {
                    self.activate(before.clone());
                }
                self.error = Some(error);
            }
        }
    }

    /// Puts `filter` in force, counting the change if it is one.
    fn activate(&mut self, filter: Filter) {
        if filter != self.active {
            self.revision += 1;
        }
        self.active = filter;
    }

    /// Parses the same text again once the call window is known. A text that no longer
    /// parses there (a time with no occurrence in the window) keeps only its server part,
    /// which no time changes: its local part was read in a guessed window and would be wrong.
    /// Returns the error, to be shown. A text being edited that does not parse yet is left
    /// alone, with the last good filter in force.
    pub(crate) fn reread_in_window(&mut self, ctx: &ParseContext) -> Option<&ParseError> {
        if self.error.is_some() {
            return None;
        }
        match parse(&self.input, ctx) {
            Ok(filter) => {
                self.activate(filter);
                self.error = None;
            }
            Err(error) => {
                let server_only = Filter {
                    local: None,
                    times: Vec::new(),
                    ..self.active.clone()
                };
                self.activate(server_only);
                self.error = Some(error);
            }
        }
        self.error.as_ref()
    }

    /// Reads the text again for another session, whose window is not known yet. A text that
    /// does not parse keeps the last good filter in force, read again from its own text:
    /// `Ok(Some(error))` says why the text is not applied. When the last good filter does
    /// not parse either, the filter is cleared: `Err` says why.
    pub(crate) fn reread_for_new_session(
        &mut self,
        ctx: &ParseContext,
    ) -> Result<Option<ParseError>, ParseError> {
        let error = match parse(&self.input, ctx) {
            Ok(filter) => {
                self.activate(filter);
                self.error = None;
                return Ok(None);
            }
            Err(error) => error,
        };
        let kept_text = match &self.before_edit {
            Some((text, _)) => text.clone(),
            None => self.active.source.clone(),
        };
        match parse(&kept_text, ctx) {
            Ok(kept) => {
                if let Some((_, before)) = &mut self.before_edit {
                    *before = kept.clone();
                }
                self.activate(kept);
                self.error = Some(error.clone());
                Ok(Some(error))
            }
            Err(kept_error) => {
                self.before_edit = None;
                self.open = false;
                self.set_input(String::new(), ctx);
                Err(kept_error)
            }
        }
    }

    fn set_input(&mut self, input: String, ctx: &ParseContext) {
        self.cursor = input.len();
        self.input = input;
        self.reparse(ctx);
    }
}

/// `text` without the characters that would control the terminal the bar is drawn on.
fn typeable(text: &str) -> String {
    text.chars().filter(|&c| !is_terminal_control(c)).collect()
}

fn empty_filter(ctx: &ParseContext) -> Filter {
    parse("", ctx).expect("the empty filter always parses")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn ctx() -> ParseContext {
        ParseContext::at(TimeZone::UTC, 0)
    }

    fn typed(text: &str) -> FilterBar {
        let mut bar = FilterBar::new("", &ctx());
        bar.open();
        bar.insert(text, &ctx());
        bar
    }

    fn kept(text: &str) -> FilterBar {
        let mut bar = typed(text);
        assert!(bar.keep());
        bar
    }

    #[test]
    fn a_bad_text_leaves_the_filter_in_force_before_editing_not_a_prefix_that_parsed() {
        let mut bar = kept("user:alice");
        bar.open();
        bar.insert(" dur", &ctx());
        assert_eq!(bar.active().source, "user:alice dur");
        bar.insert(">5mx", &ctx());
        assert!(bar.error().is_some());
        assert_eq!(bar.active().source, "user:alice");
        assert_eq!(bar.kept_while_invalid().unwrap().source, "user:alice");
        bar.backspace(&ctx());
        assert_eq!(bar.active().source, "user:alice dur>5m");
        assert!(bar.kept_while_invalid().is_none());
    }

    #[test]
    fn enter_keeps_only_a_text_that_parses() {
        let mut bar = typed("dur>5mx");
        assert!(!bar.keep());
        assert!(bar.is_open() && bar.active().is_empty());
        bar.backspace(&ctx());
        assert!(bar.keep());
        assert!(!bar.is_open());
        assert_eq!(bar.active().source, "dur>5m");
    }

    #[test]
    fn esc_restores_the_text_and_filter_in_force_before_editing() {
        let mut bar = kept("user:alice");
        bar.open();
        bar.delete_to_start(&ctx());
        bar.insert("user:bob", &ctx());
        assert_eq!(bar.active().source, "user:bob");
        bar.cancel();
        assert!(!bar.is_open());
        assert_eq!(
            (bar.input(), bar.active().source.as_str()),
            ("user:alice", "user:alice")
        );
        assert!(bar.error().is_none());
        assert!(bar.clear(&ctx()));
        assert!(bar.active().is_empty() && bar.input().is_empty());
        assert!(!bar.clear(&ctx()));
    }

    #[test]
    fn history_walks_back_and_forth() {
        let mut bar = typed("user:alice");
        bar.keep();
        bar.open();
        bar.delete_to_start(&ctx());
        bar.insert("user:bob", &ctx());
        bar.keep();
        bar.open();
        bar.history_prev(&ctx());
        assert_eq!(bar.input(), "user:bob");
        bar.history_prev(&ctx());
        assert_eq!(bar.input(), "user:alice");
        bar.history_next(&ctx());
        bar.history_next(&ctx());
        assert_eq!(bar.input(), "");
    }

    #[test]
    fn line_editing_keys_cut_as_in_a_shell() {
        let mut bar = typed("role:host  dur>5m");
        bar.delete_word(&ctx());
        assert_eq!(bar.input(), "role:host  ");
        bar.delete_word(&ctx());
        assert_eq!((bar.input(), bar.cursor_column()), ("", 0));
        let mut bar = typed("user:zoé !bot");
        (0..5).for_each(|_| bar.left());
        bar.delete_to_end(&ctx());
        assert_eq!(bar.input(), "user:zoé");
        assert_eq!(bar.active().source, "user:zoé");
        bar.left();
        bar.delete_to_start(&ctx());
        assert_eq!((bar.input(), bar.cursor_column()), ("é", 0));
    }

    #[test]
    fn a_paste_goes_in_whole_at_the_cursor_with_line_breaks_as_spaces() {
        let mut bar = typed("user: role:host");
        (0..10).for_each(|_| bar.left());
        bar.paste("u-ascii\r\nq\tx\n", &ctx());
        assert_eq!(bar.input(), "user:u-ascii q x  role:host");
        assert_eq!(bar.cursor_column(), "user:u-ascii q x ".len());
    }

    #[test]
    fn terminal_controls_never_enter_the_text() {
        let mut bar = typed("user:\u{1b}[2Jzo\u{202e}é\u{9b}");
        assert_eq!(bar.input(), "user:[2Jzoé");
        bar.paste("\u{7}b\u{2066}ob", &ctx());
        assert_eq!(bar.input(), "user:[2Jzoébob");
        let bar = FilterBar::new("user:\u{1b}x", &ctx());
        assert_eq!(bar.input(), "user:x");
    }

    #[test]
    fn editing_moves_over_whole_characters() {
        let mut bar = typed("user:zoé");
        bar.left();
        bar.backspace(&ctx());
        assert_eq!(bar.input(), "user:zé");
        assert_eq!(bar.cursor_column(), 6);
    }
}
