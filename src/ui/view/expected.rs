//! Drawing the Expected view: the counts and what to know to read them, then one row per
//! person; or, when nobody can be classified, why.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::app::view::line_of;
use crate::attendance::{Classification, EXPECTED_COLUMNS};

use crate::ui::safe_text::terminal_safe;
use crate::ui::tables::{Sorted, columns_table, row_of};
use crate::ui::theme::Palette;

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    title: Line<'static>,
    theme: &Palette,
) -> Option<ListWindow> {
    let Some(expected) = app.expected_people() else {
        let text =
            Paragraph::new("reading who was expected…").block(Block::bordered().title(title));
        frame.render_widget(text, area);
        return None;
    };
    let roster = match &expected.classification {
        Classification::Classified(roster) => roster,
        Classification::Unclassified(reasons) => {
            let mut lines = vec![Line::from(Span::styled(
                "cannot classify who was expected, because:",
                theme.problem(),
            ))];
            for reason in reasons {
                lines.push(Line::from(format!(
                    "  · {}",
                    terminal_safe(&reason.to_string())
                )));
            }
            let text = Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(title));
            frame.render_widget(text, area);
            return None;
        }
    };
    let notes = roster.notes();
    let [notes_area, table_area] =
        Layout::vertical([Constraint::Length(notes.len() as u16), Constraint::Min(0)]).areas(area);
    let lines: Vec<Line> = notes
        .iter()
        .map(|note| Line::from(Span::styled(format!("note: {note}"), theme.dim())))
        .collect();
    frame.render_widget(Paragraph::new(lines), notes_area);
    let zone = &app.config().zone;
    let invited = expected.invited.as_deref();
    let shown = columns_table(
        frame,
        table_area,
        title,
        Sorted {
            columns: &EXPECTED_COLUMNS,
            by: app.expected_sort(),
        },
        app.expected(),
        theme,
        |item| match roster.people.get(item.at as usize, app.store()) {
            Some(person) => row_of(&EXPECTED_COLUMNS, &line_of(roster, invited, person, zone)),
            None => Vec::new(),
        },
    );
    if let Some(lines) = app.expected_empty_help() {
        super::empty_help(frame, table_area, lines, theme);
    }
    Some(shown)
}
