//! Turning response bytes into models or errors.
//!
//! Success bodies are decoded at full speed; only when that fails is the body decoded again
//! with path tracking, so that the error can say which field of which row was wrong without
//! slowing down the million-row case.

use std::marker::PhantomData;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed};
use serde_json::Value;

use super::error::{ApiError, DecodeError, StatusError};
use super::models::ApiErrorBody;
use super::rate_limit::{self, RateLimit};

/// How much of a foreign error body is quoted back to the user.
const EXCERPT_CHARS: usize = 120;

/// Decodes the success body of `operation`.
pub(crate) fn success_body<T: DeserializeOwned>(
    operation: &'static str,
    bytes: &[u8],
) -> Result<T, ApiError> {
    borrowed_body(operation, bytes).map_err(ApiError::Decode)
}

/// Decodes the success body of `operation` into a model that may borrow from it.
pub(crate) fn borrowed_body<'de, T: Deserialize<'de>>(
    operation: &'static str,
    bytes: &'de [u8],
) -> Result<T, DecodeError> {
    seeded_body(operation, bytes, PhantomData::<T>)
}

/// Decodes the success body of `operation` with `seed`, a hand-written decoding of `T`. Only
/// when that fails is the body decoded again, by `T`'s own `Deserialize` with path tracking,
/// so that the error can say which field of which row was wrong without slowing down the
/// million-row case.
pub(crate) fn seeded_body<'de, T, S>(
    operation: &'static str,
    bytes: &'de [u8],
    seed: S,
) -> Result<T, DecodeError>
where
    T: Deserialize<'de>,
    S: DeserializeSeed<'de, Value = T>,
{
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let decoded = seed
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
    decoded.map_err(|error| {
        let malformed = matches!(
            error.classify(),
            serde_json::error::Category::Eof | serde_json::error::Category::Syntax
        );
        let path = locate::<T>(bytes).unwrap_or_default();
        let detail = match bytes.trim_ascii_start().first() {
            Some(b'{' | b'[') => error.to_string(),
            Some(_) => format!("{error}; the body is not JSON: \"{}\"", excerpt(bytes)),
            None => "the body is empty".to_string(),
        };
        DecodeError {
            endpoint: operation,
            path,
            detail,
            malformed,
        }
    })
}

/// The JSON path at which decoding fails, such as `participants_sessions[3].joined_at`.
fn locate<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de)
        .err()
        .map(|e| e.path().to_string())
}

/// Builds the error of a non-success response from whatever its body and headers say.
pub(crate) fn status_error(
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &[u8],
    now: Timestamp,
) -> StatusError {
    let body = stream_error_body(bytes);
    let excerpt = body
        .is_none()
        .then(|| excerpt(bytes))
        .filter(|e| !e.is_empty());
    StatusError {
        status,
        body,
        excerpt,
        rate_limit: RateLimit::from_headers(headers),
        retry_at: rate_limit::retry_at(status, headers, now),
    }
}

/// Stream's `APIError`, if the body is one. A JSON object with neither `code` nor `message`
/// (some proxy's error format) is not taken for one.
fn stream_error_body(bytes: &[u8]) -> Option<ApiErrorBody> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object()?;
    if !object.contains_key("code") && !object.contains_key("message") {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// The start of a body, on one line.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut words = text.split_whitespace();
    let mut line = words.next().unwrap_or_default().to_string();
    for word in words {
        line.push(' ');
        line.push_str(word);
        if line.len() > EXCERPT_CHARS {
            break;
        }
    }
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;
    use crate::api::ErrorKind;
    use crate::api::models::ParticipantSessionsPage;

    const NOW: i64 = 1_760_000_000;

    fn now() -> Timestamp {
        Timestamp::from_second(NOW).unwrap()
    }

    #[test]
    fn a_bad_field_is_located_by_path() {
        let body = br#"{"call_type":"default","call_id":"c","call_session_id":"s","duration":3,
            "participants_sessions":[
              {"user_id":"a","user_session_id":"1","joined_at":1},
              {"user_id":"b","user_session_id":"2","joined_at":true}]}"#;
        let err = success_body::<ParticipantSessionsPage>("QueryCallParticipantSessions", body)
            .unwrap_err();
        let ApiError::Decode(decode) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(decode.endpoint, "QueryCallParticipantSessions");
        assert_eq!(decode.path, "participants_sessions[1].joined_at");
        assert!(decode.detail.contains("line 4"), "{}", decode.detail);
        assert!(!err.is_retryable(), "the same body would come back");
    }

    #[test]
    fn a_body_cut_short_or_not_json_is_retried_like_a_dropped_connection() {
        let page = |bytes: &[u8]| success_body::<ParticipantSessionsPage>("Q", bytes).unwrap_err();
        let cut = page(br#"{"call_type": "default", "participants_sessions": [{"user_id""#);
        let html = page(b"<html><body>502 Bad Gateway</body></html>");
        let empty = page(b"");
        for err in [cut, html, empty] {
            assert_eq!(err.kind(), ErrorKind::Decode);
            assert!(err.is_retryable(), "{err}");
        }
    }

    #[test]
    fn malformed_json_says_where_it_breaks() {
        let err = success_body::<ParticipantSessionsPage>(
            "QueryCallParticipantSessions",
            br#"{"call_type": "default", "#,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.to_string().contains("line 1 column"), "{err}");
    }

    #[test]
    fn a_success_page_that_is_not_json_is_quoted() {
        let err = success_body::<ParticipantSessionsPage>("GetCall", b"<html>Sign in</html>")
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("unreadable answer from Stream's GetCall: expected value"),
            "{message}"
        );
        assert!(
            message.ends_with("the body is not JSON: \"<html>Sign in</html>\""),
            "{message}"
        );
        let empty = success_body::<ParticipantSessionsPage>("GetCall", b"  ").unwrap_err();
        assert_eq!(
            empty.to_string(),
            "unreadable answer from Stream's GetCall: the body is empty"
        );
    }

    #[test]
    fn a_missing_required_field_is_a_decode_error() {
        let err = success_body::<ParticipantSessionsPage>("QueryCallParticipantSessions", b"{}")
            .unwrap_err();
        assert!(
            err.to_string().contains("missing field `call_type`"),
            "{err}"
        );
    }

    #[test]
    fn stream_error_bodies_are_kept_whole() {
        let body = br#"{"code":16,"message":"Can't find call","StatusCode":404,"duration":"0.3ms",
            "more_info":"https://getstream.io/chat/docs/api_errors_response","details":[],
            "unrecoverable":true}"#;
        let err = status_error(StatusCode::NOT_FOUND, &HeaderMap::new(), body, now());
        let body = err.body.unwrap();
        assert_eq!((body.code, body.status_code), (16, 404));
        assert_eq!(
            body.more_info,
            "https://getstream.io/chat/docs/api_errors_response"
        );
        assert_eq!(body.unrecoverable, Some(true));
        assert_eq!(err.excerpt, None);
    }

    #[test]
    fn an_error_whose_details_are_null_or_an_object_keeps_its_message() {
        for details in ["null", r#"{"field":"call_id"}"#] {
            let body = format!(
                r#"{{"code":16,"message":"GetCall failed with error: \"Can't find call\"",
                "StatusCode":404,"duration":null,"more_info":null,"details":{details}}}"#
            );
            let err = ApiError::from(status_error(
                StatusCode::NOT_FOUND,
                &HeaderMap::new(),
                body.as_bytes(),
                now(),
            ));
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert!(err.to_string().contains("Can't find call"), "{err}");
        }
    }

    #[test]
    fn html_error_pages_are_quoted_briefly_on_one_line() {
        let page = format!(
            "<html>\n  <head><title>502 Bad Gateway</title></head>\n{}</html>",
            "x ".repeat(500)
        );
        let err = status_error(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            page.as_bytes(),
            now(),
        );
        assert!(err.body.is_none());
        let excerpt = err.excerpt.unwrap();
        assert!(
            excerpt.starts_with("<html> <head><title>502 Bad Gateway</title></head>"),
            "{excerpt}"
        );
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS + 1);
        assert!(excerpt.ends_with('…'));
    }

    #[test]
    fn foreign_json_is_not_mistaken_for_a_stream_error() {
        let err = status_error(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            br#"{"error":"upstream"}"#,
            now(),
        );
        assert!(err.body.is_none());
        assert_eq!(err.excerpt.as_deref(), Some(r#"{"error":"upstream"}"#));
    }

    #[test]
    fn empty_error_bodies_have_no_excerpt() {
        let err = status_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"",
            now(),
        );
        assert!(err.body.is_none() && err.excerpt.is_none());
        assert_eq!(
            ApiError::from(err).to_string(),
            "Stream is having trouble (HTTP 503 Service Unavailable): try again later"
        );
    }

    #[test]
    fn error_responses_keep_rate_limits_and_retry_time() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("60"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1760000030"));
        let body = br#"{"code":9,"message":"Too many requests","StatusCode":429}"#;
        let err = status_error(StatusCode::TOO_MANY_REQUESTS, &headers, body, now());
        assert_eq!(
            err.rate_limit,
            Some(RateLimit {
                limit: 60,
                remaining: 0,
                reset: NOW + 30
            })
        );
        assert_eq!(
            err.retry_at,
            Some(Timestamp::from_second(NOW + 30).unwrap())
        );
    }
}
