//! Whether a read of a call session got every row, decided once for every output.
//!
//! Two checks, in order. The walk must have reached the end of the cursors (the pager's
//! [`StopReason`]), and Stream must have been ready to answer. Then the rows received,
//! deduplicated by `user_session_id`, are reconciled with the totals every response carries
//! for the whole session, `total_participant_sessions` and `total_participant_duration`:
//!
//! - unfiltered, on an ended session: the distinct rows must equal the sessions total, and the
//!   sum of their raw `duration_in_seconds` (as received, before any cleaning) must equal the
//!   duration total within 1 s per row (Stream does not document that its total is exactly
//!   that sum, so rounding of each row is allowed for);
//! - with a server filter, the totals still cover the whole session, so only "at most the
//!   total sessions" can be checked (a negative duration left out by the filter can put the
//!   duration total below the rows read);
//! - a live session is [`Completeness::Provisional`]: its totals lag its rows, and it is
//!   reconciled by the read after it ends;
//! - an expired session (rows purged after 90 days) is [`Completeness::Expired`]: complete
//!   with zero rows, only the totals remain.

use std::fmt;
use std::time::Duration;

use crate::api::StopReason;
use crate::attendance::{CallState, ServerTotals, thousands};

/// What a read received, deduplicated by `user_session_id` (the later copy of a row wins).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReadTally {
    /// Distinct participant sessions.
    pub(crate) sessions: u64,
    /// The sum of their `duration_in_seconds` as received; absent durations add nothing.
    pub(crate) raw_duration_seconds: i128,
    /// Rows without a readable `user_session_id`: they cannot be counted or deduplicated.
    pub(crate) unreadable_rows: u64,
}

/// How a read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadEnd {
    /// The pager stopped, at the last page or early.
    Stopped(StopReason),
    /// Stream kept answering 404 for a session known to exist, for this long.
    NotReady(Duration),
}

/// Whether the figures of a read can be trusted, with what is missing when not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Every row was read and agrees with Stream's totals (as far as a filter lets them tell).
    Complete,
    /// The session is live: the rows are as Stream reports them now and will change.
    Provisional,
    /// Stream purged the rows after 90 days: zero rows is complete, only the totals remain.
    Expired,
    /// Rows are missing or doubled: the figures must not be taken as exact.
    Incomplete(Shortfall),
}

/// What is missing from an incomplete read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// The walk stopped before the end of the cursors.
    Stopped {
        reason: StopReason,
        read: u64,
        total: Option<i64>,
    },
    /// Stream kept answering 404 for a session that exists.
    NotReady { waited: Duration },
    /// Rows that could not be read (no `user_session_id`, or a page that does not decode).
    Unreadable { rows: u64, read: u64 },
    /// The distinct rows differ from `total_participant_sessions`.
    Sessions { read: u64, total: i64 },
    /// The rows' raw durations differ from `total_participant_duration` by more than 1 s per
    /// row.
    Duration {
        read: u64,
        read_seconds: i128,
        total_seconds: i64,
    },
    /// With a server filter: more rows (or seconds) than the whole session has.
    OverTotal { read: u64, total: i64 },
    /// Stream sent no `total_participant_sessions`: nothing tells whether every row was read,
    /// so the read is doubtful, not complete.
    Unchecked { read: u64 },
}

/// Whether the server filtered the rows (`filter_conditions` was sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    WholeSession,
    ServerFiltered,
}

impl Completeness {
    /// Decides the completeness of a read. `state` is the session's data state as the read
    /// saw it (see [`crate::attendance::session_state`]).
    pub(crate) fn reconcile(
        end: ReadEnd,
        tally: ReadTally,
        totals: ServerTotals,
        scope: Scope,
        state: CallState,
    ) -> Completeness {
        let read = tally.sessions;
        let total = totals.participant_sessions;
        let shortfall = match end {
            ReadEnd::NotReady(waited) => Some(Shortfall::NotReady { waited }),
            ReadEnd::Stopped(reason) if !reason.is_complete() => Some(Shortfall::Stopped {
                reason,
                read,
                total,
            }),
            ReadEnd::Stopped(_) if tally.unreadable_rows > 0 => Some(Shortfall::Unreadable {
                rows: tally.unreadable_rows,
                read,
            }),
            ReadEnd::Stopped(_) => None,
        };
        if let Some(shortfall) = shortfall {
            return Completeness::Incomplete(shortfall);
        }
        match state {
            CallState::Live => return Completeness::Provisional,
            CallState::Expired if read == 0 => return Completeness::Expired,
            _ => {}
        }
        match against_totals(tally, totals, scope) {
            Some(shortfall) => Completeness::Incomplete(shortfall),
            None => Completeness::Complete,
        }
    }

    /// This completeness, unless `rows` rows could not be read by the consumer of the pages
    /// (its own decoding refused their page): they are then missing from its output, and
    /// `read` sessions remain.
    pub(crate) fn with_unreadable(self, rows: u64, read: u64) -> Completeness {
        match rows {
            0 => self,
            rows => Completeness::Incomplete(Shortfall::Unreadable { rows, read }),
        }
    }

    pub(crate) fn is_complete(&self) -> bool {
        !matches!(self, Completeness::Incomplete(_))
    }

    pub(crate) fn shortfall(&self) -> Option<Shortfall> {
        match self {
            Completeness::Incomplete(shortfall) => Some(*shortfall),
            _ => None,
        }
    }
}

/// The totals check, once the walk itself was whole. Stream always sends the totals (they are
/// required in its API specification); a read of the whole session without them cannot be
/// checked, and says so ([`Shortfall::Unchecked`]).
fn against_totals(tally: ReadTally, totals: ServerTotals, scope: Scope) -> Option<Shortfall> {
    let read = tally.sessions;
    let tolerance = i128::from(read);
    match scope {
        Scope::WholeSession => {
            let Some(total) = totals.participant_sessions else {
                return Some(Shortfall::Unchecked { read });
            };
            if i128::from(read) != i128::from(total) {
                return Some(Shortfall::Sessions { read, total });
            }
            let total_seconds = totals.participant_duration_seconds?;
            let off = (tally.raw_duration_seconds - i128::from(total_seconds)).abs();
            (off > tolerance).then_some(Shortfall::Duration {
                read,
                read_seconds: tally.raw_duration_seconds,
                total_seconds,
            })
        }
        // Only the sessions can be bounded: the duration total also holds the rows the filter
        // left out, and one negative duration among them (a messy row, flagged, not missing)
        // puts it below the sum of the rows read.
        Scope::ServerFiltered => match totals.participant_sessions {
            Some(total) if i128::from(read) > i128::from(total) => {
                Some(Shortfall::OverTotal { read, total })
            }
            _ => None,
        },
    }
}

impl Shortfall {
    /// Distinct sessions read.
    pub(crate) fn read(&self) -> Option<u64> {
        match *self {
            Shortfall::NotReady { .. } => None,
            Shortfall::Stopped { read, .. }
            | Shortfall::Unreadable { read, .. }
            | Shortfall::Sessions { read, .. }
            | Shortfall::Duration { read, .. }
            | Shortfall::OverTotal { read, .. }
            | Shortfall::Unchecked { read } => Some(read),
        }
    }

    /// The short form the dashboard shows: `incomplete: 900 of 5,000 sessions read`.
    pub fn headline(&self, total: Option<i64>) -> String {
        if let Shortfall::NotReady { .. } = self {
            return "incomplete: Stream is still preparing this session's attendance".to_owned();
        }
        if let Shortfall::Unchecked { read } = self {
            return format!(
                "not checked: Stream sent no totals; {} sessions read",
                thousands(i128::from(*read))
            );
        }
        match (self.read(), total) {
            (Some(read), Some(total)) => {
                format!(
                    "incomplete: {} of {} sessions read",
                    thousands(i128::from(read)),
                    thousands(i128::from(total))
                )
            }
            (Some(read), None) => format!("incomplete: {} sessions read", thousands(read.into())),
            (None, _) => "incomplete".to_owned(),
        }
    }
}

/// The full explanation the CLI prints: what disagreed and by how much, or why the read
/// stopped.
impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Shortfall::Stopped {
                reason,
                read,
                total,
            } => {
                write!(f, "the read stopped early: {reason}")?;
                match total {
                    Some(total) => write!(
                        f,
                        "; {} of {} sessions read",
                        thousands(read.into()),
                        thousands(total.into())
                    ),
                    None => write!(f, "; {} sessions read", thousands(read.into())),
                }
            }
            Shortfall::NotReady { waited } => write!(
                f,
                "Stream is still preparing this session's attendance (it answered \"not found\" \
                 for {} s after the call ended): try again in a few minutes",
                waited.as_secs()
            ),
            Shortfall::Unreadable { rows, read } => write!(
                f,
                "{} rows could not be read and were left out; {} sessions read",
                thousands(rows.into()),
                thousands(read.into())
            ),
            Shortfall::Sessions { read, total } => {
                let difference = i128::from(read) - i128::from(total);
                write!(
                    f,
                    "total_participant_sessions disagrees: {} distinct sessions read, Stream's \
                     total is {} ({} {})",
                    thousands(read.into()),
                    thousands(total.into()),
                    thousands(difference.abs()),
                    if difference < 0 {
                        "missing"
                    } else {
                        "too many"
                    }
                )
            }
            Shortfall::Duration {
                read,
                read_seconds,
                total_seconds,
            } => write!(
                f,
                "total_participant_duration disagrees: the {} sessions read add up to {} s, \
                 Stream's total is {} s ({:+} s, more than 1 s per session)",
                thousands(read.into()),
                read_seconds,
                total_seconds,
                read_seconds - i128::from(total_seconds)
            ),
            Shortfall::OverTotal { read, total } => write!(
                f,
                "more sessions matched the filter ({}) than the whole session has ({}): rows \
                 were doubled",
                thousands(read.into()),
                thousands(total.into())
            ),
            Shortfall::Unchecked { read } => write!(
                f,
                "not checked: Stream sent no totals (total_participant_sessions), so nothing \
                 tells whether these {} sessions are all of them",
                thousands(read.into())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAST: ReadEnd = ReadEnd::Stopped(StopReason::LastPage);

    fn totals(sessions: i64, seconds: i64) -> ServerTotals {
        ServerTotals {
            participant_sessions: Some(sessions),
            participant_duration_seconds: Some(seconds),
        }
    }

    fn tally(sessions: u64, seconds: i128) -> ReadTally {
        ReadTally {
            sessions,
            raw_duration_seconds: seconds,
            unreadable_rows: 0,
        }
    }

    fn whole(tally: ReadTally, totals: ServerTotals) -> Completeness {
        Completeness::reconcile(LAST, tally, totals, Scope::WholeSession, CallState::Ended)
    }

    #[test]
    fn a_whole_read_without_totals_is_not_checked_and_says_so() {
        let none = ServerTotals::default();
        let unchecked = whole(tally(3, 4800), none);
        assert_eq!(
            unchecked,
            Completeness::Incomplete(Shortfall::Unchecked { read: 3 })
        );
        let shortfall = unchecked.shortfall().unwrap();
        assert!(
            shortfall
                .to_string()
                .starts_with("not checked: Stream sent no totals"),
            "{shortfall}"
        );
        assert_eq!(
            shortfall.headline(None),
            "not checked: Stream sent no totals; 3 sessions read"
        );
        // A filtered read, or a live one, has no full check to miss.
        let filtered = Completeness::reconcile(
            LAST,
            tally(3, 4800),
            none,
            Scope::ServerFiltered,
            CallState::Ended,
        );
        assert_eq!(filtered, Completeness::Complete);
        let live = Completeness::reconcile(
            LAST,
            tally(3, 4800),
            none,
            Scope::WholeSession,
            CallState::Live,
        );
        assert_eq!(live, Completeness::Provisional);
    }

    #[test]
    fn the_issue_example_reconciles_when_the_doubled_row_counts_once() {
        assert_eq!(
            whole(tally(3, 4800), totals(3, 4800)),
            Completeness::Complete
        );
        let doubled = whole(tally(4, 7200), totals(3, 4800));
        assert_eq!(
            doubled,
            Completeness::Incomplete(Shortfall::Sessions { read: 4, total: 3 })
        );
        assert_eq!(
            doubled.shortfall().unwrap().to_string(),
            "total_participant_sessions disagrees: 4 distinct sessions read, Stream's total is \
             3 (1 too many)"
        );
    }

    #[test]
    fn missing_rows_say_how_many() {
        let missing = whole(tally(900, 100), totals(5_000, 900));
        let shortfall = missing.shortfall().unwrap();
        assert_eq!(
            shortfall.headline(Some(5_000)),
            "incomplete: 900 of 5,000 sessions read"
        );
        assert!(
            shortfall.to_string().ends_with("(4,100 missing)"),
            "{shortfall}"
        );
    }

    #[test]
    fn durations_agree_within_one_second_per_row() {
        assert!(whole(tally(3, 4803), totals(3, 4800)).is_complete());
        assert!(whole(tally(3, 4797), totals(3, 4800)).is_complete());
        let off = whole(tally(3, 4804), totals(3, 4800));
        assert_eq!(
            off.shortfall().unwrap().to_string(),
            "total_participant_duration disagrees: the 3 sessions read add up to 4804 s, \
             Stream's total is 4800 s (+4 s, more than 1 s per session)"
        );
    }

    #[test]
    fn a_filtered_read_can_only_be_at_most_the_total() {
        let filtered = |tally| {
            Completeness::reconcile(
                LAST,
                tally,
                totals(3, 4800),
                Scope::ServerFiltered,
                CallState::Ended,
            )
        };
        assert!(filtered(tally(1, 600)).is_complete());
        assert!(filtered(tally(0, 0)).is_complete());
        assert_eq!(
            filtered(tally(4, 4800)),
            Completeness::Incomplete(Shortfall::OverTotal { read: 4, total: 3 })
        );
        // A negative duration among the rows left out lowers the total below what was read.
        assert!(filtered(tally(3, 9000)).is_complete());
    }

    #[test]
    fn an_early_stop_is_incomplete_whatever_the_counts() {
        let stopped = Completeness::reconcile(
            ReadEnd::Stopped(StopReason::EmptyPages),
            tally(3, 4800),
            totals(3, 4800),
            Scope::WholeSession,
            CallState::Ended,
        );
        let shortfall = stopped.shortfall().unwrap();
        assert!(
            shortfall
                .to_string()
                .starts_with("the read stopped early: Stream kept sending empty pages"),
            "{shortfall}"
        );
        let live = Completeness::reconcile(
            ReadEnd::Stopped(StopReason::RepeatedCursor),
            tally(1, 0),
            totals(3, 4800),
            Scope::WholeSession,
            CallState::Live,
        );
        assert!(
            !live.is_complete(),
            "a live read that stopped early is incomplete too"
        );
    }

    #[test]
    fn live_is_provisional_and_expired_is_complete_with_no_rows() {
        let live = Completeness::reconcile(
            LAST,
            tally(2, 100),
            totals(5, 0),
            Scope::WholeSession,
            CallState::Live,
        );
        assert_eq!(live, Completeness::Provisional);
        let expired = Completeness::reconcile(
            LAST,
            tally(0, 0),
            totals(300, 90_000),
            Scope::WholeSession,
            CallState::Expired,
        );
        assert_eq!(expired, Completeness::Expired);
        assert!(expired.is_complete());
    }

    #[test]
    fn a_session_that_never_got_ready_says_so() {
        let not_ready = Completeness::reconcile(
            ReadEnd::NotReady(Duration::from_secs(60)),
            ReadTally::default(),
            ServerTotals::default(),
            Scope::WholeSession,
            CallState::Ended,
        );
        let shortfall = not_ready.shortfall().unwrap();
        assert!(
            shortfall
                .to_string()
                .starts_with("Stream is still preparing this session's attendance"),
            "{shortfall}"
        );
        assert_eq!(
            shortfall.headline(None),
            "incomplete: Stream is still preparing this session's attendance"
        );
    }

    #[test]
    fn unreadable_rows_make_a_read_incomplete() {
        let unreadable = Completeness::reconcile(
            LAST,
            ReadTally {
                unreadable_rows: 2,
                ..tally(1, 600)
            },
            totals(3, 4800),
            Scope::WholeSession,
            CallState::Ended,
        );
        assert_eq!(
            unreadable,
            Completeness::Incomplete(Shortfall::Unreadable { rows: 2, read: 1 })
        );
    }

    #[test]
    fn an_empty_session_is_complete() {
        assert!(whole(tally(0, 0), totals(0, 0)).is_complete());
    }
}
