//! The background fetcher against `headcount sim` over loopback HTTP: order, generations,
//! rate limits waited out, unrecoverable errors and cancellation.

use std::collections::HashSet;
use std::time::Duration;

use headcount::api::call_stats::SessionStatsQuery;
use headcount::api::{ErrorKind, RetryPolicy, StreamClient};
use headcount::fetch::{self, Asked, FetchEvent, FetchRequest, ReadMode};
use headcount::filter::conditions::Conditions;
use headcount::sim::{self, RunningSim, Scenario, SimConfig};
use tokio::sync::mpsc;

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

/// Fails a test that hangs instead of letting it run forever; it is far above the slowest
/// expected run (a few rate-limit windows).
const GIVE_UP: Duration = Duration::from_secs(300);
/// The sim's quota window: short, so that waiting one out is quick.
const RATE_WINDOW: Duration = Duration::from_secs(3);

/// The client gives up at once on a rate limit, so that the fetcher's own waiting is tested.
const IMPATIENT: RetryPolicy = RetryPolicy {
    max_attempts: 2,
    base_delay: Duration::from_millis(1),
    max_delay: Duration::from_millis(10),
    max_server_wait: Duration::from_millis(1),
};

async fn start_sim(scenario: Scenario, rate_limit: u32) -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let config = SimConfig {
        scenario,
        rate_limit,
        rate_window: RATE_WINDOW,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.expect("sim starts")
}

fn client(sim: &RunningSim) -> StreamClient {
    StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .retry_policy(IMPATIENT)
        .build()
        .expect("client")
}

fn request(sim: &RunningSim, generation: u64, page_size: u32) -> FetchRequest {
    FetchRequest {
        generation,
        call_type: sim.call_type().to_string(),
        call_id: sim.call_id().to_string(),
        session: sim.session_id().to_string(),
        filter: Conditions::default(),
        page_size,
        roster: false,
        members_known: None,
        mode: ReadMode::Whole,
    }
}

/// Every event until the task ends (the channel closes).
async fn all_events(mut events: mpsc::Receiver<FetchEvent>) -> Vec<FetchEvent> {
    let collect = async {
        let mut seen = Vec::new();
        while let Some(event) = events.recv().await {
            seen.push(event);
        }
        seen
    };
    tokio::time::timeout(GIVE_UP, collect)
        .await
        .expect("the fetch ends")
}

/// The page numbers and user session ids of the `Page` events, in arrival order.
fn pages_and_rows(events: &[FetchEvent]) -> (Vec<u32>, Vec<String>) {
    let mut numbers = Vec::new();
    let mut rows = Vec::new();
    for event in events {
        if let FetchEvent::Page { page_no, page, .. } = event {
            numbers.push(*page_no);
            let page = page.decode().expect("the sim sends readable pages");
            rows.extend(
                page.participants_sessions
                    .into_iter()
                    .map(|row| row.user_session_id),
            );
        }
    }
    (numbers, rows)
}

fn assert_complete_without_duplicates(sim: &RunningSim, events: &[FetchEvent]) {
    let (numbers, rows) = pages_and_rows(events);
    let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
    assert_eq!(numbers, expected, "pages arrive once each, in order");
    assert_eq!(rows.len(), sim.initial_sessions(), "every row arrives");
    let distinct: HashSet<&String> = rows.iter().collect();
    assert_eq!(distinct.len(), rows.len(), "no row arrives twice");
    match events.last() {
        Some(FetchEvent::Done { pages, .. }) => assert_eq!(*pages as usize, numbers.len()),
        other => panic!("the last event is Done, got {other:?}"),
    }
}

#[tokio::test]
async fn every_page_of_the_townhall_arrives_in_order_then_done() {
    let sim = start_sim(Scenario::Townhall, 0).await;
    let (sender, receiver) = mpsc::channel(8);
    let _handle = fetch::spawn(client(&sim), request(&sim, 7, 100), sender);
    let events = all_events(receiver).await;
    assert!(events.iter().all(|event| event.generation() == 7));
    assert!(events.len() > 10, "the townhall spans many pages");
    assert_complete_without_duplicates(&sim, &events);
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_and_the_fetch_still_completes() {
    let sim = start_sim(Scenario::Small, 5).await;
    let client = client(&sim);
    use_up_the_quota(&sim, &client).await;
    let (sender, receiver) = mpsc::channel(8);
    // More pages than one window's quota, so a 429 comes even if a new window opens now.
    let _handle = fetch::spawn(client, request(&sim, 1, 7), sender);
    let events = all_events(receiver).await;
    let retries: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            FetchEvent::Retrying {
                error, retry_at, ..
            } => Some((error.kind(), *retry_at)),
            _ => None,
        })
        .collect();
    assert!(!retries.is_empty(), "the rate limit is reported");
    for (kind, retry_at) in retries {
        assert_eq!(kind, ErrorKind::RateLimited);
        assert!(retry_at > 0);
    }
    assert_complete_without_duplicates(&sim, &events);
}

#[tokio::test]
async fn a_wait_is_told_even_when_the_channel_is_full() {
    // A channel of one event read slowly, as a dashboard busy drawing reads it: the page
    // before the rate-limited request still fills the channel when the client's notice comes.
    let sim = start_sim(Scenario::Small, 2).await;
    let patient = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .build()
        .expect("client");
    let (sender, mut receiver) = mpsc::channel(1);
    let _handle = fetch::spawn(patient, request(&sim, 1, 10), sender);
    let slow_reader = async {
        let mut seen = Vec::new();
        while let Some(event) = receiver.recv().await {
            seen.push(event);
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        seen
    };
    let events = tokio::time::timeout(GIVE_UP, slow_reader)
        .await
        .expect("the fetch ends");
    let mut pages_seen = 0;
    let mut waits = Vec::new();
    for event in &events {
        match event {
            FetchEvent::Page { page_no, .. } => pages_seen = *page_no,
            FetchEvent::Retrying { asked, error, .. } => {
                waits.push((pages_seen, *asked, error.kind()));
            }
            _ => {}
        }
    }
    assert!(!waits.is_empty(), "no wait is lost: {events:?}");
    for (pages_before, asked, kind) in waits {
        assert_eq!(kind, ErrorKind::RateLimited);
        assert_eq!(
            asked,
            Asked::Page(pages_before + 1),
            "told before the page it names"
        );
    }
    assert_complete_without_duplicates(&sim, &events);
}

#[tokio::test]
async fn an_expired_session_sends_streams_summary_before_done() {
    let sim = start_sim(Scenario::Expired, 0).await;
    let client = client(&sim);
    // What the stats endpoint lists for the session, read by hand.
    let query = SessionStatsQuery::sessions_of(sim.call_type(), sim.call_id());
    let listed = client.query_call_session_stats(&query).await.unwrap().body;
    let by_hand = listed
        .call_stats
        .into_iter()
        .find(|row| row.call_session_id == sim.session_id())
        .expect("the sim lists the expired session")
        .counts;
    assert!(by_hand.sessions > 0 && by_hand.participants > 0);
    let (sender, receiver) = mpsc::channel(8);
    let _handle = fetch::spawn(client, request(&sim, 4, 100), sender);
    let events = all_events(receiver).await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|event| match event {
            FetchEvent::Page { .. } => "page",
            FetchEvent::Stats { .. } => "stats",
            FetchEvent::Done { .. } => "done",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds.last(), Some(&"done"), "{kinds:?}");
    assert_eq!(
        kinds[kinds.len() - 2],
        "stats",
        "the summary comes before Done"
    );
    let Some(FetchEvent::Stats { generation, counts }) = events.get(events.len() - 2) else {
        unreachable!()
    };
    assert_eq!(*generation, 4);
    assert_eq!(counts, &by_hand, "the summary is Stream's, as listed");
    match events.last() {
        Some(FetchEvent::Done { completeness, .. }) => {
            assert_eq!(*completeness, fetch::Completeness::Expired);
        }
        other => panic!("{other:?}"),
    }
}

/// The members' own rate limit, waited out inside the client, is told with a roster event
/// naming the call members (the status line's "call members asked again at …"), and the
/// members still come.
#[tokio::test]
async fn the_clients_own_waits_for_the_members_are_reported() {
    let sim = start_sim(Scenario::Ring, 1).await;
    let patient = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .build()
        .expect("client");
    // The one query of this window: the fetch's members read is refused until the next.
    headcount::api::members::read_members(&patient, sim.call_type(), sim.call_id())
        .await
        .expect("the first read of the window");
    let (sender, receiver) = mpsc::channel(64);
    let asked = FetchRequest {
        roster: true,
        ..request(&sim, 1, 100)
    };
    let _handle = fetch::spawn(patient, asked, sender);
    let events = all_events(receiver).await;
    let waited = events.iter().position(|event| {
        matches!(event, FetchEvent::RosterFailed { asked: Asked::Members, error, retry_at: Some(at), .. }
            if error.kind() == ErrorKind::RateLimited && *at > 0)
    });
    let read = events
        .iter()
        .position(|event| matches!(event, FetchEvent::Roster { .. }));
    match (waited, read) {
        (Some(waited), Some(read)) => assert!(waited < read, "{events:?}"),
        _ => panic!("a wait told, then the members: {events:?}"),
    }
}

/// Sends queries until the sim answers 429.
#[tokio::test]
async fn the_clients_own_rate_limit_waits_are_reported_with_their_page() {
    // Small has about 40 sessions: 10 a page is 4 pages or more, and a quota of 2 rate-limits
    // the third; the default policy waits the window out inside the client.
    let sim = start_sim(Scenario::Small, 2).await;
    let patient = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .build()
        .expect("client");
    let (sender, receiver) = mpsc::channel(64);
    let _handle = fetch::spawn(patient, request(&sim, 1, 10), sender);
    let events = all_events(receiver).await;
    let mut pages_seen = 0;
    let mut waits = Vec::new();
    for event in &events {
        match event {
            FetchEvent::Page { page_no, .. } => pages_seen = *page_no,
            FetchEvent::Retrying {
                asked,
                error,
                retry_at,
                ..
            } => waits.push((pages_seen, *asked, error.kind(), *retry_at)),
            _ => {}
        }
    }
    assert!(!waits.is_empty(), "the client's waits are told: {events:?}");
    for (pages_before, asked, kind, retry_at) in waits {
        assert_eq!(kind, ErrorKind::RateLimited);
        assert_eq!(
            asked,
            Asked::Page(pages_before + 1),
            "the wait names the page under way"
        );
        assert!(retry_at > 0);
    }
    assert_complete_without_duplicates(&sim, &events);
}

async fn use_up_the_quota(sim: &RunningSim, client: &StreamClient) {
    let query = headcount::api::models::ParticipantSessionsQuery::default();
    loop {
        let answer = client
            .query_call_participant_sessions(
                sim.call_type(),
                sim.call_id(),
                sim.session_id(),
                &query,
            )
            .await;
        if let Err(error) = answer {
            assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
            return;
        }
    }
}

#[tokio::test]
async fn an_unknown_session_fails_as_not_found_and_ends() {
    let sim = start_sim(Scenario::Small, 0).await;
    let (sender, receiver) = mpsc::channel(8);
    let mut unknown = request(&sim, 3, 100);
    unknown.session = "no-such-session".to_string();
    let _handle = fetch::spawn(client(&sim), unknown, sender);
    let events = all_events(receiver).await;
    match events.as_slice() {
        [FetchEvent::Failed { generation, error }] => {
            assert_eq!(*generation, 3);
            assert_eq!(error.kind(), ErrorKind::NotFound);
        }
        other => panic!("one Failed event, got {other:?}"),
    }
}

#[tokio::test]
async fn dropping_the_handle_stops_the_fetch() {
    let sim = start_sim(Scenario::Townhall, 0).await;
    let (sender, mut receiver) = mpsc::channel(1);
    // Hundreds of pages: without the drop, far more than the channel holds would follow.
    let handle = fetch::spawn(client(&sim), request(&sim, 1, 10), sender);
    let first = receiver.recv().await.expect("a first page");
    assert!(matches!(first, FetchEvent::Page { page_no: 1, .. }));
    drop(handle);
    let rest = all_events(receiver).await;
    assert!(
        rest.len() <= 1,
        "at most the one buffered event follows, got {}",
        rest.len()
    );
    assert!(!rest.iter().any(|e| matches!(e, FetchEvent::Done { .. })));
}

/// A session whose pages carry no `session` object: the fetcher asks GetCall once the pages
/// are read and hands its word over with `Done`, so the dashboard's store knows it ended.
#[tokio::test(flavor = "multi_thread")]
async fn the_fetcher_learns_the_end_from_getcall_when_the_pages_do_not_say() {
    use headcount::attendance::{SessionEnd, SessionStore};
    use headcount::sim::SessionObject;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: Scenario::Messy,
        rate_limit: 0,
        session_object: SessionObject::Null,
        ..SimConfig::default()
    };
    let sim = sim::start(config, listener).await.unwrap();
    let (sender, receiver) = mpsc::channel(16);
    let _handle = fetch::spawn(client(&sim), request(&sim, 1, 100), sender);
    let events = all_events(receiver).await;
    let mut store = SessionStore::new();
    for event in &events {
        match event {
            FetchEvent::Page { page, .. } => {
                store.ingest_json(page.bytes()).unwrap();
            }
            FetchEvent::Done { end, .. } => {
                assert!(
                    !store.session_end().is_ended(),
                    "the pages alone do not say"
                );
                store.learn_end(end);
            }
            _ => {}
        }
    }
    assert!(matches!(store.session_end(), SessionEnd::Ended(Some(_))));
}

#[tokio::test]
async fn asked_for_the_roster_the_fetch_reads_it_alongside_the_pages() {
    let sim = start_sim(Scenario::Ring, 0).await;
    let client = client(&sim);
    let (sender, receiver) = mpsc::channel(8);
    let asked = FetchRequest {
        roster: true,
        ..request(&sim, 4, 100)
    };
    let _handle = fetch::spawn(client, asked, sender);
    let events = all_events(receiver).await;
    let rosters: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            FetchEvent::Roster { invited, .. } => Some(invited),
            _ => None,
        })
        .collect();
    let [invited] = &rosters[..] else {
        panic!("one roster: {events:?}")
    };
    assert!(invited.members.stop.is_complete());
    assert!(!invited.members.members.is_empty());
    let session = invited
        .call
        .session
        .as_ref()
        .expect("the ringing call's session");
    assert!(session.rejected_by.is_some() && session.missed_by.is_some());
    assert!(
        events
            .iter()
            .any(|event| matches!(event, FetchEvent::Done { .. })),
        "the pages end as usual"
    );
    // Given the members read before (a live poll), only GetCall is read again.
    let (sender, receiver) = mpsc::channel(8);
    let polled = FetchRequest {
        roster: true,
        members_known: Some(std::sync::Arc::clone(&invited.members)),
        ..request(&sim, 6, 100)
    };
    let _handle = fetch::spawn(self::client(&sim), polled, sender);
    let events = all_events(receiver).await;
    let kept = events.iter().find_map(|event| match event {
        FetchEvent::Roster { invited, .. } => Some(invited),
        _ => None,
    });
    let kept = kept.expect("a roster");
    assert!(
        std::sync::Arc::ptr_eq(&kept.members, &invited.members),
        "the same members, not read again"
    );
    assert_eq!(
        kept.call.session, invited.call.session,
        "the call read again"
    );
    // Without asking, no roster is read.
    let (sender, receiver) = mpsc::channel(8);
    let _handle = fetch::spawn(self::client(&sim), request(&sim, 5, 100), sender);
    let events = all_events(receiver).await;
    assert!(!events.iter().any(|event| matches!(
        event,
        FetchEvent::Roster { .. } | FetchEvent::RosterFailed { .. }
    )));
}
