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
//!   identical row changes nothing, not even the [`SessionStore::generation`].
//! - A page of another call session is refused ([`IngestError::OtherCall`]) rather than mixed
//!   in; [`SessionStore::clear`] starts a new query.
//! - Server totals are those of the latest page, exactly as returned.
//! - Roles keep the API's order; a role listed twice on one session counts once.
//!
//! # State and window
//! - **Live** while `session.ended_at` is absent. When no page carries a `session` object (and
//!   none was given with [`SessionStore::set_session`]), open rows are the only sign of a live
//!   call: with open rows it is live, otherwise ended.
//! - **Live wins over Empty**: a running call nobody has joined yet reads LIVE. **Empty** means
//!   zero totals and no rows on an ended call. Rows prove someone joined, so a call with rows
//!   is never Empty even if its totals still say 0 (the API's totals lag during a call).
//! - **Expired** needs a known `ended_at` more than 90 days before `now`, no rows and non-zero
//!   totals. A filter that matches nothing on a recent call is simply Ended with no rows.
//! - The window is `started_at` (else the earliest `joined_at` of all stored rows) to
//!   `ended_at` (else, once ended, the latest `left_at`), or `now` while live. It is call-level:
//!   it ignores the filter. It never ends before it starts.
//!
//! # Durations
//! - A session occupies `[joined_at, left_at)`, open ones up to `now`. Rows without
//!   `joined_at`, or whose interval is empty (e.g. joined after `now` by the local clock), are
//!   *untimed*: they count as sessions and in connected time but take no place in time (no
//!   attended time, no concurrency, no reconnect, no overlap).
//! - Connected seconds of a row: an open row counts `now − joined_at` (the API's duration of an
//!   open row would be stale); a closed row uses the API's `duration_in_seconds`, else
//!   `left_at − joined_at` in whole seconds; 0 when nothing says.
//! - Attended time is measured in nanoseconds from the timestamps and clipped to the window;
//!   per user it is shown in whole seconds, and the call total adds those whole seconds so it
//!   equals the sum of the users table. The API's durations are whole seconds, so a user's
//!   attended time is capped at their connected time: two devices can make attended shorter
//!   than connected, rounding never makes it longer.
//! - Attendance % is `None` for an empty window (nothing to divide by), never above 100.
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
//! user), memoised by [`FiguresCache`] on the store generation, the caller's row-list version,
//! the thresholds and, only while the call is live or rows are open, `now`. Measured figures
//! are in `docs/benchmarks.md` (`cargo bench --bench attendance`).

mod breakdown;
mod call;
mod call_sessions;
mod concurrency;
mod figures;
mod filtering;
#[cfg(test)]
mod fixtures;
mod index;
mod intern;
mod ledger;
#[cfg(test)]
mod proptests;
mod records;
mod row;
mod session_id;
mod sort;
mod store;
mod table;
mod thresholds;
mod timeline;
mod users;
mod zone;

pub use breakdown::{Breakdowns, Share, breakdowns};
pub use call::{CallIdentity, CallState, DETAILS_RETENTION, ServerTotals, Window, session_state};
pub use call_sessions::{SessionSummary, current_session_id, merge_sessions};
pub use concurrency::{ConcurrencyCurve, CurvePoint, Level, Peak};
pub use figures::{CallFigures, Figures, FiguresCache};
pub use filtering::{FilterableRow, keep_local_matches};
pub use ledger::{EntryId, PageNews, RowNews, SessionLedger};
pub use records::{
    Cell, CsvCells, JsonRecord, csv_fields, neutralise_formula, session_headers, session_record,
    user_headers, user_record,
};
pub use row::{PublisherId, RoleId, RoleSetId, RowId, SessionRef, UserId};
pub use session_id::SessionIdText;
pub use sort::{
    NameRanks, Order, SessionColumn, UserColumn, sort_sessions, sort_users, sorted_user_ids,
};
pub use store::{IngestError, IngestSummary, SessionStore};
pub use thresholds::Thresholds;
pub use timeline::{Gap, TimelineEntry, user_timeline};
pub use users::{UserFigures, user_figures};
pub use zone::{DisplayZone, UnknownZone, ago, human_duration, thousands, utc_rfc3339};
