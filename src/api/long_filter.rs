//! `filter_conditions` too long for one request URL, split into several requests.
//!
//! `QueryCallParticipantSessions` takes its filter in the query string, and proxies and load
//! balancers commonly refuse request lines over 8 KiB (414). A `user:` list of thousands of
//! ids is far over that, so the longest `$in` list of the filter is cut into chunks, each
//! request carrying one; their rows are merged by the reader. Only a list in a position where
//! the filter grows with it can be cut (a field's `$in`, possibly inside `$and` or `$or`):
//! the rows of `x in A ∪ B` are then exactly those of `x in A` plus those of `x in B`. A list
//! under `$nor`, `$not` or `$nin` cannot, and such a filter is refused.

use serde_json::Value;

use super::base_url::BaseUrl;
use super::endpoint;
use super::error::ApiError;
use super::models::ParticipantSessionsQuery;

/// The longest request URL headcount sends.
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;

/// Room kept in every URL for the `next` cursor, whose length Stream does not document.
const CURSOR_ALLOWANCE: usize = 1024;

/// One step of the way to a value inside the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SplitStep {
    Key(String),
    Index(usize),
}

/// The session the requests are for, to measure their URLs.
pub(crate) struct Target<'a> {
    pub(crate) base: &'a BaseUrl,
    pub(crate) api_key: &'a str,
    pub(crate) call_type: &'a str,
    pub(crate) call_id: &'a str,
    pub(crate) session: &'a str,
    pub(crate) page_size: u32,
}

/// The filter of each request: the filter itself when its URL is short enough, else one
/// filter per chunk of its longest `$in` list.
pub(crate) fn split(
    target: &Target,
    conditions: Option<Value>,
) -> Result<Vec<Option<Value>>, ApiError> {
    let Some(conditions) = conditions else {
        return Ok(vec![None]);
    };
    let budget = MAX_URL_BYTES - CURSOR_ALLOWANCE;
    if url_len(target, &conditions)? <= budget {
        return Ok(vec![Some(conditions)]);
    }
    let too_long = |reason: &'static str| ApiError::InvalidArgument {
        what: "filter",
        value: excerpt(&conditions),
        reason,
    };
    let Some(path) = longest_list(&conditions) else {
        return Err(too_long(
            "it makes a request longer than 8 KiB and has no `$in` list that can be split \
             across requests: shorten it",
        ));
    };
    let items = match at(&conditions, &path) {
        Some(Value::Array(items)) => items.clone(),
        _ => unreachable!("the path leads to a list"),
    };
    let mut template = conditions.clone();
    *at_mut(&mut template, &path) = Value::Array(Vec::new());
    let empty = url_len(target, &template)?;
    let comma = form_encoded_len(",");
    let mut chunks: Vec<Vec<Value>> = Vec::new();
    let mut chunk = Vec::new();
    let mut length = empty;
    for item in items {
        let cost = form_encoded_len(&item.to_string());
        let separator = if chunk.is_empty() { 0 } else { comma };
        if length + separator + cost > budget {
            if chunk.is_empty() {
                return Err(too_long(
                    "one value of its `$in` list alone makes a request longer than 8 KiB",
                ));
            }
            chunks.push(std::mem::take(&mut chunk));
            length = empty;
        }
        length += if chunk.is_empty() { 0 } else { comma } + cost;
        chunk.push(item);
    }
    chunks.push(chunk);
    Ok(chunks
        .into_iter()
        .map(|chunk| {
            let mut part = template.clone();
            *at_mut(&mut part, &path) = Value::Array(chunk);
            Some(part)
        })
        .collect())
}

fn url_len(target: &Target, conditions: &Value) -> Result<usize, ApiError> {
    let query = ParticipantSessionsQuery {
        limit: Some(target.page_size),
        next: None,
        prev: None,
        filter_conditions: Some(conditions.clone()),
    };
    let request = endpoint::query_call_participant_sessions(
        target.base,
        target.api_key,
        target.call_type,
        target.call_id,
        target.session,
        &query,
    )?;
    Ok(request.url.as_str().len())
}

/// The length of `text` once form-encoded in a query string (the `application/x-www-form-
/// urlencoded` serializer: alphanumerics and `*-._` stay, a space becomes `+`, any other byte
/// takes three characters). Encoding is byte by byte, so lengths add up.
fn form_encoded_len(text: &str) -> usize {
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' | b' ' => 1,
            _ => 3,
        })
        .sum()
}

/// The path to the longest `$in` list that can be split, if any.
fn longest_list(conditions: &Value) -> Option<Vec<SplitStep>> {
    let mut found: Vec<(usize, Vec<SplitStep>)> = Vec::new();
    collect_lists(conditions, &mut Vec::new(), &mut found);
    found
        .into_iter()
        .filter(|(len, _)| *len > 1)
        .max_by_key(|(len, _)| *len)
        .map(|(_, path)| path)
}

/// Lists under a field's `$in`, through `$and` and `$or` only: the positions where the rows
/// kept grow with the list.
fn collect_lists(
    value: &Value,
    path: &mut Vec<SplitStep>,
    found: &mut Vec<(usize, Vec<SplitStep>)>,
) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, child) in map {
        path.push(SplitStep::Key(key.clone()));
        match (key.as_str(), child) {
            ("$in", Value::Array(items)) => found.push((items.len(), path.clone())),
            ("$and" | "$or", Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(SplitStep::Index(i));
                    collect_lists(item, path, found);
                    path.pop();
                }
            }
            (operator, _) if operator.starts_with('$') => {}
            (_field, condition) => collect_lists(condition, path, found),
        }
        path.pop();
    }
}

fn at<'a>(value: &'a Value, path: &[SplitStep]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, step| match step {
        SplitStep::Key(key) => value.get(key),
        SplitStep::Index(i) => value.get(i),
    })
}

fn at_mut<'a>(value: &'a mut Value, path: &[SplitStep]) -> &'a mut Value {
    path.iter().fold(value, |value, step| match step {
        SplitStep::Key(key) => &mut value[key.as_str()],
        SplitStep::Index(i) => &mut value[*i],
    })
}

/// The start of a long filter, for the error message.
fn excerpt(conditions: &Value) -> String {
    let text = conditions.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://chat.stream-io-api.com").unwrap()
    }

    fn target(base: &BaseUrl) -> Target<'_> {
        Target {
            base,
            api_key: "key123",
            call_type: "default",
            call_id: "townhall",
            session: "0f8e2c1a-9b7d-4e3f-a1b2-c3d4e5f60718",
            page_size: 100,
        }
    }

    fn ids(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!(format!("user-{i:05} é"))).collect()
    }

    #[test]
    fn a_short_filter_is_one_request() {
        let base = base();
        let filter = json!({"user_id": {"$in": ["a", "b"]}});
        let parts = split(&target(&base), Some(filter.clone())).unwrap();
        assert_eq!(parts, [Some(filter)]);
        assert_eq!(split(&target(&base), None).unwrap(), [None]);
    }

    #[test]
    fn eight_thousand_ids_become_short_requests_holding_every_id_once() {
        let base = base();
        let all = ids(8_000);
        let filter = json!({"user_id": {"$in": all}, "publisher_type": {"$eq": "webrtc"}});
        let parts = split(&target(&base), Some(filter)).unwrap();
        assert!(parts.len() > 1);
        let mut seen = Vec::new();
        for part in &parts {
            let part = part.as_ref().unwrap();
            let length = url_len(&target(&base), part).unwrap();
            assert!(length <= MAX_URL_BYTES - CURSOR_ALLOWANCE, "{length}");
            assert!(
                length > (MAX_URL_BYTES - CURSOR_ALLOWANCE) * 9 / 10
                    || part == parts.last().unwrap().as_ref().unwrap()
            );
            assert_eq!(part["publisher_type"], json!({"$eq": "webrtc"}));
            seen.extend(part["user_id"]["$in"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn the_encoded_length_is_the_real_one() {
        let base = base();
        let filter = json!({"user_id": {"$in": ids(3)}});
        let mut empty = filter.clone();
        empty["user_id"]["$in"] = json!([]);
        let expected = url_len(&target(&base), &empty).unwrap()
            + ids(3)
                .iter()
                .map(|id| form_encoded_len(&id.to_string()))
                .sum::<usize>()
            + 2 * form_encoded_len(",");
        assert_eq!(url_len(&target(&base), &filter).unwrap(), expected);
    }

    #[test]
    fn lists_inside_and_or_are_split_but_not_under_a_negation() {
        let base = base();
        let inside_or =
            json!({"$or": [{"user_id": {"$in": ids(4_000)}}, {"publisher_type": "rtmp"}]});
        let parts = split(&target(&base), Some(inside_or)).unwrap();
        assert!(parts.len() > 1);
        assert!(
            parts
                .iter()
                .all(|p| p.as_ref().unwrap()["$or"][1] == json!({"publisher_type": "rtmp"}))
        );
        let negated = json!({"user_id": {"$nin": ids(4_000)}});
        let err = split(&target(&base), Some(negated)).unwrap_err();
        assert_eq!(err.kind(), super::super::ErrorKind::Input);
        assert!(err.to_string().contains("no `$in` list"), "{err}");
    }
}
