//! Reading a call session: the read itself (`read`: every page, recovered where it can be,
//! deduplicated), the verdict on what came back (`completeness`), and the background fetcher
//! that streams a read's pages to the dashboard over a channel (`task`).
//!
//! Each fetch request carries a generation; every event it sends is tagged with it, so the app
//! can drop the pages of a query it has since replaced instead of mixing them in.
//!
//! Visibility: `pub` is what the integration tests drive (`spawn`, the request and its events,
//! the completeness verdict, and the read the CLI's public session reader returns); the rest
//! is `pub(crate)`.

use std::sync::Arc;

use serde_json::Value;

use crate::api::call_stats::SessionCounts;
use crate::api::members::MembersRead;
use crate::api::timestamp::Nanos;
use crate::api::{ApiError, RateLimit, RawSessionsPage};
use crate::attendance::EndReports;
use crate::filter::conditions::Conditions;

mod backoff;
mod completeness;
mod read;
mod roster;
mod task;

pub use completeness::{Completeness, Shortfall};
pub(crate) use read::{
    DEFAULT_READY_WAIT, ReadOptions, ReadPage, ReadStep, ReadTarget, SessionRead, learn_end,
};
pub use roster::Invited;
pub use task::{FetchHandle, spawn};

/// One query to read in full.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchRequest {
    pub generation: u64,
    pub call_type: String,
    pub call_id: String,
    pub session: String,
    /// The server part of the filter; empty: every row.
    pub filter: Conditions,
    pub page_size: u32,
    /// Also read who was invited (`GetCall` and every member), for the Expected view: sent
    /// as [`FetchEvent::Roster`], at any point before or after `Done`.
    pub roster: bool,
    /// With `roster`, the members an earlier fetch of the same session read in full: only
    /// `GetCall` (the ring outcomes) is read again and these are kept. A live poll passes
    /// them: reading some 10,000 members again takes 120 requests, against one
    /// (docs/benchmarks.md). `None`: every member page is read.
    pub members_known: Option<Arc<MembersRead>>,
    /// The whole session (of the server filter), or only what changed since the last poll.
    pub mode: ReadMode,
}

/// How a fetch reads the session.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ReadMode {
    /// Every page of the session, under the server filter.
    #[default]
    Whole,
    /// A live poll without a server filter that reads what changed since the last one: the
    /// open sessions (`is_live: {"$eq": true}`, [`FetchEvent::OpenSessionsRead`]), then every
    /// participant session of the users of `open` whose session is no longer among them, by
    /// `user_id` (`$in`, split as a long filter is: [`FetchEvent::ReadBack`]). A server that
    /// turns out not to honour `is_live` is read whole in the same fetch.
    OpenSessions {
        /// The sessions open in the store when the poll starts.
        open: Arc<[OpenSession]>,
    },
    /// The closed sessions (`is_live: {"$eq": false}`, [`FetchEvent::ClosedSessionsRead`]):
    /// a poll whose [`ReadMode::OpenSessions`] read left the store's rows and the server's
    /// total apart goes on with them, so that the two reads together are every row (every
    /// row is either open or not), at the cost of the closed ones only. Checked at run time
    /// as the open sessions are: a server that returns an open row for it is read whole in
    /// the same fetch.
    ClosedSessions,
}

/// A participant session open in the store: its `user_session_id` and its `user_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    pub user_session_id: String,
    pub user_id: String,
}

/// What the open sessions read by a [`ReadMode::OpenSessions`] poll (or the closed ones of a
/// [`ReadMode::ClosedSessions`] read) say of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsLiveCheck {
    /// Every row returned was open, and fewer than the session's total: the server honours
    /// `is_live`.
    Honoured,
    /// A row returned had left: the server ignores `is_live`.
    Ignored,
    /// Every row returned was open but as many as the total (nobody has left yet), or the
    /// total is unknown: nothing tells yet.
    Unproven,
}

impl FetchRequest {
    /// The `filter_conditions` sent, `None` when the filter has no server part.
    pub fn filter_conditions(&self) -> Option<Value> {
        (!self.filter.is_empty()).then(|| self.filter.to_json())
    }
}

/// What a retry asks Stream for again: said to the user by name, so that a wait after the
/// last page is not read as a page that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Participant-sessions page `n` (`QueryCallParticipantSessions`), from 1.
    Page(u32),
    /// `GetCall`: the call's details, asked after the last page to learn whether the session
    /// ended.
    CallDetails,
    /// `QueryCallSessionStats`: the session's stats (its end, or its summary once expired).
    SessionStats,
    /// `QueryCallMembers`: who was expected in the call.
    Members,
    /// After the last page, `GetCall` then the stats, whichever the end needs: the app hears
    /// of the last page but not of these requests one by one, so a hang names both.
    SessionEnd,
    /// Another request, by Stream's operation id.
    Other(&'static str),
}

impl Asked {
    /// What a request of Stream's `operation` asks for; `page_no` is the participant-sessions
    /// page under way.
    pub(crate) fn of(operation: &'static str, page_no: u32) -> Asked {
        match operation {
            "QueryCallParticipantSessions" => Asked::Page(page_no),
            "GetCall" => Asked::CallDetails,
            "QueryCallSessionStats" => Asked::SessionStats,
            "QueryCallMembers" => Asked::Members,
            other => Asked::Other(other),
        }
    }
}

/// `page 6`, `call details`, `session stats`, `call members`, `the call details and session
/// stats`.
impl std::fmt::Display for Asked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Asked::Page(page_no) => write!(f, "page {page_no}"),
            Asked::CallDetails => f.write_str("call details"),
            Asked::SessionStats => f.write_str("session stats"),
            Asked::Members => f.write_str("call members"),
            Asked::SessionEnd => f.write_str("the call details and session stats"),
            Asked::Other(operation) => f.write_str(operation),
        }
    }
}

/// What the fetcher reports, in order, for one request.
#[derive(Debug, Clone)]
pub enum FetchEvent {
    /// The next page of rows (numbered from 1), as received: the store decodes it in place.
    Page {
        generation: u64,
        page_no: u32,
        page: Box<RawSessionsPage>,
        /// The page's `X-RateLimit-*`; Stream states the reset on its own clock (Unix seconds),
        /// the clock of its `Date` and of the app's present.
        rate_limit: Option<RateLimit>,
    },
    /// The request for `asked` (a page, numbered from 1, or what is read after the last page)
    /// failed for a reason that may pass (a rate limit, a timeout, a 5xx); it is tried again
    /// at `retry_at` (Unix ns on the server's clock, `crate::api::ServerClock`, as the
    /// app's present is), a page from the same cursor. Sent both for the client's own retries
    /// (before each wait, see [`crate::api::RetryNotice`]) and for the fetcher's once the
    /// client gives up, so that no wait is silent.
    Retrying {
        generation: u64,
        asked: Asked,
        error: ApiError,
        retry_at: Nanos,
    },
    /// Stream answered 404 for a session that exists: it is still preparing the session's
    /// attendance (right after a call ends). Asked again at `retry_at` (on the server's clock).
    NotReady { generation: u64, retry_at: Nanos },
    /// The read ended: every page was read, or it stopped early; `completeness` says which,
    /// and what is missing.
    Done {
        generation: u64,
        pages: u32,
        completeness: Completeness,
        /// What `GetCall` and the stats said of the session's end, when the pages did not say
        /// it ended (see `SessionRead::learn_end`).
        end: EndReports,
    },
    /// A failure that retrying cannot fix (credentials, unknown session, rejected filter).
    Failed { generation: u64, error: ApiError },
    /// A [`ReadMode::OpenSessions`] poll read the open sessions (their pages came before).
    /// Unless the server honoured `is_live`, the whole session is read next, in this fetch.
    OpenSessionsRead { generation: u64, check: IsLiveCheck },
    /// A [`ReadMode::ClosedSessions`] read read the closed sessions (their pages came before);
    /// `Honoured` when every row returned had left. Unless it is, the whole session is read
    /// next, in this fetch.
    ClosedSessionsRead { generation: u64, check: IsLiveCheck },
    /// The pages that follow, until `Done`, are every participant session of `users`, read
    /// back by `user_id` because a session of theirs that was open is no longer: their rows
    /// are replaced with these (see `SessionStore::begin_replacing`). Sent with no users
    /// when no open session closed.
    ReadBack {
        generation: u64,
        users: Arc<[String]>,
    },
    /// The session's summary in `QueryCallSessionStats`, sent before `Done` when the read
    /// found the session expired: what is still known once Stream purged its rows.
    Stats {
        generation: u64,
        counts: SessionCounts,
    },
    /// Who was invited to the call, read in full (or as far as paging could go: its
    /// [`MembersRead::stop`](crate::api::members::MembersRead) says whether it is complete).
    Roster {
        generation: u64,
        invited: Box<Invited>,
    },
    /// Reading who was invited failed. With `retry_at` the failure may pass and the read
    /// starts again then (on the server's clock, as [`FetchEvent::Retrying`]); without it,
    /// retrying cannot fix it and the roster stays unread until the next fetch.
    RosterFailed {
        generation: u64,
        /// What failed: the call's details (`GetCall`, for its ring outcomes) or its members.
        asked: Asked,
        error: ApiError,
        retry_at: Option<Nanos>,
    },
}

impl FetchEvent {
    pub fn generation(&self) -> u64 {
        match self {
            FetchEvent::Page { generation, .. }
            | FetchEvent::Retrying { generation, .. }
            | FetchEvent::NotReady { generation, .. }
            | FetchEvent::Done { generation, .. }
            | FetchEvent::Failed { generation, .. }
            | FetchEvent::OpenSessionsRead { generation, .. }
            | FetchEvent::ClosedSessionsRead { generation, .. }
            | FetchEvent::ReadBack { generation, .. }
            | FetchEvent::Stats { generation, .. }
            | FetchEvent::Roster { generation, .. }
            | FetchEvent::RosterFailed { generation, .. } => *generation,
        }
    }
}
