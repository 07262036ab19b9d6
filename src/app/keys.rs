//! What keys do: the keymap names the action, this module carries it out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::timestamp::Nanos;
use crate::filter::ParseContext;
use crate::ui::safe_text::terminal_safe;

use super::effect::Effect;
use super::filter_bar::FilterBar;
use super::help::{HelpLayout, HelpOverlay};
use super::keymap::{Action, Binding, hints, lookup};
use super::live::Frozen;
use super::view::{View, ViewStack};
use super::{App, FetchKind, Now};

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent, now: Now) -> Vec<Effect> {
        match lookup(&self.contexts(), key) {
            Some(action) => self.act(action, now),
            None if self.export_prompt.is_some() => self.prompt_type(key, now),
            None if self.filter.is_open() => {
                self.edit_filter(key, now);
                Vec::new()
            }
            None => {
                self.dirty = false;
                Vec::new()
            }
        }
    }

    fn act(&mut self, action: Action, now: Now) -> Vec<Effect> {
        if self.export_prompt.is_some() && action != Action::Quit {
            return self.prompt_act(action, now);
        }
        if self.help.is_some() && self.scroll_help(action) {
            return Vec::new();
        }
        if self.help.is_none()
            && let Some(effects) = self.picker_act(action, now)
        {
            return effects;
        }
        if let Some(card) = &mut self.card
            && let Some(lines) = match action {
                Action::Up => Some(-1),
                Action::Down => Some(1),
                _ => None,
            }
        {
            card.scroll_by(lines);
            return Vec::new();
        }
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Help => self.help = Some(HelpOverlay::default()),
            Action::Back => return self.back(now),
            Action::NextView => self.switch_view(|stack| stack.cycle(true), now.server),
            Action::ShowExpected => {
                self.switch_view(|stack| stack.show(View::Expected), now.server);
            }
            Action::PrevView => self.switch_view(|stack| stack.cycle(false), now.server),
            Action::DrillDown => self.drill_down(now.server),
            Action::Up => self.move_cursor(-1),
            Action::Down => self.move_cursor(1),
            Action::PageUp => self.move_cursor(-self.page_rows()),
            Action::PageDown => self.move_cursor(self.page_rows()),
            Action::Top => self.move_cursor(isize::MIN),
            Action::Bottom => self.move_cursor(isize::MAX),
            Action::OpenFilter => self.filter.open(),
            Action::ToggleFreeze => return self.toggle_freeze(now),
            Action::Refresh => return self.start_fetch(FetchKind::Fresh, now),
            Action::Export => return self.export(now),
            Action::CopyId => return self.copy_id(),
            Action::AnswerCard => return self.copy_card(now),
            Action::PickSession => return self.open_session_picker(),
            // Only the prompt's context binds them, and the prompt takes them above.
            Action::PromptAccept | Action::PromptFormat => {}
            Action::SortSessions(_)
            | Action::SortUsers(_)
            | Action::ZoomIn
            | Action::ZoomOut
            | Action::ZoomReset
            | Action::PanLeft
            | Action::PanRight
            | Action::SortExpected(_) => {
                let zone = &self.config.zone;
                (self.views).act(action, &mut self.derived, &self.store, zone, now.server);
            }
            // The text is kept only when it parses; its server part is fetched at once.
            Action::FilterApply => {
                if self.filter.keep() {
                    return self.fetch_filter_now(now);
                }
            }
            Action::FilterCancel => {
                self.filter.cancel();
                self.on_filter_edited(now);
                return self.fetch_filter_now(now);
            }
            Action::FilterHistoryPrev => {
                let ctx = self.parse_context(now.server);
                self.filter.history_prev(&ctx);
                self.on_filter_edited(now);
            }
            Action::FilterHistoryNext => {
                let ctx = self.parse_context(now.server);
                self.filter.history_next(&ctx);
                self.on_filter_edited(now);
            }
            Action::FilterLineStart => self.filter.home(),
            Action::FilterLineEnd => self.filter.end(),
            Action::FilterDeleteWord => self.edit_filter_text(now, FilterBar::delete_word),
            Action::FilterDeleteToStart => self.edit_filter_text(now, FilterBar::delete_to_start),
            Action::FilterDeleteToEnd => self.edit_filter_text(now, FilterBar::delete_to_end),
        }
        Vec::new()
    }

    /// Whether `action` does something in the current view and state: the footer offers
    /// only the keys that do (the help lists them all). Nothing to freeze once the call
    /// ended and its read is over; nothing to open, export or put on a card for a member
    /// who never joined; nothing to pan in the whole call; nothing to sort in an empty list.
    pub(crate) fn does_something(&self, action: Action) -> bool {
        // Over the view (the export prompt, the picker, the help, the card, the filter bar),
        // every key of the overlay works.
        if self.export_prompt.is_some()
            || self.session_picker.is_some()
            || self.help.is_some()
            || self.card.is_some()
            || self.filter.is_open()
        {
            return true;
        }
        let view = self.view();
        match action {
            Action::ToggleFreeze => {
                self.frozen.is_some() || self.store.is_live() || self.fetch.running
            }
            Action::DrillDown => self
                .views
                .drill_target(&self.derived, &self.store)
                .is_some(),
            Action::Export => !matches!(view, View::Member(_)) && self.view_counts().0 > 0,
            Action::CopyId => self.views.copy_text(&self.store, &self.derived).is_some(),
            Action::AnswerCard => self.views.card_user(&self.derived, &self.store).is_ok(),
            // At the top, Esc clears the filter: with no filter it does nothing.
            Action::Back => {
                self.views.stack.path().len() > 1 || !self.filter.input().trim().is_empty()
            }
            Action::PanLeft | Action::PanRight | Action::ZoomOut | Action::ZoomReset => {
                !self.time_scale().is_whole()
            }
            // An empty list has no order to change.
            Action::SortSessions(_) | Action::SortUsers(_) | Action::SortExpected(_) => {
                self.view_counts().0 > 0
            }
            _ => true,
        }
    }

    /// The footer's bindings: the hinted ones of the active contexts that do something now.
    pub(crate) fn footer_hints(&self) -> Vec<Binding> {
        let contexts = self.contexts();
        hints(&contexts, |action| self.does_something(action)).collect()
    }

    /// The keys the footer offers now (`q`, `?`, `Tab`…), in its order.
    pub fn footer_keys(&self) -> Vec<&'static str> {
        self.footer_hints().iter().map(|b| b.keys).collect()
    }

    /// Keys the keymap leaves to the filter bar: typing, deleting a character, moving by one.
    fn edit_filter(&mut self, key: KeyEvent, now: Now) {
        self.edit_filter_text(now, |bar, ctx| match key.code {
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL) => {
                bar.insert(c.encode_utf8(&mut [0; 4]), ctx);
            }
            KeyCode::Backspace => bar.backspace(ctx),
            KeyCode::Delete => bar.delete(ctx),
            KeyCode::Left => bar.left(),
            KeyCode::Right => bar.right(),
            _ => {}
        });
    }

    /// Applies `edit` to the filter bar, and the filter when its text changed.
    fn edit_filter_text(&mut self, now: Now, edit: impl FnOnce(&mut FilterBar, &ParseContext)) {
        let ctx = self.parse_context(now.server);
        let before = self.filter.input().to_owned();
        edit(&mut self.filter, &ctx);
        if self.filter.input() != before {
            self.on_filter_edited(now);
        }
    }

    /// Moves in the help overlay scroll it; says whether `action` was one.
    fn scroll_help(&mut self, action: Action) -> bool {
        let layout = HelpLayout::new(self.viewport.0, self.viewport.1, self.help_content().len());
        let page = layout.visible.max(1) as isize;
        let lines = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN,
            Action::Bottom => isize::MAX,
            _ => return false,
        };
        if let Some(help) = &mut self.help {
            help.scroll_by(lines, &layout);
        }
        true
    }

    /// Esc: closes the help, pops a drill-down, or clears the filter at the top (fetching
    /// every row at once: nobody is typing).
    fn back(&mut self, now: Now) -> Vec<Effect> {
        if self.help.is_some() {
            self.help = None;
        } else if self.card.is_some() {
            self.card = None;
        } else if !self.views.stack.pop() {
            let ctx = self.parse_context(now.server);
            if self.filter.clear(&ctx) {
                self.on_filter_edited(now);
                return self.fetch_filter_now(now);
            }
        }
        Vec::new()
    }

    /// Another top-level view: the Expected view's list is made when it is shown, dropped
    /// when another is.
    fn switch_view(&mut self, switch: impl FnOnce(&mut ViewStack), now: Nanos) {
        switch(&mut self.views.stack);
        self.classify_expected(now);
    }

    fn drill_down(&mut self, now: Nanos) {
        let thresholds = &self.config.thresholds;
        (self.views).drill_down(&self.derived, &self.store, thresholds, now);
    }

    fn move_cursor(&mut self, delta: isize) {
        self.views.cursor_mut().move_by(delta);
    }

    /// `f`: freezes the view, or applies what arrived meanwhile and resumes.
    fn toggle_freeze(&mut self, now: Now) -> Vec<Effect> {
        match self.frozen.take() {
            None => {
                self.frozen = Some(Frozen {
                    since: now.local,
                    buffered: Vec::new(),
                });
                Vec::new()
            }
            Some(frozen) => {
                let mut effects = Vec::new();
                for event in frozen.buffered {
                    if event.generation() == self.fetch.generation() {
                        effects.extend(self.apply(event, now));
                    }
                }
                if self.stale() {
                    self.recompute(now);
                }
                effects
            }
        }
    }

    /// `y`: the session id in the session lists, the user id elsewhere, as the screen shows
    /// it: an id with terminal controls (a hostile integrator's) is copied with them escaped,
    /// as the answer card carries them, since a clipboard is pasted into terminals and shells.
    fn copy_id(&mut self) -> Vec<Effect> {
        let text = self.views.copy_text(&self.store, &self.derived);
        text.map(|text| Effect::Copy(terminal_safe(&text).into_owned()))
            .into_iter()
            .collect()
    }
}
