//! Drawing the session picker from its state alone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState};

use crate::app::SessionPicker;
use crate::app::live::Severity;
use crate::app::picker::Picker;

use super::call_session_columns::{
    COUNTS_SOURCE, CallSessionColumn, CellContext, Numbers, cells, cut, fitting, widths,
};
use super::safe_text::terminal_safe;
use super::theme::Palette;

/// Draws the picker over the whole screen, with its keys on the last line (before the
/// dashboard starts: there is no footer yet).
pub fn draw(frame: &mut Frame, picker: &Picker) {
    let theme = Palette::new(picker.color());
    let [list, help] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(1)]).areas(frame.area());
    draw_list(frame, list, picker, &theme, Borders::TOP | Borders::BOTTOM);
    let keys = Line::from(vec![
        Span::styled(" j/k ", theme.key()),
        Span::raw(" move  "),
        Span::styled(" Enter ", theme.key()),
        Span::raw(" open  "),
        Span::styled(" q ", theme.key()),
        Span::raw(" quit   * current session"),
    ]);
    frame.render_widget(Paragraph::new(keys), help);
}

/// Draws the dashboard's picker (`s`) over `area`: in a titled border, as the help overlay,
/// so that it stands out from the view it covers; the list once it came, else what is being
/// read. The dashboard's footer gives its keys, from the keymap.
pub(crate) fn draw_over(frame: &mut Frame, area: Rect, state: &SessionPicker, call: &str) {
    // As tall as the list (a title, a rule, the heading, the rows) and its border, in the
    // middle of the view, which stays visible around it.
    let rows = match state {
        SessionPicker::Open(picker) => picker.sessions().len(),
        SessionPicker::Listing => 1,
    };
    let height = u16::try_from(rows + 5).unwrap_or(u16::MAX).min(area.height);
    let area = Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..area
    };
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(" Switch session · Enter open · Esc back ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match state {
        SessionPicker::Open(picker) => {
            // The border below is the list's end: no rule of its own above it.
            draw_list(
                frame,
                inner,
                picker,
                &Palette::new(picker.color()),
                Borders::TOP,
            );
        }
        SessionPicker::Listing => {
            let text = format!("listing the sessions of {}…", terminal_safe(call));
            frame.render_widget(Paragraph::new(text), inner);
        }
    }
}

/// The title line and the table of sessions: the columns of [`CallSessionColumn`] that fit.
fn draw_list(frame: &mut Frame, area: Rect, picker: &Picker, theme: &Palette, rules: Borders) {
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    // Each part whole or not at all, in the order they matter: a narrow screen gives up the
    // invitation before the zone the times are in.
    let mut parts = vec![Span::styled(
        format!("headcount · {}", terminal_safe(picker.call())),
        theme.title(),
    )];
    parts.push(Span::raw(format!(
        " · {} sessions",
        picker.sessions().len()
    )));
    if let Some(reason) = picker.incomplete() {
        parts.push(Span::styled(
            format!(" · ⚠ list incomplete: {reason}"),
            theme.severity(Severity::Warning),
        ));
    }
    parts.push(Span::raw(format!(" · times in {}", picker.zone().label())));
    parts.push(Span::raw(format!(" · {COUNTS_SOURCE}")));
    parts.push(Span::raw(" · choose one to open"));
    let mut heading = Line::default();
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 && heading.width() + part.width() > usize::from(title.width) {
            break;
        }
        heading.push_span(part);
    }
    frame.render_widget(Paragraph::new(heading), title);
    let ctx = CellContext {
        zone: picker.zone(),
        now: picker.now(),
        numbers: Numbers::Grouped,
    };
    let cells = cells(picker.sessions(), &ctx);
    let shown = fitting(
        widths(&cells),
        usize::from(list.width).saturating_sub(HIGHLIGHT.chars().count()),
        usize::from(COLUMN_GAP),
    );
    let header = Row::new(shown.iter().map(|(column, width)| {
        let text = cut(column.header(), *width);
        let line = Line::from(text);
        Cell::from(if column.numeric() {
            line.right_aligned()
        } else {
            line
        })
    }))
    .style(theme.column_header());
    let rows = picker
        .sessions()
        .iter()
        .zip(&cells)
        .map(|(session, cells)| {
            Row::new(shown.iter().map(|(column, width)| {
                let index = CallSessionColumn::ALL
                    .iter()
                    .position(|c| c == column)
                    .unwrap_or_default();
                let line = Line::from(cut(&cells[index], *width));
                let line = if column.numeric() {
                    line.right_aligned()
                } else {
                    line
                };
                match column {
                    CallSessionColumn::State => {
                        Cell::from(line.style(theme.state(Some(session.state(picker.now())))))
                    }
                    _ => Cell::from(line),
                }
            }))
        });
    let widths = shown
        .iter()
        .map(|(_, width)| Constraint::Length(u16::try_from(*width).unwrap_or(u16::MAX)));
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(COLUMN_GAP)
        .block(Block::new().borders(rules))
        .row_highlight_style(theme.selected())
        .highlight_symbol(HIGHLIGHT);
    let mut state = TableState::default().with_selected(Some(picker.selected()));
    frame.render_stateful_widget(table, list, &mut state);
}

const HIGHLIGHT: &str = "▶ ";
const COLUMN_GAP: u16 = 1;
