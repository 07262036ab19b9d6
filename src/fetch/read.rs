//! One read of a call session's participant sessions: every page from the first to the end of
//! the cursors, with what can be recovered recovered, and a verdict on what came back.
//!
//! Every output reads through here (the dashboard's fetcher, `totals`, `export`), so they
//! recover and reconcile the same way:
//!
//! - rows are recorded in a [`SessionLedger`], which tells each copy of a row apart (first,
//!   same again, or changed: the later copy wins);
//! - a page whose rows were all received already in this walk (the previous page served
//!   again) is asked for once more from its cursor ([`crate::api::Pager::reread`]);
//! - a cursor Stream rejects in the middle of a read (400, code 4: an expired cursor) starts
//!   the walk over from the first page, at most [`crate::api::MAX_RESTARTS`] times;
//!   deduplication makes reading rows twice harmless;
//! - a 404 for a session known to exist (the call's current session, or one
//!   `QueryCallSessionStats` lists) means Stream is still preparing its data, as it does right
//!   after a call ends: the page is asked for again for up to [`ReadOptions::ready_wait`];
//!   an unknown session is reported at once;
//! - a filter too long for one URL is read as several requests ([`StreamClient::filter_parts`])
//!   whose rows are merged;
//! - once the pages end, [`SessionRead::completeness`] reconciles the rows with Stream's totals.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::completeness::{Completeness, ReadEnd, ReadTally, Scope};
use crate::api::call_stats::SessionStatsQuery;
use crate::api::models::CallSession;
use crate::api::timestamp::{Nanos, unix_now};
use crate::api::{
    ApiError, ErrorKind, PagerOptions, RateLimit, RawSessionsPage, Response, SessionPager,
    StopReason, StreamClient,
};
use crate::attendance::{
    EndReports, PageNews, ServerTotals, SessionLedger, session_end, session_state,
};

/// How long Stream is given to prepare a session's data after a call ends, when nothing else
/// is asked for. Stream's own SDK tests wait up to 30 s for it; a minute leaves room.
pub(crate) const DEFAULT_READY_WAIT: Duration = Duration::from_secs(60);

/// The longest wait between two requests while Stream prepares a session.
const READY_RETRY: Duration = Duration::from_secs(2);

/// The call session to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadTarget {
    pub(crate) call_type: String,
    pub(crate) call_id: String,
    pub(crate) session: String,
}

/// How a [`SessionRead`] reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadOptions {
    /// Rows per page, at most [`crate::api::MAX_PAGE_SIZE`].
    pub(crate) page_size: u32,
    /// Stream's `filter_conditions`; they narrow the rows, never the totals.
    pub(crate) filter_conditions: Option<Value>,
    /// How long 404s for a session known to exist are taken for "not ready yet" before the
    /// read ends as incomplete.
    pub(crate) ready_wait: Duration,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            page_size: PagerOptions::default().page_size,
            filter_conditions: None,
            ready_wait: DEFAULT_READY_WAIT,
        }
    }
}

/// What [`SessionRead::next`] brings.
#[derive(Debug)]
pub(crate) enum ReadStep {
    Page(Box<ReadPage>),
    /// Stream answered 404 for a session that exists: it is still preparing the session's
    /// attendance. The same page is asked for again at `retry_at` (Unix ns).
    NotReady {
        retry_at: Nanos,
    },
}

/// One page as received, and what each of its rows is to the read.
#[derive(Debug)]
pub struct ReadPage {
    /// Numbered from 1 in the order received, pages asked for twice included.
    pub(crate) page_no: u32,
    /// The `next` cursor the page was asked for with; `None` for the first page.
    pub(crate) cursor: Option<String>,
    pub(crate) page: RawSessionsPage,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) news: PageNews,
}

/// Stream answered 404 since `since`; the next request goes out at `retry_at`.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    since: Instant,
    retry_at: Instant,
}

/// A read under way. Call [`SessionRead::next`] until it returns `None`, then
/// [`SessionRead::completeness`].
#[derive(Debug)]
pub(crate) struct SessionRead {
    client: StreamClient,
    target: ReadTarget,
    /// The filter of each walk: several when one was too long for a URL.
    parts: Vec<Option<Value>>,
    part: usize,
    page_size: u32,
    ready_wait: Duration,
    pager: SessionPager,
    ledger: SessionLedger,
    totals: ServerTotals,
    session: Option<CallSession>,
    /// What `GetCall` and the stats said of the session's end ([`SessionRead::learn_end`]).
    reports: EndReports,
    page_no: u32,
    waiting: Option<Waiting>,
    session_known: bool,
    end: Option<ReadEnd>,
}

impl SessionRead {
    /// Prepares the read; fails only when the filter cannot be sent (see
    /// [`StreamClient::filter_parts`]). Nothing is requested until [`SessionRead::next`].
    pub(crate) fn new(
        client: &StreamClient,
        target: ReadTarget,
        options: ReadOptions,
    ) -> Result<SessionRead, ApiError> {
        let parts = client.filter_parts(
            &target.call_type,
            &target.call_id,
            &target.session,
            options.page_size,
            options.filter_conditions,
        )?;
        let pager = pager(client, &target, options.page_size, parts[0].clone());
        Ok(SessionRead {
            client: client.clone(),
            target,
            parts,
            part: 0,
            page_size: options.page_size,
            ready_wait: options.ready_wait,
            pager,
            ledger: SessionLedger::new(),
            totals: ServerTotals::default(),
            session: None,
            reports: EndReports::default(),
            page_no: 0,
            waiting: None,
            session_known: false,
            end: None,
        })
    }

    /// The next page, a wait for Stream to get ready, or an error (call again to retry the
    /// same page), or `None` once the read has ended.
    pub(crate) async fn next(&mut self) -> Option<Result<ReadStep, ApiError>> {
        loop {
            if self.end.is_some() {
                return None;
            }
            if let Some(waiting) = self.waiting {
                tokio::time::sleep_until(waiting.retry_at.into()).await;
            }
            let Some(result) = self.pager.next_page().await else {
                let reason = self.pager.stop_reason().unwrap_or(StopReason::LastPage);
                if reason == StopReason::LastPage && self.part + 1 < self.parts.len() {
                    self.next_part();
                    continue;
                }
                self.end = Some(ReadEnd::Stopped(reason));
                return None;
            };
            match result {
                Ok(response) => return Some(Ok(self.on_page(response))),
                Err(error) => {
                    if let Some(outcome) = self.on_error(error).await {
                        return Some(outcome);
                    }
                }
            }
        }
    }

    /// Pages received so far.
    pub(crate) fn pages(&self) -> u32 {
        self.page_no
    }

    /// Whether the server filtered the rows.
    pub(crate) fn scope(&self) -> Scope {
        if self.parts.iter().any(Option::is_some) {
            Scope::ServerFiltered
        } else {
            Scope::WholeSession
        }
    }

    /// Whether a row of `user_session_id` was received.
    pub(crate) fn received(&self, user_session_id: &str) -> bool {
        self.ledger.holds(user_session_id)
    }

    /// What a read of `is_live: {"$eq": true}` says of the server: it honours the condition
    /// when every row received was open and they are fewer than the session's total.
    pub(crate) fn is_live_check(&self) -> super::IsLiveCheck {
        use super::IsLiveCheck;
        let rows = self.ledger.len();
        if self.ledger.open_rows() < rows {
            return IsLiveCheck::Ignored;
        }
        if self.ledger.unreadable_rows() > 0 {
            return IsLiveCheck::Unproven;
        }
        match self.totals.participant_sessions {
            Some(total) if i128::try_from(rows).unwrap_or(i128::MAX) < i128::from(total) => {
                IsLiveCheck::Honoured
            }
            _ => IsLiveCheck::Unproven,
        }
    }

    /// What a read of `is_live: {"$eq": false}` says of the server: it honours the condition
    /// when every row received had left (an unreadable row leaves it unproven).
    pub(crate) fn is_closed_check(&self) -> super::IsLiveCheck {
        use super::IsLiveCheck;
        if self.ledger.open_rows() > 0 {
            IsLiveCheck::Ignored
        } else if self.ledger.unreadable_rows() > 0 {
            IsLiveCheck::Unproven
        } else {
            IsLiveCheck::Honoured
        }
    }

    /// What was read, reconciled with Stream's totals; `None` until the read has ended.
    pub(crate) fn completeness(&self, now: Nanos) -> Option<Completeness> {
        let end = self.end?;
        let tally = ReadTally {
            sessions: self.ledger.len() as u64,
            raw_duration_seconds: self.ledger.raw_duration_seconds(),
            unreadable_rows: self.ledger.unreadable_rows(),
        };
        let state = session_state(
            &self.target.session,
            self.session.as_ref(),
            &self.reports,
            self.totals,
            self.ledger.len(),
            self.ledger.open_rows(),
            now,
        );
        Some(Completeness::reconcile(
            end,
            tally,
            self.totals,
            self.scope(),
            state,
        ))
    }

    /// Once the pages are read: when their `session` object does not say the session ended,
    /// asks `GetCall`, then `QueryCallSessionStats`, by the rule of
    /// [`crate::attendance::session_end`]. [`SessionRead::completeness`] and the stores fed
    /// from this read ([`crate::attendance::SessionStore::learn_end`]) then agree on it.
    pub(crate) async fn learn_end(&mut self) -> Result<(), ApiError> {
        learn_end(
            &self.client,
            &self.target,
            self.session.as_ref(),
            &mut self.reports,
        )
        .await
    }

    /// What `GetCall` and the stats said of the session's end.
    pub(crate) fn end_reports(&self) -> &EndReports {
        &self.reports
    }

    fn on_page(&mut self, mut response: Response<RawSessionsPage>) -> ReadStep {
        self.waiting = None;
        // The one decoding of the page, for the ledger here and the store downstream, while
        // the pager's request for the next page is under way.
        response.body.decode_once();
        // A page the ledger cannot read has its rows counted as unreadable: the read then
        // says they are missing, and consumers decide what to do with the page.
        let news = self.ledger.record_page(&response.body).unwrap_or_else(|_| {
            self.ledger
                .unreadable_page(response.body.rows(), self.totals)
        });
        let cursor = self.pager.page_cursor().map(str::to_owned);
        self.totals = news.totals;
        if let Some(session) = &news.session {
            self.session = Some(session.clone());
        }
        if news.all_seen {
            // False when asked twice already: the pager then ends with `RepeatedPage`.
            self.pager.reread();
        }
        self.page_no += 1;
        ReadStep::Page(Box::new(ReadPage {
            page_no: self.page_no,
            cursor,
            page: response.body,
            rate_limit: response.rate_limit,
            news,
        }))
    }

    /// Recovers from what can be recovered (`None`: read on), else hands the error back.
    async fn on_error(&mut self, error: ApiError) -> Option<Result<ReadStep, ApiError>> {
        if error.is_rejected_cursor() && !self.pager.at_first_page() {
            // False after the last allowed restart: the pager then ends with
            // `CursorRejected`.
            if self.pager.restart() {
                self.ledger.new_walk();
            }
            return None;
        }
        if error.kind() != ErrorKind::NotFound {
            return Some(Err(error));
        }
        if !self.session_known {
            match self.session_exists().await {
                Ok(true) => self.session_known = true,
                Ok(false) => return Some(Err(error)),
                Err(other) => return Some(Err(other)),
            }
        }
        let now = Instant::now();
        let since = self.waiting.map_or(now, |waiting| waiting.since);
        let waited = now - since;
        if waited >= self.ready_wait {
            self.end = Some(ReadEnd::NotReady(waited));
            return None;
        }
        let pause = READY_RETRY
            .min(self.ready_wait / 10)
            .min(self.ready_wait.saturating_sub(waited));
        self.waiting = Some(Waiting {
            since,
            retry_at: now + pause,
        });
        let retry_at = unix_now().saturating_add(Nanos::try_from(pause.as_nanos()).unwrap_or(0));
        Some(Ok(ReadStep::NotReady { retry_at }))
    }

    /// Whether the session exists although its rows answered 404: it is the call's current
    /// session, or `QueryCallSessionStats` lists it.
    async fn session_exists(&self) -> Result<bool, ApiError> {
        let target = &self.target;
        let call = match self
            .client
            .get_call(&target.call_type, &target.call_id)
            .await
        {
            Ok(found) => found.body.call,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(error),
        };
        if call.current_session_id == target.session {
            return Ok(true);
        }
        let query =
            SessionStatsQuery::one_session(&target.call_type, &target.call_id, &target.session);
        // A listing that fails says nothing either way: the 404 then stands.
        Ok(self
            .client
            .query_call_session_stats(&query)
            .await
            .is_ok_and(|found| {
                found
                    .body
                    .call_stats
                    .iter()
                    .any(|stats| stats.call_session_id == target.session)
            }))
    }

    fn next_part(&mut self) {
        self.part += 1;
        self.pager = pager(
            &self.client,
            &self.target,
            self.page_size,
            self.parts[self.part].clone(),
        );
        self.ledger.new_walk();
    }
}

/// Adds to `reports` what `GetCall`, then (if the session still reads as running) its row of
/// `QueryCallSessionStats`, say of the end of `target`'s session, whose own `session` object
/// is `session`. Nothing is asked when what is known already says it ended.
pub(crate) async fn learn_end(
    client: &StreamClient,
    target: &ReadTarget,
    session: Option<&CallSession>,
    reports: &mut EndReports,
) -> Result<(), ApiError> {
    let ended = |reports: &EndReports| session_end(&reports.facts(session, Some(&target.session)));
    if ended(reports).is_ended() {
        return Ok(());
    }
    let call = client
        .get_call(&target.call_type, &target.call_id)
        .await?
        .body
        .call;
    reports.take_call(&call);
    if ended(reports).is_ended() {
        return Ok(());
    }
    let query = SessionStatsQuery::one_session(&target.call_type, &target.call_id, &target.session);
    let stats = client.query_call_session_stats(&query).await?;
    if let Some(row) = stats
        .body
        .call_stats
        .iter()
        .find(|row| row.call_session_id == target.session)
    {
        reports.take_stats(row, Some(&target.session));
    }
    Ok(())
}

fn pager(
    client: &StreamClient,
    target: &ReadTarget,
    page_size: u32,
    filter_conditions: Option<Value>,
) -> SessionPager {
    let options = PagerOptions {
        page_size,
        filter_conditions,
        ..PagerOptions::default()
    };
    client.participant_session_pages(&target.call_type, &target.call_id, &target.session, options)
}
