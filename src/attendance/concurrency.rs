//! The concurrency curve: how many matching sessions, and how many distinct users, are in the
//! call at each instant.
//!
//! Sessions are half-open intervals `[joined_at, left_at)`, open ones ending at `now`; a leave
//! and a join at the same instant are a hand-over, not a moment with both present. The curve is
//! a step function: each point holds from its instant until the next point.

use crate::api::timestamp::Nanos;

use super::row::RowId;
use super::store::SessionStore;

/// Sessions and distinct users present at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Level {
    pub(crate) sessions: u32,
    pub(crate) users: u32,
}

impl Level {
    fn max(self, other: Level) -> Level {
        Level {
            sessions: self.sessions.max(other.sessions),
            users: self.users.max(other.users),
        }
    }
}

/// The level from `at` until the next point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CurvePoint {
    pub(crate) at: Nanos,
    pub(crate) level: Level,
}

/// A maximum of the curve and the instant it is first reached (`None` for an empty curve).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Peak {
    pub(crate) value: u32,
    pub at: Option<Nanos>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConcurrencyCurve {
    points: Vec<CurvePoint>,
}

impl ConcurrencyCurve {
    /// The curve of `rows`, each row over the part of its interval that counts as attended
    /// (a leave not recorded ends at the session's end; a duration shorter than the timestamps
    /// ends the row early). Rows open in a live call are still present at the last point.
    pub fn compute(store: &SessionStore, rows: &[RowId], now: Nanos) -> Self {
        let ctx = store.row_context(now);
        let mut joins = Vec::with_capacity(rows.len());
        let mut leaves = Vec::with_capacity(rows.len());
        for &id in rows {
            let row = store.row(id);
            let counted = row.counted(&ctx);
            // Present as attended: a row whose duration is shorter than its timestamps is in
            // the call for its duration only, as in attended time.
            let present = if counted.open {
                counted.interval.map(|(start, _)| (start, None))
            } else {
                counted
                    .attended_interval()
                    .map(|(start, end)| (start, Some(end)))
            };
            if let Some((start, end)) = present {
                joins.push((start, row.user));
                leaves.extend(end.map(|end| (end, row.user)));
            }
        }
        joins.sort_unstable_by_key(|&(at, _)| at);
        leaves.sort_unstable_by_key(|&(at, _)| at);
        ConcurrencyCurve {
            points: sweep(&joins, &leaves, store.user_count()),
        }
    }

    pub(crate) fn points(&self) -> &[CurvePoint] {
        &self.points
    }

    /// The level at instant `at`.
    pub(crate) fn level_at(&self, at: Nanos) -> Level {
        let after = self.points.partition_point(|p| p.at <= at);
        after
            .checked_sub(1)
            .map_or(Level::default(), |i| self.points[i].level)
    }

    pub(crate) fn peak_sessions(&self) -> Peak {
        self.peak(|level| level.sessions)
    }

    pub(crate) fn peak_users(&self) -> Peak {
        self.peak(|level| level.users)
    }

    fn peak(&self, value: impl Fn(Level) -> u32) -> Peak {
        let mut peak = Peak::default();
        for point in &self.points {
            if value(point.level) > peak.value {
                peak = Peak {
                    value: value(point.level),
                    at: Some(point.at),
                };
            }
        }
        peak
    }

    /// The curve squeezed into `columns` equal buckets over `[from, to)`, each holding the
    /// maximum level reached inside it, so that no peak disappears from a sparkline.
    pub(crate) fn columns(&self, from: Nanos, to: Nanos, columns: usize) -> Vec<Level> {
        if columns == 0 || to <= from {
            return vec![Level::default(); columns];
        }
        let span = i128::from(to) - i128::from(from);
        let bucket_end = |bucket: usize| {
            let offset = span * (bucket as i128 + 1) / columns as i128;
            (i128::from(from) + offset) as Nanos
        };
        let mut next = self.points.partition_point(|p| p.at <= from);
        let mut current = self.level_at(from);
        let mut out = Vec::with_capacity(columns);
        for bucket in 0..columns {
            let end = bucket_end(bucket);
            let mut highest = current;
            while let Some(point) = self.points.get(next).filter(|p| p.at < end) {
                current = point.level;
                highest = highest.max(current);
                next += 1;
            }
            out.push(highest);
        }
        out
    }
}

/// Walks joins and leaves in time order, leaves first at equal instants, and records the level
/// after each instant.
fn sweep(joins: &[(Nanos, u32)], leaves: &[(Nanos, u32)], user_count: usize) -> Vec<CurvePoint> {
    let mut present = vec![0u32; user_count];
    let mut level = Level::default();
    let mut points = Vec::new();
    let (mut j, mut l) = (0, 0);
    loop {
        let next_join = joins.get(j).map(|&(at, _)| at);
        let next_leave = leaves.get(l).map(|&(at, _)| at);
        let Some(at) = next_join.into_iter().chain(next_leave).min() else {
            break;
        };
        while let Some(&(_, user)) = leaves.get(l).filter(|&&(t, _)| t == at) {
            let count = &mut present[user as usize];
            *count -= 1;
            level.users -= u32::from(*count == 0);
            level.sessions -= 1;
            l += 1;
        }
        while let Some(&(_, user)) = joins.get(j).filter(|&&(t, _)| t == at) {
            let count = &mut present[user as usize];
            level.users += u32::from(*count == 0);
            *count += 1;
            level.sessions += 1;
            j += 1;
        }
        points.push(CurvePoint { at, level });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        MIN, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::*;

    fn curve_of(store: &SessionStore, now: Nanos) -> ConcurrencyCurve {
        ConcurrencyCurve::compute(store, &all_rows(store), now)
    }

    fn level(sessions: u32, users: u32) -> Level {
        Level { sessions, users }
    }

    #[test]
    fn counts_sessions_and_distinct_users_at_each_instant() {
        let store = ended_call(vec![
            closed("alice", "phone", 0, 30 * MIN),
            closed("alice", "laptop", 10 * MIN, 40 * MIN),
            closed("bob", "b", 20 * MIN, 50 * MIN),
        ]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        assert_eq!(curve.level_at(T0 - MIN), level(0, 0));
        assert_eq!(curve.level_at(T0 + 5 * MIN), level(1, 1));
        assert_eq!(curve.level_at(T0 + 15 * MIN), level(2, 1));
        assert_eq!(curve.level_at(T0 + 25 * MIN), level(3, 2));
        assert_eq!(curve.level_at(T0 + 45 * MIN), level(1, 1));
        assert_eq!(curve.level_at(T0 + 50 * MIN), level(0, 0));
        assert_eq!(
            curve.peak_sessions(),
            Peak {
                value: 3,
                at: Some(T0 + 20 * MIN)
            }
        );
        assert_eq!(
            curve.peak_users(),
            Peak {
                value: 2,
                at: Some(T0 + 20 * MIN)
            }
        );
    }

    /// Presence is counted as attended time counts it: up to the join plus the whole-second
    /// `duration_in_seconds`, even when the timestamps say the leave came up to a second later
    /// (attended time never exceeds connected time). A peak of concurrent users taken from the
    /// timestamps alone, as Stream's call session stats give it, can then be higher: alice
    /// left at 10.6 s with a duration of 10 s, bob joined at 10.3 s. (The demo's townhall:
    /// 2,755 here, 2,756 in the stats and from the timestamps.)
    #[test]
    fn a_peak_counts_presence_as_attended_time_does_up_to_the_whole_second_duration() {
        let ms = MIN / 60_000;
        let mut alice = closed("alice", "a", 0, 10_600 * ms);
        alice.duration_in_seconds = Some(10);
        let mut bob = closed("bob", "b", 10_300 * ms, 20_000 * ms);
        bob.duration_in_seconds = Some(9);
        let store = ended_call(vec![alice, bob]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        assert_eq!(curve.level_at(T0 + 10_000 * ms), level(0, 0));
        assert_eq!(curve.level_at(T0 + 10_300 * ms), level(1, 1));
        assert_eq!(
            curve.peak_users().value,
            1,
            "the timestamps alone overlap: 2"
        );
    }

    #[test]
    fn a_hand_over_at_the_same_instant_is_not_a_peak() {
        let store = ended_call(vec![
            closed("alice", "a", 0, 30 * MIN),
            closed("bob", "b", 30 * MIN, 60 * MIN),
        ]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        assert_eq!(
            curve.peak_sessions(),
            Peak {
                value: 1,
                at: Some(T0)
            }
        );
        assert_eq!(curve.level_at(T0 + 30 * MIN), level(1, 1));
    }

    /// The rows of one kind of mess each, beside a clean one: the curve says each is present
    /// exactly as attended time counts it, so a peak never rests on time no figure has.
    #[test]
    fn messy_rows_are_present_as_attended_time_counts_them() {
        let mut short = closed("dora", "d", 0, 40 * MIN);
        // The duration says 10 min of the 40 the timestamps span (beyond the 2 s tolerance).
        short.duration_in_seconds = Some(600);
        let mut ghost = closed("gus", "g", 20 * MIN, 20 * MIN);
        (ghost.left_at, ghost.duration_in_seconds) = (None, None);
        let mut inverted = closed("ivy", "i", 30 * MIN, 25 * MIN);
        inverted.duration_in_seconds = Some(-300);
        let store = ended_call(vec![
            closed("alice", "a", 0, 60 * MIN),
            short,
            ghost,
            inverted,
        ]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        assert_eq!(curve.level_at(T0 + 5 * MIN), level(2, 2));
        assert_eq!(
            curve.level_at(T0 + 15 * MIN),
            level(1, 1),
            "dora left at 10 min"
        );
        // The leave not recorded counts up to the session's end, as in attended time.
        assert_eq!(
            curve.level_at(T0 + 27 * MIN),
            level(2, 2),
            "ivy takes no time"
        );
        assert_eq!(curve.level_at(T0 + 59 * MIN), level(2, 2));
        assert_eq!(curve.level_at(T0 + 60 * MIN), level(0, 0));
        assert_eq!(curve.peak_sessions().value, 2);
    }

    #[test]
    fn a_row_of_no_attended_time_is_never_present() {
        let mut zero = closed("zed", "z", 10 * MIN, 20 * MIN);
        zero.duration_in_seconds = Some(0);
        let store = ended_call(vec![zero, closed("alice", "a", 30 * MIN, 40 * MIN)]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        assert_eq!(curve.level_at(T0 + 15 * MIN), level(0, 0));
        assert_eq!(
            curve.peak_sessions(),
            Peak {
                value: 1,
                at: Some(T0 + 30 * MIN)
            }
        );
    }

    #[test]
    fn open_sessions_stay_in_the_call() {
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![open("carol", "c", 10 * MIN)],
        ));
        let curve = curve_of(&store, T0 + 20 * MIN);
        assert_eq!(curve.level_at(T0 + 20 * MIN), level(1, 1));
        assert_eq!(curve.points().len(), 1);
    }

    #[test]
    fn columns_keep_the_maximum_of_each_bucket() {
        let store = ended_call(vec![
            closed("alice", "a", 0, 60 * MIN),
            closed("bob", "b", 10 * MIN, 11 * MIN),
            closed("carol", "c", 40 * MIN, 50 * MIN),
        ]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        let columns = curve.columns(T0, T0 + 60 * MIN, 3);
        assert_eq!(columns, [level(2, 2), level(1, 1), level(2, 2)]);
        assert_eq!(curve.columns(T0, T0 + 60 * MIN, 0), []);
        assert_eq!(curve.columns(T0, T0, 2), [level(0, 0), level(0, 0)]);
    }

    #[test]
    fn an_empty_curve_has_no_peak_instant() {
        let store = ended_call(vec![]);
        assert_eq!(curve_of(&store, T0).peak_users(), Peak::default());
    }
}
