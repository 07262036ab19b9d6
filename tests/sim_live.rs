//! A live session over real HTTP: rows appear after the reporting lag, open sessions have no
//! end, paging while the clock runs never repeats or loses a row, and the session ends.

mod sim_support;

use std::collections::HashSet;
use std::time::Duration;

use headcount::app::live::{CountGap, PollRead};
use headcount::attendance::CallState;
use headcount::fetch::IsLiveCheck;
use headcount::sim::{MAX_SPEED, Scenario, SimConfig};
use serde_json::json;
use sim_support::cli::{args, headcount, stderr};
use sim_support::dashboard::{Polling, assert_same_as_whole_read};
use sim_support::*;

fn live(speed: f64, lag: Duration) -> SimConfig {
    SimConfig {
        live: true,
        speed,
        lag,
        rate_limit: 0,
        ..SimConfig::default()
    }
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64
}

#[tokio::test]
async fn open_sessions_have_no_end_and_are_live() {
    let sim = start(live(1.0, Duration::from_secs(5))).await;
    assert!(sim.initial_sessions() > 0, "people are already in the call");
    let rows = all_rows(&sim, 100, &[]).await;
    let open: HashSet<String> = session_ids(
        &rows
            .iter()
            .filter(|r| r["left_at"].is_null())
            .cloned()
            .collect::<Vec<_>>(),
    )
    .into_iter()
    .collect();
    assert!(!open.is_empty());
    for row in rows.iter().filter(|r| r["left_at"].is_null()) {
        assert!(row["duration_in_seconds"].is_null(), "{row}");
        // As real Stream does, absent values are sent as null, not left out.
        let fields = row.as_object().unwrap();
        assert!(
            fields.contains_key("left_at") && fields.contains_key("duration_in_seconds"),
            "{row}"
        );
    }
    let body = page(&sim, &[]).await;
    assert!(body["session"]["ended_at"].is_null());
    assert!(
        !body["session"]["participants"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let call = get(&sim, &call_path(&sim), &[]).await;
    assert_eq!(
        missing_required(&call.body, "GetCallResponse"),
        Vec::<String>::new()
    );
    assert!(call.body["call"]["ended_at"].is_null());
    assert!(
        call.body["call"]
            .as_object()
            .unwrap()
            .contains_key("ended_at")
    );
    assert!(
        call.body["call"]["session"]
            .as_object()
            .unwrap()
            .contains_key("ended_at")
    );

    for (is_live, expect_open) in [(true, true), (false, false)] {
        let filter = json!({"is_live": {"$eq": is_live}}).to_string();
        let rows = all_rows(&sim, 100, &[("filter_conditions", &filter)]).await;
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["left_at"].is_null() == expect_open));
    }
}

#[tokio::test]
async fn joins_appear_only_after_the_reporting_lag() {
    let lag = Duration::from_secs(240);
    let sim = start(live(1.0, lag)).await;
    let before = now_ns();
    let rows = all_rows(&sim, 100, &[]).await;
    let newest = rows
        .iter()
        .map(|r| r["joined_at"].as_i64().unwrap())
        .max()
        .unwrap();
    let after = now_ns();
    let lag_ns = lag.as_nanos() as i64;
    assert!(
        newest <= after - lag_ns,
        "a join newer than the lag was reported"
    );
    assert!(
        newest > before - lag_ns - 120_000_000_000,
        "reporting is not far behind"
    );
}

#[tokio::test]
async fn paging_while_the_clock_runs_never_repeats_or_loses_a_row() {
    let sim = start(live(120.0, Duration::from_secs(5))).await;
    let before = session_ids(&all_rows(&sim, 100, &[]).await);
    let paged = paced_rows(&sim, 7, &[], Duration::from_millis(5)).await;
    let paged_ids = session_ids(&paged);
    let unique: HashSet<&String> = paged_ids.iter().collect();
    assert_eq!(unique.len(), paged_ids.len(), "a row was served twice");
    let after = session_ids(&all_rows(&sim, 100, &[]).await);
    assert!(paged_ids.len() > before.len(), "rows appeared while paging");
    assert_eq!(
        paged_ids[..before.len()],
        before[..],
        "rows known before were kept in order"
    );
    assert_eq!(
        after[..paged_ids.len()],
        paged_ids[..],
        "nothing was skipped"
    );
}

#[tokio::test]
async fn the_session_ends_with_every_row_closed() {
    let sim = start(live(MAX_SPEED, Duration::from_secs(5))).await;
    let mut body = page(&sim, &[]).await;
    for _ in 0..100 {
        if body["session"]["ended_at"].is_i64() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        body = page(&sim, &[]).await;
    }
    assert!(body["session"]["ended_at"].is_i64(), "the session ended");
    let rows = all_rows(&sim, 100, &[]).await;
    assert!(rows.len() >= Scenario::Townhall.target_sessions());
    assert!(rows.iter().all(|r| r["left_at"].is_i64()));
    let sum: i64 = rows
        .iter()
        .map(|r| r["duration_in_seconds"].as_i64().unwrap())
        .sum();
    assert_eq!(json!(sum), body["total_participant_duration"]);
    assert_eq!(json!(rows.len()), body["total_participant_sessions"]);
}

/// The `Date` header of an answer, in Unix ns.
fn date_of(answer: &Answer) -> i64 {
    let text = answer.headers["date"].to_str().unwrap();
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .unwrap_or_else(|e| panic!("Date {text:?}: {e}"));
    at.as_nanosecond() as i64
}

const SEC: i64 = 1_000_000_000;

/// A call played 600 times faster than the wall, 200 ms after it started: its present is
/// about two minutes ahead of this machine's clock.
async fn sped_up() -> Harness {
    let sim = start(live(600.0, Duration::from_secs(5))).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    sim
}

#[tokio::test]
async fn every_answer_is_dated_at_the_calls_present_and_reports_nothing_after_it() {
    let sim = sped_up().await;
    let wall = now_ns();
    let answer = get(&sim, &sessions_path(&sim), &[("limit", "100")]).await;
    let date = date_of(&answer);
    assert!(
        date >= wall + 100 * SEC,
        "Date {date} is not the sim's present"
    );
    assert_eq!(date % SEC, 0, "an HTTP-date has whole seconds");
    let rows = answer.body["participants_sessions"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(row["joined_at"].as_i64().unwrap() <= date, "{row}");
    }
    let call = get(&sim, &call_path(&sim), &[]).await;
    assert!(date_of(&call) >= date, "the sim's present never goes back");
    // A scenario not played live is dated by the wall clock, as any server is.
    let ended = start(SimConfig::default()).await;
    let wall = now_ns();
    let date = date_of(&get(&ended, &call_path(&ended), &[]).await);
    assert!((date - wall).abs() < 5 * SEC, "{date} vs {wall}");
}

#[tokio::test]
async fn a_sped_up_live_call_is_described_at_the_servers_present() {
    let sim = sped_up().await;
    let wall = now_ns();
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let output = headcount(
        &sim.base_url(),
        args([
            "totals",
            &call,
            "--session",
            sim.session_id(),
            "--format",
            "json",
        ]),
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let totals: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(totals["state"], "live", "{totals}");
    // No join is after the present, so none is "outside the session"; the window of a live
    // call ends at the server's present, not at this machine's.
    let quality = &totals["data_quality"];
    let kinds = quality["problems"].as_object().unwrap();
    assert_eq!(quality["rows_with_problems"], 0, "{:?}", kinds.keys());
    let window_end: jiff::Timestamp = totals["window"]["ended_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let window_end = window_end.as_nanosecond() as i64;
    assert!(window_end >= wall + 100 * SEC, "{totals}");
    // Open sessions count up to that present: connected and attended time agree on them.
    assert!(
        quality["duration_seconds_open"].as_i64().unwrap() > 0,
        "{quality}"
    );
    let filtered = &totals["filtered"];
    let attended = filtered["attended_seconds"].as_i64().unwrap();
    let connected = filtered["duration_seconds"].as_i64().unwrap();
    assert!(
        attended * 10 >= connected * 5,
        "attended {attended} vs connected {connected}"
    );
    let peak_at: jiff::Timestamp = totals["peak_at"].as_str().unwrap().parse().unwrap();
    assert!(peak_at.as_nanosecond() as i64 <= window_end);
}

#[tokio::test]
async fn the_dashboard_shows_a_sped_up_live_call_at_the_servers_present() {
    let sim = sped_up().await;
    let wall = now_ns();
    let app = sim_support::dashboard::after_one_read_of(&sim).await;
    let call = &app.figures().expect("figures after a read").call;
    assert_eq!(call.data_quality.rows, 0, "{:?}", call.data_quality);
    assert!(call.data_quality.open_seconds > 0);
    let window = call.window.expect("a live call has a window");
    assert!(window.end >= wall + 100 * SEC, "{window:?} vs wall {wall}");
    let peak = call.peak_sessions.at.expect("a peak");
    assert!(peak <= window.end);
}

#[tokio::test]
async fn live_polls_are_put_off_to_spend_at_most_half_the_rate_limit() {
    // Two requests per endpoint a second: a read of the small call is one page (a poll of its
    // open sessions two when someone left, the second reading them back), so at most one
    // poll a window, where an interval of 100 ms would poll ten times.
    let sim = start(SimConfig {
        scenario: Scenario::Small,
        rate_limit: 2,
        rate_window: Duration::from_secs(1),
        ..live(1.0, Duration::ZERO)
    })
    .await;
    let interval = Duration::from_millis(100);
    let (_, reads) = sim_support::dashboard::live_polls(&sim, interval, 100, 4).await;
    assert_eq!(reads.len(), 4, "{reads:?}");
    for read in &reads {
        assert!(read.pages <= 2 && read.rate_limited == 0, "{reads:?}");
    }
    // A read that ends within an interval of the window's end needs no putting off.
    let stretched = reads
        .iter()
        .filter_map(|read| read.plan)
        .filter(|plan| plan.stretched);
    assert!(stretched.count() >= 1, "{reads:?}");
    let first = reads[0].ended_at;
    let last = reads[3].ended_at;
    assert!(
        last - first >= 2 * SEC,
        "three polls in three windows, not 300 ms: {reads:?}"
    );
}

/// A live call whose clock moves only when the test moves it ([`SimConfig::stepped`]).
async fn stepped(scenario: Scenario, ignore_is_live: bool) -> Harness {
    start(SimConfig {
        scenario,
        stepped: true,
        ignore_is_live,
        ..live(1.0, Duration::from_secs(5))
    })
    .await
}

const LIVE: &str = r#"{"is_live":{"$eq":true}}"#;
const NOT_LIVE: &str = r#"{"is_live":{"$eq":false}}"#;

/// The ids of `rows` whose `left_at` is (`open`) or is not null, sorted.
fn ids_where_open(rows: &[serde_json::Value], open: bool) -> Vec<String> {
    let kept: Vec<_> = rows
        .iter()
        .filter(|row| row["left_at"].is_null() == open)
        .cloned()
        .collect();
    sorted(session_ids(&kept))
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn is_live_keeps_the_sessions_without_left_at_while_the_call_is_live() {
    let sim = stepped(Scenario::Messy, false).await;
    let filtered = |filter: &'static str| {
        let sim = &sim;
        async move { all_rows(sim, 7, &[("filter_conditions", filter)]).await }
    };
    // 25 minutes in, then 35: the leave of `blank-row` (no times at all, 5 to 15 minutes) is
    // reported by then, and as its row shows no `left_at`, Stream's `is_live` keeps it.
    for step in [20 * 60, 10 * 60] {
        assert!(sim.advance(Duration::from_secs(step)));
        let every = all_rows(&sim, 7, &[]).await;
        let live = filtered(LIVE).await;
        let gone = filtered(NOT_LIVE).await;
        assert!(
            !live.is_empty() && !gone.is_empty(),
            "{step} s: some of each"
        );
        assert_eq!(sorted(session_ids(&live)), ids_where_open(&every, true));
        assert_eq!(sorted(session_ids(&gone)), ids_where_open(&every, false));
        assert!(live.iter().all(|row| row["left_at"].is_null()));
        let blank = every
            .iter()
            .find(|row| row["user_id"] == "blank-row")
            .unwrap();
        assert!(
            live.contains(blank),
            "a row without left_at is live: {blank}"
        );
        // In the same evaluation as the other fields: AND with `user_id`.
        let both = r#"{"user_id":{"$in":["ghost-user","skewed-clock"]},"is_live":{"$eq":true}}"#;
        let theirs: Vec<_> = every
            .iter()
            .filter(|row| row["user_id"] == "ghost-user" || row["user_id"] == "skewed-clock")
            .cloned()
            .collect();
        let both = filtered(both).await;
        assert!(!both.is_empty());
        assert_eq!(sorted(session_ids(&both)), ids_where_open(&theirs, true));
    }
    // Once the call has ended, no session is live.
    assert!(sim.advance(Duration::from_secs(3600)));
    let every = all_rows(&sim, 7, &[]).await;
    assert!(filtered(LIVE).await.is_empty());
    assert_eq!(filtered(NOT_LIVE).await.len(), every.len());
}

#[tokio::test]
async fn a_sim_told_to_ignore_is_live_returns_every_row_and_honours_the_rest() {
    let sim = stepped(Scenario::Messy, true).await;
    assert!(sim.advance(Duration::from_secs(25 * 60)));
    let every = all_rows(&sim, 7, &[]).await;
    let returned = all_rows(&sim, 7, &[("filter_conditions", LIVE)]).await;
    assert_eq!(sorted(session_ids(&returned)), sorted(session_ids(&every)));
    assert!(returned.iter().any(|row| !row["left_at"].is_null()));
    let ghost = r#"{"user_id":"ghost-user","is_live":{"$eq":true}}"#;
    let ghost = all_rows(&sim, 7, &[("filter_conditions", ghost)]).await;
    let theirs: Vec<_> = every
        .iter()
        .filter(|row| row["user_id"] == "ghost-user")
        .cloned()
        .collect();
    assert!(theirs.len() >= 2);
    assert_eq!(
        sorted(session_ids(&ghost)),
        sorted(session_ids(&theirs)),
        "every row of ghost-user, open or not"
    );
    // A running clock is not stepped.
    let running = start(live(1.0, Duration::ZERO)).await;
    assert!(!running.advance(Duration::from_secs(1)));
}

/// A whole read of the sim's call by another dashboard, at the sim's present.
async fn whole_read(sim: &Harness, filter: Option<&str>) -> Polling {
    Polling::start(sim, filter, 100).await
}

#[tokio::test]
async fn every_live_poll_leaves_the_store_as_a_whole_read_at_the_same_moment_would() {
    let sim = stepped(Scenario::Townhall, false).await;
    let mut polling = Polling::start(&sim, None, 100).await;
    // Ten polls a second of the call apart, four ten minutes apart, then one after the end.
    let steps = [1; 10].into_iter().chain([600; 4]).chain([3600]);
    let mut polls = Vec::new();
    for (n, step) in steps.enumerate() {
        assert!(sim.advance(Duration::from_secs(step)));
        let polled = polling
            .poll()
            .await
            .unwrap_or_else(|| panic!("poll {n} planned"));
        let whole = whole_read(&sim, None).await;
        let now = polling.client.present();
        let context = format!("poll {}: {polled:?}", n + 1);
        assert_same_as_whole_read(polling.app.store(), whole.app.store(), now, &context);
        let whole_cost = whole.app.poll_budget().last_cost().unwrap();
        polls.push((polled, whole_cost));
    }
    // A second apart, nobody joins and leaves between two polls: the first nine read the open
    // sessions and who left (what that saves over a call is measured by
    // scripts/poll-requests.sh); the tenth reads it whole.
    for (n, (polled, _)) in polls[..9].iter().enumerate() {
        assert_eq!(polled.reads, [PollRead::OpenSessions], "poll {}", n + 1);
        assert_eq!(polled.last, Some(PollRead::OpenSessions));
    }
    assert_eq!(polls[9].0.reads, [PollRead::Whole], "{polls:?}");
    assert_eq!(polls[9].0.requests, polls[9].1, "a whole read's requests");
    // Ten minutes apart, people join and leave between two polls: only the count tells, and
    // the poll goes on with the closed sessions (the open ones just read and these are every
    // row), which cost less than the whole read it went on with before.
    let counted = [PollRead::OpenSessions, PollRead::ClosedSessions];
    let split: Vec<_> = polls[10..14]
        .iter()
        .filter(|(polled, _)| polled.reads == counted)
        .collect();
    assert!(!split.is_empty(), "{polls:?}");
    for (polled, whole_cost) in split {
        assert_eq!(polled.last, Some(PollRead::ClosedSessions));
        let (open, closed) = (polled.pages[0], polled.pages[1]);
        assert!(closed < *whole_cost, "{polled:?} vs {whole_cost}");
        assert_eq!(polled.requests, open + closed, "{polled:?}");
    }
    // The poll that sees the end is followed by one whole read, and no poll after it.
    let (end, _) = &polls[14];
    assert_eq!(end.reads.last(), Some(&PollRead::Whole), "{end:?}");
    let whole_reads = end.reads.iter().filter(|read| **read == PollRead::Whole);
    assert_eq!(whole_reads.count(), 1, "{end:?}");
    assert_eq!(
        polling.app.store().state(polling.client.present()),
        Some(CallState::Ended)
    );
    assert!(
        polling.poll().await.is_none(),
        "no poll once the call ended"
    );
}

/// The progress line of the dashboard's header, drawn 160 columns wide.
fn progress_line(polling: &Polling) -> String {
    let now = polling.now();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 24)).unwrap();
    terminal
        .draw(|frame| {
            headcount::ui::draw(frame, &polling.app, now);
        })
        .unwrap();
    let text = terminal.backend().to_string();
    text.lines()
        .nth(1)
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

#[tokio::test]
async fn a_poll_that_people_joined_during_says_how_many_sessions_it_has_not_read() {
    let sim = stepped(Scenario::Townhall, false).await;
    let mut polling = Polling::start(&sim, None, 100).await;
    assert!(sim.advance(Duration::from_secs(600)));
    // A minute of the call passes between the poll's open sessions and its closed ones:
    // whoever joined in it and stayed is in Stream's total and in neither read.
    let polled = polling
        .poll_with(|| assert!(sim.advance(Duration::from_secs(60))))
        .await
        .expect("a poll");
    assert_eq!(
        polled.reads,
        [PollRead::OpenSessions, PollRead::ClosedSessions],
        "{polled:?}"
    );
    let whole = whole_read(&sim, None).await;
    let held = polling.app.store().len();
    let missing = whole.app.store().len() - held;
    assert!(missing > 0, "nobody joined in the minute: {polled:?}");
    assert_eq!(
        polling.app.count_gap(),
        Some(CountGap::Unread(missing as u64)),
        "Stream's total counts them"
    );
    let line = progress_line(&polling);
    let noun = if missing == 1 { "session" } else { "sessions" };
    let said = format!("{missing} {noun} not read yet (next poll reads whole)");
    assert!(line.contains(&said), "{said:?} in {line}");
    // As said, the next poll reads the session whole, and then holds what a whole read does.
    let polled = polling.poll().await.expect("a poll");
    assert_eq!(polled.reads, [PollRead::Whole], "{polled:?}");
    let now = polling.client.present();
    assert_same_as_whole_read(
        polling.app.store(),
        whole.app.store(),
        now,
        "the whole poll",
    );
    let line = progress_line(&polling);
    assert!(!line.contains("not read yet"), "{line}");
    assert!(line.contains("done"), "{line}");
}

#[tokio::test]
async fn a_server_that_ignores_is_live_is_read_whole_at_every_poll() {
    let sim = stepped(Scenario::Townhall, true).await;
    let mut polling = Polling::start(&sim, None, 100).await;
    for n in 0..3 {
        assert!(sim.advance(Duration::from_secs(60)));
        let polled = polling.poll().await.expect("a poll");
        let whole = whole_read(&sim, None).await;
        let now = polling.client.present();
        let context = format!("poll {}: {polled:?}", n + 1);
        assert_same_as_whole_read(polling.app.store(), whole.app.store(), now, &context);
        let whole_cost = whole.app.poll_budget().last_cost().unwrap();
        assert_eq!(polled.last, Some(PollRead::Whole), "{context}");
        if n == 0 {
            // The open sessions came back with rows that had left: the server ignores the
            // condition, and the same poll reads the session whole.
            assert_eq!(polled.reads, [PollRead::OpenSessions], "{context}");
            assert_eq!(polled.requests, 2 * whole_cost, "{context}");
        } else {
            assert_eq!(polled.reads, [PollRead::Whole], "{context}");
            assert_eq!(polled.requests, whole_cost, "{context}");
        }
    }
    let check = polling.app.poll_reads().is_live_check();
    assert_eq!(check, Some(IsLiveCheck::Ignored));
}

#[tokio::test]
async fn a_server_filter_is_polled_with_whole_reads_only() {
    let sim = stepped(Scenario::Townhall, false).await;
    let filter = Some("publisher:webrtc");
    let mut polling = Polling::start(&sim, filter, 100).await;
    for n in 0..3 {
        assert!(sim.advance(Duration::from_secs(60)));
        let polled = polling.poll().await.expect("a poll");
        let whole = whole_read(&sim, filter).await;
        let now = polling.client.present();
        let context = format!("poll {}: {polled:?}", n + 1);
        assert_same_as_whole_read(polling.app.store(), whole.app.store(), now, &context);
        assert_eq!(polled.reads, [PollRead::Whole], "{context}");
    }
    assert_eq!(polling.app.poll_reads().is_live_check(), None);
}

#[tokio::test]
async fn the_rate_limit_reset_is_stated_on_the_clock_of_the_date() {
    // 600 times faster than the wall: the call's present, its `Date`, is minutes ahead.
    let sim = start(SimConfig {
        rate_limit: 100,
        rate_window: Duration::from_secs(60),
        ..live(600.0, Duration::from_secs(5))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let wall = now_ns();
    let answer = get(&sim, &sessions_path(&sim), &[("limit", "10")]).await;
    let date = date_of(&answer);
    assert!(date >= wall + 100 * SEC, "the Date is the call's present");
    let reset: i64 = answer.headers["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // As Stream's headers read: Reset − Date is what is left of the window, in real seconds
    // (the windows are counted on the wall clock), not minutes before it.
    let left = reset - date / SEC;
    assert!((0..=60).contains(&left), "Reset − Date = {left} s");
    let wall_left = 60 - (wall / SEC) % 60;
    assert!((left - wall_left).abs() <= 2, "{left} s vs {wall_left} s");
}

/// The closed sessions' read of a live call: the rows it brings and what it said of the
/// server.
async fn read_closed_sessions(sim: &Harness) -> (Vec<String>, Vec<IsLiveCheck>) {
    use headcount::fetch::{self, FetchEvent, FetchRequest, ReadMode};
    let client = headcount::api::StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .build()
        .unwrap();
    let request = FetchRequest {
        generation: 1,
        call_type: sim.call_type().into(),
        call_id: sim.call_id().into(),
        session: sim.session_id().into(),
        page_size: 7,
        mode: ReadMode::ClosedSessions,
        ..FetchRequest::default()
    };
    let (sender, mut events) = tokio::sync::mpsc::channel(16);
    let _fetch = fetch::spawn(client, request, sender);
    let (mut ids, mut checks) = (Vec::new(), Vec::new());
    while let Some(event) = events.recv().await {
        match event {
            FetchEvent::Page { page, .. } => {
                let page = page.decode().unwrap();
                ids.extend(
                    page.participants_sessions
                        .into_iter()
                        .map(|row| row.user_session_id),
                );
            }
            FetchEvent::ClosedSessionsRead { check, .. } => checks.push(check),
            FetchEvent::Done { .. } => break,
            FetchEvent::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    (sorted(ids), checks)
}

#[tokio::test]
async fn a_read_of_the_closed_sessions_brings_every_row_that_left_or_the_whole_session() {
    // 25 minutes into the messy call: some sessions open, some closed.
    let sim = stepped(Scenario::Messy, false).await;
    assert!(sim.advance(Duration::from_secs(25 * 60)));
    let every = all_rows(&sim, 7, &[]).await;
    let (ids, checks) = read_closed_sessions(&sim).await;
    assert_eq!(checks, [IsLiveCheck::Honoured]);
    assert_eq!(ids, ids_where_open(&every, false), "the closed sessions");
    assert!(ids.len() < every.len(), "not every row");
    // A server that ignores `is_live` returns open sessions too: the same fetch then reads
    // every row, and the read is whole (the ledger counts each row once; the store upserts).
    let ignoring = stepped(Scenario::Messy, true).await;
    assert!(ignoring.advance(Duration::from_secs(25 * 60)));
    let every = all_rows(&ignoring, 7, &[]).await;
    let (ids, checks) = read_closed_sessions(&ignoring).await;
    assert_eq!(checks, [IsLiveCheck::Ignored]);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique, sorted(session_ids(&every)), "every row");
}
