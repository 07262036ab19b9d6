//! Drawing the dashboard from the app state. Nothing here changes state or computes more
//! than the rows on screen: everything else was prepared by `App::update`.

mod filter_bar;
mod footer;
mod format;
mod header;
mod help;
pub mod picker;
pub mod safe_text;
mod tables;
mod theme;
pub mod timeline;
mod timeline_view;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::view::View;

use format::count;
use safe_text::terminal_safe;
use theme::Theme;

/// Draws the whole screen for `now`.
pub fn draw(frame: &mut Frame, app: &App, now: Nanos) {
    let theme = Theme::new(app.config().color);
    let area = frame.area();
    let status = footer::status_line(app, now, &theme);
    let banner = footer::frozen_banner(app, now, &theme);
    let filter_height = if app.filter_bar().is_open() {
        filter_bar::HEIGHT
    } else {
        0
    };
    let [
        top,
        crumbs,
        banner_area,
        body,
        filter_area,
        status_area,
        hints,
    ] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(1),
        Constraint::Length(u16::from(banner.is_some())),
        Constraint::Min(3),
        Constraint::Length(filter_height),
        Constraint::Length(u16::from(status.is_some())),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, top, app, now, &theme);
    frame.render_widget(Paragraph::new(breadcrumbs(app, &theme)), crumbs);
    if let Some(banner) = banner {
        frame.render_widget(Paragraph::new(banner), banner_area);
    }
    draw_body(frame, body, app, now, &theme);
    if app.filter_bar().is_open() {
        filter_bar::draw(
            frame,
            filter_area,
            app.filter_bar(),
            &app.config().zone,
            &theme,
        );
    }
    if let Some(status) = status {
        frame.render_widget(Paragraph::new(status), status_area);
    }
    frame.render_widget(Paragraph::new(footer::hints_line(app, &theme)), hints);
    if let Some(overlay) = app.help() {
        help::draw(frame, area, overlay, &theme);
    }
}

fn draw_body(frame: &mut Frame, area: Rect, app: &App, now: Nanos, theme: &Theme) {
    let title = view_title(app, theme);
    match app.view() {
        View::Sessions => tables::sessions(frame, area, app, now, title, theme),
        View::Users => tables::users(frame, area, app, now, title, theme),
        View::Timeline => timeline_view::draw(frame, area, app, now, title),
        View::UserDetail(_) => tables::user_detail(frame, area, app, now, title, theme),
    }
}

/// The tabs of the top-level views, then the path: `Sessions › alice-chen`.
fn breadcrumbs(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for &view in View::top_level() {
        let style = if view == app.views().root() {
            theme.selected()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {} ", view.title()), style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw("   "));
    for (index, view) in app.views().path().iter().enumerate() {
        if index > 0 {
            spans.push(Span::styled(" › ", theme.dim()));
        }
        spans.push(Span::styled(crumb(app, *view), theme.title()));
    }
    Line::from(spans)
}

fn crumb(app: &App, view: View) -> String {
    match view {
        View::UserDetail(user) => terminal_safe(app.store().user_name(user)).into_owned(),
        view => view.title().to_owned(),
    }
}

/// ` Sessions · 1,200 of 5,000 · filter: role:host `: the match count and the active filter.
fn view_title(app: &App, theme: &Theme) -> Line<'static> {
    let view = app.view();
    let (shown, of) = match view {
        View::Sessions => (app.sessions().len(), app.store().len()),
        View::Users | View::Timeline => (app.users().len(), app.store().user_count()),
        View::UserDetail(_) => (app.detail().len(), app.detail().len()),
    };
    let mut spans = vec![Span::styled(
        format!(" {} ", crumb(app, view)),
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
