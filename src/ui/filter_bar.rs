//! The filter bar: the text with its cursor, the `filter_conditions` that will be sent, the
//! local-only part, and a caret under a parse error, or else how the filter was read (its
//! grouping, and the instant each time stands for).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::filter_bar::FilterBar;
use crate::attendance::DisplayZone;
use crate::filter::Filter;

use super::safe_text::terminal_safe;
use super::theme::Palette;

const PROMPT: &str = "/ ";

/// Lines the open bar needs.
pub(crate) const HEIGHT: u16 = 3;

/// How the filter was read: its grouping in parentheses, and each time with the instant it
/// resolved to (`00:10 = 2026-05-13 00:10:00 +05:45`) and what was chosen for it.
fn reading(filter: &Filter, zone: &DisplayZone, theme: &Palette) -> Line<'static> {
    let mut spans = Vec::new();
    if filter.grouped != filter.source.trim() {
        spans.push(Span::styled("read as ", theme.dim()));
        spans.push(Span::raw(terminal_safe(&filter.grouped).into_owned()));
    }
    for time in &filter.times {
        if !spans.is_empty() {
            spans.push(Span::styled("  ·  ", theme.dim()));
        }
        spans.push(Span::raw(format!(
            "{} = {}",
            terminal_safe(&time.text),
            zone.date_time_offset(time.at)
        )));
        if let Some(note) = &time.note {
            spans.push(Span::styled(format!(" ({note})"), theme.dim()));
        }
    }
    Line::from(spans)
}

pub(crate) fn draw(
    frame: &mut Frame,
    area: Rect,
    bar: &FilterBar,
    zone: &DisplayZone,
    theme: &Palette,
) {
    let filter = bar.active();
    let server = filter
        .server_json()
        .map_or("(none: every session)".to_owned(), |json| {
            terminal_safe(&json.to_string()).into_owned()
        });
    let mut preview = Vec::new();
    if let Some(kept) = bar.kept_while_invalid() {
        // The text does not parse: what applies is the filter from before editing.
        let name = match kept.source.trim() {
            "" => "no filter".to_owned(),
            text => terminal_safe(text).into_owned(),
        };
        preview.push(Span::styled(
            format!("not applied, still in force: {name} · "),
            theme.error(),
        ));
    }
    preview.push(Span::styled("filter_conditions ", theme.dim()));
    preview.push(Span::raw(server));
    if let Some(local) = filter.local_description() {
        preview.push(Span::styled("  local only: ", theme.dim()));
        preview.push(Span::raw(terminal_safe(&local).into_owned()));
    }
    let third = match bar.error() {
        Some(error) => Line::from(Span::styled(
            format!(
                "{}^ {}",
                " ".repeat(PROMPT.len() + error.column(bar.input())),
                terminal_safe(&error.message)
            ),
            theme.error(),
        )),
        None => reading(filter, zone, theme),
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(PROMPT, theme.title()),
            Span::raw(bar.input().to_owned()),
        ]),
        Line::from(preview),
        third,
    ];
    frame.render_widget(Paragraph::new(lines), area);
    let x = area.x + (PROMPT.len() + bar.cursor_column()) as u16;
    if x < area.right() && area.height > 0 {
        frame.set_cursor_position(Position::new(x, area.y));
    }
}
