//! The participant counts of one call session, as `QueryCallSessionStats` reports them
//! (`CallStatsParticipantCounts`), peaks included.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::sim::attendance::ScenarioRow;
use crate::sim::timeline::Snapshot;

/// `CallStatsParticipantCounts`.
pub(crate) fn counts(snapshot: &Snapshot) -> Value {
    let rows = snapshot.rows();
    let mut people: HashMap<u32, bool> = HashMap::new();
    for row in rows {
        *people.entry(row.person).or_default() |=
            row.tracks != crate::sim::attendance::Tracks::default();
    }
    let live_sessions = snapshot.open_rows().count();
    let end_of = |row: &ScenarioRow| {
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
}
