//! `c`: the answer card of the selected user (in Sessions, of the call), put on the clipboard
//! and shown in a popup the terminal can select from, since OSC 52 is off in some terminals
//! and in tmux by default. The text comes from `attendance::user_card` and `call_card`, the
//! functions `headcount totals --user` prints with.

use crate::attendance::{CardContext, call_card, user_card};

use super::effect::Effect;
use super::live::{Caveat, Status};
use super::{App, Now};

/// The card on screen, and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CardPopup {
    pub(crate) text: String,
    pub(crate) scroll: usize,
}

impl CardPopup {
    /// Moves by `lines`, never past the last line.
    pub(crate) fn scroll_by(&mut self, lines: isize) {
        let last = self.text.lines().count().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(lines).min(last);
    }
}

impl App {
    /// The answer card of what the current view selects, as the figures on screen give it:
    /// at the instant they were computed, over the rows the filter keeps. `None` until the
    /// call is known and its figures are computed for the filter in force.
    pub(crate) fn answer_card(&self) -> Result<String, &'static str> {
        let identity = self.store.identity().ok_or("no page has arrived yet")?;
        if self.figures_due.is_some() {
            return Err("the figures of the new filter are not computed yet");
        }
        let figures = self
            .derived
            .figures
            .as_ref()
            .ok_or("the figures are not computed yet")?;
        // What makes an export refuse makes the card say so first: a read under way, a
        // shortfall, a live read short of Stream's total. The card leaves the screen.
        let incomplete = self.export_caveat().map(Caveat::missing);
        let source = self.shown.source.trim();
        let rows = self.derived.filtered.ids();
        let ctx = CardContext {
            store: &self.store,
            identity,
            rows: &rows,
            now: self.derived.computed_at.unwrap_or(self.now.server),
            zone: &self.config.zone,
            thresholds: &self.config.thresholds,
            filter: (!source.is_empty()).then_some(source),
            incomplete: incomplete.as_deref(),
        };
        Ok(match self.views.card_user(&self.derived, &self.store)? {
            Some(user) => {
                let figures = figures
                    .user(user)
                    .ok_or("the selected user has no session under this filter")?;
                user_card(ctx, figures).text()
            }
            None => call_card(ctx, &figures.call),
        })
    }

    /// `c`: copies the card (OSC 52, through the driver) and opens it in the popup.
    pub(super) fn copy_card(&mut self, now: Now) -> Vec<Effect> {
        match self.answer_card() {
            Ok(text) => {
                self.card = Some(CardPopup {
                    text: text.clone(),
                    scroll: 0,
                });
                vec![Effect::Copy(text)]
            }
            Err(why) => {
                self.post(Status::NoCard(why), now);
                Vec::new()
            }
        }
    }
}
