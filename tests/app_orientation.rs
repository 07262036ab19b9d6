//! Finding one's way in the dashboard: where the cursor is in each list, what the sort does
//! to it, what the timeline shows of the call, and which keys the footer offers.

mod app_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::api::timestamp::Nanos;
use headcount::app::{App, Effect, Layout, Msg};
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Draws `app` as the dashboard does, handing back what the frame laid out.
fn screen(app: &mut App, now: Nanos, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut layout = Layout::default();
    terminal
        .draw(|frame| layout = headcount::ui::draw(frame, app, now))
        .unwrap();
    app.update(Msg::Layout(layout), now);
    terminal.backend().clone()
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

/// The bottom border of the body: the last row that starts with `└`.
fn bottom_border(backend: &TestBackend) -> String {
    rows_of(backend)
        .into_iter()
        .rfind(|row| row.starts_with('└'))
        .expect("a bordered body")
}

fn press(app: &mut App, keys: &[KeyCode], now: Nanos) {
    for &key in keys {
        app.update(code(key), now);
    }
}

/// Every list says where its cursor is on its bottom border, as k9s and lazygit do.
#[test]
fn every_list_shows_the_cursors_place_on_its_border() {
    let down = KeyCode::Char('j');
    let views: [(&str, &[KeyCode], &str); 5] = [
        ("sessions", &[down, down], " 3 / 6 ┘"),
        ("users", &[KeyCode::Tab, down], " 2 / 4 ┘"),
        ("timeline", &[KeyCode::Tab, KeyCode::Tab, down], " 2 / 4 ┘"),
        // alice, bob, erin, frank, gina, carol and dave.
        ("expected", &[KeyCode::Char('x'), KeyCode::End], " 7 / 7 ┘"),
        // alice-chen's two sessions.
        ("user detail", &[KeyCode::Enter, down], " 2 / 2 ┘"),
    ];
    for (name, keys, said) in views {
        let (mut app, now) = loaded_with_roster(None);
        press(&mut app, keys, now);
        for (width, height) in [(160, 48), (80, 24)] {
            let border = bottom_border(&screen(&mut app, now, width, height));
            assert!(
                border.ends_with(said),
                "{name} at {width}x{height}: {border}"
            );
        }
    }
}

/// Counts on the border group thousands, as every count on screen does.
#[test]
fn the_position_groups_thousands() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = (0..1200)
        .map(|i| {
            let user = format!("user-{i:04}");
            row(&user, &format!("s-{i:04}"), 0, Some(10), "webrtc", "user")
        })
        .collect();
    app.update(page_event(1, 1, page(rows, 1200, false)), now);
    app.update(done(1, 1), now);
    app.update(code(KeyCode::End), now);
    let wide = screen(&mut app, now, 160, 48);
    assert!(bottom_border(&wide).ends_with(" 1,200 / 1,200 ┘"));
    assert_snapshot!("position_160x48", wide);
    app.update(code(KeyCode::Home), now);
    let narrow = screen(&mut app, now, 80, 24);
    assert!(bottom_border(&narrow).ends_with(" 1 / 1,200 ┘"));
    assert_snapshot!("position_80x24", narrow);
}

/// An empty list has no position: no `0 / 0` beside the help that says why it is empty.
#[test]
fn an_empty_list_has_no_position() {
    let (mut app, now) = loaded_with_roster(Some("carl"));
    for keys in [&[][..], &[KeyCode::Tab], &[KeyCode::Tab]] {
        press(&mut app, keys, now);
        let border = bottom_border(&screen(&mut app, now, 160, 48));
        assert!(!border.contains('/'), "{:?}: {border}", app.view());
    }
}

fn selected_session(app: &App) -> String {
    let id = *app.sessions().selected().expect("a selected row");
    let row = app.store().get(id).unwrap();
    row.user_session_id().as_str().to_owned()
}

fn selected_user(app: &App) -> String {
    let user = *app.users().selected().expect("a selected user");
    app.store().user_name(user).to_owned()
}

/// Moves the cursor down to the row `is` picks.
fn select(app: &mut App, now: Nanos, is: impl Fn(&mut App) -> bool) {
    for _ in 0..100 {
        if is(app) {
            return;
        }
        app.update(key('j'), now);
    }
    panic!("no such row");
}

/// A new sort keeps the cursor on its session or user, wherever the row goes, the first
/// row's included.
#[test]
fn the_selection_follows_its_row_across_sorts() {
    let (mut app, now) = loaded_with_roster(None);
    // Joined: a-1 c-1 d-1 c-2 b-1 a-2; longest first: d-1 b-1 a-1 a-2 c-1 c-2.
    select(&mut app, now, |app| selected_session(app) == "b-1");
    assert_eq!(app.sessions().selected_index(), Some(4));
    app.update(key('D'), now);
    assert_eq!(selected_session(&app), "b-1");
    assert_eq!(app.sessions().selected_index(), Some(1));
    app.update(key('D'), now);
    assert_eq!(selected_session(&app), "b-1");
    assert_eq!(app.sessions().selected_index(), Some(4));
    app.update(key('J'), now);
    app.update(code(KeyCode::Home), now);
    assert_eq!(selected_session(&app), "a-1");
    app.update(key('D'), now);
    assert_eq!(selected_session(&app), "a-1", "from the first row too");
    assert_eq!(app.sessions().selected_index(), Some(2));

    app.update(code(KeyCode::Tab), now);
    select(&mut app, now, |app| selected_user(app) == "carol");
    app.update(key('A'), now);
    assert_eq!(selected_user(&app), "carol");
    app.update(key('U'), now);
    assert_eq!(selected_user(&app), "carol");
    assert_eq!(app.users().selected_index(), Some(2));

    app.update(key('x'), now);
    // `y` copies the selected person's id.
    let person = |app: &mut App| match app.update(key('y'), now).as_slice() {
        [Effect::Copy(id)] => id.clone(),
        other => panic!("{other:?}"),
    };
    select(&mut app, now, |app| person(app) == "erin");
    for sort in ['A', 'U', '%', 'T'] {
        app.update(key(sort), now);
        assert_eq!(person(&mut app), "erin", "after {sort}");
    }
}

/// A row sorted far away is scrolled to: the next frame shows it.
#[test]
fn a_row_sorted_out_of_sight_is_scrolled_to() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    // s-000 is the shortest and joined first: the top of the table, then near its end.
    let rows = (0..300)
        .map(|i| {
            let id = format!("s-{i:03}");
            row(
                &format!("user-{i:03}"),
                &id,
                0,
                Some(1 + i % 59),
                "webrtc",
                "user",
            )
        })
        .collect();
    app.update(page_event(1, 1, page(rows, 300, false)), now);
    app.update(done(1, 1), now);
    screen(&mut app, now, 80, 24);
    app.update(key('D'), now);
    assert_eq!(selected_session(&app), "s-000");
    let at = app.sessions().selected_index().unwrap();
    assert!(at > 250, "{at}");
    let drawn = screen(&mut app, now, 80, 24);
    let text = rows_of(&drawn).join("\n");
    assert!(text.contains("│user-000 "), "{text}");
    let position = format!(" {} / 300 ┘", at + 1);
    assert!(bottom_border(&drawn).ends_with(&position), "{text}");
}

/// Durations, counts and shares sort largest first on the first press of their key; names
/// and times in reading order. The second press reverses.
#[test]
fn the_first_press_sorts_figures_largest_first_and_names_and_times_in_order() {
    use headcount::attendance::{ExpectedColumn as E, Order, SessionColumn as S, UserColumn as U};
    let (mut app, now) = loaded_with_roster(None);
    let sessions = [
        ('U', S::User, Order::Ascending),
        ('S', S::UserSession, Order::Ascending),
        ('J', S::Joined, Order::Ascending),
        ('L', S::Left, Order::Ascending),
        ('D', S::Duration, Order::Descending),
        ('P', S::Publisher, Order::Ascending),
        ('R', S::Roles, Order::Ascending),
    ];
    for (sort, column, first) in sessions {
        app.update(key(sort), now);
        assert_eq!(app.session_sort(), (column, first), "{sort}");
        app.update(key(sort), now);
        assert_ne!(app.session_sort().1, first, "{sort} again reverses");
    }
    // The users start sorted by user: `U` comes last, after another sort.
    let users = [
        ('A', U::Attended, Order::Descending),
        ('C', U::Connected, Order::Descending),
        ('N', U::Sessions, Order::Descending),
        ('F', U::FirstJoin, Order::Ascending),
        ('L', U::LastLeave, Order::Ascending),
        ('%', U::Attendance, Order::Descending),
        ('U', U::User, Order::Ascending),
    ];
    app.update(code(KeyCode::Tab), now);
    for (sort, column, first) in users {
        app.update(key(sort), now);
        assert_eq!(app.user_sort(), (column, first), "{sort}");
        app.update(key(sort), now);
        assert_ne!(app.user_sort().1, first, "{sort} again reverses");
    }
    let expected = [
        ('U', E::User, Order::Ascending),
        ('T', E::State, Order::Ascending),
        ('A', E::Attended, Order::Descending),
        ('%', E::Attendance, Order::Descending),
        ('F', E::FirstJoin, Order::Ascending),
        ('L', E::LastLeave, Order::Ascending),
        ('R', E::Role, Order::Ascending),
    ];
    app.update(key('x'), now);
    for (sort, column, first) in expected {
        app.update(key(sort), now);
        assert_eq!(app.expected_sort(), (column, first), "{sort}");
    }
}

/// The Timeline sorts its lanes with the Users view's keys and says the order in its title.
#[test]
fn the_timeline_sorts_with_the_users_keys_and_names_the_order() {
    use headcount::attendance::{Order, UserColumn};
    let (mut app, now) = loaded_with_roster(None);
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Tab), now);
    let title = |app: &mut App, width| rows_of(&screen(app, now, width, 48))[5].clone();
    assert!(title(&mut app, 160).contains("Timeline · 4 · sorted by User▲"));
    app.update(key('A'), now);
    assert_eq!(app.user_sort(), (UserColumn::Attended, Order::Descending));
    let lanes: Vec<String> = rows_of(&screen(&mut app, now, 160, 48))[9..13]
        .iter()
        .map(|row| row[3..18].trim().to_owned())
        .collect();
    // alice-chen 60m, dave 56m, bob 40m, carol 20m.
    assert_eq!(lanes, ["alice-chen", "dave", "bob", "carol"]);
    assert!(title(&mut app, 160).contains("sorted by Attended▼"));
    assert!(title(&mut app, 80).contains("Attended▼"));
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::BackTab), now);
    assert_eq!(
        app.user_sort(),
        (UserColumn::Attended, Order::Descending),
        "one order for both views"
    );
}

/// The lane of `user` on the Timeline: the row whose label starts with it.
fn lane_of(rows: &[String], user: &str) -> String {
    rows.iter()
        .find(|row| row.trim_start_matches('│').starts_with(user))
        .unwrap_or_else(|| panic!("no lane of {user}"))
        .clone()
}

/// An open session of a live call ends in the legend's `▶ live` mark; a leave not recorded
/// in an ended call ends with the call, unmarked.
#[test]
fn open_sessions_of_a_live_call_end_in_the_live_mark() {
    let now = T0 + 40 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![
        row("alice-chen", "a-1", 0, Some(20), "webrtc", "host"),
        row("bob", "b-1", 5, None, "rtmp", "user"),
    ];
    app.update(page_event(1, 1, page(rows.clone(), 2, true)), now);
    app.update(done(1, 1), now);
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Tab), now);
    // A second later than the figures: the bar still reaches the mark.
    let later = now + SEC;
    let wide = screen(&mut app, later, 160, 48);
    let rows_drawn = rows_of(&wide);
    assert!(
        lane_of(&rows_drawn, "bob").contains("▶"),
        "{}",
        rows_drawn.join("\n")
    );
    assert!(!lane_of(&rows_drawn, "alice-chen").contains("▶"));
    assert_snapshot!("live_timeline_160x48", wide);
    let narrow = screen(&mut app, later, 80, 24);
    assert!(lane_of(&rows_of(&narrow), "bob").contains("▶"));
    assert_snapshot!("live_timeline_80x24", narrow);

    // The same rows once the call ended at 10:40: bob's leave was not recorded.
    let (mut ended, _) = App::new(config(None), now);
    let mut page = page(rows, 2, false);
    page.session.as_mut().unwrap().ended_at = Some(now);
    ended.update(page_event(1, 1, page), now);
    ended.update(done(1, 1), now);
    ended.update(code(KeyCode::Tab), now);
    ended.update(code(KeyCode::Tab), now);
    let rows_drawn = rows_of(&screen(&mut ended, now + 5 * MIN, 160, 48));
    let bob = lane_of(&rows_drawn, "bob");
    assert!(!bob.contains("▶") && bob.contains('▓'), "{bob}");
}

/// The axis marks the call's start and end as the user detail's lane does, and the title
/// says which range is shown and how far it is zoomed in.
#[test]
fn the_timeline_marks_the_calls_start_and_end_and_says_its_zoom() {
    let (mut app, now) = loaded(None);
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Tab), now);
    let drawn = |app: &mut App, width, height| rows_of(&screen(app, now, width, height));
    let axis = |rows: &[String]| {
        rows.iter()
            .find(|row| row.contains('┬'))
            .expect("an axis")
            .clone()
    };
    for (width, height) in [(160, 48), (80, 24)] {
        let rows = drawn(&mut app, width, height);
        assert!(axis(&rows).contains("call ▕┬"), "{}", rows.join("\n"));
        assert!(axis(&rows).ends_with("▏│"), "{}", rows.join("\n"));
        assert!(
            rows[5].contains("10:00–11:00 UTC · whole call"),
            "{}",
            rows[5]
        );
    }
    app.update(key('+'), now);
    let rows = drawn(&mut app, 160, 48);
    assert!(rows[5].contains("10:15–10:45 UTC · zoom 2×"), "{}", rows[5]);
    assert!(!axis(&rows).contains('▕') && !axis(&rows).contains('▏'));
    assert_snapshot!("zoomed_timeline_160x48", screen(&mut app, now, 160, 48));
    for _ in 0..4 {
        app.update(key('h'), now);
    }
    let rows = drawn(&mut app, 160, 48);
    assert!(rows[5].contains("10:00–10:30 UTC · zoom 2×"), "{}", rows[5]);
    assert!(axis(&rows).contains("call ▕") && !axis(&rows).contains('▏'));
    let narrow = screen(&mut app, now, 80, 24);
    assert!(
        rows_of(&narrow)[5].contains("zoom 2×"),
        "{}",
        rows_of(&narrow)[5]
    );
    assert_snapshot!("zoomed_timeline_80x24", narrow);
}

/// The footer's keys of `app` now.
fn footer(app: &App) -> Vec<&'static str> {
    app.footer_keys()
}

/// Moves the Expected view's cursor to `user` (`y` copies the selected person's id).
fn select_person(app: &mut App, now: Nanos, user: &str) {
    app.update(code(KeyCode::Home), now);
    select(
        app,
        now,
        |app| matches!(app.update(key('y'), now).as_slice(), [Effect::Copy(id)] if id == user),
    );
}

/// The footer offers the keys that do something in the view and state at hand, from the
/// same table as the keys themselves and the help.
#[test]
fn the_footer_offers_only_the_keys_that_do_something_here() {
    // A live call: freeze; an ended one, read: nothing to freeze.
    let now = T0 + 40 * MIN;
    let (mut live, _) = App::new(config(None), now);
    let rows = vec![row("bob", "b-1", 5, None, "rtmp", "user")];
    live.update(page_event(1, 1, page(rows, 1, true)), now);
    assert!(footer(&live).contains(&"f"), "{:?}", footer(&live));
    live.update(done(1, 1), now);
    assert!(footer(&live).contains(&"f"), "{:?}", footer(&live));
    let (mut app, now) = loaded_with_roster(None);
    let sessions = footer(&app);
    assert!(!sessions.contains(&"f"), "ENDED: {sessions:?}");
    // At the top with no filter, Esc does nothing; the sessions give the call's card.
    assert!(!sessions.contains(&"Esc"), "{sessions:?}");
    for key in ["q", "?", "Tab", "Enter", "/", "r", "e", "y", "c", "U"] {
        assert!(sessions.contains(&key), "{key}: {sessions:?}");
    }

    // The Timeline: its zoom, the Users view's sort, and pan once zoomed in.
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Tab), now);
    let timeline = footer(&app);
    assert!(
        timeline.contains(&"+") && timeline.contains(&"U"),
        "{timeline:?}"
    );
    assert!(
        !timeline.contains(&"h"),
        "nothing to pan in the whole call: {timeline:?}"
    );
    app.update(key('+'), now);
    assert!(footer(&app).contains(&"h"), "{:?}", footer(&app));

    // A user's detail: nothing to open from it, Esc goes back.
    app.update(code(KeyCode::Enter), now);
    let detail = footer(&app);
    assert!(
        !detail.contains(&"Enter") && detail.contains(&"Esc"),
        "{detail:?}"
    );
    assert!(detail.contains(&"c") && detail.contains(&"e"), "{detail:?}");

    // A member who never joined: no sessions to open, export or put on a card.
    app.update(key('x'), now);
    select_person(&mut app, now, "alice-chen");
    assert!(footer(&app).contains(&"c"), "{:?}", footer(&app));
    select_person(&mut app, now, "erin");
    let erin = footer(&app);
    assert!(!erin.contains(&"c") && erin.contains(&"Enter"), "{erin:?}");
    app.update(code(KeyCode::Enter), now);
    let member = footer(&app);
    for key in ["Enter", "e", "f", "c"] {
        assert!(!member.contains(&key), "{key}: {member:?}");
    }
    for key in ["Esc", "y", "?", "q"] {
        assert!(member.contains(&key), "{key}: {member:?}");
    }

    // A filter: Esc at the top clears it; with nothing kept, nothing to export.
    let (app, _) = loaded(Some("carl"));
    let empty = footer(&app);
    assert!(empty.contains(&"Esc") && !empty.contains(&"e"), "{empty:?}");
}

/// A narrow terminal shows as many whole hints as fit, in the footer's order, never one cut
/// in the middle (`e expor` reads as another key); `?` (the help, which lists them all) stays.
#[test]
fn a_narrow_footer_drops_whole_hints_never_cuts_one() {
    let (mut app, now) = loaded_with_roster(None);
    let footer_at = |app: &mut App, width| rows_of(&screen(app, now, width, 24)).pop().unwrap();
    // Wide enough for every hint: ` q  quit   ?  help   Tab  view …`.
    let all = footer_at(&mut app, 400);
    let hints: Vec<&str> = all.trim().split("   ").collect();
    assert!(hints.len() > 8, "{all}");
    for width in [30, 40, 60, 80, 100, 160] {
        let drawn = footer_at(&mut app, width);
        let fits = (1..=hints.len())
            .map(|n| format!(" {}", hints[..n].join("   ")))
            .take_while(|shown| shown.chars().count() <= usize::from(width))
            .last()
            .unwrap_or_default();
        assert_eq!(drawn.trim_end(), fits, "at {width} columns");
        assert!(fits.contains(" ?  help"), "at {width} columns: {fits}");
    }
}

/// The footer as drawn: a member who never joined, at 160x48 and 80x24.
#[test]
fn the_footer_of_a_member_who_never_joined() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    select_person(&mut app, now, "erin");
    app.update(code(KeyCode::Enter), now);
    assert_snapshot!("member_160x48", screen(&mut app, now, 160, 48));
    assert_snapshot!("member_80x24", screen(&mut app, now, 80, 24));
}

/// The title of a member who never joined says so, never `erin · 0`.
#[test]
fn a_member_who_never_joined_is_titled_so() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    select_person(&mut app, now, "erin");
    app.update(code(KeyCode::Enter), now);
    for (width, height) in [(160, 48), (80, 24)] {
        let title = rows_of(&screen(&mut app, now, width, height))[5].clone();
        assert!(title.starts_with("┌ erin · never joined ─"), "{title}");
    }
}

/// A server filter that matched nothing titles the list with what was searched, as the help
/// under it does, never `0 of 0`.
#[test]
fn a_filter_that_matched_nothing_titles_the_list_with_what_was_searched() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "user:Alice-Chen", now);
    app.update(code(KeyCode::Enter), now);
    app.update(page_event(2, 1, page(Vec::new(), 6, false)), now);
    app.update(done(2, 1), now);
    for (width, height) in [(160, 48), (80, 24)] {
        let rows = rows_of(&screen(&mut app, now, width, height));
        assert!(
            rows[5].starts_with("┌ Sessions · nothing matches user:Alice-Chen ─"),
            "{}",
            rows[5]
        );
        assert!(!rows.join("\n").contains("0 of 0"));
    }
    app.update(code(KeyCode::Tab), now);
    let rows = rows_of(&screen(&mut app, now, 160, 48));
    assert!(
        rows[5].starts_with("┌ Users · nothing matches user:Alice-Chen ─"),
        "{}",
        rows[5]
    );
}

/// The Expected view says why it is empty when its filter keeps nobody: what was searched,
/// the closest ids among the people, how many are in each state.
#[test]
fn the_expected_view_says_what_was_searched_when_nobody_matches() {
    let (mut app, now) = loaded_with_roster(Some("erinn"));
    app.update(key('x'), now);
    let wide = screen(&mut app, now, 160, 48);
    let text = rows_of(&wide).join("\n");
    for said in [
        "Expected · nothing matches erinn",
        "Nobody expected matches `erinn`.",
        "`erinn`: the closest ids expected or attending: erin",
        "Here: ",
        "searches ids in any case",
    ] {
        assert!(text.contains(said), "{said}:\n{text}");
    }
    assert_snapshot!("expected_nobody_160x48", wide);
    let narrow = screen(&mut app, now, 80, 24);
    assert!(
        rows_of(&narrow)
            .join("\n")
            .contains("Nobody expected matches `erinn`.")
    );
    assert_snapshot!("expected_nobody_80x24", narrow);
}

/// At 80 columns the header keeps the session id (shortened, never dropped: it says which
/// session of the call the figures are, and `s` changes it); the window's length and the
/// freshness go first.
#[test]
fn a_narrow_header_keeps_the_session_id() {
    let now = T0 + 70 * MIN;
    let session = "3f2a9c0a-6b1e-4c55-9d2a-7e0c1b2a3d4f";
    let config = headcount::app::AppConfig {
        session: session.into(),
        ..config(None)
    };
    let (mut app, _) = App::new(config, now);
    app.update(page_event(1, 1, page(ended_rows(), 6, false)), now);
    app.update(done(1, 1), now);
    let wide = rows_of(&screen(&mut app, now, 160, 48))[0].clone();
    assert!(wide.contains(&format!("session {session}")), "{wide}");
    assert!(
        wide.contains("default:standup") && wide.contains("updated"),
        "{wide}"
    );
    // The call is named before the session id is given whole.
    for width in 60..=160 {
        let header = rows_of(&screen(&mut app, now, width, 30))[0].clone();
        if header.contains(&format!("session {session}")) {
            assert!(header.contains("default:standup"), "at {width}: {header}");
        }
    }
    for width in [80, 60] {
        let header = rows_of(&screen(&mut app, now, width, 24))[0].clone();
        assert!(header.contains("session 3f2a9c"), "at {width}: {header}");
        assert!(
            header.starts_with("ENDED │ 2026-11-26"),
            "at {width}: {header}"
        );
    }
    assert_snapshot!(
        "header_keeps_the_session_80x24",
        screen(&mut app, now, 80, 24)
    );
}

/// The sort keys are offered where there is a list to sort, and not on an empty one.
#[test]
fn the_sort_keys_are_not_offered_on_an_empty_list() {
    let (mut app, now) = loaded(Some("carl"));
    // Sessions, Users, Timeline: nothing kept, nothing to sort.
    for view in ["Sessions", "Users", "Timeline"] {
        let keys = footer(&app);
        assert!(!keys.contains(&"U"), "{view}: {keys:?}");
        app.update(code(KeyCode::Tab), now);
    }
    let (mut app, now) = loaded(None);
    let drawn = rows_of(&screen(&mut app, now, 400, 24)).pop().unwrap();
    assert!(drawn.contains(" sort"), "{drawn}");
    for view in ["Sessions", "Users", "Timeline"] {
        let keys = footer(&app);
        assert!(keys.contains(&"U"), "{view}: {keys:?}");
        app.update(code(KeyCode::Tab), now);
    }
    // The Expected view, with no roster read: nobody to sort.
    let keys = footer(&app);
    assert!(!keys.contains(&"U"), "Expected: {keys:?}");
}

/// `s` (switch session) works in every view of the dashboard: the footer offers it there,
/// from the keymap's hint.
#[test]
fn the_footer_offers_the_session_switch_in_every_view() {
    let (mut app, now) = loaded_with_roster(None);
    let mut seen = Vec::new();
    for _ in 0..4 {
        assert!(
            footer(&app).contains(&"s"),
            "{:?}: {:?}",
            app.view(),
            footer(&app)
        );
        seen.push(app.view());
        app.update(code(KeyCode::Tab), now);
    }
    app.update(code(KeyCode::Home), now);
    app.update(code(KeyCode::Enter), now);
    assert!(
        footer(&app).contains(&"s"),
        "{:?}: {:?}",
        app.view(),
        footer(&app)
    );
    let drawn = rows_of(&screen(&mut app, now, 400, 24)).pop().unwrap();
    assert!(drawn.contains(" s  session"), "{drawn}");
    assert_eq!(seen.len(), 4);
}
