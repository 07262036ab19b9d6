//! The attendance engine: the store of participant sessions and every figure computed from it.
//!
//! Pure computation, no I/O: the dashboard, the exports and the tests all call the same
//! functions with an injected `now`, so they show the same numbers. The definitions are those of
//! `docs/attendance-definitions.md`; where they leave a choice, this module decides as follows.

mod breakdown;
mod call;
mod concurrency;
mod figures;
mod filtering;
#[cfg(test)]
mod fixtures;
mod index;
mod intern;
#[cfg(test)]
mod proptests;
mod row;
mod session_id;
mod sort;
mod store;
mod thresholds;
mod timeline;
mod users;
mod zone;

pub use breakdown::{Breakdowns, Share, breakdowns};
pub use call::{CallIdentity, CallState, DETAILS_RETENTION, ServerTotals, Window};
pub use concurrency::{ConcurrencyCurve, CurvePoint, Level, Peak};
pub use figures::{CallFigures, Figures, FiguresCache};
pub use filtering::{FilterableRow, keep_local_matches};
pub use row::{PublisherId, RoleId, RoleSetId, RowId, SessionRef, UserId};
pub use session_id::SessionIdText;
pub use sort::{Order, SessionColumn, UserColumn, sort_sessions, sort_users};
pub use store::{IngestError, IngestSummary, SessionStore};
pub use thresholds::Thresholds;
pub use timeline::{Gap, TimelineEntry, user_timeline};
pub use users::{UserFigures, user_figures};
pub use zone::{DisplayZone, UnknownZone, ago, human_duration, utc_rfc3339};
