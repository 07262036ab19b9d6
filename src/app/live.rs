//! The state of fetching: the query under way and its progress, the live poll schedule, the
//! freeze buffer and the status line.

use serde_json::Value;

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::fetch::FetchEvent;

/// Whether a fetch replaces the data or refreshes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchKind {
    /// A new query (start, filter change, `r`): the store is cleared at its first page.
    Fresh,
    /// A live poll: rows are upserted into what is there.
    Poll,
}

/// The fetch of the current generation and how far it got.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchProgress {
    pub generation: u64,
    pub kind: FetchKind,
    /// The `filter_conditions` this fetch sends.
    pub server_filter: Option<Value>,
    /// The highest page number seen (pages may arrive out of order).
    pub pages: u32,
    /// How many pages arrived.
    pub received: u32,
    pub rows: u64,
    /// Rows of pages the store could not read: missing from the data.
    pub skipped_rows: u64,
    pub started_at: Nanos,
    /// When the last page arrived.
    pub last_page_at: Option<Nanos>,
    pub running: bool,
}

impl FetchProgress {
    pub fn new(generation: u64, kind: FetchKind, server_filter: Option<Value>, now: Nanos) -> Self {
        FetchProgress {
            generation,
            kind,
            server_filter,
            pages: 0,
            received: 0,
            rows: 0,
            skipped_rows: 0,
            started_at: now,
            last_page_at: None,
            running: true,
        }
    }

    /// Rows per second since the fetch started, up to its last page.
    pub fn rate(&self) -> Option<f64> {
        let elapsed = self.last_page_at? - self.started_at;
        (elapsed > 0).then(|| self.rows as f64 * NANOS_PER_SEC as f64 / elapsed as f64)
    }
}

/// The view is frozen: fetch events of the current query wait here until it resumes.
#[derive(Debug, Clone)]
pub struct Frozen {
    pub since: Nanos,
    pub buffered: Vec<FetchEvent>,
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
pub enum Level {
    Info,
    Warning,
    Error,
}

/// The status line: the outcome of the last action, or what the fetch is struggling with.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub level: Level,
    pub text: String,
    /// The retry of a failed page is planned for this instant.
    pub retry_at: Option<Nanos>,
    /// The message disappears after this instant.
    pub until: Option<Nanos>,
}

impl Status {
    pub fn flash(text: String, now: Nanos) -> Status {
        Status {
            level: Level::Info,
            text,
            retry_at: None,
            until: Some(now + 5 * NANOS_PER_SEC),
        }
    }

    pub fn error(text: String) -> Status {
        Status {
            level: Level::Error,
            text,
            retry_at: None,
            until: None,
        }
    }

    /// A warning that stays until something replaces it.
    pub fn warning(text: String) -> Status {
        Status {
            level: Level::Warning,
            text,
            retry_at: None,
            until: None,
        }
    }

    pub fn retrying(text: String, retry_at: Nanos) -> Status {
        Status {
            level: Level::Warning,
            text,
            retry_at: Some(retry_at),
            until: None,
        }
    }
}
