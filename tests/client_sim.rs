//! The typed client against `headcount sim` over loopback HTTP: paging, every filter field,
//! every error Stream gives this endpoint, rate limits and a live session. The sim's own tests
//! (`sim_*.rs`) check the wire with raw HTTP; these check what the client makes of it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headcount::api::models::{ParticipantSessionDetails, ParticipantSessionsQuery};
use headcount::api::{ApiError, ErrorKind, PagerOptions, RetryPolicy, StreamClient};
use headcount::sim::{self, RunningSim, Scenario, SimConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

async fn start(config: SimConfig) -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    sim::start(config, listener).await.unwrap()
}

async fn start_unlimited(scenario: Scenario) -> RunningSim {
    start(SimConfig {
        scenario,
        rate_limit: 0,
        ..SimConfig::default()
    })
    .await
}

fn client(sim: &RunningSim) -> StreamClient {
    StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap()
}

/// Every row the pager returns, and the totals each page carried.
struct Paged {
    rows: Vec<ParticipantSessionDetails>,
    totals: HashSet<(Option<i64>, Option<i64>)>,
}

impl Paged {
    fn ids(&self) -> Vec<&str> {
        self.rows
            .iter()
            .map(|r| r.user_session_id.as_str())
            .collect()
    }

    fn id_set(&self) -> HashSet<&str> {
        self.ids().into_iter().collect()
    }

    fn assert_no_duplicates(&self) {
        assert_eq!(self.id_set().len(), self.rows.len(), "a row came twice");
    }
}

async fn page_all(
    client: &StreamClient,
    sim: &RunningSim,
    page_size: u32,
    filter_conditions: Option<Value>,
) -> Paged {
    let options = PagerOptions {
        page_size,
        filter_conditions,
        ..PagerOptions::default()
    };
    let mut pager =
        client.participant_session_pages(sim.call_type(), sim.call_id(), sim.session_id(), options);
    let mut paged = Paged {
        rows: Vec::new(),
        totals: HashSet::new(),
    };
    while let Some(page) = pager.next_page().await {
        let page = page.unwrap().body.decode().unwrap();
        paged.totals.insert((
            page.total_participant_sessions,
            page.total_participant_duration,
        ));
        paged.rows.extend(page.participants_sessions);
    }
    assert!(pager.stop_reason().unwrap().is_complete());
    paged
}

fn assert_whole_session(paged: &Paged) {
    paged.assert_no_duplicates();
    assert_eq!(paged.totals.len(), 1, "totals never change between pages");
    let (sessions, _) = *paged.totals.iter().next().unwrap();
    assert_eq!(sessions, Some(paged.rows.len() as i64));
}

#[tokio::test]
async fn paging_townhall_returns_every_session_once_at_25_and_100() {
    let sim = start_unlimited(Scenario::Townhall).await;
    let client = client(&sim);
    let by_100 = page_all(&client, &sim, 100, None).await;
    assert_whole_session(&by_100);
    assert_eq!(by_100.rows.len(), sim.initial_sessions());
    let by_25 = page_all(&client, &sim, 25, None).await;
    assert_whole_session(&by_25);
    assert_eq!(by_25.ids(), by_100.ids(), "same rows in the same order");
}

/// One row per request: on `small`, since `townhall` would take 5,000 requests.
#[tokio::test]
async fn paging_one_row_at_a_time_returns_every_session_once() {
    let sim = start_unlimited(Scenario::Small).await;
    let client = client(&sim);
    let by_1 = page_all(&client, &sim, 1, None).await;
    assert_whole_session(&by_1);
    assert_eq!(by_1.ids(), page_all(&client, &sim, 100, None).await.ids());
}

/// Reads one filterable field of a row.
type FieldOf = fn(&ParticipantSessionDetails) -> &str;

/// Two values of a field that several rows share, so that `$in` differs from `$eq`.
fn two_values(
    rows: &[ParticipantSessionDetails],
    field: fn(&ParticipantSessionDetails) -> &str,
) -> (String, String) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        *counts.entry(field(row)).or_default() += 1;
    }
    let mut values: Vec<(&str, usize)> = counts.into_iter().collect();
    values.sort_by_key(|&(value, n)| (std::cmp::Reverse(n), value));
    (
        values[0].0.to_owned(),
        values[values.len() - 1].0.to_owned(),
    )
}

fn ids_where(
    rows: &[ParticipantSessionDetails],
    keep: impl Fn(&ParticipantSessionDetails) -> bool,
) -> HashSet<&str> {
    rows.iter()
        .filter(|r| keep(r))
        .map(|r| r.user_session_id.as_str())
        .collect()
}

#[tokio::test]
async fn every_filter_field_returns_exactly_the_matching_rows_and_keeps_the_totals() {
    let sim = start_unlimited(Scenario::Townhall).await;
    let client = client(&sim);
    let all = page_all(&client, &sim, 100, None).await;
    let totals = all.totals.clone();
    let filtered = |conditions: Value| {
        let client = client.clone();
        let sim = &sim;
        let totals = totals.clone();
        async move {
            let paged = page_all(&client, sim, 100, Some(conditions.clone())).await;
            paged.assert_no_duplicates();
            assert_eq!(paged.totals, totals, "{conditions} changed the totals");
            paged
        }
    };
    let fields: [(&str, FieldOf); 3] = [
        ("user_id", |r| r.user_id.as_str()),
        ("publisher_type", |r| r.publisher_type.as_str()),
        ("session_id", |r| r.user_session_id.as_str()),
    ];
    for (field, value_of) in fields {
        let (one, two) = two_values(&all.rows, value_of);
        let eq = filtered(json!({field: {"$eq": one}})).await;
        assert_eq!(
            eq.id_set(),
            ids_where(&all.rows, |r| value_of(r) == one),
            "{field} $eq"
        );
        let within = filtered(json!({field: {"$in": [one, two]}})).await;
        let expected = ids_where(&all.rows, |r| value_of(r) == one || value_of(r) == two);
        assert_eq!(within.id_set(), expected, "{field} $in");
        assert!(within.rows.len() > eq.rows.len(), "{field} $in adds {two}");
    }

    let live = filtered(json!({"is_live": {"$eq": true}})).await;
    assert!(live.rows.is_empty(), "nobody is live in an ended session");
    let gone = filtered(json!({"is_live": {"$eq": false}})).await;
    assert_eq!(gone.id_set(), all.id_set());

    let tech = filtered(json!({"is_tech_user": {"$eq": true}})).await;
    let people = filtered(json!({"is_tech_user": {"$eq": false}})).await;
    assert!(!tech.rows.is_empty() && !people.rows.is_empty());
    assert!(tech.id_set().is_disjoint(&people.id_set()));
    assert_eq!(tech.rows.len() + people.rows.len(), all.rows.len());

    let mut each_track = HashSet::new();
    for track in ["audio", "video", "screenshare"] {
        let rows = filtered(json!({"published_tracks": {"$eq": track}})).await;
        assert!(!rows.rows.is_empty(), "{track}");
        each_track.extend(rows.rows.into_iter().map(|r| r.user_session_id));
    }
    let any =
        filtered(json!({"published_tracks": {"$in": ["audio", "video", "screenshare"]}})).await;
    let any: HashSet<String> = any.rows.into_iter().map(|r| r.user_session_id).collect();
    assert_eq!(any, each_track);
    assert!(any.len() < all.rows.len(), "viewers publish nothing");
}

async fn one_page(
    sim: &RunningSim,
    client: &StreamClient,
    session: &str,
    query: ParticipantSessionsQuery,
) -> ApiError {
    client
        .query_call_participant_sessions(sim.call_type(), sim.call_id(), session, &query)
        .await
        .expect_err("the sim refuses this request")
}

fn assert_stream_error(err: &ApiError, kind: ErrorKind, status: u16, code: i32) {
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(
        err.status(),
        Some(StatusCode::from_u16(status).unwrap()),
        "{err}"
    );
    assert_eq!(err.code(), Some(code), "{err}");
}

#[tokio::test]
async fn each_refusal_is_a_typed_error_with_streams_status_and_code() {
    let sim = start_unlimited(Scenario::Small).await;
    let good = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .retry_policy(RetryPolicy::NEVER)
        .build()
        .unwrap();
    let session = sim.session_id().to_owned();
    let first_page = ParticipantSessionsQuery {
        limit: Some(10),
        ..ParticipantSessionsQuery::default()
    };

    let bad_secret = StreamClient::new(&sim.base_url(), KEY, "wrong-secret").unwrap();
    let err = one_page(&sim, &bad_secret, &session, first_page.clone()).await;
    assert_stream_error(&err, ErrorKind::Auth, 401, 43);
    let bad_key = StreamClient::new(&sim.base_url(), "wrong-key", SECRET).unwrap();
    let err = one_page(&sim, &bad_key, &session, first_page.clone()).await;
    assert_stream_error(&err, ErrorKind::Auth, 401, 2);

    let too_big = ParticipantSessionsQuery {
        limit: Some(101),
        ..ParticipantSessionsQuery::default()
    };
    let err = one_page(&sim, &good, &session, too_big).await;
    assert_stream_error(&err, ErrorKind::Input, 400, 4);
    let unknown_field = ParticipantSessionsQuery {
        filter_conditions: Some(json!({"colour": {"$eq": "blue"}})),
        ..first_page.clone()
    };
    let err = one_page(&sim, &good, &session, unknown_field).await;
    assert_stream_error(&err, ErrorKind::Input, 400, 4);

    let page = good
        .query_call_participant_sessions(sim.call_type(), sim.call_id(), &session, &first_page)
        .await
        .unwrap()
        .body;
    let mut cursor = page.next.expect("a second page exists");
    cursor.replace_range(
        cursor.len() - 2..,
        if cursor.ends_with("AA") { "BB" } else { "AA" },
    );
    let tampered = ParticipantSessionsQuery {
        next: Some(cursor),
        ..first_page.clone()
    };
    let err = one_page(&sim, &good, &session, tampered).await;
    assert_stream_error(&err, ErrorKind::Input, 400, 4);

    let err = one_page(&sim, &good, "no-such-session", first_page).await;
    assert_stream_error(&err, ErrorKind::NotFound, 404, 16);
    assert!(!err.is_retryable());
}

/// Seconds into the current wall-clock minute, which is the sim's rate-limit window.
/// A short quota window keeps the wait short; the test starts at the top of a window so
/// that its pages cannot spread over two windows without meeting the quota.
const WINDOW: Duration = Duration::from_secs(4);

async fn at_the_start_of_a_window() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let into_window = Duration::from_nanos((now.as_nanos() % WINDOW.as_nanos()) as u64);
    tokio::time::sleep(WINDOW.saturating_sub(into_window)).await;
}

/// 10 requests per window and about 15 pages force exactly one wait.
#[tokio::test]
async fn over_the_quota_the_client_waits_for_the_next_window_and_completes() {
    at_the_start_of_a_window().await;
    let sim = start(SimConfig {
        scenario: Scenario::Small,
        rate_limit: 10,
        rate_window: WINDOW,
        ..SimConfig::default()
    })
    .await;
    let waits = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&waits);
    let client = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .on_retry(move |notice| recorded.lock().unwrap().push(notice.error.kind()))
        .build()
        .unwrap();
    let page_size = u32::try_from(sim.initial_sessions().div_ceil(15)).unwrap();
    let paged = page_all(&client, &sim, page_size, None).await;
    assert_whole_session(&paged);
    assert_eq!(paged.rows.len(), sim.initial_sessions());
    assert_eq!(*waits.lock().unwrap(), [ErrorKind::RateLimited]);
}

#[tokio::test]
async fn paging_a_live_session_loses_and_repeats_nothing() {
    let sim = start(SimConfig {
        live: true,
        speed: 120.0,
        lag: Duration::from_secs(1),
        rate_limit: 0,
        ..SimConfig::default()
    })
    .await;
    let client = client(&sim);
    let before = page_all(&client, &sim, 100, None).await;
    let during = page_all(&client, &sim, 7, None).await;
    during.assert_no_duplicates();
    let ids = during.id_set();
    let lost: Vec<&str> = before
        .ids()
        .into_iter()
        .filter(|id| !ids.contains(id))
        .collect();
    assert!(
        lost.is_empty(),
        "rows visible at the start were lost: {lost:?}"
    );
    assert!(
        during.rows.len() > before.rows.len(),
        "people joined while paging"
    );

    let open: Vec<&ParticipantSessionDetails> =
        during.rows.iter().filter(|r| r.left_at.is_none()).collect();
    assert!(!open.is_empty(), "people are still in the call");
    assert!(open.iter().all(|r| r.joined_at.is_some()));
}

#[tokio::test]
async fn timestamps_decode_as_nanoseconds_within_the_session() {
    let sim = start_unlimited(Scenario::Small).await;
    let client = client(&sim);
    let call = client
        .get_call(sim.call_type(), sim.call_id())
        .await
        .unwrap()
        .body;
    let session = call.call.session.expect("GetCall carries the session");
    let (start, end) = (session.started_at.unwrap(), session.ended_at.unwrap());
    let now_ns = jiff::Timestamp::now().as_nanosecond() as i64;
    assert!(start < end && end < now_ns, "an ended session in the past");
    let paged = page_all(&client, &sim, 100, None).await;
    for row in &paged.rows {
        let joined = row.joined_at.expect("every row has joined_at");
        let left = row.left_at.expect("an ended session has no open rows");
        assert!(start <= joined && joined <= left && left <= end, "{row:?}");
        let seconds = row
            .duration_in_seconds
            .expect("closed rows have a duration");
        assert_eq!(seconds, (left - joined) / 1_000_000_000, "{row:?}");
    }
}
