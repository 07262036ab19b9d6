//! Drawing the body of the screen: one module per view (`app/view/` holds its state), and
//! the one `match` that picks it.

mod expected;
mod sessions;
mod timeline;
mod user_detail;
mod users;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::app::view::View;

use super::format::{Field, count, fit, person_time, shortened};
use super::safe_text::terminal_safe;
use super::theme::Palette;
use crate::app::live::Severity;
use crate::attendance::{ServerDuration, USER_COLUMNS};
use crate::ui::tables::sort_label;
use ratatui::widgets::{Block, Paragraph};

/// Draws the current view in `area`; returns the rows of its list it showed.
pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    theme: &Palette,
) -> Option<ListWindow> {
    let title = view_title(app, area.width, theme);
    // The Expected view still lists every member, each unknown, and says why.
    if app.rows_purged(now) && !matches!(app.view(), View::Expected | View::Member(_)) {
        expired(frame, area, app, title, theme);
        return None;
    }
    let window = match app.view() {
        View::Sessions => sessions::draw(frame, area, app, now, title, theme),
        View::Users => users::draw(frame, area, app, now, title, theme),
        View::Timeline => timeline::draw(frame, area, app, now, title),
        view => return draw_detail(frame, area, app, now, title, theme, view),
    };
    if let Some(lines) = app.empty_help() {
        empty_help(frame, area, lines, theme);
    }
    window
}

/// The views that never show the empty-result help.
fn draw_detail(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    title: Line<'static>,
    theme: &Palette,
    view: View,
) -> Option<ListWindow> {
    match view {
        View::Sessions | View::Users | View::Timeline => None,
        View::Expected => expected::draw(frame, area, app, title, theme),
        View::UserDetail(_) => user_detail::draw(frame, area, app, now, title, theme),
        View::Member(_) => {
            user_detail::draw_member(frame, area, app, title, theme);
            None
        }
    }
}

/// An expired session has no rows to list: the body says why, and shows what is still
/// known, Stream's summary of the session (the picker's figures) or else the totals the
/// pages carried.
/// An empty result's help, inside the list's border and under its header: what was searched
/// and what is there to find (see `app::empty_help`).
fn empty_help(frame: &mut Frame, area: Rect, lines: &[String], theme: &Palette) {
    let inner = Rect {
        x: area.x + 1,
        y: area.y + 2,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(3),
    };
    let mut text = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        // The ids come from the server: their controls are shown, never run.
        let line = terminal_safe(line).into_owned();
        text.push(if index == 0 {
            Line::from(Span::styled(line, theme.title()))
        } else {
            Line::from(line)
        });
    }
    frame.render_widget(ratatui::widgets::Clear, inner);
    frame.render_widget(
        Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

fn expired(frame: &mut Frame, area: Rect, app: &App, title: Line<'static>, theme: &Palette) {
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let totals = app.store().totals();
    let counts = app.session_counts();
    let known =
        |value: Option<i64>| value.map_or("not known".to_owned(), |n| count(n.max(0) as u64));
    let duration = counts
        .and_then(|c| c.total_participant_duration)
        .or(totals.participant_duration_seconds)
        .map(|seconds| ServerDuration::of(seconds, totals.participant_sessions));
    let person_hours = match duration {
        Some(ServerDuration::Plausible(seconds)) => person_time(seconds),
        Some(impossible) => impossible.to_string(),
        None => "not known".to_owned(),
    };
    let figure = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("  {name:<14}"), theme.dim()),
            Span::raw(value),
        ])
    };
    let mut lines = vec![
        Line::from(Span::styled(
            "Stream purged this session's participant sessions 90 days after it ended.",
            theme.title(),
        )),
        Line::from("The rows, users and timeline are gone; what is still known:"),
        Line::from(""),
        figure("participants", known(counts.map(|c| c.participants))),
        figure(
            "sessions",
            known(counts.map(|c| c.sessions).or(totals.participant_sessions)),
        ),
        figure(
            "peak",
            counts.map_or("not known".to_owned(), |c| {
                format!(
                    "{} users at once",
                    count(c.peak_concurrent_users.max(0) as u64)
                )
            }),
        ),
        figure("person-time", person_hours),
        Line::from(""),
    ];
    lines.push(Line::from(Span::styled(
        match counts {
            Some(_) => "(from Stream's session stats, as the session picker shows them)",
            None => {
                "(from the totals Stream sent with the pages; its session stats did not answer)"
            }
        },
        theme.dim(),
    )));
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

/// A view's name in the breadcrumbs and its title: a drill-down is named after what it shows.
pub(super) fn crumb(app: &App, view: View) -> String {
    match view {
        View::UserDetail(user) => terminal_safe(app.store().user_name(user)).into_owned(),
        View::Member(member) => user_detail::member_person(app, member)
            .map_or("member".into(), |person| terminal_safe(person.user_id))
            .into_owned(),
        view => view.title().to_owned(),
    }
}

/// `09:00–10:30 CET · zoom 2×`: the range the Timeline shows and how far it is zoomed in
/// (`whole call` at first); seconds when the range is under ten minutes.
fn zoom_range(app: &App) -> Field {
    let scale = app.time_scale();
    let zone = &app.config().zone;
    let (from, to) = scale.visible();
    let time = |at| {
        let text = zone.time(at);
        if to - from < 10 * 60 * NANOS_PER_SEC {
            text
        } else {
            text[..5].to_owned()
        }
    };
    let zoom = scale.zoom();
    let zoom = if scale.is_whole() {
        "whole call".to_owned()
    } else if zoom >= 10.0 || zoom.fract() < 0.05 {
        format!("zoom {zoom:.0}×")
    } else {
        format!("zoom {zoom:.1}×")
    };
    let range = format!("{}–{} {}", time(from), time(to), zone.abbreviation(to));
    Field::new(
        2,
        vec![
            vec![Span::raw(format!("{range} · {zoom}"))],
            vec![Span::raw(zoom)],
        ],
    )
}

/// ` Sessions · 1,200 of 5,000 · filter: role:host `: the match count and the filter the
/// rows match, each whole or dropped to fit `width` (the border's corners left out).
fn view_title(app: &App, width: u16, theme: &Palette) -> Line<'static> {
    let (shown, of) = app.view_counts();
    let mut fields = vec![Field::one(
        0,
        vec![Span::styled(crumb(app, app.view()), theme.title())],
    )];
    // The rows' own filter: a new one is named only as loading until its rows come.
    let filter = app.shown_filter();
    let searched = terminal_safe(filter.source.trim()).into_owned();
    if let View::Member(_) = app.view() {
        // A member who never joined has no session to count.
        fields.push(Field::one(1, vec![Span::raw("never joined")]));
    } else if filter.is_empty() {
        fields.push(Field::one(1, vec![Span::raw(count(shown as u64))]));
    } else if app.view() == View::Expected && app.roster().is_none() {
        // Nobody classified: the body says why; nothing was searched among people.
        fields.push(Field::new(
            3,
            vec![
                vec![Span::raw(format!("filter: {searched}"))],
                vec![Span::raw(format!("filter: {}", shortened(&searched, 16)))],
            ],
        ));
    } else if shown == 0 {
        // Nothing kept: what was searched, as the empty result's help says it (`0 of 0`
        // would be all a server filter that matched nothing leaves to count).
        fields.push(Field::new(
            1,
            vec![
                vec![Span::raw(format!("nothing matches {searched}"))],
                vec![Span::raw(format!(
                    "nothing matches {}",
                    shortened(&searched, 16)
                ))],
                vec![Span::raw("nothing matches")],
            ],
        ));
    } else {
        fields.push(Field::new(
            1,
            vec![
                vec![Span::raw(format!(
                    "{} of {}",
                    count(shown as u64),
                    count(of as u64)
                ))],
                vec![Span::raw(count(shown as u64))],
            ],
        ));
        fields.push(Field::new(
            3,
            vec![
                vec![Span::raw(format!("filter: {searched}"))],
                vec![Span::raw(format!("filter: {}", shortened(&searched, 16)))],
            ],
        ));
    }
    // The lanes are the users in the Users table's order, which the Timeline has no
    // headings to show.
    if app.view() == View::Timeline {
        let order = sort_label(&USER_COLUMNS, app.user_sort());
        fields.push(Field::new(
            1,
            vec![
                vec![Span::raw(format!("sorted by {order}"))],
                vec![Span::raw(order)],
            ],
        ));
        fields.push(zoom_range(app));
    }
    if let Some(loading) = app.filter_loading() {
        let name = match loading.source.trim() {
            "" => "every session".to_owned(),
            text => terminal_safe(text).into_owned(),
        };
        let style = theme.severity(Severity::Warning);
        fields.push(Field::new(
            2,
            vec![
                vec![Span::styled(format!("loading {name}…"), style)],
                vec![Span::styled("loading…", style)],
            ],
        ));
    }
    // Rows have no state: said where the terms are not applied, never silently ignored.
    if filter.has_person_terms() && app.view() != View::Expected {
        fields.push(Field::new(
            2,
            vec![
                vec![Span::styled(
                    "state: and member: apply to the Expected view only (x)",
                    theme.problem(),
                )],
                vec![Span::styled(
                    "state:/member: Expected view only",
                    theme.problem(),
                )],
            ],
        ));
    }
    let mut line = fit(
        fields,
        Span::raw(" · "),
        usize::from(width.saturating_sub(4)),
    );
    line.spans.insert(0, Span::raw(" "));
    line.spans.push(Span::raw(" "));
    line
}
