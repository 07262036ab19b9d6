//! The Expected view's state machine: the roster read by the fetch, its classification
//! against the rows (again when they change), the reasons it cannot be told, the person's
//! filter terms, the sort, and the counts on the totals line.

mod app_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::api::{ApiError, NetworkError, NetworkFailure};
use headcount::app::App;
use headcount::app::view::View;
use headcount::fetch::{Asked, Completeness, FetchEvent, Shortfall};

/// The Expected view's rows, as `user_id state`.
fn listed(app: &App) -> Vec<String> {
    app.expected_listed()
        .into_iter()
        .map(|(user, state)| format!("{user} {state}"))
        .collect()
}

fn counts(app: &App) -> String {
    app.expected_counts().expect("classified")
}

fn reasons(app: &App) -> Vec<String> {
    app.cannot_classify().expect("not classified")
}

#[test]
fn x_shows_every_member_and_every_uninvited_attendee_with_their_state() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    assert_eq!(app.view(), View::Expected);
    assert_eq!(
        listed(&app),
        [
            "alice-chen present",
            "bob partial",
            "gina absent",
            "erin rejected",
            "frank missed",
            "carol not-member",
            "dave not-member",
        ],
        "by state, then user"
    );
    assert_eq!(
        counts(&app),
        "1 of 5 expected present · 1 partial · 1 absent · 1 rejected · 1 missed · 2 attended, \
         not members"
    );
    // Tab reaches it too, after the timeline.
    app.update(key('x'), now);
    app.update(code(KeyCode::BackTab), now);
    assert_eq!(app.view(), View::Timeline);
    app.update(code(KeyCode::Tab), now);
    assert_eq!(app.view(), View::Expected);
}

#[test]
fn the_roster_is_read_with_every_unfiltered_fetch_and_never_with_a_filtered_one() {
    let (mut app, effects) = App::new(config(None), T0 + 70 * MIN);
    assert!(requests(&effects)[0].roster, "the first read asks for it");
    let (mut filtered, effects) = App::new(config(Some("user:bob")), T0 + 70 * MIN);
    assert!(
        !requests(&effects)[0].roster,
        "a server filter: nobody can be classified"
    );
    let now = T0 + 70 * MIN;
    filtered.update(page_event(1, 1, page(ended_rows(), 6, false)), now);
    filtered.update(done(1, 1), now);
    filtered.update(roster_event(1), now);
    let why = reasons(&filtered);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("the sessions were read with a filter (user:bob)"),
        "{why:?}"
    );
    // `r` reads everything again, the roster included.
    let effects = app.update(key('r'), now);
    assert!(requests(&effects)[0].roster);
}

#[test]
fn until_both_reads_are_complete_the_view_says_why_it_cannot_classify() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(ended_rows(), 6, false)), now);
    assert_eq!(
        reasons(&app),
        [
            "the participant sessions were not all read (the read is under way)",
            "the call's members were not all read (they are being read)",
        ]
    );
    app.update(done(1, 1), now);
    assert_eq!(
        reasons(&app),
        ["the call's members were not all read (they are being read)"]
    );
    // A failure that may pass says so, and the next answer replaces it.
    let error = ApiError::Network(NetworkError {
        base_url: "http://127.0.0.1:9".into(),
        failure: NetworkFailure::Refused,
        detail: String::new(),
    });
    app.update(
        msg(FetchEvent::RosterFailed {
            generation: 1,
            asked: Asked::Members,
            error: error.clone(),
            retry_at: Some(now + 2 * SEC),
        }),
        now,
    );
    let why = reasons(&app);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with(
            "the call's members were not all read (reading them failed and is retried: "
        ),
        "{why:?}"
    );
    app.update(roster_event(1), now);
    assert!(counts(&app).starts_with("1 of 5 expected present"));
    // A later failure leaves the roster read on screen.
    app.update(
        msg(FetchEvent::RosterFailed {
            generation: 1,
            asked: Asked::Members,
            error,
            retry_at: None,
        }),
        now,
    );
    assert!(counts(&app).starts_with("1 of 5 expected present"));
}

#[test]
fn an_incomplete_read_or_an_old_generation_never_gives_states() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(ended_rows(), 10, false)), now);
    app.update(roster_event(1), now);
    let missing = Completeness::Incomplete(Shortfall::Sessions { read: 6, total: 10 });
    app.update(
        msg(FetchEvent::Done {
            generation: 1,
            pages: 1,
            completeness: missing,
            end: headcount::attendance::EndReports::default(),
        }),
        now,
    );
    let why = reasons(&app);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("the participant sessions were not all read"),
        "{why:?}"
    );
    // A roster of a replaced fetch is dropped.
    let (mut app, now) = loaded(None);
    app.update(roster_event(7), now);
    assert!(app.cannot_classify().is_some());
}

#[test]
fn new_rows_classify_again_and_a_live_call_is_provisional() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    app.update(page_event(1, 1, page(rows, 1, true)), now);
    app.update(done(1, 1), now);
    app.update(roster_event(1), now);
    let live = counts(&app);
    assert!(live.ends_with("(provisional: the call is live)"), "{live}");
    assert!(
        live.contains(" · 2 absent"),
        "bob and gina, not joined yet: {live}"
    );
    // The next poll brings bob in.
    let poll = app.next_poll().unwrap().nanos();
    let effects = app.update(headcount::app::Msg::Tick, poll);
    let generation = requests(&effects)[0].generation;
    let rows = vec![
        row("alice-chen", "a-1", 0, None, "webrtc", "host"),
        row("bob", "b-1", 29, None, "webrtc", "user"),
    ];
    app.update(page_event(generation, 1, page(rows, 2, true)), poll);
    app.update(done(generation, 1), poll);
    let polled = counts(&app);
    assert!(polled.contains(" · 1 absent"), "gina only: {polled}");
    assert!(polled.contains(" · 1 partial"), "bob, late: {polled}");
}

#[test]
fn a_live_poll_keeps_the_members_read_and_the_last_poll_and_r_read_them_again() {
    let now = T0 + 30 * MIN;
    let (mut app, effects) = App::new(config(None), now);
    assert!(
        requests(&effects)[0].members_known.is_none(),
        "the first read reads every member"
    );
    let rows = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    app.update(page_event(1, 1, page(rows.clone(), 1, true)), now);
    app.update(done(1, 1), now);
    app.update(roster_event(1), now);
    // A poll reads only GetCall again (the ring outcomes) and keeps the five members.
    let poll = app.next_poll().unwrap().nanos();
    let effects = app.update(headcount::app::Msg::Tick, poll);
    let request = requests(&effects)[0].clone();
    assert!(request.roster, "the ring outcomes are read again");
    let kept = request.members_known.expect("the members are kept");
    assert_eq!(kept.members.len(), 5);
    // Its roster (the kept members, a new GetCall) classifies as before.
    app.update(page_event(request.generation, 1, page(rows, 1, true)), poll);
    app.update(done(request.generation, 1), poll);
    app.update(roster_event(request.generation), poll);
    assert!(counts(&app).contains(" · 2 absent"), "{}", counts(&app));
    // `r` reads every member again.
    let effects = app.update(key('r'), poll);
    let fresh = requests(&effects)[0].clone();
    assert!(fresh.members_known.is_none(), "`r` reads them all");
    // Once the call ended, the last poll reads every member: the final figures count
    // the members added during the call.
    let ended = vec![row("alice-chen", "a-1", 0, Some(60), "webrtc", "host")];
    app.update(
        page_event(fresh.generation, 1, page(ended.clone(), 1, true)),
        poll,
    );
    app.update(done(fresh.generation, 1), poll);
    app.update(roster_event(fresh.generation), poll);
    let poll = app.next_poll().unwrap().nanos();
    let effects = app.update(headcount::app::Msg::Tick, poll);
    let generation = requests(&effects)[0].generation;
    assert!(requests(&effects)[0].members_known.is_some());
    app.update(page_event(generation, 1, page(ended, 1, false)), poll);
    let effects = app.update(done(generation, 1), poll);
    let last = requests(&effects);
    assert_eq!(last.len(), 1, "the last poll after the end");
    assert!(last[0].members_known.is_none(), "{:?}", last[0]);
}

#[test]
fn an_earlier_session_says_its_ring_outcomes_are_unknown_and_counts_no_one_rejected() {
    let (mut app, now) = loaded(None);
    let Some(FetchEvent::Roster { invited, .. }) = fetch_of(roster_event(1)) else {
        unreachable!()
    };
    let mut invited = *invited;
    // GetCall describes the call's current session, a later one than s-1.
    invited.call.current_session_id = "s-2".into();
    app.update(
        msg(FetchEvent::Roster {
            generation: 1,
            invited: Box::new(invited),
        }),
        now,
    );
    assert!(
        app.expected_notes()
            .iter()
            .any(|note| note
                .starts_with("ring outcomes are known for the call's current session only")),
        "{:?}",
        app.expected_notes()
    );
    app.update(key('x'), now);
    let states = listed(&app);
    assert!(states.contains(&"erin absent".to_owned()), "{states:?}");
    assert!(states.contains(&"frank absent".to_owned()), "{states:?}");
    assert!(!counts(&app).contains("rejected"), "{}", counts(&app));
}

#[test]
fn a_call_without_members_says_so_and_lists_every_attendee() {
    let (mut app, now) = loaded(None);
    let Some(FetchEvent::Roster { invited, .. }) = fetch_of(roster_event(1)) else {
        unreachable!()
    };
    let mut invited = *invited;
    std::sync::Arc::make_mut(&mut invited.members)
        .members
        .clear();
    app.update(
        msg(FetchEvent::Roster {
            generation: 1,
            invited: Box::new(invited),
        }),
        now,
    );
    assert!(app.expected_notes()[0].starts_with("this call has no members"));
    assert!(
        counts(&app).contains("4 attended, not members"),
        "{}",
        counts(&app)
    );
    app.update(key('x'), now);
    assert_eq!(app.expected_listed().len(), 4, "every attendee is listed");
}

#[test]
fn state_and_member_filter_people_in_the_expected_view_only() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    app.update(key('/'), now);
    type_text(&mut app, "state:absent,missed", now);
    assert_eq!(listed(&app), ["gina absent", "frank missed"]);
    // Rows have no state: the sessions stay as they were.
    assert_eq!(app.sessions().len(), 6);
    app.update(ctrl('u'), now);
    type_text(&mut app, "member:no", now);
    assert_eq!(listed(&app), ["carol not-member", "dave not-member"]);
    // A word finds a member who never joined; a row's term asks whether any of their
    // sessions passes it.
    app.update(ctrl('u'), now);
    type_text(&mut app, "gin or role:host", now);
    assert_eq!(listed(&app), ["alice-chen present", "gina absent"]);
    app.update(ctrl('u'), now);
    type_text(&mut app, "!role:host member:yes", now);
    assert_eq!(
        listed(&app),
        [
            "bob partial",
            "gina absent",
            "erin rejected",
            "frank missed"
        ]
    );
    assert_eq!(
        app.sessions().len(),
        4,
        "the sessions view keeps the row part"
    );
}

#[test]
fn the_expected_view_sorts_by_its_columns_and_enter_opens_an_attendee() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    app.update(key('A'), now);
    assert_eq!(
        listed(&app)[..3],
        ["alice-chen present", "dave not-member", "bob partial"],
        "attended, longest first"
    );
    app.update(key('U'), now);
    assert_eq!(listed(&app)[0], "alice-chen present");
    app.update(code(KeyCode::Enter), now);
    assert!(matches!(app.view(), View::UserDetail(_)));
    app.update(code(KeyCode::Esc), now);
    assert_eq!(app.view(), View::Expected);
}

/// The dashboard's screen as text, one line each.
fn drawn(app: &mut App, now: headcount::api::timestamp::Nanos) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 16)).unwrap();
    let mut layout = headcount::app::Layout::default();
    terminal
        .draw(|frame| layout = headcount::ui::draw(frame, app, now))
        .unwrap();
    app.update(headcount::app::Msg::Layout(layout), now);
    let buffer = terminal.backend().buffer().clone();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn enter_on_a_member_who_never_joined_opens_their_roster_detail() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    // By state: alice-chen, bob, gina (absent), erin (rejected), frank (missed).
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Enter), now);
    assert!(matches!(app.view(), View::Member(_)), "{:?}", app.view());
    let screen = drawn(&mut app, now);
    for shown in [
        "Expected › gina",
        "no sessions: never joined",
        "roster absent: never joined",
        "member, role user",
        "ring —",
        r#"custom {"team":"blue"}"#,
        "added 2026-11-26 09:00",
    ] {
        assert!(screen.contains(shown), "{shown:?} missing in\n{screen}");
    }
    app.update(code(KeyCode::Esc), now);
    assert_eq!(app.view(), View::Expected);
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Enter), now);
    let screen = drawn(&mut app, now);
    assert!(
        screen.contains("roster rejected the ring, never joined")
            && screen.contains("ring rejected"),
        "{screen}"
    );
    app.update(code(KeyCode::Esc), now);
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Enter), now);
    assert!(
        drawn(&mut app, now).contains("roster missed the ring, never joined"),
        "frank"
    );
}

/// The status line of the screen drawn at `now`.
fn status_at(app: &mut App, now: headcount::api::timestamp::Nanos) -> String {
    let screen = drawn(app, now);
    let line = screen.lines().rev().nth(1).unwrap_or_default();
    line.trim_end().to_owned()
}

fn rate_limited() -> ApiError {
    ApiError::Status(Box::new(headcount::api::StatusError {
        status: reqwest::StatusCode::TOO_MANY_REQUESTS,
        body: None,
        excerpt: None,
        rate_limit: None,
        retry_at: None,
    }))
}

#[test]
fn a_wait_for_the_members_ticks_in_the_status_line_until_they_come() {
    let (mut app, now) = loaded(None);
    let wait = |asked, at| {
        headcount::app::Msg::Fetch(FetchEvent::RosterFailed {
            generation: 1,
            asked,
            error: rate_limited(),
            retry_at: Some(at),
        })
    };
    let at = T0 + 70 * MIN + 42 * SEC;
    app.update(wait(Asked::Members, at), now);
    // Worded as a page's wait is, with what is asked for by name, and its countdown.
    assert_eq!(
        said(&app),
        "rate limited by Stream, call members asked again at 11:10:42 UTC"
    );
    assert_eq!(
        app.status().unwrap().severity(),
        headcount::app::live::Severity::Warning
    );
    assert_eq!(
        status_at(&mut app, now + 39 * SEC),
        "rate limited by Stream, call members asked again at 11:10:42 UTC · in 3s"
    );
    assert_eq!(
        status_at(&mut app, now + 40 * SEC),
        "rate limited by Stream, call members asked again at 11:10:42 UTC · in 2s"
    );
    // A page that comes in the meantime does not end the members' wait.
    app.update(
        page_event(1, 2, page(ended_rows(), 6, false)),
        now + 40 * SEC,
    );
    assert!(said(&app).contains("call members"), "{}", said(&app));
    // The ring outcomes (GetCall) are named as such.
    app.update(wait(Asked::CallDetails, at), now);
    assert_eq!(
        said(&app),
        "rate limited by Stream, call details asked again at 11:10:42 UTC"
    );
    app.update(roster_event(1), now);
    assert!(app.status().is_none(), "the wait is over once they come");
    assert!(counts(&app).starts_with("1 of 5 expected present"));
    // A notice that travelled behind the roster is over: it is not said.
    app.update(wait(Asked::Members, at), now);
    assert!(app.status().is_none(), "{:?}", app.status());
}

#[test]
fn a_wait_for_the_members_is_said_while_the_view_is_frozen() {
    let (mut app, now) = loaded(None);
    app.update(key('f'), now);
    assert!(app.frozen().is_some(), "frozen");
    app.update(
        headcount::app::Msg::Fetch(FetchEvent::RosterFailed {
            generation: 1,
            asked: Asked::Members,
            error: rate_limited(),
            retry_at: Some(now + 5 * SEC),
        }),
        now,
    );
    assert_eq!(
        said(&app),
        "rate limited by Stream, call members asked again at 11:10:05 UTC"
    );
}

/// `c` on someone who never joined gives no card (there is no attendance to tell) and says
/// why; on an attendee of the Expected view it gives their card.
#[test]
fn c_on_a_member_who_never_joined_says_why_there_is_no_card() {
    let (mut app, now) = loaded_with_roster(None);
    app.update(key('x'), now);
    let effects = app.update(key('c'), now);
    let copied: Vec<&headcount::app::Effect> = effects
        .iter()
        .filter(|effect| matches!(effect, headcount::app::Effect::Copy(_)))
        .collect();
    assert!(
        matches!(copied[..], [headcount::app::Effect::Copy(card)] if card.starts_with("User:         alice-chen\n")),
        "{effects:?}"
    );
    app.update(code(KeyCode::Esc), now);
    // By state: alice-chen, bob, gina (absent).
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Down), now);
    for _ in 0..2 {
        let effects = app.update(key('c'), now);
        assert!(effects.is_empty(), "no card: {effects:?}");
        assert!(said(&app).contains("never joined"), "{}", said(&app));
        app.update(code(KeyCode::Enter), now);
    }
    assert!(matches!(app.view(), View::Member(_)));
}

#[test]
fn the_expected_list_is_made_only_while_its_view_is_shown_and_keeps_its_cursor() {
    // At a million attendees the list is about 10 MB: the header needs the counts alone.
    let (mut app, now) = loaded_with_roster(None);
    let header = counts(&app);
    assert!(
        app.expected_listed().is_empty(),
        "not made on the Sessions view"
    );
    app.update(key('x'), now);
    let everyone = listed(&app);
    assert_eq!(everyone.len(), 7, "{everyone:?}");
    // By state: alice-chen, bob, gina (absent).
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Down), now);
    app.update(code(KeyCode::Tab), now);
    assert_eq!(app.view(), View::Sessions);
    assert!(app.expected_listed().is_empty(), "dropped with its view");
    assert_eq!(counts(&app), header, "the counts stay");
    app.update(code(KeyCode::BackTab), now);
    assert_eq!(app.view(), View::Expected);
    assert_eq!(listed(&app), everyone);
    app.update(code(KeyCode::Enter), now);
    assert!(matches!(app.view(), View::Member(_)), "{:?}", app.view());
    assert!(
        drawn(&mut app, now).contains("Expected › gina"),
        "the cursor stayed on gina"
    );
}
