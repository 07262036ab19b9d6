//! Paging through every row of a query: the participant sessions of a call session, or the
//! sessions of a call. One generic [`Pager`] walks both; each query says how to fetch a page.
//!
//! The end of the data is the end of the cursors: paging is complete only when a page comes
//! without `next` (absent, null or empty). Stream's cursors are opaque, so the pager also guards
//! against a server that misbehaves, and says so with an incomplete [`StopReason`]:
//!
//! - an empty page that still has a `next` is most likely a hiccup: it is asked for once more
//!   from the same cursor, and if it is still empty the pager follows `next`, up to
//!   [`MAX_EMPTY_PAGES`] empty pages in a row;
//! - a cursor already sent (a cycle) ends paging rather than looping forever;
//! - a caller that finds a page it has already read can ask for it once more
//!   ([`Pager::reread`]), and start over after Stream rejected a cursor ([`Pager::restart`]);
//! - a hard number of pages per walk ends paging.
//!
//! A failed page leaves the cursor where it was, so asking again retries that page instead of
//! starting over. As soon as a page's cursor is known, the next page is requested in the
//! background, so the network works while the caller handles rows.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinHandle;

use super::call_stats::{SessionStatsPage, SessionStatsQuery};
use super::client::{Response, StreamClient};
use super::error::ApiError;
use super::models::ParticipantSessionsQuery;
use super::page_bytes::RawSessionsPage;

/// The largest page Stream serves.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

/// How a `SessionPager` queries.
#[derive(Debug, Clone, PartialEq)]
pub struct PagerOptions {
    /// Rows per page, at most `MAX_PAGE_SIZE`. Always sent: the API documents no default.
    pub page_size: u32,
    /// Stop after this many pages even if Stream offers more.
    pub max_pages: u32,
    /// Stream `filter_conditions`; it narrows the rows but not the totals of each page.
    pub filter_conditions: Option<Value>,
}

impl Default for PagerOptions {
    fn default() -> Self {
        PagerOptions {
            page_size: MAX_PAGE_SIZE,
            // Five million rows at 100 per page: a guard against a server that never ends,
            // far beyond any real call session.
            max_pages: 50_000,
            filter_conditions: None,
        }
    }
}

/// Empty pages with a `next` cursor followed in a row before paging stops as incomplete.
pub(crate) const MAX_EMPTY_PAGES: u32 = 10;

/// Times a walk may start over from the first page after Stream rejected a cursor.
pub(crate) const MAX_RESTARTS: u32 = 2;

/// Why a `Pager` stopped. Only [`StopReason::LastPage`] means every row was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// The last page had no `next` cursor: everything was read.
    LastPage,
    /// More than `MAX_EMPTY_PAGES` pages in a row came back empty yet offered a `next`.
    EmptyPages,
    /// Stream offered a cursor already sent, which would loop forever.
    RepeatedCursor,
    /// A page of rows already read came back again when asked for once more.
    RepeatedPage,
    /// Stream rejected a cursor in the middle of the read, and again after each of the
    /// `MAX_RESTARTS` fresh starts.
    CursorRejected,
    /// [`PagerOptions::max_pages`] pages were read in one walk; more may exist.
    PageCap,
}

/// Worded for the user, as the reason reading stopped.
impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::LastPage => "the last page was read",
            StopReason::EmptyPages => "Stream kept sending empty pages that still offered more",
            StopReason::RepeatedCursor => {
                "Stream offered a page cursor it had already given, which would read the same \
                 pages forever"
            }
            StopReason::RepeatedPage => {
                "Stream sent a page of rows already read again, twice from the same cursor"
            }
            StopReason::CursorRejected => {
                "Stream rejected its own page cursor, even after starting over"
            }
            StopReason::PageCap => "the page limit was reached while Stream offered more",
        })
    }
}

impl StopReason {
    /// Whether every row was read (as far as the server's answers tell).
    pub fn is_complete(self) -> bool {
        self == StopReason::LastPage
    }
}

type PageResult<P> = Result<Response<P>, ApiError>;

/// One paged Stream query: how to fetch a page at a cursor and what a page says about paging.
pub trait PagedQuery: Send + Sync + 'static {
    type Page: Send + 'static;

    /// Fetches the page of `limit` rows at `cursor` (`None` for the first page).
    fn fetch(
        &self,
        client: &StreamClient,
        limit: u32,
        cursor: Option<String>,
    ) -> impl Future<Output = PageResult<Self::Page>> + Send;

    fn is_empty(page: &Self::Page) -> bool;

    fn next_cursor(page: &Self::Page) -> Option<&str>;
}

/// Every page of one query, in order. Call [`Pager::next_page`] until it returns `None`.
#[derive(Debug)]
pub struct Pager<Q: PagedQuery> {
    client: StreamClient,
    query: Arc<Q>,
    page_size: u32,
    max_pages: u32,
    /// The cursor of the page to fetch next (`None` for the first page).
    cursor: Option<String>,
    /// The cursor the last page returned was fetched with.
    page_cursor: Option<String>,
    /// The cursor last offered as `next` and added to `sent_cursors`, so that asking for its
    /// page again can take it back.
    offered: Option<String>,
    sent_cursors: HashSet<String>,
    /// The cursor already asked for a second time, by the empty-page rule or by
    /// [`Pager::reread`]: a third time is not asked for.
    asked_again: Option<Option<String>>,
    empty_in_a_row: u32,
    restarts: u32,
    pages_read: u32,
    /// Pages read since the first page was last asked for, for the page cap.
    walk_pages: u32,
    prefetch: Option<JoinHandle<PageResult<Q::Page>>>,
    stopped: Option<StopReason>,
}

/// Every participant session of one call session; see
/// [`StreamClient::participant_session_pages`].
pub(crate) type SessionPager = Pager<ParticipantSessions>;

/// Every session of the calls a [`SessionStatsQuery`] selects; see
/// [`StreamClient::session_stats_pages`].
pub(crate) type SessionStatsPager = Pager<SessionStatsQuery>;

impl<Q: PagedQuery> Pager<Q> {
    pub(crate) fn new(client: StreamClient, query: Q, page_size: u32, max_pages: u32) -> Self {
        Pager {
            client,
            query: Arc::new(query),
            page_size: page_size.min(MAX_PAGE_SIZE),
            max_pages,
            cursor: None,
            page_cursor: None,
            offered: None,
            sent_cursors: HashSet::new(),
            asked_again: None,
            empty_in_a_row: 0,
            restarts: 0,
            pages_read: 0,
            walk_pages: 0,
            prefetch: None,
            stopped: None,
        }
    }

    /// The next page, an error (call again to retry the same page), or `None` when done.
    ///
    /// Cancel-safe: if the returned future is dropped before it completes (say, in a
    /// `select!`), the next call returns the same page without requesting it again.
    pub async fn next_page(&mut self) -> Option<PageResult<Q::Page>> {
        if self.stopped.is_some() {
            return None;
        }
        let result = match &mut self.prefetch {
            Some(handle) => {
                let result = joined(handle).await;
                self.prefetch = None;
                result
            }
            None => {
                let cursor = self.cursor.clone();
                self.query.fetch(&self.client, self.page_size, cursor).await
            }
        };
        if let Ok(page) = &result {
            self.advance(&page.body);
            self.start_prefetch();
        }
        Some(result)
    }

    /// Why paging ended, once it has.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stopped
    }

    /// Pages received, every walk and every page asked for again included.
    pub fn pages_read(&self) -> u32 {
        self.pages_read
    }

    /// The cursor the page last returned was asked for with (`None` for the first page).
    pub(crate) fn page_cursor(&self) -> Option<&str> {
        self.page_cursor.as_deref()
    }

    /// Whether the next request is for the first page (no cursor is sent).
    pub(crate) fn at_first_page(&self) -> bool {
        self.cursor.is_none()
    }

    /// Asks for the page just returned once more, from the cursor it was fetched with: the
    /// caller found only rows it had already read (the previous page served again). Returns
    /// false, and stops paging with [`StopReason::RepeatedPage`], if that page was already
    /// asked for a second time.
    pub(crate) fn reread(&mut self) -> bool {
        self.abort_prefetch();
        if self.asked_again.as_ref() == Some(&self.page_cursor) {
            self.stopped = Some(StopReason::RepeatedPage);
            return false;
        }
        if let Some(offered) = self.offered.take() {
            self.sent_cursors.remove(&offered);
        }
        self.cursor = self.page_cursor.clone();
        self.asked_again = Some(self.page_cursor.clone());
        self.stopped = None;
        true
    }

    /// Starts the walk over from the first page, after Stream rejected a cursor in the middle
    /// of it (an expired cursor): the caller deduplicates what it reads twice. Returns false,
    /// and stops paging with [`StopReason::CursorRejected`], after [`MAX_RESTARTS`] restarts.
    pub(crate) fn restart(&mut self) -> bool {
        self.abort_prefetch();
        if self.restarts >= MAX_RESTARTS {
            self.stopped = Some(StopReason::CursorRejected);
            return false;
        }
        self.restarts += 1;
        self.cursor = None;
        self.page_cursor = None;
        self.offered = None;
        self.sent_cursors.clear();
        self.asked_again = None;
        self.empty_in_a_row = 0;
        self.walk_pages = 0;
        self.stopped = None;
        true
    }

    fn advance(&mut self, page: &Q::Page) {
        self.pages_read += 1;
        self.walk_pages += 1;
        self.page_cursor = self.cursor.clone();
        self.offered = None;
        let next = Q::next_cursor(page);
        if Q::is_empty(page) && next.is_some() {
            if self.asked_again.as_ref() != Some(&self.cursor) {
                // Most likely a hiccup: the same cursor once more before believing it.
                self.asked_again = Some(self.cursor.clone());
                return;
            }
            self.empty_in_a_row += 1;
            if self.empty_in_a_row > MAX_EMPTY_PAGES {
                self.stopped = Some(StopReason::EmptyPages);
                return;
            }
        } else if !Q::is_empty(page) {
            self.empty_in_a_row = 0;
        }
        self.stopped = match next {
            None => Some(StopReason::LastPage),
            Some(next) if self.sent_cursors.contains(next) => Some(StopReason::RepeatedCursor),
            Some(_) if self.walk_pages >= self.max_pages => Some(StopReason::PageCap),
            Some(next) => {
                self.sent_cursors.insert(next.to_string());
                self.offered = Some(next.to_string());
                self.cursor = Some(next.to_string());
                None
            }
        };
    }

    fn abort_prefetch(&mut self) {
        if let Some(handle) = self.prefetch.take() {
            handle.abort();
        }
    }

    fn start_prefetch(&mut self) {
        if self.stopped.is_some() {
            return;
        }
        let client = self.client.clone();
        let query = Arc::clone(&self.query);
        let (limit, cursor) = (self.page_size, self.cursor.clone());
        self.prefetch = Some(tokio::spawn(async move {
            query.fetch(&client, limit, cursor).await
        }));
    }
}

impl<Q: PagedQuery> Drop for Pager<Q> {
    /// A page nobody will read is not worth a request against the rate limit.
    fn drop(&mut self) {
        if let Some(handle) = &self.prefetch {
            handle.abort();
        }
    }
}

/// The call session whose participant sessions are paged.
#[derive(Debug)]
pub struct ParticipantSessions {
    pub(crate) call_type: String,
    pub(crate) call_id: String,
    pub(crate) session: String,
    pub(crate) filter_conditions: Option<Value>,
}

/// Pages stay bytes, decoded once in place for the ledger, the store and the export
/// ([`RawSessionsPage::decode_once`]).
impl PagedQuery for ParticipantSessions {
    type Page = RawSessionsPage;

    async fn fetch(
        &self,
        client: &StreamClient,
        limit: u32,
        cursor: Option<String>,
    ) -> PageResult<RawSessionsPage> {
        let query = ParticipantSessionsQuery {
            limit: Some(limit),
            next: cursor,
            prev: None,
            filter_conditions: self.filter_conditions.clone(),
        };
        client
            .query_call_participant_sessions_raw(
                &self.call_type,
                &self.call_id,
                &self.session,
                &query,
            )
            .await
    }

    fn is_empty(page: &RawSessionsPage) -> bool {
        page.rows() == 0
    }

    fn next_cursor(page: &RawSessionsPage) -> Option<&str> {
        page.next_cursor()
    }
}

/// The query's own `limit` and `next` are replaced page by page.
impl PagedQuery for SessionStatsQuery {
    type Page = SessionStatsPage;

    async fn fetch(
        &self,
        client: &StreamClient,
        limit: u32,
        cursor: Option<String>,
    ) -> PageResult<SessionStatsPage> {
        let query = SessionStatsQuery {
            limit: Some(limit),
            next: cursor,
            prev: None,
            ..self.clone()
        };
        client.query_call_session_stats(&query).await
    }

    fn is_empty(page: &SessionStatsPage) -> bool {
        page.call_stats.is_empty()
    }

    fn next_cursor(page: &SessionStatsPage) -> Option<&str> {
        page.next_cursor()
    }
}

/// The prefetched page. The task is only aborted by `Drop`, so a join error is a panic inside
/// it, which is passed on unchanged.
async fn joined<P>(handle: &mut JoinHandle<PageResult<P>>) -> PageResult<P> {
    match handle.await {
        Ok(result) => result,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::{ParticipantSessionDetails, ParticipantSessionsPage};

    fn client() -> StreamClient {
        StreamClient::new("http://127.0.0.1:9", "key", "secret").unwrap()
    }

    fn pager(max_pages: u32) -> SessionPager {
        let options = PagerOptions {
            max_pages,
            ..PagerOptions::default()
        };
        client().participant_session_pages("default", "c", "s", options)
    }

    fn page(rows: usize, next: Option<&str>) -> RawSessionsPage {
        let row = ParticipantSessionDetails {
            user_id: "u".into(),
            user_session_id: "us".into(),
            publisher_type: "webrtc".into(),
            roles: vec![],
            joined_at: None,
            left_at: None,
            duration_in_seconds: None,
        };
        RawSessionsPage::from_page(&ParticipantSessionsPage {
            call_type: "default".into(),
            call_id: "c".into(),
            call_session_id: "s".into(),
            duration: crate::api::models::RequestDuration::default(),
            total_participant_sessions: None,
            total_participant_duration: None,
            participants_sessions: vec![row; rows],
            next: next.map(str::to_string),
            prev: None,
            session: None,
        })
    }

    #[test]
    fn first_query_asks_for_full_pages_without_a_cursor() {
        let pager = pager(10);
        assert_eq!(pager.page_size, 100);
        assert_eq!(pager.cursor, None);
    }

    #[test]
    fn a_cursor_moves_the_pager_forward() {
        let mut pager = pager(10);
        pager.advance(&page(100, Some("c1")));
        assert_eq!(pager.stop_reason(), None);
        assert_eq!(pager.cursor.as_deref(), Some("c1"));
    }

    #[test]
    fn absent_or_empty_next_ends_paging_completely() {
        for next in [None, Some("")] {
            let mut pager = pager(10);
            pager.advance(&page(3, next));
            assert_eq!(pager.stop_reason(), Some(StopReason::LastPage));
            assert!(StopReason::LastPage.is_complete());
            assert_eq!(pager.pages_read(), 1);
        }
    }

    #[test]
    fn an_empty_page_with_a_cursor_is_asked_for_again_then_followed() {
        let mut pager = pager(100);
        pager.advance(&page(3, Some("c1")));
        pager.advance(&page(0, Some("c2")));
        assert_eq!(pager.stop_reason(), None);
        assert_eq!(
            pager.cursor.as_deref(),
            Some("c1"),
            "the same cursor once more"
        );
        pager.advance(&page(0, Some("c2")));
        assert_eq!(pager.cursor.as_deref(), Some("c2"), "still empty: read on");
        pager.advance(&page(2, None));
        assert_eq!(pager.stop_reason(), Some(StopReason::LastPage));
    }

    #[test]
    fn an_empty_page_asked_for_again_may_bring_the_rows() {
        let mut pager = pager(100);
        pager.advance(&page(0, Some("c1")));
        assert_eq!(pager.cursor, None, "the first page once more");
        pager.advance(&page(5, Some("c1")));
        assert_eq!(pager.cursor.as_deref(), Some("c1"));
        assert_eq!(pager.stop_reason(), None);
    }

    #[test]
    fn more_than_ten_empty_pages_in_a_row_stop_paging_as_incomplete() {
        let mut pager = pager(1_000);
        pager.advance(&page(1, Some("c0")));
        for n in 1..=MAX_EMPTY_PAGES {
            let next = format!("c{n}");
            pager.advance(&page(0, Some(&next)));
            pager.advance(&page(0, Some(&next)));
            assert_eq!(pager.stop_reason(), None, "after {n} empty pages");
        }
        pager.advance(&page(0, Some("c99")));
        pager.advance(&page(0, Some("c99")));
        assert_eq!(pager.stop_reason(), Some(StopReason::EmptyPages));
        assert!(!StopReason::EmptyPages.is_complete());
    }

    #[test]
    fn an_empty_last_page_is_the_end() {
        let mut pager = pager(10);
        pager.advance(&page(0, None));
        assert_eq!(pager.stop_reason(), Some(StopReason::LastPage));
    }

    #[test]
    fn a_page_read_again_comes_from_its_own_cursor_once() {
        let mut pager = pager(10);
        pager.advance(&page(2, Some("c1")));
        pager.advance(&page(2, Some("c2")));
        assert!(pager.reread());
        assert_eq!(pager.cursor.as_deref(), Some("c1"));
        pager.advance(&page(2, Some("c2")));
        assert_eq!(
            pager.stop_reason(),
            None,
            "c2 was taken back, so it is no cycle"
        );
        assert_eq!(pager.cursor.as_deref(), Some("c2"));
        pager.advance(&page(2, Some("c3")));
        assert!(pager.reread(), "another page may be asked for again too");
        pager.advance(&page(2, Some("c3")));
        assert!(!pager.reread(), "the same page, a third time");
        assert_eq!(pager.stop_reason(), Some(StopReason::RepeatedPage));
    }

    #[test]
    fn the_last_page_can_be_read_again_too() {
        let mut pager = pager(10);
        pager.advance(&page(2, Some("c1")));
        pager.advance(&page(2, None));
        assert_eq!(pager.stop_reason(), Some(StopReason::LastPage));
        assert!(pager.reread());
        assert_eq!(pager.stop_reason(), None);
        assert_eq!(pager.cursor.as_deref(), Some("c1"));
    }

    #[test]
    fn a_rejected_cursor_restarts_the_walk_twice_at_most() {
        let mut pager = pager(10);
        for _ in 0..MAX_RESTARTS {
            pager.advance(&page(1, Some("c1")));
            assert!(!pager.at_first_page());
            assert!(pager.restart());
            assert!(pager.at_first_page());
        }
        pager.advance(&page(1, Some("c1")));
        assert_eq!(
            pager.stop_reason(),
            None,
            "c1 may be offered again after a restart"
        );
        assert!(!pager.restart());
        assert_eq!(pager.stop_reason(), Some(StopReason::CursorRejected));
    }

    #[test]
    fn a_repeated_cursor_ends_paging_instead_of_looping() {
        let mut pager = pager(10);
        pager.advance(&page(1, Some("c1")));
        pager.advance(&page(1, Some("c2")));
        pager.advance(&page(1, Some("c1")));
        assert_eq!(pager.stop_reason(), Some(StopReason::RepeatedCursor));
        assert!(!StopReason::RepeatedCursor.is_complete());
        assert_eq!(pager.pages_read(), 3);
    }

    #[test]
    fn stop_reasons_are_said_in_words_not_in_code_names() {
        let reasons = [
            StopReason::LastPage,
            StopReason::EmptyPages,
            StopReason::RepeatedCursor,
            StopReason::RepeatedPage,
            StopReason::CursorRejected,
            StopReason::PageCap,
        ];
        for reason in reasons {
            let said = reason.to_string();
            assert!(said.contains(' '), "{said}");
            assert!(!said.contains(&format!("{reason:?}")), "{said}");
        }
        assert!(
            StopReason::RepeatedCursor
                .to_string()
                .contains("cursor it had already given")
        );
    }

    #[test]
    fn the_page_cap_ends_paging_as_incomplete() {
        let mut pager = pager(2);
        pager.advance(&page(1, Some("c1")));
        assert_eq!(pager.stop_reason(), None);
        pager.advance(&page(1, Some("c2")));
        assert_eq!(pager.stop_reason(), Some(StopReason::PageCap));
        assert!(!StopReason::PageCap.is_complete());
    }

    #[test]
    fn page_size_is_clamped_to_what_stream_serves() {
        let options = PagerOptions {
            page_size: 500,
            ..PagerOptions::default()
        };
        let pager = client().participant_session_pages("default", "c", "s", options);
        assert_eq!(pager.page_size, MAX_PAGE_SIZE);
        let query = SessionStatsQuery {
            limit: Some(7),
            ..SessionStatsQuery::default()
        };
        assert_eq!(client().session_stats_pages(query).page_size, 7);
    }
}
