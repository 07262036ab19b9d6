//! The `?` overlay: every binding of the keymap (see `app::help`), scrolled when the screen
//! is too short for it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::help::{HelpLayout, HelpLine, HelpOverlay, KEYS_WIDTH};

use super::theme::Palette;

fn styled(line: HelpLine, theme: &Palette) -> Line<'static> {
    match line {
        HelpLine::Section(name) => Line::from(Span::styled(name, theme.title())),
        HelpLine::Binding { keys, help } => Line::from(vec![
            Span::styled(
                format!("  {keys:<width$}", width = KEYS_WIDTH - 3),
                theme.key(),
            ),
            Span::raw(format!(" {help}")),
        ]),
        HelpLine::Note(text) => Line::from(format!("  {text}")),
    }
}

/// The overlay, centred, in two columns when the screen is wide enough.
pub(crate) fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    overlay: &HelpOverlay,
    theme: &Palette,
) {
    let lines: Vec<Line> = app
        .help_content()
        .into_iter()
        .map(|line| styled(line, theme))
        .collect();
    let layout = HelpLayout::new(area.width, area.height, lines.len());
    let popup = Rect::new(
        area.x + (area.width - layout.width) / 2,
        area.y + (area.height - layout.height) / 2,
        layout.width,
        layout.height,
    );
    frame.render_widget(Clear, popup);
    let title = if layout.max_scroll() > 0 {
        " Keys · j/k scroll · ? or Esc to close "
    } else {
        " Keys · ? or Esc to close "
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let column_width = inner.width / layout.columns;
    for (index, chunk) in lines.chunks(layout.per_column.max(1)).enumerate() {
        let column = Rect::new(
            inner.x + column_width * index as u16,
            inner.y,
            column_width,
            inner.height,
        );
        let shown: Vec<Line> = chunk.iter().skip(overlay.scroll()).cloned().collect();
        frame.render_widget(Paragraph::new(shown), column);
    }
}
