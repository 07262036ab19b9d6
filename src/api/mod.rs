//! The Stream Video client: models, timestamps, auth and HTTP.
//!
//! [`StreamClient`] speaks Stream's server-side API (and `headcount sim`, which imitates it).
//! Each concern has its own module: `auth` signs the server token, `base_url` refuses insecure
//! destinations, `endpoint` builds escaped URLs, `decode` turns bodies into models or errors,
//! `rate_limit` reads quota headers, `server_clock` learns the server's present from `Date`
//! headers, `retry` decides waits, `pager` walks cursors, `long_filter` splits a filter too
//! long for one URL, `page_bytes` keeps pages as bytes, `page_ref` decodes them in place for
//! the store, `publisher` declares Stream's publisher types, `call_stats` models the sessions of a call, `members` the people invited to it
//! and the ring outcomes.
//!
//! Visibility: `pub` is what the integration tests and benches use (the client and its
//! builder, errors, the models, timestamps, raw and borrowed pages, pager options and stop
//! reasons, rate limits, the retry policy and its notices); everything else is `pub(crate)` or
//! private.

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
mod publisher;
mod rate_limit;
mod retry;
mod server_clock;
pub(crate) mod session_fields;
pub mod timestamp;

pub(crate) use auth::ApiSecret;
pub(crate) use base_url::DEFAULT_BASE_URL;
pub use client::{CLIENT_ID, RetryNotice, StreamClient, StreamClientBuilder};
pub(crate) use client::{DEFAULT_TIMEOUT, Response};
pub(crate) use error::DecodeError;
pub use error::{
    ApiError, ClientConfigError, ErrorKind, NetworkError, NetworkFailure, StatusError,
};
pub(crate) use long_filter::MAX_URL_BYTES;
pub use page_bytes::RawSessionsPage;
pub use page_ref::ParticipantSessionsPageRef;
pub(crate) use page_ref::SessionDetailsRef;
pub(crate) use pager::{MAX_PAGE_SIZE, SessionPager};
pub use pager::{PagerOptions, StopReason};
pub use publisher::PublisherType;
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;
pub(crate) use server_clock::ServerClock;
pub use session_fields::SessionFields;
