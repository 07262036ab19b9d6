//! Drawing the dashboard from the app state. Nothing here changes state or computes more
//! than the rows on screen: everything else was prepared by `App::update`.
//!
//! Visibility: `pub` is what the tests and benches draw with (`draw`, `status_text`, the
//! picker, the lane chart widget); the rest is private to `ui`.

pub(crate) mod call_session_columns;
mod card;
mod filter_bar;
pub(crate) mod footer;
pub(crate) mod format;
mod header;
mod help;
pub mod lane_chart;
pub mod picker;
pub(crate) mod safe_text;
mod tables;
mod theme;
mod view;

use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::view::View;
use crate::app::{App, Layout, Now};

pub use footer::status_text;

use theme::Palette;

/// Draws the whole screen for `now` (both clocks: the figures at the server's present, the
/// waits the screen counts on the local clock; a bare Unix ns instant stands for clocks that
/// run together); returns what it laid out, for the driver to hand back to the app as
/// [`Msg::Layout`](crate::app::Msg::Layout).
pub fn draw(frame: &mut Frame, app: &App, now: impl Into<Now>) -> Layout {
    let now: Now = now.into();
    let theme = Palette::new(app.config().color);
    let area = frame.area();
    let status = footer::status_line(app, now, area.width, &theme);
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
    ] = ratatui::layout::Layout::vertical([
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
    let list = view::draw(frame, body, app, now.server, &theme);
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
    frame.render_widget(
        Paragraph::new(footer::hints_line(app, &theme, hints.width)),
        hints,
    );
    if let Some(prompt) = app.export_prompt() {
        let line = ratatui::layout::Rect {
            y: hints.y.saturating_sub(1),
            height: 1,
            ..hints
        };
        frame.render_widget(ratatui::widgets::Clear, line);
        let prompt = export_prompt_line(prompt, line.width, &theme);
        frame.render_widget(Paragraph::new(prompt), line);
    }
    if let Some(card) = app.card() {
        let popup = ratatui::layout::Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        card::draw(frame, popup, card, &theme);
    }
    if let Some(state) = app.session_picker() {
        let over = ratatui::layout::Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        let call = format!("{}:{}", app.config().call_type, app.config().call_id);
        picker::draw_over(frame, over, state, &call);
    }
    if let Some(overlay) = app.help() {
        help::draw(frame, area, app, overlay, &theme);
    }
    Layout { list }
}

/// The export prompt's line: the format and the path being typed, or the question.
fn export_prompt_line(
    prompt: &crate::app::export::ExportPrompt,
    width: u16,
    theme: &Palette,
) -> Line<'static> {
    // The end of a long path, where the typing is, stays in sight.
    let tail = |text: String, room: usize| {
        let chars = text.chars().count();
        if chars <= room {
            text
        } else {
            let kept: String = text.chars().skip(chars + 1 - room.max(1)).collect();
            format!("…{kept}")
        }
    };
    let safe = |text: &str| safe_text::terminal_safe(text).into_owned();
    match prompt.asks_to_overwrite() {
        Some(path) => Line::from(vec![
            Span::styled(" export ", theme.title()),
            Span::raw(format!(
                "{} exists: replace it? (y/n) ",
                safe(&path.display().to_string())
            )),
        ]),
        None => {
            let label = format!(" export {} to: ", prompt.format_name());
            let room = usize::from(width).saturating_sub(label.chars().count() + 1);
            Line::from(vec![
                Span::styled(label, theme.title()),
                Span::raw(tail(safe(prompt.path()), room)),
                Span::styled("▏", theme.key()),
            ])
        }
    }
}

/// The tabs of the top-level views, then the path below them: `Users › alice-chen` (nothing
/// on a top-level view, whose tab already says where you are).
fn breadcrumbs(app: &App, theme: &Palette) -> Line<'static> {
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
    let path = app.views().path();
    if path.len() < 2 {
        return Line::from(spans);
    }
    spans.push(Span::raw("   "));
    for (index, view) in path.iter().enumerate() {
        if index > 0 {
            spans.push(Span::styled(" › ", theme.dim()));
        }
        spans.push(Span::styled(view::crumb(app, *view), theme.title()));
    }
    Line::from(spans)
}
