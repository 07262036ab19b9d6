//! The list views: sessions, users, and one user's sessions. Rows are built only for the part
//! of the list on screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::listing::{Keyed, Listing};
use crate::attendance::{
    DisplayZone, Gap, Order, RowContext, SessionColumn, SessionRef, SessionStore, UserColumn,
    UserFigures, human_duration,
};

use super::format::{count, counted, span};
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

fn time_or(zone: &DisplayZone, at: Option<Nanos>, missing: &'static str) -> String {
    at.map_or(missing.to_owned(), |at| zone.time(at))
}

/// The fixed parts of a list table.
struct TableParts<'a> {
    block: Block<'a>,
    header: Row<'a>,
    widths: &'a [Constraint],
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
    let table = Table::new(rows, widths.to_vec())
        .header(header.style(theme.column_header()))
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
}

/// A cell of text the server sent, with terminal controls shown as escapes.
fn server_text<'a>(text: &str) -> Cell<'a> {
    Cell::from(terminal_safe(text).into_owned())
}

/// The marker of a row or user with problems.
pub const PROBLEM_MARK: &str = "⚠";

fn session_cells<'a>(
    row: SessionRef<'_>,
    zone: &DisplayZone,
    ctx: &RowContext,
    theme: &Theme,
) -> Vec<Cell<'a>> {
    let counted = row.counted(ctx);
    let left = match row.left_at() {
        Some(at) => Cell::from(zone.time(at)),
        None if counted.open => Cell::from(Span::styled("● in call", theme.in_call())),
        // Ten columns wide, as the column is.
        None => Cell::from(Span::styled("unrecorded", theme.problem())),
    };
    let user = if counted.problems.is_empty() {
        server_text(row.user_id())
    } else {
        Cell::from(Line::from(vec![
            Span::styled(format!("{PROBLEM_MARK} "), theme.problem()),
            Span::raw(terminal_safe(row.user_id()).into_owned()),
        ]))
    };
    let roles = row.roles().collect::<Vec<_>>().join(",");
    vec![
        user,
        server_text(row.user_session_id().as_str()),
        Cell::from(time_or(zone, row.joined_at(), "—")),
        left,
        Cell::from(
            row.shown_duration(ctx)
                .map_or("—".to_owned(), human_duration),
        ),
        server_text(row.publisher_type()),
        server_text(&roles),
    ]
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
    let ctx = store.row_context(now);
    let (sort_column, order) = app.session_sort();
    let columns = [
        (SessionColumn::User, "User [U]"),
        (SessionColumn::UserSession, "User session [S]"),
        (SessionColumn::Joined, "Joined [J]"),
        (SessionColumn::Left, "Left [L]"),
        (SessionColumn::Duration, "Duration [D]"),
        (SessionColumn::Publisher, "Publisher [P]"),
        (SessionColumn::Roles, "Roles [R]"),
    ];
    let header = Row::new(
        columns.map(|(column, label)| heading(label, (column == sort_column).then_some(order))),
    );
    let widths = [
        Constraint::Min(12),
        Constraint::Length(36),
        Constraint::Length(11),
        Constraint::Length(10),
        Constraint::Length(13),
        Constraint::Length(14),
        Constraint::Min(8),
    ];
    list_table(
        frame,
        area,
        TableParts {
            block: Block::bordered().title(title),
            header,
            widths: &widths,
        },
        app.sessions(),
        theme,
        |&id| match store.get(id) {
            Some(row) => Row::new(session_cells(row, zone, &ctx, theme)),
            None => Row::default(),
        },
    );
}

/// `late · left early · ↻2 · multi-device · ● now`
fn flags(user: &UserFigures) -> String {
    let mut flags = Vec::new();
    if user.late {
        flags.push("late".to_owned());
    }
    if user.left_early {
        flags.push("left early".to_owned());
    }
    if user.reconnects > 0 {
        flags.push(format!("↻{}", user.reconnects));
    }
    if user.multi_device {
        flags.push("multi-device".to_owned());
    }
    if user.in_call_now {
        flags.push("● now".to_owned());
    }
    if !user.problems.is_empty() {
        flags.push(format!("{PROBLEM_MARK} {}", user.problems));
    }
    flags.join(" · ")
}

/// `66.7%`: the exported figure, to the same decimal.
fn percent(user: &UserFigures) -> String {
    user.attendance_tenths.map_or("—".to_owned(), |tenths| {
        format!("{}.{}%", tenths / 10, tenths % 10)
    })
}

fn last_leave(user: &UserFigures, zone: &DisplayZone) -> String {
    if user.in_call_now {
        "● in call".to_owned()
    } else {
        time_or(zone, user.last_leave, "—")
    }
}

fn user_row<'a>(store: &SessionStore, user: &UserFigures, zone: &DisplayZone) -> Row<'a> {
    Row::new(vec![
        terminal_safe(store.user_name(user.user)).into_owned(),
        span(user.attended),
        human_duration(user.connected_seconds),
        count(u64::from(user.sessions)),
        time_or(zone, user.first_join, "—"),
        last_leave(user, zone),
        percent(user),
        flags(user),
    ])
}

pub fn users(frame: &mut Frame, area: Rect, app: &App, title: Line<'static>, theme: &Theme) {
    let store = app.store();
    let zone = &app.config().zone;
    let (sort_column, order) = app.user_sort();
    let columns = [
        (Some(UserColumn::User), "User [U]"),
        (Some(UserColumn::Attended), "Attended [A]"),
        (Some(UserColumn::Connected), "Connected [C]"),
        (Some(UserColumn::Sessions), "Sessions [N]"),
        (Some(UserColumn::FirstJoin), "First join [F]"),
        (Some(UserColumn::LastLeave), "Last leave [L]"),
        (Some(UserColumn::Attendance), "% [%]"),
        (None, "Flags"),
    ];
    let header = Row::new(
        columns
            .map(|(column, label)| heading(label, (column == Some(sort_column)).then_some(order))),
    );
    let widths = [
        Constraint::Min(12),
        Constraint::Length(13),
        Constraint::Length(14),
        Constraint::Length(13),
        Constraint::Length(15),
        Constraint::Length(15),
        Constraint::Length(7),
        Constraint::Min(10),
    ];
    list_table(
        frame,
        area,
        TableParts {
            block: Block::bordered().title(title),
            header,
            widths: &widths,
        },
        app.users(),
        theme,
        |&user| match app.user_figures(user) {
            Some(figures) => user_row(store, figures, zone),
            None => Row::new([server_text(store.user_name(user))]),
        },
    );
}

fn gap_text(gap: Gap, reconnect: bool) -> String {
    match gap {
        Gap::First => "first".to_owned(),
        Gap::After(gap) if reconnect => format!("↻ {} gap", span(gap)),
        Gap::After(gap) => format!("{} gap", span(gap)),
        Gap::Overlapping(overlap) => format!("overlap {}", span(overlap)),
        Gap::Untimed => "untimed".to_owned(),
    }
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
    let ctx = store.row_context(now);
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let user = match app.view() {
        crate::app::view::View::UserDetail(user) => user,
        _ => return,
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
                time_or(zone, f.first_join, "—"),
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
    let header = Row::new([
        "User session",
        "Joined",
        "Left",
        "Duration",
        "Before",
        "Publisher",
        "Roles",
    ]);
    let widths = [
        Constraint::Length(36),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Min(6),
    ];
    list_table(
        frame,
        table_area,
        TableParts {
            block: Block::new(),
            header,
            widths: &widths,
        },
        app.detail(),
        theme,
        |entry| match store.get(entry.row) {
            Some(row) => {
                let mut cells = session_cells(row, zone, &ctx, theme);
                cells.remove(0);
                cells.insert(4, Cell::from(gap_text(entry.gap_before, entry.reconnect)));
                Row::new(cells)
            }
            None => Row::default(),
        },
    );
}
