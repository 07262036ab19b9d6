//! The top of the screen: which call, its data state, the fetch progress, and the totals.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::app::App;
use crate::app::live::{FetchKind, Severity};
use crate::attendance::{CallState, Peak, ServerDuration, ago, human_duration};

use super::format::{bar, count, counted};
use super::safe_text::terminal_safe;
use super::theme::Palette;
use crate::attendance::PROBLEM_MARK;

pub(crate) fn state_badge(state: Option<CallState>, running: bool) -> &'static str {
    match state {
        Some(state) => state.words().badge,
        None if running => "loading…",
        None => "no data",
    }
}

/// Call, state badge, zone, freshness.
pub(crate) fn title_line(app: &App, now: Nanos, theme: &Palette) -> Line<'static> {
    let config = app.config();
    let state = app.store().state(now);
    let mut spans = vec![
        Span::styled("headcount ", theme.title()),
        Span::raw(
            terminal_safe(&format!(
                "{}:{} · session {}  ",
                config.call_type, config.call_id, config.session
            ))
            .into_owned(),
        ),
        Span::styled(state_badge(state, app.fetch().running), theme.state(state)),
        Span::raw(format!("  zone {}", config.zone.label())),
    ];
    if let Some(at) = app.last_update() {
        spans.push(Span::styled(
            format!("  updated {}", ago(at, now)),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

/// `page 12 · 1,200 / 5,000 sessions  ███░░  340 rows/s`
pub(crate) fn progress_line(app: &App, now: Nanos, theme: &Palette) -> Line<'static> {
    let fetch = app.fetch();
    let expected = fetch
        .request
        .filter
        .is_empty()
        .then(|| app.store().totals().participant_sessions)
        .flatten()
        .filter(|&total| total > 0)
        .map(|total| total as u64);
    // A poll upserts into rows already shown: counting only what it re-read would make the
    // figure fall to zero and climb back every few seconds.
    let loaded = match fetch.kind {
        FetchKind::Fresh => fetch.rows,
        FetchKind::Poll => app.store().len() as u64,
    };
    let mut text = format!("page {} · {}", fetch.pages, count(loaded));
    if let Some(total) = expected {
        text.push_str(&format!(" / {}", count(total)));
    }
    text.push_str(" sessions");
    let mut spans = vec![Span::raw(text)];
    if let Some(total) = expected {
        let ratio = loaded as f64 / total as f64;
        spans.push(Span::raw(format!(
            "  {} {:>3.0}%",
            bar(ratio, 20),
            ratio.min(1.0) * 100.0
        )));
    }
    if let Some(rate) = fetch.rate() {
        spans.push(Span::styled(
            format!("  {} rows/s", count(rate as u64)),
            theme.dim(),
        ));
    }
    let phase = match (fetch.running, fetch.kind) {
        (true, FetchKind::Fresh) => "  fetching…",
        (true, FetchKind::Poll) => "  polling…",
        (false, _) => "  done",
    };
    match app.shortfall() {
        // A poll keeps the last read's verdict on screen until its own read ends.
        Some(shortfall) if !fetch.running || fetch.kind == FetchKind::Poll => {
            let total = app.store().totals().participant_sessions;
            spans.push(Span::styled(
                format!("  ⚠ {} · r reads again", shortfall.headline(total)),
                theme.severity(Severity::Warning),
            ));
        }
        _ => spans.push(Span::styled(phase, theme.dim())),
    }
    if let Some(poll) = app.next_poll() {
        let seconds = (poll - now).max(0) / NANOS_PER_SEC;
        spans.push(Span::styled(
            format!(" · next poll in {seconds}s"),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

/// `42 sessions at 10:32:05`
fn peak_text(app: &App, peak: Peak, noun: &str) -> String {
    let value = counted(u64::from(peak.value), noun);
    match peak.at {
        Some(at) => format!("{value} at {}", app.config().zone.time(at)),
        None => value,
    }
}

/// The server totals for the whole session beside the figures of the current filter.
pub(crate) fn totals(frame: &mut Frame, area: Rect, app: &App, theme: &Palette) {
    let totals = app.store().totals();
    let server = match (
        totals.participant_sessions,
        totals.participant_duration_seconds,
    ) {
        (None, None) => "—".to_owned(),
        (sessions, duration) => format!(
            "{} · {}",
            sessions.map_or("? sessions".into(), |s| counted(s.max(0) as u64, "session")),
            match duration.map(|seconds| ServerDuration::of(seconds, sessions)) {
                None => "? connected".to_owned(),
                Some(plausible @ ServerDuration::Plausible(_)) => format!("{plausible} connected"),
                // Short: the rows-with-problems warning must stay on the line.
                Some(ServerDuration::Impossible { seconds, .. }) => {
                    format!("⚠ impossible total {seconds} s")
                }
            }
        ),
    };
    let filtered = match app.figures() {
        _ if app.figures_pending() => format!(
            "{} · computing the figures…",
            counted(app.filtered_rows().len() as u64, "session")
        ),
        Some(figures) => {
            let call = &figures.call;
            format!(
                "{} · {} · {} connected · {} attended · peak {} · {}",
                counted(call.sessions, "session"),
                counted(call.unique_users, "user"),
                human_duration(call.connected_seconds),
                human_duration(call.attended_seconds),
                peak_text(app, call.peak_sessions, "session"),
                peak_text(app, call.peak_users, "user"),
            )
        }
        None => "—".to_owned(),
    };
    let scope = if app.filter_bar().active().is_empty() {
        "all     "
    } else {
        "filter  "
    };
    let problems = app
        .figures()
        .filter(|_| !app.figures_pending())
        .map_or(0, |figures| figures.call.data_quality.rows);
    let mut server_line = vec![
        Span::styled("server  ", theme.title()),
        Span::raw(server),
        Span::styled("  (whole session, any filter)", theme.dim()),
    ];
    // On the server's line, which leaves room for it at any usual width: the rows with
    // problems are why headcount's sums below differ from the server's.
    if problems > 0 {
        server_line.push(Span::styled(
            format!(
                "   {PROBLEM_MARK} {} with problems",
                counted(problems, "row")
            ),
            theme.problem(),
        ));
        server_line.push(Span::styled(" (/problem lists them)", theme.dim()));
    }
    let lines = vec![
        Line::from(server_line),
        Line::from(vec![
            Span::styled(scope, theme.title()),
            Span::raw(filtered),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// Header, progress and totals, top to bottom.
pub(crate) fn draw(frame: &mut Frame, area: Rect, app: &App, now: Nanos, theme: &Palette) {
    let [title, progress, totals_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(title_line(app, now, theme)), title);
    frame.render_widget(Paragraph::new(progress_line(app, now, theme)), progress);
    totals(frame, totals_area, app, theme);
}
