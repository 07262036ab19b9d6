//! Paging through every row of a query: the participant sessions of a call session, or the
//! sessions of a call. One generic [`Pager`] walks both; each query says how to fetch a page.
//!
//! Stream's cursors are opaque, so the pager guards against a server that never stops: it ends
//! on an absent or empty `next`, on a page without rows, on a cursor it has already sent, and
//! after a hard number of pages. A failed page leaves the cursor where it was, so asking again
//! retries that page instead of starting over. As soon as a page's cursor is known, the next
//! page is requested in the background, so the network works while the caller handles rows.

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
pub const MAX_PAGE_SIZE: u32 = 100;

/// How a [`SessionPager`] queries.
#[derive(Debug, Clone, PartialEq)]
pub struct PagerOptions {
    /// Rows per page, at most [`MAX_PAGE_SIZE`]. Always sent: the API documents no default.
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
            // A million rows at 100 per page.
            max_pages: 10_000,
            filter_conditions: None,
        }
    }
}

/// Why a [`Pager`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The last page had no `next` cursor: everything was read.
    LastPage,
    /// A page came back without rows.
    EmptyPage,
    /// Stream offered a cursor already sent, which would loop forever.
    RepeatedCursor,
    /// [`PagerOptions::max_pages`] pages were read; more may exist.
    PageCap,
}

/// Worded for the user, as the reason reading stopped.
impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::LastPage => "the last page was read",
            StopReason::EmptyPage => "a page came back without rows",
            StopReason::RepeatedCursor => {
                "Stream offered a page cursor it had already given, which would read the same \
                 pages forever"
            }
            StopReason::PageCap => "the page limit was reached while Stream offered more",
        })
    }
}

impl StopReason {
    /// Whether every row was read (as far as the server's answers tell).
    pub fn is_complete(self) -> bool {
        matches!(self, StopReason::LastPage | StopReason::EmptyPage)
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
    sent_cursors: HashSet<String>,
    pages_read: u32,
    prefetch: Option<JoinHandle<PageResult<Q::Page>>>,
    stopped: Option<StopReason>,
}

/// Every participant session of one call session; see
/// [`StreamClient::participant_session_pages`].
pub type SessionPager = Pager<ParticipantSessions>;

/// Every session of the calls a [`SessionStatsQuery`] selects; see
/// [`StreamClient::session_stats_pages`].
pub type SessionStatsPager = Pager<SessionStatsQuery>;

impl<Q: PagedQuery> Pager<Q> {
    pub(crate) fn new(client: StreamClient, query: Q, page_size: u32, max_pages: u32) -> Self {
        Pager {
            client,
            query: Arc::new(query),
            page_size: page_size.min(MAX_PAGE_SIZE),
            max_pages,
            cursor: None,
            sent_cursors: HashSet::new(),
            pages_read: 0,
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

    pub fn pages_read(&self) -> u32 {
        self.pages_read
    }

    fn advance(&mut self, page: &Q::Page) {
        self.pages_read += 1;
        self.stopped = match Q::next_cursor(page) {
            _ if Q::is_empty(page) => Some(StopReason::EmptyPage),
            None => Some(StopReason::LastPage),
            Some(next) if self.sent_cursors.contains(next) => Some(StopReason::RepeatedCursor),
            Some(_) if self.pages_read >= self.max_pages => Some(StopReason::PageCap),
            Some(next) => {
                self.sent_cursors.insert(next.to_string());
                self.cursor = Some(next.to_string());
                None
            }
        };
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

/// Pages stay bytes: the store decodes them in place ([`RawSessionsPage::decode`] gives the
/// owned model to those who want it).
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
            duration: Default::default(),
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
        }
    }

    #[test]
    fn an_empty_page_ends_paging_even_with_a_cursor() {
        let mut pager = pager(10);
        pager.advance(&page(0, Some("c1")));
        assert_eq!(pager.stop_reason(), Some(StopReason::EmptyPage));
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
            StopReason::EmptyPage,
            StopReason::RepeatedCursor,
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
