//! One user's session history: their sessions in join order, with the gap before each (the
//! User view shows it).
//!
//! Gaps are measured exactly as the reconnect figure counts them, from the end of everything
//! the user had open before, so the detail view and the users table always agree.

use crate::api::timestamp::Nanos;

use super::problems::{Counted, Problems};
use super::row::{RowId, UserId};
use super::store::SessionStore;
use super::thresholds::Thresholds;

/// What came before a session in the user's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Gap {
    /// The user's first timed session.
    First,
    /// Joined this long after all earlier sessions had ended.
    After(Nanos),
    /// Joined while an earlier session was still running (another device); the value is how
    /// long the two ran together.
    Overlapping(Nanos),
    /// No trusted `joined_at`, or no length: the session cannot be placed in time.
    Untimed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistoryEntry {
    pub(crate) row: RowId,
    /// As the API sent them.
    pub(crate) joined_at: Option<Nanos>,
    pub(crate) left_at: Option<Nanos>,
    /// The duration shown: the API's, or the running time of a session open in a live call.
    pub(crate) duration_seconds: Option<i64>,
    pub(crate) gap_before: Gap,
    /// The gap is shorter than the reconnect gap, so it counts as a reconnect.
    pub(crate) reconnect: bool,
    pub(crate) problems: Problems,
}

/// The sessions of `user` among `rows`, by `joined_at` (untimed ones last), ties by row id.
pub(crate) fn user_history(
    store: &SessionStore,
    rows: &[RowId],
    user: UserId,
    now: Nanos,
    thresholds: &Thresholds,
) -> Vec<HistoryEntry> {
    let ctx = store.row_context(now);
    let mut own: Vec<(RowId, Counted)> = rows
        .iter()
        .filter(|&&id| store.row(id).user == user.0)
        .map(|&id| (id, store.row(id).counted(&ctx)))
        .collect();
    own.sort_unstable_by_key(|&(id, counted)| {
        let start = counted.interval.map(|(start, _)| start);
        (start.is_none(), start.or(store.row(id).joined_at()), id)
    });
    let mut ended_before: Option<Nanos> = None;
    own.into_iter()
        .map(|(id, counted)| {
            let row = store.row(id);
            let gap_before = match (counted.interval, ended_before) {
                (None, _) => Gap::Untimed,
                (Some(_), None) => Gap::First,
                (Some((start, _)), Some(previous)) if start >= previous => {
                    Gap::After(start - previous)
                }
                (Some((start, end)), Some(previous)) => Gap::Overlapping(end.min(previous) - start),
            };
            if let Some((_, end)) = counted.interval {
                ended_before = Some(ended_before.map_or(end, |previous| previous.max(end)));
            }
            HistoryEntry {
                row: id,
                joined_at: row.joined_at(),
                left_at: row.left_at(),
                duration_seconds: store.get(id).and_then(|row| row.shown_duration(&ctx)),
                gap_before,
                reconnect: matches!(gap_before, Gap::After(gap) if gap < thresholds.reconnect_gap),
                problems: counted.problems,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{MIN, SEC, T0, all_rows, closed, ended_call};
    use super::*;

    #[test]
    fn each_session_shows_the_gap_or_overlap_before_it() {
        let mut untimed = closed("alice", "untimed", 0, 0);
        untimed.joined_at = None;
        let store = ended_call(vec![
            closed("alice", "late-drop", 30 * MIN + 30 * SEC, 40 * MIN),
            closed("alice", "first", 0, 20 * MIN),
            closed("alice", "second-device", 15 * MIN, 30 * MIN),
            closed("bob", "other-user", 0, 60 * MIN),
            closed("alice", "return", 50 * MIN, 55 * MIN),
            untimed,
        ]);
        let alice = store.find_user("alice").unwrap();
        let timeline = user_history(
            &store,
            &all_rows(&store),
            alice,
            T0 + 90 * MIN,
            &Thresholds::default(),
        );
        let summary: Vec<_> = timeline
            .iter()
            .map(|e| {
                (
                    store.get(e.row).unwrap().user_session_id().to_string(),
                    e.gap_before,
                    e.reconnect,
                )
            })
            .collect();
        let expected = [
            ("first", Gap::First, false),
            ("second-device", Gap::Overlapping(5 * MIN), false),
            ("late-drop", Gap::After(30 * SEC), true),
            ("return", Gap::After(10 * MIN), false),
            ("untimed", Gap::Untimed, false),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(id, gap, r)| (id.to_string(), *gap, *r))
            .collect();
        assert_eq!(summary, expected);
        assert_eq!(timeline[0].duration_seconds, Some(20 * 60));
    }
}
