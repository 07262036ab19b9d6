//! The call's members and ring outcomes over real loopback HTTP: `QueryCallMembers` (filters,
//! sort, paging with signed cursors, Stream's auth, errors and rate limits), `GetCall`'s
//! `members` and ring maps, and the client that reads them.

mod sim_support;

use std::collections::HashSet;
use std::time::Duration;

use headcount::api::members::{MembersQuery, read_members};
use headcount::api::{ErrorKind, RetryPolicy, StreamClient};
use headcount::attendance::RingKnowledge;
use headcount::sim::{Scenario, SimConfig};
use serde_json::{Value, json};
use sim_support::*;

const MEMBERS: &str = "/api/v2/video/call/members";

fn small() -> SimConfig {
    SimConfig {
        scenario: Scenario::Small,
        rate_limit: 0,
        ..SimConfig::default()
    }
}

fn ring() -> SimConfig {
    SimConfig {
        scenario: Scenario::Ring,
        earlier_sessions: 1,
        rate_limit: 0,
        ..SimConfig::default()
    }
}

/// A members query of the sim's call, with `extra` fields.
fn query(sim: &Harness, extra: Value) -> Value {
    let mut body = json!({"type": sim.call_type(), "id": sim.call_id()});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

/// One page; panics unless it is a 201 with every required field.
async fn members_page(sim: &Harness, body: Value) -> Value {
    let answer = post_json(sim, MEMBERS, &body, &server_token()).await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    assert_eq!(
        missing_required(&answer.body, "QueryCallMembersResponse"),
        Vec::<String>::new()
    );
    assert!(answer.body["duration"].as_str().unwrap().ends_with("ms"));
    answer.body
}

/// Every member, following `next`, `limit` at a time.
async fn every_member(sim: &Harness, extra: Value, limit: u32) -> Vec<Value> {
    let mut members = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut body = query(sim, extra.clone());
        body["limit"] = json!(limit);
        if let Some(cursor) = &next {
            body["next"] = json!(cursor);
        }
        let page = members_page(sim, body).await;
        let listed = page["members"].as_array().unwrap();
        assert!(listed.len() <= limit as usize);
        members.extend(listed.iter().cloned());
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => return members,
        }
    }
}

fn user_ids(members: &[Value]) -> Vec<String> {
    members
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn small_pages_list_every_member_once_in_the_order_they_were_added() {
    let sim = start(small()).await;
    let all = every_member(&sim, json!({}), 100).await;
    let paged = every_member(&sim, json!({}), 7).await;
    assert!(all.len() > 20, "{}", all.len());
    assert_eq!(user_ids(&paged), user_ids(&all));
    let unique: HashSet<String> = user_ids(&all).into_iter().collect();
    assert_eq!(unique.len(), all.len(), "no member twice");
    let added: Vec<i64> = all
        .iter()
        .map(|m| m["created_at"].as_i64().unwrap())
        .collect();
    assert!(added.windows(2).all(|w| w[0] <= w[1]), "created_at order");
    let member = &all[0];
    assert_eq!(member["user"]["id"], member["user_id"]);
    assert!(member["custom"]["team"].is_string());
    assert!(
        all.iter().any(|m| m["deleted_at"].is_i64()),
        "a removed member is listed"
    );
}

#[tokio::test]
async fn filters_and_sorts_pick_exactly_the_members_asked_for() {
    let sim = start(small()).await;
    let all = every_member(&sim, json!({}), 100).await;
    let hosts = every_member(
        &sim,
        json!({"filter_conditions": {"role": {"$eq": "host"}}}),
        100,
    )
    .await;
    let want: Vec<String> = all
        .iter()
        .filter(|m| m["role"] == "host")
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(user_ids(&hosts), want);

    let some: Vec<String> = user_ids(&all).into_iter().step_by(3).collect();
    let picked = every_member(
        &sim,
        json!({"filter_conditions": {"user_id": {"$in": some}}}),
        2,
    )
    .await;
    assert_eq!(user_ids(&picked), some);

    let by_id = every_member(
        &sim,
        json!({"sort": [{"field": "user_id", "direction": -1}]}),
        5,
    )
    .await;
    let mut descending = user_ids(&all);
    descending.sort_by(|a, b| b.cmp(a));
    assert_eq!(user_ids(&by_id), descending);
}

#[tokio::test]
async fn prev_walks_back_and_cursors_only_serve_their_own_query() {
    let sim = start(small()).await;
    let first = members_page(&sim, query(&sim, json!({"limit": 4}))).await;
    let next = first["next"].as_str().unwrap();
    let second = members_page(&sim, query(&sim, json!({"limit": 4, "next": next}))).await;
    let prev = second["prev"].as_str().unwrap();
    let back = members_page(&sim, query(&sim, json!({"limit": 4, "prev": prev}))).await;
    assert_eq!(back["members"], first["members"]);

    let other = query(
        &sim,
        json!({"limit": 4, "next": next, "sort": [{"field": "user_id"}]}),
    );
    assert_error(
        &post_json(&sim, MEMBERS, &other, &server_token()).await,
        400,
        4,
    );
    let tampered = query(
        &sim,
        json!({"next": format!("{}00", &next[..next.len() - 2])}),
    );
    assert_error(
        &post_json(&sim, MEMBERS, &tampered, &server_token()).await,
        400,
        4,
    );
}

#[tokio::test]
async fn bad_requests_unknown_calls_and_bad_secrets_are_refused_like_stream() {
    let sim = start(small()).await;
    let cases = [
        (query(&sim, json!({"limit": 101})), 400, 4),
        (json!({"id": sim.call_id()}), 400, 4),
        (
            query(&sim, json!({"filter_conditions": {"custom.team": "sales"}})),
            400,
            4,
        ),
        (json!({"type": "default", "id": "no-such-call"}), 404, 16),
    ];
    for (body, status, code) in cases {
        let answer = post_json(&sim, MEMBERS, &body, &server_token()).await;
        assert_error(&answer, status, code);
    }
    let wrong = token("not-the-secret", json!({"server": true}));
    let answer = post_json(&sim, MEMBERS, &query(&sim, json!({})), &wrong).await;
    assert_error(&answer, 401, 43);
}

#[tokio::test]
async fn get_call_embeds_at_most_members_limit_members() {
    let sim = start(small()).await;
    let all = every_member(&sim, json!({}), 100).await;
    for (limit, expected) in [("3", 3), ("100", all.len().min(100)), ("0", 25)] {
        let answer = get(&sim, &call_path(&sim), &[("members_limit", limit)]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(
            missing_required(&answer.body, "GetCallResponse"),
            Vec::<String>::new()
        );
        let members = answer.body["members"].as_array().unwrap();
        assert_eq!(members.len(), expected, "members_limit={limit}");
        assert_eq!(user_ids(members), user_ids(&all[..expected]));
    }
    let refused = get(&sim, &call_path(&sim), &[("members_limit", "101")]).await;
    assert_error(&refused, 400, 4);
}

#[tokio::test]
async fn the_client_reads_every_member_with_the_pager() {
    let sim = start(small()).await;
    let all = every_member(&sim, json!({}), 100).await;
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let read = read_members(&client, sim.call_type(), sim.call_id())
        .await
        .unwrap();
    assert!(read.stop.is_complete());
    let ids: Vec<String> = read.members.iter().map(|m| m.user_id.clone()).collect();
    assert_eq!(ids, user_ids(&all));
    let removed = read
        .members
        .iter()
        .find(|m| m.deleted_at.is_some())
        .unwrap();
    assert!(removed.created_at.unwrap() < removed.deleted_at.unwrap());

    let mut pager = client.call_member_pages(MembersQuery {
        limit: Some(10),
        ..MembersQuery::members_of(sim.call_type(), sim.call_id())
    });
    let mut paged = Vec::new();
    while let Some(page) = pager.next_page().await {
        paged.extend(page.unwrap().body.members.into_iter().map(|m| m.user_id));
    }
    assert_eq!(paged, ids);
    assert_eq!(pager.pages_read() as usize, ids.len().div_ceil(10));

    let err = read_members(&client, sim.call_type(), "no-such-call")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_rate_limited_members_page_is_retried_after_the_reset() {
    let sim = start(SimConfig {
        scenario: Scenario::Small,
        rate_limit: 2,
        rate_window: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await;
    let retries = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = std::sync::Arc::clone(&retries);
    let client = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(500),
            max_server_wait: Duration::from_secs(3),
        })
        .on_retry(move |notice| {
            assert_eq!(notice.operation, "QueryCallMembers");
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .build()
        .unwrap();
    let query = MembersQuery {
        limit: Some(10),
        ..MembersQuery::members_of(sim.call_type(), sim.call_id())
    };
    let mut pager = client.call_member_pages(query);
    let mut members = 0;
    while let Some(page) = pager.next_page().await {
        members += page.unwrap().body.members.len();
    }
    assert!(pager.stop_reason().unwrap().is_complete());
    assert!(members > 20);
    assert!(
        retries.load(std::sync::atomic::Ordering::Relaxed) >= 1,
        "a 429 was met"
    );
}

#[tokio::test]
async fn the_ring_scenario_reports_who_accepted_rejected_and_missed() {
    let sim = start(ring()).await;
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let call = client
        .get_call(sim.call_type(), sim.call_id())
        .await
        .unwrap()
        .body
        .call;
    let session = call.session.as_ref().unwrap();
    let (accepted, rejected, missed) = (
        session.accepted_by.clone().unwrap(),
        session.rejected_by.clone().unwrap(),
        session.missed_by.clone().unwrap(),
    );
    assert!(!accepted.is_empty() && !rejected.is_empty() && !missed.is_empty());
    let caller = call.created_by.as_ref().unwrap().id.clone();
    assert!(
        rejected.contains_key(&caller),
        "the caller's cancel reads as a rejection"
    );
    assert!(
        accepted
            .values()
            .chain(missed.values())
            .all(Option::is_some)
    );
    let members = read_members(&client, sim.call_type(), sim.call_id())
        .await
        .unwrap()
        .members;
    let ids: HashSet<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    for rung in accepted.keys().chain(rejected.keys()).chain(missed.keys()) {
        assert!(
            ids.contains(rung.as_str()),
            "{rung} was rung, so is a member"
        );
    }
    assert!(matches!(
        RingKnowledge::of(&call, sim.session_id()),
        RingKnowledge::Known { .. }
    ));
    let earlier = &sim.earlier_session_ids()[0];
    assert_eq!(
        RingKnowledge::of(&call, earlier),
        RingKnowledge::EarlierSession
    );
    // The earlier session's own session object carries empty ring maps: it never rang.
    let path = format!("{}/session/{earlier}/participant_sessions", call_path(&sim));
    let answer = get(&sim, &path, &[]).await;
    assert_eq!(answer.body["session"]["accepted_by"], json!({}));
    let current = page(&sim, &[]).await;
    assert_eq!(
        current["session"]["rejected_by"].as_object().unwrap().len(),
        rejected.len()
    );
}

#[tokio::test]
async fn a_live_call_lists_only_the_members_added_so_far() {
    let sim = start(SimConfig {
        live: true,
        ..small()
    })
    .await;
    let listed = every_member(&sim, json!({}), 100).await;
    let ended = start(small()).await;
    let all = every_member(&ended, json!({}), 100).await;
    assert!(
        listed.len() < all.len(),
        "members added later in the session are not listed yet: {} of {}",
        listed.len(),
        all.len()
    );
    assert_eq!(user_ids(&listed), user_ids(&all[..listed.len()]));
}

/// `--session-object`: however the session object looks, `GetCall` still lists the members
/// and the creator; the ring outcomes go where the session object goes (kept with its times
/// nulled, gone when it is `null` or absent), and then read as not reported.
#[tokio::test]
async fn ring_outcomes_follow_the_session_object_and_members_stay() {
    use headcount::sim::SessionObject;
    for (shown, ring_reported) in [
        (SessionObject::NoTimes, true),
        (SessionObject::Null, false),
        (SessionObject::Absent, false),
    ] {
        let sim = start(SimConfig {
            session_object: shown,
            ..ring()
        })
        .await;
        let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
        let body = client
            .get_call(sim.call_type(), sim.call_id())
            .await
            .unwrap()
            .body;
        assert!(!body.members.is_empty(), "{shown:?}");
        assert!(body.call.created_by.is_some(), "{shown:?}");
        let knowledge = RingKnowledge::of(&body.call, sim.session_id());
        assert_eq!(
            matches!(knowledge, RingKnowledge::Known { .. }),
            ring_reported,
            "{shown:?}: {knowledge:?}"
        );
        let page = page(&sim, &[]).await;
        assert_eq!(
            page.get("session")
                .and_then(|session| session.get("rejected_by"))
                .is_some_and(|rejected| !rejected.as_object().unwrap().is_empty()),
            ring_reported,
            "{shown:?}: the page's session object"
        );
    }
}
