//! What the list views share: a bordered table over a [`ItemList`], built only for the part of
//! the list on screen, with the columns declared in `attendance/columns.rs`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};

use crate::api::timestamp::Nanos;
use crate::app::item_list::{Identified, ItemList, ListWindow};
use crate::attendance::{
    Column, DisplayZone, FilterableRow, Heading, Lines, Order, SessionLine, SessionRef, Shown,
    Tone, Width, shown, sorted_by,
};

use super::format::{count, shortened};
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
    pub(crate) header: Vec<String>,
    /// Each column's width and how long a narrow table keeps it.
    pub(crate) headings: Vec<Heading>,
}

/// Cells between two columns.
const COLUMN_SPACING: u16 = 1;

/// Which columns fit in `width` cells at their widths, a `Fill` column at its minimum: the
/// first one always; then the others in the order of their `Keep` (among equals the
/// fixed-width ones first, then in order), each whole or left out. A column that does not fit
/// is dropped rather than squeezed, so that no number is cut.
fn columns_that_fit(headings: &[Heading], width: u16) -> Vec<bool> {
    let cells = |heading: &Heading| match heading.width {
        Width::Fixed(n) | Width::Fill(n) => n,
    };
    let mut kept = vec![false; headings.len()];
    let Some(first) = headings.first() else {
        return kept;
    };
    kept[0] = true;
    let mut used = u32::from(cells(first));
    let mut order: Vec<usize> = (1..headings.len()).collect();
    order.sort_by_key(|&i| {
        let fill = matches!(headings[i].width, Width::Fill(_));
        (headings[i].keep, fill, i)
    });
    for i in order {
        let total = used + u32::from(COLUMN_SPACING) + u32::from(cells(&headings[i]));
        if total <= u32::from(width) {
            used = total;
            kept[i] = true;
        }
    }
    kept
}

/// The items of `all` whose column is kept.
fn kept_only<T>(all: impl IntoIterator<Item = T>, kept: &[bool]) -> Vec<T> {
    all.into_iter()
        .zip(kept)
        .filter_map(|(item, &keep)| keep.then_some(item))
        .collect()
}

/// The cells each kept column gets, as the table lays them out (no selection column).
fn laid_out(widths: &[Constraint], width: u16) -> Vec<u16> {
    Layout::horizontal(widths.iter().copied())
        .flex(Flex::Start)
        .spacing(COLUMN_SPACING)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|column| column.width)
        .collect()
}

/// A table of `list` in `area`, with `row` building the cells of one item; returns the
/// rows it showed. The columns that do not fit the width are left out, those a narrow table
/// keeps least first ([`columns_that_fit`]); a
/// text longer than its column (an id in a column that takes what is left) ends with `…`.
pub(super) fn list_table<T: Identified>(
    frame: &mut Frame,
    area: Rect,
    parts: TableParts<'_>,
    list: &ItemList<T>,
    theme: &Palette,
    row: impl Fn(&T) -> Vec<Shown>,
) -> ListWindow {
    let TableParts {
        block,
        header,
        headings,
    } = parts;
    let inner = block.inner(area);
    let kept = columns_that_fit(&headings, inner.width);
    let widths = kept_only(
        headings.iter().map(|heading| constraint(heading.width)),
        &kept,
    );
    let cells = laid_out(&widths, inner.width);
    let inner_height = inner.height.saturating_sub(1) as usize;
    let window = list.window(inner_height);
    let range = list.range(window);
    let selected = list.selected_index();
    let start = range.start;
    let rows = list.items()[range].iter().enumerate().map(|(i, item)| {
        let shown = kept_only(row(item), &kept);
        let built = Row::new(
            shown
                .into_iter()
                .zip(&cells)
                .map(|(shown, &width)| cell(shown, width, theme)),
        );
        if Some(start + i) == selected {
            built.style(theme.selected())
        } else {
            built
        }
    });
    let header = Row::new(kept_only(header, &kept));
    let table = Table::new(rows, widths)
        .header(header.style(theme.column_header()))
        .block(block)
        .column_spacing(COLUMN_SPACING);
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

/// A cell of `width` cells on screen; the server's text with terminal controls shown as
/// escapes, cut with `…` when it is longer than the column.
fn cell<'a>(shown: Shown, width: u16, theme: &Palette) -> Cell<'a> {
    let text = if shown.from_server {
        terminal_safe(&shown.text).into_owned()
    } else {
        shown.text
    };
    let mark_cells = shown
        .mark
        .map_or(0, |(_, mark)| Span::raw(mark).width() + 1);
    let text = shortened(&text, usize::from(width).saturating_sub(mark_cells));
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

/// ` 37 / 5,000 `: the cursor's place in the list, for the bottom right of its border, as
/// k9s and lazygit show it; nothing for an empty list, whose help or title says why.
pub(super) fn position<T: Identified>(list: &ItemList<T>) -> Option<Line<'static>> {
    let at = list.selected_index()?;
    let text = format!(" {} / {} ", count(at as u64 + 1), count(list.len() as u64));
    Some(Line::from(text).right_aligned())
}

/// A bordered block titled `title`, with the list's position on its bottom border.
pub(super) fn list_block<T: Identified>(
    title: Line<'static>,
    list: &ItemList<T>,
) -> Block<'static> {
    let block = Block::bordered().title(title);
    match position(list) {
        Some(position) => block.title_bottom(position),
        None => block,
    }
}

/// A table's columns and the column it is sorted by.
pub(super) struct Sorted<L: Lines> {
    pub(crate) columns: &'static [Column<L>],
    pub(crate) by: (L::Id, Order),
}

/// `Attended▼`: the heading of the column a table is sorted by, with the direction.
pub(super) fn sort_label<L: Lines>(columns: &'static [Column<L>], by: (L::Id, Order)) -> String {
    let text = sorted_by(columns, by.0).heading.map_or("", |h| h.text);
    heading(text, Some(by.1))
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
    row: impl Fn(&T) -> Vec<Shown>,
) -> ListWindow {
    let header = shown(columns)
        .map(|column| {
            let is_sorted = column.sort.is_some_and(|sort| sort.id == sorted.0);
            heading(&column.heading_with_key(), is_sorted.then_some(sorted.1))
        })
        .collect();
    let headings = shown(columns).filter_map(|column| column.heading).collect();
    let parts = TableParts {
        block: list_block(title, list),
        header,
        headings,
    };
    list_table(frame, area, parts, list, theme, row)
}

/// The cells of one line, one per shown column.
pub(super) fn row_of<L: Lines>(columns: &'static [Column<L>], line: &L::Line<'_>) -> Vec<Shown> {
    shown(columns).map(|column| (column.show)(line)).collect()
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
    let window = row.store().window(now);
    let line =
        SessionLine::new(&filterable, counted.problems, counted.open, now, zone).in_window(window);
    then(&line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::Keep;

    fn heading(width: Width, keep: Keep) -> Heading {
        Heading {
            text: "",
            width,
            keep,
        }
    }

    #[test]
    fn columns_that_do_not_fit_are_dropped_whole_figures_before_ids() {
        let keep = Keep::Detail;
        let widths = [
            heading(Width::Fill(10), keep),
            heading(Width::Fill(30), keep),
            heading(Width::Fixed(8), keep),
            heading(Width::Fixed(8), keep),
        ];
        let t = true;
        let f = false;
        assert_eq!(columns_that_fit(&widths, 80), [t, t, t, t]);
        assert_eq!(columns_that_fit(&widths, 59), [t, t, t, t]);
        assert_eq!(columns_that_fit(&widths, 58), [t, f, t, t]);
        assert_eq!(columns_that_fit(&widths, 28), [t, f, t, t]);
        assert_eq!(columns_that_fit(&widths, 27), [t, f, t, f]);
        assert_eq!(columns_that_fit(&widths, 19), [t, f, t, f]);
        assert_eq!(columns_that_fit(&widths, 18), [t, f, f, f]);
        assert_eq!(columns_that_fit(&widths, 3), [t, f, f, f]);
        assert!(columns_that_fit(&[], 3).is_empty());
    }

    #[test]
    fn a_column_kept_longer_stays_before_the_ones_declared_ahead_of_it() {
        let widths = [
            heading(Width::Fill(10), Keep::Telling),
            heading(Width::Fixed(10), Keep::Repeats),
            heading(Width::Fixed(10), Keep::Secondary),
            heading(Width::Fill(10), Keep::Telling),
        ];
        let t = true;
        let f = false;
        assert_eq!(columns_that_fit(&widths, 43), [t, t, t, t]);
        assert_eq!(columns_that_fit(&widths, 42), [t, f, t, t]);
        assert_eq!(columns_that_fit(&widths, 32), [t, f, t, t]);
        assert_eq!(columns_that_fit(&widths, 31), [t, f, f, t]);
        assert_eq!(columns_that_fit(&widths, 21), [t, f, f, t]);
        assert_eq!(columns_that_fit(&widths, 20), [t, f, f, f]);
    }

    /// The headings a table of `columns` shows on a terminal `terminal` cells wide (its
    /// border takes two).
    fn shown_at<L: Lines>(columns: &'static [Column<L>], terminal: u16) -> Vec<&'static str> {
        let headings: Vec<Heading> = shown(columns).filter_map(|c| c.heading).collect();
        let kept = columns_that_fit(&headings, terminal - 2);
        kept_only(headings.iter().map(|heading| heading.text), &kept)
    }

    #[test]
    fn the_expected_view_keeps_who_came_their_role_and_time_and_gives_up_what_repeats() {
        use crate::attendance::EXPECTED_COLUMNS;
        let every = [
            "User", "State", "Attended", "%", "Of", "Late", "Early", "↻", "First", "Last", "Ring",
            "Role", "Name",
        ];
        assert_eq!(shown_at(&EXPECTED_COLUMNS, 160), every);
        // `Of` repeats the call's length on most rows, `Ring` is `—` or `?` on most.
        assert_eq!(
            shown_at(&EXPECTED_COLUMNS, 120),
            [
                "User", "State", "Attended", "%", "Late", "Early", "↻", "First", "Last", "Role",
                "Name"
            ]
        );
        // The flags are said in part by the first join and the last leave.
        assert_eq!(
            shown_at(&EXPECTED_COLUMNS, 80),
            ["User", "State", "Attended", "%", "First", "Last", "Role"]
        );
    }

    #[test]
    fn the_sessions_table_gives_up_the_session_id_before_the_duration_and_users_keep_order() {
        use crate::attendance::{SESSION_COLUMNS, USER_COLUMNS};
        assert_eq!(
            shown_at(&SESSION_COLUMNS, 80),
            ["User", "Joined", "Left", "Duration", "Publisher", "Roles"]
        );
        assert_eq!(
            shown_at(&SESSION_COLUMNS, 120),
            [
                "User",
                "User session",
                "Joined",
                "Left",
                "Duration",
                "Publisher",
                "Roles"
            ]
        );
        assert_eq!(
            shown_at(&USER_COLUMNS, 80),
            ["User", "Attended", "Connected", "Sessions", "First join"]
        );
        assert_eq!(
            shown_at(&USER_COLUMNS, 120),
            [
                "User",
                "Attended",
                "Connected",
                "Sessions",
                "First join",
                "Last leave",
                "%",
                "Flags"
            ]
        );
    }
}
