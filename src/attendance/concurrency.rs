//! The concurrency curve: how many matching sessions, and how many distinct users, are in the
//! call at each instant.
//!
//! Sessions are half-open intervals `[joined_at, left_at)`, open ones ending at `now`; a leave
//! and a join at the same instant are a hand-over, not a moment with both present. The curve is
//! a step function: each point holds from its instant until the next point.

use crate::api::timestamp::Nanos;

use super::problems::RowContext;
use super::row::{Row, RowId};
use super::store::SessionStore;

/// A maximum of the curve and the instant it is first reached (`None` for an empty curve).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Peak {
    pub(crate) value: u32,
    pub at: Option<Nanos>,
}

impl Peak {
    /// Raises the peak to `value` reached `at`, if higher: the first instant of a level wins.
    fn reach(&mut self, value: u32, at: Nanos) {
        if value > self.value {
            *self = Peak {
                value,
                at: Some(at),
            };
        }
    }
}

/// The sessions curve at every instant, kept as the sorted instants where sessions start and
/// stop being present (about 8 bytes a session instead of two 16-byte points), and what the
/// distinct-users curve gave when it was swept: its peak and its level at the window's
/// midpoint. The sessions level at `t` is the joins up to `t` less the leaves up to `t`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConcurrencyCurve {
    joins: SortedInstants,
    /// Open sessions of a live call have none: they are present at the last point.
    leaves: SortedInstants,
    peak_sessions: Peak,
    peak_users: Peak,
    users_at_midpoint: Option<u32>,
}

impl ConcurrencyCurve {
    /// The curve of `rows`, each row over the part of its interval that counts as attended
    /// (a leave not recorded ends at the session's end; a duration shorter than the timestamps
    /// ends the row early). Rows open in a live call are still present at the last point.
    ///
    /// The working tables are small beside the rows: the joins, then the leaves, each made as
    /// one table of 8-byte instants that is sorted and packed before the next is made (8 MB at
    /// a million sessions), and the distinct-users level is the sessions level less where a
    /// user's own sessions overlap (`own_overlaps`), so no instant is kept with its user.
    pub fn compute(store: &SessionStore, rows: &[RowId], now: Nanos) -> Self {
        let ctx = store.row_context(now);
        let presence = |id: RowId| present(store.row(id), &ctx);
        let joins = SortedInstants::of_unsorted(
            rows.len(),
            rows.iter()
                .filter_map(|&id| presence(id).map(|(start, _)| start)),
        );
        let leaves = SortedInstants::of_unsorted(
            rows.len(),
            rows.iter()
                .filter_map(|&id| presence(id).and_then(|(_, end)| end)),
        );
        let overlaps = own_overlaps(store, rows, &ctx);
        let midpoint = store.window(now).map(|window| window.midpoint());
        let mut curve = ConcurrencyCurve {
            joins,
            leaves,
            ..ConcurrencyCurve::default()
        };
        let (mut peak_sessions, mut peak_users) = (Peak::default(), Peak::default());
        let mut users_at_midpoint = midpoint.map(|_| 0);
        let mut overlaps = overlaps.iter().peekable();
        let mut excess = 0i64;
        for (at, sessions) in curve.steps_from(0, 0, 0) {
            // Every change of an overlap is at a join or a leave of its user's own.
            while let Some(&(_, change)) = overlaps.next_if(|&&(t, _)| t <= at) {
                excess += i64::from(change);
            }
            let users = u32::try_from(i64::from(sessions) - excess)
                .expect("a user's overlaps are among the sessions present");
            peak_sessions.reach(sessions, at);
            peak_users.reach(users, at);
            if midpoint.is_some_and(|midpoint| at <= midpoint) {
                users_at_midpoint = Some(users);
            }
        }
        curve.users_at_midpoint = users_at_midpoint;
        curve.peak_sessions = peak_sessions;
        curve.peak_users = peak_users;
        curve
    }

    /// Sessions present at instant `at`.
    pub(crate) fn sessions_at(&self, at: Nanos) -> u32 {
        let joined = self.joins.count_up_to(at);
        let left = self.leaves.count_up_to(at);
        joined.saturating_sub(left) as u32
    }

    /// The most sessions at once, and the first instant they were.
    pub(crate) fn peak_sessions(&self) -> Peak {
        self.peak_sessions
    }

    /// The most distinct users at once, and the first instant they were.
    pub(crate) fn peak_users(&self) -> Peak {
        self.peak_users
    }

    /// Distinct users present at the midpoint of the window (`None` without a window).
    pub(crate) fn users_at_midpoint(&self) -> Option<u32> {
        self.users_at_midpoint
    }

    /// Each instant after `from` where the sessions level changes hands, with the level from
    /// that instant on (leaves and joins at one instant taken together: a hand-over).
    fn steps_after(&self, from: Nanos) -> impl Iterator<Item = (Nanos, u32)> + '_ {
        self.steps_from(
            self.joins.count_up_to(from),
            self.leaves.count_up_to(from),
            self.sessions_at(from),
        )
    }

    /// The steps from the `joins_from`th join and the `leaves_from`th leave on, the level
    /// before them being `level`.
    fn steps_from(
        &self,
        joins_from: usize,
        leaves_from: usize,
        mut level: u32,
    ) -> impl Iterator<Item = (Nanos, u32)> + '_ {
        let mut joins = self.joins.iter_from(joins_from).peekable();
        let mut leaves = self.leaves.iter_from(leaves_from).peekable();
        std::iter::from_fn(move || {
            let at = match (joins.peek(), leaves.peek()) {
                (Some(&join), Some(&leave)) => join.min(leave),
                (Some(&at), None) | (None, Some(&at)) => at,
                (None, None) => return None,
            };
            while leaves.next_if_eq(&at).is_some() {
                level = level.saturating_sub(1);
            }
            while joins.next_if_eq(&at).is_some() {
                level += 1;
            }
            Some((at, level))
        })
    }

    /// The most sessions at once within `[from, to)` and the instant that level is first
    /// reached (`None` when nobody is there or the range is empty).
    pub(crate) fn peak_within(&self, from: Nanos, to: Nanos) -> Peak {
        let mut peak = Peak {
            value: self.sessions_at(from),
            at: Some(from),
        };
        for (at, level) in self.steps_after(from).take_while(|&(at, _)| at < to) {
            peak.reach(level, at);
        }
        if peak.value == 0 || to <= from {
            peak.at = None;
        }
        peak
    }

    /// The sessions curve squeezed into `columns` equal buckets over `[from, to)`, each
    /// holding the most sessions reached inside it, so that no peak disappears from a
    /// sparkline.
    pub(crate) fn columns(&self, from: Nanos, to: Nanos, columns: usize) -> Vec<u32> {
        if columns == 0 || to <= from {
            return vec![0; columns];
        }
        let span = i128::from(to) - i128::from(from);
        let bucket_end = |bucket: usize| {
            let offset = span * (bucket as i128 + 1) / columns as i128;
            (i128::from(from) + offset) as Nanos
        };
        let mut steps = self.steps_after(from).peekable();
        let mut current = self.sessions_at(from);
        let mut out = Vec::with_capacity(columns);
        for bucket in 0..columns {
            let end = bucket_end(bucket);
            let mut highest = current;
            while let Some((_, level)) = steps.next_if(|&(at, _)| at < end) {
                current = level;
                highest = highest.max(current);
            }
            out.push(highest);
        }
        out
    }
}

/// Where `row` starts and stops being present (`None`: it does not stop, being open), as
/// attended: a row whose duration is shorter than its timestamps is in the call for its
/// duration only, as in attended time; a row of no attended time is never present.
fn present(row: &Row, ctx: &RowContext) -> Option<(Nanos, Option<Nanos>)> {
    let counted = row.counted(ctx);
    if counted.open {
        counted.interval.map(|(start, _)| (start, None))
    } else {
        counted
            .attended_interval()
            .map(|(start, end)| (start, Some(end)))
    }
}

/// Where users' own sessions overlap, as changes of the excess of sessions over users present
/// (a user present on three devices at once adds two), each at the instant it happens, sorted
/// by instant: the distinct-users level is the sessions level less the excess. A user's
/// sessions that follow each other at the same instant (a hand-over) do not overlap.
///
/// Only the rows of users with two rows or more are looked at again, grouped by sorting
/// (user, row) pairs: 8 bytes each, beside a byte a user for counting them.
fn own_overlaps(store: &SessionStore, rows: &[RowId], ctx: &RowContext) -> Vec<(Nanos, i32)> {
    let mut counts = vec![0u8; store.user_count()];
    for &id in rows {
        let count = &mut counts[store.row(id).user as usize];
        *count = count.saturating_add(1);
    }
    let mut shared: Vec<(u32, RowId)> = rows
        .iter()
        .map(|&id| (store.row(id).user, id))
        .filter(|&(user, _)| counts[user as usize] > 1)
        .collect();
    drop(counts);
    shared.sort_unstable();
    let mut changes = Vec::new();
    let mut events: Vec<(Nanos, i32)> = Vec::new();
    for own in shared.chunk_by(|a, b| a.0 == b.0) {
        events.clear();
        for &(_, id) in own {
            if let Some((start, end)) = present(store.row(id), ctx) {
                events.push((start, 1));
                events.extend(end.map(|end| (end, -1)));
            }
        }
        events.sort_unstable_by_key(|&(at, _)| at);
        let (mut present_now, mut excess) = (0i32, 0i32);
        for same_instant in events.chunk_by(|a, b| a.0 == b.0) {
            present_now += same_instant.iter().map(|&(_, change)| change).sum::<i32>();
            let now_excess = (present_now - 1).max(0);
            if now_excess != excess {
                changes.push((same_instant[0].0, now_excess - excess));
                excess = now_excess;
            }
        }
    }
    changes.sort_unstable_by_key(|&(at, _)| at);
    changes
}

/// Instants in ascending order, each kept as its gap from the one before in a `u32` of
/// nanoseconds: exact, 4 bytes an instant where they lie within 4.29 s of each other (a
/// million sessions over hours lie milliseconds apart). A gap that does not fit, and every
/// 64th instant, starts a block that keeps its first instant whole, so that a search
/// reads one block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SortedInstants {
    /// Each block's first instant and the index of that instant.
    blocks: Vec<(Nanos, u32)>,
    /// Every instant's gap from the previous one in its block (0 for a block's first).
    gaps: Vec<u32>,
}

const BLOCK: usize = 64;

impl SortedInstants {
    /// `instants` in any order (`capacity`: at most how many there are).
    fn of_unsorted(capacity: usize, instants: impl Iterator<Item = Nanos>) -> SortedInstants {
        let mut all = Vec::with_capacity(capacity);
        all.extend(instants);
        all.sort_unstable();
        SortedInstants::of_sorted(all.into_iter())
    }

    fn of_sorted(instants: impl ExactSizeIterator<Item = Nanos>) -> SortedInstants {
        let mut sorted = SortedInstants {
            blocks: Vec::new(),
            gaps: Vec::with_capacity(instants.len()),
        };
        let mut block_start = 0;
        let mut previous = Nanos::MIN;
        for (index, at) in instants.enumerate() {
            debug_assert!(at >= previous, "instants in order");
            let gap = u32::try_from(at.wrapping_sub(previous) as u64).ok();
            match gap {
                Some(gap) if index > 0 && index - block_start < BLOCK => sorted.gaps.push(gap),
                _ => {
                    block_start = index;
                    sorted.blocks.push((at, index as u32));
                    sorted.gaps.push(0);
                }
            }
            previous = at;
        }
        sorted.blocks.shrink_to_fit();
        sorted
    }

    fn len(&self) -> usize {
        self.gaps.len()
    }

    /// The instants of block `block`, from its first, with their indices.
    fn block(&self, block: usize) -> impl Iterator<Item = (usize, Nanos)> + '_ {
        let (first, start) = self.blocks[block];
        let end = self
            .blocks
            .get(block + 1)
            .map_or(self.len(), |&(_, next)| next as usize);
        let start = start as usize;
        (start..end).scan(first, move |at, index| {
            *at += Nanos::from(self.gaps[index]);
            Some((index, *at))
        })
    }

    /// How many instants are at or before `at`.
    fn count_up_to(&self, at: Nanos) -> usize {
        let block = self.blocks.partition_point(|&(first, _)| first <= at);
        let Some(block) = block.checked_sub(1) else {
            return 0;
        };
        let mut count = self.blocks[block].1 as usize;
        for (index, instant) in self.block(block) {
            if instant > at {
                break;
            }
            count = index + 1;
        }
        count
    }

    /// The instants from index `from` on.
    fn iter_from(&self, from: usize) -> impl Iterator<Item = Nanos> + '_ {
        let first_block = self
            .blocks
            .partition_point(|&(_, start)| start as usize <= from)
            .saturating_sub(1);
        (first_block..self.blocks.len())
            .flat_map(move |block| self.block(block))
            .filter(move |&(index, _)| index >= from)
            .map(|(_, at)| at)
    }

    #[cfg(test)]
    fn memory_bytes(&self) -> usize {
        self.blocks.capacity() * size_of::<(Nanos, u32)>() + self.gaps.capacity() * size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        MIN, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::*;

    /// Sessions and distinct users present at once.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
    struct Level {
        pub(crate) sessions: u32,
        pub(crate) users: u32,
    }

    /// Where each of `rows` starts and stops being present, with its user, each list sorted by
    /// instant: the reference the curve is checked against, one 16-byte event a join or leave.
    fn presence(store: &SessionStore, rows: &[RowId], now: Nanos) -> (Vec<Event>, Vec<Event>) {
        let ctx = store.row_context(now);
        let mut joins = Vec::new();
        let mut leaves = Vec::new();
        for &id in rows {
            let row = store.row(id);
            if let Some((start, end)) = present(row, &ctx) {
                joins.push((start, row.user));
                leaves.extend(end.map(|end| (end, row.user)));
            }
        }
        joins.sort_unstable_by_key(|&(at, _)| at);
        leaves.sort_unstable_by_key(|&(at, _)| at);
        (joins, leaves)
    }

    /// An instant and the user it concerns.
    type Event = (Nanos, u32);

    /// Walks joins and leaves in time order, leaves first at equal instants, counting each
    /// user's sessions present, and hands `visit` the level after each instant.
    fn sweep(
        joins: &[Event],
        leaves: &[Event],
        user_count: usize,
        mut visit: impl FnMut(Nanos, Level),
    ) {
        let mut present = vec![0u32; user_count];
        let mut level = Level::default();
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
            visit(at, level);
        }
    }

    /// The curve as computed, beside every level the sweep went through (the distinct-users
    /// level is kept at its peak and midpoint only).
    struct Swept {
        curve: ConcurrencyCurve,
        points: Vec<(Nanos, Level)>,
    }

    fn curve_of(store: &SessionStore, now: Nanos) -> Swept {
        let (joins, leaves) = presence(store, &all_rows(store), now);
        let mut points = Vec::new();
        sweep(&joins, &leaves, store.user_count(), |at, level| {
            points.push((at, level));
        });
        let curve = ConcurrencyCurve::compute(store, &all_rows(store), now);
        for &(at, level) in &points {
            assert_eq!(curve.sessions_at(at), level.sessions, "at {at}");
            assert_eq!(
                curve.sessions_at(at - 1),
                level_before(&points, at).sessions
            );
        }
        Swept { curve, points }
    }

    fn level_before(points: &[(Nanos, Level)], at: Nanos) -> Level {
        let after = points.partition_point(|&(t, _)| t < at);
        after
            .checked_sub(1)
            .map_or(Level::default(), |i| points[i].1)
    }

    impl Swept {
        /// The level at `at`; the stored sessions curve must say the same.
        fn level_at(&self, at: Nanos) -> Level {
            let level = level_before(&self.points, at + 1);
            assert_eq!(self.curve.sessions_at(at), level.sessions, "at {at}");
            level
        }

        fn peak_sessions(&self) -> Peak {
            self.curve.peak_sessions()
        }

        fn peak_users(&self) -> Peak {
            self.curve.peak_users()
        }

        fn points(&self) -> &[(Nanos, Level)] {
            &self.points
        }

        fn columns(&self, from: Nanos, to: Nanos, columns: usize) -> Vec<u32> {
            self.curve.columns(from, to, columns)
        }
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
        assert_eq!(columns, [2, 1, 2]);
        assert_eq!(curve.columns(T0, T0 + 60 * MIN, 0), Vec::<u32>::new());
        assert_eq!(curve.columns(T0, T0, 2), [0, 0]);
    }

    #[test]
    fn an_empty_curve_has_no_peak_instant() {
        let store = ended_call(vec![]);
        assert_eq!(curve_of(&store, T0).peak_users(), Peak::default());
        assert_eq!(curve_of(&store, T0).curve.users_at_midpoint(), Some(0));
    }

    /// The reference's peaks and midpoint level, from every level it went through.
    fn swept_figures(swept: &Swept, midpoint: Option<Nanos>) -> (Peak, Peak, Option<u32>) {
        let (mut sessions, mut users) = (Peak::default(), Peak::default());
        let mut at_midpoint = midpoint.map(|_| 0);
        for &(at, level) in swept.points() {
            sessions.reach(level.sessions, at);
            users.reach(level.users, at);
            if midpoint.is_some_and(|midpoint| at <= midpoint) {
                at_midpoint = Some(level.users);
            }
        }
        (sessions, users, at_midpoint)
    }

    /// A row of one of five users on a minute grid, so that joins and leaves meet: closed
    /// with its duration, a shorter one, none, a negative one, or open.
    fn grid_row(
        index: usize,
        (user, from, minutes, kind): (u8, i64, i64, u8),
    ) -> crate::api::models::ParticipantSessionDetails {
        let mut row = closed(
            &format!("user-{user}"),
            &format!("s-{index}"),
            from * MIN,
            (from + minutes) * MIN,
        );
        match kind {
            0 => {}
            1 => row.duration_in_seconds = Some(minutes * 30),
            2 => row.duration_in_seconds = None,
            3 => row.duration_in_seconds = Some(-60),
            _ => row = open(&row.user_id, &row.user_session_id, from * MIN),
        }
        row
    }

    proptest::proptest! {
        /// The distinct-users level taken as the sessions level less each user's own
        /// overlaps peaks where, and as high as, counting every user's sessions present at
        /// each instant does; so does the sessions level, at every instant.
        #[test]
        fn the_curve_agrees_with_a_sweep_of_every_session_with_its_user(
            specs in proptest::collection::vec((0u8..5, -5i64..70, 0i64..30, 0u8..6), 0..40),
            live in proptest::bool::ANY,
        ) {
            let rows: Vec<_> = specs.into_iter().enumerate().map(|(i, s)| grid_row(i, s)).collect();
            let ended = (!live).then_some(60 * MIN);
            let store = store_of(page(Some(session(Some(0), ended)), rows));
            let now = T0 + 70 * MIN;
            let swept = curve_of(&store, now);
            let midpoint = store.window(now).map(|window| window.midpoint());
            let (sessions, users, at_midpoint) = swept_figures(&swept, midpoint);
            proptest::prop_assert_eq!(swept.peak_sessions(), sessions);
            proptest::prop_assert_eq!(swept.peak_users(), users);
            proptest::prop_assert_eq!(swept.curve.users_at_midpoint(), at_midpoint);
        }
    }

    #[test]
    fn a_users_own_overlaps_and_hand_overs_count_them_once() {
        let store = ended_call(vec![
            closed("alice", "phone", 0, 30 * MIN),
            closed("alice", "laptop", 10 * MIN, 20 * MIN),
            closed("alice", "tablet", 15 * MIN, 30 * MIN),
            closed("alice", "again", 30 * MIN, 40 * MIN),
            closed("bob", "b", 20 * MIN, 50 * MIN),
        ]);
        let curve = curve_of(&store, T0 + 90 * MIN);
        assert_eq!(curve.level_at(T0 + 16 * MIN), level(3, 1));
        assert_eq!(curve.level_at(T0 + 30 * MIN), level(2, 2), "a hand-over");
        assert_eq!(
            curve.peak_users(),
            Peak {
                value: 2,
                at: Some(T0 + 20 * MIN)
            }
        );
        assert_eq!(curve.curve.users_at_midpoint(), Some(2));
    }

    /// Exact wherever the instants lie: the extremes of the type, gaps wider than a `u32`
    /// of nanoseconds, nanosecond steps, equal instants and more than a block's worth.
    #[test]
    fn sorted_instants_keep_every_instant_exactly() {
        let mut instants = vec![Nanos::MIN, Nanos::MIN + 1, -5 * MIN, 0, 0, 1];
        instants.extend((0..200).map(|i| T0 + i * 3 + i / 7));
        instants.extend([T0 + 4_294_967_295 * 2, T0 + 4_294_967_296 * 3]);
        instants.extend((0..70).map(|i| T0 + 4 * 86_400 * MIN + i));
        instants.extend([Nanos::MAX - 1, Nanos::MAX, Nanos::MAX]);
        let sorted = SortedInstants::of_sorted(instants.iter().copied());
        assert_eq!(sorted.iter_from(0).collect::<Vec<_>>(), instants);
        for from in [0, 1, 5, 63, 64, 65, 130, instants.len() - 1, instants.len()] {
            assert_eq!(
                sorted.iter_from(from).collect::<Vec<_>>(),
                instants[from..],
                "from {from}"
            );
        }
        for &at in &instants {
            for probe in [at.saturating_sub(1), at, at.saturating_add(1)] {
                let expected = instants.iter().filter(|&&t| t <= probe).count();
                assert_eq!(sorted.count_up_to(probe), expected, "up to {probe}");
            }
        }
        assert_eq!(SortedInstants::default().count_up_to(T0), 0);
    }

    /// A million sessions over two hours lie milliseconds apart: about 4 bytes an instant,
    /// where each point of the curve took 16 and there were two a session.
    #[test]
    fn close_instants_take_about_four_bytes_each() {
        let n: i64 = 100_000;
        let sec = MIN / 60;
        let instants: Vec<Nanos> = (0..n).map(|i| T0 + i * 7_200 * sec / n + i % 3).collect();
        let sorted = SortedInstants::of_sorted(instants.into_iter());
        assert!(
            sorted.memory_bytes() <= n as usize * 9 / 2,
            "{}",
            sorted.memory_bytes()
        );
    }
}
