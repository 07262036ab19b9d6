//! `s` in the dashboard: the session picker over the current view, and the switch to another
//! session of the call, driven message by message with a fixed clock.

mod app_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::api::models::ParticipantSessionsPage;
use headcount::app::{App, Effect, Msg, Outcome, SessionPicker};
use headcount::attendance::{SessionSummary, UserColumn};
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

fn summary(id: &str, current: bool, started: i64) -> SessionSummary {
    SessionSummary {
        id: id.into(),
        started_at: Some(T0 + started * MIN),
        ended: true,
        ended_at: Some(T0 + (started + 60) * MIN),
        current,
        counts: None,
    }
}

/// The call's sessions, newest first: s-2 after s-1 (the one the dashboard opened).
fn listed() -> Msg {
    Msg::Done(Outcome::SessionsListed {
        sessions: vec![summary("s-2", true, 24 * 60), summary("s-1", false, 0)],
        stopped_early: None,
    })
}

/// `page` as the session `id` answers it.
fn of_session(page: ParticipantSessionsPage, id: &str) -> ParticipantSessionsPage {
    let mut value = serde_json::to_value(page).unwrap();
    value["call_session_id"] = json!(id);
    value["session"]["id"] = json!(id);
    serde_json::from_value(value).unwrap()
}

/// The second session: two people, neither of whom was in the first.
fn second_session_page() -> ParticipantSessionsPage {
    let rows = vec![
        row("erin", "e-1", 0, Some(40), "webrtc", "user"),
        row("frank", "f-1", 5, Some(45), "webrtc", "user"),
    ];
    of_session(page(rows, 2, false), "s-2")
}

/// Opens the picker and hands it the list.
fn open_picker(app: &mut App, now: i64) {
    let effects = app.update(key('s'), now);
    assert_eq!(effects, vec![Effect::ListSessions], "s asks for the list");
    assert!(matches!(app.session_picker(), Some(SessionPicker::Listing)));
    app.update(listed(), now);
}

fn picked(app: &App) -> String {
    match app.session_picker() {
        Some(SessionPicker::Open(picker)) => picker.selected_session().unwrap().id.clone(),
        other => panic!("the picker is not open: {other:?}"),
    }
}

#[test]
fn enter_switches_to_the_chosen_session_with_a_fresh_read() {
    let (mut app, now) = loaded(None);
    assert_eq!(app.figures().unwrap().call.unique_users, 4);
    open_picker(&mut app, now);
    assert_eq!(picked(&app), "s-1", "the session on screen is preselected");
    app.update(key('k'), now);
    assert_eq!(picked(&app), "s-2");
    let effects = app.update(code(KeyCode::Enter), now);
    assert!(app.session_picker().is_none(), "Enter closes the picker");
    let request = requests(&effects)[0];
    assert_eq!(request.session, "s-2");
    assert_eq!(request.generation, 2);
    assert_eq!(app.config().session, "s-2");
    // Nothing of the first session is shown while the second is read.
    assert!(app.store().is_empty());
    assert_eq!(app.sessions().len(), 0);
    assert_eq!(app.users().len(), 0);
    assert!(app.completeness().is_none());
    app.update(page_event(2, 1, second_session_page()), now);
    app.update(done(2, 1), now);
    assert_eq!(app.sessions().len(), 2);
    assert_eq!(app.figures().unwrap().call.unique_users, 2);
    assert!(app.store().find_user("alice-chen").is_none());
    assert!(app.store().find_user("erin").is_some());
}

#[test]
fn a_late_page_of_the_old_session_is_dropped() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = ended_rows();
    let first = followed_by(page(rows[..3].to_vec(), 6, false), "c1");
    app.update(page_event(1, 1, first), now);
    assert!(app.fetch().running, "the first session is still being read");
    open_picker(&mut app, now);
    app.update(key('k'), now);
    let effects = app.update(code(KeyCode::Enter), now);
    assert_eq!(effects[0], Effect::CancelFetch, "the read under way stops");
    assert_eq!(requests(&effects)[0].generation, 2);
    // The old read's last page and end come after the switch: neither counts.
    app.update(page_event(1, 2, page(rows[3..].to_vec(), 6, false)), now);
    app.update(done(1, 2), now);
    assert!(
        app.store().is_empty(),
        "an old page never reaches the store"
    );
    assert!(
        app.fetch().running,
        "the old read's end does not end the new one"
    );
    app.update(page_event(2, 1, second_session_page()), now);
    app.update(done(2, 1), now);
    let figures = app.figures().unwrap();
    assert_eq!(figures.call.unique_users, 2);
    assert_eq!(app.store().len(), 2);
    assert!(app.store().find_user("bob").is_none());
}

#[test]
fn esc_returns_to_the_view_unchanged() {
    let (mut app, now) = loaded(None);
    app.update(code(KeyCode::Tab), now);
    app.update(key('j'), now);
    let selected = app.users().selected_index();
    open_picker(&mut app, now);
    app.update(key('k'), now);
    let effects = app.update(code(KeyCode::Esc), now);
    assert!(effects.is_empty(), "no read starts");
    assert!(app.session_picker().is_none());
    assert_eq!(app.config().session, "s-1");
    assert_eq!(app.users().selected_index(), selected);
    assert_eq!(app.figures().unwrap().call.unique_users, 4);
    // Esc while the list is still coming closes the picker, and the late list is ignored.
    app.update(key('s'), now);
    app.update(code(KeyCode::Esc), now);
    app.update(listed(), now);
    assert!(app.session_picker().is_none());
}

#[test]
fn the_filter_and_sorts_are_kept_and_the_selection_starts_over() {
    let (mut app, now) = loaded(Some("dur>5m"));
    app.update(code(KeyCode::Tab), now);
    app.update(key('A'), now);
    let sort = app.user_sort();
    app.update(key('j'), now);
    app.update(key('j'), now);
    assert_eq!(app.users().selected_index(), Some(2));
    open_picker(&mut app, now);
    app.update(key('k'), now);
    let effects = app.update(code(KeyCode::Enter), now);
    assert_eq!(requests(&effects)[0].session, "s-2");
    assert_eq!(app.filter_bar().active().source, "dur>5m");
    app.update(page_event(2, 1, second_session_page()), now);
    app.update(done(2, 1), now);
    assert_eq!(app.user_sort(), sort);
    assert_eq!(app.user_sort().0, UserColumn::Attended);
    assert_eq!(app.users().len(), 2);
    assert_eq!(
        app.users().selected_index(),
        Some(0),
        "the selection starts over"
    );
}

#[test]
fn choosing_the_session_on_screen_reads_nothing_again() {
    let (mut app, now) = loaded(None);
    open_picker(&mut app, now);
    let effects = app.update(code(KeyCode::Enter), now);
    assert!(effects.is_empty());
    assert!(app.session_picker().is_none());
    assert_eq!(app.sessions().len(), 6);
}

#[test]
fn a_list_that_cannot_be_read_closes_the_picker_and_says_why() {
    let (mut app, now) = loaded(None);
    app.update(key('s'), now);
    app.update(
        Msg::Done(Outcome::SessionsUnlisted {
            error: "Stream answered 500".into(),
        }),
        now,
    );
    assert!(app.session_picker().is_none());
    assert_eq!(
        said(&app),
        "✕ cannot list the sessions: Stream answered 500"
    );
    assert_eq!(app.config().session, "s-1");
}

/// A filter text that does not parse when `s` switches sessions leaves the last good filter
/// in force, as everywhere: the text and its error stay in the bar, nothing is cleared
/// unsaid.
#[test]
fn switching_with_a_filter_that_does_not_parse_keeps_the_last_good_one() {
    // A time with no instant in the ended call's window: only the server part applies.
    let (mut app, now) = loaded(Some("publisher:webrtc joined>23:00"));
    assert!(
        app.filter_bar().error().is_some(),
        "23:00 is not in 10:00–11:00"
    );
    assert_eq!(
        app.filter_bar().active().server_json(),
        Some(json!({"publisher_type": {"$eq": "webrtc"}}))
    );
    open_picker(&mut app, now);
    app.update(key('k'), now);
    let effects = app.update(code(KeyCode::Enter), now);
    let request = requests(&effects)[0];
    assert_eq!(request.session, "s-2");
    assert_eq!(
        request.filter_conditions(),
        Some(json!({"publisher_type": {"$eq": "webrtc"}})),
        "the new session is read with the server part in force"
    );
    assert_eq!(app.filter_bar().input(), "publisher:webrtc joined>23:00");
    app.update(page_event(2, 1, second_session_page()), now);
    app.update(done(2, 1), now);
    assert_eq!(app.filter_bar().input(), "publisher:webrtc joined>23:00");
    assert_eq!(
        app.filter_bar().active().server_json(),
        Some(json!({"publisher_type": {"$eq": "webrtc"}}))
    );

    // A text that does not parse at all: kept with its error, the last good filter (none
    // here) in force, and the switch says the filter is not applied rather than clearing it.
    let (mut app, now) = loaded(Some("dur>5x"));
    assert!(app.filter_bar().error().is_some());
    open_picker(&mut app, now);
    app.update(key('k'), now);
    app.update(code(KeyCode::Enter), now);
    assert_eq!(app.config().session, "s-2");
    assert_eq!(app.filter_bar().input(), "dur>5x");
    assert!(app.filter_bar().error().is_some());
    assert!(app.filter_bar().active().is_empty());
    assert!(
        said(&app).starts_with("filter not applied: "),
        "{}",
        said(&app)
    );
}

/// The picker over the dashboard stands out from the view under it: a titled border, as the
/// help overlay has.
#[test]
fn the_picker_over_the_dashboard_is_a_titled_bordered_box() {
    let (mut app, now) = loaded(None);
    open_picker(&mut app, now);
    for (width, height) in [(160, 48), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| {
                headcount::ui::draw(frame, &app, now);
            })
            .unwrap();
        let screen = terminal.backend().to_string();
        assert!(
            screen.contains("┌ Switch session · Enter open · Esc back ─"),
            "{screen}"
        );
        assert!(
            screen.contains("│headcount · default:standup · 2 sessions"),
            "{screen}"
        );
        assert_snapshot!(
            format!("picker_over_the_dashboard_{width}x{height}"),
            screen
        );
    }
}
