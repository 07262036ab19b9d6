//! The dashboard's two clocks, against a server whose clock runs 100 times faster than this
//! machine's (as `headcount sim --speed 100` does): the figures follow the server's present,
//! every wait the person at the terminal sees follows the local clock, and a rate limit's
//! reset, stated by the server, is waited for on the server's clock.

mod app_support;

use app_support::*;
use headcount::api::timestamp::Nanos;
use headcount::app::{
    App, FILTER_DEBOUNCE, Layout, Local, Msg, Now, Outcome, RECOMPUTE_THROTTLE,
    ROWS_PER_THROTTLE_STEP,
};
use headcount::fetch::{Asked, FetchEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const MS: Nanos = SEC / 1000;
/// The server's clock runs this many times faster than the local one.
const SPEED: Nanos = 100;
/// The server's present when the dashboard starts: half an hour into the live call.
const START: Nanos = T0 + 30 * MIN;

/// Both clocks `real` nanoseconds of this machine's time after the dashboard started.
fn at(real: Nanos) -> Now {
    Now::new(START + SPEED * real, Local::from_nanos(real))
}

/// A live call's page of `rows` sessions (ids made from `prefix`), `total` in all, more to
/// come.
fn live_page(
    prefix: &str,
    rows: usize,
    total: usize,
) -> headcount::api::models::ParticipantSessionsPage {
    let rows = (0..rows)
        .map(|n| {
            let id = format!("{prefix}-{n}");
            row(&id, &id, 0, Some(20), "webrtc", "user")
        })
        .collect();
    followed_by(page(rows, total as i64, true), "next")
}

/// The screen drawn at `now`, as text.
fn screen(app: &mut App, now: Now) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut layout = Layout::default();
    terminal
        .draw(|frame| layout = headcount::ui::draw(frame, app, now))
        .unwrap();
    app.update(Msg::Layout(layout), now);
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A read of a large live call, a page every 10 ms of real time (a second of the server's):
/// the tables are recomputed when the local throttle allows, not after every page, so pages
/// keep flowing; a tick at the local deadline shows every row.
#[test]
fn a_large_read_is_recomputed_at_the_local_throttle_not_after_every_page() {
    const PAGES: u32 = 60;
    const ROWS: usize = 1_000;
    let total = PAGES as usize * ROWS;
    let (mut app, _) = App::new(config(None), at(0));
    let mut shown_after = Vec::new();
    for page_no in 1..=PAGES {
        let page = live_page(&format!("p{page_no}"), ROWS, total);
        app.update(
            page_event(1, page_no, page),
            at(Nanos::from(page_no) * 10 * MS),
        );
        if app.sessions().len() == app.store().len() {
            shown_after.push(page_no);
        }
    }
    // The first page at once, then 250 ms of real time later (below 50,000 rows); from 50,000
    // rows 500 ms, which the last page (at 600 ms) has not reached since page 26 (260 ms).
    assert_eq!(
        shown_after,
        [1, 26],
        "pages after which the tables were recomputed"
    );
    let interval = RECOMPUTE_THROTTLE * (1 + (total / ROWS_PER_THROTTLE_STEP) as Nanos);
    let due = Local::from_nanos(260 * MS + interval);
    assert_eq!(
        app.next_deadline(),
        Some(due),
        "the next recompute, on the local clock"
    );
    app.update(Msg::Tick, at(due.nanos() - 1));
    assert!(app.sessions().len() < total, "not before the throttle");
    app.update(Msg::Tick, at(due.nanos()));
    assert_eq!(
        app.sessions().len(),
        total,
        "every row once the throttle passed"
    );
}

/// The same read, paused after 50 of its 60 pages: at the throttle's deadline the 10,000 rows
/// still to come should arrive within the next interval at the pace so far (50,000 in 760 ms),
/// so the recompute waits for the end of the read, which recomputes, for one interval at
/// most; the last page of a read, which says its end is at hand, waits the same way.
#[test]
fn a_recompute_waits_for_a_read_whose_end_is_at_hand_for_one_interval_at_most() {
    const ROWS: usize = 1_000;
    let total = 60 * ROWS;
    let interval = RECOMPUTE_THROTTLE * (1 + (total / ROWS_PER_THROTTLE_STEP) as Nanos);
    let read = |pages: std::ops::RangeInclusive<u32>| {
        let (mut app, _) = App::new(config(None), at(0));
        for page_no in pages {
            let page = live_page(&format!("p{page_no}"), ROWS, total);
            app.update(
                page_event(1, page_no, page),
                at(Nanos::from(page_no) * 10 * MS),
            );
        }
        app
    };
    let shown = |app: &App| app.sessions().len();

    let mut app = read(1..=50);
    let due = 260 * MS + interval;
    app.update(Msg::Tick, at(due));
    assert_eq!(shown(&app), 26 * ROWS, "put off at the deadline");
    assert_eq!(app.next_deadline(), Some(Local::from_nanos(due + interval)));
    app.update(Msg::Tick, at(due + interval - 1));
    assert_eq!(shown(&app), 26 * ROWS);
    app.update(Msg::Tick, at(due + interval));
    assert_eq!(shown(&app), 50 * ROWS, "an interval later at the latest");

    let mut app = read(1..=50);
    app.update(Msg::Tick, at(due));
    app.update(done(1, 50), at(due + MS));
    assert_eq!(shown(&app), 50 * ROWS, "the end of the read recomputes");

    let mut app = read(1..=59);
    let last = page(
        vec![row("last", "last", 0, Some(20), "webrtc", "user")],
        total as i64,
        true,
    );
    app.update(page_event(1, 60, last), at(due));
    assert_eq!(shown(&app), 26 * ROWS, "the last page waits for the end");
    app.update(done(1, 60), at(due + MS));
    assert_eq!(shown(&app), 59 * ROWS + 1);
}

/// The person typing pauses in real time: 300 ms on the server's clock is 3 ms here.
#[test]
fn the_filter_is_fetched_once_typing_pauses_in_real_time() {
    let (mut app, _) = App::new(config(None), at(0));
    app.update(page_event(1, 1, page(ended_rows(), 6, true)), at(0));
    app.update(done(1, 1), at(0));
    app.update(key('/'), at(0));
    let typed = type_text_at(&mut app, "user:bob", at(0));
    assert!(requests(&typed).is_empty(), "no fetch while typing");
    assert_eq!(app.filter_due(), Some(Local::from_nanos(FILTER_DEBOUNCE)));
    let early = app.update(Msg::Tick, at(FILTER_DEBOUNCE / SPEED + MS));
    assert!(
        requests(&early).is_empty(),
        "the server's 300 ms are no pause"
    );
    let early = app.update(Msg::Tick, at(FILTER_DEBOUNCE - 1));
    assert!(requests(&early).is_empty());
    let paused = app.update(Msg::Tick, at(FILTER_DEBOUNCE));
    assert_eq!(
        requests(&paused).len(),
        1,
        "the filter is fetched after the pause"
    );
}

fn type_text_at(app: &mut App, text: &str, now: Now) -> Vec<headcount::app::Effect> {
    text.chars().flat_map(|c| app.update(key(c), now)).collect()
}

/// A passing message stays five real seconds, not five of the server's.
#[test]
fn a_passing_message_stays_five_real_seconds() {
    let (mut app, _) = App::new(config(None), at(0));
    app.update(
        Msg::Done(Outcome::Copied {
            text: "alice-chen".into(),
        }),
        at(0),
    );
    assert!(app.status().is_some());
    assert_eq!(app.next_deadline(), Some(Local::from_nanos(5 * SEC)));
    app.update(Msg::Tick, at(4_900 * MS));
    assert!(
        app.status().is_some(),
        "8 minutes on the server's clock, 4.9 s here"
    );
    app.update(Msg::Tick, at(5 * SEC));
    assert!(app.status().is_none());
}

/// A page that does not come: the dashboard says so after two real seconds and counts the
/// real wait, whatever the server's clock did meanwhile.
#[test]
fn the_wait_for_an_answer_is_real_time() {
    let (mut app, _) = App::new(config(None), at(0));
    app.update(page_event(1, 1, live_page("a", 10, 600)), at(0));
    assert!(
        app.fetch().awaited_answer(at(SEC).local).is_none(),
        "a second here, 100 s on the server's clock: not yet a hang"
    );
    let awaited = app
        .fetch()
        .awaited_answer(at(12 * SEC).local)
        .expect("a hang");
    assert_eq!(
        (awaited.asked, awaited.since),
        (Asked::Page(2), Local::from_nanos(0))
    );
    let text = screen(&mut app, at(12 * SEC));
    assert!(
        text.contains("waiting for Stream's answer to page 2 · 12s"),
        "{text}"
    );
}

/// A retry waits what the server (or the client's backoff) meant in real time, from when it
/// was planned: its countdown and the wait for its answer are real seconds.
#[test]
fn a_retry_waits_in_real_time_and_so_does_its_answer() {
    let (mut app, _) = App::new(config(None), at(0));
    app.update(page_event(1, 1, live_page("a", 10, 600)), at(0));
    let network = headcount::api::ApiError::Network(headcount::api::NetworkError {
        base_url: "http://127.0.0.1:9".into(),
        failure: headcount::api::NetworkFailure::Refused,
        detail: String::new(),
    });
    // The fetch plans the retry 40 s from the server's present, a wait of 40 real seconds.
    app.update(
        Msg::Fetch(FetchEvent::Retrying {
            generation: 1,
            asked: Asked::Page(2),
            error: network,
            retry_at: at(0).server + 40 * SEC,
        }),
        at(0),
    );
    assert_eq!(app.next_deadline(), Some(Local::from_nanos(40 * SEC)));
    let text = screen(&mut app, at(30 * SEC));
    assert!(text.contains("retrying page 2 at "), "{text}");
    assert!(
        text.contains(" · in 10s"),
        "50 min on the server's clock, 30 s here\n{text}"
    );
    assert!(
        app.fetch().awaited_answer(at(39 * SEC).local).is_none(),
        "still waiting for its time"
    );
    app.update(Msg::Tick, at(40 * SEC));
    let awaited = (app.fetch().awaited_answer(at(43 * SEC).local)).expect("the retry hangs");
    assert_eq!(
        awaited.since,
        Local::from_nanos(40 * SEC),
        "since it was sent again"
    );
}

/// Polls rest `--interval` of real time (5 s here, 500 s on the server's clock), and the header
/// counts that down and says how long ago the data came in real seconds.
#[test]
fn polls_rest_the_interval_in_real_time() {
    let (mut app, _) = App::new(config(None), at(0));
    let open = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    app.update(page_event(1, 1, page(open.clone(), 1, true)), at(0));
    app.update(done(1, 1), at(0));
    let plan = app.poll_plan().expect("a live call is polled");
    assert_eq!(
        (plan.at, plan.stretched),
        (Local::from_nanos(5 * SEC), false)
    );
    assert_eq!(app.next_deadline(), Some(Local::from_nanos(5 * SEC)));
    let text = screen(&mut app, at(3 * SEC));
    assert!(text.contains("updated 3s ago"), "{text}");
    assert!(text.contains("next poll in 2s"), "{text}");
    let early = app.update(Msg::Tick, at(4_900 * MS));
    assert!(
        requests(&early).is_empty(),
        "490 s on the server's clock, 4.9 s here"
    );
    let due = app.update(Msg::Tick, at(5 * SEC));
    assert_eq!(
        requests(&due).len(),
        1,
        "the poll starts after 5 real seconds"
    );
}

/// A poll put off for the rate limit waits for the reset the server stated, which counts from
/// its `Date` (the sim states it as its present plus the real time left in the window): 60 s
/// of real time, however far the server's clock runs meanwhile.
#[test]
fn a_poll_put_off_for_the_rate_limit_waits_for_the_reset_in_real_time() {
    let config = headcount::app::AppConfig {
        interval: std::time::Duration::from_millis(100),
        ..config(None)
    };
    let (mut app, _) = App::new(config, at(0));
    let open = vec![row("alice-chen", "a-1", 0, None, "webrtc", "host")];
    let reset = (at(0).server + 60 * SEC) / SEC;
    let answered = |page_no: u32, remaining: u64| {
        Msg::Fetch(FetchEvent::Page {
            generation: 1,
            page_no,
            page: Box::new(headcount::api::RawSessionsPage::from_page(&page(
                open.clone(),
                1,
                true,
            ))),
            rate_limit: Some(headcount::api::RateLimit {
                limit: 4,
                remaining,
                reset,
            }),
        })
    };
    // Two of four requests spent: another read of two would pass the half.
    app.update(answered(1, 3), at(0));
    app.update(answered(2, 2), at(0));
    app.update(done(1, 2), at(MS));
    let plan = app.poll_plan().expect("planned");
    // A second after the reset: it and the server's clock are known to whole seconds.
    assert_eq!(
        (plan.at, plan.stretched),
        (Local::from_nanos(61 * SEC), true)
    );
    let text = screen(&mut app, at(SEC));
    assert!(text.contains("next poll in 60s (rate limit)"), "{text}");
    let early = app.update(Msg::Tick, at(60 * SEC));
    assert!(requests(&early).is_empty(), "the window has not turned");
    let due = app.update(Msg::Tick, at(61 * SEC));
    assert_eq!(
        requests(&due).len(),
        1,
        "the poll starts in the next window"
    );
}
