//! The Stream Video client: models, timestamps, auth and HTTP.
//!
//! [`StreamClient`] speaks Stream's server-side API (and `headcount sim`, which imitates it).
//! Each concern has its own module: `auth` signs the server token, `base_url` refuses insecure
//! destinations, `endpoint` builds escaped URLs, `decode` turns bodies into models or errors,
//! `rate_limit` reads quota headers, `server_clock` learns the server's present from `Date`
//! headers, `retry` decides waits, `pager` walks cursors, `long_filter` splits a filter too
//! long for one URL, `page_bytes` keeps pages as bytes, `page_ref` decodes them in place for
//! the store, `call_stats` models the sessions of a call, `members` the people invited to it
//! and the ring outcomes.

mod auth;
mod base_url;
pub mod call_stats;
mod client;
mod decode;
mod endpoint;
mod error;
mod long_filter;
pub mod members;
pub mod models;
mod nullable;
mod page_bytes;
mod page_ref;
mod pager;
mod rate_limit;
mod retry;
mod server_clock;
pub mod timestamp;

pub use auth::ApiSecret;
pub use base_url::DEFAULT_BASE_URL;
pub use client::{
    CLIENT_ID, DEFAULT_TIMEOUT, Response, RetryNotice, StreamClient, StreamClientBuilder,
};
pub use error::{
    ApiError, ClientConfigError, DecodeError, ErrorKind, NetworkError, NetworkFailure, StatusError,
};
pub use long_filter::MAX_URL_BYTES;
pub use page_bytes::RawSessionsPage;
pub use page_ref::{ParticipantSessionsPageRef, RoleList, SessionDetailsRef};
pub use pager::{
    MAX_EMPTY_PAGES, MAX_PAGE_SIZE, MAX_RESTARTS, PagedQuery, Pager, PagerOptions,
    ParticipantSessions, SessionPager, SessionStatsPager, StopReason,
};
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;
pub use server_clock::ServerClock;
