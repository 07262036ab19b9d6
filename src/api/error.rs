//! Everything that can go wrong talking to Stream, with messages that say what to do.
//!
//! Each error keeps what the caller needs to react (HTTP status, Stream's error code, when to
//! try again) and classifies itself with [`ErrorKind`] so the CLI can pick an exit code and the
//! dashboard a status line without matching on messages.

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;

use super::models::ApiErrorBody;
use super::rate_limit::RateLimit;

/// Stream's "Does Not Exist" error code.
const CODE_NOT_FOUND: i32 = 16;
/// Stream's "Access Key invalid" error code (unknown `api_key`).
const CODE_UNKNOWN_API_KEY: i32 = 2;
/// Stream's "Token Signature Invalid" error code (secret does not match the key).
const CODE_BAD_SIGNATURE: i32 = 43;

/// What kind of failure an [`ApiError`] is, for exit codes and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 401/403: wrong key, wrong secret, suspended app.
    Auth,
    /// 404: no such call or session.
    NotFound,
    /// 429: over the endpoint's quota for this minute.
    RateLimited,
    /// The request itself is wrong (400 and other 4xx, or an argument no URL can carry).
    Input,
    /// 5xx, or an answer no Stream server gives (such as a redirect).
    Server,
    /// Stream could not be reached, or did not answer in time.
    Network,
    /// A success response whose body is not what the endpoint documents.
    Decode,
    /// headcount's own settings are unusable (base URL, credentials).
    Config,
}

/// A failed call to Stream.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// Stream (or something in front of it) answered with an error status.
    #[error(transparent)]
    Status(Box<StatusError>),
    #[error(transparent)]
    Network(NetworkError),
    #[error(transparent)]
    Decode(DecodeError),
    #[error(transparent)]
    Config(ClientConfigError),
    /// A value that cannot be sent at all, such as an empty call id.
    #[error("invalid {what} `{value}`: {reason}")]
    InvalidArgument {
        what: &'static str,
        value: String,
        reason: &'static str,
    },
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Status(status) => status.kind(),
            ApiError::Network(_) => ErrorKind::Network,
            ApiError::Decode(_) => ErrorKind::Decode,
            ApiError::Config(_) => ErrorKind::Config,
            ApiError::InvalidArgument { .. } => ErrorKind::Input,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status_error().map(|e| e.status)
    }

    /// Stream's application error code (`code` in its `APIError` body).
    pub fn code(&self) -> Option<i32> {
        self.status_error()?.body.as_ref().map(|b| b.code)
    }

    /// Stream refused the request as bad input (400, code 4), which is what a cursor it no
    /// longer accepts (expired, or of another query) gets in the middle of a paged read.
    pub(crate) fn is_rejected_cursor(&self) -> bool {
        self.status().is_some_and(|status| status.as_u16() == 400) && self.code() == Some(4)
    }

    /// Stream's `APIError` body, when the error response carried one.
    pub fn body(&self) -> Option<&ApiErrorBody> {
        self.status_error()?.body.as_ref()
    }

    /// The quota headers of the error response.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.status_error()?.rate_limit
    }

    /// When the server said to try again (`Retry-After`, or the rate-limit reset of a 429).
    pub fn retry_at(&self) -> Option<Timestamp> {
        self.status_error()?.retry_at
    }

    /// Whether trying the same request again may succeed: rate limits, server trouble,
    /// network failures and a success whose body is cut short or not JSON, unless Stream
    /// marked the error `unrecoverable`.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Status(status) => status.is_retryable(),
            ApiError::Network(_) => true,
            ApiError::Decode(decode) => decode.malformed,
            ApiError::Config(_) | ApiError::InvalidArgument { .. } => false,
        }
    }

    fn status_error(&self) -> Option<&StatusError> {
        match self {
            ApiError::Status(status) => Some(status),
            _ => None,
        }
    }
}

impl From<StatusError> for ApiError {
    fn from(error: StatusError) -> Self {
        ApiError::Status(Box::new(error))
    }
}

/// An error status with whatever the body said.
#[derive(Debug, Clone)]
pub struct StatusError {
    pub status: StatusCode,
    /// Stream's `APIError`, when the body was one.
    pub body: Option<ApiErrorBody>,
    /// The start of a body that was not Stream's JSON (such as a proxy's HTML page).
    pub excerpt: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub retry_at: Option<Timestamp>,
}

impl std::error::Error for StatusError {}

impl StatusError {
    fn code(&self) -> Option<i32> {
        self.body.as_ref().map(|b| b.code)
    }

    fn kind(&self) -> ErrorKind {
        match self.status.as_u16() {
            401 | 403 => ErrorKind::Auth,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::Input,
            _ => ErrorKind::Server,
        }
    }

    fn is_retryable(&self) -> bool {
        let unrecoverable = self.body.as_ref().and_then(|b| b.unrecoverable) == Some(true);
        let transient = matches!(self.status.as_u16(), 408 | 429 | 500..=599);
        transient && !unrecoverable
    }

    /// `HTTP 401, code 5: "message"`, or the status and an excerpt of a foreign body.
    fn what_happened(&self) -> String {
        let status = self.status;
        match (&self.body, &self.excerpt) {
            (Some(body), _) if body.message.is_empty() => {
                format!("HTTP {}, code {}", status.as_u16(), body.code)
            }
            (Some(body), _) => {
                format!(
                    "HTTP {}, code {}: \"{}\"",
                    status.as_u16(),
                    body.code,
                    body.message
                )
            }
            (None, Some(excerpt)) => {
                format!("HTTP {status}; the body was not Stream's JSON: \"{excerpt}\"")
            }
            (None, None) => format!("HTTP {status}"),
        }
    }

    fn stream_message(&self) -> Option<&str> {
        self.body
            .as_ref()
            .map(|b| b.message.as_str())
            .filter(|m| !m.is_empty())
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.what_happened();
        match (self.status.as_u16(), self.code()) {
            (401, Some(CODE_BAD_SIGNATURE)) => f.write_str(
                "authentication failed: the API secret does not match the API key \
                 (check STREAM_API_SECRET)",
            ),
            (401, Some(CODE_UNKNOWN_API_KEY)) => f.write_str(
                "authentication failed: Stream does not know this API key (check STREAM_API_KEY)",
            ),
            (401, _) => write!(
                f,
                "authentication failed ({what}): check STREAM_API_KEY and STREAM_API_SECRET"
            ),
            (403, _) => write!(
                f,
                "Stream refused access ({what}): check that STREAM_API_KEY is the right app"
            ),
            (404, Some(CODE_NOT_FOUND)) => write!(
                f,
                "no such call or session ({what}): check TYPE:ID and --session"
            ),
            (404, _) => write!(
                f,
                "not found ({what}): check STREAM_BASE_URL, TYPE:ID and --session"
            ),
            (429, _) => match self.retry_at {
                Some(at) => write!(
                    f,
                    "rate limited by Stream until {} UTC: wait, or refresh less often",
                    at.strftime("%H:%M:%S")
                ),
                None => f.write_str("rate limited by Stream: wait a minute and try again"),
            },
            (400..=499, _) => match self.stream_message() {
                Some(message) => write!(f, "Stream rejected the request: {message}"),
                None => write!(f, "Stream rejected the request ({what})"),
            },
            (500..=599, _) => write!(f, "Stream is having trouble ({what}): try again later"),
            _ => write!(
                f,
                "unexpected answer from Stream ({what}): check STREAM_BASE_URL"
            ),
        }
    }
}

/// Why Stream could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFailure {
    /// Nothing listens at the base URL.
    Refused,
    /// No complete answer within the request timeout.
    Timeout(Duration),
    /// DNS, TLS, a dropped connection...
    Other,
}

/// A transport failure: no usable HTTP answer at all.
#[derive(Debug, Clone)]
pub struct NetworkError {
    pub base_url: String,
    pub failure: NetworkFailure,
    /// The innermost cause, as the HTTP stack describes it.
    pub detail: String,
}

impl std::error::Error for NetworkError {}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.base_url;
        match self.failure {
            NetworkFailure::Refused => write!(
                f,
                "cannot reach {url}: connection refused. Is STREAM_BASE_URL right? \
                 Is `headcount sim` running?"
            ),
            NetworkFailure::Timeout(limit) => write!(
                f,
                "no answer from {url} within {} s: check your network and try again",
                limit.as_secs_f64()
            ),
            NetworkFailure::Other => write!(
                f,
                "cannot reach {url}: {}. Check STREAM_BASE_URL and your network",
                self.detail
            ),
        }
    }
}

/// A success status whose body does not decode as the endpoint's response.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unreadable answer from Stream's {endpoint}{}: {detail}", at_path(.path))]
pub struct DecodeError {
    /// Stream's operation name, such as `QueryCallParticipantSessions`.
    pub(crate) endpoint: &'static str,
    /// Where in the JSON decoding failed, such as `participants_sessions[3].joined_at`.
    pub(crate) path: String,
    /// The JSON parser's message, with line and column.
    pub(crate) detail: String,
    /// The body is not whole JSON: cut short, or something else entirely (a proxy's HTML
    /// page). Such an answer is retried like a dropped connection; a well-formed body of the
    /// wrong shape would come back the same, so it is not.
    pub(crate) malformed: bool,
}

fn at_path(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(" at `{path}`")
    }
}

/// headcount's settings cannot be used to talk to Stream.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientConfigError {
    #[error(
        "STREAM_BASE_URL `{url}` is not usable: {reason} (expected e.g. `{}`)",
        super::DEFAULT_BASE_URL
    )]
    InvalidBaseUrl { url: String, reason: String },
    #[error(
        "refusing to send Stream credentials over plain http:// to {host}: use https:// \
         (plain http is only allowed to this machine, e.g. `headcount sim` on 127.0.0.1)"
    )]
    InsecureBaseUrl { host: String },
    #[error("{name} is empty: set it to the value shown in Stream's dashboard")]
    MissingCredential { name: &'static str },
    #[error("cannot sign the server token: {0}")]
    Token(String),
    #[error("cannot start the HTTP client: {0}")]
    HttpClient(String),
}

impl From<ClientConfigError> for ApiError {
    fn from(error: ClientConfigError) -> Self {
        ApiError::Config(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: i32, message: &str) -> ApiErrorBody {
        ApiErrorBody {
            code,
            message: message.to_string(),
            ..ApiErrorBody::default()
        }
    }

    fn status_error(status: u16, body: Option<ApiErrorBody>) -> ApiError {
        StatusError {
            status: StatusCode::from_u16(status).unwrap(),
            body,
            excerpt: None,
            rate_limit: None,
            retry_at: None,
        }
        .into()
    }

    fn stream_error(status: u16, code: i32, message: &str) -> ApiError {
        status_error(status, Some(body(code, message)))
    }

    #[test]
    fn wrong_secret_points_at_the_secret() {
        let err = stream_error(401, 43, "JWTAuth error: signature is invalid");
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert_eq!(err.code(), Some(43));
        assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(
            err.to_string(),
            "authentication failed: the API secret does not match the API key \
             (check STREAM_API_SECRET)"
        );
    }

    #[test]
    fn unknown_key_points_at_the_key() {
        let err = stream_error(401, 2, "api_key not valid");
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert!(err.to_string().contains("check STREAM_API_KEY"), "{err}");
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }

    #[test]
    fn other_auth_failures_quote_stream() {
        let err = stream_error(401, 40, "token is expired");
        assert_eq!(
            err.to_string(),
            "authentication failed (HTTP 401, code 40: \"token is expired\"): \
             check STREAM_API_KEY and STREAM_API_SECRET"
        );
        assert_eq!(
            stream_error(403, 99, "app suspended").kind(),
            ErrorKind::Auth
        );
    }

    #[test]
    fn missing_call_points_at_the_call_and_session() {
        let err = stream_error(404, 16, "Can't find call with id default:nope");
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            "no such call or session (HTTP 404, code 16: \"Can't find call with id \
             default:nope\"): check TYPE:ID and --session"
        );
    }

    #[test]
    fn input_errors_repeat_streams_message() {
        let err = stream_error(400, 4, "filter_conditions: unknown field `colour`");
        assert_eq!(err.kind(), ErrorKind::Input);
        assert_eq!(
            err.to_string(),
            "Stream rejected the request: filter_conditions: unknown field `colour`"
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn rate_limit_says_until_when_in_utc() {
        let err: ApiError = StatusError {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: Some(body(9, "Too many requests")),
            excerpt: None,
            rate_limit: Some(RateLimit {
                limit: 60,
                remaining: 0,
                reset: 1_760_000_047,
            }),
            retry_at: Some(Timestamp::from_second(1_760_000_047).unwrap()),
        }
        .into();
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert!(err.is_retryable());
        assert_eq!(err.rate_limit().map(|r| r.remaining), Some(0));
        assert_eq!(
            err.to_string(),
            "rate limited by Stream until 08:54:07 UTC: wait, or refresh less often"
        );
    }

    #[test]
    fn server_trouble_says_try_again_later() {
        let err = stream_error(503, -1, "internal error");
        assert_eq!(err.kind(), ErrorKind::Server);
        assert!(err.is_retryable());
        assert_eq!(
            err.to_string(),
            "Stream is having trouble (HTTP 503, code -1: \"internal error\"): try again later"
        );
    }

    #[test]
    fn an_html_error_page_still_gives_the_status() {
        let err: ApiError = StatusError {
            status: StatusCode::BAD_GATEWAY,
            body: None,
            excerpt: Some("<html><body>502 Bad Gateway</body></html>".into()),
            rate_limit: None,
            retry_at: None,
        }
        .into();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.code(), None);
        let message = err.to_string();
        assert!(
            message.starts_with("Stream is having trouble (HTTP 502 Bad Gateway;"),
            "{message}"
        );
        assert!(message.ends_with("try again later"), "{message}");
    }

    #[test]
    fn unrecoverable_errors_are_never_retryable() {
        let mut unrecoverable = body(-1, "broken");
        unrecoverable.unrecoverable = Some(true);
        assert!(!status_error(500, Some(unrecoverable)).is_retryable());
        assert!(status_error(500, None).is_retryable());
    }

    #[test]
    fn retryable_statuses_are_429_408_and_5xx_only() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(status_error(status, None).is_retryable(), "{status}");
        }
        for status in [301, 400, 401, 403, 404, 413] {
            assert!(!status_error(status, None).is_retryable(), "{status}");
        }
    }

    #[test]
    fn a_redirect_is_a_server_error_pointing_at_the_base_url() {
        let err = status_error(301, None);
        assert_eq!(err.kind(), ErrorKind::Server);
        assert!(err.to_string().contains("check STREAM_BASE_URL"), "{err}");
    }

    #[test]
    fn connection_refused_asks_whether_the_sim_runs() {
        let err = ApiError::Network(NetworkError {
            base_url: "http://127.0.0.1:4000".into(),
            failure: NetworkFailure::Refused,
            detail: "Connection refused (os error 111)".into(),
        });
        assert_eq!(err.kind(), ErrorKind::Network);
        assert!(err.is_retryable());
        assert_eq!(
            err.to_string(),
            "cannot reach http://127.0.0.1:4000: connection refused. Is STREAM_BASE_URL right? \
             Is `headcount sim` running?"
        );
    }

    #[test]
    fn timeouts_say_how_long_was_waited() {
        let err = ApiError::Network(NetworkError {
            base_url: "https://chat.stream-io-api.com".into(),
            failure: NetworkFailure::Timeout(Duration::from_millis(1500)),
            detail: "operation timed out".into(),
        });
        assert_eq!(
            err.to_string(),
            "no answer from https://chat.stream-io-api.com within 1.5 s: check your network \
             and try again"
        );
    }

    #[test]
    fn decode_errors_name_the_endpoint_and_the_place() {
        let err = ApiError::Decode(DecodeError {
            endpoint: "QueryCallParticipantSessions",
            path: "participants_sessions[3].joined_at".into(),
            detail: "invalid type: boolean `true` at line 1 column 420".into(),
            malformed: false,
        });
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "unreadable answer from Stream's QueryCallParticipantSessions at \
             `participants_sessions[3].joined_at`: invalid type: boolean `true` at line 1 column 420"
        );
    }

    #[test]
    fn config_errors_explain_the_fix() {
        let insecure = ApiError::from(ClientConfigError::InsecureBaseUrl {
            host: "example.com".into(),
        });
        assert_eq!(insecure.kind(), ErrorKind::Config);
        assert!(insecure.to_string().contains("use https://"), "{insecure}");
        let empty = ApiError::from(ClientConfigError::MissingCredential {
            name: "STREAM_API_KEY",
        });
        assert!(
            empty.to_string().starts_with("STREAM_API_KEY is empty"),
            "{empty}"
        );
    }
}
