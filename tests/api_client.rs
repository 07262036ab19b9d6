//! The Stream client against a scripted loopback server, for what `headcount sim` cannot
//! produce: server failures, rate limits, foreign error pages, broken bodies, hangs. Every test
//! also checks what the client sent, from the server's record of the requests.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use headcount::api::{
    ApiError, CLIENT_ID, ErrorKind, NetworkFailure, PagerOptions, RateLimit, RetryNotice,
    RetryPolicy, StopReason, StreamClient, StreamClientBuilder,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

const KEY: &str = "test-key";
const SECRET: &str = "test-secret-do-not-print";

/// Retries without real waits, so failures are retried as in production but quickly.
const QUICK_RETRIES: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base_delay: Duration::from_millis(1),
    max_delay: Duration::from_millis(10),
    max_server_wait: Duration::from_secs(2),
};

/// What the scripted server answers, in order.
#[derive(Clone)]
enum Reply {
    Json(StatusCode, Value),
    JsonWithHeaders(StatusCode, Vec<(&'static str, String)>, Value),
    Text(StatusCode, &'static str, String),
    Hang,
}

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Recorded {
    /// The path exactly as sent, still percent-escaped.
    raw_path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
}

impl Recorded {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
}

struct TestServer {
    url: String,
    script: Arc<Script>,
}

impl TestServer {
    async fn start(replies: Vec<Reply>) -> TestServer {
        let script = Arc::new(Script {
            replies: Mutex::new(replies.into()),
            requests: Mutex::default(),
        });
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestServer {
            url: format!("http://{addr}"),
            script,
        }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.script.requests.lock().unwrap().clone()
    }

    fn client(&self) -> StreamClientBuilder {
        StreamClient::builder(&self.url, KEY, SECRET).retry_policy(QUICK_RETRIES)
    }
}

async fn answer(State(script): State<Arc<Script>>, request: Request) -> Response {
    let uri = request.uri().clone();
    let Query(query) = Query::<Vec<(String, String)>>::try_from_uri(&uri).unwrap();
    script.requests.lock().unwrap().push(Recorded {
        raw_path: uri.path().to_string(),
        query,
        headers: request.headers().clone(),
    });
    let reply = script.replies.lock().unwrap().pop_front();
    match reply {
        Some(Reply::Json(status, body)) => (status, axum::Json(body)).into_response(),
        Some(Reply::JsonWithHeaders(status, headers, body)) => {
            let mut response = (status, axum::Json(body)).into_response();
            for (name, value) in headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        Some(Reply::Text(status, content_type, body)) => {
            (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
        }
        Some(Reply::Hang) => std::future::pending().await,
        None => (StatusCode::IM_A_TEAPOT, "no reply scripted").into_response(),
    }
}

fn call_body(id: &str) -> Value {
    json!({
        "call": {
            "type": "default", "id": id, "cid": format!("default:{id}"),
            "current_session_id": "sess-1",
            "created_at": 1_760_000_000_000_000_000_i64,
            "created_by": {"id": "host", "role": "admin"},
            "settings": {"audio": {"mic_default_on": true}}
        },
        "members": [],
        "own_capabilities": [],
        "duration": "1.02ms"
    })
}

fn page_body(rows: &[&str], next: Option<&str>) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|user| {
            json!({"user_id": user, "user_session_id": format!("{user}-1"),
                   "publisher_type": "webrtc", "roles": ["user"],
                   "joined_at": 1_760_000_000_000_000_000_i64})
        })
        .collect();
    json!({
        "call_type": "default", "call_id": "c", "call_session_id": "sess-1",
        "duration": 4, "total_participant_sessions": 5, "total_participant_duration": 600,
        "participants_sessions": rows, "next": next
    })
}

fn stream_error(status: u16, code: i32, message: &str) -> Value {
    json!({"code": code, "message": message, "StatusCode": status, "duration": "0.2ms",
           "more_info": "https://getstream.io/chat/docs/api_errors_response", "details": []})
}

fn rate_limit_headers(remaining: u32, reset: i64) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", "60".to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
    ]
}

fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Records every retry notice the client gives.
fn notices() -> (
    Arc<Mutex<Vec<RetryNotice>>>,
    impl Fn(&RetryNotice) + Send + Sync,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (seen, move |n: &RetryNotice| {
        sink.lock().unwrap().push(n.clone());
    })
}

#[tokio::test]
async fn sends_the_server_token_and_sdk_headers() {
    let reset = now_seconds() + 60;
    let server = TestServer::start(vec![Reply::JsonWithHeaders(
        StatusCode::OK,
        rate_limit_headers(59, reset),
        call_body("my-call"),
    )])
    .await;
    let client = server.client().build().unwrap();

    let response = client.get_call("default", "my-call").await.unwrap();

    assert_eq!(response.body.call.current_session_id, "sess-1");
    assert_eq!(
        response.rate_limit,
        Some(RateLimit {
            limit: 60,
            remaining: 59,
            reset
        })
    );
    let [sent] = server.requests().try_into().unwrap();
    assert_eq!(sent.raw_path, "/api/v2/video/call/default/my-call");
    assert_eq!(sent.query, [("api_key".to_string(), KEY.to_string())]);
    assert_eq!(sent.header("stream-auth-type"), Some("jwt"));
    assert_eq!(sent.header("x-stream-client"), Some(CLIENT_ID));
    assert!(CLIENT_ID.starts_with("headcount-"));
    // Pages shrink about four times when the server compresses; asking costs nothing if not.
    assert!(
        sent.header("accept-encoding")
            .is_some_and(|accepted| accepted.contains("gzip")),
        "{:?}",
        sent.header("accept-encoding")
    );

    let token = sent.header("authorization").unwrap();
    assert!(!token.starts_with("Bearer"), "{token}");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims, json!({"server": true}));
}

#[tokio::test]
async fn awkward_ids_cursors_and_filters_arrive_intact() {
    let server = TestServer::start(vec![Reply::Json(
        StatusCode::OK,
        page_body(&["alice"], None),
    )])
    .await;
    let client = server.client().build().unwrap();
    let filter = json!({"user_id": {"$in": ["alice", "bob smith"]}});
    let query = headcount::api::models::ParticipantSessionsQuery {
        limit: Some(25),
        next: Some("b64+cursor/with=padding".into()),
        prev: None,
        filter_conditions: Some(filter.clone()),
    };

    let page = client
        .query_call_participant_sessions("default", "team a/b?c", "s/1 2", &query)
        .await
        .unwrap();

    assert_eq!(page.body.participants_sessions[0].user_id, "alice");
    let [sent] = server.requests().try_into().unwrap();
    assert_eq!(
        sent.raw_path,
        "/api/v2/video/call/default/team%20a%2Fb%3Fc/session/s%2F1%202/participant_sessions"
    );
    assert_eq!(sent.param("api_key"), Some(KEY));
    assert_eq!(sent.param("limit"), Some("25"));
    assert_eq!(sent.param("next"), Some("b64+cursor/with=padding"));
    assert_eq!(sent.param("prev"), None);
    let sent_filter = sent.param("filter_conditions").unwrap();
    assert_eq!(sent_filter, r#"{"user_id":{"$in":["alice","bob smith"]}}"#);
    assert_eq!(serde_json::from_str::<Value>(sent_filter).unwrap(), filter);
}

#[tokio::test]
async fn a_503_is_retried_and_the_retry_announced() {
    let server = TestServer::start(vec![
        Reply::Json(
            StatusCode::SERVICE_UNAVAILABLE,
            stream_error(503, -1, "overloaded"),
        ),
        Reply::Json(StatusCode::OK, call_body("c")),
    ])
    .await;
    let (seen, observer) = notices();
    let client = server.client().on_retry(observer).build().unwrap();

    let response = client.get_call("default", "c").await.unwrap();

    assert_eq!(response.body.call.id, "c");
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].raw_path, sent[1].raw_path);
    assert_eq!(sent[0].query, sent[1].query);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].attempt, seen[0].max_attempts), (2, 4));
    assert!(
        seen[0]
            .to_string()
            .starts_with("Stream is having trouble (HTTP 503"),
        "{}",
        seen[0]
    );
}

#[tokio::test]
async fn a_429_waits_as_retry_after_says_then_succeeds() {
    let mut headers = rate_limit_headers(0, now_seconds() + 30);
    headers.push(("retry-after", "1".to_string()));
    let server = TestServer::start(vec![
        Reply::JsonWithHeaders(
            StatusCode::TOO_MANY_REQUESTS,
            headers,
            stream_error(429, 9, "Too many requests"),
        ),
        Reply::Json(StatusCode::OK, call_body("c")),
    ])
    .await;
    let (seen, observer) = notices();
    let client = server.client().on_retry(observer).build().unwrap();

    client.get_call("default", "c").await.unwrap();

    assert_eq!(server.requests().len(), 2);
    let seen = seen.lock().unwrap();
    let wait = seen[0].wait;
    // Retry-After (1 s) wins over the window reset (30 s) and over backoff (about 1 ms).
    assert!(
        wait > Duration::from_millis(500) && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    assert_eq!(seen[0].error.kind(), ErrorKind::RateLimited);
    assert!(
        seen[0]
            .to_string()
            .starts_with("rate limited by Stream, retrying in")
    );
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_cap_is_reported_not_slept_through() {
    let reset = now_seconds() + 45;
    let server = TestServer::start(vec![Reply::JsonWithHeaders(
        StatusCode::TOO_MANY_REQUESTS,
        rate_limit_headers(0, reset),
        stream_error(429, 9, "Too many requests"),
    )])
    .await;
    let client = server.client().build().unwrap();

    let err = client.get_call("default", "c").await.unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_at().map(jiff::Timestamp::as_second), Some(reset));
    assert_eq!(err.rate_limit().map(|r| r.remaining), Some(0));
    let until = jiff::Timestamp::from_second(reset)
        .unwrap()
        .strftime("%H:%M:%S");
    assert!(
        err.to_string().contains(&format!("until {until} UTC")),
        "{err}"
    );
}

#[tokio::test]
async fn an_html_502_page_still_gives_a_clear_error_after_capped_attempts() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let replies = vec![Reply::Text(StatusCode::BAD_GATEWAY, "text/html", page.to_string()); 5];
    let server = TestServer::start(replies).await;
    let client = server.client().build().unwrap();

    let err = client.get_call("default", "c").await.unwrap_err();

    assert_eq!(
        server.requests().len(),
        4,
        "default policy: 4 attempts in total"
    );
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(err.code(), None);
    let message = err.to_string();
    assert!(
        message.starts_with("Stream is having trouble (HTTP 502 Bad Gateway"),
        "{message}"
    );
    assert!(message.contains("502 Bad Gateway</title>"), "{message}");
    assert!(message.ends_with("try again later"), "{message}");
}

#[tokio::test]
async fn a_200_cut_short_or_not_json_is_retried_like_a_dropped_connection() {
    let cut = r#"{"call_type":"default","call_id":"c","call_session_id":"s","participants_sessions":[{"user_id":"#;
    let html = "<html><head><title>502 Bad Gateway</title></head></html>";
    for (content_type, body) in [("application/json", cut), ("text/html", html)] {
        let server = TestServer::start(vec![
            Reply::Text(StatusCode::OK, content_type, body.to_string()),
            Reply::Json(StatusCode::OK, page_body(&["a"], None)),
        ])
        .await;
        let client = server.client().build().unwrap();

        let page = client
            .query_call_participant_sessions(
                "default",
                "c",
                "s",
                &headcount::api::models::ParticipantSessionsQuery::default(),
            )
            .await
            .unwrap();

        assert_eq!(page.body.participants_sessions[0].user_id, "a");
        assert_eq!(server.requests().len(), 2, "{body}");
    }
}

#[tokio::test]
async fn a_200_of_the_wrong_shape_names_the_endpoint_and_is_not_retried() {
    let server = TestServer::start(vec![Reply::Text(
        StatusCode::OK,
        "application/json",
        r#"{"call_type":"default","call_id":"c","call_session_id":"s","participants_sessions":"none"}"#.to_string(),
    )])
    .await;
    let client = server.client().build().unwrap();

    let err = client
        .query_call_participant_sessions(
            "default",
            "c",
            "s",
            &headcount::api::models::ParticipantSessionsQuery::default(),
        )
        .await
        .unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(!err.is_retryable());
    let message = err.to_string();
    assert!(
        message.contains("QueryCallParticipantSessions"),
        "{message}"
    );
    assert!(message.contains("line 1 column"), "{message}");
}

#[tokio::test]
async fn an_unrecoverable_error_is_not_retried() {
    let mut body = stream_error(500, -1, "call data is corrupted");
    body["unrecoverable"] = json!(true);
    let server = TestServer::start(vec![
        Reply::Json(StatusCode::INTERNAL_SERVER_ERROR, body),
        Reply::Json(StatusCode::OK, call_body("c")),
    ])
    .await;
    let client = server.client().build().unwrap();

    let err = client.get_call("default", "c").await.unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.body().and_then(|b| b.unrecoverable), Some(true));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_wrong_secret_is_explained_and_not_retried() {
    let server = TestServer::start(vec![Reply::Json(
        StatusCode::UNAUTHORIZED,
        stream_error(401, 43, "JWTAuth error: token signature is invalid"),
    )])
    .await;
    let client = server.client().build().unwrap();

    let err = client.get_call("default", "c").await.unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some(43));
    assert!(err.to_string().contains("check STREAM_API_SECRET"), "{err}");
    let token = server.requests()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    let printed = format!("{err} {err:?} {client:?}");
    assert!(!printed.contains(SECRET), "{printed}");
    assert!(!printed.contains(&token), "{printed}");
}

#[tokio::test]
async fn a_missing_session_points_at_the_arguments() {
    let server = TestServer::start(vec![Reply::Json(
        StatusCode::NOT_FOUND,
        stream_error(404, 16, "call session not found"),
    )])
    .await;
    let client = server.client().build().unwrap();

    let err = client
        .query_call_participant_sessions(
            "default",
            "c",
            "nope",
            &headcount::api::models::ParticipantSessionsQuery::default(),
        )
        .await
        .unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(
        err.to_string().contains("check TYPE:ID and --session"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_refused_asks_whether_the_sim_runs() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}");
    let client = StreamClient::builder(&url, KEY, SECRET)
        .retry_policy(RetryPolicy::NEVER)
        .build()
        .unwrap();

    let err = client.get_call("default", "c").await.unwrap_err();

    let ApiError::Network(network) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(network.failure, NetworkFailure::Refused);
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(
        err.to_string().contains(&format!("cannot reach {url}")),
        "{err}"
    );
    assert!(
        err.to_string().contains("Is `headcount sim` running?"),
        "{err}"
    );
}

#[tokio::test]
async fn a_hanging_server_times_out_and_is_retried() {
    let server = TestServer::start(vec![Reply::Hang, Reply::Hang]).await;
    let timeout = Duration::from_millis(200);
    let client = server
        .client()
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            ..QUICK_RETRIES
        })
        .timeout(timeout)
        .build()
        .unwrap();

    let err = client.get_call("default", "c").await.unwrap_err();

    assert_eq!(server.requests().len(), 2);
    let ApiError::Network(network) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(network.failure, NetworkFailure::Timeout(timeout));
    assert!(
        err.to_string()
            .starts_with("no answer from http://127.0.0.1:"),
        "{err}"
    );
}

#[tokio::test]
async fn the_pager_reads_every_page_in_order_with_the_same_query() {
    let server = TestServer::start(vec![
        Reply::Json(StatusCode::OK, page_body(&["a", "b"], Some("c1"))),
        Reply::Json(StatusCode::OK, page_body(&["c", "d"], Some("c2"))),
        Reply::Json(StatusCode::OK, page_body(&["e"], None)),
    ])
    .await;
    let client = server.client().build().unwrap();
    let filter = json!({"publisher_type": "webrtc"});
    let options = PagerOptions {
        filter_conditions: Some(filter.clone()),
        ..PagerOptions::default()
    };
    let mut pager = client.participant_session_pages("default", "c", "sess-1", options);

    let mut users = Vec::new();
    while let Some(page) = pager.next_page().await {
        users.extend(
            page.unwrap()
                .body
                .decode()
                .unwrap()
                .participants_sessions
                .into_iter()
                .map(|r| r.user_id),
        );
    }

    assert_eq!(users, ["a", "b", "c", "d", "e"]);
    assert_eq!(pager.stop_reason(), Some(StopReason::LastPage));
    assert_eq!(pager.pages_read(), 3);
    let sent = server.requests();
    let cursors: Vec<_> = sent.iter().map(|r| r.param("next")).collect();
    assert_eq!(cursors, [None, Some("c1"), Some("c2")]);
    for request in &sent {
        assert_eq!(request.param("limit"), Some("100"));
        assert_eq!(
            request.param("filter_conditions"),
            Some(r#"{"publisher_type":"webrtc"}"#)
        );
    }
}

#[tokio::test]
async fn the_pager_retries_a_failed_page_from_its_cursor() {
    let server = TestServer::start(vec![
        Reply::Json(StatusCode::OK, page_body(&["a"], Some("c1"))),
        Reply::Json(StatusCode::BAD_GATEWAY, stream_error(502, -1, "upstream")),
        Reply::Json(StatusCode::OK, page_body(&["b"], None)),
    ])
    .await;
    let client = server.client().build().unwrap();
    let mut pager = client.participant_session_pages("default", "c", "s", PagerOptions::default());

    let mut pages = 0;
    while let Some(page) = pager.next_page().await {
        page.unwrap();
        pages += 1;
    }

    assert_eq!(pages, 2);
    let cursors: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.param("next").map(str::to_string))
        .collect();
    assert_eq!(cursors, [None, Some("c1".into()), Some("c1".into())]);
}

#[tokio::test]
async fn after_a_failed_page_the_pager_resumes_from_that_page() {
    let server = TestServer::start(vec![
        Reply::Json(StatusCode::OK, page_body(&["a"], Some("c1"))),
        Reply::Json(
            StatusCode::SERVICE_UNAVAILABLE,
            stream_error(503, -1, "busy"),
        ),
        Reply::Json(StatusCode::OK, page_body(&["b"], None)),
    ])
    .await;
    let client = server
        .client()
        .retry_policy(RetryPolicy::NEVER)
        .build()
        .unwrap();
    let mut pager = client.participant_session_pages("default", "c", "s", PagerOptions::default());

    pager.next_page().await.unwrap().unwrap();
    let err = pager.next_page().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    let last = pager.next_page().await.unwrap().unwrap();

    assert_eq!(
        last.body.decode().unwrap().participants_sessions[0].user_id,
        "b"
    );
    assert!(pager.next_page().await.is_none());
    let cursors: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.param("next").map(str::to_string))
        .collect();
    assert_eq!(cursors, [None, Some("c1".into()), Some("c1".into())]);
}

#[tokio::test]
async fn an_abandoned_next_page_loses_no_page_and_costs_no_request() {
    let server = TestServer::start(vec![
        Reply::Json(StatusCode::OK, page_body(&["a"], Some("c1"))),
        Reply::Json(StatusCode::OK, page_body(&["b"], None)),
        Reply::Json(StatusCode::OK, page_body(&["b"], None)),
    ])
    .await;
    let client = server.client().build().unwrap();
    let mut pager = client.participant_session_pages("default", "c", "s", PagerOptions::default());
    pager.next_page().await.unwrap().unwrap();

    // On this single-threaded runtime the prefetch has not run yet, so one poll cannot finish.
    assert!(pager.next_page().now_or_never().is_none());
    let second = pager.next_page().await.unwrap().unwrap();

    assert_eq!(
        second.body.decode().unwrap().participants_sessions[0].user_id,
        "b"
    );
    assert!(pager.next_page().await.is_none());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_pager_stops_when_stream_repeats_a_cursor() {
    let server = TestServer::start(vec![
        Reply::Json(StatusCode::OK, page_body(&["a"], Some("c1"))),
        Reply::Json(StatusCode::OK, page_body(&["b"], Some("c1"))),
        Reply::Json(StatusCode::OK, page_body(&["c"], None)),
    ])
    .await;
    let client = server.client().build().unwrap();
    let mut pager = client.participant_session_pages("default", "c", "s", PagerOptions::default());

    let mut pages = 0;
    while let Some(page) = pager.next_page().await {
        page.unwrap();
        pages += 1;
    }

    assert_eq!(pages, 2);
    assert_eq!(pager.stop_reason(), Some(StopReason::RepeatedCursor));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_session_stats_query_is_a_json_post_retried_like_a_read() {
    let stats = json!({
        "call_stats": [{"call_type": "default", "call_id": "c", "call_session_id": "sess-1",
                        "generated_at": 1_760_000_000_000_000_000_i64,
                        "counts": {"participants": 4, "sessions": 5, "live_sessions": 0,
                                   "publishers": 1, "peak_concurrent_users": 3,
                                   "peak_concurrent_sessions": 4, "sfus_used": 1}}],
        "duration": "0.8ms"
    });
    let server = TestServer::start(vec![
        Reply::Json(
            StatusCode::SERVICE_UNAVAILABLE,
            stream_error(503, -1, "overloaded"),
        ),
        Reply::Json(StatusCode::CREATED, stats),
    ])
    .await;
    let client = server.client().build().unwrap();
    let query = headcount::api::call_stats::SessionStatsQuery::sessions_of("default", "c");

    let response = client.query_call_session_stats(&query).await.unwrap();

    assert_eq!(response.body.call_stats[0].counts.peak_concurrent_users, 3);
    let sent = server.requests();
    assert_eq!(sent.len(), 2, "the 503 was retried");
    for request in &sent {
        assert_eq!(request.raw_path, "/api/v2/video/call_stats");
        assert_eq!(request.param("api_key"), Some(KEY));
        assert_eq!(request.header("content-type"), Some("application/json"));
    }
}
