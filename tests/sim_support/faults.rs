//! A fault layer in front of a sim: a small axum proxy that forwards every request to the sim
//! and, for the participant sessions of the pages it is told to, answers the way a real
//! server does on a bad day instead.
//!
//! Pages are told apart by the `next` cursor that asks for them: the proxy learns, from each
//! page it forwards, which cursor asks for the page after it. Each fault is served `times`
//! times for its page (then the real page), so that both a hiccup and a lasting fault can be
//! played.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One way a page can go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The page without its rows, but with its `next`.
    EmptyPageWithNext,
    /// The previous page's rows again, with this page's `next`.
    PreviousPageAgain,
    /// This page with the last rows of the previous page in front of its own.
    Overlap,
    /// The first half of the page's body, with a 200.
    TruncatedBody,
    /// A proxy's HTML page, with a 200.
    Html200,
    /// Stream refusing the page's cursor (an expired one): 400, code 4.
    RejectedCursor,
    /// No answer for longer than the client's timeout.
    Hang,
    /// 404, code 16, as Stream answers while it prepares a session that just ended.
    NotFound,
}

impl Fault {
    pub const ALL: [Fault; 8] = [
        Fault::EmptyPageWithNext,
        Fault::PreviousPageAgain,
        Fault::Overlap,
        Fault::TruncatedBody,
        Fault::Html200,
        Fault::RejectedCursor,
        Fault::Hang,
        Fault::NotFound,
    ];
}

/// Which fault, on which page (numbered from 1), how many times.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub fault: Fault,
    pub page: usize,
    pub times: usize,
}

/// How long a hanging answer waits: longer than any test client's timeout.
pub const HANG: Duration = Duration::from_secs(3);

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    plans: Vec<Plan>,
    state: Mutex<Walk>,
    /// 404 for every participant-sessions request until this instant.
    not_ready_until: Option<Instant>,
}

#[derive(Default)]
struct Walk {
    /// The cursor that asks for page n+1, learned from page n.
    page_of_cursor: HashMap<String, usize>,
    /// Each page's body, as the sim sent it.
    bodies: HashMap<usize, Value>,
    /// Faults served so far, by plan.
    served: HashMap<usize, usize>,
    /// Participant-sessions requests received.
    requests: usize,
}

/// A running proxy; dropping it stops it.
pub struct FaultProxy {
    addr: SocketAddr,
    proxy: Arc<Proxy>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy in front of `upstream` (a base URL) playing `plans`.
    pub async fn start(upstream: &str, plans: Vec<Plan>) -> FaultProxy {
        FaultProxy::start_with(upstream, plans, None).await
    }

    /// A proxy that also answers 404 to every participant-sessions request for `window`.
    pub async fn start_with(
        upstream: &str,
        plans: Vec<Plan>,
        not_ready: Option<Duration>,
    ) -> FaultProxy {
        let proxy = Arc::new(Proxy {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            plans,
            state: Mutex::new(Walk::default()),
            not_ready_until: not_ready.map(|window| Instant::now() + window),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&proxy));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FaultProxy { addr, proxy, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Participant-sessions requests received so far.
    pub fn requests(&self) -> usize {
        self.proxy.state.lock().unwrap().requests
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str())
        .to_owned();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let sessions = parts.uri.path().ends_with("/participant_sessions");
    if !sessions {
        return pass(&proxy, parts.method, &target, parts.headers, body).await;
    }
    if proxy
        .not_ready_until
        .is_some_and(|until| Instant::now() < until)
    {
        proxy.state.lock().unwrap().requests += 1;
        return stream_error(StatusCode::NOT_FOUND, 16, "call session not ready");
    }
    let cursor = query_param(&parts.uri, "next");
    let (page, fault) = {
        let mut walk = proxy.state.lock().unwrap();
        walk.requests += 1;
        let page = match &cursor {
            None => 1,
            Some(cursor) => walk.page_of_cursor.get(cursor).copied().unwrap_or(0),
        };
        let fault = proxy.plans.iter().enumerate().find_map(|(index, plan)| {
            let served = walk.served.entry(index).or_default();
            (plan.page == page && *served < plan.times).then(|| {
                *served += 1;
                plan.fault
            })
        });
        (page, fault)
    };
    let upstream = pass(&proxy, parts.method, &target, parts.headers, body).await;
    if upstream.status() != StatusCode::OK {
        return upstream;
    }
    let bytes = axum::body::to_bytes(upstream.into_body(), usize::MAX)
        .await
        .unwrap();
    let real: Value = serde_json::from_slice(&bytes).unwrap();
    {
        let mut walk = proxy.state.lock().unwrap();
        if let Some(next) = real["next"].as_str() {
            walk.page_of_cursor.insert(next.to_owned(), page + 1);
        }
        walk.bodies.insert(page, real.clone());
    }
    match fault {
        None => json_response(bytes),
        Some(fault) => faulty(&proxy, fault, page, real, bytes).await,
    }
}

/// The answer to `page` under `fault`.
async fn faulty(proxy: &Proxy, fault: Fault, page: usize, real: Value, bytes: Bytes) -> Response {
    let previous = proxy.state.lock().unwrap().bodies.get(&(page - 1)).cloned();
    match fault {
        Fault::EmptyPageWithNext => {
            let mut empty = real;
            empty["participants_sessions"] = json!([]);
            json_response(serde_json::to_vec(&empty).unwrap().into())
        }
        Fault::PreviousPageAgain => {
            let mut again = previous.expect("a page before this one");
            again["next"] = real["next"].clone();
            json_response(serde_json::to_vec(&again).unwrap().into())
        }
        Fault::Overlap => {
            let previous = previous.expect("a page before this one");
            let earlier = previous["participants_sessions"].as_array().unwrap();
            let mut rows: Vec<Value> = earlier[earlier.len().saturating_sub(13)..].to_vec();
            rows.extend(
                real["participants_sessions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned(),
            );
            let mut overlapping = real;
            overlapping["participants_sessions"] = Value::Array(rows);
            json_response(serde_json::to_vec(&overlapping).unwrap().into())
        }
        Fault::TruncatedBody => json_response(bytes.slice(..bytes.len() / 2)),
        Fault::Html200 => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>Please wait</h1>The service is restarting.</body></html>",
        )
            .into_response(),
        Fault::RejectedCursor => stream_error(
            StatusCode::BAD_REQUEST,
            4,
            "QueryCallParticipantSessions failed with error: \"next is not a valid cursor\"",
        ),
        Fault::Hang => {
            tokio::time::sleep(HANG).await;
            json_response(bytes)
        }
        Fault::NotFound => stream_error(StatusCode::NOT_FOUND, 16, "call session not ready"),
    }
}

async fn pass(
    proxy: &Proxy,
    method: axum::http::Method,
    target: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut request = proxy
        .http
        .request(method, format!("{}{target}", proxy.upstream))
        .body(body);
    for (name, value) in &headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    let answer = request.send().await.expect("the sim answers");
    let status = answer.status();
    let mut response = Response::builder().status(status);
    for (name, value) in answer.headers() {
        if name != header::CONTENT_LENGTH && name != header::TRANSFER_ENCODING {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.unwrap();
    response.body(Body::from(bytes)).unwrap()
}

fn json_response(bytes: Bytes) -> Response {
    let mut response = Response::new(Body::from(bytes));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn stream_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({
        "code": code, "message": message, "StatusCode": status.as_u16(),
        "duration": "0.10ms", "more_info": "", "details": [],
    });
    (status, axum::Json(body)).into_response()
}

fn query_param(uri: &axum::http::Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    url_pairs(query)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    let axum::extract::Query(pairs) = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{query}").parse().unwrap(),
    )
    .unwrap();
    pairs
}
