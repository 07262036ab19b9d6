//! Drawing the User view: the user's figures on top, then every session with the gap before it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use ratatui::layout::Constraint;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};

use crate::attendance::{
    DETAIL_COLUMNS, DetailLine, PROBLEM_MARK, flags, human_duration, last_leave, percent,
    time_or_dash,
};
use crate::ui::format::{Field, counted, fit, span};
use crate::ui::tables::{TableParts, cell, constraint, list_table, with_session_line};
use crate::ui::theme::Palette;

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    title: Line<'static>,
    theme: &Palette,
) -> Option<ListWindow> {
    let store = app.store();
    let zone = &app.config().zone;
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let crate::app::view::View::UserDetail(user) = app.view() else {
        return None;
    };
    let figures = app.figures().and_then(|f| f.user(user));
    let problems = figures.map_or(crate::attendance::Problems::NONE, |f| f.problems);
    let [summary, table_area] = ratatui::layout::Layout::vertical([
        Constraint::Length(2 + problems.len() as u16),
        Constraint::Min(0),
    ])
    .areas(inner);
    let mut lines = match figures {
        Some(f) => vec![
            // Each figure whole or left out, so that none is cut at a narrow width.
            fit(
                vec![
                    Field::one(
                        0,
                        vec![Span::raw(counted(u64::from(f.sessions), "session"))],
                    ),
                    Field::one(
                        1,
                        vec![Span::raw(format!(
                            "attended {} ({})",
                            span(f.attended),
                            percent(f)
                        ))],
                    ),
                    Field::one(
                        2,
                        vec![Span::raw(format!(
                            "connected {}",
                            human_duration(f.connected_seconds)
                        ))],
                    ),
                    Field::one(
                        3,
                        vec![Span::raw(format!(
                            "first join {}",
                            time_or_dash(zone, f.first_join).text
                        ))],
                    ),
                    Field::one(
                        4,
                        vec![Span::raw(format!("last leave {}", last_leave(f, zone)))],
                    ),
                ],
                Span::raw(" · "),
                usize::from(summary.width),
            ),
            Line::from(Span::styled(
                match flags(f).as_str() {
                    "" => "no flags".to_owned(),
                    text => text.to_owned(),
                },
                theme.dim(),
            )),
        ],
        None => vec![Line::from("no matching sessions")],
    };
    // Why a figure may look odd (attended above connected, a session without a leave).
    for problem in problems.iter() {
        lines.push(Line::from(vec![
            Span::styled(format!("{PROBLEM_MARK} {problem}: "), theme.problem()),
            Span::styled(problem.explanation(), theme.dim()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), summary);
    let header = DETAIL_COLUMNS
        .map(|column| column.heading().text.to_string())
        .to_vec();
    let widths = DETAIL_COLUMNS
        .map(|column| constraint(column.heading().width))
        .to_vec();
    let window = list_table(
        frame,
        table_area,
        TableParts {
            block: Block::new(),
            header,
            widths,
        },
        app.detail(),
        theme,
        |entry| match store.get(entry.row) {
            Some(row) => with_session_line(row, zone, now, |session| {
                let line = DetailLine::new(session.clone(), entry);
                DETAIL_COLUMNS
                    .map(|column| cell(column.show(&line), theme))
                    .to_vec()
            }),
            None => Vec::new(),
        },
    );
    Some(window)
}
