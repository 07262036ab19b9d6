//! What the list views share: a bordered table over a [`ItemList`], built only for the part of
//! the list on screen, with the columns declared in `attendance/columns.rs`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};

use crate::api::timestamp::Nanos;
use crate::app::item_list::{Identified, ItemList, ListWindow};
use crate::attendance::{
    Column, DisplayZone, FilterableRow, Lines, Order, SessionLine, SessionRef, Shown, Tone, Width,
    shown,
};

use super::safe_text::terminal_safe;
use super::theme::Palette;

/// `Joined▲`: the sort column carries its direction.
fn heading(label: &str, sorted: Option<Order>) -> String {
    match sorted {
        Some(Order::Ascending) => format!("{label}▲"),
        Some(Order::Descending) => format!("{label}▼"),
        None => label.to_owned(),
    }
}

/// The fixed parts of a list table.
pub(super) struct TableParts<'a> {
    pub(crate) block: Block<'a>,
    pub(crate) header: Row<'a>,
    pub(crate) widths: Vec<Constraint>,
}

/// A table of `list` in `area`, with `row` building the cells of one item; returns the
/// rows it showed.
pub(super) fn list_table<'a, T: Identified>(
    frame: &mut Frame,
    area: Rect,
    parts: TableParts<'a>,
    list: &ItemList<T>,
    theme: &Palette,
    row: impl Fn(&T) -> Row<'a>,
) -> ListWindow {
    let TableParts {
        block,
        header,
        widths,
    } = parts;
    let inner_height = block.inner(area).height.saturating_sub(1) as usize;
    let window = list.window(inner_height);
    let range = list.range(window);
    let selected = list.selected_index();
    let start = range.start;
    let rows = list.items()[range].iter().enumerate().map(|(i, item)| {
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
    window
}

pub(super) fn style(tone: Tone, theme: &Palette) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::InCall => theme.in_call(),
        Tone::Problem => theme.problem(),
    }
}

/// A cell on screen; the server's text with terminal controls shown as escapes.
pub(super) fn cell<'a>(shown: Shown, theme: &Palette) -> Cell<'a> {
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

pub(super) fn constraint(width: Width) -> Constraint {
    match width {
        Width::Fixed(width) => Constraint::Length(width),
        Width::Fill(min) => Constraint::Min(min),
    }
}

/// A table's columns and the column it is sorted by.
pub(super) struct Sorted<L: Lines> {
    pub(crate) columns: &'static [Column<L>],
    pub(crate) by: (L::Id, Order),
}

/// A bordered table of the shown columns over `list`, the sorted column marked.
pub(super) fn columns_table<L: Lines, T: Identified>(
    frame: &mut Frame,
    area: Rect,
    title: Line<'static>,
    Sorted {
        columns,
        by: sorted,
    }: Sorted<L>,
    list: &ItemList<T>,
    theme: &Palette,
    row: impl Fn(&T) -> Row<'static>,
) -> ListWindow {
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
    list_table(frame, area, parts, list, theme, row)
}

pub(super) fn row_of<'a, L: Lines>(
    columns: &'static [Column<L>],
    line: &L::Line<'_>,
    theme: &Palette,
) -> Row<'a> {
    Row::new(shown(columns).map(|column| cell((column.show)(line), theme)))
}

/// The line of a stored row as the tables show it.
pub(super) fn with_session_line<T>(
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
