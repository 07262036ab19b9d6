//! `QueryCallSessionStats` (`POST /api/v2/video/call_stats`): one summary row per call
//! session, with the participant counts Stream computes (peaks included).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::attendance::Row;
use super::endpoints::MAX_LIMIT;
use super::error::ApiError;
use super::server::Sim;
use super::timeline::Snapshot;
use super::wire::{self, CALL_TYPE};

/// The filter fields this sim understands, and what each compares.
const FILTER_FIELDS: [&str; 3] = ["call_cid", "call_session_id", "is_active"];

/// The request body (`sort` is accepted and needs no work: there is one row at most).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatsRequest {
    filter_conditions: Map<String, Value>,
    limit: Option<i64>,
    next: Option<String>,
    prev: Option<String>,
}

impl StatsRequest {
    /// Parses and validates the body; an empty body is an empty query.
    pub fn parse(body: &[u8]) -> Result<StatsRequest, ApiError> {
        let request: StatsRequest = if body.iter().all(u8::is_ascii_whitespace) {
            StatsRequest::default()
        } else {
            serde_json::from_slice(body)
                .map_err(|err| ApiError::input(format!("the request body is not valid: {err}")))?
        };
        if let Some(limit) = request.limit
            && !(0..=MAX_LIMIT as i64).contains(&limit)
        {
            return Err(ApiError::input(format!(
                "limit must be between 0 and {MAX_LIMIT}, got {limit}"
            )));
        }
        // The sim has a single session, so it never hands out a cursor to come back with.
        for (name, cursor) in [("next", &request.next), ("prev", &request.prev)] {
            if cursor.as_deref().is_some_and(|c| !c.is_empty()) {
                return Err(ApiError::input(format!("{name} is not a valid cursor")));
            }
        }
        for (field, condition) in &request.filter_conditions {
            if !FILTER_FIELDS.contains(&field.as_str()) {
                return Err(ApiError::input(format!(
                    "`{field}` is not a filterable field; filter_conditions accepts {}",
                    FILTER_FIELDS.join(", ")
                )));
            }
            operand(field, condition)?;
        }
        Ok(request)
    }

    fn accepts(&self, cid: &str, session_id: &str, is_active: bool) -> bool {
        self.filter_conditions.iter().all(|(field, condition)| {
            match (field.as_str(), operand(field, condition)) {
                ("call_cid", Ok(value)) => *value == json!(cid),
                ("call_session_id", Ok(value)) => *value == json!(session_id),
                ("is_active", Ok(value)) => *value == json!(is_active),
                _ => false,
            }
        })
    }
}

/// The `$eq` operand of a condition (or the value itself, in the short form).
fn operand<'v>(field: &str, condition: &'v Value) -> Result<&'v Value, ApiError> {
    match condition {
        Value::Object(ops) => match (ops.len(), ops.get("$eq")) {
            (1, Some(value)) => Ok(value),
            _ => Err(ApiError::input(format!(
                "only $eq is supported on `{field}` by this endpoint"
            ))),
        },
        value => Ok(value),
    }
}

/// The response body without `duration`.
pub fn respond(sim: &Sim, snapshot: &Snapshot, request: &StatsRequest) -> Map<String, Value> {
    let call = snapshot.call();
    let cid = format!("{CALL_TYPE}:{}", call.call_id);
    let session_id = call.session_id.to_string();
    let mut rows = Vec::new();
    if request.accepts(&cid, &session_id, snapshot.is_live()) {
        let mut row = json!({
            "call_type": CALL_TYPE,
            "call_id": call.call_id,
            "call_session_id": session_id,
            "generated_at": generated_at(sim, snapshot),
            "call_started_at": call.started_at,
            "counts": counts(snapshot),
        });
        if let Some(ended_at) = snapshot.ended_at() {
            row["call_ended_at"] = json!(ended_at);
        }
        rows.push(row);
    }
    wire::object(json!({ "call_stats": rows }))
}

fn generated_at(sim: &Sim, snapshot: &Snapshot) -> i64 {
    match (snapshot.ended_at(), sim.clock) {
        (Some(ended_at), _) => ended_at,
        (None, Some(clock)) => clock.now_ns(),
        (None, None) => snapshot.call().started_at,
    }
}

/// `CallStatsParticipantCounts`.
fn counts(snapshot: &Snapshot) -> Value {
    let rows = snapshot.rows();
    let mut people: HashMap<u32, bool> = HashMap::new();
    for row in rows {
        *people.entry(row.person).or_default() |= row.tracks != Default::default();
    }
    let live_sessions = snapshot.open_rows().count();
    let end_of = |row: &Row| {
        if snapshot.is_open(row) {
            i64::MAX
        } else {
            row.left_at
        }
    };
    let intervals: Vec<(u32, i64, i64)> = rows
        .iter()
        .map(|row| (row.person, row.joined_at, end_of(row)))
        .collect();
    json!({
        "participants": people.len(),
        "sessions": rows.len(),
        "live_sessions": live_sessions,
        "publishers": people.values().filter(|published| **published).count(),
        "peak_concurrent_users": peak(&merged_per_person(&intervals)),
        "peak_concurrent_sessions": peak(&intervals),
        "sfus_used": 1 + rows.len() / 5_000,
        "total_participant_duration": snapshot.totals().duration_seconds,
    })
}

/// The largest number of intervals open at once.
fn peak(intervals: &[(u32, i64, i64)]) -> usize {
    let mut edges: Vec<(i64, i8)> = intervals
        .iter()
        .flat_map(|&(_, from, to)| [(from, 1), (to, -1)])
        .collect();
    // Leaves sort before joins at the same instant: a reconnect is not a second presence.
    edges.sort_unstable();
    let mut open = 0i64;
    let mut best = 0i64;
    for (_, step) in edges {
        open += i64::from(step);
        best = best.max(open);
    }
    best as usize
}

/// Each person's intervals merged where they overlap (two devices count once).
fn merged_per_person(intervals: &[(u32, i64, i64)]) -> Vec<(u32, i64, i64)> {
    let mut sorted = intervals.to_vec();
    sorted.sort_unstable();
    let mut merged: Vec<(u32, i64, i64)> = Vec::with_capacity(sorted.len());
    for (person, from, to) in sorted {
        match merged.last_mut() {
            Some(last) if last.0 == person && from <= last.2 => last.2 = last.2.max(to),
            _ => merged.push((person, from, to)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_count_overlaps_and_merge_devices() {
        let intervals = [(1, 0, 10), (1, 5, 15), (2, 8, 20), (3, 20, 30)];
        assert_eq!(peak(&intervals), 3);
        assert_eq!(peak(&merged_per_person(&intervals)), 2);
    }

    #[test]
    fn unknown_filter_fields_and_bad_limits_are_refused() {
        let err = StatsRequest::parse(br#"{"filter_conditions":{"colour":"red"}}"#).unwrap_err();
        assert!(err.detail.contains("`colour`"));
        assert!(StatsRequest::parse(br#"{"limit":101}"#).is_err());
        assert!(StatsRequest::parse(b"").is_ok());
    }
}
