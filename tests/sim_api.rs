//! The sim over real loopback HTTP, as a Stream server SDK sees it: complete objects, paging,
//! filters, totals, auth, errors and rate limits.

mod sim_support;

use std::collections::HashSet;

use headcount::sim::{Scenario, SimConfig};
use serde_json::{Value, json};
use sim_support::*;

fn townhall() -> SimConfig {
    SimConfig::default()
}

#[tokio::test]
async fn get_call_carries_every_required_field() {
    let sim = start(townhall()).await;
    let answer = get(&sim, &call_path(&sim), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = &answer.body;
    assert_eq!(
        missing_required(body, "GetCallResponse"),
        Vec::<String>::new()
    );
    assert_eq!(
        body["call"]["cid"],
        json!(format!("default:{}", sim.call_id()))
    );
    assert_eq!(body["call"]["current_session_id"], json!(sim.session_id()));
    assert_eq!(body["call"]["session"]["id"], json!(sim.session_id()));
    assert!(body["call"]["session"]["ended_at"].is_i64());
    assert_eq!(
        body["members"].as_array().unwrap().len(),
        25,
        "the first 25 members, as members_limit defaults"
    );
    assert_eq!(body["own_capabilities"], json!([]));
    let duration = body["duration"].as_str().unwrap();
    assert!(duration.ends_with("ms"), "{duration}");
    assert!(
        body["call"]["created_at"].is_i64(),
        "timestamps are integer ns"
    );
}

#[tokio::test]
async fn participant_sessions_carry_every_required_field() {
    let sim = start(townhall()).await;
    let body = page(&sim, &[("limit", "100")]).await;
    assert_eq!(
        missing_required(&body, "QueryCallParticipantSessionsResponse"),
        Vec::<String>::new()
    );
    assert!(body["duration"].is_i64(), "duration is integer ms here");
    assert_eq!(body["call_session_id"], json!(sim.session_id()));
    assert_eq!(body["session"]["id"], json!(sim.session_id()));
    let rows = body["participants_sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 100);
    for row in rows {
        let joined = row["joined_at"].as_i64().unwrap();
        let left = row["left_at"].as_i64().unwrap();
        assert!(joined > 1_600_000_000_000_000_000, "Unix ns: {joined}");
        assert_eq!(
            row["duration_in_seconds"],
            json!((left - joined) / 1_000_000_000)
        );
    }
    assert_eq!(
        body["total_participant_sessions"],
        json!(sim.initial_sessions())
    );
}

#[tokio::test]
async fn paging_returns_every_row_once_at_any_page_size() {
    let sim = start_unlimited(townhall()).await;
    let first = page(&sim, &[]).await;
    let total = first["total_participant_sessions"].as_u64().unwrap() as usize;
    let total_duration = first["total_participant_duration"].as_i64().unwrap();
    assert!((4_500..=5_500).contains(&total), "{total}");
    for limit in [100, 25, 1] {
        let rows = all_rows(&sim, limit, &[]).await;
        assert_eq!(rows.len(), total, "limit {limit}");
        let unique: HashSet<String> = session_ids(&rows).into_iter().collect();
        assert_eq!(unique.len(), total, "limit {limit} repeated a row");
        let sum: i64 = rows
            .iter()
            .map(|r| r["duration_in_seconds"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, total_duration);
    }
}

#[tokio::test]
async fn absent_or_zero_limit_gives_a_page_of_25() {
    let sim = start(townhall()).await;
    for query in [vec![], vec![("limit", "0")]] {
        let body = page(&sim, &query).await;
        assert_eq!(body["participants_sessions"].as_array().unwrap().len(), 25);
        assert!(body["next"].is_string());
        assert!(body["prev"].is_null());
    }
}

#[tokio::test]
async fn prev_walks_back_over_the_same_pages() {
    let sim = start(townhall()).await;
    let first = page(&sim, &[("limit", "10")]).await;
    let second = page(
        &sim,
        &[("limit", "10"), ("next", first["next"].as_str().unwrap())],
    )
    .await;
    let back = page(
        &sim,
        &[("limit", "10"), ("prev", second["prev"].as_str().unwrap())],
    )
    .await;
    assert_eq!(
        back["participants_sessions"],
        first["participants_sessions"]
    );
    assert!(back["prev"].is_null());
    let again = page(
        &sim,
        &[("limit", "10"), ("next", back["next"].as_str().unwrap())],
    )
    .await;
    assert_eq!(
        again["participants_sessions"],
        second["participants_sessions"]
    );
}

#[tokio::test]
async fn the_last_page_has_no_next() {
    let sim = start(SimConfig {
        scenario: Scenario::Small,
        ..SimConfig::default()
    })
    .await;
    let body = page(&sim, &[("limit", "100")]).await;
    assert_eq!(
        body["participants_sessions"].as_array().unwrap().len(),
        sim.initial_sessions()
    );
    assert!(body["next"].is_null());
}

/// All rows matching `filter`, checking on every page that totals ignore the filter.
async fn filtered(sim: &Harness, filter: Value, totals: &Value) -> Vec<Value> {
    let text = filter.to_string();
    let rows = all_rows(sim, 100, &[("filter_conditions", &text)]).await;
    let body = page(sim, &[("filter_conditions", &text)]).await;
    assert_eq!(
        body["total_participant_sessions"],
        totals["total_participant_sessions"]
    );
    assert_eq!(
        body["total_participant_duration"],
        totals["total_participant_duration"]
    );
    rows
}

fn ids_where(rows: &[Value], keep: impl Fn(&Value) -> bool) -> HashSet<String> {
    session_ids(&rows.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>())
        .into_iter()
        .collect()
}

fn id_set(rows: &[Value]) -> HashSet<String> {
    session_ids(rows).into_iter().collect()
}

#[tokio::test]
async fn visible_fields_filter_exactly_with_eq_and_in() {
    let sim = start_unlimited(townhall()).await;
    let all = all_rows(&sim, 100, &[]).await;
    let totals = page(&sim, &[]).await;
    for field in ["user_id", "publisher_type", "user_session_id"] {
        let filter_field = if field == "user_session_id" {
            "session_id"
        } else {
            field
        };
        let mut values: Vec<String> = by_field(&all, field).into_keys().collect();
        values.sort();
        let (one, two) = (values[0].clone(), values[values.len() / 2].clone());
        let eq = filtered(&sim, json!({filter_field: {"$eq": one}}), &totals).await;
        assert_eq!(
            id_set(&eq),
            ids_where(&all, |r| r[field] == json!(one)),
            "{field} $eq"
        );
        let short = filtered(&sim, json!({filter_field: one}), &totals).await;
        assert_eq!(id_set(&short), id_set(&eq), "{field} short form");
        let within = filtered(&sim, json!({filter_field: {"$in": [one, two]}}), &totals).await;
        let expected = ids_where(&all, |r| r[field] == json!(one) || r[field] == json!(two));
        assert_eq!(id_set(&within), expected, "{field} $in");
    }
    let rtmp = filtered(&sim, json!({"publisher_type": "rtmp"}), &totals).await;
    assert!(!rtmp.is_empty());
    let ended_live = filtered(&sim, json!({"is_live": {"$eq": true}}), &totals).await;
    assert!(ended_live.is_empty(), "nobody is live in an ended session");
    let ended_gone = filtered(&sim, json!({"is_live": {"$eq": false}}), &totals).await;
    assert_eq!(ended_gone.len(), all.len());
}

#[tokio::test]
async fn hidden_attributes_filter_consistently() {
    let sim = start_unlimited(townhall()).await;
    let all = all_rows(&sim, 100, &[]).await;
    let totals = page(&sim, &[]).await;
    let tech = filtered(&sim, json!({"is_tech_user": {"$eq": true}}), &totals).await;
    let people = filtered(&sim, json!({"is_tech_user": false}), &totals).await;
    assert!(!tech.is_empty());
    assert!(
        tech.iter()
            .all(|r| r["user_id"].as_str().unwrap().ends_with("-bot"))
    );
    assert!(id_set(&tech).is_disjoint(&id_set(&people)));
    assert_eq!(tech.len() + people.len(), all.len());

    let mut union = HashSet::new();
    for track in ["audio", "video", "screenshare"] {
        let rows = filtered(&sim, json!({"published_tracks": {"$eq": track}}), &totals).await;
        assert!(!rows.is_empty(), "{track}");
        assert!(
            rows.iter().all(|r| r["roles"] != json!(["viewer"])),
            "viewers publish nothing"
        );
        union.extend(id_set(&rows));
    }
    let any = filtered(
        &sim,
        json!({"published_tracks": {"$in": ["audio", "video", "screenshare"]}}),
        &totals,
    )
    .await;
    assert_eq!(id_set(&any), union);
    let ingest = ids_where(&all, |r| r["publisher_type"] != json!("webrtc"));
    let video = filtered(&sim, json!({"published_tracks": "video"}), &totals).await;
    assert!(
        ingest.is_subset(&id_set(&video)),
        "ingest always publishes video"
    );
    let both = filtered(
        &sim,
        json!({"published_tracks": "video", "publisher_type": "rtmp"}),
        &totals,
    )
    .await;
    assert_eq!(
        id_set(&both),
        ids_where(&all, |r| r["publisher_type"] == json!("rtmp"))
    );
}

#[tokio::test]
async fn bad_credentials_are_refused_like_stream() {
    let sim = start(townhall()).await;
    let path = call_path(&sim);
    let wrong_secret = token("not-the-secret", json!({"server": true}));
    let answer = get_with(&sim, &path, &[("api_key", KEY)], Some(&wrong_secret)).await;
    assert_error(&answer, 401, 43);
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .starts_with("GetCall failed with error: \"")
    );

    let answer = get_with(&sim, &path, &[("api_key", "nope")], Some(&server_token())).await;
    assert_error(&answer, 401, 2);
    let answer = get_with(&sim, &path, &[], Some(&server_token())).await;
    assert_error(&answer, 401, 2);

    let answer = get_with(&sim, &path, &[("api_key", KEY)], None).await;
    assert_error(&answer, 401, 5);
    let answer = get_with(&sim, &path, &[("api_key", KEY)], Some("not.a.jwt")).await;
    assert_error(&answer, 401, 5);

    let expired = token(SECRET, json!({"server": true, "exp": 1_600_000_000}));
    let answer = get_with(&sim, &path, &[("api_key", KEY)], Some(&expired)).await;
    assert_error(&answer, 401, 40);
}

#[tokio::test]
async fn every_sdk_token_shape_is_accepted() {
    let sim = start(townhall()).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let tokens = [
        token(SECRET, json!({"server": true})),
        token(SECRET, json!({"server": true, "iat": now - 2})),
        token(SECRET, json!({})),
        format!("Bearer {}", server_token()),
    ];
    for token in tokens {
        let answer = get_with(&sim, &call_path(&sim), &[("api_key", KEY)], Some(&token)).await;
        assert_eq!(answer.status, 200, "{token}: {}", answer.body);
    }
}

#[tokio::test]
async fn bad_input_is_a_400_with_code_4_that_names_the_problem() {
    let sim = start(townhall()).await;
    let path = sessions_path(&sim);
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("limit", "101")], "limit"),
        (&[("limit", "ten")], "limit"),
        (&[("limit", "-1")], "limit"),
        (
            &[("filter_conditions", r#"{"roles":{"$eq":"host"}}"#)],
            "`roles`",
        ),
        (
            &[("filter_conditions", r#"{"user_id":{"$gt":"a"}}"#)],
            "`$gt`",
        ),
        (&[("filter_conditions", "{not json")], "JSON"),
        (&[("next", "00ff")], "next"),
    ];
    for (query, named) in cases {
        let answer = get(&sim, &path, query).await;
        assert_error(&answer, 400, 4);
        let message = answer.body["message"].as_str().unwrap();
        assert!(
            message.starts_with("QueryCallParticipantSessions failed with error: \""),
            "{message}"
        );
        assert!(message.contains(named), "{query:?}: {message}");
    }
}

#[tokio::test]
async fn a_tampered_cursor_is_refused() {
    let sim = start(townhall()).await;
    let first = page(&sim, &[]).await;
    let cursor = first["next"].as_str().unwrap();
    let mut tampered: Vec<char> = cursor.chars().collect();
    let at = tampered.len() / 3;
    tampered[at] = if tampered[at] == 'a' { 'b' } else { 'a' };
    let tampered: String = tampered.into_iter().collect();
    let answer = get(&sim, &sessions_path(&sim), &[("next", &tampered)]).await;
    assert_error(&answer, 400, 4);
    let answer = get(&sim, &sessions_path(&sim), &[("prev", cursor)]).await;
    assert_error(&answer, 400, 4);
}

#[tokio::test]
async fn unknown_calls_and_sessions_are_404_code_16() {
    let sim = start(townhall()).await;
    let unknown_session = format!(
        "{}/session/00000000-0000-4000-8000-000000000000/participant_sessions",
        call_path(&sim)
    );
    assert_error(&get(&sim, &unknown_session, &[]).await, 404, 16);
    assert_error(
        &get(&sim, "/api/v2/video/call/default/nope", &[]).await,
        404,
        16,
    );
    assert_error(
        &get(&sim, "/api/v2/video/call/livestream/townhall-2026", &[]).await,
        404,
        16,
    );
}

#[tokio::test]
async fn over_the_quota_is_a_429_with_retry_after() {
    let sim = start(SimConfig {
        rate_limit: 3,
        ..townhall()
    })
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = |answer: &Answer, name: &str| -> u64 {
        answer.headers[name].to_str().unwrap().parse().unwrap()
    };
    let mut remaining = Vec::new();
    let mut answers = Vec::new();
    for _ in 0..4 {
        let answer = get(&sim, &sessions_path(&sim), &[]).await;
        assert_eq!(header(&answer, "x-ratelimit-limit"), 3);
        let reset = header(&answer, "x-ratelimit-reset");
        assert!(
            reset > now && reset <= now + 61,
            "reset {reset} is the window end"
        );
        remaining.push(header(&answer, "x-ratelimit-remaining"));
        answers.push(answer);
    }
    // A window may roll over between requests; the quota then starts afresh.
    if remaining != [2, 1, 0, 0] {
        assert!(
            remaining.contains(&2) && remaining.iter().all(|r| *r <= 2),
            "{remaining:?}"
        );
        return;
    }
    let over = &answers[3];
    assert_error(over, 429, 9);
    let retry_after = header(over, "retry-after");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let other = get(&sim, &call_path(&sim), &[]).await;
    assert_eq!(other.status, 200, "quotas are per endpoint");
}

#[tokio::test]
async fn expired_sessions_keep_totals_but_no_rows() {
    let sim = start(SimConfig {
        scenario: Scenario::Expired,
        ..SimConfig::default()
    })
    .await;
    let body = page(&sim, &[("limit", "100")]).await;
    assert_eq!(body["participants_sessions"], json!([]));
    assert!(body["next"].is_null());
    assert!(body["total_participant_sessions"].as_u64().unwrap() > 0);
    assert!(body["total_participant_duration"].as_i64().unwrap() > 0);
    let ended_at = body["session"]["ended_at"].as_i64().unwrap();
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let days_ago = (now_ns - ended_at) / 86_400_000_000_000;
    assert!((119..=121).contains(&days_ago), "{days_ago}");
}

#[tokio::test]
async fn call_stats_summarise_the_session() {
    let sim = start(townhall()).await;
    let post = |body: Value| {
        sim.http
            .post(format!("{}/api/v2/video/call_stats", sim.base_url()))
            .query(&[("api_key", KEY)])
            .header("authorization", server_token())
            .header("stream-auth-type", "jwt")
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let cid = format!("default:{}", sim.call_id());
    let response = post(json!({"filter_conditions": {"call_cid": {"$eq": cid}}}))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        missing_required(&body, "QueryCallSessionStatsResponse"),
        Vec::<String>::new()
    );
    let counts = &body["call_stats"][0]["counts"];
    assert_eq!(counts["sessions"], json!(sim.initial_sessions()));
    assert_eq!(counts["live_sessions"], json!(0));
    assert!(
        counts["peak_concurrent_users"].as_u64().unwrap()
            <= counts["peak_concurrent_sessions"].as_u64().unwrap()
    );

    let response = post(json!({"filter_conditions": {"call_cid": "default:other"}}))
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["call_stats"], json!([]));

    let response = post(json!({"filter_conditions": {"colour": "red"}}))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

/// `--session-object`: the session object as real responses have been seen to show it.
#[tokio::test]
async fn the_session_object_can_be_without_times_null_or_absent() {
    use headcount::sim::SessionObject;
    let with = |session_object| SimConfig {
        scenario: Scenario::Small,
        session_object,
        ..SimConfig::default()
    };
    let no_times = start(with(SessionObject::NoTimes)).await;
    let call = get(&no_times, &call_path(&no_times), &[]).await.body;
    assert_eq!(call["call"]["session"]["id"], json!(no_times.session_id()));
    assert!(call["call"]["session"]["started_at"].is_null());
    assert!(call["call"]["session"]["ended_at"].is_null());
    assert!(call["call"]["ended_at"].is_i64(), "the call itself ended");
    assert!(page(&no_times, &[]).await["session"]["ended_at"].is_null());
    let null = start(with(SessionObject::Null)).await;
    let call = get(&null, &call_path(&null), &[]).await.body;
    assert_eq!(call["call"].as_object().unwrap()["session"], Value::Null);
    assert_eq!(
        page(&null, &[]).await.as_object().unwrap()["session"],
        Value::Null
    );
    let absent = start(with(SessionObject::Absent)).await;
    let call = get(&absent, &call_path(&absent), &[]).await.body;
    assert!(!call["call"].as_object().unwrap().contains_key("session"));
    assert!(
        !page(&absent, &[])
            .await
            .as_object()
            .unwrap()
            .contains_key("session")
    );
}

/// The README's scenario table gives each scenario's call id and the session count the sim
/// prints at its start (seed 1). `huge` (1,000,000) is left out to keep the suite fast.
#[tokio::test(flavor = "multi_thread")]
async fn the_readmes_scenario_table_gives_what_the_sim_serves() {
    let readme = include_str!("../README.md");
    let table: Vec<Vec<String>> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| scenario | call id | sessions"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect();
    let scenarios = [
        ("small", Scenario::Small),
        ("townhall", Scenario::Townhall),
        ("webinar", Scenario::Webinar),
        ("expired", Scenario::Expired),
        ("messy", Scenario::Messy),
        ("ring", Scenario::Ring),
    ];
    for (name, scenario) in scenarios {
        let row = table
            .iter()
            .find(|row| row[1] == name)
            .unwrap_or_else(|| panic!("{name} in the README's table: {table:?}"));
        let sim = start_unlimited(SimConfig {
            scenario,
            ..SimConfig::default()
        })
        .await;
        assert_eq!(row[2], sim.call_id(), "{name}");
        assert_eq!(
            row[3].replace(',', ""),
            sim.initial_sessions().to_string(),
            "{name}: the README says {}",
            row[3]
        );
    }
    assert!(
        table
            .iter()
            .any(|row| row[1] == "huge" && row[3] == "1,000,000")
    );
}

/// One page of 100 rows as the bytes on the wire, with or without `Accept-Encoding: gzip`.
async fn page_on_the_wire(sim: &Harness, gzip: bool) -> (Option<String>, Vec<u8>) {
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let mut request = raw
        .get(format!("{}{}", sim.base_url(), sessions_path(sim)))
        .query(&[("api_key", KEY), ("limit", "100")])
        .header("authorization", server_token())
        .header("stream-auth-type", "jwt");
    if gzip {
        request = request.header("accept-encoding", "gzip");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|value| value.to_str().unwrap().to_owned());
    (encoding, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_client_that_accepts_gzip_gets_the_same_page_in_a_quarter_of_the_bytes() {
    let sim = start(townhall()).await;
    let (plain_encoding, plain) = page_on_the_wire(&sim, false).await;
    let (gzip_encoding, compressed) = page_on_the_wire(&sim, true).await;
    assert_eq!(plain_encoding, None, "no gzip unless the client asks");
    assert_eq!(gzip_encoding.as_deref(), Some("gzip"));
    assert!(
        compressed.len() * 3 < plain.len(),
        "{} bytes gzipped against {} plain",
        compressed.len(),
        plain.len()
    );
    // A client that decompresses (reqwest's gzip, as headcount's) reads the very same page.
    let decoded = page(&sim, &[("limit", "100")]).await;
    let plain: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(
        decoded["participants_sessions"],
        plain["participants_sessions"]
    );
}

#[tokio::test]
async fn with_a_latency_every_answer_waits_at_least_that_long() {
    let latency = std::time::Duration::from_millis(150);
    let sim = start(SimConfig {
        scenario: Scenario::Small,
        network: headcount::sim::Network {
            latency,
            jitter: std::time::Duration::ZERO,
        },
        ..SimConfig::default()
    })
    .await;
    for path in [call_path(&sim), sessions_path(&sim)] {
        let asked = std::time::Instant::now();
        let answer = get(&sim, &path, &[]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(
            asked.elapsed() >= latency,
            "{path} answered before the latency"
        );
    }
    // An error answer pays the round trip too.
    let asked = std::time::Instant::now();
    let answer = get_with(&sim, &call_path(&sim), &[], None).await;
    assert_eq!(answer.status, 401);
    assert!(asked.elapsed() >= latency);
}
