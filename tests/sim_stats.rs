//! `QueryCallSessionStats` on a call with several sessions, over real loopback HTTP: filters,
//! sort, paging with signed cursors, Stream's auth and errors, and the client that reads it.

mod sim_support;

use headcount::api::StreamClient;
use headcount::api::call_stats::{SessionStatsQuery, SortParam};
use headcount::sim::{Scenario, SimConfig};
use serde_json::{Value, json};
use sim_support::*;

const EARLIER: usize = 4;

fn weekly() -> SimConfig {
    SimConfig {
        scenario: Scenario::Small,
        earlier_sessions: EARLIER,
        rate_limit: 0,
        ..SimConfig::default()
    }
}

/// Sends a `QueryCallSessionStats` body as the server SDKs do.
async fn post_with(sim: &Harness, body: Value, authorization: &str) -> Answer {
    post_json(sim, "/api/v2/video/call_stats", &body, authorization).await
}

/// One page; panics unless it is a 201 with every required field.
async fn post(sim: &Harness, body: Value) -> Value {
    let answer = post_with(sim, body, &server_token()).await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    assert_eq!(
        missing_required(&answer.body, "QueryCallSessionStatsResponse"),
        Vec::<String>::new()
    );
    answer.body
}

fn ids(page: &Value) -> Vec<String> {
    page["call_stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["call_session_id"].as_str().unwrap().to_owned())
        .collect()
}

fn newest_first(sim: &Harness) -> Vec<String> {
    std::iter::once(sim.session_id().to_owned())
        .chain(sim.earlier_session_ids().iter().cloned())
        .collect()
}

fn cid(sim: &Harness) -> String {
    format!("{}:{}", sim.call_type(), sim.call_id())
}

#[tokio::test]
async fn small_pages_list_every_session_once_newest_first() {
    let sim = start(weekly()).await;
    let filter = json!({"call_cid": {"$eq": cid(&sim)}});
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut body = json!({"filter_conditions": filter, "limit": 2});
        if let Some(cursor) = &next {
            body["next"] = json!(cursor);
        }
        let page = post(&sim, body).await;
        seen.extend(ids(&page));
        next = page["next"].as_str().map(str::to_owned);
        pages.push(page);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(seen, newest_first(&sim));
    assert_eq!(pages.len(), 3);
    assert!(pages[0]["prev"].is_null());
    let back = json!({"filter_conditions": filter, "limit": 2, "prev": pages[1]["prev"]});
    assert_eq!(ids(&post(&sim, back).await), ids(&pages[0]));
}

#[tokio::test]
async fn sort_orders_by_start_or_end_either_way() {
    let sim = start(weekly()).await;
    let sorted = |field: &str, direction: i32| json!({"sort": [{"field": field, "direction": direction}], "limit": 100});
    let mut oldest_first = newest_first(&sim);
    oldest_first.reverse();
    assert_eq!(
        ids(&post(&sim, sorted("session_started_at", 1)).await),
        oldest_first
    );
    assert_eq!(
        ids(&post(&sim, sorted("session_ended_at", -1)).await),
        newest_first(&sim)
    );
    assert_eq!(ids(&post(&sim, json!({})).await), newest_first(&sim));
    let refused = post_with(&sim, sorted("colour", 1), &server_token()).await;
    assert_error(&refused, 400, 4);
}

#[tokio::test]
async fn filters_pick_one_session_or_by_activity() {
    let sim = start(weekly()).await;
    let earlier = &sim.earlier_session_ids()[1];
    let one = post(
        &sim,
        json!({"filter_conditions": {"call_session_id": earlier}}),
    )
    .await;
    assert_eq!(ids(&one), std::slice::from_ref(earlier));
    let row = &one["call_stats"][0];
    assert!(row["call_ended_at"].as_i64().unwrap() > row["call_started_at"].as_i64().unwrap());
    assert!(row["counts"]["sessions"].as_u64().unwrap() < sim.initial_sessions() as u64);
    let active = post(&sim, json!({"filter_conditions": {"is_active": true}})).await;
    assert_eq!(ids(&active), Vec::<String>::new());
    let other = post(
        &sim,
        json!({"filter_conditions": {"call_cid": "default:other"}}),
    )
    .await;
    assert_eq!(ids(&other), Vec::<String>::new());
}

#[tokio::test]
async fn a_cursor_only_serves_the_query_that_issued_it() {
    let sim = start(weekly()).await;
    let first = post(&sim, json!({"limit": 2})).await;
    let cursor = first["next"].as_str().unwrap();
    let other_sort = json!({"limit": 2, "next": cursor, "sort": [{"field": "session_started_at"}]});
    assert_error(&post_with(&sim, other_sort, &server_token()).await, 400, 4);
    let mut edited = cursor.to_owned();
    edited.replace_range(0..1, if cursor.starts_with('0') { "1" } else { "0" });
    let tampered = json!({"limit": 2, "next": edited});
    assert_error(&post_with(&sim, tampered, &server_token()).await, 400, 4);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_like_every_endpoint() {
    let sim = start(weekly()).await;
    let wrong = token("not-the-secret", json!({"server": true}));
    let answer = post_with(&sim, json!({}), &wrong).await;
    assert_error(&answer, 401, 43);
    let message = answer.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("QueryCallSessionStats failed with error: \""),
        "{message}"
    );
}

#[tokio::test]
async fn earlier_sessions_serve_their_own_participant_sessions() {
    let sim = start(weekly()).await;
    let earlier = &sim.earlier_session_ids()[0];
    let path = format!("{}/session/{earlier}/participant_sessions", call_path(&sim));
    let first = get(&sim, &path, &[("limit", "10")]).await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.body);
    assert_eq!(first.body["call_session_id"], json!(earlier));
    let next = first.body["next"].as_str().unwrap();
    let second = get(&sim, &path, &[("limit", "10"), ("next", next)]).await;
    assert_eq!(second.status.as_u16(), 200, "{}", second.body);
    // A cursor of one session is refused by another.
    let current = get(&sim, &sessions_path(&sim), &[("next", next)]).await;
    assert_error(&current, 400, 4);
    let call = get(&sim, &call_path(&sim), &[]).await;
    assert_eq!(
        call.body["call"]["current_session_id"],
        json!(sim.session_id())
    );
}

#[tokio::test]
async fn the_client_reads_every_page_of_the_sessions() {
    let sim = start(weekly()).await;
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let query = SessionStatsQuery {
        limit: Some(2),
        ..SessionStatsQuery::sessions_of(sim.call_type(), sim.call_id())
    };
    let mut pager = client.session_stats_pages(query);
    let mut seen = Vec::new();
    while let Some(page) = pager.next_page().await {
        let page = page.unwrap();
        seen.extend(
            page.body
                .call_stats
                .into_iter()
                .map(|row| row.call_session_id),
        );
    }
    assert_eq!(seen, newest_first(&sim));
    assert_eq!(pager.pages_read(), 3);
    assert!(pager.stop_reason().unwrap().is_complete());

    let oldest_first = SessionStatsQuery {
        sort: vec![SortParam {
            field: "session_started_at".into(),
            direction: 1,
        }],
        ..SessionStatsQuery::default()
    };
    let page = client
        .query_call_session_stats(&oldest_first)
        .await
        .unwrap();
    let first = &page.body.call_stats[0];
    assert_eq!(
        &first.call_session_id,
        sim.earlier_session_ids().last().unwrap()
    );
    assert!(first.counts.sessions > 0 && first.counts.peak_concurrent_users > 0);
    assert!(first.call_ended_at.is_some());
}
