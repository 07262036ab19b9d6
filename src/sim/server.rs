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
use jiff::fmt::rfc2822::DateTimePrinter;
use serde_json::{Map, Value, json};

use crate::api::timestamp::NANOS_PER_SEC;

use super::attendance::Attendance;
use super::auth::Authenticator;
use super::clock::{ScenarioClock, unix_now_ns, unix_now_secs};
use super::cursor::CursorSigner;
use super::endpoints;
use super::error::{ErrorCode, Refusal};
use super::history::EarlierSession;
use super::network::{self, Network};
use super::rate_limit::{Quota, RateLimiter};
use super::replay::Replay;
use super::roster::{Ring, ScenarioRoster};
use super::timeline::{Moment, Snapshot};
use super::wire::SessionObject;

/// The running sim's state, shared by every request.
pub(crate) struct Sim {
    /// The current (last) session of the call.
    pub(crate) call: Attendance,
    /// Ended sessions of the same call, the most recent first.
    pub(crate) earlier: Vec<EarlierSession>,
    pub(crate) api_key: String,
    /// Present while the scenario plays live.
    pub(crate) clock: Option<ScenarioClock>,
    pub(crate) lag_ns: i64,
    pub(crate) auth: Authenticator,
    /// Signs the current session's participant-session cursors.
    pub(crate) cursors: CursorSigner,
    pub(crate) stats_cursors: CursorSigner,
    pub(crate) member_cursors: CursorSigner,
    /// The call's members and the current session's ring outcomes.
    pub(crate) roster: ScenarioRoster,
    pub(crate) limiter: RateLimiter,
    /// Rows carry hostile text (see `hostile`).
    pub(crate) hostile_text: bool,
    /// `is_live` in `filter_conditions` is not honoured ([`super::SimConfig::ignore_is_live`]).
    pub(crate) ignore_is_live: bool,
    /// Serves one recorded session instead of the generated call (see `replay`).
    pub(crate) replay: Option<Replay>,
    /// The current session's participant sessions answer 404 until this instant (Unix ns)
    /// after the session ended, as Stream does while it prepares them.
    pub(crate) stats_delay_ns: i64,
    /// When the server started (Unix ns): an ended session ended before it, so its delay
    /// counts from here.
    pub(crate) started_ns: i64,
    /// How the `session` object is shown in GetCall and the pages.
    pub(crate) session_object: SessionObject,
}

impl Sim {
    /// Every session of the call as reported now, the current one first.
    pub(crate) fn sessions(&self) -> impl Iterator<Item = Snapshot<'_>> {
        let earlier = self
            .earlier
            .iter()
            .map(|session| Snapshot::new(&session.call, Moment::Ended));
        std::iter::once(self.snapshot()).chain(earlier)
    }

    /// The session with this id, and the signer of its cursors.
    pub(crate) fn session(&self, id: &str) -> Option<(Snapshot<'_>, &CursorSigner)> {
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

    /// Whether Stream would still be preparing the participant sessions of `session`: for
    /// `--stats-delay` after the current session ended (or after the server started, for a
    /// session that ended before).
    pub(crate) fn preparing(&self, session: &str) -> bool {
        if self.stats_delay_ns == 0 {
            return false;
        }
        let current = match &self.replay {
            Some(replay) => replay.session_id() == session,
            None => self.call.session_id.to_string() == session,
        };
        if !current {
            return false;
        }
        let since_end = match (&self.clock, &self.replay) {
            (Some(clock), None) => {
                let scenario = clock.now_ns() - self.call.ends_at;
                if scenario < 0 {
                    return false;
                }
                (scenario as f64 / clock.speed()) as i64
            }
            _ => unix_now_ns() - self.started_ns,
        };
        since_end < self.stats_delay_ns
    }

    /// The present of a live scenario (Unix ns), in whole seconds as the `Date` header of
    /// every response says it, so that nothing an answer reports is later than its `Date`.
    /// `None` when the scenario is not played live (the wall clock is the present).
    pub(crate) fn present(&self) -> Option<i64> {
        let now = self.clock.as_ref()?.now_ns();
        Some(now - now.rem_euclid(NANOS_PER_SEC))
    }

    /// The ring outcomes the session with this id reports: the current session's as they
    /// have happened by the present; earlier sessions never rang.
    pub(crate) fn ring_of(&self, snapshot: &Snapshot) -> Ring {
        if snapshot.call().session_id == self.call.session_id {
            self.roster.ring_until(self.present())
        } else {
            Ring::default()
        }
    }

    /// The call as reported right now.
    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        let moment = match self.present() {
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
pub(crate) enum Operation {
    GetCall,
    QueryCallParticipantSessions,
    QueryCallSessionStats,
    QueryCallMembers,
}

impl Operation {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::GetCall => "GetCall",
            Operation::QueryCallParticipantSessions => "QueryCallParticipantSessions",
            Operation::QueryCallSessionStats => "QueryCallSessionStats",
            Operation::QueryCallMembers => "QueryCallMembers",
        }
    }

    fn success(self) -> StatusCode {
        match self {
            Operation::QueryCallSessionStats | Operation::QueryCallMembers => StatusCode::CREATED,
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
pub(crate) type Params = HashMap<String, String>;

/// The sim's routes, behind the network it plays (`network`: delay, then gzip when asked).
pub(crate) fn router(sim: Arc<Sim>, network: Network) -> Router {
    let router = Router::new()
        .route("/api/v2/video/call/{type}/{id}", get(get_call))
        .route(
            "/api/v2/video/call/{type}/{id}/session/{session}/participant_sessions",
            get(participant_sessions),
        )
        .route("/api/v2/video/call_stats", post(call_stats))
        .route("/api/v2/video/call/members", post(call_members))
        .fallback(unknown_route)
        .with_state(sim)
        .layer(network::compression());
    if network.is_instant() {
        router
    } else {
        router.layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                network.delay_answer(request, next)
            },
        ))
    }
}

async fn get_call(
    State(sim): State<Arc<Sim>>,
    Path((call_type, call_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    respond(&sim, Operation::GetCall, &headers, &uri, |params| {
        match &sim.replay {
            Some(replay) => replay.get_call(&call_type, &call_id),
            None => endpoints::get_call(&sim, &call_type, &call_id, params),
        }
        .map(Reply::Object)
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
        |params| {
            if sim.preparing(&session) {
                return Err(Refusal::not_found(format!(
                    "the participant sessions of call session {session} are not ready yet"
                )));
            }
            match &sim.replay {
                Some(replay) => replay
                    .participant_sessions(&call_type, &call_id, &session, params)
                    .map(|page| Reply::Raw(page.to_owned())),
                None => {
                    endpoints::participant_sessions(&sim, &call_type, &call_id, &session, params)
                        .map(Reply::Object)
                }
            }
        },
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
        |_| {
            match &sim.replay {
                Some(replay) => replay.call_stats(&body),
                None => endpoints::call_stats(&sim, &body),
            }
            .map(Reply::Object)
        },
    )
}

async fn call_members(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    respond(&sim, Operation::QueryCallMembers, &headers, &uri, |_| {
        endpoints::call_members(&sim, &body).map(Reply::Object)
    })
}

/// A successful answer: an object the envelope completes with `duration`, or a recorded
/// body served exactly as it was recorded.
enum Reply {
    Object(Map<String, Value>),
    Raw(String),
}

async fn unknown_route(uri: Uri) -> Response {
    let error = Refusal::not_found(format!("no endpoint at {}", uri.path()));
    let body = error.body("Request", duration_text(Duration::ZERO));
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// Runs one request through Stream's envelope: count it against the endpoint's quota,
/// authenticate it, do the work, and answer with `duration` and the rate-limit headers. A
/// request line over 8 KiB is refused first, as the proxies in front of Stream do.
fn respond(
    sim: &Sim,
    operation: Operation,
    headers: &HeaderMap,
    uri: &Uri,
    work: impl FnOnce(&Params) -> Result<Reply, Refusal>,
) -> Response {
    let target = uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > crate::api::MAX_URL_BYTES {
        return uri_too_long();
    }
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
        Ok(Reply::Object(mut body)) => {
            body.insert("duration".into(), operation.duration(elapsed));
            (operation.success(), axum::Json(Value::Object(body))).into_response()
        }
        Ok(Reply::Raw(body)) => (
            operation.success(),
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(error) => {
            let body = error.body(operation.name(), duration_text(elapsed));
            (error.code.status(), axum::Json(body)).into_response()
        }
    };
    // Read after the work: the scenario clock only moves forward, so the `Date` is never
    // earlier than the present the answer describes.
    let present = sim.present();
    if let Some(quota) = quota {
        let reset = stated_reset(quota.reset, present);
        add_rate_limit_headers(response.headers_mut(), quota, reset, now_secs);
    }
    if let Some(present) = present {
        add_date_header(response.headers_mut(), present);
    }
    response
}

/// `X-RateLimit-Reset` on the clock of the answer's `Date`, as Stream states both: the windows
/// are counted on the wall clock, so with a live scenario's `Date` at its present (ahead of the
/// wall when sped up), the reset is that present plus the wall time left in the window. A
/// client that waits `Reset − Date` then waits as long as the window has left.
fn stated_reset(wall_reset: u64, present: Option<i64>) -> u64 {
    let Some(present) = present else {
        return wall_reset;
    };
    let left = wall_reset.saturating_sub(unix_now_secs());
    u64::try_from(present / NANOS_PER_SEC)
        .unwrap_or(0)
        .saturating_add(left)
}

/// `Date` (RFC 9110 §6.6.1) at the scenario's present, which a sped-up scenario runs ahead
/// of the wall clock; hyper adds the wall clock's `Date` to answers that have none.
fn add_date_header(headers: &mut HeaderMap, present: i64) {
    static PRINTER: DateTimePrinter = DateTimePrinter::new();
    let date = jiff::Timestamp::from_nanosecond(i128::from(present))
        .ok()
        .and_then(|at| PRINTER.timestamp_to_rfc9110_string(&at).ok())
        .and_then(|text| HeaderValue::from_str(&text).ok());
    if let Some(date) = date {
        headers.insert(header::DATE, date);
    }
}

/// What a load balancer answers to a request line it will not read: HTML, not Stream's JSON.
fn uri_too_long() -> Response {
    (
        StatusCode::URI_TOO_LONG,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><head><title>414 Request-URI Too Large</title></head>\
         <body><center><h1>414 Request-URI Too Large</h1></center></body></html>",
    )
        .into_response()
}

fn admit(quota: Option<Quota>) -> Result<(), Refusal> {
    match quota {
        Some(quota) if quota.exceeded => Err(Refusal::new(
            ErrorCode::RateLimit,
            "Too many requests, check response headers for more information.",
        )),
        _ => Ok(()),
    }
}

fn parse_params(uri: &Uri) -> Result<Params, Refusal> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|err| Refusal::input(format!("the query string is malformed: {err}")))?;
    Ok(pairs.into_iter().collect())
}

fn add_rate_limit_headers(headers: &mut HeaderMap, quota: Quota, reset: u64, now_secs: u64) {
    let mut set = |name: &'static str, value: u64| {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    };
    set("x-ratelimit-limit", u64::from(quota.limit));
    set("x-ratelimit-remaining", u64::from(quota.remaining));
    set("x-ratelimit-reset", reset);
    if quota.exceeded {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(quota.retry_after(now_secs)),
        );
    }
}
