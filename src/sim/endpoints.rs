//! What each endpoint answers, once the request has been admitted and authenticated.

use serde_json::{Map, Value, json};

use crate::filter::conditions::{ConditionField, Conditions};

use super::attendance::ScenarioRowKey;
use super::cursor::{CursorError, CursorSigner, Direction};
use super::error::Refusal;
use super::hostile;
use super::members;
use super::server::{Params, Sim};
use super::stats;
use super::timeline::Anchor;
use super::wire::{self, CALL_TYPE};

/// The page size when `limit` is absent or 0.
pub(crate) const DEFAULT_LIMIT: usize = 25;
pub(crate) const MAX_LIMIT: usize = 100;

/// `GET /api/v2/video/call/{type}/{id}`, with up to `members_limit` members (25 when absent
/// or 0, at most 100).
pub(crate) fn get_call(
    sim: &Sim,
    call_type: &str,
    call_id: &str,
    params: &Params,
) -> Result<Map<String, Value>, Refusal> {
    find_call(sim, call_type, call_id)?;
    let members_limit = bounded(params, "members_limit")?;
    Ok(wire::get_call(
        &sim.snapshot(),
        &sim.api_key,
        sim.session_object,
        &sim.roster,
        members_limit,
        sim.present(),
    ))
}

/// `GET /api/v2/video/call/{type}/{id}/session/{session}/participant_sessions`.
pub(crate) fn participant_sessions(
    sim: &Sim,
    call_type: &str,
    call_id: &str,
    session: &str,
    params: &Params,
) -> Result<Map<String, Value>, Refusal> {
    find_call(sim, call_type, call_id)?;
    let Some((snapshot, cursors)) = sim.session(session) else {
        return Err(Refusal::not_found(format!(
            "call session {session} of call {call_type}:{call_id} does not exist"
        )));
    };
    let limit = bounded(params, "limit")?;
    let mut filter = filter_conditions(params)?;
    if sim.ignore_is_live {
        filter = without_is_live(filter);
    }
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
    let ring = sim.ring_of(&snapshot);
    sim.session_object
        .insert(&mut body, "session", &snapshot, &ring);
    if let Some(key) = page.next {
        body.insert("next".into(), json!(cursors.encode(Direction::Next, key)));
    }
    if let Some(key) = page.prev {
        body.insert("prev".into(), json!(cursors.encode(Direction::Prev, key)));
    }
    Ok(body)
}

/// `POST /api/v2/video/call_stats`.
pub(crate) fn call_stats(sim: &Sim, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let request = stats::StatsRequest::parse(body)?;
    stats::respond(sim, &request)
}

/// `POST /api/v2/video/call/members`.
pub(crate) fn call_members(sim: &Sim, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let request = members::MembersRequest::parse(body)?;
    if let Some(replay) = &sim.replay {
        return replay.members(&request.call_type, &request.call_id);
    }
    find_call(sim, &request.call_type, &request.call_id)?;
    members::respond(sim, &request)
}

pub(super) fn find_call(sim: &Sim, call_type: &str, call_id: &str) -> Result<(), Refusal> {
    if call_type == CALL_TYPE && call_id == sim.call.call_id {
        Ok(())
    } else {
        Err(Refusal::not_found(format!(
            "Can't find call with id {call_type}:{call_id}"
        )))
    }
}

/// A count parameter such as `limit`: [`DEFAULT_LIMIT`] when absent or 0, at most
/// [`MAX_LIMIT`].
fn bounded(params: &Params, name: &str) -> Result<usize, Refusal> {
    let Some(text) = params.get(name).filter(|text| !text.is_empty()) else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<usize>() {
        Ok(0) => Ok(DEFAULT_LIMIT),
        Ok(limit) if limit <= MAX_LIMIT => Ok(limit),
        Ok(_) => Err(Refusal::input(format!(
            "{name} must be less than or equal to {MAX_LIMIT}, got {text}"
        ))),
        Err(_) => Err(Refusal::input(format!(
            "{name} must be a number between 0 and {MAX_LIMIT}, got {text:?}"
        ))),
    }
}

/// The `limit` of a query body: [`DEFAULT_LIMIT`] when absent or 0, at most [`MAX_LIMIT`].
pub(crate) fn body_limit(limit: Option<i64>) -> Result<usize, Refusal> {
    match limit {
        None | Some(0) => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT as i64).contains(&limit) => Ok(limit as usize),
        Some(limit) => Err(Refusal::input(format!(
            "limit must be between 0 and {MAX_LIMIT}, got {limit}"
        ))),
    }
}

fn filter_conditions(params: &Params) -> Result<Conditions, Refusal> {
    let Some(text) = params.get("filter_conditions").filter(|t| !t.is_empty()) else {
        return Ok(Conditions::default());
    };
    let value: Value = serde_json::from_str(text)
        .map_err(|err| Refusal::input(format!("filter_conditions is not valid JSON: {err}")))?;
    Conditions::parse(&value).map_err(|err| Refusal::input(err.0))
}

/// The conditions a server that does not honour `is_live` applies: the others.
fn without_is_live(filter: Conditions) -> Conditions {
    let kept = filter
        .iter()
        .filter(|condition| condition.field() != ConditionField::IsLive)
        .cloned()
        .collect();
    Conditions::new(kept)
}

fn anchor(cursors: &CursorSigner, params: &Params) -> Result<Anchor, Refusal> {
    let cursor = |direction: Direction| {
        params
            .get(direction.param())
            .filter(|text| !text.is_empty())
            .map(|text| cursors.decode(direction, text).map(ScenarioRowKey::from))
            .transpose()
            .map_err(|err: CursorError| Refusal::input(err.to_string()))
    };
    match (cursor(Direction::Next)?, cursor(Direction::Prev)?) {
        (Some(_), Some(_)) => Err(Refusal::input("next and prev cannot be used together")),
        (Some(key), None) => Ok(Anchor::After(key)),
        (None, Some(key)) => Ok(Anchor::Before(key)),
        (None, None) => Ok(Anchor::Start),
    }
}
