//! The `?` overlay: every binding, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::keymap::{BINDINGS, Context};

use super::theme::Theme;

const SECTIONS: [(Context, &str); 6] = [
    (Context::Global, "Everywhere"),
    (Context::List, "Lists"),
    (Context::Sessions, "Sessions"),
    (Context::Users, "Users"),
    (Context::Timeline, "Timeline"),
    (Context::FilterBar, "Filter bar"),
];

/// One line per distinct action of each context, with all its keys: `j ↓  move down`.
fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (context, name) in SECTIONS {
        lines.push(Line::from(Span::styled(name, theme.title())));
        let mut seen: Vec<&str> = Vec::new();
        for binding in BINDINGS.iter().filter(|b| b.context == context) {
            if seen.contains(&binding.help) {
                continue;
            }
            seen.push(binding.help);
            let keys: Vec<&str> = BINDINGS
                .iter()
                .filter(|b| b.context == context && b.help == binding.help)
                .map(|b| b.keys)
                .collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(" ")), theme.key()),
                Span::raw(format!(" {}", binding.help)),
            ]));
        }
    }
    lines
}

/// The overlay, centred, in two columns when the screen is wide enough.
pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme) {
    let lines = help_lines(theme);
    let columns: u16 = if area.width >= 110 { 2 } else { 1 };
    let per_column = lines.len().div_ceil(columns as usize);
    let width = (columns * 54 + 2).min(area.width);
    let height = (per_column as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(" Keys · ? or Esc to close ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let column_width = inner.width / columns;
    for (index, chunk) in lines.chunks(per_column.max(1)).enumerate() {
        let column = Rect::new(
            inner.x + column_width * index as u16,
            inner.y,
            column_width,
            inner.height,
        );
        frame.render_widget(Paragraph::new(chunk.to_vec()), column);
    }
}
