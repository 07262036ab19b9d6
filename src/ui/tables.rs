//! The list views: sessions, users, and one user's sessions. Rows are built only for the part
//! of the list on screen; their columns are declared in `attendance/columns.rs`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::listing::{Keyed, Listing};
use crate::attendance::{
    Column, DETAIL_COLUMNS, DetailLine, DisplayZone, FilterableRow, Lines, Order, PROBLEM_MARK,
    SESSION_COLUMNS, SessionLine, SessionRef, Shown, Tone, USER_COLUMNS, UserLine, Width, flags,
    human_duration, last_leave, percent, shown, time_or_dash,
};

use super::format::{counted, span};
use super::safe_text::terminal_safe;
use super::theme::Theme;

/// `Joined▲`: the sort column carries its direction.
fn heading(label: &str, sorted: Option<Order>) -> String {
    match sorted {
        Some(Order::Ascending) => format!("{label}▲"),
        Some(Order::Descending) => format!("{label}▼"),
        None => label.to_owned(),
    }
}

/// The fixed parts of a list table.
struct TableParts<'a> {
    block: Block<'a>,
    header: Row<'a>,
    widths: Vec<Constraint>,
}

/// A table of `listing` in `area`, with `row` building the cells of one item.
fn list_table<'a, T: Keyed>(
    frame: &mut Frame,
    area: Rect,
    parts: TableParts<'a>,
    listing: &Listing<T>,
    theme: &Theme,
    row: impl Fn(&T) -> Row<'a>,
) {
    let TableParts {
        block,
        header,
        widths,
    } = parts;
    let inner_height = block.inner(area).height.saturating_sub(1) as usize;
    let range = listing.visible(inner_height);
    let selected = listing.selected_index();
    let start = range.start;
    let rows = listing.items()[range].iter().enumerate().map(|(i, item)| {
        let built = row(item);
        if Some(start + i) == selected {
            built.style(theme.selected())
        } else {
            built
        }
    });
    let table = Table::new(rows, widths)
        .header(header.style(theme.column_header()))
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn style(tone: Tone, theme: &Theme) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::InCall => theme.in_call(),
        Tone::Problem => theme.problem(),
    }
}

/// A cell on screen; the server's text with terminal controls shown as escapes.
fn cell<'a>(shown: Shown, theme: &Theme) -> Cell<'a> {
    let text = if shown.from_server {
        terminal_safe(&shown.text).into_owned()
    } else {
        shown.text
    };
    match (shown.mark, shown.tone) {
        (Some((tone, mark)), _) => Cell::from(Line::from(vec![
            Span::styled(format!("{mark} "), style(tone, theme)),
            Span::raw(text),
        ])),
        (None, Tone::Plain) => Cell::from(text),
        (None, tone) => Cell::from(Span::styled(text, style(tone, theme))),
    }
}

fn constraint(width: Width) -> Constraint {
    match width {
        Width::Fixed(width) => Constraint::Length(width),
        Width::Fill(min) => Constraint::Min(min),
    }
}

/// A table's columns and the column it is sorted by.
struct Sorted<L: Lines> {
    columns: &'static [Column<L>],
    by: (L::Id, Order),
}

/// A bordered table of the shown columns over `listing`, the sorted column marked.
fn columns_table<L: Lines, T: Keyed>(
    frame: &mut Frame,
    area: Rect,
    title: Line<'static>,
    Sorted {
        columns,
        by: sorted,
    }: Sorted<L>,
    listing: &Listing<T>,
    theme: &Theme,
    row: impl Fn(&T) -> Row<'static>,
) {
    let header = Row::new(shown(columns).map(|column| {
        let is_sorted = column.sort.is_some_and(|sort| sort.id == sorted.0);
        heading(&column.heading_with_key(), is_sorted.then_some(sorted.1))
    }));
    let widths: Vec<Constraint> = shown(columns)
        .filter_map(|column| column.heading)
        .map(|heading| constraint(heading.width))
        .collect();
    let parts = TableParts {
        block: Block::bordered().title(title),
        header,
        widths,
    };
    list_table(frame, area, parts, listing, theme, row);
}

fn row_of<'a, L: Lines>(
    columns: &'static [Column<L>],
    line: &L::Line<'_>,
    theme: &Theme,
) -> Row<'a> {
    Row::new(shown(columns).map(|column| cell((column.show)(line), theme)))
}

/// The line of a stored row as the tables show it.
fn with_session_line<T>(
    row: SessionRef<'_>,
    zone: &DisplayZone,
    now: Nanos,
    then: impl FnOnce(&SessionLine) -> T,
) -> T {
    let counted = row.counted(&row.store().row_context(now));
    let filterable = FilterableRow::new(row);
    let line = SessionLine::new(&filterable, counted.problems, counted.open, now, zone);
    then(&line)
}

pub fn sessions(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    title: Line<'static>,
    theme: &Theme,
) {
    let store = app.store();
    let zone = &app.config().zone;
    columns_table(
        frame,
        area,
        title,
        Sorted {
            columns: &SESSION_COLUMNS,
            by: app.session_sort(),
        },
        app.sessions(),
        theme,
        |&id| match store.get(id) {
            Some(row) => {
                with_session_line(row, zone, now, |line| row_of(&SESSION_COLUMNS, line, theme))
            }
            None => Row::default(),
        },
    );
}

pub fn users(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    title: Line<'static>,
    theme: &Theme,
) {
    let store = app.store();
    let zone = &app.config().zone;
    let window = store.window(now);
    columns_table(
        frame,
        area,
        title,
        Sorted {
            columns: &USER_COLUMNS,
            by: app.user_sort(),
        },
        app.users(),
        theme,
        |&user| match app.user_figures(user) {
            Some(figures) => {
                let line = UserLine {
                    figures,
                    store,
                    rows: app.user_rows(user),
                    zone,
                    window,
                    now,
                };
                row_of(&USER_COLUMNS, &line, theme)
            }
            None => Row::new([cell(Shown::server(store.user_name(user)), theme)]),
        },
    );
}

/// The user's figures on top, then every session with the gap before it.
pub fn user_detail(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    title: Line<'static>,
    theme: &Theme,
) {
    let store = app.store();
    let zone = &app.config().zone;
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let crate::app::view::View::UserDetail(user) = app.view() else {
        return;
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
            Line::from(format!(
                "{} · attended {} ({}) · connected {} · first join {} · last leave {}",
                counted(u64::from(f.sessions), "session"),
                span(f.attended),
                percent(f),
                human_duration(f.connected_seconds),
                time_or_dash(zone, f.first_join).text,
                last_leave(f, zone),
            )),
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
    let header = Row::new(DETAIL_COLUMNS.map(|column| column.heading().text));
    let widths = DETAIL_COLUMNS
        .map(|column| constraint(column.heading().width))
        .to_vec();
    list_table(
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
                Row::new(DETAIL_COLUMNS.map(|column| cell(column.show(&line), theme)))
            }),
            None => Row::default(),
        },
    );
}
