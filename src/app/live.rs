//! The state of fetching: the query under way and its progress, the live poll schedule, the
//! freeze buffer, and the status line as typed values (`ui::footer` words them).

use std::path::PathBuf;

use super::clock::Local;
#[cfg(doc)]
use super::clock::Now;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::api::{ApiError, ErrorKind};
use crate::attendance::{IngestError, thousands};
use crate::fetch::{Asked, FetchEvent, FetchRequest, IsLiveCheck, ReadMode, Shortfall};
use crate::filter::ParseError;

/// Whether a fetch replaces the data or refreshes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FetchKind {
    /// A new query (start, filter change, `r`): the store is cleared at its first page.
    Fresh,
    /// A live poll: rows are upserted into what is there.
    Poll,
}

/// At least every this many polls, a poll reads the whole session, whatever the others read
/// (a poll that read the open sessions and then the closed ones read every row: it counts).
pub const WHOLE_READ_EVERY: u32 = 10;

/// How a live poll reads the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollRead {
    /// Every row ([`ReadMode::Whole`]).
    Whole,
    /// The open sessions, then the users whose open session closed
    /// ([`ReadMode::OpenSessions`]).
    OpenSessions,
    /// After an open-sessions read of the same poll that left the store's rows and the
    /// server's total apart, the closed sessions ([`ReadMode::ClosedSessions`]): the two
    /// together read every row.
    ClosedSessions,
}

impl PollRead {
    /// How the header names the kind of the last poll.
    pub fn words(self) -> &'static str {
        match self {
            PollRead::Whole => "full read",
            PollRead::OpenSessions => "open sessions",
            PollRead::ClosedSessions => "open + closed sessions",
        }
    }
}

/// Why a poll reads the whole session rather than only what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeBecause {
    /// The query has a server part: only a whole read of it is right.
    ServerFilter,
    /// The last read missed rows.
    LastReadIncomplete,
    /// The store's rows and `total_participant_sessions` differ (in either direction).
    CountsDiffer,
    /// The [`WHOLE_READ_EVERY`]th poll since the last whole read.
    EveryTenth,
    /// The call ended: the last poll reads it whole.
    CallEnded,
    /// The open sessions were as many pages as every row at the last poll: reading them and
    /// then who left would cost more than the whole session.
    MostlyOpen,
    /// The server was seen returning closed sessions for `is_live: true` (or open ones for
    /// `is_live: false`).
    IsLiveIgnored,
    /// The open sessions were as many as the total (nobody has left yet) or the total was
    /// unknown: nothing told whether the server honours `is_live`.
    IsLiveUnproven,
}

impl WholeBecause {
    /// The reason in a few words.
    pub fn words(self) -> &'static str {
        match self {
            WholeBecause::ServerFilter => "server filter",
            WholeBecause::LastReadIncomplete => "last read incomplete",
            WholeBecause::CountsDiffer => "counts differ",
            WholeBecause::EveryTenth => "every 10th poll",
            WholeBecause::CallEnded => "call ended",
            WholeBecause::MostlyOpen => "open sessions as many pages as all",
            WholeBecause::IsLiveIgnored => "is_live ignored",
            WholeBecause::IsLiveUnproven => "is_live unproven",
        }
    }
}

/// How the store's rows stand against Stream's `total_participant_sessions` after a read of a
/// live call, when the two differ: sessions that began while the read ran (or between its
/// open and closed sessions) are in the total and in no page it got. The next poll reads the
/// whole session ([`WholeBecause::CountsDiffer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountGap {
    /// Stream counts this many sessions more than the store holds.
    Unread(u64),
    /// The store holds this many sessions more than Stream counts.
    OverTotal(u64),
}

/// What the next poll does about a [`CountGap`]: said after it wherever there is room.
const COUNT_GAP_MENDED: &str = "next poll reads whole";

impl CountGap {
    /// The gap between `stored` rows and Stream's `total`; `None` when they agree.
    pub(crate) fn between(stored: usize, total: i64) -> Option<CountGap> {
        let stored = i128::try_from(stored).unwrap_or(i128::MAX);
        let off = i128::from(total) - stored;
        let sessions = u64::try_from(off.unsigned_abs()).unwrap_or(u64::MAX);
        match off.signum() {
            1 => Some(CountGap::Unread(sessions)),
            -1 => Some(CountGap::OverTotal(sessions)),
            _ => None,
        }
    }

    /// `3 sessions not read yet`, or `2 sessions more than Stream's total`: exact, from the
    /// two counts.
    pub fn words(self) -> String {
        let counted = |n: u64| {
            let plural = if n == 1 { "" } else { "s" };
            format!("{} session{plural}", thousands(i128::from(n)))
        };
        match self {
            CountGap::Unread(n) => format!("{} not read yet", counted(n)),
            CountGap::OverTotal(n) => format!("{} more than Stream's total", counted(n)),
        }
    }

    /// [`CountGap::words`] and what the next poll does about it: `3 sessions not read yet
    /// (next poll reads whole)`.
    pub fn with_remedy(self) -> String {
        format!("{} ({COUNT_GAP_MENDED})", self.words())
    }
}

/// What decides how the next poll reads, besides the polls themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PollFacts {
    /// The query has a server part: only a whole read of it is right.
    pub(crate) server_filtered: bool,
    /// The last read got every row (a live one: as far as a live read can tell).
    pub(crate) last_read_complete: bool,
    /// Rows in the store.
    pub(crate) stored: usize,
    /// `total_participant_sessions` as last sent.
    pub(crate) total: Option<i64>,
    /// The session is live; once it ended, the last poll reads it whole.
    pub(crate) live: bool,
    /// Open rows in the store.
    pub(crate) open: usize,
    /// Rows a page.
    pub(crate) page_size: u32,
}

impl PollFacts {
    /// The store holds as many rows as the server's total says the session has.
    pub(crate) fn counts_agree(&self) -> bool {
        self.total.is_some() && self.gap().is_none()
    }

    /// How far the store's rows are from the server's total; `None` when they agree or the
    /// total is unknown.
    pub(crate) fn gap(&self) -> Option<CountGap> {
        CountGap::between(self.stored, self.total?)
    }

    /// Reading the open sessions would take as many pages as reading every row (and who left
    /// comes on top).
    fn mostly_open(&self) -> bool {
        let pages = |rows: usize| rows.div_ceil(self.page_size.max(1) as usize);
        pages(self.open) >= pages(self.stored)
    }
}

/// How live polls read: what the server showed of `is_live`, how many polls read only what
/// changed since the last whole read, and how the last poll read. Pure: the app tells it what
/// happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReads {
    /// What the last open-sessions read said of `is_live`; `Ignored` stays.
    check: Option<IsLiveCheck>,
    /// Polls since the last read of every row (whole, or open then closed sessions).
    since_whole: u32,
    last: Option<PollRead>,
    /// Why the read under way or the last one reads the whole session.
    why_whole: Option<WholeBecause>,
}

impl PollReads {
    /// Why the next poll reads the whole session; `None` when it reads only what changed:
    /// when the session is live, there is no server filter, the server is not known to
    /// ignore `is_live`, the last read was complete, the store holds exactly the server's
    /// total (a user who joined and left between two polls shows only there), fewer than
    /// [`WHOLE_READ_EVERY`] polls have passed since the last whole read, and the open
    /// sessions take fewer pages than every row (the requests are decided before any is
    /// spent).
    pub(crate) fn why_whole(&self, facts: PollFacts) -> Option<WholeBecause> {
        if !facts.live {
            Some(WholeBecause::CallEnded)
        } else if facts.server_filtered {
            Some(WholeBecause::ServerFilter)
        } else if self.check == Some(IsLiveCheck::Ignored) {
            Some(WholeBecause::IsLiveIgnored)
        } else if !facts.last_read_complete {
            Some(WholeBecause::LastReadIncomplete)
        } else if !facts.counts_agree() {
            Some(WholeBecause::CountsDiffer)
        } else if self.since_whole + 1 >= WHOLE_READ_EVERY {
            Some(WholeBecause::EveryTenth)
        } else if facts.mostly_open() {
            Some(WholeBecause::MostlyOpen)
        } else {
            None
        }
    }

    /// A read starts that reads the whole session for `why` (`None`: only what changed).
    pub(crate) fn started(&mut self, why: Option<WholeBecause>) {
        self.why_whole = why;
    }

    /// An open-sessions read said this of `is_live`.
    pub(crate) fn checked(&mut self, check: IsLiveCheck) {
        if self.check != Some(IsLiveCheck::Ignored) {
            self.check = Some(check);
        }
        match check {
            IsLiveCheck::Honoured => {}
            IsLiveCheck::Ignored => self.why_whole = Some(WholeBecause::IsLiveIgnored),
            IsLiveCheck::Unproven => self.why_whole = Some(WholeBecause::IsLiveUnproven),
        }
    }

    /// A read (a poll's, or the first one, which is whole) ended.
    pub(crate) fn ended(&mut self, read: PollRead) {
        self.since_whole = match read {
            PollRead::Whole => 0,
            PollRead::OpenSessions => self.since_whole + 1,
            // With the open sessions just read, every row was read again: a whole read
            // (the counts say whether it got them all; when not, the next poll reads whole).
            PollRead::ClosedSessions => 0,
        };
        self.last = Some(read);
    }

    /// How the last read read the session.
    pub fn last(&self) -> Option<PollRead> {
        self.last
    }

    /// Why the read under way or the last one read the whole session; `None` for a first read
    /// and for a read of what changed.
    pub fn why_whole_read(&self) -> Option<WholeBecause> {
        self.why_whole
    }

    /// What the server showed of `is_live`; `None` before any open-sessions read.
    pub fn is_live_check(&self) -> Option<IsLiveCheck> {
        self.check
    }
}

/// Why the page under way is asked for again.
#[derive(Debug, Clone)]
pub enum RetryCause {
    /// The page failed for a reason that may pass (network, 5xx, rate limit: see
    /// [`ApiError::kind`]).
    Failed(ApiError),
    /// Stream answered 404 for a session that exists: it is still preparing the attendance.
    NotReady,
}

/// What is under way (a page from 1, from the same cursor, or what is read after the last
/// page) is asked for again at `at` (Unix ns, on the server's clock, as the time of day it is
/// said with), which is `due` on the local clock (the wait and its countdown).
#[derive(Debug, Clone)]
pub struct Retry {
    pub at: Nanos,
    /// `at` on the local clock, fixed when the retry was planned ([`Now::local_of`]).
    pub due: Local,
    pub asked: Asked,
    pub cause: RetryCause,
}

impl Retry {
    /// Stream refused the page for the app's rate limit: the wait is Stream's, not a fault.
    pub fn rate_limited(&self) -> bool {
        matches!(&self.cause, RetryCause::Failed(error) if error.kind() == ErrorKind::RateLimited)
    }
}

/// After this long without an answer, the dashboard says it is waiting for one (a page
/// usually takes well under a second). Real time: it is the person at the terminal who waits.
pub const SLOW_ANSWER: Nanos = 2 * NANOS_PER_SEC;

/// A request under way that has had no answer for [`SLOW_ANSWER`] or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwaitedAnswer {
    /// What is asked for: a page from 1, or what is read after the last page.
    pub asked: Asked,
    /// Since when, on the local clock: the request was sent then.
    pub since: Local,
}

/// The fetch of the current generation: the request it sent and how far it got.
#[derive(Debug, Clone)]
pub struct FetchProgress {
    /// What this fetch asked for; its `generation` tags every event it sends.
    pub(crate) request: FetchRequest,
    pub(crate) kind: FetchKind,
    /// The highest page number seen (pages may arrive out of order).
    pub pages: u32,
    /// How many pages arrived.
    pub(crate) received: u32,
    pub rows: u64,
    /// Rows of pages the store could not read: missing from the data.
    pub(crate) skipped_rows: u64,
    /// When the fetch started. Like every instant of the fetch's progress, on the local clock:
    /// they measure waits and rates the person at the terminal sees.
    pub(crate) started_at: Local,
    /// When the last page arrived.
    pub(crate) last_page_at: Option<Local>,
    /// When the last page arrived, also while the view is frozen (its rows then wait).
    pub(crate) answered_at: Option<Local>,
    /// The page asked for now (from 1): the one after the highest that arrived.
    pub(crate) asked: u32,
    /// A page without a next cursor came: no page is asked for any more, only what tells
    /// whether the session ended.
    pub(crate) last_page_came: bool,
    /// The roster of this fetch came: a wait told after it is over.
    pub(crate) roster_came: bool,
    pub running: bool,
    /// The page under way failed and is asked for again; `None` once a page or the end came.
    pub(crate) retry: Option<Retry>,
    /// How the fetch reads: as asked, or whole once the server did not honour `is_live`.
    pub(crate) read: PollRead,
    /// The pages replace the rows of users read back (`FetchEvent::ReadBack`).
    pub(crate) reading_back: bool,
}

impl FetchProgress {
    pub(crate) fn new(request: FetchRequest, kind: FetchKind, now: Local) -> Self {
        let read = match &request.mode {
            ReadMode::Whole => PollRead::Whole,
            ReadMode::OpenSessions { .. } => PollRead::OpenSessions,
            ReadMode::ClosedSessions => PollRead::ClosedSessions,
        };
        FetchProgress {
            request,
            kind,
            pages: 0,
            received: 0,
            rows: 0,
            skipped_rows: 0,
            started_at: now,
            last_page_at: None,
            answered_at: None,
            asked: 1,
            last_page_came: false,
            roster_came: false,
            running: true,
            retry: None,
            read,
            reading_back: false,
        }
    }

    /// The generation of the request: events of any other one are dropped.
    pub(crate) fn generation(&self) -> u64 {
        self.request.generation
    }

    /// Rows per real second since the fetch started: up to `now` while it runs, so that the
    /// rate falls while a page is awaited instead of showing the last good figure; up to its
    /// last page once it ended. `None` before the first page.
    pub(crate) fn rate(&self, now: Local) -> Option<f64> {
        let end = if self.running {
            now
        } else {
            self.last_page_at?
        };
        self.last_page_at?;
        let elapsed = end - self.started_at;
        (elapsed > 0).then(|| self.rows as f64 * NANOS_PER_SEC as f64 / elapsed as f64)
    }

    /// What the fetch waits for: the page asked for (from 1), the requests after the last
    /// page, or the request retried.
    pub fn page_under_way(&self) -> Asked {
        let next = if self.last_page_came {
            Asked::SessionEnd
        } else {
            Asked::Page(self.asked)
        };
        self.retry.as_ref().map_or(next, |retry| retry.asked)
    }

    /// The request under way when it has had no answer for [`SLOW_ANSWER`] of real time
    /// (`now` on the local clock): sent when the fetch started, when the last page came, or
    /// when the planned retry was due. `None` while a retry is still waiting for its time
    /// (that wait is said on its own).
    pub fn awaited_answer(&self, now: Local) -> Option<AwaitedAnswer> {
        if !self.running {
            return None;
        }
        let mut since = self.answered_at.unwrap_or(self.started_at);
        if let Some(retry) = &self.retry {
            if retry.due > now {
                return None;
            }
            since = since.max(retry.due);
        }
        (now - since >= SLOW_ANSWER).then(|| AwaitedAnswer {
            asked: self.page_under_way(),
            since,
        })
    }
}

/// The view is frozen: fetch events of the current query wait here until it resumes.
#[derive(Debug, Clone)]
pub struct Frozen {
    /// On the local clock: the banner says how long the person has kept it frozen.
    pub(crate) since: Local,
    pub(crate) buffered: Vec<FetchEvent>,
}

impl Frozen {
    /// Pages waiting to be applied.
    pub fn waiting_pages(&self) -> usize {
        self.buffered
            .iter()
            .filter(|event| matches!(event, FetchEvent::Page { .. }))
            .count()
    }
}

/// How a status line message should stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Why an export of what is on screen is not the whole session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caveat {
    /// The last read missed rows; `total` is the server's count for the whole session.
    Shortfall {
        shortfall: Shortfall,
        total: Option<i64>,
    },
    /// The first read of a query has not ended.
    ReadUnderWay,
    /// The last read of a live call ended with another count of sessions than Stream's total
    /// (see [`App::count_gap`](super::App::count_gap)); the next poll reads whole.
    CountGap(CountGap),
}

/// What [`Caveat::ReadUnderWay`] says is missing.
pub(crate) const READ_UNDER_WAY: &str = "the read is still under way";

impl Caveat {
    /// What is missing from the figures, for a text that leaves the screen (the answer card):
    /// `4,600 of 5,000 sessions read`, `the read is still under way`, `2 sessions not read
    /// yet (next poll reads whole)`.
    pub(crate) fn missing(self) -> String {
        match self {
            Caveat::Shortfall { shortfall, .. } => shortfall.to_string(),
            Caveat::ReadUnderWay => READ_UNDER_WAY.to_owned(),
            Caveat::CountGap(gap) => gap.with_remedy(),
        }
    }
}

/// The status line: the outcome of the last action, or what the fetch is struggling with.
/// Values, not text: `ui::footer::status_text` words them.
#[derive(Debug, Clone)]
pub enum Status {
    /// The filter given at start does not parse; the dashboard shows everything.
    FilterNotApplied(ParseError),
    /// Once the call's date was known the filter no longer parsed: its local part is dropped.
    FilterNotAppliedLocally(ParseError),
    /// The page under way is asked for again, when and why.
    Retrying(Retry),
    /// Who was invited (the call's details or its members, `retry.asked`) is asked for again,
    /// when and why; beside the pages, so it stays until the roster comes.
    MembersRetrying(Retry),
    /// A failure that retrying cannot fix ended the fetch.
    FetchFailed(ApiError),
    /// A page the store could not read: its `rows` sessions are missing.
    PageSkipped {
        page_no: u32,
        rows: usize,
        error: IngestError,
    },
    /// The export was written; with a caveat when it is not the whole session.
    Exported {
        path: PathBuf,
        rows: usize,
        caveat: Option<Caveat>,
    },
    /// Writing the export failed (the driver's words for the OS error).
    ExportFailed { path: PathBuf, error: String },
    /// Nothing was written: the data on screen is not the whole session.
    NotExported(Caveat),
    /// `y` or `c` put this text on the clipboard.
    Copied(String),
    /// `c` has no card to give, and why.
    NoCard(&'static str),
    /// `e` on a view with no row: no file is written.
    NothingToExport,
    /// `s` could not list the call's sessions (the error in words).
    SessionsUnlisted(String),
    /// The dashboard switched to another session; the filter in force there no longer
    /// parsed and was cleared.
    FilterDropped(ParseError),
}

impl Status {
    pub fn severity(&self) -> Severity {
        match self {
            Status::Exported { caveat: None, .. } | Status::Copied(_) => Severity::Info,
            Status::Retrying(_) | Status::MembersRetrying(_) | Status::Exported { .. } => {
                Severity::Warning
            }
            Status::FilterNotApplied(_)
            | Status::FilterNotAppliedLocally(_)
            | Status::FetchFailed(_)
            | Status::PageSkipped { .. }
            | Status::ExportFailed { .. }
            | Status::NotExported(_) => Severity::Error,
            Status::NoCard(_) | Status::FilterDropped(_) | Status::NothingToExport => {
                Severity::Warning
            }
            Status::SessionsUnlisted(_) => Severity::Error,
        }
    }

    /// How long a passing message stays, in real time (it is read by the person at the
    /// terminal); the others stay until something replaces them.
    pub(crate) fn lasts(&self) -> Option<Nanos> {
        (self.severity() == Severity::Info).then_some(5 * NANOS_PER_SEC)
    }

    /// A message about the page under way being asked for again.
    pub(crate) fn is_retry(&self) -> bool {
        matches!(self, Status::Retrying(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Nanos = NANOS_PER_SEC;

    fn fetched(rows: u64, pages_at: &[Nanos]) -> FetchProgress {
        let mut fetch =
            FetchProgress::new(FetchRequest::default(), FetchKind::Fresh, Local::default());
        fetch.rows = rows;
        fetch.last_page_at = pages_at.last().copied().map(Local::from_nanos);
        fetch
    }

    fn facts() -> PollFacts {
        PollFacts {
            server_filtered: false,
            last_read_complete: true,
            stored: 40,
            total: Some(40),
            live: true,
            open: 10,
            page_size: 25,
        }
    }

    #[test]
    fn the_gap_between_the_rows_and_the_total_is_exact_both_ways() {
        let gap = |stored, total| {
            PollFacts {
                stored,
                total,
                ..facts()
            }
            .gap()
        };
        assert_eq!(gap(40, Some(40)), None);
        assert_eq!(gap(40, None), None, "nothing to count from");
        assert_eq!(gap(37, Some(40)), Some(CountGap::Unread(3)));
        assert_eq!(gap(41, Some(40)), Some(CountGap::OverTotal(1)));
        assert_eq!(gap(0, Some(-2)), Some(CountGap::OverTotal(2)));
        assert_eq!(CountGap::Unread(3).words(), "3 sessions not read yet");
        assert_eq!(CountGap::Unread(1).words(), "1 session not read yet");
        assert_eq!(
            CountGap::Unread(1_204).words(),
            "1,204 sessions not read yet"
        );
        assert_eq!(
            CountGap::OverTotal(1).words(),
            "1 session more than Stream's total"
        );
        // Whenever there is a gap, the next poll reads whole, as the header says.
        let reads = PollReads::default();
        for (stored, total) in [(37, 40), (41, 40)] {
            let facts = PollFacts {
                stored,
                total: Some(total),
                ..facts()
            };
            assert!(facts.gap().is_some());
            assert_eq!(reads.why_whole(facts), Some(WholeBecause::CountsDiffer));
        }
    }

    #[test]
    fn polls_read_the_changes_and_the_whole_session_every_tenth_time() {
        let mut reads = PollReads::default();
        reads.ended(PollRead::Whole);
        let mut kinds = Vec::new();
        for _ in 0..20 {
            let read = match reads.why_whole(facts()) {
                Some(_) => PollRead::Whole,
                None => PollRead::OpenSessions,
            };
            if read == PollRead::OpenSessions {
                reads.checked(IsLiveCheck::Honoured);
            }
            reads.ended(read);
            kinds.push(read);
        }
        let whole: Vec<usize> = (0..20).filter(|&n| kinds[n] == PollRead::Whole).collect();
        assert_eq!(whole, [9, 19], "the 10th and 20th polls: {kinds:?}");
        assert_eq!(reads.last(), Some(PollRead::Whole));
        // A poll that went on with the closed sessions read every row: the count starts again.
        for _ in 0..5 {
            reads.ended(PollRead::OpenSessions);
        }
        reads.ended(PollRead::ClosedSessions);
        for _ in 0..9 {
            assert_eq!(reads.why_whole(facts()), None);
            reads.ended(PollRead::OpenSessions);
        }
        assert_eq!(reads.why_whole(facts()), Some(WholeBecause::EveryTenth));
    }

    #[test]
    fn a_poll_reads_the_whole_session_when_only_that_is_right() {
        let reads = PollReads::default();
        assert_eq!(reads.why_whole(facts()), None);
        let fewer_pages = PollFacts {
            open: 25,
            ..facts()
        };
        assert_eq!(reads.why_whole(fewer_pages), None, "one page of two");
        for (why, because, facts) in [
            (
                "a server filter",
                WholeBecause::ServerFilter,
                PollFacts {
                    server_filtered: true,
                    ..facts()
                },
            ),
            (
                "an incomplete read",
                WholeBecause::LastReadIncomplete,
                PollFacts {
                    last_read_complete: false,
                    ..facts()
                },
            ),
            (
                "a row missing",
                WholeBecause::CountsDiffer,
                PollFacts {
                    stored: 39,
                    ..facts()
                },
            ),
            (
                "a row too many",
                WholeBecause::CountsDiffer,
                PollFacts {
                    stored: 41,
                    ..facts()
                },
            ),
            (
                "no total",
                WholeBecause::CountsDiffer,
                PollFacts {
                    total: None,
                    ..facts()
                },
            ),
            (
                "the open sessions as many pages as every row",
                WholeBecause::MostlyOpen,
                PollFacts {
                    open: 26,
                    ..facts()
                },
            ),
            (
                "the call ended",
                WholeBecause::CallEnded,
                PollFacts {
                    live: false,
                    ..facts()
                },
            ),
        ] {
            assert_eq!(reads.why_whole(facts), Some(because), "{why}");
        }
        let mut ignored = PollReads::default();
        ignored.checked(IsLiveCheck::Ignored);
        ignored.checked(IsLiveCheck::Honoured);
        assert_eq!(
            ignored.is_live_check(),
            Some(IsLiveCheck::Ignored),
            "it stays"
        );
        assert_eq!(
            ignored.why_whole(facts()),
            Some(WholeBecause::IsLiveIgnored)
        );
        let mut unproven = PollReads::default();
        unproven.checked(IsLiveCheck::Unproven);
        assert_eq!(unproven.why_whole(facts()), None, "tried again");
    }

    #[test]
    fn the_rate_falls_while_a_page_is_awaited_and_stays_once_the_read_ended() {
        let fetch = fetched(1_000, &[SEC, 2 * SEC]);
        let at = Local::from_nanos;
        assert_eq!(fetch.rate(at(2 * SEC)), Some(500.0));
        // Rate limited for 8 s: no page comes, so the rate falls instead of standing still.
        assert_eq!(fetch.rate(at(10 * SEC)), Some(100.0));
        assert!(fetch.rate(at(20 * SEC)).unwrap() < fetch.rate(at(10 * SEC)).unwrap());
        let mut ended = fetch.clone();
        ended.running = false;
        assert_eq!(ended.rate(at(60 * SEC)), Some(500.0), "up to the last page");
        assert_eq!(
            fetched(0, &[]).rate(at(5 * SEC)),
            None,
            "no rate before a page"
        );
    }
}
