//! The answer card's popup (`c`): the card's plain text over the whole screen but the footer,
//! from the first column and without side borders, so that a terminal's own selection copies
//! exactly the card when OSC 52 is off (in some terminals, and in tmux by default).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::app::card::CardPopup;

use super::safe_text::terminal_safe;
use super::theme::Palette;

/// Draws `card` over `area`: a title line, then the card's lines from `card.scroll`.
pub(crate) fn draw(frame: &mut Frame, area: Rect, card: &CardPopup, theme: &Palette) {
    frame.render_widget(Clear, area);
    let lines = card.text.lines().count();
    let shown = usize::from(area.height.saturating_sub(1));
    let more = if lines > shown + card.scroll {
        " · j/k scroll"
    } else {
        ""
    };
    let mut text = vec![Line::from(Span::styled(
        format!("Answer card · copied with OSC 52, or select it below{more} · Esc closes"),
        theme.title(),
    ))];
    // Server text (ids) with its controls shown, never run.
    text.extend(
        card.text
            .lines()
            .skip(card.scroll)
            .map(|line| Line::from(terminal_safe(line).into_owned())),
    );
    // Wrapped rather than cut on a narrow screen: a pasted card must be whole.
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}
