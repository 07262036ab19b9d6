//! Paging through every participant session of a call session.
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

use super::client::{Response, StreamClient};
use super::error::ApiError;
use super::models::{ParticipantSessionsPage, ParticipantSessionsQuery};
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

/// Why a [`SessionPager`] stopped.
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

impl StopReason {
    /// Whether every row was read (as far as the server's answers tell).
    pub fn is_complete(self) -> bool {
        matches!(self, StopReason::LastPage | StopReason::EmptyPage)
    }
}

type PageResult = Result<Response<RawSessionsPage>, ApiError>;

/// Every page of one call session, in order. Create it with
/// [`StreamClient::participant_session_pages`] and call [`SessionPager::next_page`] (decoded
/// pages) or [`SessionPager::next_raw_page`] (bytes for the store) until it returns `None`.
#[derive(Debug)]
pub struct SessionPager {
    client: StreamClient,
    target: Arc<Target>,
    options: PagerOptions,
    /// The cursor of the page to fetch next (`None` for the first page).
    cursor: Option<String>,
    sent_cursors: HashSet<String>,
    pages_read: u32,
    prefetch: Option<JoinHandle<PageResult>>,
    stopped: Option<StopReason>,
}

impl SessionPager {
    pub(crate) fn new(
        client: StreamClient,
        call_type: &str,
        call_id: &str,
        session: &str,
        options: PagerOptions,
    ) -> SessionPager {
        SessionPager {
            client,
            target: Arc::new(Target {
                call_type: call_type.to_string(),
                call_id: call_id.to_string(),
                session: session.to_string(),
            }),
            options,
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
    pub async fn next_page(
        &mut self,
    ) -> Option<Result<Response<ParticipantSessionsPage>, ApiError>> {
        self.next_with(|page| page.decode()).await
    }

    /// [`SessionPager::next_page`] keeping the page as bytes, for
    /// [`crate::attendance::SessionStore::ingest_json`] to decode in place.
    pub async fn next_raw_page(&mut self) -> Option<PageResult> {
        self.next_with(Ok).await
    }

    /// The next page as `read` makes it. A page `read` refuses counts as failed: the cursor
    /// stays, so asking again fetches that page again.
    async fn next_with<T>(
        &mut self,
        read: impl FnOnce(RawSessionsPage) -> Result<T, ApiError>,
    ) -> Option<Result<Response<T>, ApiError>> {
        if self.stopped.is_some() {
            return None;
        }
        let result = match &mut self.prefetch {
            Some(handle) => {
                let result = joined(handle).await;
                self.prefetch = None;
                result
            }
            None => fetch(&self.client, &self.target, self.query()).await,
        };
        let result = result.and_then(|page| {
            let rows = page.body.rows();
            let next = page.body.next_cursor().map(str::to_owned);
            let body = read(page.body)?;
            self.advance(rows, next.as_deref());
            self.start_prefetch();
            Ok(Response {
                body,
                rate_limit: page.rate_limit,
            })
        });
        Some(result)
    }

    /// Why paging ended, once it has.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stopped
    }

    pub fn pages_read(&self) -> u32 {
        self.pages_read
    }

    fn advance(&mut self, rows: usize, next: Option<&str>) {
        self.pages_read += 1;
        self.stopped = match next {
            _ if rows == 0 => Some(StopReason::EmptyPage),
            None => Some(StopReason::LastPage),
            Some(next) if self.sent_cursors.contains(next) => Some(StopReason::RepeatedCursor),
            Some(_) if self.pages_read >= self.options.max_pages => Some(StopReason::PageCap),
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
        let target = Arc::clone(&self.target);
        let query = self.query();
        self.prefetch = Some(tokio::spawn(
            async move { fetch(&client, &target, query).await },
        ));
    }

    fn query(&self) -> ParticipantSessionsQuery {
        ParticipantSessionsQuery {
            limit: Some(self.options.page_size.min(MAX_PAGE_SIZE)),
            next: self.cursor.clone(),
            prev: None,
            filter_conditions: self.options.filter_conditions.clone(),
        }
    }
}

impl Drop for SessionPager {
    /// A page nobody will read is not worth a request against the rate limit.
    fn drop(&mut self) {
        if let Some(handle) = &self.prefetch {
            handle.abort();
        }
    }
}

/// The call session being paged.
#[derive(Debug)]
struct Target {
    call_type: String,
    call_id: String,
    session: String,
}

async fn fetch(
    client: &StreamClient,
    target: &Target,
    query: ParticipantSessionsQuery,
) -> PageResult {
    client
        .query_call_participant_sessions_raw(
            &target.call_type,
            &target.call_id,
            &target.session,
            &query,
        )
        .await
}

/// The prefetched page. The task is only aborted by `Drop`, so a join error is a panic inside
/// it, which is passed on unchanged.
async fn joined(handle: &mut JoinHandle<PageResult>) -> PageResult {
    match handle.await {
        Ok(result) => result,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::ParticipantSessionDetails;

    fn pager(max_pages: u32) -> SessionPager {
        let client = StreamClient::new("http://127.0.0.1:9", "key", "secret").unwrap();
        let options = PagerOptions {
            max_pages,
            ..PagerOptions::default()
        };
        SessionPager::new(client, "default", "c", "s", options)
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

    impl SessionPager {
        fn advance_past(&mut self, page: &RawSessionsPage) {
            self.advance(page.rows(), page.next_cursor());
        }
    }

    #[test]
    fn first_query_asks_for_full_pages_without_a_cursor() {
        let query = pager(10).query();
        assert_eq!(query.limit, Some(100));
        assert_eq!(query.next, None);
    }

    #[test]
    fn a_cursor_moves_the_pager_forward() {
        let mut pager = pager(10);
        pager.advance_past(&page(100, Some("c1")));
        assert_eq!(pager.stop_reason(), None);
        assert_eq!(pager.query().next.as_deref(), Some("c1"));
    }

    #[test]
    fn absent_or_empty_next_ends_paging_completely() {
        for next in [None, Some("")] {
            let mut pager = pager(10);
            pager.advance_past(&page(3, next));
            assert_eq!(pager.stop_reason(), Some(StopReason::LastPage));
            assert!(StopReason::LastPage.is_complete());
        }
    }

    #[test]
    fn an_empty_page_ends_paging_even_with_a_cursor() {
        let mut pager = pager(10);
        pager.advance_past(&page(0, Some("c1")));
        assert_eq!(pager.stop_reason(), Some(StopReason::EmptyPage));
    }

    #[test]
    fn a_repeated_cursor_ends_paging_instead_of_looping() {
        let mut pager = pager(10);
        pager.advance_past(&page(1, Some("c1")));
        pager.advance_past(&page(1, Some("c2")));
        pager.advance_past(&page(1, Some("c1")));
        assert_eq!(pager.stop_reason(), Some(StopReason::RepeatedCursor));
        assert!(!StopReason::RepeatedCursor.is_complete());
        assert_eq!(pager.pages_read(), 3);
    }

    #[test]
    fn the_page_cap_ends_paging_as_incomplete() {
        let mut pager = pager(2);
        pager.advance_past(&page(1, Some("c1")));
        assert_eq!(pager.stop_reason(), None);
        pager.advance_past(&page(1, Some("c2")));
        assert_eq!(pager.stop_reason(), Some(StopReason::PageCap));
        assert!(!StopReason::PageCap.is_complete());
    }

    #[test]
    fn page_size_is_clamped_to_what_stream_serves() {
        let client = StreamClient::new("http://127.0.0.1:9", "key", "secret").unwrap();
        let options = PagerOptions {
            page_size: 500,
            ..PagerOptions::default()
        };
        let pager = SessionPager::new(client, "default", "c", "s", options);
        assert_eq!(pager.query().limit, Some(MAX_PAGE_SIZE));
    }
}
