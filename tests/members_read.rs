//! Reading a call's members against a loopback server scripted by cursor, for the faults
//! `headcount sim` does not play: a page served again, a cursor rejected mid-read, a server
//! that keeps repeating itself, a 503. The answers depend only on the cursor asked for, so the
//! pager's prefetching cannot reorder them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use headcount::api::members::read_members;
use headcount::api::{RetryPolicy, StopReason, StreamClient};
use serde_json::{Value, json};

const KEY: &str = "test-key";
const SECRET: &str = "test-secret";

/// The answers for one cursor (`""`: the first page), in turn; the last one repeats.
type Script = HashMap<&'static str, Vec<(StatusCode, Value)>>;

#[derive(Default)]
struct Server {
    script: Mutex<Script>,
    /// Every request: its cursor, path, content type and body.
    asked: Mutex<Vec<(String, String, String, Value)>>,
}

async fn answer(
    State(server): State<Arc<Server>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let cursor = body["next"].as_str().unwrap_or_default().to_owned();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    server
        .asked
        .lock()
        .unwrap()
        .push((cursor.clone(), uri.path().to_owned(), content_type, body));
    let mut script = server.script.lock().unwrap();
    let Some(answers) = script.get_mut(cursor.as_str()) else {
        return (StatusCode::IM_A_TEAPOT, "no answer scripted").into_response();
    };
    let (status, body) = if answers.len() > 1 {
        answers.remove(0)
    } else {
        answers[0].clone()
    };
    (status, axum::Json(body)).into_response()
}

async fn serve(script: Script) -> (String, Arc<Server>) {
    let server = Arc::new(Server {
        script: Mutex::new(script),
        ..Server::default()
    });
    let app = Router::new()
        .fallback(answer)
        .with_state(Arc::clone(&server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, server)
}

fn client(url: &str) -> StreamClient {
    StreamClient::builder(url, KEY, SECRET)
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
            max_server_wait: Duration::from_secs(1),
        })
        .build()
        .unwrap()
}

/// A `QueryCallMembersResponse` listing `users`, with `next` when given.
fn page(users: &[&str], next: Option<&str>) -> (StatusCode, Value) {
    let members: Vec<Value> = users
        .iter()
        .map(|user| {
            json!({"user_id": user, "user": {"id": user}, "custom": {}, "role": "user",
                   "created_at": 1_760_000_000_000_000_000_i64,
                   "updated_at": 1_760_000_000_000_000_000_i64})
        })
        .collect();
    let mut body = json!({"members": members, "duration": "0.4ms"});
    if let Some(next) = next {
        body["next"] = json!(next);
    }
    (StatusCode::CREATED, body)
}

fn error(status: StatusCode, code: i32) -> (StatusCode, Value) {
    let body = json!({"code": code, "message": "QueryCallMembers failed", "StatusCode": status.as_u16(),
                      "duration": "0.1ms", "more_info": "", "details": []});
    (status, body)
}

fn ids(read: &headcount::api::members::MembersRead) -> Vec<&str> {
    read.members.iter().map(|m| m.user_id.as_str()).collect()
}

#[tokio::test]
async fn a_page_served_again_is_asked_for_once_more_and_nothing_is_lost() {
    let (url, server) = serve(Script::from([
        ("", vec![page(&["ana", "ben"], Some("c1"))]),
        (
            "c1",
            vec![
                page(&["ana", "ben"], Some("c2")),
                page(&["cy", "dee"], Some("c2")),
            ],
        ),
        ("c2", vec![page(&["eve"], None)]),
    ]))
    .await;
    let read = read_members(&client(&url), "default", "weekly")
        .await
        .unwrap();
    assert_eq!(ids(&read), ["ana", "ben", "cy", "dee", "eve"]);
    assert_eq!((read.stop, read.shortfall()), (StopReason::LastPage, None));
    assert_eq!(read.copies, 2);
    let asked = server.asked.lock().unwrap();
    let c1 = asked.iter().filter(|(cursor, ..)| cursor == "c1").count();
    assert_eq!(c1, 2, "the repeated page was asked for once more");
    for (_, path, content_type, body) in asked.iter() {
        assert_eq!(path, "/api/v2/video/call/members");
        assert_eq!(content_type, "application/json");
        assert_eq!(
            (&body["type"], &body["id"]),
            (&json!("default"), &json!("weekly"))
        );
        assert_eq!(body["limit"], json!(100));
    }
}

#[tokio::test]
async fn a_cursor_rejected_mid_read_starts_the_walk_over() {
    let (url, _) = serve(Script::from([
        ("", vec![page(&["ana", "ben"], Some("c1"))]),
        (
            "c1",
            vec![
                error(StatusCode::BAD_REQUEST, 4),
                page(&["cy", "dee"], None),
            ],
        ),
    ]))
    .await;
    let read = read_members(&client(&url), "default", "weekly")
        .await
        .unwrap();
    assert_eq!(ids(&read), ["ana", "ben", "cy", "dee"]);
    assert_eq!(read.stop, StopReason::LastPage);
    assert_eq!(
        read.copies, 2,
        "the first page was read twice, each member kept once"
    );
}

#[tokio::test]
async fn a_server_that_keeps_repeating_a_page_gives_an_incomplete_read() {
    let (url, _) = serve(Script::from([
        ("", vec![page(&["ana", "ben"], Some("c1"))]),
        ("c1", vec![page(&["ana", "ben"], Some("c2"))]),
    ]))
    .await;
    let read = read_members(&client(&url), "default", "weekly")
        .await
        .unwrap();
    assert_eq!(read.stop, StopReason::RepeatedPage);
    let why = read.shortfall().unwrap();
    assert!(
        why.contains("a page of rows already read") && why.contains("2 members read"),
        "{why}"
    );
    assert_eq!(ids(&read), ["ana", "ben"]);
}

#[tokio::test]
async fn a_503_is_retried_and_a_call_without_members_is_a_complete_empty_read() {
    let (url, server) = serve(Script::from([(
        "",
        vec![error(StatusCode::SERVICE_UNAVAILABLE, -1), page(&[], None)],
    )]))
    .await;
    let read = read_members(&client(&url), "default", "weekly")
        .await
        .unwrap();
    assert!(read.members.is_empty());
    assert_eq!(read.stop, StopReason::LastPage);
    assert_eq!(server.asked.lock().unwrap().len(), 2, "the 503 was retried");
}

#[tokio::test]
async fn other_errors_end_the_read_with_their_message() {
    let (url, _) = serve(Script::from([(
        "",
        vec![error(StatusCode::UNAUTHORIZED, 43)],
    )]))
    .await;
    let err = read_members(&client(&url), "default", "weekly")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), headcount::api::ErrorKind::Auth);
}
