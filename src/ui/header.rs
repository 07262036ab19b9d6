//! The top of the screen: which call, its data state, the fetch progress, and the totals.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::app::live::{FetchKind, Severity};
use crate::app::pacing::NextPoll;
use crate::app::view::View;
use crate::app::{App, Local, Now};
use crate::attendance::{CallState, DisplayZone, Peak, ServerDuration, Window, ago};

use super::footer::awaited_text;
use super::format::{
    Field, Stepped, bar, count, counted, fit, fit_stepped, percent, person_time, shortened, span,
};
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

/// The state as the title line says it, longest first: the badge, then its label alone.
fn state_variants(
    state: Option<CallState>,
    running: bool,
    theme: &Palette,
) -> Vec<Vec<Span<'static>>> {
    let style = theme.state(state);
    let badge = match state {
        // The body says what expired means, and what is still known.
        Some(CallState::Expired) => CallState::Expired.words().label,
        state => state_badge(state, running),
    };
    let mut variants = vec![vec![Span::styled(badge, style)]];
    if let Some(state) = state {
        let short = match state {
            CallState::Live => "● LIVE",
            state => state.words().label,
        };
        if short != badge {
            variants.push(vec![Span::styled(short, style)]);
        }
    }
    variants
}

/// `17:37`, with its date when it is not on `day` (the call's first day).
fn clock_time(zone: &DisplayZone, at: Nanos, day: jiff::civil::Date) -> String {
    let time = zone.time(at);
    let minutes = time.get(..5).unwrap_or(&time);
    if zone.date(at) == day {
        minutes.to_owned()
    } else {
        format!("{} {minutes}", zone.date(at))
    }
}

/// `2026-11-29 17:37 → 19:07 UTC · 1h 30m`, longest first: the call window with its date,
/// zone and length; the end with its date when it is another day; `now` while live.
fn window_variants(app: &App, window: Window, live: bool, now: Nanos) -> Vec<Vec<Span<'static>>> {
    let zone = &app.config().zone;
    let day = zone.date(window.start);
    let start = format!("{day} {}", clock_time(zone, window.start, day));
    let end = if live {
        "now".to_owned()
    } else {
        clock_time(zone, window.end, day)
    };
    let abbreviation = zone.abbreviation(if live { now } else { window.end });
    let length = span(window.len().max(0));
    let span_of = |text: String| vec![Span::raw(text)];
    vec![
        span_of(format!("{start} → {end} {abbreviation} · {length}")),
        span_of(format!("{start} → {end} {abbreviation}")),
        span_of(format!("{day} {abbreviation}")),
    ]
}

/// State, call window, call, session id and freshness, each whole or dropped so that the
/// line fits `width`. Each form has its worth: the state, then the window's times, the
/// freshness, the session id (shortened with `…` before it is dropped: it says which session
/// of the call the figures are, which `s` changes), then the call (which the terminal's own
/// title and the command line also name), the state's long badge, and last the window's
/// length.
pub(crate) fn title_line(app: &App, clocks: Now, width: u16, theme: &Palette) -> Line<'static> {
    let now = clocks.server;
    let config = app.config();
    let store = app.store();
    let state = store.state(now);
    let states = state_variants(state, app.fetch().running, theme);
    let short_state = states.len() - 1;
    let mut fields = vec![Stepped::new(
        states
            .into_iter()
            .enumerate()
            .map(|(form, spans)| (if form == short_state { 0 } else { 4 }, spans))
            .collect(),
    )];
    match store.window(now) {
        Some(window) => {
            let forms = window_variants(app, window, state == Some(CallState::Live), now);
            // The first form adds the window's length to the second.
            fields.push(Stepped::new(
                forms
                    .into_iter()
                    .enumerate()
                    .map(|(form, spans)| (if form == 0 { 6 } else { 1 }, spans))
                    .collect(),
            ));
        }
        None => fields.push(Stepped::all(
            1,
            vec![vec![Span::raw(format!("zone {}", config.zone.label()))]],
        )),
    }
    let call = terminal_safe(&format!("{}:{}", config.call_type, config.call_id)).into_owned();
    fields.push(Stepped::all(
        3,
        vec![
            vec![Span::styled(call.clone(), theme.title())],
            vec![Span::styled(shortened(&call, 24), theme.title())],
        ],
    ));
    let session = terminal_safe(&config.session).into_owned();
    fields.push(Stepped::new(
        [(3, usize::MAX), (3, 16), (2, 10)]
            .into_iter()
            .map(|(priority, cells)| {
                let text = format!("session {}", shortened(&session, cells));
                (priority, vec![Span::raw(text)])
            })
            .collect(),
    ));
    if let Some(at) = app.last_update() {
        fields.push(Stepped::all(
            2,
            vec![vec![Span::styled(
                format!("updated {}", ago_local(at, clocks.local)),
                theme.dim(),
            )]],
        ));
    }
    fit_stepped(fields, Span::styled(" │ ", theme.dim()), usize::from(width))
}

/// `page 12 · 1,200 / 5,000 sessions  ███░░  24%  340 rows/s  fetching…`, each part whole
/// or dropped to fit `width`: what the read is doing first, then how far it got.
pub(crate) fn progress_line(app: &App, clocks: Now, width: u16, theme: &Palette) -> Line<'static> {
    let now = clocks.server;
    let fetch = app.fetch();
    let expected = fetch
        .request
        .filter
        .is_empty()
        .then(|| app.store().totals().participant_sessions)
        .flatten()
        .filter(|&total| total > 0)
        // An expired session's rows are purged: "0 / 300" would read as a failed load.
        .filter(|_| app.store().state(now) != Some(CallState::Expired))
        .map(|total| total as u64);
    // A poll upserts into rows already shown: counting only what it re-read would make the
    // figure fall to zero and climb back every few seconds.
    let loaded = match fetch.kind {
        FetchKind::Fresh => fetch.rows,
        FetchKind::Poll => app.store().len() as u64,
    };
    let mut counts = count(loaded);
    if let Some(total) = expected {
        counts.push_str(&format!(" / {}", count(total)));
    }
    let mut fields = vec![if app.rows_purged(now) {
        Field::one(1, vec![Span::raw("no rows: Stream purged them")])
    } else if fetch.kind == FetchKind::Poll {
        // A poll re-reads rows already shown: its page count and a percentage of them would
        // read as a fetch starting over, or done when it has barely begun.
        // While it runs, the phase says `polling…`.
        let sessions = count(loaded);
        let mut variants = vec![
            vec![Span::raw(format!("{sessions} sessions"))],
            vec![Span::raw(sessions.clone())],
        ];
        if !fetch.running {
            let polled = ago_local(fetch.answered_at.unwrap_or(fetch.started_at), clocks.local);
            let longest = format!("polled {polled} · {sessions} sessions");
            variants.insert(0, vec![Span::raw(longest)]);
        }
        Field::new(1, variants)
    } else {
        Field::new(
            1,
            vec![
                vec![Span::raw(format!(
                    "page {} · {counts} sessions",
                    fetch.pages
                ))],
                vec![Span::raw(format!("{counts} sessions"))],
                vec![Span::raw(counts)],
            ],
        )
    }];
    if let Some(total) = expected.filter(|_| fetch.kind == FetchKind::Fresh) {
        let ratio = loaded as f64 / total as f64;
        let percent = percent(loaded, total);
        fields.push(Field::new(
            3,
            vec![
                vec![Span::raw(format!("{} {percent}", bar(ratio, 20)))],
                vec![Span::raw(format!("{} {percent}", bar(ratio, 10)))],
                vec![Span::raw(percent.trim_start().to_owned())],
            ],
        ));
    }
    if let Some(rate) = fetch.rate(clocks.local) {
        fields.push(Field::one(
            4,
            vec![Span::styled(
                format!("{} rows/s", count(rate as u64)),
                theme.dim(),
            )],
        ));
    }
    let waiting = (fetch.retry.as_ref()).is_some_and(|retry| retry.due > clocks.local);
    let awaited = fetch.awaited_answer(clocks.local);
    let gap = app.count_gap();
    let phase = match app.shortfall() {
        // A poll keeps the last read's verdict on screen until its own read ends.
        Some(shortfall) if !fetch.running || fetch.kind == FetchKind::Poll => {
            let total = app.store().totals().participant_sessions;
            let style = theme.severity(Severity::Warning);
            vec![
                vec![Span::styled(
                    format!("⚠ {} · r reads again", shortfall.headline(total)),
                    style,
                )],
                vec![Span::styled(
                    format!("⚠ {}", shortfall.headline(total)),
                    style,
                )],
                vec![Span::styled("⚠ incomplete", style)],
            ]
        }
        // Said until the next poll starts, which reads the whole session to mend it.
        None if gap.is_some() => {
            let gap = gap.expect("matched");
            let style = theme.severity(Severity::Warning);
            vec![
                vec![Span::styled(gap.with_remedy(), style)],
                vec![Span::styled(gap.words(), style)],
            ]
        }
        // The status line says why and until when.
        _ if fetch.running && waiting => {
            let style = theme.severity(Severity::Warning);
            vec![
                vec![Span::styled(
                    format!("waiting to ask for {}…", fetch.page_under_way()),
                    style,
                )],
                vec![Span::styled("waiting…", style)],
            ]
        }
        _ if fetch.running && awaited.is_some() => {
            let awaited = awaited.expect("matched");
            let style = theme.severity(Severity::Warning);
            let waited = clocks.local - awaited.since;
            vec![
                vec![Span::styled(awaited_text(awaited.asked, waited), style)],
                vec![Span::styled(format!("no answer · {}", span(waited)), style)],
            ]
        }
        _ => {
            let text = match (fetch.running, fetch.kind) {
                (true, FetchKind::Fresh) => "fetching…",
                (true, FetchKind::Poll) => "polling…",
                (false, _) => "done",
            };
            vec![vec![Span::styled(text, theme.dim())]]
        }
    };
    fields.push(Field::new(0, phase));
    if let Some(plan) = app.poll_plan() {
        fields.push(Field::new(2, poll_variants(app, plan, clocks.local, theme)));
    }
    fit(fields, Span::raw("  "), usize::from(width))
}

/// The next poll and what the reads spend of the rate limit: the last read's requests, the
/// quota left in the window, and when the next poll starts, said to be put off when the
/// rate limit put it off.
fn poll_variants(
    app: &App,
    plan: NextPoll,
    now: Local,
    theme: &Palette,
) -> Vec<Vec<Span<'static>>> {
    let seconds = (plan.at - now).max(0) / NANOS_PER_SEC;
    let next = if plan.stretched {
        format!("next poll in {seconds}s (rate limit)")
    } else {
        format!("next poll in {seconds}s")
    };
    let budget = app.poll_budget();
    let read = match app.fetch().kind {
        FetchKind::Fresh => "read",
        FetchKind::Poll => "poll",
    };
    // How the last poll read the session: its open sessions only, or all of it.
    let kind = app
        .poll_reads()
        .last()
        .filter(|_| app.fetch().kind == FetchKind::Poll)
        .map(|read| format!(" ({})", read.words()))
        .unwrap_or_default();
    let cost = budget.last_cost().map(|cost| {
        let noun = if cost == 1 { "request" } else { "requests" };
        format!("last {read} {} {noun}{kind}", count(cost))
    });
    let quota = budget.quota().map(|quota| {
        format!(
            "quota {}/{} left",
            count(quota.remaining),
            count(quota.limit)
        )
    });
    let style = if plan.stretched {
        theme.severity(Severity::Warning)
    } else {
        theme.dim()
    };
    let mut variants = Vec::new();
    let parts: Vec<String> = [cost.clone(), quota.clone(), Some(next.clone())]
        .into_iter()
        .flatten()
        .collect();
    variants.push(vec![Span::styled(parts.join(" · "), style)]);
    if let Some(quota) = quota {
        variants.push(vec![Span::styled(format!("{quota} · {next}"), style)]);
    }
    variants.push(vec![Span::styled(next, style)]);
    variants.push(vec![Span::styled(format!("poll {seconds}s"), style)]);
    variants
}

/// `42 sessions at 10:32:05`, the time with its date when it is not on the call's first day.
fn peak_text(app: &App, peak: Peak, noun: &str, now: Nanos) -> String {
    let value = counted(u64::from(peak.value), noun);
    let Some(at) = peak.at else { return value };
    let zone = &app.config().zone;
    let day = app
        .store()
        .window(now)
        .map(|window| zone.date(window.start));
    if day.is_none_or(|day| day == zone.date(at)) {
        format!("{value} at {}", zone.time(at))
    } else {
        format!("{value} at {}", zone.date_time(at))
    }
}

/// Why the server's totals and headcount's differ during a live call, longest first.
const LIVE_DIFFERENCE: [&str; 2] = [
    "(Stream's totals lag and count closed sessions only; headcount counts open ones up to now)",
    "(Stream: closed sessions only, may lag)",
];

/// The server totals for the whole session beside the figures of the current filter, each
/// figure whole or dropped to fit the width. Summed durations are person-time, in hours with
/// their name, never read as the call's length.
pub(crate) fn totals(frame: &mut Frame, area: Rect, app: &App, now: Nanos, theme: &Palette) {
    let totals = app.store().totals();
    let width = usize::from(area.width);
    // The line's name and its first figure go together: neither means anything alone.
    let named = |name: &'static str, first: String| {
        Field::one(0, vec![Span::styled(name, theme.title()), Span::raw(first)])
    };
    let mut server = Vec::new();
    if totals.participant_sessions.is_none() && totals.participant_duration_seconds.is_none() {
        server.push(named("server  ", "—".to_owned()));
    } else {
        let sessions = totals.participant_sessions;
        server.push(named(
            "server  ",
            sessions.map_or("? sessions".into(), |s| counted(s.max(0) as u64, "session")),
        ));
        let duration = match totals
            .participant_duration_seconds
            .map(|seconds| ServerDuration::of(seconds, sessions))
        {
            None => "? connected".to_owned(),
            Some(ServerDuration::Plausible(seconds)) => {
                format!("{} connected", person_time(seconds))
            }
            // Short: the rows-with-problems warning must stay on the line.
            Some(ServerDuration::Impossible { seconds, .. }) => {
                format!("⚠ impossible total {seconds} s")
            }
        };
        server.push(Field::one(2, vec![Span::raw(duration)]));
    }
    let live = app.store().state(now) == Some(CallState::Live);
    let differs = app.figures().is_some_and(|figures| {
        let call = &figures.call;
        app.shown_filter().is_empty()
            && (totals.participant_sessions != Some(call.sessions as i64)
                || totals.participant_duration_seconds != Some(call.connected_seconds))
    });
    if live && differs {
        server.push(Field::new(
            3,
            LIVE_DIFFERENCE
                .iter()
                .map(|text| vec![Span::styled(*text, theme.dim())])
                .collect(),
        ));
    } else {
        server.push(Field::one(
            6,
            vec![Span::styled("(whole session, any filter)", theme.dim())],
        ));
    }
    let problems = app
        .figures()
        .filter(|_| !app.figures_pending())
        .map_or(0, |figures| figures.call.data_quality.rows);
    // On the server's line, which leaves room for it at any usual width: the rows with
    // problems are why headcount's sums below differ from the server's.
    if problems > 0 {
        let warning = format!("{PROBLEM_MARK} {} with problems", counted(problems, "row"));
        server.push(Field::new(
            2,
            vec![
                vec![
                    Span::styled(warning.clone(), theme.problem()),
                    Span::styled(" (/problem lists them)", theme.dim()),
                ],
                vec![Span::styled(warning, theme.problem())],
            ],
        ));
    }
    let scope = if app.shown_filter().is_empty() {
        "all     "
    } else {
        "filter  "
    };
    let mut filtered = Vec::new();
    let plain = |priority, text: String| Field::one(priority, vec![Span::raw(text)]);
    match app.figures() {
        // The rows are purged: zeros here would read as nobody attending.
        _ if app.rows_purged(now) => {
            filtered.push(named(scope, "rows purged by Stream, see below".to_owned()));
        }
        _ if app.figures_pending() => {
            filtered.push(named(
                scope,
                counted(app.filtered_count() as u64, "session"),
            ));
            filtered.push(plain(2, "computing the figures…".to_owned()));
        }
        Some(figures) => {
            let call = &figures.call;
            filtered.push(named(scope, counted(call.sessions, "session")));
            filtered.push(plain(2, counted(call.unique_users, "user")));
            filtered.push(plain(
                3,
                format!("{} connected", person_time(call.connected_seconds)),
            ));
            filtered.push(plain(
                4,
                format!("{} attended", person_time(call.attended_seconds)),
            ));
            let sessions = peak_text(app, call.peak_sessions, "session", now);
            let users = peak_text(app, call.peak_users, "user", now);
            let sessions_only = format!("peak {sessions}");
            let short = sessions_only
                .split(" at ")
                .next()
                .unwrap_or_default()
                .to_owned();
            filtered.push(Field::new(
                5,
                vec![
                    vec![Span::raw(format!("peak {sessions} · {users}"))],
                    vec![Span::raw(sessions_only)],
                    vec![Span::raw(short)],
                ],
            ));
        }
        None => filtered.push(named(scope, "—".to_owned())),
    }
    // Who was expected is told from the whole session, whatever the filter keeps: in the
    // Expected view right after the scope and before the figures, elsewhere after them.
    if let Some(roster) = app.roster() {
        let whole = |text: String| {
            if app.shown_filter().is_empty() {
                text
            } else {
                format!("[whole session: {text}]")
            }
        };
        let provisional = if roster.provisional {
            " (provisional)"
        } else {
            ""
        };
        let short = format!("{}{provisional}", roster.headline());
        let field = |priority| {
            Field::new(
                priority,
                vec![
                    vec![Span::raw(whole(roster.counts_line()))],
                    vec![Span::raw(whole(short.clone()))],
                ],
            )
        };
        if app.view() == View::Expected {
            filtered.insert(1.min(filtered.len()), field(1));
        } else {
            filtered.push(field(6));
        }
    }
    let lines = vec![
        fit(server, Span::raw(" · "), width),
        fit(filtered, Span::raw(" · "), width),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// How long ago a local instant was, in real time (`just now`, `12s ago`).
fn ago_local(then: Local, now: Local) -> String {
    ago(then.nanos(), now.nanos())
}

/// Header, progress and totals, top to bottom.
pub(crate) fn draw(frame: &mut Frame, area: Rect, app: &App, now: Now, theme: &Palette) {
    let [title, progress, totals_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(title_line(app, now, title.width, theme)),
        title,
    );
    frame.render_widget(
        Paragraph::new(progress_line(app, now, progress.width, theme)),
        progress,
    );
    totals(frame, totals_area, app, now.server, theme);
}
