//! `QueryCallSessionStats` (`POST /api/v2/video/call_stats`): one summary row per call
//! session, filtered, sorted and paged with signed cursors like the participant sessions.
//!
//! A cursor names the session a page ended (or started) on, in the order of the query that
//! issued it; the call's sessions never change while the sim runs, so that place is exact.
//! `request` validates the body (with `filter` and the sort fields of `facts`); `counts`
//! computes each session's figures.

mod counts;
mod facts;
mod filter;
mod request;

use serde_json::{Map, Value, json};

use super::cursor::{Direction, Position};
use super::error::Refusal;
use super::ids::Uuid;
use super::server::Sim;
use super::timeline::Snapshot;
use super::wire::{self, CALL_TYPE};

use facts::SessionFacts;
pub(crate) use request::StatsRequest;

/// Where a page starts, as a place in an ordered listing (the sessions here, the members in
/// `sim::members`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IndexAnchor {
    Start,
    After(usize),
    Before(usize),
}

/// The places of one page, and whether matching sessions lie beyond it on either side.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct StatsPage {
    pub(super) places: Vec<usize>,
    pub(super) more_after: bool,
    pub(super) more_before: bool,
}

/// The response body without `duration`.
pub(crate) fn respond(sim: &Sim, request: &StatsRequest) -> Result<Map<String, Value>, Refusal> {
    let mut sessions: Vec<(SessionFacts, Snapshot)> = sim
        .sessions()
        .map(|snapshot| (facts(sim, &snapshot), snapshot))
        .collect();
    sessions.sort_by(|a, b| request.order(&a.0, &b.0));
    let anchor = anchor(sim, request, &sessions)?;
    let page = page(
        sessions.len(),
        |place| request.accepts(&sessions[place].0),
        anchor,
        request.limit,
    );
    let rows: Vec<Value> = page
        .places
        .iter()
        .map(|&place| row(&sessions[place].0, &sessions[place].1))
        .collect();
    let mut body = wire::object(json!({ "call_stats": rows, "next": null, "prev": null }));
    let cursor = |direction: Direction, place: usize| {
        let position = Position {
            at: request.fingerprint,
            id: sessions[place].0.session_id,
        };
        json!(sim.stats_cursors.encode(direction, position))
    };
    if let (true, Some(&last)) = (page.more_after, page.places.last()) {
        body.insert("next".into(), cursor(Direction::Next, last));
    }
    if let (true, Some(&first)) = (page.more_before, page.places.first()) {
        body.insert("prev".into(), cursor(Direction::Prev, first));
    }
    Ok(body)
}

fn facts(sim: &Sim, snapshot: &Snapshot) -> SessionFacts {
    let call = snapshot.call();
    SessionFacts {
        cid: format!("{CALL_TYPE}:{}", call.call_id),
        session_id: call.session_id,
        is_active: snapshot.is_live(),
        started_at: call.started_at,
        ended_at: snapshot.ended_at(),
        generated_at: generated_at(sim, snapshot),
    }
}

/// `CallStatsSessionResponse`.
fn row(facts: &SessionFacts, snapshot: &Snapshot) -> Value {
    let call = snapshot.call();
    json!({
        "call_type": CALL_TYPE,
        "call_id": call.call_id,
        "call_session_id": facts.session_id.to_string(),
        "generated_at": facts.generated_at,
        "call_started_at": facts.started_at,
        "call_ended_at": facts.ended_at,
        "counts": counts::counts(snapshot),
    })
}

fn generated_at(sim: &Sim, snapshot: &Snapshot) -> i64 {
    match (snapshot.ended_at(), sim.present()) {
        (Some(ended_at), _) => ended_at,
        (None, Some(present)) => present,
        (None, None) => snapshot.call().started_at,
    }
}

/// The place a cursor points at. A cursor of another query (other filter or sort) or naming
/// an unknown session is refused, as Stream refuses bad input.
fn anchor(
    sim: &Sim,
    request: &StatsRequest,
    sessions: &[(SessionFacts, Snapshot)],
) -> Result<IndexAnchor, Refusal> {
    let place_of = |direction: Direction, text: &str| {
        let invalid = || Refusal::input(format!("{} is not a valid cursor", direction.param()));
        let position = sim
            .stats_cursors
            .decode(direction, text)
            .map_err(|err| Refusal::input(err.to_string()))?;
        if position.at != request.fingerprint {
            return Err(Refusal::input(format!(
                "{} belongs to another query: send the same filter_conditions and sort",
                direction.param()
            )));
        }
        place(sessions, position.id).ok_or_else(invalid)
    };
    match (&request.next, &request.prev) {
        (Some(_), Some(_)) => Err(Refusal::input("next and prev cannot be used together")),
        (Some(next), None) => Ok(IndexAnchor::After(place_of(Direction::Next, next)?)),
        (None, Some(prev)) => Ok(IndexAnchor::Before(place_of(Direction::Prev, prev)?)),
        (None, None) => Ok(IndexAnchor::Start),
    }
}

fn place(sessions: &[(SessionFacts, Snapshot)], id: Uuid) -> Option<usize> {
    sessions
        .iter()
        .position(|(facts, _)| facts.session_id == id)
}

/// Up to `limit` matching places from `anchor`, among `0..len`.
pub(super) fn page(
    len: usize,
    matches: impl Fn(usize) -> bool,
    anchor: IndexAnchor,
    limit: usize,
) -> StatsPage {
    let places: Vec<usize> = match anchor {
        IndexAnchor::Start => (0..len).filter(|&p| matches(p)).take(limit).collect(),
        IndexAnchor::After(place) => (place + 1..len)
            .filter(|&p| matches(p))
            .take(limit)
            .collect(),
        IndexAnchor::Before(place) => {
            let mut places: Vec<usize> = (0..place.min(len))
                .rev()
                .filter(|&p| matches(p))
                .take(limit)
                .collect();
            places.reverse();
            places
        }
    };
    let (Some(&first), Some(&last)) = (places.first(), places.last()) else {
        return StatsPage::default();
    };
    StatsPage {
        more_after: (last + 1..len).any(&matches),
        more_before: (0..first).any(&matches),
        places,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_forward_and_back_over_matching_places() {
        let even = |place: usize| place.is_multiple_of(2);
        let first = page(9, even, IndexAnchor::Start, 2);
        assert_eq!(first.places, [0, 2]);
        assert!(first.more_after && !first.more_before);
        let second = page(9, even, IndexAnchor::After(2), 2);
        assert_eq!(second.places, [4, 6]);
        assert!(second.more_after && second.more_before);
        let last = page(9, even, IndexAnchor::After(6), 2);
        assert_eq!(last.places, [8]);
        assert!(!last.more_after);
        let back = page(9, even, IndexAnchor::Before(4), 2);
        assert_eq!(back, first);
        assert_eq!(
            page(9, |_| false, IndexAnchor::Start, 5),
            StatsPage::default()
        );
    }
}
