//! The HTTP client: one pooled connection set, authenticated once, retrying what may be retried.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::auth::{self, ApiSecret};
use super::base_url::BaseUrl;
use super::call_stats::{SessionStatsPage, SessionStatsQuery};
use super::decode;
use super::endpoint::{self, Request};
use super::error::{ApiError, ClientConfigError, ErrorKind, NetworkError, NetworkFailure};
use super::long_filter;
use super::members::{MemberPager, MembersPage, MembersQuery};
use super::models::{GetCallResponse, ParticipantSessionsPage, ParticipantSessionsQuery};
use super::page_bytes::RawSessionsPage;
use super::pager::{
    MAX_PAGE_SIZE, PagerOptions, ParticipantSessions, SessionPager, SessionStatsPager,
};
use super::rate_limit::RateLimit;
use super::retry::RetryPolicy;
use super::server_clock::ServerClock;
use super::timestamp::{Nanos, unix_now};

/// How long one attempt may take, connection and body included.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Connecting should be quick even when answering is not.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Identifies headcount to Stream, as each official SDK does with its own name.
pub const CLIENT_ID: &str = concat!("headcount-", env!("CARGO_PKG_VERSION"));

/// A decoded body and the quota left after the call.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    pub body: T,
    pub rate_limit: Option<RateLimit>,
}

/// Sent to the [`StreamClientBuilder::on_retry`] observer before each wait, so that a dashboard
/// can show that a retry is under way.
#[derive(Debug, Clone)]
pub struct RetryNotice {
    /// Stream's operation id, such as `QueryCallParticipantSessions`.
    pub operation: &'static str,
    /// The attempt about to be made (2 for the first retry).
    pub attempt: u32,
    pub max_attempts: u32,
    pub wait: Duration,
    /// Why the previous attempt failed.
    pub error: ApiError,
}

impl fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match &self.error {
            ApiError::Network(network) => match network.failure {
                NetworkFailure::Timeout(_) => format!("no answer from {}", network.base_url),
                _ => format!("cannot reach {}", network.base_url),
            },
            error if error.kind() == ErrorKind::RateLimited => "rate limited by Stream".into(),
            error => match error.status() {
                Some(status) => format!("Stream is having trouble (HTTP {status})"),
                None => error.to_string(),
            },
        };
        write!(
            f,
            "{reason}, retrying in {:.1} s (attempt {} of {})…",
            self.wait.as_secs_f64(),
            self.attempt,
            self.max_attempts
        )
    }
}

type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

/// Turns a success body of an operation into the response's model.
type Decoder<T> = fn(&'static str, &[u8]) -> Result<T, ApiError>;

/// Settings of a [`StreamClient`] beyond its credentials.
pub struct StreamClientBuilder {
    base_url: String,
    api_key: String,
    api_secret: ApiSecret,
    retry_policy: RetryPolicy,
    timeout: Duration,
    on_retry: Option<RetryObserver>,
}

impl StreamClientBuilder {
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The limit for one attempt; a retried request may take several.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called before each retry with what failed and how long the client will wait.
    pub fn on_retry(mut self, observer: impl Fn(&RetryNotice) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(observer));
        self
    }

    /// Checks the settings, signs the server token and opens the connection pool.
    pub fn build(self) -> Result<StreamClient, ApiError> {
        let base_url = BaseUrl::parse(&self.base_url)?;
        if self.api_key.trim().is_empty() {
            return Err(ClientConfigError::MissingCredential {
                name: "STREAM_API_KEY",
            }
            .into());
        }
        if self.api_secret.is_empty() {
            return Err(ClientConfigError::MissingCredential {
                name: "STREAM_API_SECRET",
            }
            .into());
        }
        let http = http_client(&self.api_secret, self.timeout, base_url.is_loopback())?;
        Ok(StreamClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                api_key: self.api_key,
                retry_policy: self.retry_policy,
                timeout: self.timeout,
                clock: ServerClock::new(),
            }),
            on_retry: self.on_retry,
        })
    }
}

impl fmt::Debug for StreamClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .field("retry_policy", &self.retry_policy)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The reqwest client, with the credentials in its default headers. The secret itself is not
/// kept: only the token derived from it, marked sensitive so that it is never printed.
///
/// Proxies: reqwest follows `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (and `HTTP_PROXY` for
/// plain http) as every HTTP tool does. A request to this machine never goes through one: a
/// proxy is another host, and the only plain-http target headcount accepts is loopback
/// (`BaseUrl`), so the token never travels in clear text to anything but this machine. HTTPS
/// goes through a proxy, whatever the proxy's own scheme, as a `CONNECT` tunnel: the proxy
/// sees the host name, never the token.
fn http_client(
    secret: &ApiSecret,
    timeout: Duration,
    loopback: bool,
) -> Result<reqwest::Client, ClientConfigError> {
    let token = auth::server_token(secret).map_err(|e| ClientConfigError::Token(e.to_string()))?;
    let mut authorization = HeaderValue::from_str(token.as_str())
        .map_err(|e| ClientConfigError::Token(e.to_string()))?;
    authorization.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, authorization);
    headers.insert(
        HeaderName::from_static("stream-auth-type"),
        HeaderValue::from_static("jwt"),
    );
    headers.insert(
        HeaderName::from_static("x-stream-client"),
        HeaderValue::from_static(CLIENT_ID),
    );
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let builder = reqwest::Client::builder();
    let builder = if loopback {
        builder.no_proxy()
    } else {
        builder
    };
    builder
        .default_headers(headers)
        .user_agent(CLIENT_ID)
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
        // Stream never redirects; following one could carry the token to another host.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ClientConfigError::HttpClient(e.to_string()))
}

/// A client of Stream's server-side Video API. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct StreamClient {
    inner: Arc<Inner>,
    /// Per clone, so that each reader hears of its own waits (see [`StreamClient::observed`]).
    on_retry: Option<RetryObserver>,
}

struct Inner {
    http: reqwest::Client,
    base_url: BaseUrl,
    api_key: String,
    retry_policy: RetryPolicy,
    timeout: Duration,
    /// Set from the `Date` header of every response.
    clock: ServerClock,
}

impl fmt::Debug for StreamClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamClient")
            .field("base_url", &self.inner.base_url.to_string())
            .field("api_key", &self.inner.api_key)
            .field("retry_policy", &self.inner.retry_policy)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl StreamClient {
    /// A client with the default timeout and retry policy.
    pub fn new(base_url: &str, api_key: &str, api_secret: &str) -> Result<StreamClient, ApiError> {
        StreamClient::builder(base_url, api_key, api_secret).build()
    }

    pub fn builder(base_url: &str, api_key: &str, api_secret: &str) -> StreamClientBuilder {
        StreamClientBuilder {
            base_url: base_url.to_string(),
            api_key: api_key.to_string(),
            api_secret: ApiSecret::new(api_secret),
            retry_policy: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            on_retry: None,
        }
    }

    /// A clone sharing the connections and the clock whose requests tell `observer` before
    /// each retry's wait, instead of the observer given to the builder: a reader hears of the
    /// waits of its own requests, so that it can say why nothing arrives.
    pub(crate) fn observed(&self, observer: impl Fn(&RetryNotice) + Send + Sync + 'static) -> Self {
        StreamClient {
            inner: Arc::clone(&self.inner),
            on_retry: Some(Arc::new(observer)),
        }
    }

    /// The server's present (Unix ns) as its latest answer told it (see `ServerClock`):
    /// the instant at which figures of a live call are computed. The local wall clock
    /// before any answer; never earlier than a value it returned before.
    pub fn present(&self) -> Nanos {
        self.inner.clock.now()
    }

    /// The clock behind [`StreamClient::present`], shared with this client.
    pub(crate) fn clock(&self) -> ServerClock {
        self.inner.clock.clone()
    }

    /// `GetCall`: the call, including `current_session_id`.
    pub async fn get_call(
        &self,
        call_type: &str,
        call_id: &str,
    ) -> Result<Response<GetCallResponse>, ApiError> {
        let request = endpoint::get_call(
            &self.inner.base_url,
            &self.inner.api_key,
            call_type,
            call_id,
        )?;
        self.fetch(&request, decode::success_body).await
    }

    /// `GetCall` as the JSON Stream sent, every field kept (for recording a session as it was
    /// served, see `export --format pages`).
    pub(crate) async fn get_call_json(
        &self,
        call_type: &str,
        call_id: &str,
    ) -> Result<Response<Value>, ApiError> {
        let request = endpoint::get_call(
            &self.inner.base_url,
            &self.inner.api_key,
            call_type,
            call_id,
        )?;
        self.fetch(&request, decode::success_body).await
    }

    /// `QueryCallParticipantSessions`: one page of the joins of a call session.
    pub async fn query_call_participant_sessions(
        &self,
        call_type: &str,
        call_id: &str,
        session: &str,
        query: &ParticipantSessionsQuery,
    ) -> Result<Response<ParticipantSessionsPage>, ApiError> {
        let raw = self
            .query_call_participant_sessions_raw(call_type, call_id, session, query)
            .await?;
        Ok(Response {
            body: raw.body.decode()?,
            rate_limit: raw.rate_limit,
        })
    }

    /// [`StreamClient::query_call_participant_sessions`] keeping the page as its bytes, decoded
    /// once here for the read's ledger and the store ([`RawSessionsPage::new`]).
    pub(crate) async fn query_call_participant_sessions_raw(
        &self,
        call_type: &str,
        call_id: &str,
        session: &str,
        query: &ParticipantSessionsQuery,
    ) -> Result<Response<RawSessionsPage>, ApiError> {
        let request = endpoint::query_call_participant_sessions(
            &self.inner.base_url,
            &self.inner.api_key,
            call_type,
            call_id,
            session,
            query,
        )?;
        self.fetch(&request, |_, bytes| RawSessionsPage::new(bytes.to_vec()))
            .await
    }

    /// Every page of a call session's participant sessions, in order; see `SessionPager`.
    pub fn participant_session_pages(
        &self,
        call_type: &str,
        call_id: &str,
        session: &str,
        options: PagerOptions,
    ) -> SessionPager {
        let target = ParticipantSessions {
            call_type: call_type.to_string(),
            call_id: call_id.to_string(),
            session: session.to_string(),
            filter_conditions: options.filter_conditions,
        };
        SessionPager::new(self.clone(), target, options.page_size, options.max_pages)
    }

    /// The `filter_conditions` of each request that reading this session with `conditions`
    /// takes: one, unless the filter would make the URL longer than
    /// [`super::MAX_URL_BYTES`], in which case its longest `$in` list is cut into chunks whose
    /// rows add up to the filter's. An input error if it cannot be cut.
    pub(crate) fn filter_parts(
        &self,
        call_type: &str,
        call_id: &str,
        session: &str,
        page_size: u32,
        conditions: Option<Value>,
    ) -> Result<Vec<Option<Value>>, ApiError> {
        let target = long_filter::Target {
            base: &self.inner.base_url,
            api_key: &self.inner.api_key,
            call_type,
            call_id,
            session,
            page_size: page_size.min(MAX_PAGE_SIZE),
        };
        long_filter::split(&target, conditions)
    }

    /// `QueryCallSessionStats`: one page of call session summaries. A `POST` that changes
    /// nothing, so it is retried like a read.
    pub async fn query_call_session_stats(
        &self,
        query: &SessionStatsQuery,
    ) -> Result<Response<SessionStatsPage>, ApiError> {
        let request =
            endpoint::query_call_session_stats(&self.inner.base_url, &self.inner.api_key, query)?;
        self.fetch(&request, decode::success_body).await
    }

    /// Every page of a session stats query, in order, `query.limit` rows a page (100 when
    /// unset); its `next` and `prev` are managed by the pager.
    pub fn session_stats_pages(&self, query: SessionStatsQuery) -> SessionStatsPager {
        let page_size = query.limit.unwrap_or(MAX_PAGE_SIZE);
        let max_pages = PagerOptions::default().max_pages;
        SessionStatsPager::new(self.clone(), query, page_size, max_pages)
    }

    /// `QueryCallMembers`: one page of the people invited to a call. A `POST` that changes
    /// nothing, so it is retried like a read.
    pub(crate) async fn query_call_members(
        &self,
        query: &MembersQuery,
    ) -> Result<Response<MembersPage>, ApiError> {
        let request =
            endpoint::query_call_members(&self.inner.base_url, &self.inner.api_key, query)?;
        self.fetch(&request, decode::success_body).await
    }

    /// Every page of a members query, in order, `query.limit` members a page (100 when
    /// unset); its `next` and `prev` are managed by the pager.
    pub fn call_member_pages(&self, query: MembersQuery) -> MemberPager {
        let page_size = query.limit.unwrap_or(MAX_PAGE_SIZE);
        let max_pages = PagerOptions::default().max_pages;
        MemberPager::new(self.clone(), query, page_size, max_pages)
    }

    /// Sends `request` and decodes its answer, retrying as the policy allows.
    async fn fetch<T>(
        &self,
        request: &Request,
        decode: Decoder<T>,
    ) -> Result<Response<T>, ApiError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error = match self.attempt(request, decode).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            let Some(wait) = self.wait_before_retry(request, attempts, &error) else {
                return Err(error);
            };
            if let Some(observer) = &self.on_retry {
                observer(&RetryNotice {
                    operation: request.operation,
                    attempt: attempts + 1,
                    max_attempts: self.inner.retry_policy.max_attempts,
                    wait,
                    error,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn wait_before_retry(
        &self,
        request: &Request,
        attempts: u32,
        error: &ApiError,
    ) -> Option<Duration> {
        if !request.idempotent || !error.is_retryable() {
            return None;
        }
        let hint = error.retry_at().and_then(wait_until);
        self.inner
            .retry_policy
            .wait_before_retry(attempts, hint, rand::random::<f64>())
    }

    async fn attempt<T>(
        &self,
        request: &Request,
        decode: Decoder<T>,
    ) -> Result<Response<T>, ApiError> {
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), request.url.clone());
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let mut response = builder.send().await.map_err(|e| self.network_error(e))?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        self.inner.clock.observe_headers(&headers, unix_now());
        let bytes = response.bytes().await.map_err(|e| self.network_error(e))?;
        if status.is_success() {
            Ok(Response {
                body: decode(request.operation, &bytes)?,
                rate_limit: RateLimit::from_headers(&headers),
            })
        } else {
            Err(decode::status_error(status, &headers, &bytes, Timestamp::now()).into())
        }
    }

    fn network_error(&self, error: reqwest::Error) -> ApiError {
        let error = error.without_url();
        let failure = if error.is_timeout() {
            NetworkFailure::Timeout(self.inner.timeout)
        } else if caused_by(&error, std::io::ErrorKind::ConnectionRefused) {
            NetworkFailure::Refused
        } else {
            NetworkFailure::Other
        };
        ApiError::Network(NetworkError {
            base_url: self.inner.base_url.to_string(),
            failure,
            detail: innermost_cause(&error),
        })
    }
}

/// How long until `at`; `None` if it has passed (the server's clock may differ from ours), so
/// that backoff applies instead of an immediate retry.
fn wait_until(at: Timestamp) -> Option<Duration> {
    Duration::try_from(at.duration_since(Timestamp::now()))
        .ok()
        .filter(|wait| !wait.is_zero())
}

fn caused_by(error: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// reqwest's own message is generic ("error sending request"); the root cause says what broke.
fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "very-secret-value-123";

    #[test]
    fn debug_shows_the_key_but_never_the_secret_or_token() {
        let builder = StreamClient::builder("https://chat.stream-io-api.com", "key123", SECRET);
        let printed_builder = format!("{builder:?}");
        let client = builder.build().unwrap();
        let printed_client = format!("{client:?}");
        let token = auth::server_token(&ApiSecret::new(SECRET)).unwrap();
        for printed in [printed_builder, printed_client] {
            assert!(printed.contains("key123"), "{printed}");
            assert!(!printed.contains(SECRET), "{printed}");
            assert!(!printed.contains(token.as_str()), "{printed}");
        }
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused_before_anything_is_sent() {
        let err = StreamClient::new("http://chat.stream-io-api.com", "key", SECRET).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("use https://"), "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");
    }

    #[test]
    fn plain_http_to_loopback_is_accepted() {
        assert!(StreamClient::new("http://127.0.0.1:4000/", "key", SECRET).is_ok());
    }

    #[test]
    fn empty_credentials_name_the_variable_to_set() {
        let no_key = StreamClient::new("https://x.example", " ", SECRET).unwrap_err();
        assert!(
            no_key.to_string().starts_with("STREAM_API_KEY is empty"),
            "{no_key}"
        );
        let no_secret = StreamClient::new("https://x.example", "key", "").unwrap_err();
        assert!(
            no_secret
                .to_string()
                .starts_with("STREAM_API_SECRET is empty"),
            "{no_secret}"
        );
    }

    #[test]
    fn client_id_names_headcount_and_its_version() {
        assert_eq!(
            CLIENT_ID,
            format!("headcount-{}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn retry_notices_say_what_is_happening() {
        let notice = |error: ApiError| RetryNotice {
            operation: "GetCall",
            attempt: 2,
            max_attempts: 4,
            wait: Duration::from_millis(1500),
            error,
        };
        let server = ApiError::from(crate::api::StatusError {
            status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
            body: None,
            excerpt: None,
            rate_limit: None,
            retry_at: None,
        });
        let refused = ApiError::Network(NetworkError {
            base_url: "http://127.0.0.1:4000".into(),
            failure: NetworkFailure::Refused,
            detail: "Connection refused".into(),
        });
        assert_eq!(
            notice(refused).to_string(),
            "cannot reach http://127.0.0.1:4000, retrying in 1.5 s (attempt 2 of 4)…"
        );
        assert_eq!(
            notice(server).to_string(),
            "Stream is having trouble (HTTP 503 Service Unavailable), retrying in 1.5 s \
             (attempt 2 of 4)…"
        );
    }

    #[test]
    fn passed_or_present_instants_give_no_server_wait() {
        assert_eq!(
            wait_until(Timestamp::now() - jiff::SignedDuration::from_secs(5)),
            None
        );
        let ahead = wait_until(Timestamp::now() + jiff::SignedDuration::from_secs(60)).unwrap();
        assert!(ahead > Duration::from_secs(50), "{ahead:?}");
    }
}
