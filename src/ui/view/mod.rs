//! Drawing the body of the screen: one module per view (`app/view/` holds its state), and
//! the one `match` that picks it.

mod sessions;
mod timeline;
mod user_detail;
mod users;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::app::view::View;

use super::format::count;
use super::safe_text::terminal_safe;
use super::theme::Palette;

/// Draws the current view in `area`; returns the rows of its list it showed.
pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    theme: &Palette,
) -> Option<ListWindow> {
    let title = view_title(app, theme);
    match app.view() {
        View::Sessions => sessions::draw(frame, area, app, now, title, theme),
        View::Users => users::draw(frame, area, app, now, title, theme),
        View::Timeline => timeline::draw(frame, area, app, now, title),
        View::UserDetail(_) => user_detail::draw(frame, area, app, now, title, theme),
    }
}

/// A view's name in the breadcrumbs and its title: a drill-down is named after what it shows.
pub(super) fn crumb(app: &App, view: View) -> String {
    match view {
        View::UserDetail(user) => terminal_safe(app.store().user_name(user)).into_owned(),
        view => view.title().to_owned(),
    }
}

/// ` Sessions · 1,200 of 5,000 · filter: role:host `: the match count and the active filter.
fn view_title(app: &App, theme: &Palette) -> Line<'static> {
    let (shown, of) = app.view_counts();
    let mut spans = vec![Span::styled(
        format!(" {} ", crumb(app, app.view())),
        theme.title(),
    )];
    let filter = app.filter_bar().active();
    if filter.is_empty() {
        spans.push(Span::raw(format!("· {} ", count(shown as u64))));
    } else {
        spans.push(Span::raw(format!(
            "· {} of {} · filter: {} ",
            count(shown as u64),
            count(of as u64),
            terminal_safe(filter.source.trim())
        )));
    }
    Line::from(spans)
}
