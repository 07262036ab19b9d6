//! Per-user figures: sessions, connected and attended time, first join and last leave, and the
//! late / left early / reconnect / multi-device flags.
//!
//! Rows are grouped by user with a counting sort over the dense `UserId`s: one pass counts,
//! one pass scatters a compact copy of each row into its user's slot range, and a final
//! sequential pass computes each user from their contiguous entries. Only the scatter touches
//! memory at random, and as writes, which the processor overlaps; no hashing anywhere. The
//! users are taken in ranges of at most a quarter of a million rows, scattered and computed
//! one range after the other, so that the copies stay small beside the rows.

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::call::Window;
use super::problems::{Counted, Problems, RawTimes, RowContext, RowProblem};
use super::row::{RowId, UserId};
use super::store::SessionStore;
use super::thresholds::Thresholds;

/// Everything the users table shows for one user, over the rows given. Rows with problems
/// count as `Counted` says: never more than their own, and never against the user's other
/// rows.
///
/// 48 bytes, one per user of the call (807,000 in the `huge` scenario): the optional instants
/// are kept without a tag (an absent one is `Nanos::MIN`, which no plausible row reaches), the
/// flags and the percentage share one `u16`, and the span is derived from the instants.
#[derive(Clone, PartialEq)]
pub struct UserFigures {
    pub user: UserId,
    /// Number of the user's rows.
    pub sessions: u32,
    pub reconnects: u32,
    /// Every problem of the user's rows.
    pub(crate) problems: Problems,
    /// The attendance in tenths of a percent and the four flags.
    marks: Marks,
    /// Sum of the rows' valid durations (open rows up to `now`): two devices at once count
    /// twice, as in the API's sum.
    pub connected_seconds: i64,
    /// Length of the union of the user's intervals inside the call window, each row counting
    /// at most its own duration. A row without a duration (a leave not recorded) adds its
    /// interval, so attended can exceed connected; `problems` then says why.
    pub(crate) attended: Nanos,
    /// Earliest trusted `joined_at`, Unix nanoseconds, or `ABSENT`.
    first_join: Nanos,
    /// The latest `left_at` (the session's end for a leave not recorded), or `now` while a
    /// session is open; `ABSENT` when no row has one.
    last_end: Nanos,
}

/// The attendance in tenths of a percent (0 to 1000, `NO_TENTHS` for none) in the low 11
/// bits, and the flags above them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marks(u16);

impl Marks {
    const TENTHS: u16 = 0x07ff;
    const NO_TENTHS: u16 = Marks::TENTHS;
    const LATE: u16 = 1 << 11;
    const LEFT_EARLY: u16 = 1 << 12;
    const MULTI_DEVICE: u16 = 1 << 13;
    const IN_CALL_NOW: u16 = 1 << 14;

    fn new(tenths: Option<u16>, flags: [(bool, u16); 4]) -> Marks {
        // `percent_tenths` never says more than 1000, far below the field's 2047.
        let mut marks = tenths.map_or(Marks::NO_TENTHS, |t| t.min(1_000));
        for (set, flag) in flags {
            if set {
                marks |= flag;
            }
        }
        Marks(marks)
    }

    fn tenths(self) -> Option<u16> {
        let tenths = self.0 & Marks::TENTHS;
        (tenths != Marks::NO_TENTHS).then_some(tenths)
    }

    fn has(self, flag: u16) -> bool {
        self.0 & flag != 0
    }
}

impl UserFigures {
    pub fn attended_seconds(&self) -> i64 {
        self.attended / NANOS_PER_SEC
    }

    /// Earliest trusted `joined_at`, Unix nanoseconds.
    pub(crate) fn first_join(&self) -> Option<Nanos> {
        present(self.first_join)
    }

    /// Latest `left_at` (the session's end for a leave not recorded), Unix nanoseconds;
    /// `None` while a session is open ("in call").
    pub(crate) fn last_leave(&self) -> Option<Nanos> {
        present(self.last_end).filter(|_| !self.in_call_now())
    }

    /// From first join to last leave (to `now` while in call), in nanoseconds.
    pub(crate) fn span(&self) -> Nanos {
        match (present(self.first_join), present(self.last_end)) {
            (Some(first), Some(last)) => last.saturating_sub(first).max(0),
            _ => 0,
        }
    }

    /// Attended over the window, in tenths of a percent: whole attended seconds over whole
    /// window seconds, rounded half up, at most 1000; `None` for a window under a second.
    pub(crate) fn attendance_tenths(&self) -> Option<u16> {
        self.marks.tenths()
    }

    /// First joined more than the late grace after the window's start.
    pub fn late(&self) -> bool {
        self.marks.has(Marks::LATE)
    }

    /// Last left more than the early grace before the window's end.
    pub(crate) fn left_early(&self) -> bool {
        self.marks.has(Marks::LEFT_EARLY)
    }

    /// Two of the user's own sessions overlap in time.
    pub fn multi_device(&self) -> bool {
        self.marks.has(Marks::MULTI_DEVICE)
    }

    /// A session of the user is open in a live call.
    pub fn in_call_now(&self) -> bool {
        self.marks.has(Marks::IN_CALL_NOW)
    }
}

impl std::fmt::Debug for UserFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserFigures")
            .field("user", &self.user)
            .field("sessions", &self.sessions)
            .field("connected_seconds", &self.connected_seconds)
            .field("attended", &self.attended)
            .field("first_join", &self.first_join())
            .field("last_leave", &self.last_leave())
            .field("span", &self.span())
            .field("attendance_tenths", &self.attendance_tenths())
            .field("late", &self.late())
            .field("left_early", &self.left_early())
            .field("reconnects", &self.reconnects)
            .field("multi_device", &self.multi_device())
            .field("in_call_now", &self.in_call_now())
            .field("problems", &self.problems)
            .finish()
    }
}

/// `part / whole` in tenths of a percent, rounded half up, at most 1000; `None` when `whole`
/// is 0. Whole seconds in, so a spreadsheet dividing the exported columns agrees.
pub(crate) fn percent_tenths(part: i64, whole: i64) -> Option<u16> {
    if whole <= 0 {
        return None;
    }
    let (part, whole) = (i128::from(part.max(0)), i128::from(whole));
    let tenths = (part * 2_000 + whole) / (2 * whole);
    Some(tenths.min(1_000) as u16)
}

/// What the figures need of one row, copied next to the user's other rows: its values as
/// sent (absent ones as `Nanos::MIN`) and its stored problems.
#[derive(Debug, Clone, Copy)]
struct UserEntry {
    joined: Nanos,
    left: Nanos,
    duration: i64,
    problems: Problems,
}

const ABSENT: Nanos = Nanos::MIN;

fn present(value: Nanos) -> Option<Nanos> {
    (value != ABSENT).then_some(value)
}

impl UserEntry {
    fn counted(&self, ctx: &RowContext) -> Counted {
        let raw = RawTimes {
            joined_at: present(self.joined),
            left_at: present(self.left),
            duration_in_seconds: present(self.duration),
        };
        Counted::of(raw, self.problems, ctx)
    }
}

/// Counts and sums of one user's rows.
#[derive(Debug, Clone, Copy)]
struct Tally {
    sessions: u32,
    connected_seconds: i64,
    first_join: Option<Nanos>,
    latest_leave: Option<Nanos>,
    open: bool,
    problems: Problems,
}

impl Tally {
    fn new(sessions: usize) -> Tally {
        Tally {
            sessions: sessions as u32,
            connected_seconds: 0,
            first_join: None,
            latest_leave: None,
            open: false,
            problems: Problems::NONE,
        }
    }

    fn add(&mut self, counted: &Counted) {
        self.connected_seconds = self
            .connected_seconds
            .saturating_add(counted.connected_seconds);
        self.first_join = earliest(self.first_join, counted.joined);
        self.latest_leave = self.latest_leave.max(counted.left);
        self.open |= counted.open;
        self.problems = self.problems.union(counted.problems);
    }
}

fn earliest(a: Option<Nanos>, b: Option<Nanos>) -> Option<Nanos> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A row's place in time: `[start, end)`, of which `[start, attended_end)` counts as attended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: Nanos,
    /// The recorded leave; `None` for a leave not recorded, which is assumed at the session's
    /// end for attended time only: it is no evidence of two devices at once or of a
    /// reconnect (a killed tab and a second device look the same), so the flags skip the row.
    pub(crate) end: Option<Nanos>,
    pub(crate) attended_end: Nanos,
}

impl Span {
    pub(crate) fn of(counted: &Counted) -> Option<Span> {
        let (start, end) = counted.interval?;
        let attended_end = counted
            .attended_interval()
            .map_or(start, |(_, attended_end)| attended_end);
        let recorded = !counted.problems.contains(RowProblem::LeaveNotRecorded);
        Some(Span {
            start,
            end: recorded.then_some(end),
            attended_end,
        })
    }
}

/// The union of a user's intervals, walked in start order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Merged {
    pub(crate) attended: Nanos,
    pub(crate) reconnects: u32,
    pub(crate) multi_device: bool,
}

/// Merges spans sorted by start. Reconnects and overlaps are read from the whole recorded
/// intervals; attended time is the union of the attended parts, clipped to the window. A gap
/// is measured from the end of everything before, so a short session inside a long one is an
/// overlap, not a reconnect.
pub(crate) fn merge_sorted(spans: &[Span], window: Option<Window>, reconnect_gap: Nanos) -> Merged {
    let clip = |from: Nanos, to: Nanos| window.map_or(to - from, |w| w.overlap(from, to));
    let mut merged = Merged::default();
    let mut run_end: Option<Nanos> = None;
    for (start, end) in spans
        .iter()
        .filter_map(|span| span.end.map(|end| (span.start, end)))
    {
        match run_end {
            Some(until) if start < until => {
                merged.multi_device = true;
                run_end = Some(until.max(end));
            }
            Some(until) => {
                if start - until < reconnect_gap {
                    merged.reconnects += 1;
                }
                run_end = Some(end);
            }
            None => run_end = Some(end),
        }
    }
    let Some(first) = spans.first() else {
        return merged;
    };
    let (mut attended_start, mut attended_end) = (first.start, first.attended_end);
    for span in &spans[1..] {
        if span.start < attended_end {
            attended_end = attended_end.max(span.attended_end);
        } else {
            merged.attended += clip(attended_start, attended_end);
            (attended_start, attended_end) = (span.start, span.attended_end);
        }
    }
    merged.attended += clip(attended_start, attended_end);
    merged
}

/// Figures for every user with at least one of `rows`, ordered by `UserId`.
pub fn user_figures(
    store: &SessionStore,
    rows: &[RowId],
    now: Nanos,
    thresholds: &Thresholds,
) -> Vec<UserFigures> {
    user_figures_in_passes(store, rows, now, thresholds, ROWS_PER_PASS)
}

/// The most rows grouped at once. The users are taken in ranges of about this many rows, each
/// grouped and computed before the next, so that the compact copies of the rows (32 bytes
/// each) take 8 MB whatever the call: at a million rows, one pass over all of them held 32 MB
/// beside everything else, the highest memory of a load. Each range reads the rows again, in
/// their order.
const ROWS_PER_PASS: usize = 1 << 18;

fn user_figures_in_passes(
    store: &SessionStore,
    rows: &[RowId],
    now: Nanos,
    thresholds: &Thresholds,
    rows_per_pass: usize,
) -> Vec<UserFigures> {
    let offsets = offsets_by_user(store, rows);
    let ctx = store.row_context(now);
    let mut spans = Vec::new();
    let mut figures = Vec::new();
    let users = offsets.len() - 1;
    let mut first = 0;
    while first < users {
        // The users from `first` whose rows fit in one pass; at least `first` itself.
        let base = offsets[first];
        let fitting = offsets[first + 1..]
            .partition_point(|&offset| (offset - base) as usize <= rows_per_pass);
        let end = first + fitting.max(1);
        let entries = group_by_user(store, rows, first..end, &offsets[first..=end]);
        for (user, bounds) in (first..end).zip(offsets[first..=end].windows(2)) {
            let own = &entries[(bounds[0] - base) as usize..(bounds[1] - base) as usize];
            if own.is_empty() {
                continue;
            }
            spans.clear();
            let mut tally = Tally::new(own.len());
            for entry in own {
                let counted = entry.counted(&ctx);
                tally.add(&counted);
                spans.extend(Span::of(&counted));
            }
            spans.sort_unstable_by_key(|span| span.start);
            let merged = merge_sorted(&spans, ctx.window, thresholds.reconnect_gap);
            figures.push(finish(
                UserId(user as u32),
                &tally,
                merged,
                &ctx,
                thresholds,
            ));
        }
        first = end;
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

/// The rows of `users`, each user's together: user `u`'s at `offsets[u - users.start]`
/// less `offsets[0]` onwards (`offsets` covers the range and its end).
fn group_by_user(
    store: &SessionStore,
    rows: &[RowId],
    users: std::ops::Range<usize>,
    offsets: &[u32],
) -> Vec<UserEntry> {
    let base = offsets[0];
    let mut cursors: Vec<u32> = offsets[..offsets.len() - 1]
        .iter()
        .map(|&offset| offset - base)
        .collect();
    let empty = UserEntry {
        joined: ABSENT,
        left: ABSENT,
        duration: ABSENT,
        problems: Problems::NONE,
    };
    let mut entries = vec![empty; (offsets[offsets.len() - 1] - base) as usize];
    for &id in rows {
        let row = store.row(id);
        let Some(cursor) = (row.user as usize)
            .checked_sub(users.start)
            .and_then(|at| cursors.get_mut(at))
        else {
            continue;
        };
        entries[*cursor as usize] = UserEntry {
            joined: row.joined_at().unwrap_or(ABSENT),
            left: row.left_at().unwrap_or(ABSENT),
            duration: store.duration_in_seconds(id, row).unwrap_or(ABSENT),
            problems: row.stored_problems(),
        };
        *cursor += 1;
    }
    entries
}

fn finish(
    user: UserId,
    tally: &Tally,
    merged: Merged,
    ctx: &RowContext,
    thresholds: &Thresholds,
) -> UserFigures {
    let window = ctx.window;
    let first_join = tally.first_join;
    let last_leave = tally.latest_leave.filter(|_| !tally.open);
    let last_end = if tally.open {
        Some(ctx.now)
    } else {
        last_leave
    };
    let attended = merged.attended;
    let attendance_tenths =
        window.and_then(|w| percent_tenths(attended / NANOS_PER_SEC, w.len() / NANOS_PER_SEC));
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
        reconnects: merged.reconnects,
        problems: tally.problems,
        marks: Marks::new(
            attendance_tenths,
            [
                (late, Marks::LATE),
                (left_early, Marks::LEFT_EARLY),
                (merged.multi_device, Marks::MULTI_DEVICE),
                (tally.open, Marks::IN_CALL_NOW),
            ],
        ),
        connected_seconds: tally.connected_seconds,
        attended,
        first_join: first_join.unwrap_or(ABSENT),
        last_end: last_end.unwrap_or(ABSENT),
    }
}

/// Rows grouped by user, each user's in their given order (offsets indexed by `UserId`).
#[derive(Debug, Clone, Default)]
pub(crate) struct UserRows {
    offsets: Vec<u32>,
    rows: Vec<RowId>,
}

impl UserRows {
    /// No rows.
    pub(crate) const EMPTY: UserRows = UserRows {
        offsets: Vec::new(),
        rows: Vec::new(),
    };

    pub(crate) fn group(store: &SessionStore, rows: &[RowId]) -> UserRows {
        let users = store.user_count();
        let mut offsets = vec![0u32; users + 1];
        let owners: Vec<usize> = rows
            .iter()
            .map(|&id| store.get(id).map_or(0, |row| row.user().index()))
            .collect();
        for &user in &owners {
            offsets[user + 1] += 1;
        }
        for user in 0..users {
            offsets[user + 1] += offsets[user];
        }
        let mut next = offsets.clone();
        let mut grouped = vec![RowId(0); rows.len()];
        for (&id, &user) in rows.iter().zip(&owners) {
            grouped[next[user] as usize] = id;
            next[user] += 1;
        }
        UserRows {
            offsets,
            rows: grouped,
        }
    }

    /// The user's matching rows, by row id.
    pub(crate) fn of(&self, user: UserId) -> &[RowId] {
        match (
            self.offsets.get(user.index()),
            self.offsets.get(user.index() + 1),
        ) {
            (Some(&from), Some(&to)) => &self.rows[from as usize..to as usize],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        DAY, MIN, SEC, T0, all_rows, closed, ended_call, open, page, session, store_of,
    };
    use super::*;

    fn figures_of(store: &SessionStore, now: Nanos) -> Vec<UserFigures> {
        user_figures(store, &all_rows(store), now, &Thresholds::default())
    }

    /// Users taken in ranges of any number of rows (a user's rows are never split, even
    /// past the number) have the figures one range of every user gives, filtered rows too.
    #[test]
    fn figures_do_not_depend_on_how_many_rows_a_pass_groups() {
        let store = ended_call(vec![
            closed("carol", "c-1", 0, 10 * MIN),
            closed("alice", "a-1", 0, 30 * MIN),
            closed("bob", "b-1", 5 * MIN, 50 * MIN),
            closed("alice", "a-2", 20 * MIN, 40 * MIN),
            closed("dave", "d-1", 30 * MIN, 35 * MIN),
            closed("carol", "c-2", 12 * MIN, 60 * MIN),
            closed("alice", "a-3", 45 * MIN, 55 * MIN),
        ]);
        let now = T0 + 90 * MIN;
        let thresholds = Thresholds::default();
        let every_row = all_rows(&store);
        let some_rows: Vec<RowId> = every_row.iter().copied().skip(1).step_by(2).collect();
        for rows in [every_row, some_rows] {
            let whole = user_figures_in_passes(&store, &rows, now, &thresholds, usize::MAX);
            assert!(!whole.is_empty());
            for rows_per_pass in 0..=rows.len() {
                assert_eq!(
                    user_figures_in_passes(&store, &rows, now, &thresholds, rows_per_pass),
                    whole,
                    "{rows_per_pass} rows a pass"
                );
            }
        }
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
        assert!(alice.multi_device());
        assert_eq!(alice.reconnects, 0);
        assert_eq!(alice.first_join(), Some(T0));
        assert_eq!(alice.last_leave(), Some(T0 + 40 * MIN));
        assert_eq!(alice.span(), 40 * MIN);
        assert_eq!(alice.attendance_tenths(), Some(667));
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
        assert!(!bob.multi_device());
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
        assert!(!bob.multi_device());
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
        assert!(carol.multi_device());
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
        assert!(dave.in_call_now());
        assert_eq!(dave.last_leave(), None);
        assert_eq!(dave.connected_seconds, 15 * 60);
        assert_eq!(dave.attended, 15 * MIN);
        assert_eq!(dave.span(), 15 * MIN);
        assert_eq!(dave.attendance_tenths(), Some(750));
        assert!(!dave.left_early());
        let later = only(&store, now + 10 * MIN);
        assert_eq!(later.connected_seconds, 25 * 60);
    }

    #[test]
    fn attendance_is_clipped_to_the_window_and_never_above_100() {
        let store = ended_call(vec![closed("erin", "e", -10 * MIN, 70 * MIN)]);
        let erin = only(&store, AFTER);
        assert_eq!(erin.connected_seconds, 80 * 60);
        assert_eq!(erin.attended, 60 * MIN);
        assert_eq!(erin.attendance_tenths(), Some(1000));
        assert!(!erin.late() && !erin.left_early());
    }

    #[test]
    fn late_and_left_early_use_strict_grace_periods() {
        let store = ended_call(vec![
            closed("on-time", "a", 5 * MIN, 55 * MIN),
            closed("tardy", "b", 5 * MIN + SEC, 60 * MIN),
            closed("leaver", "c", 0, 55 * MIN - SEC),
        ]);
        let figures = figures_of(&store, AFTER);
        let flags: Vec<(bool, bool)> = figures.iter().map(|u| (u.late(), u.left_early())).collect();
        assert_eq!(flags, [(false, false), (true, false), (false, true)]);
    }

    #[test]
    fn nobody_left_early_while_still_connected() {
        let store = store_of(page(
            Some(session(Some(0), None)),
            vec![
                closed("frank", "f1", 0, 10 * MIN),
                open("frank", "f2", 20 * MIN),
            ],
        ));
        let frank = only(&store, T0 + 60 * MIN);
        assert!(frank.in_call_now());
        assert!(!frank.left_early());
        assert_eq!(frank.attended, 10 * MIN + 40 * MIN);
    }

    #[test]
    fn once_the_session_ended_an_open_row_is_a_leave_not_recorded() {
        let store = ended_call(vec![
            closed("frank", "f1", 0, 10 * MIN),
            open("frank", "f2", 20 * MIN),
        ]);
        let frank = only(&store, AFTER + 200 * 24 * 60 * MIN);
        assert!(!frank.in_call_now());
        assert_eq!(frank.attended, 10 * MIN + 40 * MIN);
        assert_eq!(frank.connected_seconds, 10 * 60);
        assert_eq!(frank.last_leave(), Some(T0 + 60 * MIN));
        assert_eq!(frank.span(), 60 * MIN);
        assert!(
            frank
                .problems
                .contains(crate::attendance::RowProblem::LeaveNotRecorded)
        );
    }

    #[test]
    fn attendance_is_whole_seconds_over_whole_seconds_rounded_half_up() {
        assert_eq!(percent_tenths(1, 8), Some(125), "12.5 exactly");
        assert_eq!(percent_tenths(1, 16), Some(63), "6.25 rounds up to 6.3");
        assert_eq!(percent_tenths(2, 3), Some(667));
        assert_eq!(percent_tenths(1, 3), Some(333));
        assert_eq!(percent_tenths(3601, 3600), Some(1000));
        assert_eq!(percent_tenths(5, 0), None);
        assert_eq!(percent_tenths(-5, 10), Some(0));
        // A spreadsheet dividing the exported columns gets the same tenth.
        for (part, whole) in [(1_234, 5_400), (2_699, 5_400), (7, 5_400), (5_399, 5_400)] {
            let sheet = (part as f64 / whole as f64 * 1000.0 + 0.5).floor() as u16;
            assert_eq!(percent_tenths(part, whole), Some(sheet), "{part}/{whole}");
        }
        // The shown seconds decide: 1799.9 s attended over 3600.4 s is 1799 / 3600.
        let store = ended_call(vec![closed("gina", "g", 0, 30 * MIN - SEC / 10)]);
        let gina = only(&store, AFTER);
        assert_eq!(gina.attendance_tenths(), percent_tenths(1799, 3600));
    }

    /// 807,000 users in the `huge` scenario: every byte here is 0.8 MB resident.
    #[test]
    fn a_users_figures_take_48_bytes() {
        assert_eq!(size_of::<UserFigures>(), 48);
    }

    /// The instants are kept as sent, to the nanosecond, wherever they fall: from the first
    /// plausible instant (2000) to the last (2100), and a day before and after the call's
    /// rows. (A known session window clips them to itself; here none is known, and the rows
    /// make the window.)
    #[test]
    fn first_join_and_last_leave_keep_any_plausible_instant_to_the_nanosecond() {
        use super::super::problems::{EARLIEST, LATEST};
        let (first, last) = (EARLIEST + 1, LATEST - 1);
        let mut wide = closed("amy", "a1", 0, 0);
        wide.joined_at = Some(first);
        wide.left_at = Some(last);
        wide.duration_in_seconds = Some((last - first) / SEC);
        let odd = closed("bo", "b1", -DAY - 7, 3 * DAY + 999_999_999);
        let store = store_of(page(None, vec![wide, odd]));
        let figures = figures_of(&store, AFTER);
        let (amy, bo) = (&figures[0], &figures[1]);
        assert_eq!(
            (amy.first_join(), amy.last_leave()),
            (Some(first), Some(last))
        );
        assert_eq!(amy.span(), last - first);
        assert_eq!(
            (bo.first_join(), bo.last_leave()),
            (Some(T0 - DAY - 7), Some(T0 + 3 * DAY + 999_999_999))
        );
        assert_eq!(bo.span(), 4 * DAY + 999_999_999 + 7);
        // Attended runs to the join plus the whole seconds of the duration.
        assert_eq!(bo.attended, 4 * DAY + SEC);
        assert_eq!(
            bo.attendance_tenths(),
            Some(0),
            "4 days of the rows' 100 years"
        );
        assert_eq!(
            (bo.late(), bo.left_early(), bo.in_call_now()),
            (true, true, false)
        );
        assert_eq!((amy.late(), amy.left_early()), (false, false));
    }

    /// The percentage and the four flags share one `u16`: each reads back as set, in every
    /// combination.
    #[test]
    fn the_packed_marks_read_back_every_flag_and_percentage() {
        for tenths in [None, Some(0), Some(1), Some(999), Some(1000)] {
            for bits in 0..16u16 {
                let flag = |i: u16| bits & (1 << i) != 0;
                let marks = Marks::new(
                    tenths,
                    [
                        (flag(0), Marks::LATE),
                        (flag(1), Marks::LEFT_EARLY),
                        (flag(2), Marks::MULTI_DEVICE),
                        (flag(3), Marks::IN_CALL_NOW),
                    ],
                );
                assert_eq!(marks.tenths(), tenths);
                let read = [
                    marks.has(Marks::LATE),
                    marks.has(Marks::LEFT_EARLY),
                    marks.has(Marks::MULTI_DEVICE),
                    marks.has(Marks::IN_CALL_NOW),
                ];
                assert_eq!(read, [flag(0), flag(1), flag(2), flag(3)]);
            }
        }
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
        assert_eq!(gina[0].last_leave(), Some(T0 + 10 * MIN));
        assert!(user_figures(&store, &[], AFTER, &Thresholds::default()).is_empty());
    }
}
