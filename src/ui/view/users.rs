//! Drawing the Users view: the users table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::attendance::{Shown, USER_COLUMNS, UserLine};

use crate::ui::tables::{Sorted, columns_table, row_of};
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
    let window = store.window(now);
    let shown = columns_table(
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
                row_of(&USER_COLUMNS, &line)
            }
            None => vec![Shown::server(store.user_name(user))],
        },
    );
    Some(shown)
}
