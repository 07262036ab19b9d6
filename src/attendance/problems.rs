//! Messy rows: the kinds of problem a participant session can have, and how such a row counts.
//!
//! Real attendance data has rows no clean scenario has: a leave never recorded (a killed tab),
//! a leave before the join, a negative duration, a duration that disagrees with the
//! timestamps, a join outside the session, values no clock produces. Each row is checked once
//! and gets a set of [`RowProblem`]s; [`Counted`] then says what the row adds to every figure.
//! The rule: **a messy row is flagged and explained, and never spreads into anyone else's
//! figures**, nor reduces its own user's valid time. Every output (tables, exports, `totals`,
//! the filter's `problem` term) reads the problems from here.
//!
//! The checks that need only the row run at ingest and are kept in two bytes of the row; the
//! two that depend on the session (was it ended, where is its window) run with a [`RowContext`],
//! once per pass over the rows.

use std::fmt;

use crate::api::SessionFields;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

use super::call::Window;
use super::row::RowId;
use super::store::SessionStore;
use super::zone::human_duration;

/// How far a duration may be from its timestamps, and a join or leave from the session's
/// bounds, before the row is flagged: Stream rounds durations down to whole seconds and its
/// services do not share one clock.
pub(crate) const TOLERANCE: Nanos = 2 * NANOS_PER_SEC;

/// The plausible instants: from 2000-01-01 to 2100-01-01 (UTC). Anything outside is no clock
/// reading (`i64::MIN` and `i64::MAX` have been seen) and is ignored.
pub(crate) const EARLIEST: Nanos = 946_684_800 * NANOS_PER_SEC;
pub(crate) const LATEST: Nanos = 4_102_444_800 * NANOS_PER_SEC;

/// The longest plausible `duration_in_seconds`: a year. Longer, either way, is no call.
pub(crate) const LONGEST_SECONDS: i64 = 366 * 86_400;

/// Whether `seconds`, a row's `duration_in_seconds`, is no length a call can have: over a
/// year either way (`i64::MIN` and `i64::MAX` have been seen).
pub(crate) fn absurd_seconds(seconds: i64) -> bool {
    seconds.unsigned_abs() > LONGEST_SECONDS.unsigned_abs()
}

/// A server's summed `total_participant_duration` (seconds) read against what it can be.
///
/// Stream sums the rows' `duration_in_seconds` as received, so one absurd row makes the whole
/// total absurd (`-9223372036854775808` has been served). Such a total is shown as the raw
/// seconds with the reason, never as a length of time: `-106751991167299d 21h connected` looks
/// like a figure and is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerDuration {
    /// Between zero and a year per session: shown as a length of time.
    Plausible(i64),
    /// Below zero, or more than a year per session: no sum of real sessions.
    Impossible {
        /// The total as sent.
        seconds: i64,
        /// `below zero` or `over a year per session`.
        reason: &'static str,
    },
}

impl ServerDuration {
    /// The largest session count assumed when the server gave none: more than any call.
    const SESSIONS_UNKNOWN: i64 = 10_000_000;

    /// Reads `seconds`, the server's total over `sessions` participant sessions (`None` when
    /// the server did not say how many).
    pub(crate) fn of(seconds: i64, sessions: Option<i64>) -> Self {
        let sessions = sessions.unwrap_or(Self::SESSIONS_UNKNOWN).max(1);
        if seconds < 0 {
            ServerDuration::Impossible {
                seconds,
                reason: "below zero",
            }
        } else if seconds > sessions.saturating_mul(LONGEST_SECONDS) {
            ServerDuration::Impossible {
                seconds,
                reason: "over a year per session",
            }
        } else {
            ServerDuration::Plausible(seconds)
        }
    }
}

/// `2h 03m 00s`, or `-9223372036854775808 s, impossible (below zero)`.
impl fmt::Display for ServerDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ServerDuration::Plausible(seconds) => f.write_str(&human_duration(seconds)),
            ServerDuration::Impossible { seconds, reason } => {
                write!(f, "{seconds} s, impossible ({reason})")
            }
        }
    }
}

/// One kind of problem a participant session can have. Each names itself for scripts
/// ([`RowProblem::name`]) and people ([`RowProblem::label`]) and says how the row is counted
/// ([`RowProblem::explanation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RowProblem {
    /// No `left_at` although the session has ended (a killed tab, a dropped device).
    LeaveNotRecorded,
    /// A `left_at` or a duration, but no `joined_at`.
    JoinNotRecorded,
    /// Neither `joined_at` nor `left_at`.
    NoTimes,
    /// `left_at` before `joined_at`.
    LeaveBeforeJoin,
    /// A negative `duration_in_seconds`.
    NegativeDuration,
    /// `duration_in_seconds` differs from `left_at − joined_at` by more than [`TOLERANCE`].
    DurationMismatch,
    /// A `left_at` but no `duration_in_seconds`.
    DurationNotRecorded,
    /// Joined before the session started or after it ended (or after the present of a live
    /// one), or left after it ended, by more than [`TOLERANCE`].
    OutsideSession,
    /// An instant outside 2000–2100 or a duration over a year (`i64` extremes included).
    AbsurdValue,
}

impl RowProblem {
    /// Every kind, in the order outputs list them.
    pub(crate) const ALL: [RowProblem; 9] = [
        RowProblem::LeaveNotRecorded,
        RowProblem::JoinNotRecorded,
        RowProblem::NoTimes,
        RowProblem::LeaveBeforeJoin,
        RowProblem::NegativeDuration,
        RowProblem::DurationMismatch,
        RowProblem::DurationNotRecorded,
        RowProblem::OutsideSession,
        RowProblem::AbsurdValue,
    ];

    /// The name in JSON and CSV: `leave_not_recorded`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RowProblem::LeaveNotRecorded => "leave_not_recorded",
            RowProblem::JoinNotRecorded => "join_not_recorded",
            RowProblem::NoTimes => "no_times_recorded",
            RowProblem::LeaveBeforeJoin => "leave_before_join",
            RowProblem::NegativeDuration => "negative_duration",
            RowProblem::DurationMismatch => "duration_mismatch",
            RowProblem::DurationNotRecorded => "duration_not_recorded",
            RowProblem::OutsideSession => "outside_session",
            RowProblem::AbsurdValue => "absurd_value",
        }
    }

    /// The name on screen: `leave not recorded`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            RowProblem::LeaveNotRecorded => "leave not recorded",
            RowProblem::JoinNotRecorded => "join not recorded",
            RowProblem::NoTimes => "no times recorded",
            RowProblem::LeaveBeforeJoin => "leave before join",
            RowProblem::NegativeDuration => "negative duration",
            RowProblem::DurationMismatch => "duration disagrees with times",
            RowProblem::DurationNotRecorded => "duration not recorded",
            RowProblem::OutsideSession => "outside the session",
            RowProblem::AbsurdValue => "absurd value",
        }
    }

    /// What the problem is and how the row is counted despite it.
    pub(crate) fn explanation(self) -> &'static str {
        match self {
            RowProblem::LeaveNotRecorded => {
                "the session ended but this row has no left_at: it counts until the session's \
                 end in attended time, adds nothing to connected time, and its user is not in \
                 the call"
            }
            RowProblem::JoinNotRecorded => {
                "no joined_at: the row counts as a session and its duration_in_seconds as \
                 connected time, but it takes no place in time"
            }
            RowProblem::NoTimes => {
                "joined_at and left_at are both missing: the row counts as a session, with no \
                 place in time (a duration_in_seconds, if any, still counts as connected time)"
            }
            RowProblem::LeaveBeforeJoin => {
                "left_at is before joined_at: the row takes no place in time"
            }
            RowProblem::NegativeDuration => {
                "duration_in_seconds is negative: it adds nothing to connected time, and the \
                 user's other time is untouched"
            }
            RowProblem::DurationMismatch => {
                "duration_in_seconds differs from left_at - joined_at by more than 2 s: the \
                 duration counts as connected time, and the row's attended time is at most it"
            }
            RowProblem::DurationNotRecorded => {
                "left_at without duration_in_seconds: the row adds its interval to attended \
                 time and nothing to connected time"
            }
            RowProblem::OutsideSession => {
                "joined before the session started or after it ended, or left after it ended \
                 (by more than 2 s): its interval is clipped to the session"
            }
            RowProblem::AbsurdValue => {
                "a time outside the years 2000-2100 or a duration over a year: that value is \
                 ignored"
            }
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A set of [`RowProblem`]s, two bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Problems(u16);

impl Problems {
    pub(crate) const NONE: Problems = Problems(0);

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn contains(self, problem: RowProblem) -> bool {
        self.0 & problem.bit() != 0
    }

    pub(crate) fn with(self, problem: RowProblem) -> Problems {
        Problems(self.0 | problem.bit())
    }

    pub(crate) fn union(self, other: Problems) -> Problems {
        Problems(self.0 | other.0)
    }

    pub(crate) fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The kinds in the set, in [`RowProblem::ALL`]'s order.
    pub(crate) fn iter(self) -> impl Iterator<Item = RowProblem> {
        RowProblem::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<RowProblem> for Problems {
    fn from_iter<I: IntoIterator<Item = RowProblem>>(iter: I) -> Self {
        iter.into_iter().fold(Problems::NONE, Problems::with)
    }
}

/// Labels joined by commas: `leave not recorded, negative duration`.
impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            f.write_str(problem.label())?;
        }
        Ok(())
    }
}

/// A row's three values as the API sent them (`None` when absent or `null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTimes {
    pub(crate) joined_at: Option<Nanos>,
    pub(crate) left_at: Option<Nanos>,
    pub(crate) duration_in_seconds: Option<i64>,
}

/// `at` when it is a clock reading (2000–2100), else `None`.
pub(crate) fn plausible_instant(at: Option<Nanos>) -> Option<Nanos> {
    at.filter(|at| (EARLIEST..LATEST).contains(at))
}

/// The values the figures may use: absurd ones dropped, an inverted pair dropped, a negative
/// or absurd duration dropped.
#[derive(Debug, Clone, Copy)]
struct Trusted {
    joined: Option<Nanos>,
    left: Option<Nanos>,
    duration: Option<i64>,
}

impl RawTimes {
    /// The three values of any form of a row.
    pub(crate) fn of(row: &impl SessionFields) -> Self {
        RawTimes {
            joined_at: row.joined_at(),
            left_at: row.left_at(),
            duration_in_seconds: row.duration_in_seconds(),
        }
    }

    /// The problems visible in the row alone: everything but [`RowProblem::LeaveNotRecorded`]
    /// and [`RowProblem::OutsideSession`], which depend on the session.
    pub(crate) fn problems(&self) -> Problems {
        let mut problems = Problems::NONE;
        let joined = plausible_instant(self.joined_at);
        let left = plausible_instant(self.left_at);
        let absurd_instant = joined != self.joined_at || left != self.left_at;
        let absurd_duration = self.duration_in_seconds.is_some_and(absurd_seconds);
        if absurd_instant || absurd_duration {
            problems = problems.with(RowProblem::AbsurdValue);
        }
        match (self.joined_at, self.left_at) {
            (None, None) => problems = problems.with(RowProblem::NoTimes),
            (None, Some(_)) => problems = problems.with(RowProblem::JoinNotRecorded),
            _ => {}
        }
        if self.left_at.is_some() && self.duration_in_seconds.is_none() {
            problems = problems.with(RowProblem::DurationNotRecorded);
        }
        if self.duration_in_seconds.is_some_and(|seconds| seconds < 0) {
            problems = problems.with(RowProblem::NegativeDuration);
        }
        if let (Some(joined), Some(left)) = (joined, left) {
            if left < joined {
                problems = problems.with(RowProblem::LeaveBeforeJoin);
            } else if let Some(seconds) = self
                .duration_in_seconds
                .filter(|seconds| (0..=LONGEST_SECONDS).contains(seconds))
            {
                let said = i128::from(seconds) * i128::from(NANOS_PER_SEC);
                let measured = i128::from(left - joined);
                if (said - measured).abs() > i128::from(TOLERANCE) {
                    problems = problems.with(RowProblem::DurationMismatch);
                }
            }
        }
        problems
    }

    /// The join and leave left once absurd or inverted values are dropped.
    pub(crate) fn trusted_bounds(&self) -> (Option<Nanos>, Option<Nanos>) {
        let trusted = self.trusted();
        (trusted.joined, trusted.left)
    }

    fn trusted(&self) -> Trusted {
        let mut joined = plausible_instant(self.joined_at);
        let mut left = plausible_instant(self.left_at);
        if let (Some(j), Some(l)) = (joined, left)
            && l < j
        {
            (joined, left) = (None, None);
        }
        let duration = self
            .duration_in_seconds
            .filter(|seconds| (0..=LONGEST_SECONDS).contains(seconds));
        Trusted {
            joined,
            left,
            duration,
        }
    }
}

/// What the session says about every row: whether it is still running, its window, and the
/// present. Taken from the store once per pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowContext {
    /// The session is running: a row without `left_at` is still in the call.
    pub(crate) live: bool,
    pub(crate) window: Option<Window>,
    pub(crate) now: Nanos,
}

impl RowContext {
    /// A live session whose window is not known yet.
    pub(crate) fn unknown_live(now: Nanos) -> RowContext {
        RowContext {
            live: true,
            window: None,
            now,
        }
    }
}

/// How one row counts in the figures, once its problems are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counted {
    /// The time the row occupies, `[start, end)`: from its timestamps, up to `now` while it is
    /// open in a live session, up to the session's end when its leave was not recorded, and
    /// clipped to the window when it lies outside. `None` when it takes no place in time.
    pub(crate) interval: Option<(Nanos, Nanos)>,
    /// The trusted join, for first joins (clipped like the interval).
    pub(crate) joined: Option<Nanos>,
    /// The recorded (or, for a leave not recorded, assumed) leave; `None` while in the call.
    pub(crate) left: Option<Nanos>,
    /// The row's part in attended time ends by this instant (its trusted join plus its own
    /// duration), when it has a duration.
    pub(crate) attended_until: Option<Nanos>,
    /// Its part in connected time: its `duration_in_seconds` when valid, `now − joined_at`
    /// while open in a live session, else 0. Never negative, never absurd.
    pub(crate) connected_seconds: i64,
    /// Still in the call: open in a live session.
    pub(crate) open: bool,
    pub(crate) problems: Problems,
}

impl Counted {
    /// How the row counts, given its stored problems (from [`RawTimes::problems`]).
    pub(crate) fn of(raw: RawTimes, stored: Problems, ctx: &RowContext) -> Counted {
        let trusted = raw.trusted();
        let mut problems = stored;
        let mut joined = trusted.joined;
        let mut left = trusted.left;
        let mut open = false;
        let mut assumed_end = None;
        if raw.left_at.is_none() && joined.is_some() {
            if ctx.live {
                open = true;
            } else {
                problems = problems.with(RowProblem::LeaveNotRecorded);
                assumed_end = ctx.window.map(|w| w.end);
            }
        }
        if let Some(window) = ctx.window {
            let latest = if ctx.live { ctx.now } else { window.end };
            let early = joined.is_some_and(|j| j < window.start - TOLERANCE);
            let late = joined.is_some_and(|j| j > latest + TOLERANCE)
                || left.is_some_and(|l| l > window.end + TOLERANCE && !ctx.live);
            if early || late {
                problems = problems.with(RowProblem::OutsideSession);
                joined = joined.map(|j| j.clamp(window.start, latest.max(window.start)));
                left = left.map(|l| l.clamp(window.start, window.end));
                open &= !late;
            }
        }
        let end = match (left, open) {
            (Some(left), _) => Some(left),
            (None, true) => Some(ctx.now),
            (None, false) => assumed_end,
        };
        let interval = match (joined, end) {
            (Some(start), Some(end)) if end > start => Some((start, end)),
            _ => None,
        };
        let connected_seconds = if open {
            joined.map_or(0, |j| (ctx.now - j).max(0) / NANOS_PER_SEC)
        } else {
            trusted.duration.unwrap_or(0)
        };
        Counted {
            interval,
            joined,
            left: if open { None } else { end },
            attended_until: trusted
                .joined
                .zip(trusted.duration)
                .map(|(joined, seconds)| joined + seconds * NANOS_PER_SEC),
            connected_seconds,
            open,
            problems,
        }
    }

    /// The part of the interval that counts as attended: never longer than the row's own
    /// duration, which Stream rounds down to whole seconds.
    pub(crate) fn attended_interval(&self) -> Option<(Nanos, Nanos)> {
        let (start, end) = self.interval?;
        let end = self.attended_until.map_or(end, |until| end.min(until));
        (end > start).then_some((start, end))
    }
}

/// The problems among a set of rows, and how the durations received became connected time:
/// `connected = received − ignored + open`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataQuality {
    /// Rows with at least one problem.
    pub rows: u64,
    /// Rows with each kind, in [`RowProblem::ALL`]'s order.
    pub(crate) by_kind: [u64; RowProblem::ALL.len()],
    /// Sum of `duration_in_seconds` as received, absurd ones (over a year either way) left
    /// out: they are named as [`RowProblem::AbsurdValue`] and count nowhere.
    pub(crate) received_seconds: i64,
    /// The part of it not counted as connected time: negative durations, and durations sent
    /// on sessions still open.
    pub(crate) ignored_seconds: i64,
    /// Seconds added for sessions open in a live call, which have no duration yet.
    pub open_seconds: i64,
}

impl DataQuality {}

/// The [`DataQuality`] of `rows`.
pub(crate) fn data_quality(store: &SessionStore, rows: &[RowId], now: Nanos) -> DataQuality {
    let ctx = store.row_context(now);
    let mut quality = DataQuality::default();
    for &id in rows {
        let row = store.row(id);
        let counted = row.counted(&ctx);
        let received = store
            .duration_in_seconds(id, row)
            .filter(|&seconds| !absurd_seconds(seconds))
            .unwrap_or(0);
        quality.received_seconds = quality.received_seconds.saturating_add(received);
        let ignored = if counted.open {
            quality.open_seconds = quality
                .open_seconds
                .saturating_add(counted.connected_seconds);
            received
        } else {
            received - counted.connected_seconds
        };
        quality.ignored_seconds = quality.ignored_seconds.saturating_add(ignored);
        if !counted.problems.is_empty() {
            quality.rows += 1;
            for problem in counted.problems.iter() {
                quality.by_kind[problem as usize] += 1;
            }
        }
    }
    quality
}

/// The rows among `rows` that have problems, with them, in the order given.
pub(crate) fn rows_with_problems(
    store: &SessionStore,
    rows: &[RowId],
    now: Nanos,
) -> Vec<(RowId, Problems)> {
    let ctx = store.row_context(now);
    rows.iter()
        .map(|&id| (id, store.row(id).counted(&ctx).problems))
        .filter(|(_, problems)| !problems.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{page, session, store_of};
    use super::super::{Figures, Thresholds, UserFigures};
    use super::*;
    use crate::api::models::ParticipantSessionDetails;

    /// 2026-05-12T09:00:00Z, the start of the session of every case below.
    const T0: Nanos = 1_778_576_400_000_000_000;
    const MINUTE: Nanos = 60_000_000_000;
    const SEC: Nanos = NANOS_PER_SEC;

    fn row(
        user: &str,
        id: &str,
        joined_at: Option<Nanos>,
        left_at: Option<Nanos>,
        duration_in_seconds: Option<i64>,
    ) -> ParticipantSessionDetails {
        ParticipantSessionDetails {
            user_id: user.into(),
            user_session_id: id.into(),
            publisher_type: "webrtc".into(),
            roles: vec!["user".into()],
            joined_at,
            left_at,
            duration_in_seconds,
        }
    }

    /// `T0 + from` → `T0 + to` minutes, with its exact duration.
    fn clean(user: &str, id: &str, from: i64, to: i64) -> ParticipantSessionDetails {
        let (joined, left) = (T0 + from * MINUTE, T0 + to * MINUTE);
        row(user, id, Some(joined), Some(left), Some((to - from) * 60))
    }

    /// A session `T0` → `T0 + 60 min` holding `rows`, ended (with its `ended_at`) or live.
    fn call(rows: Vec<ParticipantSessionDetails>, ended: bool) -> SessionStore {
        let mut session = session(None, None);
        session.started_at = Some(T0);
        session.ended_at = ended.then_some(T0 + 60 * MINUTE);
        let mut page = page(Some(session), rows);
        page.total_participant_duration = None;
        store_of(page)
    }

    const AFTER: Nanos = T0 + 24 * 60 * MINUTE;

    fn figures(store: &SessionStore, now: Nanos) -> Figures {
        let rows: Vec<RowId> = store.row_ids().collect();
        Figures::compute(store, &rows, now, &Thresholds::default())
    }

    fn user<'a>(store: &SessionStore, figures: &'a Figures, name: &str) -> &'a UserFigures {
        figures.user(store.find_user(name).unwrap()).unwrap()
    }

    fn problems_of(store: &SessionStore, id: &str, now: Nanos) -> Problems {
        let row = store.get(store.find(id).unwrap()).unwrap();
        row.counted(&store.row_context(now)).problems
    }

    #[test]
    fn an_unrecorded_leave_ends_at_the_sessions_end_and_never_makes_anyone_in_call() {
        let store = call(
            vec![
                clean("u-host", "e-1", 0, 60),
                row("u-ghost", "e-2", Some(T0 + 10 * MINUTE), None, None),
                clean("u-ghost", "e-3", 12, 50),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let ghost = user(&store, &figures, "u-ghost");
        assert_eq!(ghost.attended_seconds(), 3000);
        assert_eq!(ghost.connected_seconds, 2280, "e-2 has no duration");
        assert!(!ghost.in_call_now());
        assert_eq!(ghost.last_leave(), Some(T0 + 60 * MINUTE));
        assert!(ghost.problems.contains(RowProblem::LeaveNotRecorded));
        assert_eq!(
            problems_of(&store, "e-2", AFTER),
            Problems::NONE.with(RowProblem::LeaveNotRecorded)
        );
        assert_eq!(problems_of(&store, "e-3", AFTER), Problems::NONE);
        let host = user(&store, &figures, "u-host");
        assert_eq!(
            (host.attended_seconds(), host.connected_seconds),
            (3600, 3600)
        );
        assert!(host.problems.is_empty());
        // Months later the figures are the same: nothing counts up to the present.
        let later = self::figures(&store, AFTER + 200 * 24 * 60 * MINUTE);
        assert_eq!(later.call, figures.call);
        assert_eq!(
            figures.call.data_quality.by_kind[RowProblem::LeaveNotRecorded as usize],
            1
        );
        assert_eq!(figures.call.peak_sessions.value, 3);
    }

    #[test]
    fn the_same_open_row_in_a_live_session_is_in_the_call_and_counts_to_now() {
        let store = call(
            vec![row("u-live", "l-1", Some(T0 + 10 * MINUTE), None, None)],
            false,
        );
        let now = T0 + 30 * MINUTE;
        let figures = figures(&store, now);
        let live = user(&store, &figures, "u-live");
        assert!(live.in_call_now() && live.problems.is_empty());
        assert_eq!(
            (live.attended_seconds(), live.connected_seconds),
            (1200, 1200)
        );
        assert_eq!(figures.call.data_quality.open_seconds, 1200);
    }

    #[test]
    fn a_negative_row_never_erases_its_users_valid_time() {
        let store = call(
            vec![
                clean("u-ok", "j-1", 0, 60),
                row(
                    "u-skew",
                    "j-2",
                    Some(T0 + 30 * MINUTE),
                    Some(T0 + 20 * MINUTE),
                    Some(-600),
                ),
                clean("u-skew", "j-3", 31, 41),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let skew = user(&store, &figures, "u-skew");
        assert_eq!(skew.attended_seconds(), 600);
        assert_eq!(skew.connected_seconds, 600);
        assert_eq!(skew.first_join(), Some(T0 + 31 * MINUTE));
        assert_eq!(
            problems_of(&store, "j-2", AFTER),
            [RowProblem::LeaveBeforeJoin, RowProblem::NegativeDuration]
                .into_iter()
                .collect()
        );
        assert_eq!(figures.call.connected_seconds, 3600 + 600);
        let quality = &figures.call.data_quality;
        assert_eq!(quality.received_seconds, 3600 - 600 + 600);
        assert_eq!(quality.ignored_seconds, -600);
        assert_eq!(quality.rows, 1);
        let ok = user(&store, &figures, "u-ok");
        assert_eq!(ok.attended_seconds(), 3600);
    }

    #[test]
    fn a_negative_duration_on_sound_timestamps_keeps_the_interval_for_attended_time() {
        let store = call(
            vec![row(
                "u-neg",
                "n-1",
                Some(T0),
                Some(T0 + 10 * MINUTE),
                Some(-600),
            )],
            true,
        );
        let figures = figures(&store, AFTER);
        let neg = user(&store, &figures, "u-neg");
        assert_eq!((neg.attended_seconds(), neg.connected_seconds), (600, 0));
        assert!(neg.problems.contains(RowProblem::NegativeDuration));
        assert!(!neg.problems.contains(RowProblem::DurationMismatch));
    }

    #[test]
    fn a_row_without_times_counts_as_a_session_with_no_time() {
        let store = call(
            vec![
                row("u-none", "z-1", None, None, None),
                row("u-none", "z-2", None, None, Some(120)),
                clean("u-none", "z-3", 0, 10),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let none = user(&store, &figures, "u-none");
        assert_eq!(none.sessions, 3);
        assert_eq!(none.attended_seconds(), 600);
        assert_eq!(none.connected_seconds, 600 + 120);
        assert_eq!(
            problems_of(&store, "z-1", AFTER),
            Problems::NONE.with(RowProblem::NoTimes)
        );
        assert_eq!(figures.call.sessions, 3);
        assert_eq!(
            figures.call.data_quality.by_kind[RowProblem::NoTimes as usize],
            2
        );
    }

    #[test]
    fn a_duration_off_by_more_than_two_seconds_is_flagged_and_caps_attended_time() {
        let store = call(
            vec![
                row("u-a", "d-1", Some(T0), Some(T0 + 10 * MINUTE), Some(60)),
                row(
                    "u-b",
                    "d-2",
                    Some(T0),
                    Some(T0 + 10 * MINUTE + 2 * SEC),
                    Some(600),
                ),
                row(
                    "u-c",
                    "d-3",
                    Some(T0),
                    Some(T0 + 10 * MINUTE + 2 * SEC + 1),
                    Some(600),
                ),
                row(
                    "u-d",
                    "d-4",
                    Some(T0),
                    Some(T0 + 10 * MINUTE + SEC / 2),
                    Some(600),
                ),
            ],
            true,
        );
        assert!(problems_of(&store, "d-1", AFTER).contains(RowProblem::DurationMismatch));
        assert!(
            problems_of(&store, "d-2", AFTER).is_empty(),
            "2 s is within tolerance"
        );
        assert!(problems_of(&store, "d-3", AFTER).contains(RowProblem::DurationMismatch));
        let figures = figures(&store, AFTER);
        let a = user(&store, &figures, "u-a");
        assert_eq!((a.attended_seconds(), a.connected_seconds), (60, 60));
        // Stream rounds durations down: the timestamps' extra half second is not attended.
        let d = user(&store, &figures, "u-d");
        assert_eq!((d.attended, d.connected_seconds), (600 * SEC, 600));
    }

    #[test]
    fn joins_outside_the_session_are_clipped_to_it() {
        let store = call(
            vec![
                clean("u-early", "o-1", -10, 20),
                clean("u-late", "o-2", 70, 80),
                clean("u-over", "o-3", 50, 75),
                clean("u-edge", "o-4", 0, 60),
                row(
                    "u-edge",
                    "o-5",
                    Some(T0 - SEC),
                    Some(T0 + 60 * MINUTE + SEC),
                    Some(3602),
                ),
            ],
            true,
        );
        for id in ["o-1", "o-2", "o-3"] {
            assert_eq!(
                problems_of(&store, id, AFTER),
                Problems::NONE.with(RowProblem::OutsideSession),
                "{id}"
            );
        }
        assert!(
            problems_of(&store, "o-5", AFTER).is_empty(),
            "within tolerance"
        );
        let figures = figures(&store, AFTER);
        assert_eq!(
            user(&store, &figures, "u-early").attended_seconds(),
            20 * 60
        );
        assert_eq!(user(&store, &figures, "u-early").first_join(), Some(T0));
        assert_eq!(user(&store, &figures, "u-late").attended_seconds(), 0);
        assert_eq!(user(&store, &figures, "u-over").attended_seconds(), 10 * 60);
        assert_eq!(figures.call.window.unwrap().len(), 60 * MINUTE);
    }

    #[test]
    fn absurd_values_are_ignored_and_no_figure_wraps_around() {
        let store = call(
            vec![
                clean("u-real", "a-1", 0, 10),
                row(
                    "u-real",
                    "a-2",
                    Some(i64::MIN),
                    Some(i64::MAX),
                    Some(i64::MAX),
                ),
                row("u-real", "a-3", Some(T0), Some(i64::MAX), Some(i64::MIN)),
                row("u-real", "a-4", Some(0), Some(T0 + MINUTE), Some(60)),
                row(
                    "u-real",
                    "a-5",
                    Some(T0),
                    Some(T0 + MINUTE),
                    Some(400 * 86_400),
                ),
                row("u-real", "a-6", Some(T0), Some(T0 + MINUTE), Some(i64::MIN)),
                row(
                    "u-real",
                    "a-7",
                    Some(T0),
                    Some(T0 + MINUTE),
                    Some(-400 * 86_400),
                ),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let real = user(&store, &figures, "u-real");
        assert_eq!(real.attended_seconds(), 600, "{real:?}");
        assert_eq!(real.connected_seconds, 600 + 60);
        assert_eq!(figures.call.connected_seconds, 660);
        assert_eq!(figures.call.window.unwrap().len(), 60 * MINUTE);
        for id in ["a-2", "a-3", "a-4", "a-5", "a-6", "a-7"] {
            assert!(
                problems_of(&store, id, AFTER).contains(RowProblem::AbsurdValue),
                "{id}"
            );
        }
        let quality = &figures.call.data_quality;
        assert_eq!(
            quality.received_seconds - quality.ignored_seconds,
            figures.call.connected_seconds
        );
    }

    #[test]
    fn a_leave_without_a_join_or_a_duration_is_named() {
        let store = call(
            vec![
                row("u-x", "x-1", None, Some(T0 + MINUTE), Some(60)),
                row("u-x", "x-2", Some(T0), Some(T0 + MINUTE), None),
            ],
            true,
        );
        assert_eq!(
            problems_of(&store, "x-1", AFTER),
            Problems::NONE.with(RowProblem::JoinNotRecorded)
        );
        assert_eq!(
            problems_of(&store, "x-2", AFTER),
            Problems::NONE.with(RowProblem::DurationNotRecorded)
        );
        let figures = figures(&store, AFTER);
        let x = user(&store, &figures, "u-x");
        assert_eq!((x.attended_seconds(), x.connected_seconds), (60, 60));
    }

    #[test]
    fn a_leave_not_recorded_after_the_session_ended_counts_nothing() {
        let store = call(
            vec![
                clean("u-late", "g-1", 0, 30),
                row("u-late", "g-2", Some(T0 + 70 * MINUTE), None, None),
            ],
            true,
        );
        assert_eq!(
            problems_of(&store, "g-2", AFTER),
            [RowProblem::LeaveNotRecorded, RowProblem::OutsideSession]
                .into_iter()
                .collect()
        );
        let figures = figures(&store, AFTER);
        let late = user(&store, &figures, "u-late");
        assert_eq!(
            (late.attended_seconds(), late.connected_seconds),
            (1800, 1800)
        );
        assert!(!late.in_call_now());
        assert_eq!(figures.call.peak_sessions.value, 1);
    }

    /// A lost leave beside a later session of the same user: the later one may be the same
    /// person rejoining after a killed tab or a second device, so it is evidence of neither
    /// two devices nor a reconnect; recorded overlaps still are.
    #[test]
    fn a_leave_not_recorded_is_no_evidence_of_two_devices() {
        let store = call(
            vec![
                row("u-ghost", "g-1", Some(T0 + 10 * MINUTE), None, None),
                clean("u-ghost", "g-2", 12, 50),
                row("u-quick", "q-1", Some(T0 + 10 * MINUTE), None, None),
                row(
                    "u-quick",
                    "q-2",
                    Some(T0 + 10 * MINUTE + 30 * NANOS_PER_SEC),
                    Some(T0 + 20 * MINUTE),
                    Some(570),
                ),
                clean("u-both", "b-1", 0, 30),
                clean("u-both", "b-2", 10, 20),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let ghost = user(&store, &figures, "u-ghost");
        assert!(!ghost.multi_device() && ghost.reconnects == 0, "{ghost:?}");
        assert_eq!(ghost.attended_seconds(), 50 * 60, "10 min to the end");
        let quick = user(&store, &figures, "u-quick");
        assert!(!quick.multi_device() && quick.reconnects == 0, "{quick:?}");
        assert!(user(&store, &figures, "u-both").multi_device());
    }

    #[test]
    fn two_leaves_not_recorded_of_one_user_count_once_up_to_the_end() {
        let store = call(
            vec![
                row("u-two", "t-1", Some(T0 + 10 * MINUTE), None, None),
                row("u-two", "t-2", Some(T0 + 20 * MINUTE), None, None),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let two = user(&store, &figures, "u-two");
        assert_eq!((two.attended_seconds(), two.connected_seconds), (3000, 0));
        // The leaves are assumed, not recorded: no evidence of two devices at once.
        assert!(!two.in_call_now() && !two.multi_device());
        assert_eq!(two.last_leave(), Some(T0 + 60 * MINUTE));
        assert_eq!(
            figures.call.data_quality.by_kind[RowProblem::LeaveNotRecorded as usize],
            2
        );
    }

    #[test]
    fn an_inverted_row_inside_a_valid_one_takes_nothing_from_it() {
        let store = call(
            vec![
                clean("u-skew", "i-1", 31, 41),
                row(
                    "u-skew",
                    "i-2",
                    Some(T0 + 35 * MINUTE),
                    Some(T0 + 32 * MINUTE),
                    Some(-180),
                ),
                row(
                    "u-skew",
                    "i-3",
                    Some(T0 + 40 * MINUTE),
                    Some(T0 + 39 * MINUTE),
                    Some(60),
                ),
            ],
            true,
        );
        let figures = figures(&store, AFTER);
        let skew = user(&store, &figures, "u-skew");
        assert_eq!(skew.attended_seconds(), 600);
        // i-3's duration is sound on its own: it counts as connected time, the inverted
        // timestamps place it nowhere.
        assert_eq!(skew.connected_seconds, 600 + 60);
        assert_eq!(skew.first_join(), Some(T0 + 31 * MINUTE));
        assert!(problems_of(&store, "i-3", AFTER).contains(RowProblem::LeaveBeforeJoin));
    }

    #[test]
    fn a_join_after_the_present_of_a_live_session_is_outside_it_and_not_in_the_call() {
        let store = call(
            vec![
                row("u-now", "f-1", Some(T0 + 10 * MINUTE), None, None),
                row("u-next", "f-2", Some(T0 + 40 * MINUTE), None, None),
            ],
            false,
        );
        let now = T0 + 30 * MINUTE;
        assert_eq!(
            problems_of(&store, "f-2", now),
            Problems::NONE.with(RowProblem::OutsideSession)
        );
        let figures = figures(&store, now);
        let next = user(&store, &figures, "u-next");
        assert!(!next.in_call_now());
        assert_eq!((next.attended_seconds(), next.connected_seconds), (0, 0));
        assert_eq!(user(&store, &figures, "u-now").connected_seconds, 1200);
        // Within the 2 s the services' clocks may differ by, a join is not flagged.
        let store = call(
            vec![row("u-edge", "f-3", Some(now + SEC), None, None)],
            false,
        );
        assert!(problems_of(&store, "f-3", now).is_empty());
    }

    #[test]
    fn an_open_row_whose_join_is_no_clock_reading_shows_no_duration() {
        let store = call(
            vec![
                row("u-odd", "w-1", Some(i64::MIN), None, None),
                row("u-odd", "w-2", Some(T0 + 10 * MINUTE), None, None),
            ],
            false,
        );
        let now = T0 + 30 * MINUTE;
        let ctx = store.row_context(now);
        let shown = |id: &str| {
            let row = store.get(store.find(id).unwrap()).unwrap();
            row.shown_duration(&ctx)
        };
        assert_eq!(shown("w-1"), None, "not 106,751 days");
        assert_eq!(shown("w-2"), Some(1200));
        let figures = figures(&store, now);
        let odd = user(&store, &figures, "u-odd");
        assert_eq!(
            (odd.attended_seconds(), odd.connected_seconds),
            (1200, 1200)
        );
        assert!(odd.problems.contains(RowProblem::AbsurdValue));
    }

    #[test]
    fn every_kind_has_a_distinct_name_label_and_explanation() {
        let names: std::collections::HashSet<_> =
            RowProblem::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names.len(), RowProblem::ALL.len());
        for problem in RowProblem::ALL {
            assert!(!problem.label().is_empty() && problem.explanation().len() > 20);
        }
        let set: Problems = RowProblem::ALL.into_iter().collect();
        assert_eq!(set.iter().collect::<Vec<_>>(), RowProblem::ALL);
        assert_eq!(set.len(), RowProblem::ALL.len());
    }

    #[test]
    fn a_server_total_no_sessions_can_sum_to_is_impossible_never_a_length() {
        let year = 366 * 86_400;
        for (seconds, sessions, reason) in [
            (i64::MIN, Some(12), Some("below zero")),
            (i64::MIN + 5_400, Some(12), Some("below zero")),
            (-1, Some(12), Some("below zero")),
            (i64::MAX, Some(12), Some("over a year per session")),
            (i64::MAX, None, Some("over a year per session")),
            (2 * year + 1, Some(2), Some("over a year per session")),
            (2 * year + 1, Some(0), Some("over a year per session")),
            (2 * year, Some(2), None),
            (0, Some(0), None),
            (5_400, None, None),
        ] {
            let read = ServerDuration::of(seconds, sessions);
            match reason {
                Some(reason) => assert_eq!(
                    read,
                    ServerDuration::Impossible { seconds, reason },
                    "{seconds} over {sessions:?}"
                ),
                None => assert_eq!(read, ServerDuration::Plausible(seconds)),
            }
        }
    }
}
