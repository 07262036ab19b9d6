//! Drawing the Sessions view: the session table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::attendance::SESSION_COLUMNS;

use crate::ui::tables::{Sorted, columns_table, row_of, with_session_line};
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
    let window = columns_table(
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
            Some(row) => with_session_line(row, zone, now, |line| row_of(&SESSION_COLUMNS, line)),
            None => Vec::new(),
        },
    );
    Some(window)
}
