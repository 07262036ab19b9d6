//! Drawing the session picker from its state alone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState};

use crate::api::timestamp::Nanos;
use crate::app::SessionPicker;
use crate::app::live::Severity;
use crate::app::picker::Picker;
use crate::attendance::{CallState, ServerDuration, SessionSummary};

use super::format::{PERSON_HOURS, count, server_person_hours};
use super::safe_text::terminal_safe;
use super::theme::Palette;

const WIDTHS: [Constraint; 7] = [
    Constraint::Length(37),
    Constraint::Length(19),
    Constraint::Length(19),
    Constraint::Length(7),
    Constraint::Length(12),
    Constraint::Length(6),
    Constraint::Length(12),
];

/// Draws the picker over the whole screen, with its keys on the last line (before the
/// dashboard starts: there is no footer yet).
pub fn draw(frame: &mut Frame, picker: &Picker) {
    let theme = Palette::new(picker.color());
    let [list, help] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(1)]).areas(frame.area());
    draw_list(frame, list, picker, &theme);
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
    // As tall as the list (a title, the heading, the rows, two rules) and its border, in the
    // middle of the view, which stays visible around it.
    let rows = match state {
        SessionPicker::Open(picker) => picker.sessions().len(),
        SessionPicker::Listing => 1,
    };
    let height = u16::try_from(rows + 6).unwrap_or(u16::MAX).min(area.height);
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
            draw_list(frame, inner, picker, &Palette::new(picker.color()));
        }
        SessionPicker::Listing => {
            let text = format!("listing the sessions of {}…", terminal_safe(call));
            frame.render_widget(Paragraph::new(text), inner);
        }
    }
}

/// The title line and the table of sessions.
fn draw_list(frame: &mut Frame, area: Rect, picker: &Picker, theme: &Palette) {
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let mut heading = Line::from(vec![
        Span::styled(
            format!("headcount · {}", terminal_safe(picker.call())),
            theme.title(),
        ),
        Span::raw(format!(
            " · {} sessions · choose one to open (times in {})",
            picker.sessions().len(),
            picker.zone().label()
        )),
    ]);
    if let Some(reason) = picker.incomplete() {
        heading.push_span(Span::styled(
            format!(" · ⚠ list incomplete: {reason}"),
            theme.severity(Severity::Warning),
        ));
    }
    frame.render_widget(Paragraph::new(heading), title);
    let header = Row::new(
        [
            "SESSION",
            "STARTED",
            "ENDED",
            "STATE",
            "PARTICIPANTS",
            "PEAK",
            PERSON_HOURS,
        ]
        .map(Cell::from),
    )
    .style(theme.column_header());
    let rows = picker
        .sessions()
        .iter()
        .map(|session| row(session, picker, theme));
    let table = Table::new(rows, WIDTHS)
        .header(header)
        .block(Block::new().borders(Borders::TOP | Borders::BOTTOM))
        .row_highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(Some(picker.selected()));
    frame.render_stateful_widget(table, list, &mut state);
}

fn row<'a>(session: &'a SessionSummary, picker: &Picker, theme: &Palette) -> Row<'a> {
    let zone = picker.zone();
    let time = |at: Option<Nanos>| at.map_or_else(|| "-".to_owned(), |at| zone.date_time(at));
    let state = session.state(picker.now());
    let ended = if state == CallState::Live {
        "live".to_owned()
    } else {
        time(session.ended_at)
    };
    let counts = session.counts.as_ref();
    let number =
        |value: Option<i64>| value.map_or_else(|| "-".to_owned(), |n| count(n.max(0) as u64));
    let marker = if session.current { '*' } else { ' ' };
    Row::new([
        Cell::from(format!("{marker}{}", terminal_safe(&session.id))),
        Cell::from(time(session.started_at)),
        Cell::from(ended),
        Cell::from(Span::styled(state.words().label, theme.state(Some(state)))),
        Cell::from(Line::from(number(counts.map(|c| c.participants))).right_aligned()),
        Cell::from(Line::from(number(counts.map(|c| c.peak_concurrent_users))).right_aligned()),
        Cell::from(
            Line::from(
                counts
                    .and_then(|c| {
                        c.total_participant_duration
                            .map(|total| ServerDuration::of(total, Some(c.sessions)))
                    })
                    .map_or_else(|| "-".to_owned(), server_person_hours),
            )
            .right_aligned(),
        ),
    ])
}
