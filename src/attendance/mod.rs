//! The attendance engine: the store of participant sessions and every figure computed from it.
//!
//! Pure computation, no I/O: the dashboard, the exports and the tests all call the same
//! functions with an injected `now`, so they show the same numbers. Figures follow
//! `docs/attendance-definitions.md`; where it leaves a choice, this module decides as follows,
//! each time for what a support person would find least surprising.
//!
//! # Data
//! - Rows are upserted by `user_session_id`: a later poll replaces the row (closing an open
//!   session, or correcting it) and keeps its [`RowId`], so a selection stays put. Re-sending an
//!   identical row changes nothing, not even the `SessionStore::generation`.
//! - A page of another call session is refused (`IngestError::OtherCall`) rather than mixed
//!   in; `SessionStore::clear` starts a new query.
//! - Server totals are those of the latest page, exactly as returned.
//! - Roles keep the API's order; a role listed twice on one session counts once.
//!
//! # State and window
//! - **Live** until `session_end` says the session ended: its own `ended_at`, the stats'
//!   `call_ended_at`, `GetCall` naming another current session, or `GetCall`'s `call.ended_at`
//!   (given with `SessionStore::set_call` and `SessionStore::set_session_stats`). When no
//!   source says anything, open rows are the only sign of a live call.
//! - **Live wins over Empty**: a running call nobody has joined yet reads LIVE. **Empty** means
//!   zero totals and no rows on an ended call. Rows prove someone joined, so a call with rows
//!   is never Empty even if its totals still say 0 (the API's totals lag during a call).
//! - **Expired** needs a known `ended_at` more than 90 days before `now`, no rows and non-zero
//!   totals. A filter that matches nothing on a recent call is simply Ended with no rows.
//! - The window is `started_at` (else the earliest `joined_at` of all stored rows) to
//!   `ended_at` (else, once ended, the latest `left_at`), or `now` while live. It is call-level:
//!   it ignores the filter. It never ends before it starts.
//!
//! # Rows with problems
//! Each row is checked once (`RowProblem`): what the row shows alone at ingest (kept in two
//! bytes of it), what depends on the session (`RowContext`: ended or not, the window) in the
//! pass over the rows. `Counted` is then the one answer to "what does this row add", read by
//! every figure, so a messy row never spreads into anyone else's figures.
//!
//! # Durations
//! - A session occupies `[joined_at, left_at)`, open ones (in a live call) up to `now`, a leave
//!   not recorded up to the session's end, one outside the session clipped to the window. Rows
//!   without a trusted `joined_at`, or whose interval is empty, are *untimed*: they count as
//!   sessions but take no place in time (no attended time, no concurrency, no reconnect, no
//!   overlap).
//! - Connected seconds of a row: an open row counts `now − joined_at` (the API's duration of an
//!   open row would be stale); any other row its `duration_in_seconds` when valid (not negative,
//!   not absurd), else 0. The duration *shown* is always the API's, as sent.
//! - Attended time is measured in nanoseconds from the timestamps and clipped to the window;
//!   per user it is shown in whole seconds, and the call total adds those whole seconds so it
//!   equals the sum of the users table. A row's part in it ends at most its own duration after
//!   its join (the API's durations are whole seconds, rounded down), so rounding never makes
//!   attended longer than connected; only a flagged row without a duration can.
//! - Attendance % is whole attended seconds over whole window seconds in tenths, rounded half
//!   up; `None` for a window under a second, never above 100.
//!
//! # Per-user flags
//! - Late / left early compare strictly: joining exactly 5 min after the start is on time.
//!   Left early is never set while a session is open; on a live call it means "left more than
//!   the grace period ago".
//! - Reconnects and overlaps are measured on the user's own sessions, unclipped. A gap is taken
//!   from the end of everything the user had open before, so a short session inside a long one
//!   is an overlap (multi-device), not a reconnect, and a rejoin at the very instant of leaving
//!   is a reconnect with a zero gap.
//! - Span runs from the first join to the last leave, or to `now` while in call.
//!
//! # Call level
//! - At an instant where one session leaves and another joins, the leave counts first: a
//!   hand-over is not a peak. Peaks report the first instant they are reached.
//! - Headcount at midpoint is the distinct-users curve at the window's midpoint.
//! - Sessions without any role are counted under a "no role" share (`None`), so the role
//!   breakdown accounts for every session.
//!
//! # Sorting
//! Missing values sort last in both directions; open sessions sort as leaving after everyone;
//! ties keep row order (sessions) or name order (users).
//!
//! # Performance
//! Figures are a fast full recompute over the filtered rows (a counting sort groups rows by
//! user); the dashboard keeps them until the store or the filter changes (`app/derived.rs`).
//! Measured figures are in `docs/benchmarks.md` (`cargo bench --bench attendance`).
//!
//! Visibility: `pub` is what the integration tests and benches use (the store, the figures,
//! sorting, local filtering, the ledger, the roster classification, the display zone);
//! everything else is `pub(crate)` or private.

mod breakdown;
mod call;
mod call_sessions;
mod card;
mod columns;
mod concurrency;
mod figures;
mod filtering;
#[cfg(test)]
pub(crate) mod fixtures;
mod history;
mod index;
mod intern;
mod ledger;
mod problems;
#[cfg(test)]
mod proptests;
mod records;
mod roster;
mod row;
pub(crate) mod row_digest;
mod seen;
mod session_id;
mod sort;
mod store;
mod table;
mod thresholds;
mod users;
mod zone;

pub(crate) use breakdown::Share;
pub use breakdown::breakdowns;
pub(crate) use call::{CallIdentity, ServerTotals, Window, session_end, session_state};
pub use call::{CallState, EndReports, SessionEnd};
pub use call_sessions::SessionSummary;
pub(crate) use call_sessions::{current_session_id, merge_sessions};
pub(crate) use card::{
    CardContext, call_card, closest_ids, join_verdict, leave_verdict, user_card,
};
#[cfg(test)]
pub(crate) use card::{ESCAPED_NOTE, pasteable};
#[cfg(test)]
pub(crate) use columns::Keep;
pub(crate) use columns::{
    Column, DETAIL_COLUMNS, DetailLine, EXPECTED_COLUMNS, ExpectedLine, Heading, Lines,
    PROBLEM_MARK, SESSION_COLUMNS, SessionLine, Shown, Tone, USER_COLUMNS, UserLine, Width,
    detail_headers, detail_record, expected_headers, expected_record, first_day, first_order,
    last_leave, percent, ring_cell, session_headers, session_record, shown, sort_expected,
    sorted_by, state_cell, time_or_dash, user_headers, user_record,
};
pub use columns::{ExpectedColumn, SessionColumn, UserColumn};
pub use concurrency::ConcurrencyCurve;
pub(crate) use concurrency::Peak;
pub(crate) use figures::CallFigures;
pub use figures::Figures;
pub use filtering::keep_local_matches;
pub(crate) use filtering::{FilterableRow, RowAlone, SessionRow};
pub(crate) use history::{HistoryEntry, user_history};
pub use ledger::SessionLedger;
pub(crate) use ledger::{EntryId, PageNews, RowNews};
pub(crate) use problems::{Problems, RowContext, RowProblem, ServerDuration, rows_with_problems};
pub(crate) use records::{Cell, CsvCells, JsonRecord, csv_fields, problem_ids};
pub use roster::{
    Classification, ExpectedMember, PresentThreshold, ReadFacts, RingKnowledge, RosterInput,
    RosterRules, State, classify,
};
pub(crate) use roster::{Person, RingStatus, Roster, Unclassifiable};
pub use row::RowId;
pub(crate) use row::{SessionRef, UserId};
pub use seen::Seen;
pub(crate) use sort::{NameRanks, sorted_user_ids};
pub use sort::{Order, sort_sessions, sort_users};
pub use store::SessionStore;
pub(crate) use store::{IngestError, RowsSeen};
pub use thresholds::Thresholds;
pub(crate) use users::UserRows;
pub use users::{UserFigures, user_figures};
pub use zone::{DisplayZone, utc_rfc3339};
pub(crate) use zone::{ago, human_duration, thousands};
