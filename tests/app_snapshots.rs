//! Whole screens of every view, drawn into a `TestBackend` at a fixed size, clock and zone.

mod app_support;
mod sim_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::api::timestamp::Nanos;
use headcount::api::{ApiError, NetworkError, NetworkFailure};
use headcount::app::{App, Layout, Msg, Now};
use headcount::fetch::{Asked, FetchEvent};
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Draws `app` as the dashboard does, handing back what the frame laid out.
fn screen(app: &mut App, now: impl Into<Now>, width: u16, height: u16) -> TestBackend {
    let now: Now = now.into();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut layout = Layout::default();
    terminal
        .draw(|frame| layout = headcount::ui::draw(frame, app, now))
        .unwrap();
    app.update(Msg::Layout(layout), now);
    terminal.backend().clone()
}

fn wide(app: &mut App, now: Nanos) -> TestBackend {
    screen(app, now, 120, 32)
}

#[test]
fn sessions_view() {
    let (mut app, now) = loaded(None);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn sessions_view_sorted_by_duration_descending() {
    let (mut app, now) = loaded(None);
    app.update(key('D'), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn users_view() {
    let (mut app, now) = loaded(None);
    app.update(code(KeyCode::Tab), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn timeline_view() {
    let (mut app, now) = loaded(None);
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Tab), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn user_detail_view() {
    let (mut app, now) = loaded(None);
    app.update(code(KeyCode::Enter), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn one_session_and_one_user_read_in_the_singular() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "bob", now);
    app.update(code(KeyCode::Enter), now);
    app.update(code(KeyCode::Enter), now);
    let screen = format!("{:?}", wide(&mut app, now));
    assert!(screen.contains("1 session · 1 user · "), "{screen}");
    assert!(screen.contains("peak 1 session at"), "{screen}");
    assert!(screen.contains("1 session · attended"), "{screen}");
}

#[test]
fn filter_bar_with_an_error_caret() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "user:bob dur>", now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn filter_bar_with_server_and_local_parts() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "publisher:webrtc dur>16m", now);
    assert_snapshot!(wide(&mut app, now));
}

/// The bar says how the filter was grouped and which instant each time stands for.
#[test]
fn filter_bar_shows_the_grouping_and_the_instant_of_each_time() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "role:host or joined>10:05 !bob", now);
    let screen = wide(&mut app, now);
    let text = screen.to_string();
    assert!(
        text.contains("read as role:host or (joined>10:05 !bob)"),
        "{text}"
    );
    assert!(
        text.contains("10:05 = 2026-11-26 10:05:00 +00:00"),
        "{text}"
    );
    assert_snapshot!(screen);
}

#[test]
fn help_overlay() {
    let (mut app, now) = loaded(None);
    app.update(key('?'), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn help_on_a_short_screen_scrolls_to_its_last_line() {
    let (mut app, now) = loaded(None);
    app.update(
        Msg::Resize {
            width: 80,
            height: 24,
        },
        now,
    );
    app.update(key('?'), now);
    app.update(key('G'), now);
    let bottom = screen(&mut app, now, 80, 24);
    assert!(format!("{bottom:?}").contains("delete to the end"));
    assert_snapshot!(bottom);
    app.update(key('g'), now);
    assert!(format!("{:?}", screen(&mut app, now, 80, 24)).contains("Everywhere"));
}

#[test]
fn page_down_moves_by_the_rows_on_screen() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = (0..100)
        .map(|i| {
            row(
                &format!("user-{i:03}"),
                &format!("s-{i:03}"),
                0,
                Some(10),
                "webrtc",
                "user",
            )
        })
        .collect();
    app.update(page_event(1, 1, page(rows, 100, false)), now);
    app.update(done(1, 1), now);
    let drawn = format!("{:?}", screen(&mut app, now, 120, 32));
    let rows_on_screen = drawn.matches("│user-").count();
    assert!(rows_on_screen > 10, "{drawn}");
    app.update(code(KeyCode::PageDown), now);
    assert_eq!(app.sessions().selected_index(), Some(rows_on_screen));
    app.update(code(KeyCode::PageUp), now);
    assert_eq!(app.sessions().selected_index(), Some(0));
}

#[test]
fn frozen_banner() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![
        row("alice-chen", "a-1", 0, None, "webrtc", "host"),
        row("bob", "b-1", 10, Some(20), "rtmp", "user"),
    ];
    // Pages with a next cursor: the read is still paging while the view is frozen.
    app.update(
        page_event(1, 1, followed_by(page(rows, 3, true), "cursor-2")),
        now,
    );
    app.update(key('f'), now);
    let second = page(
        vec![row("carol", "c-1", 12, None, "webrtc", "user")],
        3,
        true,
    );
    app.update(page_event(1, 2, followed_by(second, "cursor-3")), now + SEC);
    assert_snapshot!(wide(&mut app, now + 134 * SEC));
}

#[test]
fn live_call_retrying() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![
        row("alice-chen", "a-1", 0, None, "webrtc", "host"),
        row("bob", "b-1", 10, Some(20), "rtmp", "user"),
    ];
    app.update(page_event(1, 1, page(rows, 2, true)), now);
    app.update(done(1, 1), now);
    app.update(Msg::Tick, now + 5 * SEC);
    let error = ApiError::Network(NetworkError {
        base_url: "http://127.0.0.1:4100".into(),
        failure: NetworkFailure::Refused,
        detail: String::new(),
    });
    app.update(
        Msg::Fetch(FetchEvent::Retrying {
            generation: 2,
            asked: Asked::Page(2),
            error,
            retry_at: now + 9 * SEC,
        }),
        now + 6 * SEC,
    );
    assert_snapshot!(wide(&mut app, now + 7 * SEC));
}

#[test]
fn expired_call() {
    let now = T0 + 100 * 24 * 60 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(Vec::new(), 42, false)), now);
    app.update(done(1, 1), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn small_terminal() {
    let (mut app, now) = loaded(None);
    assert_snapshot!(screen(&mut app, now, 40, 10));
}

#[test]
fn no_size_is_too_small_to_draw() {
    let (mut app, now) = loaded(None);
    for (width, height) in [(1, 1), (2, 3), (10, 2), (40, 10), (300, 5)] {
        for view in 0..4 {
            screen(&mut app, now, width, height);
            if view == 2 {
                app.update(code(KeyCode::Enter), now);
            } else {
                app.update(code(KeyCode::Tab), now);
            }
        }
        app.update(key('/'), now);
        type_text(&mut app, "dur>", now);
        app.update(key('?'), now);
        screen(&mut app, now, width, height);
        app.update(code(KeyCode::Esc), now);
        app.update(code(KeyCode::Esc), now);
        app.update(code(KeyCode::Esc), now);
    }
    assert!(!app.should_quit());
}

#[test]
fn an_incomplete_read_is_a_warning_in_the_header_on_export_and_r_reads_again() {
    use headcount::app::Outcome;
    use headcount::fetch::{Completeness, Shortfall};
    let now = T0 + 70 * MIN;
    let (mut app, _) = headcount::app::App::new(config(None), now);
    app.update(page_event(1, 1, page(ended_rows(), 10, false)), now);
    let missing = Completeness::Incomplete(Shortfall::Sessions { read: 6, total: 10 });
    app.update(done_as(1, 1, missing), now);
    let drawn = wide(&mut app, now);
    assert!(
        drawn
            .to_string()
            .contains("⚠ incomplete: 6 of 10 sessions read · r reads again"),
        "{drawn}"
    );
    assert_snapshot!(drawn);
    app.update(
        Msg::Done(Outcome::Exported {
            path: "/tmp/exports/x.csv".into(),
            rows: 6,
        }),
        now,
    );
    let status = app.status().unwrap();
    assert_eq!(status.severity(), headcount::app::live::Severity::Warning);
    let text = said(&app);
    assert!(
        text.contains("incomplete: 6 of 10 sessions read"),
        "{}",
        text
    );
    let effects = app.update(key('r'), now);
    assert!(!requests(&effects).is_empty(), "r reads again");
    assert_eq!(app.completeness(), None, "until that read ends");
}

/// A row of `i64::MIN + 1` seconds makes Stream's summed total absurd: the header names the total
/// impossible and shows it as sent, the row's cell says `absurd`, and no figure reads as the
/// `-106751991167299d 21h` a span would make of it.
#[test]
fn an_absurd_duration_is_named_in_its_row_and_the_servers_total_is_impossible() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let mut rows = ended_rows();
    rows.push(serde_json::json!({
        "user_id": "overflow",
        "user_session_id": "o-1",
        "publisher_type": "webrtc",
        "roles": ["user"],
        "joined_at": rfc3339(T0),
        "left_at": rfc3339(T0 + 60 * MIN),
        "duration_in_seconds": i64::MIN + 1,
    }));
    let mut first = page(rows, 7, false);
    first.total_participant_duration = Some(i64::MIN + 1 + 5 * 3600);
    app.update(page_event(1, 1, first), now);
    app.update(done(1, 1), now);
    let all = wide(&mut app, now).to_string();
    assert!(
        all.contains("server  7 sessions · ⚠ impossible total -9223372036854757807 s"),
        "{all}"
    );
    assert!(!all.contains("106751991"), "{all}");
    assert!(all.contains(" absurd "), "{all}");
}

/// A leave never recorded and a leave before its join: the header counts the rows with
/// problems and says how to list them, each is marked in the table, and `problem` lists
/// exactly them.
#[test]
fn rows_with_problems_are_counted_marked_and_listed_by_the_problem_term() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let mut rows = ended_rows();
    rows.push(row("ghost", "g-1", 10, None, "webrtc", "user"));
    rows.push(serde_json::json!({
        "user_id": "skew",
        "user_session_id": "k-1",
        "publisher_type": "webrtc",
        "roles": ["user"],
        "joined_at": rfc3339(T0 + 30 * MIN),
        "left_at": rfc3339(T0 + 20 * MIN),
        "duration_in_seconds": -600,
    }));
    app.update(page_event(1, 1, page(rows, 8, false)), now);
    app.update(done(1, 1), now);
    let all = wide(&mut app, now).to_string();
    assert!(all.contains("⚠ 2 rows with problems"), "{all}");
    assert!(all.contains("(/problem lists them)"), "{all}");
    assert!(all.contains("10:10:00    unrecorded"), "{all}");
    app.update(key('/'), now);
    type_text(&mut app, "problem", now);
    app.update(code(KeyCode::Enter), now);
    let later = now + 5 * SEC;
    app.update(Msg::Tick, later);
    let listed = wide(&mut app, later);
    let text = listed.to_string();
    assert!(text.contains("Sessions · 2 "), "{text}");
    assert!(
        text.contains("⚠ ghost") && text.contains("⚠ skew"),
        "{text}"
    );
    assert_snapshot!(listed);
}

/// The screen's text, one string a row.
fn rows_of(backend: &TestBackend) -> Vec<String> {
    let buffer = backend.buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// The words of `rows` that hold a digit: a figure, a time, a count.
fn figures_in(rows: &[String]) -> Vec<String> {
    rows.iter()
        .flat_map(|row| {
            row.split(|c: char| c.is_whitespace() || "│┌┐└┘─·".contains(c))
                .filter(|word| word.chars().any(|c| c.is_ascii_digit()))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

const SIZES: [(u16, u16); 4] = [(200, 60), (120, 40), (80, 24), (40, 10)];

/// The keys that lead from the sessions view to each view.
const VIEWS: [(&str, &[KeyCode]); 4] = [
    ("sessions", &[]),
    ("users", &[KeyCode::Tab]),
    ("timeline", &[KeyCode::Tab, KeyCode::Tab]),
    ("user_detail", &[KeyCode::Enter]),
];

/// Every view at every size: the call's state opens the first line, and every figure shown is
/// one the widest screen shows whole (a cut `18:3` or `20m 4` is not), in the header and, but
/// for the timeline's axis, in the body.
#[test]
fn every_view_at_every_size_keeps_the_state_and_never_cuts_a_number() {
    for (name, keys) in VIEWS {
        let (mut app, now) = loaded(None);
        for &key in keys {
            app.update(code(key), now);
        }
        let widest = rows_of(&screen(&mut app, now, 200, 60));
        let whole: std::collections::HashSet<String> = figures_in(&widest).into_iter().collect();
        for (width, height) in SIZES {
            let backend = screen(&mut app, now, width, height);
            let rows = rows_of(&backend);
            assert!(
                rows[0].starts_with("ENDED"),
                "{name} at {width}x{height}: the state comes first\n{}",
                rows.join("\n")
            );
            let checked = if name == "timeline" {
                &rows[..4]
            } else {
                &rows[..]
            };
            for figure in figures_in(checked) {
                assert!(
                    whole.contains(&figure),
                    "{name} at {width}x{height}: `{figure}` is cut\n{}",
                    rows.join("\n")
                );
            }
            assert_snapshot!(format!("{name}_{width}x{height}"), backend);
        }
    }
}

/// A live and an expired call keep their state and freshness on the first line down to 80
/// columns, and their state down to 40.
#[test]
fn the_state_of_a_live_and_an_expired_call_stays_in_sight() {
    let now = T0 + 30 * MIN;
    let (mut live, _) = App::new(config(None), now);
    let rows = vec![
        row("alice-chen", "a-1", 0, None, "webrtc", "host"),
        row("bob", "b-1", 10, Some(20), "rtmp", "user"),
    ];
    live.update(page_event(1, 1, page(rows, 2, true)), now);
    live.update(done(1, 1), now);
    let expired_at = T0 + 100 * 24 * 60 * MIN;
    let (mut expired, _) = App::new(config(None), expired_at);
    expired.update(page_event(1, 1, page(Vec::new(), 42, false)), expired_at);
    expired.update(done(1, 1), expired_at);
    for (app, at, state) in [
        (&mut live, now, "● LIVE"),
        (&mut expired, expired_at, "EXPIRED"),
    ] {
        for (width, height) in SIZES {
            let rows = rows_of(&screen(app, at + 3 * SEC, width, height));
            assert!(rows[0].starts_with(state), "{}", rows.join("\n"));
            if width >= 80 {
                assert!(rows[0].contains("updated 3s ago"), "{}", rows.join("\n"));
                assert!(
                    rows[0].contains("2026-11-26 10:00 → "),
                    "{}",
                    rows.join("\n")
                );
            }
        }
    }
}

#[test]
fn an_expired_session_says_its_rows_were_purged_and_shows_streams_summary() {
    let now = T0 + 100 * 24 * 60 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(Vec::new(), 420, false)), now);
    let counts = headcount::api::call_stats::SessionCounts {
        participants: 312,
        sessions: 420,
        peak_concurrent_users: 140,
        total_participant_duration: Some(13_795_200),
        ..Default::default()
    };
    app.update(
        Msg::Fetch(FetchEvent::Stats {
            generation: 1,
            counts,
        }),
        now,
    );
    app.update(done(1, 1), now);
    let text = rows_of(&screen(&mut app, now, 120, 32)).join("\n");
    assert!(text.starts_with("EXPIRED │ "), "{text}");
    assert!(
        text.contains("Stream purged this session's participant sessions 90 days after it ended"),
        "{text}"
    );
    for figure in [
        "participants  312",
        "sessions      420",
        "140 users at once",
    ] {
        assert!(text.contains(figure), "{figure} in\n{text}");
    }
    assert!(text.contains("3,832 person-hours"), "{text}");
    assert!(
        !text.contains("0%"),
        "no progress that reads as a failed load\n{text}"
    );
    assert!(
        !text.contains(" 0 users") && !text.contains(" 0 sessions"),
        "no zeros that read as nobody attending\n{text}"
    );
}

#[test]
fn a_retry_that_gets_no_answer_either_says_how_long_it_has_waited() {
    let (mut app, _) = App::new(config(None), T0);
    app.update(page_event(1, 1, page(ended_rows(), 600, false)), T0);
    let timeout = ApiError::Network(NetworkError {
        base_url: "http://127.0.0.1:4100".into(),
        failure: NetworkFailure::Timeout(std::time::Duration::from_secs(30)),
        detail: String::new(),
    });
    app.update(
        Msg::Fetch(FetchEvent::Retrying {
            generation: 1,
            asked: Asked::Page(2),
            error: timeout,
            retry_at: T0 + 34 * SEC,
        }),
        T0 + 32 * SEC,
    );
    let waiting = rows_of(&screen(&mut app, T0 + 33 * SEC, 120, 32)).join("\n");
    assert!(
        waiting.contains("✕ retrying page 2 at 10:00:34 UTC · in 1s · no answer from"),
        "{waiting}"
    );
    let asked_again = rows_of(&screen(&mut app, T0 + 40 * SEC, 120, 32)).join("\n");
    assert!(
        asked_again
            .contains("waiting for Stream's answer to page 2 · 6s (asked again at 10:00:34 UTC)"),
        "{asked_again}"
    );
}

#[test]
fn a_live_call_says_why_streams_totals_differ_from_headcounts() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![
        row("alice-chen", "a-1", 0, None, "webrtc", "host"),
        row("bob", "b-1", 10, Some(20), "rtmp", "user"),
    ];
    // As Stream sends it while the call runs: only the closed session's duration is summed.
    let mut live = page(rows, 2, true);
    live.total_participant_duration = Some(600);
    app.update(page_event(1, 1, live), now);
    app.update(done(1, 1), now);
    let rows = rows_of(&screen(&mut app, now, 200, 60));
    assert!(
        rows[2].contains(
            "(Stream's totals lag and count closed sessions only; headcount counts open ones up to now)"
        ),
        "{}",
        rows.join("\n")
    );
    let narrow = rows_of(&screen(&mut app, now, 120, 40));
    assert!(
        narrow[2].contains("(Stream: closed sessions only, may lag)"),
        "{}",
        narrow.join("\n")
    );
    let (mut ended, at) = loaded(None);
    let rows = rows_of(&screen(&mut ended, at, 200, 60));
    assert!(
        !rows[2].contains("lag"),
        "an ended call has nothing to explain"
    );
}

#[test]
fn expected_view() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    assert_snapshot!(wide(&mut app, now));
}

#[test]
fn expected_view_says_why_it_cannot_classify() {
    // A server filter: who did not come can only be told from every session.
    let (mut app, now) = loaded(Some("user:bob"));
    app.update(key('x'), now);
    assert_snapshot!(screen(&mut app, now, 100, 16));
}

#[test]
fn state_terms_are_said_to_apply_to_the_expected_view_only_elsewhere() {
    let (mut app, now) = loaded_with_roster(Some("state:absent"));
    let sessions = wide(&mut app, now);
    assert!(
        format!("{sessions:?}").contains("apply to the Expected view only"),
        "{sessions:?}"
    );
    app.update(key('x'), now);
    assert_snapshot!(screen(&mut app, now, 120, 16));
}

#[test]
fn user_detail_shows_the_members_role_ring_and_custom_data() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Enter), now);
    assert_snapshot!(screen(&mut app, now, 120, 16));
}

#[test]
fn member_who_never_joined_shows_their_role_ring_custom_data_and_no_sessions() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    for _ in 0..3 {
        app.update(code(KeyCode::Down), now);
    }
    app.update(code(KeyCode::Enter), now);
    assert_snapshot!(screen(&mut app, now, 120, 16));
}

/// The Expected view of a sim scenario, read by the real fetcher, as text: the progress line
/// (its rate varies) left out, times of day (the sim's session ends just before now) as
/// `hh:mm:ss`.
fn sim_expected(scenario: headcount::sim::Scenario, width: u16, height: u16) -> String {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let screen = runtime.block_on(async {
        let sim = sim_support::start_unlimited(headcount::sim::SimConfig {
            scenario,
            ..headcount::sim::SimConfig::default()
        })
        .await;
        let (mut app, present) = sim_support::dashboard::with_roster_of(&sim).await;
        app.update(key('x'), present);
        screen(&mut app, present, width, height)
    });
    let text = screen.to_string();
    text.lines()
        .filter(|line| !line.contains(" rows/s") && !line.contains("page "))
        .map(redact_times)
        .map(|line| as_one_day(&line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sim's call ends shortly before the test runs, so some runs see it cross midnight, and
/// the screen then writes the day beside times of the second one (`→ 2026-12-01 00:12`,
/// `12-01 00:05`): written as the run of a call within one day, with the line's width kept.
fn as_one_day(line: &str) -> String {
    let width = line.chars().count();
    let mut out = line.replace("→ yyyy-mm-dd hh:mm", "→ hh:mm");
    let chars: Vec<char> = out.chars().collect();
    let mut kept = String::with_capacity(out.len());
    let mut i = 0;
    while i < chars.len() {
        let day = chars.len() >= i + 11
            && chars[i].is_ascii_digit()
            && chars[i + 1].is_ascii_digit()
            && chars[i + 2] == '-'
            && chars[i + 3].is_ascii_digit()
            && chars[i + 4].is_ascii_digit()
            && chars[i + 5..i + 11].iter().collect::<String>() == " hh:mm";
        if day {
            kept.push_str("hh:mm:ss   ");
            i += 11;
        } else {
            kept.push(chars[i]);
            i += 1;
        }
    }
    out = kept;
    let short = width.saturating_sub(out.chars().count());
    if short > 0 && out.ends_with('"') {
        out.pop();
        out.push_str(&" ".repeat(short));
        out.push('"');
    }
    out
}

/// `10:32:05` and `10:32` become `hh:mm:ss` and `hh:mm`, `2026-11-30` becomes `yyyy-mm-dd`.
fn redact_times(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let digit = |at: usize| chars.get(at).is_some_and(char::is_ascii_digit);
    let is = |at: usize, c: char| chars.get(at) == Some(&c);
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let date = (0..10).all(|k| {
            if k == 4 || k == 7 {
                is(i + k, '-')
            } else {
                digit(i + k)
            }
        });
        let time = digit(i) && digit(i + 1) && is(i + 2, ':') && digit(i + 3) && digit(i + 4);
        let seconds = time && is(i + 5, ':') && digit(i + 6) && digit(i + 7);
        let (text, len) = match (date, time, seconds) {
            (true, _, _) => ("yyyy-mm-dd", 10),
            (_, _, true) => ("hh:mm:ss", 8),
            (_, true, _) => ("hh:mm", 5),
            _ => {
                out.push(chars[i]);
                i += 1;
                continue;
            }
        };
        out.push_str(text);
        i += len;
    }
    out
}

#[test]
fn expected_view_on_the_default_scenario() {
    let text = sim_expected(headcount::sim::Scenario::default(), 160, 40);
    assert!(text.contains("expected present"), "{text}");
    assert_snapshot!(text);
}

#[test]
fn expected_view_on_the_ring_scenario() {
    let text = sim_expected(headcount::sim::Scenario::Ring, 160, 40);
    assert!(text.contains("rejected"), "{text}");
    assert_snapshot!(text);
}

/// An expired session: Stream purged the rows, so every member is unknown and the view says
/// why rather than counting anyone absent.
#[test]
fn expected_view_on_an_expired_session_lists_every_member_as_unknown() {
    let text = sim_expected(headcount::sim::Scenario::Expired, 160, 30);
    assert!(
        text.contains("205 expected, attendance unknown: details purged"),
        "never 0 of 205 expected present\n{text}"
    );
    let listed: Vec<&str> = text
        .lines()
        .map(|line| line.trim_matches('"'))
        .filter(|line| line.starts_with('│') && !line.contains("User [U]"))
        .filter(|line| line.chars().any(|c| c.is_ascii_alphanumeric()))
        .collect();
    assert!(!listed.is_empty(), "{text}");
    assert!(
        listed.iter().all(|line| line.contains(" unknown ")),
        "{text}"
    );
    for state in ["absent", "present", "partial"] {
        assert!(
            !listed.iter().any(|line| line.contains(state)),
            "{state}\n{text}"
        );
    }
}

/// The Expected view at every size: the call's state first, and every figure shown whole (a
/// column that does not fit is left out, the user and their state never).
#[test]
fn the_expected_view_at_every_size_never_cuts_a_number() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    let widest = rows_of(&screen(&mut app, now, 200, 60));
    let whole: std::collections::HashSet<String> = figures_in(&widest).into_iter().collect();
    for (width, height) in SIZES {
        let rows = rows_of(&screen(&mut app, now, width, height));
        assert!(rows[0].starts_with("ENDED"), "{}", rows.join("\n"));
        for figure in figures_in(&rows) {
            assert!(
                whole.contains(&figure),
                "at {width}x{height}: `{figure}` is cut\n{}",
                rows.join("\n")
            );
        }
        if height > 10 {
            assert!(
                rows.iter()
                    .any(|row| row.contains("gina") && row.contains("absent")),
                "at {width}x{height}: the user and their state stay\n{}",
                rows.join("\n")
            );
        }
    }
}

#[test]
fn a_poll_says_what_it_does_never_page_0_and_100_percent() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = || {
        vec![
            row("alice-chen", "a-1", 0, None, "webrtc", "host"),
            row("bob", "b-1", 10, Some(20), "rtmp", "user"),
        ]
    };
    app.update(page_event(1, 1, page(rows(), 2, true)), now);
    app.update(done(1, 1), now);
    app.update(Msg::Tick, now + 5 * SEC);
    let polling = rows_of(&screen(&mut app, now + 5 * SEC, 160, 48));
    assert!(
        polling[1].starts_with("2 sessions  ") && polling[1].contains("polling…"),
        "{}",
        polling.join("\n")
    );
    app.update(page_event(2, 1, page(rows(), 2, true)), now + 6 * SEC);
    app.update(done(2, 1), now + 6 * SEC);
    let polled = rows_of(&screen(&mut app, now + 18 * SEC, 160, 48));
    assert!(
        polled[1].starts_with("polled 12s ago · 2 sessions  "),
        "{}",
        polled.join("\n")
    );
    for line in [&polling[1], &polled[1]] {
        assert!(!line.contains("page 0") && !line.contains('%'), "{line}");
    }
}

#[test]
fn an_id_cut_to_fit_its_column_ends_with_an_ellipsis() {
    let long_session = "a-1-7f3c9e2d-41b8-4c55-9a0e-2f6b8d1c3e57-then-some";
    let long_user = "alice-chen-from-the-support-team-in-lisbon";
    for (width, height) in [(120, 32), (80, 24)] {
        for (view, keys) in [("sessions", &[][..]), ("users", &[KeyCode::Tab][..])] {
            let (mut app, _) = App::new(config(None), T0);
            let rows = vec![
                row(long_user, long_session, 0, Some(30), "webrtc", "host"),
                row("bob", "b-1", 10, Some(20), "rtmp", "user"),
            ];
            app.update(page_event(1, 1, page(rows, 2, false)), T0);
            app.update(done(1, 1), T0);
            for &key in keys {
                app.update(code(key), T0);
            }
            let rows = rows_of(&screen(&mut app, T0, width, height));
            let line = rows
                .iter()
                .find(|line| line.contains("│alice-chen"))
                .unwrap_or_else(|| panic!("{view} at {width}: {}", rows.join("\n")));
            let words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == '│')
                .filter(|word| !word.is_empty())
                .collect();
            for id in [long_user, long_session] {
                for word in words
                    .iter()
                    .filter(|word| id.starts_with(word.trim_end_matches('…')) && word.len() > 3)
                {
                    assert!(
                        *word == id || word.ends_with('…'),
                        "{view} at {width}: `{word}` is cut without …\n{}",
                        rows.join("\n")
                    );
                }
            }
            assert!(line.contains('…'), "{view} at {width}: {line}");
        }
    }
}

/// A call over midnight in the display zone: 23:45 on Nov 26 to 00:45 on Nov 27 in
/// Pacific/Chatham (UTC+13:45).
fn over_midnight() -> (App, Nanos) {
    let mut config = config(None);
    config.zone = headcount::attendance::DisplayZone::parse("Pacific/Chatham").unwrap();
    let (mut app, _) = App::new(config, T0);
    let rows = vec![
        row("alice-chen", "a-1", 0, Some(30), "webrtc", "host"),
        row("bob", "b-1", 10, Some(50), "rtmp", "user"),
        row("carol", "c-1", 20, Some(40), "webrtc", "user"),
    ];
    let now = T0 + 2 * 60 * MIN;
    app.update(page_event(1, 1, page(rows, 3, false)), now);
    app.update(done(1, 1), now);
    (app, now)
}

#[test]
fn a_time_on_another_day_than_the_calls_start_shows_its_date_in_every_view() {
    let expected: [(&str, &[KeyCode], &[&str]); 5] = [
        // alice joined 23:45:00 on the first day, left 00:15 the next.
        (
            "sessions",
            &[],
            &["23:45:00", "11-27 00:15", "23:55:00", "11-27 00:35"],
        ),
        (
            "users",
            &[KeyCode::Tab],
            &["23:45:00", "11-27 00:15", "11-27 00:05"],
        ),
        ("timeline", &[KeyCode::Tab, KeyCode::Tab], &["11-27 00:00"]),
        (
            "user_detail",
            &[KeyCode::Enter],
            &["23:45:00", "11-27 00:15"],
        ),
        // alice-chen and bob are members: their first join and last leave.
        (
            "expected",
            &[KeyCode::Char('x')],
            &["23:45:00", "11-27 00:15", "23:55:00", "11-27 00:35"],
        ),
    ];
    for (name, keys, shown) in expected {
        let (mut app, now) = over_midnight();
        if name == "expected" {
            app.update(roster_event(1), now);
        }
        for &key in keys {
            app.update(code(key), now);
        }
        let widest = rows_of(&screen(&mut app, now, 200, 60));
        let text = widest.join("\n");
        for time in shown {
            assert!(text.contains(time), "{name}: no {time}\n{text}");
        }
        assert!(
            !widest[4..].iter().any(|row| row.contains(" 00:15:00")),
            "{name}: a time of the next day without its date\n{text}"
        );
        let whole: std::collections::HashSet<String> = figures_in(&widest).into_iter().collect();
        for (width, height) in SIZES {
            let rows = rows_of(&screen(&mut app, now, width, height));
            let checked = if name == "timeline" {
                &rows[..4]
            } else {
                &rows[..]
            };
            for figure in figures_in(checked) {
                assert!(
                    whole.contains(&figure),
                    "{name} at {width}x{height}: `{figure}` is cut\n{}",
                    rows.join("\n")
                );
            }
        }
    }
}

/// A server filter that finds nobody: the ids seen before it narrowed the store, the
/// publisher types and roles there are, and how to search in any case.
#[test]
fn an_empty_result_says_what_was_searched_and_what_there_is() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "user:Alice-Chen", now);
    let effects = app.update(code(KeyCode::Enter), now);
    assert_eq!(requests(&effects).len(), 1, "the server filter is fetched");
    app.update(page_event(2, 1, page(Vec::new(), 6, false)), now);
    app.update(done(2, 1), now);
    assert_eq!(app.sessions().len(), 0);
    let screen = wide(&mut app, now);
    let text = screen.to_string();
    assert!(
        text.contains("`Alice-Chen`: the closest ids seen in this session: alice-chen"),
        "{text}"
    );
    assert!(
        text.contains("Publisher types here: rtmp, webrtc, whip · roles here: host, user"),
        "{text}"
    );
    assert_snapshot!(screen);
}

/// A local search that keeps nothing says the same, at 80 columns too.
#[test]
fn an_empty_local_search_names_the_closest_ids_at_80x24() {
    let (mut app, now) = loaded(Some("carl"));
    assert_eq!(app.sessions().len(), 0);
    let text = screen(&mut app, now, 80, 24).to_string();
    assert!(
        text.contains("No participant session matches `carl`."),
        "{text}"
    );
    assert!(
        text.contains("`carl`: the closest ids seen in this session: carol"),
        "{text}"
    );
    assert!(text.contains("searches ids in any case"), "{text}");
}

/// The user's story: joined and left against the start and the end with the grace behind each
/// flag, the reconnects, roles and publisher types, one lane across the call window.
#[test]
fn the_user_detail_tells_the_users_story_at_160x48_and_80x24() {
    let (mut app, now) = loaded(None);
    app.update(code(KeyCode::Tab), now);
    while app
        .users()
        .selected()
        .is_some_and(|&user| app.store().user_name(user) != "bob")
    {
        app.update(key('j'), now);
    }
    app.update(code(KeyCode::Enter), now);
    let wide = screen(&mut app, now, 160, 48);
    let text = wide.to_string();
    for said in [
        "joined 10m 00s after the start: late (grace 5m 00s)",
        "left 10m 00s before the end: left early (grace 5m 00s)",
        "↻0 reconnects (a rejoin within 1m 00s) · roles user · publisher types rtmp",
        "10:00:00 ▕",
        "▏ 11:00:00",
    ] {
        assert!(text.contains(said), "{said}:\n{text}");
    }
    assert_snapshot!("user_story_160x48", wide);
    let narrow = screen(&mut app, now, 80, 24);
    let text = narrow.to_string();
    assert!(
        text.contains("left 10m 00s before the end: left early"),
        "{text}"
    );
    assert_snapshot!("user_story_80x24", narrow);

    // `?` explains the figures before the keys, with the thresholds in force.
    app.update(key('?'), now);
    let help = screen(&mut app, now, 160, 48).to_string();
    for said in [
        "The figures",
        "late: first join over 5m 00s after the start",
        "↻ reconnect: a rejoin within 1m 00s of leaving",
        "2-9 in that many at once",
    ] {
        assert!(help.contains(said), "{said}:\n{help}");
    }
}

/// While the call is live, a user who left is "left early" only provisionally; a user still
/// in the call is said to be.
#[test]
fn a_live_users_leave_is_provisional() {
    let now = T0 + 40 * MIN;
    let (mut app, _) = headcount::app::App::new(config(None), now);
    let rows = vec![
        row("alice-chen", "a-1", 0, Some(20), "webrtc", "host"),
        row("bob", "b-1", 5, None, "webrtc", "user"),
    ];
    app.update(page_event(1, 1, page(rows, 2, true)), now);
    app.update(done(1, 1), now);
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Enter), now);
    let text = screen(&mut app, now, 160, 48).to_string();
    assert!(
        text.contains("left 20m 00s before the end: left early (grace 5m 00s, provisional)"),
        "{text}"
    );
    app.update(code(KeyCode::Esc), now);
    app.update(key('j'), now);
    app.update(code(KeyCode::Enter), now);
    let text = screen(&mut app, now, 160, 48).to_string();
    assert!(text.contains("still in the call"), "{text}");
}

#[test]
fn the_header_shows_the_cost_of_the_last_poll_the_quota_left_and_the_next_poll() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    let reset = (now + 60 * SEC) / SEC;
    for (page_no, remaining) in [(1, 3), (2, 2)] {
        app.update(
            Msg::Fetch(FetchEvent::Page {
                generation: 1,
                page_no,
                page: Box::new(headcount::api::RawSessionsPage::from_page(&page(
                    rows.clone(),
                    1,
                    true,
                ))),
                rate_limit: Some(headcount::api::RateLimit {
                    limit: 4,
                    remaining,
                    reset,
                }),
            }),
            now,
        );
    }
    app.update(done(1, 2), now);
    let header = wide(&mut app, now + 20 * SEC).to_string();
    assert!(
        header.contains("last read 2 requests · quota 2/4 left · next poll in 41s (rate limit)"),
        "{header}"
    );
    let narrow = screen(&mut app, now + 20 * SEC, 80, 24).to_string();
    assert!(narrow.contains("next poll in 41s"), "{narrow}");
}

/// The progress line of the header, at `width` columns.
fn progress_line(app: &mut App, now: Nanos, width: u16) -> String {
    let text = screen(app, now, width, 24).to_string();
    text.lines()
        .nth(1)
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

/// A live call read once, then polled: each read the app asks for is answered as the fetcher
/// would, page by page (pages of two rows), with what the fetcher says between the pages.
struct LivePolls {
    app: App,
    now: Nanos,
    generation: u64,
    pages: u32,
}

impl LivePolls {
    /// The call thirty minutes in, its first read (one page of `rows`) done.
    fn read_once(rows: Vec<serde_json::Value>) -> LivePolls {
        let now = T0 + 30 * MIN;
        let (mut app, _) = App::new(
            headcount::app::AppConfig {
                page_size: 2,
                ..config(None)
            },
            now,
        );
        let total = rows.len() as i64;
        app.update(page_event(1, 1, page(rows, total, true)), now);
        app.update(done(1, 1), now);
        LivePolls {
            app,
            now,
            generation: 1,
            pages: 1,
        }
    }

    /// Starts the next poll when it is due; what it reads first.
    fn poll(&mut self) -> headcount::fetch::ReadMode {
        self.now = self.app.next_poll().expect("a poll is planned").nanos();
        let effects = self.app.update(Msg::Tick, self.now);
        self.go_on(&effects)
    }

    /// The read `effects` start (the poll's next read); what it reads.
    fn go_on(&mut self, effects: &[headcount::app::Effect]) -> headcount::fetch::ReadMode {
        let asked = requests(effects);
        assert_eq!(asked.len(), 1, "one read at a time: {asked:?}");
        self.generation += 1;
        self.pages = 0;
        asked[0].mode.clone()
    }

    /// The next page of the read under way: `rows`, with Stream's `total`.
    fn page(&mut self, rows: &[serde_json::Value], total: i64) {
        self.pages += 1;
        let event = page_event(
            self.generation,
            self.pages,
            page(rows.to_vec(), total, true),
        );
        self.app.update(event, self.now);
    }

    /// What the fetcher said of the server's answers to `is_live`, for the open sessions
    /// (`open`) or the closed ones.
    fn said(&mut self, open: bool, check: headcount::fetch::IsLiveCheck) {
        let generation = self.generation;
        let event = if open {
            FetchEvent::OpenSessionsRead { generation, check }
        } else {
            FetchEvent::ClosedSessionsRead { generation, check }
        };
        self.app.update(Msg::Fetch(event), self.now);
    }

    /// The open sessions were read with `is_live` honoured, and nobody left since the last poll.
    fn open_sessions_honoured_nobody_left(&mut self) {
        self.said(true, headcount::fetch::IsLiveCheck::Honoured);
        let event = FetchEvent::ReadBack {
            generation: self.generation,
            users: std::sync::Arc::from(Vec::<String>::new()),
        };
        self.app.update(Msg::Fetch(event), self.now);
    }

    /// The read under way ends; the effects of its end.
    fn end(&mut self) -> Vec<headcount::app::Effect> {
        self.app.update(done(self.generation, self.pages), self.now)
    }

    fn last_read(&self) -> Option<headcount::app::live::PollRead> {
        self.app.poll_reads().last()
    }

    /// The header's progress line at `width` columns.
    fn progress_line(&mut self, width: u16) -> String {
        progress_line(&mut self.app, self.now, width)
    }

    /// The header's line that says when the next poll starts, 160 columns wide.
    fn poll_line(&mut self) -> String {
        let text = wide(&mut self.app, self.now).to_string();
        text.lines()
            .find(|line| line.contains("next poll"))
            .unwrap_or_else(|| panic!("{text}"))
            .to_owned()
    }
}

/// Two sessions open thirty minutes in, and four closed.
fn open_and_closed() -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let open = vec![
        row("alice-chen", "a-2", 25, None, "webrtc", "host"),
        row("bob", "b-1", 10, None, "rtmp", "user"),
    ];
    let closed = vec![
        row("alice-chen", "a-1", 0, Some(25), "webrtc", "host"),
        row("carol", "c-1", 0, Some(20), "webrtc", "user"),
        row("carol", "c-2", 5, Some(20), "webrtc", "user"),
        row("dave", "d-1", 2, Some(18), "whip", "user"),
    ];
    (open, closed)
}

/// After a poll of a live call whose rows and Stream's total differ, the header says by how
/// many sessions and that the next poll reads the session whole (which it does), until the
/// next poll starts; nothing once they agree. Both ways: sessions not read yet, and more
/// sessions than Stream's total.
#[test]
fn the_header_names_the_sessions_a_live_poll_has_not_read_yet() {
    use headcount::app::live::PollRead;
    use headcount::fetch::ReadMode;

    let (mut open, closed) = open_and_closed();
    let mut polls = LivePolls::read_once([open.clone(), closed.clone()].concat());
    let line = polls.progress_line(160);
    assert!(line.contains("done"), "the counts agree: {line}");
    assert_eq!(polls.app.count_gap(), None);

    // Two people join while the poll reads: Stream's total says 8 by its closed sessions,
    // and no page of it brought them.
    let mode = polls.poll();
    assert!(matches!(mode, ReadMode::OpenSessions { .. }), "{mode:?}");
    polls.page(&open, 7);
    polls.open_sessions_honoured_nobody_left();
    let effects = polls.end();
    assert_eq!(polls.go_on(&effects), ReadMode::ClosedSessions);
    polls.page(&closed[..2], 8);
    polls.page(&closed[2..], 8);
    polls.end();
    assert_eq!(polls.last_read(), Some(PollRead::ClosedSessions));
    assert_eq!(polls.app.store().len(), 6);
    let line = polls.progress_line(160);
    assert!(
        line.contains("2 sessions not read yet (next poll reads whole)"),
        "{line}"
    );
    assert!(!line.contains("done"), "{line}");
    // At 80 columns the count stays, its reason goes first.
    let narrow = polls.progress_line(80);
    assert!(narrow.contains("2 sessions not read yet"), "{narrow}");
    // A file written now would lack those two sessions and look whole once it leaves the
    // screen: `e` writes none, and says why.
    let effects = polls.app.update(key('e'), polls.now);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        said(&polls.app),
        "✕ not exported: 2 sessions not read yet (next poll reads whole)"
    );

    // The next poll reads whole, as said; while it runs, the count is not said.
    assert_eq!(polls.poll(), ReadMode::Whole);
    let line = polls.progress_line(160);
    assert!(!line.contains("not read yet"), "{line}");
    open.push(row("erin", "e-1", 29, None, "webrtc", "user"));
    open.push(row("frank", "f-1", 29, None, "webrtc", "user"));
    let every = [open.clone(), closed.clone()].concat();
    polls.page(&every[..4], 8);
    polls.page(&every[4..], 8);
    polls.end();
    let line = polls.progress_line(160);
    assert!(line.contains("done"), "the counts agree again: {line}");
    assert!(!line.contains("not read yet"), "{line}");
    let effects = export_now(&mut polls.app, polls.now);
    assert!(
        matches!(effects.first(), Some(headcount::app::Effect::Export { .. })),
        "the counts agree, the file is written: {effects:?}"
    );

    // Stream's total falls behind the rows: one session more than it counts.
    let mode = polls.poll();
    assert!(matches!(mode, ReadMode::OpenSessions { .. }), "{mode:?}");
    polls.page(&open[..2], 7);
    polls.page(&open[2..], 7);
    polls.open_sessions_honoured_nobody_left();
    let effects = polls.end();
    assert_eq!(polls.go_on(&effects), ReadMode::ClosedSessions);
    polls.page(&closed[..2], 7);
    polls.page(&closed[2..], 7);
    polls.end();
    assert_eq!(polls.app.store().len(), 8);
    let line = polls.progress_line(160);
    assert!(
        line.contains("1 session more than Stream's total (next poll reads whole)"),
        "{line}"
    );
    assert_eq!(polls.poll(), ReadMode::Whole);
}

/// The header after each kind of live poll: its requests and how it read, from the poll the
/// app planned (the open sessions, the closed ones when the counts then differed, or every
/// row once the server ignored `is_live`).
#[test]
fn the_header_says_how_the_last_poll_read_the_session() {
    use headcount::app::live::PollRead;
    use headcount::fetch::{IsLiveCheck, ReadMode};

    let (open, mut closed) = open_and_closed();
    let mut polls = LivePolls::read_once([open.clone(), closed.clone()].concat());

    // Two open sessions of six: one page of them, nobody left.
    let mode = polls.poll();
    assert!(matches!(mode, ReadMode::OpenSessions { .. }), "{mode:?}");
    polls.page(&open, 6);
    polls.open_sessions_honoured_nobody_left();
    polls.end();
    assert_eq!(polls.last_read(), Some(PollRead::OpenSessions));
    let line = polls.poll_line();
    assert!(
        line.contains("last poll 1 request (open sessions)"),
        "{line}"
    );

    // Someone joined and left between two polls: the total says 7, the open sessions are
    // the same two, and the poll goes on with the closed sessions.
    assert!(matches!(polls.poll(), ReadMode::OpenSessions { .. }));
    polls.page(&open, 7);
    polls.open_sessions_honoured_nobody_left();
    let effects = polls.end();
    assert_eq!(
        polls.go_on(&effects),
        ReadMode::ClosedSessions,
        "the poll goes on"
    );
    closed.push(row("erin", "e-1", 26, Some(28), "webrtc", "user"));
    polls.page(&closed[..2], 7);
    polls.page(&closed[2..], 7);
    polls.said(false, IsLiveCheck::Honoured);
    polls.end();
    assert_eq!(polls.app.store().len(), 7);
    assert_eq!(polls.last_read(), Some(PollRead::ClosedSessions));
    let line = polls.poll_line();
    assert!(
        line.contains("last poll 3 requests (open + closed sessions)"),
        "{line}"
    );

    // The server returns a closed session for `is_live: true`: the poll reads every row.
    assert!(matches!(polls.poll(), ReadMode::OpenSessions { .. }));
    polls.page(&closed[..2], 7);
    polls.said(true, IsLiveCheck::Ignored);
    polls.page(&[open, closed].concat(), 7);
    polls.end();
    assert_eq!(polls.last_read(), Some(PollRead::Whole));
    let line = polls.poll_line();
    assert!(line.contains("last poll 2 requests (full read)"), "{line}");
    assert_eq!(polls.poll(), ReadMode::Whole, "and every row from then on");
}
