//! Stream's errors: application codes, HTTP statuses and the complete `APIError` body.

use axum::http::StatusCode;

use crate::api::models::ApiErrorBody;

const MORE_INFO: &str = "https://getstream.io/chat/docs/api_errors_response";

/// Stream's application error codes, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    AccessKey,
    Input,
    Authentication,
    RateLimit,
    NotFound,
    TokenExpired,
    TokenNotValidYet,
    TokenBeforeIssuedAt,
    TokenSignature,
}

impl ErrorCode {
    pub(crate) fn number(self) -> i32 {
        match self {
            ErrorCode::AccessKey => 2,
            ErrorCode::Input => 4,
            ErrorCode::Authentication => 5,
            ErrorCode::RateLimit => 9,
            ErrorCode::NotFound => 16,
            ErrorCode::TokenExpired => 40,
            ErrorCode::TokenNotValidYet => 41,
            ErrorCode::TokenBeforeIssuedAt => 42,
            ErrorCode::TokenSignature => 43,
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            ErrorCode::Input => StatusCode::BAD_REQUEST,
            ErrorCode::RateLimit => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::AccessKey
            | ErrorCode::Authentication
            | ErrorCode::TokenExpired
            | ErrorCode::TokenNotValidYet
            | ErrorCode::TokenBeforeIssuedAt
            | ErrorCode::TokenSignature => StatusCode::UNAUTHORIZED,
        }
    }

    /// Retrying the same request cannot succeed, except after a rate limit or for a token
    /// that is merely early.
    fn unrecoverable(self) -> bool {
        !matches!(self, ErrorCode::RateLimit | ErrorCode::TokenNotValidYet)
    }
}

/// A refused request: what went wrong, in the words the message will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: ErrorCode,
    pub(crate) detail: String,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, detail: impl Into<String>) -> Refusal {
        Refusal {
            code,
            detail: detail.into(),
        }
    }

    pub(crate) fn input(detail: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCode::Input, detail)
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCode::NotFound, detail)
    }

    /// The body Stream sends, with its message in Stream's `Operation failed with error`
    /// style.
    pub(crate) fn body(&self, operation: &str, duration: String) -> ApiErrorBody {
        ApiErrorBody {
            code: self.code.number(),
            message: format!("{operation} failed with error: \"{}\"", self.detail),
            status_code: i32::from(self.code.status().as_u16()),
            duration,
            more_info: MORE_INFO.to_owned(),
            details: serde_json::Value::Array(Vec::new()),
            exception_fields: None,
            unrecoverable: Some(self.code.unrecoverable()),
        }
    }
}
