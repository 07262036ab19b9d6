//! The filter bar: the text with its cursor, the `filter_conditions` that will be sent, the
//! local-only part, and a caret under a parse error.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::filter_bar::FilterBar;

use super::safe_text::terminal_safe;
use super::theme::Theme;

const PROMPT: &str = "/ ";

/// Lines the open bar needs.
pub const HEIGHT: u16 = 3;

pub fn draw(frame: &mut Frame, area: Rect, bar: &FilterBar, theme: &Theme) {
    let filter = bar.active();
    let server = filter
        .server_json()
        .map_or("(none: every session)".to_owned(), |json| {
            terminal_safe(&json.to_string()).into_owned()
        });
    let mut preview = vec![
        Span::styled("filter_conditions ", theme.dim()),
        Span::raw(server),
    ];
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
        None => Line::default(),
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
