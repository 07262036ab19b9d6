//! The URL of each Stream operation headcount calls.
//!
//! Each path parameter is percent-escaped as one segment, so a call id holding `/`, `?` or a
//! space reaches Stream intact instead of changing the path. Query values are form-encoded, as
//! every official SDK does; `filter_conditions` travels as compact JSON text in one parameter.
//! Query endpoints that take a body (`QueryCallSessionStats`, `QueryCallMembers`) send it as
//! JSON.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, Url};

use super::base_url::BaseUrl;
use super::call_stats::SessionStatsQuery;
use super::error::ApiError;
use super::members::MembersQuery;
use super::models::ParticipantSessionsQuery;

/// RFC 3986 unreserved characters stay as they are; everything else is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// Stream's operation id, used in error messages.
    pub(crate) operation: &'static str,
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// A JSON body, for the queries Stream takes as `POST`.
    pub(crate) body: Option<Vec<u8>>,
    /// Sending it twice changes nothing, so a failed attempt may be retried. Reads are, and so
    /// are Stream's query `POST`s: they only carry their filters in a body.
    pub(crate) idempotent: bool,
}

/// `GET /api/v2/video/call/{type}/{id}`.
pub(crate) fn get_call(
    base: &BaseUrl,
    api_key: &str,
    call_type: &str,
    call_id: &str,
) -> Result<Request, ApiError> {
    let path = call_path(call_type, call_id)?;
    Ok(Request {
        operation: "GetCall",
        method: Method::GET,
        url: url(base, &path, api_key, &[]),
        body: None,
        idempotent: true,
    })
}

/// `GET /api/v2/video/call/{type}/{id}/session/{session}/participant_sessions`.
pub(crate) fn query_call_participant_sessions(
    base: &BaseUrl,
    api_key: &str,
    call_type: &str,
    call_id: &str,
    session: &str,
    query: &ParticipantSessionsQuery,
) -> Result<Request, ApiError> {
    let path = format!(
        "{}/session/{}/participant_sessions",
        call_path(call_type, call_id)?,
        segment("call session id", session)?
    );
    Ok(Request {
        operation: "QueryCallParticipantSessions",
        method: Method::GET,
        url: url(base, &path, api_key, &query_pairs(query)),
        body: None,
        idempotent: true,
    })
}

/// `POST /api/v2/video/call_stats`.
pub(crate) fn query_call_session_stats(
    base: &BaseUrl,
    api_key: &str,
    query: &SessionStatsQuery,
) -> Result<Request, ApiError> {
    Ok(Request {
        operation: "QueryCallSessionStats",
        method: Method::POST,
        url: url(base, "/api/v2/video/call_stats", api_key, &[]),
        body: Some(json_body("session stats query", query)?),
        idempotent: true,
    })
}

/// `POST /api/v2/video/call/members`: the call is named in the body, so it is checked here
/// as a path segment would be.
pub(crate) fn query_call_members(
    base: &BaseUrl,
    api_key: &str,
    query: &MembersQuery,
) -> Result<Request, ApiError> {
    segment("call type", &query.call_type)?;
    segment("call id", &query.call_id)?;
    Ok(Request {
        operation: "QueryCallMembers",
        method: Method::POST,
        url: url(base, "/api/v2/video/call/members", api_key, &[]),
        body: Some(json_body("members query", query)?),
        idempotent: true,
    })
}

/// The JSON body of a query that Stream takes as a `POST`.
fn json_body<B>(what: &'static str, body: &B) -> Result<Vec<u8>, ApiError>
where
    B: serde::Serialize + std::fmt::Debug,
{
    serde_json::to_vec(body).map_err(|_| ApiError::InvalidArgument {
        what,
        value: format!("{body:?}"),
        reason: "it cannot be written as JSON",
    })
}

fn call_path(call_type: &str, call_id: &str) -> Result<String, ApiError> {
    Ok(format!(
        "/api/v2/video/call/{}/{}",
        segment("call type", call_type)?,
        segment("call id", call_id)?
    ))
}

/// Escapes one path segment. Empty, `.` and `..` are refused: URL parsers collapse them (even
/// escaped), which would silently call another endpoint.
fn segment(what: &'static str, value: &str) -> Result<String, ApiError> {
    let reason = match value {
        "" => "it must not be empty",
        "." | ".." => "it cannot be sent in a URL path",
        _ => return Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    };
    Err(ApiError::InvalidArgument {
        what,
        value: value.to_string(),
        reason,
    })
}

fn query_pairs(query: &ParticipantSessionsQuery) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::with_capacity(4);
    if let Some(limit) = query.limit {
        pairs.push(("limit", limit.to_string()));
    }
    if let Some(next) = &query.next {
        pairs.push(("next", next.clone()));
    }
    if let Some(prev) = &query.prev {
        pairs.push(("prev", prev.clone()));
    }
    if let Some(filter) = query.filter_conditions.as_ref().filter(|f| !f.is_null()) {
        pairs.push(("filter_conditions", filter.to_string()));
    }
    pairs
}

fn url(base: &BaseUrl, path: &str, api_key: &str, pairs: &[(&'static str, String)]) -> Url {
    let mut url = base.join(path);
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("api_key", api_key);
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://chat.stream-io-api.com").unwrap()
    }

    fn sessions(id: &str, session: &str, query: &ParticipantSessionsQuery) -> Url {
        query_call_participant_sessions(&base(), "key123", "default", id, session, query)
            .unwrap()
            .url
    }

    #[test]
    fn get_call_url_carries_the_api_key() {
        let request = get_call(&base(), "key123", "default", "my-call").unwrap();
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.operation, "GetCall");
        assert_eq!(
            request.url.as_str(),
            "https://chat.stream-io-api.com/api/v2/video/call/default/my-call?api_key=key123"
        );
    }

    #[test]
    fn participant_sessions_url_matches_the_spec_example() {
        let query = ParticipantSessionsQuery {
            limit: Some(100),
            filter_conditions: Some(json!({"user_id": {"$eq": "alice"}})),
            ..ParticipantSessionsQuery::default()
        };
        assert_eq!(
            sessions("my-call", "4f2a", &query).as_str(),
            "https://chat.stream-io-api.com/api/v2/video/call/default/my-call/session/4f2a/\
             participant_sessions?api_key=key123&limit=100&filter_conditions=\
             %7B%22user_id%22%3A%7B%22%24eq%22%3A%22alice%22%7D%7D"
        );
    }

    #[test]
    fn awkward_ids_stay_one_segment() {
        let url = sessions("a/b c?d#e%f", "s/1", &ParticipantSessionsQuery::default());
        assert_eq!(
            url.path(),
            "/api/v2/video/call/default/a%2Fb%20c%3Fd%23e%25f/session/s%2F1/participant_sessions"
        );
        assert_eq!(url.query(), Some("api_key=key123"));
        assert_eq!(url.path_segments().unwrap().count(), 9);
    }

    #[test]
    fn unicode_ids_are_utf8_escaped() {
        let url = sessions("café", "s", &ParticipantSessionsQuery::default());
        assert!(url.path().contains("/caf%C3%A9/"), "{url}");
    }

    #[test]
    fn dot_segments_and_empty_ids_are_refused() {
        for id in ["", ".", ".."] {
            let err = get_call(&base(), "k", "default", id).unwrap_err();
            assert_eq!(err.kind(), crate::api::ErrorKind::Input, "{id:?}");
            assert!(err.to_string().starts_with("invalid call id"), "{err}");
        }
        assert!(get_call(&base(), "k", "default", "...").is_ok());
    }

    #[test]
    fn cursors_round_trip_through_the_query_string() {
        let query = ParticipantSessionsQuery {
            limit: Some(25),
            next: Some("a+b/c=d&e".into()),
            prev: Some("p q".into()),
            ..ParticipantSessionsQuery::default()
        };
        let url = sessions("c", "s", &query);
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("api_key", "key123"),
                ("limit", "25"),
                ("next", "a+b/c=d&e"),
                ("prev", "p q"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn filter_is_compact_json_text_in_one_parameter() {
        let filter = json!({"publisher_type": {"$in": ["rtmp", "srt"]}, "is_live": true});
        let query = ParticipantSessionsQuery {
            filter_conditions: Some(filter.clone()),
            ..ParticipantSessionsQuery::default()
        };
        let url = sessions("c", "s", &query);
        let sent: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k == "filter_conditions")
            .map(|(_, v)| v.into_owned())
            .collect();
        assert_eq!(
            sent,
            [r#"{"is_live":true,"publisher_type":{"$in":["rtmp","srt"]}}"#]
        );
        let decoded: serde_json::Value = serde_json::from_str(&sent[0]).unwrap();
        assert_eq!(decoded, filter);
    }

    #[test]
    fn a_null_filter_is_not_sent() {
        let query = ParticipantSessionsQuery {
            filter_conditions: Some(serde_json::Value::Null),
            ..ParticipantSessionsQuery::default()
        };
        assert_eq!(sessions("c", "s", &query).query(), Some("api_key=key123"));
    }

    #[test]
    fn session_stats_are_a_retryable_post_with_a_json_body() {
        let query = SessionStatsQuery::sessions_of("default", "weekly");
        let request = query_call_session_stats(&base(), "key123", &query).unwrap();
        assert_eq!(request.method, Method::POST);
        assert!(request.idempotent);
        assert_eq!(
            request.url.as_str(),
            "https://chat.stream-io-api.com/api/v2/video/call_stats?api_key=key123"
        );
        let body: serde_json::Value = serde_json::from_slice(&request.body.unwrap()).unwrap();
        assert_eq!(body, serde_json::to_value(&query).unwrap());
    }

    #[test]
    fn members_are_a_retryable_post_naming_the_call_in_the_body() {
        let query = MembersQuery::members_of("default", "weekly");
        let request = query_call_members(&base(), "key123", &query).unwrap();
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.operation, "QueryCallMembers");
        assert!(request.idempotent);
        assert_eq!(
            request.url.as_str(),
            "https://chat.stream-io-api.com/api/v2/video/call/members?api_key=key123"
        );
        let body: serde_json::Value = serde_json::from_slice(&request.body.unwrap()).unwrap();
        assert_eq!(body, serde_json::to_value(&query).unwrap());
        for id in ["", ".."] {
            let query = MembersQuery::members_of("default", id);
            let err = query_call_members(&base(), "k", &query).unwrap_err();
            assert!(err.to_string().starts_with("invalid call id"), "{err}");
        }
    }

    #[test]
    fn a_base_path_prefix_is_kept() {
        let base = BaseUrl::parse("http://127.0.0.1:4000/stream/").unwrap();
        let request = get_call(&base, "k", "default", "c").unwrap();
        assert_eq!(
            request.url.as_str(),
            "http://127.0.0.1:4000/stream/api/v2/video/call/default/c?api_key=k"
        );
    }
}
