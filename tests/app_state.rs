//! The dashboard state machine driven message by message, with a fixed clock.

mod app_support;

use app_support::*;
use crossterm::event::KeyCode;
use headcount::api::{ApiError, NetworkError, NetworkFailure, RawSessionsPage, StatusError};
use headcount::app::live::Severity;
use headcount::app::view::View;
use headcount::app::{
    App, DEFER_FIGURES_FROM, Effect, FIGURES_DEBOUNCE, FILTER_DEBOUNCE, Layout, ListWindow, Msg,
    Outcome,
};
use headcount::attendance::{Order, SessionColumn, UserColumn};
use headcount::fetch::{Asked, FetchEvent};
use serde_json::json;

fn selected_session_id(app: &App) -> String {
    let id = *app.sessions().selected().expect("a selected row");
    app.store()
        .get(id)
        .unwrap()
        .user_session_id()
        .as_str()
        .to_owned()
}

#[test]
fn the_first_fetch_sends_the_initial_filter() {
    let (app, effects) = App::new(config(Some("user:bob dur>5m")), T0);
    let request = requests(&effects)[0];
    assert_eq!(request.generation, 1);
    assert_eq!(
        request.filter_conditions(),
        Some(json!({"user_id": {"$eq": "bob"}}))
    );
    assert_eq!(app.filter_bar().active().source, "user:bob dur>5m");
}

#[test]
fn rows_appear_with_the_first_page_and_progress_counts_them() {
    let (mut app, _) = App::new(config(None), T0 + 70 * MIN);
    let rows = ended_rows();
    app.update(
        page_event(1, 1, page(rows[..3].to_vec(), 6, false)),
        T0 + 70 * MIN,
    );
    assert_eq!(app.sessions().len(), 3);
    assert_eq!(app.fetch().pages, 1);
    assert!(app.fetch().running);
    app.update(
        page_event(1, 2, page(rows[3..].to_vec(), 6, false)),
        T0 + 70 * MIN,
    );
    app.update(done(1, 2), T0 + 70 * MIN);
    assert_eq!(app.sessions().len(), 6);
    assert_eq!(app.fetch().rows, 6);
    assert!(!app.fetch().running);
    assert_eq!(app.figures().unwrap().call.unique_users, 4);
}

#[test]
fn pages_arriving_out_of_order_are_all_kept() {
    let (mut app, _) = App::new(config(None), T0);
    let rows = ended_rows();
    app.update(page_event(1, 2, page(rows[3..].to_vec(), 6, false)), T0);
    app.update(page_event(1, 1, page(rows[..3].to_vec(), 6, false)), T0);
    app.update(done(1, 2), T0);
    assert_eq!(app.sessions().len(), 6);
    assert_eq!(app.fetch().pages, 2);
}

#[test]
fn pages_of_a_replaced_query_are_dropped() {
    let (mut app, now) = loaded(None);
    let effects = app.update(key('r'), now);
    assert_eq!(requests(&effects)[0].generation, 2);
    app.update(
        page_event(
            1,
            1,
            page(
                vec![row("zed", "z-1", 0, Some(5), "webrtc", "user")],
                1,
                false,
            ),
        ),
        now,
    );
    assert!(app.store().find_user("zed").is_none());
    app.update(
        page_event(2, 1, page(ended_rows()[..2].to_vec(), 6, false)),
        now,
    );
    assert_eq!(app.sessions().len(), 2, "a fresh query starts from empty");
}

#[test]
fn a_server_filter_is_fetched_after_typing_pauses() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    assert!(app.filter_bar().is_open());
    let typed = type_text(&mut app, "user:bob", now);
    assert!(requests(&typed).is_empty(), "no fetch while typing");
    assert_eq!(app.filter_due(), Some(local(now + FILTER_DEBOUNCE)));
    assert!(
        app.next_deadline()
            .is_some_and(|at| at <= local(now + FILTER_DEBOUNCE))
    );
    assert!(requests(&app.update(Msg::Tick, now + FILTER_DEBOUNCE - 1)).is_empty());
    let effects = app.update(Msg::Tick, now + FILTER_DEBOUNCE);
    let request = requests(&effects)[0];
    assert_eq!(request.generation, 2);
    assert_eq!(
        request.filter_conditions(),
        Some(json!({"user_id": {"$eq": "bob"}}))
    );
}

#[test]
fn a_new_server_filter_cancels_the_fetch_in_flight() {
    let (mut app, _) = App::new(config(None), T0);
    app.update(key('/'), T0);
    type_text(&mut app, "publisher:rtmp", T0);
    let effects = app.update(Msg::Tick, T0 + FILTER_DEBOUNCE);
    assert_eq!(effects[0], Effect::CancelFetch);
    assert_eq!(requests(&effects)[0].generation, 2);
}

#[test]
fn the_local_part_applies_at_once_without_a_fetch() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    let effects = type_text(&mut app, "dur>30m", now);
    assert!(requests(&effects).is_empty());
    assert_eq!(app.filter_due(), None);
    assert_eq!(app.sessions().len(), 2, "b-1 and d-1 last over 30 minutes");
}

/// Changed on purpose: a text that does not parse puts back the filter in force before the
/// editing began, never a part of the text that happened to parse on the way.
#[test]
fn a_bad_filter_shows_an_error_and_keeps_the_filter_in_force_before_editing() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "dur>30m", now);
    type_text(&mut app, "x", now);
    let error = app.filter_bar().error().expect("a parse error");
    assert!(error.position >= "dur>".len(), "{error}");
    assert!(app.filter_bar().active().is_empty());
    assert!(app.filter_bar().kept_while_invalid().unwrap().is_empty());
    assert_eq!(app.sessions().len(), 6);
}

#[test]
fn a_half_typed_term_never_puts_its_prefix_in_force() {
    let (mut app, now) = loaded(Some("dur>30m"));
    assert_eq!(app.sessions().len(), 2);
    app.update(key('/'), now);
    app.update(ctrl('u'), now);
    type_text(&mut app, "dur", now);
    assert_eq!(
        app.filter_bar().active().source,
        "dur",
        "a text that parses applies"
    );
    type_text(&mut app, ">5x", now);
    assert_eq!(
        app.filter_bar().active().source,
        "dur>30m",
        "not `dur`: the filter from before editing"
    );
    assert_eq!(
        app.filter_bar()
            .kept_while_invalid()
            .map(|f| f.source.as_str()),
        Some("dur>30m"),
        "the bar says which filter is in force"
    );
    assert_eq!(app.sessions().len(), 2);
    app.update(code(KeyCode::Enter), now);
    assert!(
        app.filter_bar().is_open(),
        "Enter does not keep a text that does not parse"
    );
}

#[test]
fn typing_an_id_fetches_once_after_typing_pauses_not_once_a_key() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    let mut at = now;
    let mut fetches = 0;
    for c in "user:bob-the-builder".chars() {
        at += 120 * MIN / 60_000; // 120 ms between keys
        fetches += requests(&app.update(key(c), at)).len();
        fetches += requests(&app.update(Msg::Tick, at)).len();
    }
    assert_eq!(fetches, 0, "no fetch while typing");
    assert_eq!(app.filter_due(), Some(local(at + FILTER_DEBOUNCE)));
    assert!(requests(&app.update(Msg::Tick, at + FILTER_DEBOUNCE - 1)).is_empty());
    let effects = app.update(Msg::Tick, at + FILTER_DEBOUNCE);
    assert_eq!(requests(&effects).len(), 1, "one fetch once typing paused");
    assert!(requests(&app.update(Msg::Tick, at + 2 * FILTER_DEBOUNCE)).is_empty());
}

#[test]
fn enter_fetches_the_server_part_at_once() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "user:bob", now);
    let effects = app.update(code(KeyCode::Enter), now);
    let request = requests(&effects)[0];
    assert_eq!(
        request.filter_conditions(),
        Some(json!({"user_id": {"$eq": "bob"}}))
    );
    assert_eq!(
        app.filter_due(),
        None,
        "no second fetch when the pause ends"
    );
    assert!(requests(&app.update(Msg::Tick, now + FILTER_DEBOUNCE)).is_empty());
}

#[test]
fn rows_are_never_shown_under_a_filter_they_were_not_fetched_for() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "user:bob dur>30m", now);
    // Typing: the rows are every user's, so they stay under the filter they match.
    assert!(app.shown_filter().is_empty());
    assert_eq!(
        app.filter_loading().map(|f| f.source.as_str()),
        Some("user:bob dur>30m")
    );
    assert_eq!(
        app.sessions().len(),
        6,
        "the old rows, under the old filter"
    );
    let effects = app.update(Msg::Tick, now + FILTER_DEBOUNCE);
    let generation = requests(&effects)[0].generation;
    // Fetching: still the old rows under their own filter.
    assert!(app.shown_filter().is_empty() && app.filter_loading().is_some());
    assert_eq!(app.sessions().len(), 6);
    let bob = vec![row("bob", "b-1", 10, Some(50), "rtmp", "user")];
    app.update(page_event(generation, 1, page(bob, 6, false)), now + SEC);
    assert_eq!(app.shown_filter().source, "user:bob dur>30m");
    assert!(app.filter_loading().is_none());
    assert_eq!(app.sessions().len(), 1, "the new rows under the new filter");
}

#[test]
fn esc_in_the_bar_restores_the_filter_in_force_before_editing() {
    let (mut app, now) = loaded(Some("dur>30m"));
    app.update(key('/'), now);
    app.update(ctrl('u'), now);
    type_text(&mut app, "user:bob", now);
    // Before typing paused: nothing was fetched, nothing needs fetching back.
    let effects = app.update(code(KeyCode::Esc), now);
    assert!(requests(&effects).is_empty());
    assert!(!app.filter_bar().is_open());
    assert_eq!(app.filter_bar().input(), "dur>30m");
    assert_eq!(app.filter_bar().active().source, "dur>30m");
    assert_eq!(app.sessions().len(), 2);
    assert_eq!(app.filter_due(), None);
    // After a pause fetched the edited filter: Esc fetches the restored one at once.
    app.update(key('/'), now);
    app.update(ctrl('u'), now);
    type_text(&mut app, "user:bob", now);
    let fetched = app.update(Msg::Tick, now + FILTER_DEBOUNCE);
    assert_eq!(requests(&fetched).len(), 1);
    let effects = app.update(code(KeyCode::Esc), now + FILTER_DEBOUNCE + SEC);
    let request = requests(&effects)[0];
    assert_eq!(
        request.filter_conditions(),
        None,
        "every row, as before editing"
    );
    assert_eq!(app.filter_bar().active().source, "dur>30m");
}

#[test]
fn a_rate_limit_names_the_next_page_its_time_and_zone() {
    let (mut app, _) = App::new(config(None), T0);
    app.update(
        page_event(
            1,
            1,
            followed_by(page(ended_rows(), 600, false), "cursor-2"),
        ),
        T0,
    );
    app.update(
        page_event(1, 2, followed_by(page(Vec::new(), 600, false), "cursor-3")),
        T0 + SEC,
    );
    let limited = rate_limited();
    app.update(
        Msg::Fetch(FetchEvent::Retrying {
            generation: 1,
            asked: Asked::Page(3),
            error: limited,
            retry_at: T0 + 42 * SEC,
        }),
        T0 + 2 * SEC,
    );
    assert_eq!(
        said(&app),
        "rate limited by Stream, next page at 10:00:42 UTC (page 3)"
    );
    assert_eq!(app.status().unwrap().severity(), Severity::Warning);
    assert_eq!(app.fetch().page_under_way(), Asked::Page(3));
    assert_eq!(app.next_deadline(), Some(local(T0 + 42 * SEC)));
    assert!(
        app.fetch().awaited_answer(local(T0 + 40 * SEC)).is_none(),
        "a wait, not a hang"
    );
    app.update(
        page_event(1, 3, page(Vec::new(), 600, false)),
        T0 + 43 * SEC,
    );
    assert!(app.status().is_none(), "the message goes with the wait");
}

#[test]
fn a_wait_after_the_last_page_names_what_is_asked_never_a_page() {
    let (mut app, _) = App::new(config(None), T0);
    app.update(page_event(1, 1, page(ended_rows(), 600, false)), T0);
    for (asked, words) in [
        (
            Asked::CallDetails,
            "rate limited by Stream, call details asked again at 10:00:42 UTC",
        ),
        (
            Asked::SessionStats,
            "rate limited by Stream, session stats asked again at 10:00:42 UTC",
        ),
    ] {
        let limited = rate_limited();
        app.update(
            Msg::Fetch(FetchEvent::Retrying {
                generation: 1,
                asked,
                error: limited,
                retry_at: T0 + 42 * SEC,
            }),
            T0 + 2 * SEC,
        );
        assert_eq!(said(&app), words);
        assert_eq!(app.fetch().page_under_way(), asked);
    }
}

#[test]
fn a_notice_that_arrives_after_its_page_is_not_shown() {
    let (mut app, _) = App::new(config(None), T0);
    app.update(
        page_event(
            1,
            1,
            followed_by(page(ended_rows(), 600, false), "cursor-2"),
        ),
        T0,
    );
    app.update(
        page_event(1, 2, followed_by(page(Vec::new(), 600, false), "cursor-3")),
        T0 + SEC,
    );
    let limited = rate_limited();
    app.update(
        Msg::Fetch(FetchEvent::Retrying {
            generation: 1,
            asked: Asked::Page(2),
            error: limited,
            retry_at: T0 + 42 * SEC,
        }),
        T0 + 2 * SEC,
    );
    assert!(app.status().is_none(), "page 2 is here: its wait is over");
    assert_eq!(app.fetch().page_under_way(), Asked::Page(3));
}

#[test]
fn a_request_without_an_answer_says_it_is_waiting_and_for_how_long() {
    let (mut app, _) = App::new(config(None), T0);
    app.update(
        page_event(
            1,
            1,
            followed_by(page(ended_rows(), 600, false), "cursor-2"),
        ),
        T0,
    );
    assert!(
        app.fetch().awaited_answer(local(T0 + SEC)).is_none(),
        "a page takes a moment"
    );
    let awaited = app
        .fetch()
        .awaited_answer(local(T0 + 12 * SEC))
        .expect("a hang is said");
    assert_eq!((awaited.asked, awaited.since), (Asked::Page(2), local(T0)));
    app.update(
        page_event(1, 2, page(Vec::new(), 600, false)),
        T0 + 13 * SEC,
    );
    assert!(app.fetch().awaited_answer(local(T0 + 14 * SEC)).is_none());
    let after_the_last_page = app
        .fetch()
        .awaited_answer(local(T0 + 20 * SEC))
        .expect("what follows the last page can hang too");
    assert_eq!(
        after_the_last_page.asked,
        Asked::SessionEnd,
        "no page 3 is asked for after a page without a next cursor"
    );
    assert_eq!(
        after_the_last_page.asked.to_string(),
        "the call details and session stats"
    );
    app.update(done(1, 2), T0 + 20 * SEC);
    assert!(
        app.fetch().awaited_answer(local(T0 + 60 * SEC)).is_none(),
        "done is not a hang"
    );
}

#[test]
fn enter_keeps_the_filter_and_esc_clears_it() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "dur>30m", now);
    app.update(code(KeyCode::Enter), now);
    assert!(!app.filter_bar().is_open());
    assert_eq!(app.sessions().len(), 2);
    app.update(code(KeyCode::Esc), now);
    assert!(app.filter_bar().active().is_empty());
    assert_eq!(app.sessions().len(), 6);
    app.update(key('/'), now);
    app.update(code(KeyCode::Up), now);
    assert_eq!(
        app.filter_bar().input(),
        "dur>30m",
        "the history remembers it"
    );
}

#[test]
fn a_paste_into_the_filter_bar_is_text_not_keys() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    let effects = app.update(Msg::Paste("bob\rq".into()), now);
    assert!(!effects.contains(&Effect::Quit) && !app.should_quit());
    assert!(app.filter_bar().is_open(), "the line end did not apply it");
    assert_eq!(app.filter_bar().input(), "bob q");
}

#[test]
fn a_paste_outside_the_filter_bar_opens_it_with_the_text() {
    let (mut app, now) = loaded(None);
    let effects = app.update(Msg::Paste("carol\n".into()), now);
    assert!(effects.is_empty() && !app.should_quit());
    assert!(app.filter_bar().is_open());
    assert_eq!(app.filter_bar().input(), "carol ");
    assert_eq!(
        app.sessions().len(),
        2,
        "the filter applies: carol's two sessions"
    );
}

#[test]
fn ctrl_w_and_ctrl_u_cut_the_filter_text_and_the_rows_follow() {
    let (mut app, now) = loaded(None);
    app.update(key('/'), now);
    type_text(&mut app, "dur>30m role:host", now);
    app.update(ctrl('w'), now);
    assert_eq!(app.filter_bar().input(), "dur>30m ");
    assert_eq!(app.sessions().len(), 2);
    app.update(ctrl('u'), now);
    assert_eq!(app.filter_bar().input(), "");
    assert!(
        app.filter_bar().is_open(),
        "Ctrl-u edits; it does not page up"
    );
    assert_eq!(app.sessions().len(), 6);
}

#[test]
fn a_frozen_view_buffers_pages_and_applies_them_on_resume() {
    let (mut app, _) = App::new(config(None), T0);
    let rows = ended_rows();
    app.update(page_event(1, 1, page(rows[..2].to_vec(), 6, false)), T0);
    app.update(key('f'), T0);
    app.update(
        page_event(1, 2, page(rows[2..].to_vec(), 6, false)),
        T0 + SEC,
    );
    app.update(done(1, 2), T0 + SEC);
    assert_eq!(
        app.sessions().len(),
        2,
        "the view does not move while frozen"
    );
    assert_eq!(app.frozen().unwrap().waiting_pages(), 1);
    app.update(key('f'), T0 + 2 * SEC);
    assert!(app.frozen().is_none());
    assert_eq!(app.sessions().len(), 6);
    assert!(!app.fetch().running);
}

#[test]
fn an_interval_too_long_to_count_in_nanoseconds_never_polls_at_once() {
    let now = T0 + 30 * MIN;
    let config = headcount::app::AppConfig {
        interval: std::time::Duration::from_secs(9_223_372_037),
        ..config(None)
    };
    let (mut app, _) = App::new(config, now);
    let live_rows = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    app.update(page_event(1, 1, page(live_rows, 1, true)), now);
    app.update(done(1, 1), now);
    assert!(
        app.next_poll()
            .is_some_and(|at| at > local(now + 3_600 * SEC))
    );
    let effects = app.update(Msg::Tick, now + SEC);
    assert!(requests(&effects).is_empty(), "no poll a second later");
}

#[test]
fn a_live_call_is_polled_and_rows_are_upserted() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let live_rows = vec![
        row("alice-chen", "a-1", 0, None, "webrtc", "host"),
        row("bob", "b-1", 10, None, "rtmp", "user"),
    ];
    app.update(page_event(1, 1, page(live_rows, 2, true)), now);
    app.update(done(1, 1), now);
    assert_eq!(app.next_poll(), Some(local(now + 5 * SEC)));
    let effects = app.update(Msg::Tick, now + 5 * SEC);
    let request = requests(&effects)[0];
    assert_eq!((request.generation, request.filter_conditions()), (2, None));
    app.update(
        page_event(
            2,
            1,
            page(
                vec![row("bob", "b-1", 10, Some(31), "rtmp", "user")],
                2,
                true,
            ),
        ),
        now + 6 * SEC,
    );
    assert_eq!(
        app.sessions().len(),
        2,
        "a poll updates rows, it does not clear them"
    );
    app.update(done(2, 1), now + 6 * SEC);
    assert_eq!(app.last_update(), Some(local(now + 6 * SEC)));
    assert_eq!(app.next_poll(), Some(local(now + 11 * SEC)));
}

#[test]
fn a_poll_that_sees_the_end_fetches_once_more_then_stops() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(
        page_event(1, 1, page(ended_rows()[..2].to_vec(), 2, true)),
        now,
    );
    app.update(done(1, 1), now);
    app.update(Msg::Tick, now + 5 * SEC);
    app.update(
        page_event(2, 1, page(ended_rows(), 6, false)),
        now + 6 * SEC,
    );
    let effects = app.update(done(2, 1), now + 6 * SEC);
    assert_eq!(requests(&effects)[0].generation, 3, "one last fetch");
    app.update(
        page_event(3, 1, page(ended_rows(), 6, false)),
        now + 7 * SEC,
    );
    let effects = app.update(done(3, 1), now + 7 * SEC);
    assert!(effects.is_empty());
    assert_eq!(app.next_poll(), None);
    assert!(!app.store().is_live());
}

#[test]
fn retrying_and_failed_fetches_are_shown_and_the_app_keeps_running() {
    let (mut app, _) = App::new(config(None), T0);
    let network = ApiError::Network(NetworkError {
        base_url: "http://127.0.0.1:9".into(),
        failure: NetworkFailure::Refused,
        detail: String::new(),
    });
    app.update(
        Msg::Fetch(FetchEvent::Retrying {
            generation: 1,
            asked: Asked::Page(2),
            error: network,
            retry_at: T0 + 4 * SEC,
        }),
        T0,
    );
    let status = app.status().unwrap();
    assert_eq!(status.severity(), Severity::Warning);
    let text = said(&app);
    assert!(text.contains("connection refused") && text.contains("retrying"));
    assert_eq!(app.next_deadline(), Some(local(T0 + 4 * SEC)));
    let unauthorized = ApiError::Status(Box::new(StatusError {
        status: reqwest::StatusCode::UNAUTHORIZED,
        body: None,
        excerpt: None,
        rate_limit: None,
        retry_at: None,
    }));
    app.update(
        Msg::Fetch(FetchEvent::Failed {
            generation: 1,
            error: unauthorized,
        }),
        T0 + 4 * SEC,
    );
    let status = app.status().unwrap();
    assert_eq!(status.severity(), Severity::Error);
    let text = said(&app);
    assert!(text.contains("STREAM_API_KEY"), "{}", text);
    assert!(!app.should_quit() && !app.fetch().running);
}

#[test]
fn the_selection_stays_on_its_session_while_rows_stream_in() {
    let (mut app, _) = App::new(config(None), T0);
    let rows = ended_rows();
    app.update(
        page_event(1, 1, page(vec![rows[2].clone(), rows[5].clone()], 6, false)),
        T0,
    );
    app.update(key('j'), T0);
    assert_eq!(selected_session_id(&app), "b-1");
    let earlier = vec![rows[0].clone(), rows[3].clone(), rows[4].clone()];
    app.update(page_event(1, 2, page(earlier, 6, false)), T0 + SEC);
    app.update(done(1, 2), T0 + SEC);
    assert_eq!(selected_session_id(&app), "b-1");
    assert_eq!(app.sessions().selected_index(), Some(4));
}

#[test]
fn sort_keys_sort_and_pressing_again_reverses() {
    let (mut app, now) = loaded(None);
    assert_eq!(
        app.session_sort(),
        (SessionColumn::Joined, Order::Ascending)
    );
    app.update(key('D'), now);
    assert_eq!(
        app.session_sort(),
        (SessionColumn::Duration, Order::Descending)
    );
    app.update(key('g'), now);
    assert_eq!(
        selected_session_id(&app),
        "d-1",
        "the longest session first"
    );
    app.update(key('D'), now);
    assert_eq!(
        app.session_sort(),
        (SessionColumn::Duration, Order::Ascending)
    );
    app.update(code(KeyCode::Tab), now);
    app.update(key('A'), now);
    assert_eq!(app.user_sort(), (UserColumn::Attended, Order::Descending));
    let first = app.users().items()[0];
    assert_eq!(app.store().user_name(first), "alice-chen");
}

#[test]
fn a_user_first_seen_in_a_poll_takes_its_place_in_name_order() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let carol = row("carol", "c-1", 0, None, "webrtc", "host");
    let bob = row("bob", "b-1", 10, None, "rtmp", "user");
    app.update(
        page_event(1, 1, page(vec![carol.clone(), bob.clone()], 2, true)),
        now,
    );
    app.update(done(1, 1), now);
    app.update(code(KeyCode::Tab), now);
    assert_eq!(app.user_sort(), (UserColumn::User, Order::Ascending));
    let names = |app: &App| -> Vec<String> {
        let users = app.users().items().iter();
        users
            .map(|&user| app.store().user_name(user).to_owned())
            .collect()
    };
    assert_eq!(names(&app), ["bob", "carol"]);
    app.update(Msg::Tick, now + 5 * SEC);
    let aaron = row("aaron", "a-1", 20, None, "webrtc", "user");
    let rows = vec![carol, bob, aaron];
    app.update(page_event(2, 1, page(rows, 3, true)), now + 6 * SEC);
    app.update(done(2, 1), now + 6 * SEC);
    assert_eq!(names(&app), ["aaron", "bob", "carol"]);
}

#[test]
fn enter_drills_into_a_user_and_esc_comes_back() {
    let (mut app, now) = loaded(None);
    app.update(key('G'), now);
    app.update(code(KeyCode::Enter), now);
    let View::UserDetail(user) = app.view() else {
        panic!("not in the user detail")
    };
    assert_eq!(app.store().user_name(user), "alice-chen");
    assert_eq!(app.detail().len(), 2);
    assert_eq!(app.views().path().len(), 2);
    app.update(code(KeyCode::Esc), now);
    assert_eq!(app.view(), View::Sessions);
}

#[test]
fn export_writes_the_view_and_the_path_is_flashed() {
    let (mut app, now) = loaded(None);
    let effects = export_now(&mut app, now);
    let Some(Effect::Export { path, .. }) = effects.first() else {
        panic!("no export: {effects:?}")
    };
    let csv = &exported_text(&effects[0]);
    assert!(path.starts_with("/tmp/exports"));
    assert!(
        path.to_string_lossy()
            .contains("standup-s-1-sessions-20261126T111000Z")
    );
    let header = csv.lines().next().unwrap();
    assert!(header.contains("joined_utc,joined_local"), "{header}");
    assert!(csv.lines().nth(1).unwrap().ends_with(",UTC"), "{csv}");
    assert_eq!(csv.lines().count(), 7);
    let path = path.clone();
    app.update(
        Msg::Done(Outcome::Exported {
            path: path.clone(),
            rows: 6,
        }),
        now,
    );
    assert_eq!(said(&app), format!("exported 6 rows to {}", path.display()));
    // One row is one row, thousands are grouped.
    for (rows, words) in [
        (1, "exported 1 row to"),
        (12_345, "exported 12,345 rows to"),
    ] {
        app.update(
            Msg::Done(Outcome::Exported {
                path: path.clone(),
                rows,
            }),
            now,
        );
        assert!(said(&app).starts_with(words), "{}", said(&app));
    }
}

/// Rows missing are never silent: `e` writes no file while the read is under way or ended
/// incomplete, and says why; once a read gets every row, it exports.
#[test]
fn e_writes_no_file_while_sessions_are_missing_and_says_why() {
    use headcount::fetch::{Completeness, Shortfall};
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(ended_rows(), 10, false)), now);
    let refused = |app: &mut App, says: &str| {
        let effects = app.update(key('e'), now);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Export { .. })),
            "{effects:?}"
        );
        let status = app.status().unwrap();
        assert_eq!(status.severity(), Severity::Error);
        let text = said(app);
        assert!(text.contains(says), "{}", text);
    };
    refused(
        &mut app,
        "✕ not exported: incomplete: the read is still under way",
    );
    let missing = Completeness::Incomplete(Shortfall::Sessions { read: 6, total: 10 });
    app.update(done_as(1, 1, missing), now);
    refused(
        &mut app,
        "✕ not exported: incomplete: 6 of 10 sessions read",
    );
    let unchecked = Completeness::Incomplete(Shortfall::Unchecked { read: 6 });
    app.update(done_as(1, 1, unchecked), now);
    refused(
        &mut app,
        "✕ not exported: not checked: Stream sent no totals",
    );
    app.update(done(1, 1), now);
    let effects = export_now(&mut app, now);
    assert!(
        matches!(effects.first(), Some(Effect::Export { .. })),
        "{effects:?}"
    );
}

/// The card leaves the screen like a file: while the first read is under way (or ended short)
/// it says so before any figure, and once every row is read it does not.
#[test]
fn c_marks_the_card_incomplete_while_the_read_is_under_way() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(ended_rows(), 10, false)), now);
    let card = |app: &mut App| match app.update(key('c'), now).as_slice() {
        [Effect::Copy(text)] => text.clone(),
        effects => panic!("no card copied: {effects:?}"),
    };
    let under_way = card(&mut app);
    assert!(
        under_way.starts_with(
            "INCOMPLETE:   not every row of the session was read, the figures below may be \
             short: the read is still under way\n"
        ),
        "{under_way}"
    );
    app.update(code(KeyCode::Esc), now);
    let missing =
        headcount::fetch::Completeness::Incomplete(headcount::fetch::Shortfall::Sessions {
            read: 6,
            total: 10,
        });
    app.update(done_as(1, 1, missing), now);
    let read = card(&mut app);
    assert!(
        read.starts_with("INCOMPLETE:")
            && read.contains("6 distinct sessions read, Stream's total is 10 (4 missing)"),
        "{read}"
    );
    app.update(code(KeyCode::Esc), now);
    let (mut app, _) = App::new(config(None), now);
    app.update(page_event(1, 1, page(ended_rows(), 6, false)), now);
    app.update(done(1, 1), now);
    let whole = card(&mut app);
    assert!(!whole.contains("INCOMPLETE"), "{whole}");
}

/// `y` copies an id as the screen shows it: terminal controls a hostile integrator put in a
/// user id or a session id are escaped on the clipboard too, never pasted raw into a shell.
#[test]
fn y_copies_ids_with_their_terminal_controls_escaped() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let hostile = vec![row(
        "\u{1b}[31malice\u{1b}]0;owned\u{7}",
        "s-\u{1b}[2J\u{202e}1",
        0,
        Some(30),
        "webrtc",
        "host",
    )];
    app.update(page_event(1, 1, page(hostile, 1, false)), now);
    app.update(done(1, 1), now);
    let copied = |app: &mut App| match app.update(key('y'), now).as_slice() {
        [Effect::Copy(text)] => text.clone(),
        effects => panic!("nothing copied: {effects:?}"),
    };
    assert_eq!(copied(&mut app), "s-\\x1b[2J\\u{202e}1");
    app.update(code(KeyCode::Tab), now);
    assert_eq!(copied(&mut app), "\\x1b[31malice\\x1b]0;owned\\x07");
}

#[test]
fn the_exported_csv_neutralises_what_a_spreadsheet_would_run() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![
        row("=HYPERLINK(\"x\")", "h-1", 0, Some(10), "+rtmp", "@host"),
        row("-5", "m-1", 5, Some(15), "webrtc", "user"),
    ];
    app.update(page_event(1, 1, page(rows, 2, false)), now);
    app.update(done(1, 1), now);
    // The Sessions view, then the Users view.
    for _ in 0..2 {
        let effects = export_now(&mut app, now);
        {
            let csv = &exported_text(&effects[0]);
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let headers = reader.headers().unwrap().clone();
            let user = headers.iter().position(|h| h == "user_id").unwrap();
            let mut users: Vec<String> = reader
                .records()
                .map(|record| record.unwrap()[user].to_owned())
                .collect();
            // Each view in its own order.
            users.sort();
            assert_eq!(users, ["'-5", "'=HYPERLINK(\"x\")"], "{csv}");
            if let Some(publisher) = headers.iter().position(|h| h == "publisher_type") {
                assert!(csv.contains(",'+rtmp,'@host,"), "{csv}");
                assert!(publisher > user);
            }
        }
        app.update(code(KeyCode::Tab), now);
    }
}

#[test]
fn y_copies_the_session_id_or_the_user_id() {
    let (mut app, now) = loaded(None);
    assert_eq!(app.update(key('y'), now), vec![Effect::Copy("a-1".into())]);
    app.update(code(KeyCode::Tab), now);
    assert_eq!(
        app.update(key('y'), now),
        vec![Effect::Copy("alice-chen".into())]
    );
}

#[test]
fn redraws_are_asked_only_after_a_change_and_q_quits() {
    let (mut app, now) = loaded(None);
    app.mark_drawn();
    assert!(!app.needs_redraw());
    app.update(key('j'), now);
    assert!(app.needs_redraw());
    app.update(key('q'), now);
    assert!(app.should_quit());
}

/// What a frame laid out comes back as a message: the app learns the page size from it, and
/// it asks for no new frame, or the dashboard would redraw forever.
#[test]
fn the_layout_of_a_frame_sets_the_page_without_asking_for_a_redraw() {
    let (mut app, now) = loaded(None);
    app.mark_drawn();
    let layout = Layout {
        list: Some(ListWindow { first: 0, rows: 2 }),
    };
    app.update(Msg::Layout(layout), now);
    assert!(!app.needs_redraw());
    app.update(code(KeyCode::PageDown), now);
    assert_eq!(app.sessions().selected_index(), Some(2));
    assert!(app.needs_redraw());
}

#[test]
fn the_timeline_zooms_and_pans_over_the_call_window() {
    let (mut app, now) = loaded(None);
    assert_eq!(app.time_scale().visible(), (T0, T0 + 60 * MIN));
    app.update(code(KeyCode::Tab), now);
    app.update(code(KeyCode::Tab), now);
    app.update(key('+'), now);
    let (from, to) = app.time_scale().visible();
    assert_eq!(to - from, 30 * MIN);
    app.update(key('h'), now);
    assert!(app.time_scale().visible().0 < from);
    app.update(key('='), now);
    assert_eq!(app.time_scale().visible(), (T0, T0 + 60 * MIN));
}

#[test]
fn an_unreadable_page_is_reported_and_the_pages_after_it_still_arrive() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = ended_rows();
    app.update(page_event(1, 1, page(rows[..2].to_vec(), 6, false)), now);
    let mut broken = serde_json::to_value(page(rows[2..4].to_vec(), 6, false)).unwrap();
    broken["participants_sessions"][0]["joined_at"] = json!(true);
    let broken = RawSessionsPage::new(serde_json::to_vec(&broken).unwrap()).unwrap();
    app.update(
        Msg::Fetch(FetchEvent::Page {
            generation: 1,
            page_no: 2,
            page: Box::new(broken),
            rate_limit: None,
        }),
        now,
    );
    app.update(page_event(1, 3, page(rows[4..].to_vec(), 6, false)), now);
    app.update(done(1, 3), now);
    let status = app.status().expect("the skipped page is reported");
    assert_eq!(status.severity(), Severity::Error);
    let text = said(&app);
    assert!(
        text.contains("page 2 skipped, its 2 sessions are missing"),
        "{}",
        text
    );
    assert_eq!(app.store().len(), rows.len() - 2);
}

/// A call big enough that a filter edit defers its figures: user `u{i % 1000}`, joined at
/// minute `i % 50` for `i % 10 + 1` minutes.
fn big_call(now: headcount::api::timestamp::Nanos) -> App {
    let (mut app, _) = App::new(config(None), now);
    let total = DEFER_FIGURES_FROM;
    for (index, chunk) in (0..total).collect::<Vec<_>>().chunks(1000).enumerate() {
        let rows = chunk
            .iter()
            .map(|&i| {
                let joined = (i % 50) as i64;
                let left = joined + (i % 10) as i64 + 1;
                row(
                    &format!("u{}", i % 1000),
                    &format!("s-{i}"),
                    joined,
                    Some(left),
                    "webrtc",
                    "user",
                )
            })
            .collect();
        app.update(
            page_event(1, index as u32 + 1, page(rows, total as i64, false)),
            now,
        );
    }
    app.update(done(1, (total / 1000) as u32), now);
    app
}

#[test]
fn on_a_big_call_a_filter_edit_shows_its_rows_at_once_and_its_figures_when_typing_pauses() {
    let now = T0 + 70 * MIN;
    let mut app = big_call(now);
    assert_eq!(
        app.figures().unwrap().call.sessions,
        DEFER_FIGURES_FROM as u64
    );
    app.update(key('/'), now);
    type_text(&mut app, "dur>9m", now);
    let expected = DEFER_FIGURES_FROM / 10;
    assert_eq!(app.sessions().len(), expected, "the rows narrow at once");
    assert!(app.figures_pending());
    assert_eq!(app.next_deadline(), Some(local(now + FIGURES_DEBOUNCE)));
    let joined: Vec<_> = app
        .sessions()
        .items()
        .iter()
        .map(|&id| app.store().get(id).unwrap().joined_at())
        .collect();
    assert!(joined.is_sorted(), "still in the table's order");

    app.update(Msg::Tick, now + FIGURES_DEBOUNCE);
    assert!(!app.figures_pending());
    let call = &app.figures().unwrap().call;
    assert_eq!(call.sessions, expected as u64);
    assert_eq!(call.connected_seconds, expected as i64 * 10 * 60);
}

/// The pages of a session without a `session` object say nothing of its end; what the fetch
/// learned from GetCall (the call ended) ends it, and an open row is then a leave never
/// recorded, not someone in the call counting up to now.
#[test]
fn the_end_learned_from_getcall_ends_a_session_whose_pages_do_not_say() {
    use headcount::api::models::Call;
    use headcount::attendance::{CallState, EndReports};
    let now = T0 + 200 * 24 * 60 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let mut without_session = page(
        vec![
            row("alice-chen", "a-1", 0, Some(60), "webrtc", "host"),
            row("ghost", "g-1", 10, None, "webrtc", "user"),
        ],
        2,
        false,
    );
    without_session.session = None;
    app.update(page_event(1, 1, without_session), now);
    let call: Call = serde_json::from_value(json!({
        "type": "default", "id": "standup", "cid": "default:standup",
        "current_session_id": "s-1", "ended_at": rfc3339(T0 + 60 * MIN), "session": null
    }))
    .unwrap();
    let mut end = EndReports::default();
    end.take_call(&call);
    app.update(
        Msg::Fetch(FetchEvent::Done {
            generation: 1,
            pages: 1,
            completeness: headcount::fetch::Completeness::Complete,
            end,
        }),
        now,
    );
    assert_eq!(app.store().state(now), Some(CallState::Ended));
    assert_eq!(app.next_poll(), None, "an ended call is not polled");
    let figures = app.figures().unwrap();
    let ghost = figures
        .user(app.store().find_user("ghost").unwrap())
        .unwrap();
    assert!(!ghost.in_call_now());
    assert_eq!(ghost.attended_seconds(), 50 * 60);
    assert_eq!(figures.call.data_quality.rows, 1);
}

/// Stream's 429, without a Retry-After: the wait comes from the event.
fn rate_limited() -> ApiError {
    ApiError::Status(Box::new(StatusError {
        status: reqwest::StatusCode::TOO_MANY_REQUESTS,
        body: None,
        excerpt: None,
        rate_limit: None,
        retry_at: None,
    }))
}

#[test]
fn a_publisher_type_stream_does_not_have_is_an_error_and_the_last_good_filter_stays() {
    let (mut app, now) = loaded(Some("dur>30m"));
    app.update(key('/'), now);
    app.update(ctrl('u'), now);
    type_text(&mut app, "publisher:rtmpp", now);
    let error = app.filter_bar().error().expect("a parse error").to_string();
    assert!(
        error.contains("`rtmpp` is not a publisher type: Stream's are webrtc, rtmp, srt, whip"),
        "{error}"
    );
    assert_eq!(app.filter_bar().active().source, "dur>30m");
    assert_eq!(app.sessions().len(), 2);
}

/// A publisher type Stream does not document but the session's rows have (Stream may add
/// types) is a real one: the bar accepts it and sends it; a typo of it is refused, and the
/// error names Stream's types, the session's own and the closest.
#[test]
fn a_publisher_type_the_rows_have_is_accepted_and_a_typo_names_it() {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let mut rows = ended_rows();
    rows.push(row("erin", "e-1", 0, Some(40), "sip", "user"));
    app.update(page_event(1, 1, page(rows, 7, false)), now);
    app.update(done(1, 1), now);
    app.update(key('/'), now);
    type_text(&mut app, "publisher:sip", now);
    assert!(
        app.filter_bar().error().is_none(),
        "{:?}",
        app.filter_bar().error()
    );
    let active = app.filter_bar().active();
    assert_eq!(
        active.server_json(),
        Some(serde_json::json!({"publisher_type": {"$eq": "sip"}}))
    );
    app.update(code(KeyCode::Enter), now);
    app.update(key('/'), now);
    app.update(ctrl('u'), now);
    type_text(&mut app, "publisher:sipp", now);
    let error = app.filter_bar().error().expect("a parse error").to_string();
    assert!(
        error.contains(
            "`sipp` is not a publisher type: Stream's are webrtc, rtmp, srt, whip; this \
             session's rows also have sip; did you mean `sip`?"
        ),
        "{error}"
    );
    assert!(!error.contains("JSON"), "the rows are known: {error}");
    assert_eq!(app.filter_bar().active().source, "publisher:sip");
}

/// A page of a read, answered with the rate-limit quota `(limit, remaining, reset)` (reset in
/// Unix seconds).
fn page_with_quota(
    generation: u64,
    page_no: u32,
    rows: Vec<serde_json::Value>,
    quota: (u64, u64, i64),
) -> Msg {
    let (limit, remaining, reset) = quota;
    Msg::Fetch(FetchEvent::Page {
        generation,
        page_no,
        page: Box::new(RawSessionsPage::from_page(&page(rows, 1, true))),
        rate_limit: Some(headcount::api::RateLimit {
            limit,
            remaining,
            reset,
        }),
    })
}

#[test]
fn live_polls_keep_within_half_the_rate_limit_and_start_an_interval_after_the_last() {
    let now = T0 + 30 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let rows = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    let reset = (now + 60 * SEC) / SEC;
    // A read of two requests out of 10: another one makes 4, within half the quota.
    app.update(page_with_quota(1, 1, rows.clone(), (10, 9, reset)), now);
    app.update(page_with_quota(1, 2, rows.clone(), (10, 8, reset)), now);
    app.update(done(1, 2), now + 2 * SEC);
    let plan = app.poll_plan().unwrap();
    assert_eq!(
        (plan.at, plan.stretched),
        (local(now + 7 * SEC), false),
        "an interval after the end"
    );
    assert_eq!(app.poll_budget().last_cost(), Some(2));
    let effects = app.update(Msg::Tick, now + 7 * SEC);
    assert_eq!(requests(&effects).len(), 1, "the poll starts");
    app.update(
        page_with_quota(2, 1, rows.clone(), (10, 7, reset)),
        now + 8 * SEC,
    );
    app.update(
        page_with_quota(2, 2, rows.clone(), (10, 6, reset)),
        now + 8 * SEC,
    );
    app.update(done(2, 2), now + 9 * SEC);
    // Four spent: two more would pass five, so the next poll waits for the window's end.
    let plan = app.poll_plan().unwrap();
    // A second after the stated reset: it and the server's clock are known to whole seconds.
    assert_eq!((plan.at, plan.stretched), (local((reset + 1) * SEC), true));
    let effects = app.update(Msg::Tick, now + 14 * SEC);
    assert!(requests(&effects).is_empty(), "no poll at the interval");
    let effects = app.update(Msg::Tick, reset * SEC);
    assert!(requests(&effects).is_empty(), "no poll at the stated reset");
    let effects = app.update(Msg::Tick, (reset + 1) * SEC);
    assert_eq!(
        requests(&effects).len(),
        1,
        "the poll starts in the next window"
    );
}
