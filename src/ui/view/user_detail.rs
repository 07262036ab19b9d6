//! Drawing the User view: the user's figures on top, then every session with the gap before it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use ratatui::layout::Constraint;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};

use crate::api::timestamp::NANOS_PER_SEC;
use crate::app::view::line_of;
use crate::attendance::{
    DETAIL_COLUMNS, DetailLine, PROBLEM_MARK, Person, State, first_day, human_duration,
    join_verdict, last_leave, leave_verdict, percent, time_or_dash,
};
use crate::ui::format::{Field, counted, fit, span};
use crate::ui::lane_chart::{CALL_END, CALL_START};
use crate::ui::safe_text::terminal_safe;
use crate::ui::tables::{TableParts, list_block, list_table, with_session_line};
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
    let day = first_day(zone, store.window(now));
    let block = list_block(title, app.detail());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let crate::app::view::View::UserDetail(user) = app.view() else {
        return None;
    };
    let figures = app.figures().and_then(|f| f.user(user));
    let problems = figures.map_or(crate::attendance::Problems::NONE, |f| f.problems);
    let member = app
        .roster()
        .and_then(|roster| {
            let at = roster.people.position_of_user(user)?;
            roster.people.get(at, store)
        })
        .and_then(|person| member_line(app, person, theme));
    let [summary, table_area] = ratatui::layout::Layout::vertical([
        Constraint::Length(STORY_LINES + 1 + problems.len() as u16 + u16::from(member.is_some())),
        Constraint::Min(0),
    ])
    .areas(inner);
    let mut lines = match figures {
        Some(f) => vec![
            // Each figure whole or left out, so that none is cut at a narrow width.
            fit(
                vec![
                    Field::one(
                        0,
                        vec![Span::raw(counted(u64::from(f.sessions), "session"))],
                    ),
                    Field::one(
                        1,
                        vec![Span::raw(format!(
                            "attended {} ({})",
                            span(f.attended),
                            percent(f)
                        ))],
                    ),
                    Field::one(
                        2,
                        vec![Span::raw(format!(
                            "connected {}",
                            human_duration(f.connected_seconds)
                        ))],
                    ),
                    Field::one(
                        3,
                        vec![Span::raw(format!(
                            "first join {}",
                            time_or_dash(zone, f.first_join(), day).text
                        ))],
                    ),
                    Field::one(
                        4,
                        vec![Span::raw(format!(
                            "last leave {}",
                            last_leave(f, zone, day)
                        ))],
                    ),
                ],
                Span::raw(" · "),
                usize::from(summary.width),
            ),
        ],
        None => vec![Line::from("no matching sessions")],
    };
    if let Some(f) = figures {
        lines.extend(story(app, f, now, usize::from(summary.width), theme));
    }
    lines.extend(member.map(|fields| fit(fields, Span::raw(" · "), usize::from(summary.width))));
    // Why a figure may look odd (attended above connected, a session without a leave).
    for problem in problems.iter() {
        lines.push(Line::from(vec![
            Span::styled(format!("{PROBLEM_MARK} {problem}: "), theme.problem()),
            Span::styled(problem.explanation(), theme.dim()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), summary);
    let header = DETAIL_COLUMNS
        .map(|column| column.heading().text.to_string())
        .to_vec();
    let headings = DETAIL_COLUMNS
        .iter()
        .map(|column| column.heading())
        .collect();
    let window = list_table(
        frame,
        table_area,
        TableParts {
            block: Block::new(),
            header,
            headings,
        },
        app.detail(),
        theme,
        |entry| match store.get(entry.row) {
            Some(row) => with_session_line(row, zone, now, |session| {
                let line = DetailLine::new(session.clone(), entry);
                DETAIL_COLUMNS.map(|column| column.show(&line)).to_vec()
            }),
            None => Vec::new(),
        },
    );
    Some(window)
}

/// Lines of the user's story under the figures: the flags against their thresholds, the
/// roles and publisher types, the timeline lane.
const STORY_LINES: u16 = 4;

/// When the user joined and left against the call's start and end, with the threshold behind
/// each flag; their roles and publisher types; their presence on one lane across the window.
fn story(
    app: &App,
    f: &crate::attendance::UserFigures,
    now: Nanos,
    width: usize,
    theme: &Palette,
) -> Vec<Line<'static>> {
    let store = app.store();
    let thresholds = &app.config().thresholds;
    let window = store.window(now);
    let live = store.state(now) == Some(crate::attendance::CallState::Live);
    // Joining and leaving each on their line: a verdict is never dropped to fit.
    let joined = join_verdict(f, window, thresholds).map_or("joined —".to_owned(), |verdict| {
        format!("joined {verdict}")
    });
    let left = if f.in_call_now() {
        "still in the call".to_owned()
    } else {
        leave_verdict(f, window, thresholds, live)
            .map_or("left —".to_owned(), |verdict| format!("left {verdict}"))
    };
    let mut lines = vec![Line::from(joined), Line::from(left)];
    let gap = human_duration(thresholds.reconnect_gap / NANOS_PER_SEC);
    let mut fields = vec![Field::one(
        0,
        vec![Span::raw(format!(
            "↻{} reconnect{} (a rejoin within {gap})",
            f.reconnects,
            if f.reconnects == 1 { "" } else { "s" }
        ))],
    )];
    if f.multi_device() {
        fields.push(Field::one(1, vec![Span::raw("multi-device")]));
    }
    let mut roles: Vec<&str> = Vec::new();
    let mut publishers: Vec<&str> = Vec::new();
    for entry in app.detail().items() {
        if let Some(row) = store.get(entry.row) {
            roles.extend(row.roles());
            publishers.push(row.publisher_type());
        }
    }
    for names in [&mut roles, &mut publishers] {
        names.sort_unstable();
        names.dedup();
    }
    let or_none = |names: &[&str]| {
        if names.is_empty() {
            "—".to_owned()
        } else {
            terminal_safe(&names.join(", ")).into_owned()
        }
    };
    fields.push(Field::one(
        2,
        vec![Span::styled(
            format!("roles {}", or_none(&roles)),
            theme.dim(),
        )],
    ));
    fields.push(Field::one(
        3,
        vec![Span::styled(
            format!("publisher types {}", or_none(&publishers)),
            theme.dim(),
        )],
    ));
    lines.push(fit(fields, Span::raw(" · "), width));
    if let Some(window) = window {
        let zone = &app.config().zone;
        let (start, end) = (zone.time(window.start), zone.time(window.end));
        // The lane takes what the two times and their marks leave.
        let cells = width.saturating_sub(start.len() + end.len() + 4);
        let spans: Vec<(Nanos, Nanos)> = app
            .detail()
            .items()
            .iter()
            .filter_map(|entry| {
                let joined = entry.joined_at?;
                let open = store.get(entry.row).is_some_and(|row| row.is_open());
                let left = entry.left_at.or(open.then_some(now))?;
                Some((joined, left))
            })
            .collect();
        lines.push(Line::from(format!(
            "{start} {CALL_START}{}{CALL_END} {end}",
            lane(&spans, window.start, window.end, cells)
        )));
    }
    lines
}

/// One lane of `cells` characters from `start` to `end`: `·` where the user was in no
/// session, `█` in one, the digit of how many at once where their sessions overlap (9 at
/// most: `+` beyond).
pub(crate) fn lane(spans: &[(Nanos, Nanos)], start: Nanos, end: Nanos, cells: usize) -> String {
    let length = i128::from((end - start).max(1));
    let at = |cell: usize| start + (length * cell as i128 / cells.max(1) as i128) as Nanos;
    (0..cells)
        .map(|cell| {
            let (from, to) = (at(cell), at(cell + 1));
            let count = spans
                .iter()
                .filter(|&&(joined, left)| joined < to && left > from)
                .count();
            match count {
                0 => '·',
                1 => '█',
                n @ 2..=9 => char::from_digit(n as u32, 10).unwrap_or('+'),
                _ => '+',
            }
        })
        .collect()
}

/// Longest custom data shown, in characters: the rest is cut with `…`.
const CUSTOM_CHARS: usize = 60;

/// The member `member` (their place in the members read), as classified.
pub(super) fn member_person(app: &App, member: usize) -> Option<Person<'_>> {
    let people = &app.roster()?.people;
    people.get(people.position_of_member(member)?, app.store())
}

/// Drawing a member who never joined: who they are in the roster, and that they have no
/// sessions (there is nothing to list).
pub(super) fn draw_member(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    title: Line<'static>,
    theme: &Palette,
) {
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let crate::app::view::View::Member(member) = app.view() else {
        return;
    };
    let mut lines = vec![Line::from("no sessions: never joined")];
    let fields = member_person(app, member).and_then(|person| member_line(app, person, theme));
    match fields {
        // The body has room: one fact a line, none left out.
        Some(fields) => lines.extend(
            fields
                .into_iter()
                .map(|field| fit(vec![field], Span::raw(""), usize::from(inner.width))),
        ),
        // A new read no longer has them: say so rather than show someone else.
        None => lines.push(Line::from(Span::styled(
            "no longer in the members read",
            theme.dim(),
        ))),
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

/// How a state reads in the user detail: a member who never joined says why.
fn state_phrase(state: State) -> &'static str {
    match state {
        State::Absent => "absent: never joined",
        State::Rejected => "rejected the ring, never joined",
        State::Missed => "missed the ring, never joined",
        other => other.label(),
    }
}

/// Who the person is in the roster: their state (and the numbers behind it), and for a
/// member their call role, ring outcome, custom data (text from the server, made safe and
/// short) and when they were added, each whole or left out to fit.
fn member_line(app: &App, person: Person<'_>, theme: &Palette) -> Option<Vec<Field>> {
    let expected = app.expected_people()?;
    let roster = app.roster()?;
    let zone = &app.config().zone;
    let line = line_of(roster, expected.invited.as_deref(), person, zone);
    let mut state = format!(
        "{}{}",
        state_phrase(person.state),
        if roster.provisional { "?" } else { "" }
    );
    if let (Some(tenths), Some(window)) = (line.attendance_tenths(), person.expected) {
        state.push_str(&format!(
            " ({}.{}% of {} expected)",
            tenths / 10,
            tenths % 10,
            human_duration(window.len() / NANOS_PER_SEC)
        ));
    }
    let mut fields = vec![Field::one(
        0,
        vec![Span::styled("roster ", theme.title()), Span::raw(state)],
    )];
    if let Some(member) = line.member {
        fields.push(Field::one(
            1,
            vec![Span::raw(format!(
                "member, role {}",
                terminal_safe(member.role.as_deref().unwrap_or("—"))
            ))],
        ));
        let ring = line.ring();
        fields.push(Field::one(
            2,
            vec![Span::raw(match (line.ring_known, ring.is_empty()) {
                (false, _) => "ring ?".to_owned(),
                (true, true) => "ring —".to_owned(),
                (true, false) => format!("ring {}", ring.join(",")),
            })],
        ));
        if !member.custom.is_empty() {
            fields.push(Field::one(
                3,
                vec![
                    Span::raw("custom "),
                    Span::styled(short(&terminal_safe(member.custom.as_json())), theme.dim()),
                ],
            ));
        }
        fields.push(Field::one(
            4,
            vec![Span::raw(format!(
                "added {}",
                member
                    .created_at
                    .map_or("—".to_owned(), |at| zone.date_time(at))
            ))],
        ));
    }
    Some(fields)
}

/// `text`, cut to [`CUSTOM_CHARS`] characters with `…`.
fn short(text: &str) -> String {
    if text.chars().count() <= CUSTOM_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(CUSTOM_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lane_marks_presence_and_counts_overlaps() {
        let min = 60 * NANOS_PER_SEC;
        // 0-30 and 20-40 (two devices for ten minutes), nothing after 40, of 60 minutes.
        let spans = [(0, 30 * min), (20 * min, 40 * min)];
        assert_eq!(lane(&spans, 0, 60 * min, 6), "██2█··");
        assert_eq!(lane(&[], 0, 60 * min, 3), "···");
        assert_eq!(lane(&spans, 0, 60 * min, 0), "");
    }
}
