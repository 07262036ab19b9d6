//! The bottom lines: the status message and the key hints of the active contexts.

use ratatui::text::{Line, Span};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::app::App;
use crate::app::keymap::hints;

use super::format::count;
use super::safe_text::terminal_safe;
use super::theme::Theme;

/// The retry countdown, the outcome of the last action, or nothing.
pub fn status_line(app: &App, now: Nanos, theme: &Theme) -> Option<Line<'static>> {
    let status = app.status()?;
    let mut text = terminal_safe(&status.text).into_owned();
    if let Some(at) = status.retry_at.filter(|&at| at > now) {
        text.push_str(&format!(
            " (in {}s)",
            (at - now + NANOS_PER_SEC - 1) / NANOS_PER_SEC
        ));
    }
    Some(Line::from(Span::styled(text, theme.level(status.level))))
}

/// `FROZEN 2m 14s · 3 updates waiting · f to resume`
pub fn frozen_banner(app: &App, now: Nanos, theme: &Theme) -> Option<Line<'static>> {
    let frozen = app.frozen()?;
    let waiting = frozen.waiting_pages();
    let text = format!(
        " ❚❚ FROZEN {} · {} update{} waiting · f to resume ",
        crate::attendance::human_duration((now - frozen.since).max(0) / NANOS_PER_SEC),
        count(waiting as u64),
        if waiting == 1 { "" } else { "s" },
    );
    Some(Line::from(Span::styled(text, theme.banner())))
}

/// `q quit  ? help  Tab view …`, from the keymap.
pub fn hints_line(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for binding in hints(&app.contexts()) {
        spans.push(Span::styled(format!(" {} ", binding.keys), theme.key()));
        spans.push(Span::raw(format!(" {}  ", binding.hint)));
    }
    Line::from(spans)
}
