//! The HTTP side: routes, and the envelope every endpoint shares (rate limit, auth, error
//! bodies, `duration`, `X-RateLimit-*` headers).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::attendance::Attendance;
use super::auth::Authenticator;
use super::clock::{ScenarioClock, unix_now_secs};
use super::cursor::CursorSigner;
use super::endpoints;
use super::error::{ApiError, ErrorCode};
use super::history::EarlierSession;
use super::rate_limit::{Quota, RateLimiter};
use super::timeline::{Moment, Snapshot};

/// The running sim's state, shared by every request.
pub struct Sim {
    /// The current (last) session of the call.
    pub call: Attendance,
    /// Ended sessions of the same call, the most recent first.
    pub earlier: Vec<EarlierSession>,
    pub api_key: String,
    /// Present while the scenario plays live.
    pub clock: Option<ScenarioClock>,
    pub lag_ns: i64,
    pub auth: Authenticator,
    /// Signs the current session's participant-session cursors.
    pub cursors: CursorSigner,
    pub stats_cursors: CursorSigner,
    pub limiter: RateLimiter,
    /// Rows carry hostile text (see `hostile`).
    pub hostile_text: bool,
}

impl Sim {
    /// Every session of the call as reported now, the current one first.
    pub fn sessions(&self) -> impl Iterator<Item = Snapshot<'_>> {
        let earlier = self
            .earlier
            .iter()
            .map(|session| Snapshot::new(&session.call, Moment::Ended));
        std::iter::once(self.snapshot()).chain(earlier)
    }

    /// The session with this id, and the signer of its cursors.
    pub fn session(&self, id: &str) -> Option<(Snapshot<'_>, &CursorSigner)> {
        if self.call.session_id.to_string() == id {
            return Some((self.snapshot(), &self.cursors));
        }
        self.earlier
            .iter()
            .find(|session| session.call.session_id.to_string() == id)
            .map(|session| {
                (
                    Snapshot::new(&session.call, Moment::Ended),
                    &session.cursors,
                )
            })
    }

    /// The call as reported right now.
    pub fn snapshot(&self) -> Snapshot<'_> {
        let now = self.clock.map(|clock| clock.now_ns());
        let moment = match now {
            Some(now) if now < self.call.ends_at => Moment::Live {
                reported_until: now.saturating_sub(self.lag_ns),
            },
            _ => Moment::Ended,
        };
        Snapshot::new(&self.call, moment)
    }
}

/// The operations the sim serves, named as Stream's operationIds (used in error messages and
/// as rate-limit buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetCall,
    QueryCallParticipantSessions,
    QueryCallSessionStats,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::GetCall => "GetCall",
            Operation::QueryCallParticipantSessions => "QueryCallParticipantSessions",
            Operation::QueryCallSessionStats => "QueryCallSessionStats",
        }
    }

    fn success(self) -> StatusCode {
        match self {
            Operation::QueryCallSessionStats => StatusCode::CREATED,
            _ => StatusCode::OK,
        }
    }

    /// This endpoint alone reports `duration` as integer milliseconds; every other response
    /// (errors included) uses a string such as `"0.42ms"`.
    fn duration(self, elapsed: Duration) -> Value {
        match self {
            Operation::QueryCallParticipantSessions => json!(elapsed.as_millis() as i64),
            _ => json!(duration_text(elapsed)),
        }
    }
}

fn duration_text(elapsed: Duration) -> String {
    format!("{:.2}ms", elapsed.as_secs_f64() * 1000.0)
}

/// The query string as name → value (the last one wins, as in Stream's Go handlers).
pub type Params = HashMap<String, String>;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/api/v2/video/call/{type}/{id}", get(get_call))
        .route(
            "/api/v2/video/call/{type}/{id}/session/{session}/participant_sessions",
            get(participant_sessions),
        )
        .route("/api/v2/video/call_stats", post(call_stats))
        .fallback(unknown_route)
        .with_state(sim)
}

async fn get_call(
    State(sim): State<Arc<Sim>>,
    Path((call_type, call_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    respond(&sim, Operation::GetCall, &headers, &uri, |_| {
        endpoints::get_call(&sim, &call_type, &call_id)
    })
}

async fn participant_sessions(
    State(sim): State<Arc<Sim>>,
    Path((call_type, call_id, session)): Path<(String, String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    respond(
        &sim,
        Operation::QueryCallParticipantSessions,
        &headers,
        &uri,
        |params| endpoints::participant_sessions(&sim, &call_type, &call_id, &session, params),
    )
}

async fn call_stats(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    respond(
        &sim,
        Operation::QueryCallSessionStats,
        &headers,
        &uri,
        |_| endpoints::call_stats(&sim, &body),
    )
}

async fn unknown_route(uri: Uri) -> Response {
    let error = ApiError::not_found(format!("no endpoint at {}", uri.path()));
    let body = error.body("Request", duration_text(Duration::ZERO));
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// Runs one request through Stream's envelope: count it against the endpoint's quota,
/// authenticate it, do the work, and answer with `duration` and the rate-limit headers.
fn respond(
    sim: &Sim,
    operation: Operation,
    headers: &HeaderMap,
    uri: &Uri,
    work: impl FnOnce(&Params) -> Result<Map<String, Value>, ApiError>,
) -> Response {
    let started = Instant::now();
    let now_secs = unix_now_secs();
    let quota = sim.limiter.take(operation.name(), now_secs);
    let outcome = admit(quota)
        .and_then(|()| parse_params(uri))
        .and_then(|params| {
            sim.auth
                .check(params.get("api_key").map(String::as_str), headers)?;
            work(&params)
        });
    let elapsed = started.elapsed();
    let mut response = match outcome {
        Ok(mut body) => {
            body.insert("duration".into(), operation.duration(elapsed));
            (operation.success(), axum::Json(Value::Object(body))).into_response()
        }
        Err(error) => {
            let body = error.body(operation.name(), duration_text(elapsed));
            (error.code.status(), axum::Json(body)).into_response()
        }
    };
    if let Some(quota) = quota {
        add_rate_limit_headers(response.headers_mut(), quota, now_secs);
    }
    response
}

fn admit(quota: Option<Quota>) -> Result<(), ApiError> {
    match quota {
        Some(quota) if quota.exceeded => Err(ApiError::new(
            ErrorCode::RateLimit,
            "Too many requests, check response headers for more information.",
        )),
        _ => Ok(()),
    }
}

fn parse_params(uri: &Uri) -> Result<Params, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|err| ApiError::input(format!("the query string is malformed: {err}")))?;
    Ok(pairs.into_iter().collect())
}

fn add_rate_limit_headers(headers: &mut HeaderMap, quota: Quota, now_secs: u64) {
    let mut set = |name: &'static str, value: u64| {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    };
    set("x-ratelimit-limit", u64::from(quota.limit));
    set("x-ratelimit-remaining", u64::from(quota.remaining));
    set("x-ratelimit-reset", quota.reset);
    if quota.exceeded {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(quota.retry_after(now_secs)),
        );
    }
}
