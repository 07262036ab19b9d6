//! Per-user figures: sessions, connected and attended time, first join and last leave, and the
//! late / left early / reconnect / multi-device flags.
//!
//! Rows are grouped by user with a counting sort over the dense `UserId`s: one pass counts,
//! one pass scatters a compact copy of each row into its user's slot range, and a final
//! sequential pass computes each user from their contiguous entries. Only the scatter touches
//! memory at random, and as writes, which the processor overlaps; no hashing anywhere.

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::call::Window;
use super::row::{RowId, UserId};
use super::store::SessionStore;
use super::thresholds::Thresholds;

/// Everything the users table shows for one user, over the rows given.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFigures {
    pub user: UserId,
    /// Number of the user's rows.
    pub sessions: u32,
    /// Sum of the rows' durations: two devices at once count twice, as in the API's sum.
    pub connected_seconds: i64,
    /// Length of the union of the user's intervals inside the call window.
    pub attended: Nanos,
    /// Earliest `joined_at`.
    pub first_join: Option<Nanos>,
    /// Latest `left_at`; `None` while a session is open ("in call").
    pub last_leave: Option<Nanos>,
    /// From first join to last leave (to `now` while in call).
    pub span: Nanos,
    /// Attended time over the window length, at most 100; `None` for an empty window.
    pub attendance_percent: Option<f64>,
    pub late: bool,
    pub left_early: bool,
    pub reconnects: u32,
    /// Two of the user's own sessions overlap in time.
    pub multi_device: bool,
    pub in_call_now: bool,
}

impl UserFigures {
    pub fn attended_seconds(&self) -> i64 {
        self.attended / NANOS_PER_SEC
    }
}

/// What the figures need of one row, copied next to the user's other rows. Absent
/// timestamps are `Nanos::MIN`, which no real instant reaches.
#[derive(Debug, Clone, Copy)]
struct Entry {
    joined: Nanos,
    left: Nanos,
    seconds: i64,
}

const ABSENT: Nanos = Nanos::MIN;

impl Entry {
    fn interval(&self, now: Nanos) -> Option<(Nanos, Nanos)> {
        if self.joined == ABSENT {
            return None;
        }
        let end = if self.left == ABSENT { now } else { self.left };
        (end > self.joined).then_some((self.joined, end))
    }
}

/// Counts and sums of one user's rows.
#[derive(Debug, Clone, Copy)]
struct Tally {
    sessions: u32,
    connected_seconds: i64,
    first_join: Nanos,
    latest_leave: Nanos,
    open: bool,
}

impl Tally {
    fn of(entries: &[Entry]) -> Tally {
        let mut tally = Tally {
            sessions: entries.len() as u32,
            connected_seconds: 0,
            first_join: Nanos::MAX,
            latest_leave: ABSENT,
            open: false,
        };
        for entry in entries {
            tally.connected_seconds += entry.seconds;
            if entry.joined != ABSENT {
                tally.first_join = tally.first_join.min(entry.joined);
            }
            tally.open |= entry.left == ABSENT;
            tally.latest_leave = tally.latest_leave.max(entry.left);
        }
        tally
    }
}

/// The union of a user's intervals, walked in start order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Merged {
    pub(crate) attended: Nanos,
    pub(crate) reconnects: u32,
    pub(crate) multi_device: bool,
}

/// Merges intervals sorted by start. A gap is measured from the end of everything before, so
/// a short session inside a long one is an overlap, not a reconnect.
pub(crate) fn merge_sorted(
    intervals: &[(Nanos, Nanos)],
    window: Option<Window>,
    reconnect_gap: Nanos,
) -> Merged {
    let clip = |from: Nanos, to: Nanos| window.map_or(to - from, |w| w.overlap(from, to));
    let mut merged = Merged::default();
    let Some(&(mut run_start, mut run_end)) = intervals.first() else {
        return merged;
    };
    for &(start, end) in &intervals[1..] {
        if start < run_end {
            merged.multi_device = true;
            run_end = run_end.max(end);
            continue;
        }
        if start - run_end < reconnect_gap {
            merged.reconnects += 1;
        }
        merged.attended += clip(run_start, run_end);
        (run_start, run_end) = (start, end);
    }
    merged.attended += clip(run_start, run_end);
    merged
}

/// Figures for every user with at least one of `rows`, ordered by `UserId`.
pub fn user_figures(
    store: &SessionStore,
    rows: &[RowId],
    now: Nanos,
    thresholds: &Thresholds,
) -> Vec<UserFigures> {
    let offsets = offsets_by_user(store, rows);
    let entries = group_by_user(store, rows, now, &offsets);
    let window = store.window(now);
    let mut intervals = Vec::new();
    let mut figures = Vec::new();
    for (user, bounds) in offsets.windows(2).enumerate() {
        let own = &entries[bounds[0] as usize..bounds[1] as usize];
        if own.is_empty() {
            continue;
        }
        intervals.clear();
        intervals.extend(own.iter().filter_map(|entry| entry.interval(now)));
        intervals.sort_unstable_by_key(|&(start, _)| start);
        let merged = merge_sorted(&intervals, window, thresholds.reconnect_gap);
        let user = UserId(user as u32);
        figures.push(finish(
            user,
            &Tally::of(own),
            merged,
            window,
            now,
            thresholds,
        ));
    }
    figures
}

/// User `u`'s rows go to `offsets[u]..offsets[u + 1]`.
fn offsets_by_user(store: &SessionStore, rows: &[RowId]) -> Vec<u32> {
    let mut offsets = vec![0u32; store.user_count() + 1];
    for &id in rows {
        offsets[store.row(id).user as usize + 1] += 1;
    }
    for user in 1..offsets.len() {
        offsets[user] += offsets[user - 1];
    }
    offsets
}

fn group_by_user(store: &SessionStore, rows: &[RowId], now: Nanos, offsets: &[u32]) -> Vec<Entry> {
    let mut cursors = offsets[..offsets.len() - 1].to_vec();
    let empty = Entry {
        joined: ABSENT,
        left: ABSENT,
        seconds: 0,
    };
    let mut entries = vec![empty; rows.len()];
    for &id in rows {
        let row = store.row(id);
        let cursor = &mut cursors[row.user as usize];
        entries[*cursor as usize] = Entry {
            joined: row.joined_at().unwrap_or(ABSENT),
            left: row.left_at().unwrap_or(ABSENT),
            seconds: row.duration_seconds(now),
        };
        *cursor += 1;
    }
    entries
}

fn finish(
    user: UserId,
    tally: &Tally,
    merged: Merged,
    window: Option<Window>,
    now: Nanos,
    thresholds: &Thresholds,
) -> UserFigures {
    let first_join = (tally.first_join != Nanos::MAX).then_some(tally.first_join);
    let last_leave =
        (!tally.open && tally.latest_leave != Nanos::MIN).then_some(tally.latest_leave);
    let last_end = if tally.open { Some(now) } else { last_leave };
    let span = match (first_join, last_end) {
        (Some(first), Some(last)) => (last - first).max(0),
        _ => 0,
    };
    // Durations come in whole seconds and timestamps do not: uncapped, a user could read as
    // attending longer than they were connected, by under a second per session.
    let attended = merged
        .attended
        .min(tally.connected_seconds.saturating_mul(NANOS_PER_SEC));
    let attendance_percent = window
        .filter(|w| !w.is_empty())
        .map(|w| (attended as f64 / w.len() as f64 * 100.0).min(100.0));
    let late = match (window, first_join) {
        (Some(w), Some(first)) => first - w.start > thresholds.late_grace,
        _ => false,
    };
    let left_early = match (window, last_leave) {
        (Some(w), Some(last)) => w.end - last > thresholds.early_grace,
        _ => false,
    };
    UserFigures {
        user,
        sessions: tally.sessions,
        connected_seconds: tally.connected_seconds,
        attended,
        first_join,
        last_leave,
        span,
        attendance_percent,
        late,
        left_early,
        reconnects: merged.reconnects,
        multi_device: merged.multi_device,
        in_call_now: tally.open,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        MIN, SEC, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::*;

    fn figures_of(store: &SessionStore, now: Nanos) -> Vec<UserFigures> {
        user_figures(store, &all_rows(store), now, &Thresholds::default())
    }

    fn only(store: &SessionStore, now: Nanos) -> UserFigures {
        let mut figures = figures_of(store, now);
        assert_eq!(figures.len(), 1);
        figures.remove(0)
    }

    const AFTER: Nanos = T0 + 120 * MIN;
    const MILLI: Nanos = SEC / 1_000;

    #[test]
    fn two_devices_at_once_count_twice_connected_and_once_attended() {
        let store = ended_call(vec![
            closed("alice", "phone", 0, 30 * MIN),
            closed("alice", "laptop", 10 * MIN, 40 * MIN),
        ]);
        let alice = only(&store, AFTER);
        assert_eq!(alice.sessions, 2);
        assert_eq!(alice.connected_seconds, 60 * 60);
        assert_eq!(alice.attended, 40 * MIN);
        assert_eq!(alice.attended_seconds(), 40 * 60);
        assert!(alice.multi_device);
        assert_eq!(alice.reconnects, 0);
        assert_eq!(alice.first_join, Some(T0));
        assert_eq!(alice.last_leave, Some(T0 + 40 * MIN));
        assert_eq!(alice.span, 40 * MIN);
        assert_eq!(alice.attendance_percent, Some(40.0 / 60.0 * 100.0));
    }

    #[test]
    fn attended_never_exceeds_connected_when_durations_are_rounded_down() {
        let mut row = closed("alice", "a1", 0, 10 * SEC + 600 * MILLI);
        row.duration_in_seconds = Some(10);
        let alice = only(&ended_call(vec![row]), AFTER);
        assert_eq!(alice.connected_seconds, 10);
        assert_eq!(alice.attended, 10 * SEC);
    }

    #[test]
    fn a_short_drop_is_a_reconnect_and_a_long_one_is_not() {
        let short = ended_call(vec![
            closed("bob", "b1", 0, 10 * MIN),
            closed("bob", "b2", 10 * MIN + 30 * SEC, 20 * MIN),
        ]);
        let bob = only(&short, AFTER);
        assert_eq!(bob.reconnects, 1);
        assert!(!bob.multi_device);
        assert_eq!(bob.attended, 20 * MIN - 30 * SEC);
        let long = ended_call(vec![
            closed("bob", "b1", 0, 10 * MIN),
            closed("bob", "b2", 10 * MIN + 90 * SEC, 20 * MIN),
        ]);
        assert_eq!(only(&long, AFTER).reconnects, 0);
    }

    #[test]
    fn a_rejoin_at_the_instant_of_leaving_is_a_reconnect_not_an_overlap() {
        let store = ended_call(vec![
            closed("bob", "b1", 0, 10 * MIN),
            closed("bob", "b2", 10 * MIN, 20 * MIN),
        ]);
        let bob = only(&store, AFTER);
        assert_eq!(bob.reconnects, 1);
        assert!(!bob.multi_device);
        assert_eq!(bob.attended, 20 * MIN);
    }

    #[test]
    fn a_gap_is_measured_from_the_end_of_everything_before() {
        let store = ended_call(vec![
            closed("carol", "long", 0, 30 * MIN),
            closed("carol", "inside", 5 * MIN, 6 * MIN),
            closed("carol", "after", 30 * MIN + 20 * SEC, 40 * MIN),
        ]);
        let carol = only(&store, AFTER);
        assert_eq!(carol.reconnects, 1);
        assert!(carol.multi_device);
        assert_eq!(carol.attended, 40 * MIN - 20 * SEC);
    }

    #[test]
    fn an_open_session_counts_up_to_now() {
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![open("dave", "d", 5 * MIN)],
        ));
        let now = T0 + 20 * MIN;
        let dave = only(&store, now);
        assert!(dave.in_call_now);
        assert_eq!(dave.last_leave, None);
        assert_eq!(dave.connected_seconds, 15 * 60);
        assert_eq!(dave.attended, 15 * MIN);
        assert_eq!(dave.span, 15 * MIN);
        assert_eq!(dave.attendance_percent, Some(75.0));
        assert!(!dave.left_early);
        let later = only(&store, now + 10 * MIN);
        assert_eq!(later.connected_seconds, 25 * 60);
    }

    #[test]
    fn attendance_is_clipped_to_the_window_and_never_above_100() {
        let store = ended_call(vec![closed("erin", "e", -10 * MIN, 70 * MIN)]);
        let erin = only(&store, AFTER);
        assert_eq!(erin.connected_seconds, 80 * 60);
        assert_eq!(erin.attended, 60 * MIN);
        assert_eq!(erin.attendance_percent, Some(100.0));
        assert!(!erin.late && !erin.left_early);
    }

    #[test]
    fn late_and_left_early_use_strict_grace_periods() {
        let store = ended_call(vec![
            closed("on-time", "a", 5 * MIN, 55 * MIN),
            closed("tardy", "b", 5 * MIN + SEC, 60 * MIN),
            closed("leaver", "c", 0, 55 * MIN - SEC),
        ]);
        let figures = figures_of(&store, AFTER);
        let flags: Vec<(bool, bool)> = figures.iter().map(|u| (u.late, u.left_early)).collect();
        assert_eq!(flags, [(false, false), (true, false), (false, true)]);
    }

    #[test]
    fn nobody_left_early_while_still_connected() {
        let store = ended_call(vec![
            closed("frank", "f1", 0, 10 * MIN),
            open("frank", "f2", 20 * MIN),
        ]);
        let frank = only(&store, AFTER);
        assert!(frank.in_call_now);
        assert!(!frank.left_early);
        assert_eq!(frank.attended, 10 * MIN + 40 * MIN);
    }

    #[test]
    fn only_the_given_rows_count() {
        let store = ended_call(vec![
            closed("gina", "g1", 0, 10 * MIN),
            closed("gina", "g2", 20 * MIN, 30 * MIN),
        ]);
        let first = [store.find("g1").unwrap()];
        let gina = user_figures(&store, &first, AFTER, &Thresholds::default());
        assert_eq!(gina[0].sessions, 1);
        assert_eq!(gina[0].last_leave, Some(T0 + 10 * MIN));
        assert!(user_figures(&store, &[], AFTER, &Thresholds::default()).is_empty());
    }
}
