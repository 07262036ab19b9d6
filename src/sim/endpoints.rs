//! What each endpoint answers, once the request has been admitted and authenticated.

use serde_json::{Map, Value, json};

use crate::filter::conditions::Conditions;

use super::attendance::RowKey;
use super::cursor::{CursorError, CursorSigner, Direction};
use super::error::ApiError;
use super::hostile;
use super::server::{Params, Sim};
use super::stats;
use super::timeline::Anchor;
use super::wire::{self, CALL_TYPE};

/// The page size when `limit` is absent or 0.
pub const DEFAULT_LIMIT: usize = 25;
pub const MAX_LIMIT: usize = 100;

/// `GET /api/v2/video/call/{type}/{id}`.
pub fn get_call(sim: &Sim, call_type: &str, call_id: &str) -> Result<Map<String, Value>, ApiError> {
    find_call(sim, call_type, call_id)?;
    Ok(wire::get_call(
        &sim.snapshot(),
        &sim.api_key,
        sim.session_object,
    ))
}

/// `GET /api/v2/video/call/{type}/{id}/session/{session}/participant_sessions`.
pub fn participant_sessions(
    sim: &Sim,
    call_type: &str,
    call_id: &str,
    session: &str,
    params: &Params,
) -> Result<Map<String, Value>, ApiError> {
    find_call(sim, call_type, call_id)?;
    let Some((snapshot, cursors)) = sim.session(session) else {
        return Err(ApiError::not_found(format!(
            "call session {session} of call {call_type}:{call_id} does not exist"
        )));
    };
    let limit = limit(params)?;
    let filter = filter_conditions(params)?;
    let anchor = anchor(cursors, params)?;
    let page = snapshot.page(anchor, limit, &filter);
    let totals = snapshot.totals();
    let call = snapshot.call();
    let rows: Vec<Value> = page
        .rows
        .iter()
        .map(|&index| {
            let mut row = json!(snapshot.details(&call.rows[index]));
            if sim.hostile_text {
                hostile::disguise(&mut row);
            }
            row
        })
        .collect();
    let mut body = wire::object(json!({
        "call_type": CALL_TYPE,
        "call_id": call.call_id,
        "call_session_id": session,
        "total_participant_sessions": totals.sessions,
        "total_participant_duration": totals.duration_seconds,
        "participants_sessions": rows,
        "next": null,
        "prev": null,
    }));
    sim.session_object.insert(&mut body, "session", &snapshot);
    if let Some(key) = page.next {
        body.insert("next".into(), json!(cursors.encode(Direction::Next, key)));
    }
    if let Some(key) = page.prev {
        body.insert("prev".into(), json!(cursors.encode(Direction::Prev, key)));
    }
    Ok(body)
}

/// `POST /api/v2/video/call_stats`.
pub fn call_stats(sim: &Sim, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let request = stats::StatsRequest::parse(body)?;
    stats::respond(sim, &request)
}

fn find_call(sim: &Sim, call_type: &str, call_id: &str) -> Result<(), ApiError> {
    if call_type == CALL_TYPE && call_id == sim.call.call_id {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "Can't find call with id {call_type}:{call_id}"
        )))
    }
}

fn limit(params: &Params) -> Result<usize, ApiError> {
    let Some(text) = params.get("limit").filter(|text| !text.is_empty()) else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<usize>() {
        Ok(0) => Ok(DEFAULT_LIMIT),
        Ok(limit) if limit <= MAX_LIMIT => Ok(limit),
        Ok(_) => Err(ApiError::input(format!(
            "limit must be less than or equal to {MAX_LIMIT}, got {text}"
        ))),
        Err(_) => Err(ApiError::input(format!(
            "limit must be a number between 0 and {MAX_LIMIT}, got {text:?}"
        ))),
    }
}

fn filter_conditions(params: &Params) -> Result<Conditions, ApiError> {
    let Some(text) = params.get("filter_conditions").filter(|t| !t.is_empty()) else {
        return Ok(Conditions::default());
    };
    let value: Value = serde_json::from_str(text)
        .map_err(|err| ApiError::input(format!("filter_conditions is not valid JSON: {err}")))?;
    Conditions::parse(&value).map_err(|err| ApiError::input(err.0))
}

fn anchor(cursors: &CursorSigner, params: &Params) -> Result<Anchor, ApiError> {
    let cursor = |direction: Direction| {
        params
            .get(direction.param())
            .filter(|text| !text.is_empty())
            .map(|text| cursors.decode(direction, text).map(RowKey::from))
            .transpose()
            .map_err(|err: CursorError| ApiError::input(err.to_string()))
    };
    match (cursor(Direction::Next)?, cursor(Direction::Prev)?) {
        (Some(_), Some(_)) => Err(ApiError::input("next and prev cannot be used together")),
        (Some(key), None) => Ok(Anchor::After(key)),
        (None, Some(key)) => Ok(Anchor::Before(key)),
        (None, None) => Ok(Anchor::Start),
    }
}
