//! `headcount sim --from FILE`: one call session served from a file of raw API pages, as a
//! customer's Stream sent them, so that a support person can replay a case locally and tests
//! can serve crafted ones.
//!
//! The file (`headcount export --format pages` writes it from a real read) is one JSON
//! object:
//!
//! ```json
//! {"headcount_pages": 1, "call_type": "default", "call_id": "townhall", "call_session_id": "…",
//!  "filter_conditions": null, "call": {…GetCall's `call`, or null…},
//!  "pages": {"": {…first page…}, "CURSOR": {…the page at that cursor…}},
//!  "session": {…the pages' `session`…}, "totals": {"total_participant_sessions": 3,
//!  "total_participant_duration": 4800}, "members": [{…MemberResponse…}]}
//! ```
//!
//! `members` is optional: without it the call's members are not known and `QueryCallMembers`
//! answers 404 (saying "no members" would be a guess); with it (`[]` for a call that has
//! none) they are served as one page.
//!
//! Pages are served byte for byte as they are in the file (keyed by the `next` cursor that
//! asks for them, the first page by `""`), whatever `limit` asks for; a cursor the file does
//! not hold is refused as Stream refuses an expired one (400, code 4). A filter other than the
//! one the pages were read with is refused too. `GetCall` answers the recorded call (or one
//! built from the session), `QueryCallSessionStats` one row for the session.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::error::Refusal;
use super::server::Params;

/// The version of the pages file this sim reads.
pub(crate) const PAGES_VERSION: u64 = 1;

/// The file, as read.
#[derive(Debug, Deserialize)]
struct PagesFile {
    headcount_pages: u64,
    call_type: String,
    call_id: String,
    call_session_id: String,
    #[serde(default)]
    filter_conditions: Option<Value>,
    #[serde(default)]
    call: Option<Value>,
    #[serde(default)]
    session: Option<Value>,
    #[serde(default)]
    totals: ReplayTotals,
    pages: BTreeMap<String, Box<RawValue>>,
    #[serde(default)]
    members: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
struct ReplayTotals {
    #[serde(default)]
    total_participant_sessions: Option<i64>,
    #[serde(default)]
    total_participant_duration: Option<i64>,
}

/// Why a pages file cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("not a pages file: {0}")]
    Unreadable(#[from] serde_json::Error),
    #[error("this pages file has version {0}; this headcount reads version {PAGES_VERSION}")]
    Version(u64),
    #[error("the pages file has no first page (the key \"\" of `pages`)")]
    NoFirstPage,
}

/// One call session's recorded pages.
#[derive(Debug)]
pub(crate) struct Replay {
    call_type: String,
    call_id: String,
    session_id: String,
    filter_conditions: Option<Value>,
    call: Option<Value>,
    session: Option<Value>,
    totals: ReplayTotals,
    pages: BTreeMap<String, Box<RawValue>>,
    /// Distinct user ids over every page, for the session's stats row.
    participants: usize,
    /// The call's members, when the file records them.
    members: Option<Vec<Value>>,
}

impl Replay {
    pub(crate) fn parse(text: &str) -> Result<Replay, ReplayError> {
        let file: PagesFile = serde_json::from_str(text)?;
        if file.headcount_pages != PAGES_VERSION {
            return Err(ReplayError::Version(file.headcount_pages));
        }
        if !file.pages.contains_key("") {
            return Err(ReplayError::NoFirstPage);
        }
        let participants = distinct_users(&file.pages);
        Ok(Replay {
            call_type: file.call_type,
            call_id: file.call_id,
            session_id: file.call_session_id,
            filter_conditions: file.filter_conditions.filter(|f| !f.is_null()),
            call: file.call.filter(|c| !c.is_null()),
            session: file.session.filter(|s| !s.is_null()),
            totals: file.totals,
            pages: file.pages,
            participants,
            members: file.members,
        })
    }

    pub(crate) fn call_type(&self) -> &str {
        &self.call_type
    }

    pub(crate) fn call_id(&self) -> &str {
        &self.call_id
    }

    pub(crate) fn session_id(&self) -> &str {
        &self.session_id
    }

    /// `QueryCallMembers`: the recorded members as one page, when the file records them.
    pub(crate) fn members(
        &self,
        call_type: &str,
        call_id: &str,
    ) -> Result<Map<String, Value>, Refusal> {
        self.find_call(call_type, call_id)?;
        let Some(members) = &self.members else {
            // A pages file records participant sessions only: saying the call has no members
            // would be a guess.
            return Err(Refusal::not_found(format!(
                "the replayed pages hold no members of call {call_type}:{call_id}"
            )));
        };
        Ok(super::wire::object(json!({
            "members": members,
            "next": null,
            "prev": null,
        })))
    }

    /// Rows over every recorded page, repeats included.
    pub(crate) fn rows(&self) -> usize {
        self.pages
            .values()
            .map(|page| page_rows(page).map_or(0, |rows| rows.len()))
            .sum()
    }

    /// The recorded page a request asks for, exactly as recorded.
    pub(crate) fn participant_sessions(
        &self,
        call_type: &str,
        call_id: &str,
        session: &str,
        params: &Params,
    ) -> Result<&str, Refusal> {
        self.find_call(call_type, call_id)?;
        if session != self.session_id {
            return Err(Refusal::not_found(format!(
                "call session {session} of call {call_type}:{call_id} does not exist"
            )));
        }
        let asked = match params.get("filter_conditions").filter(|f| !f.is_empty()) {
            Some(text) => Some(serde_json::from_str::<Value>(text).map_err(|err| {
                Refusal::input(format!("filter_conditions is not valid JSON: {err}"))
            })?),
            None => None,
        };
        if asked != self.filter_conditions {
            return Err(Refusal::input(format!(
                "this replay holds the pages read with filter_conditions {}",
                self.filter_conditions
                    .as_ref()
                    .map_or("none".to_owned(), Value::to_string)
            )));
        }
        let cursor = params.get("next").map_or("", String::as_str);
        self.pages
            .get(cursor)
            .map(|page| page.get())
            .ok_or_else(|| Refusal::input(format!("{cursor} is not a valid cursor")))
    }

    /// `GetCall`: the recorded call, or one made of the session.
    pub(crate) fn get_call(
        &self,
        call_type: &str,
        call_id: &str,
    ) -> Result<Map<String, Value>, Refusal> {
        self.find_call(call_type, call_id)?;
        let call = self.call.clone().unwrap_or_else(|| {
            json!({
                "type": self.call_type,
                "id": self.call_id,
                "cid": self.cid(),
                "current_session_id": self.session_id,
                "session": self.session,
            })
        });
        Ok(super::wire::object(json!({
            "call": call,
            "members": [],
            "own_capabilities": [],
        })))
    }

    /// `QueryCallSessionStats`: the session's row, unless the filter names another call or
    /// session.
    pub(crate) fn call_stats(&self, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
        let request: Value = serde_json::from_slice(body)
            .map_err(|err| Refusal::input(format!("the body is not valid JSON: {err}")))?;
        let wanted = |field: &str, value: &str| {
            request["filter_conditions"][field]["$eq"]
                .as_str()
                .is_none_or(|asked| asked == value)
        };
        let rows = if wanted("call_cid", &self.cid()) && wanted("call_session_id", &self.session_id)
        {
            let at = |field: &str| {
                self.session
                    .as_ref()
                    .map_or(Value::Null, |s| s[field].clone())
            };
            vec![json!({
                "call_type": self.call_type,
                "call_id": self.call_id,
                "call_session_id": self.session_id,
                "call_started_at": at("started_at"),
                "call_ended_at": at("ended_at"),
                "generated_at": at("ended_at"),
                "counts": {
                    "participants": self.participants,
                    "sessions": self.totals.total_participant_sessions.unwrap_or(0),
                    "live_sessions": 0,
                    "publishers": 0,
                    "peak_concurrent_users": 0,
                    "peak_concurrent_sessions": 0,
                    "sfus_used": 0,
                    "total_participant_duration": self.totals.total_participant_duration,
                },
            })]
        } else {
            Vec::new()
        };
        Ok(super::wire::object(json!({"call_stats": rows})))
    }

    fn cid(&self) -> String {
        format!("{}:{}", self.call_type, self.call_id)
    }

    fn find_call(&self, call_type: &str, call_id: &str) -> Result<(), Refusal> {
        if call_type == self.call_type && call_id == self.call_id {
            Ok(())
        } else {
            Err(Refusal::not_found(format!(
                "Can't find call with id {call_type}:{call_id}"
            )))
        }
    }
}

fn page_rows(page: &RawValue) -> Option<Vec<Value>> {
    let page: Value = serde_json::from_str(page.get()).ok()?;
    match page.get("participants_sessions") {
        Some(Value::Array(rows)) => Some(rows.clone()),
        _ => None,
    }
}

fn distinct_users(pages: &BTreeMap<String, Box<RawValue>>) -> usize {
    let mut users = HashSet::new();
    for rows in pages.values().filter_map(|page| page_rows(page)) {
        for row in rows {
            if let Some(user) = row["user_id"].as_str() {
                users.insert(user.to_owned());
            }
        }
    }
    users.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"headcount_pages": 1, "call_type": "default", "call_id": "c",
        "call_session_id": "s", "filter_conditions": null, "call": null,
        "pages": {
          "": {"call_type": "default", "call_id": "c", "call_session_id": "s",
               "participants_sessions": [{"user_id": "u-a", "user_session_id": "i-1"}],
               "next": "p2",   "total_participant_sessions": 2},
          "p2": {"participants_sessions": [{"user_id": "u-b", "user_session_id": "i-2"}]}
        },
        "totals": {"total_participant_sessions": 2, "total_participant_duration": 60}}"#;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pages_are_served_byte_for_byte_by_cursor() {
        let replay = Replay::parse(FILE).unwrap();
        let first = replay
            .participant_sessions("default", "c", "s", &params(&[("limit", "100")]))
            .unwrap();
        assert!(first.contains(r#""next": "p2",   "total"#), "{first}");
        let second = replay
            .participant_sessions("default", "c", "s", &params(&[("next", "p2")]))
            .unwrap();
        assert!(second.contains("u-b"));
        assert_eq!(replay.rows(), 2);
        assert_eq!(replay.participants, 2);
    }

    #[test]
    fn unknown_cursors_filters_and_sessions_are_refused_as_stream_would() {
        let replay = Replay::parse(FILE).unwrap();
        let cursor = replay
            .participant_sessions("default", "c", "s", &params(&[("next", "zz")]))
            .unwrap_err();
        assert_eq!(cursor.code.number(), 4);
        let filter = params(&[("filter_conditions", r#"{"user_id":"u-a"}"#)]);
        let filtered = replay
            .participant_sessions("default", "c", "s", &filter)
            .unwrap_err();
        assert_eq!(filtered.code.number(), 4);
        let other = replay
            .participant_sessions("default", "c", "other", &params(&[]))
            .unwrap_err();
        assert_eq!(other.code.number(), 16);
    }

    #[test]
    fn a_file_without_a_first_page_or_of_another_version_is_refused() {
        let no_first = FILE.replace(r#""": {"#, r#""p0": {"#);
        assert!(matches!(
            Replay::parse(&no_first),
            Err(ReplayError::NoFirstPage)
        ));
        let future = FILE.replace(r#""headcount_pages": 1"#, r#""headcount_pages": 9"#);
        assert!(matches!(
            Replay::parse(&future),
            Err(ReplayError::Version(9))
        ));
    }

    #[test]
    fn the_stats_row_answers_for_its_session_only() {
        let replay = Replay::parse(FILE).unwrap();
        let mine = br#"{"filter_conditions": {"call_session_id": {"$eq": "s"}}}"#;
        assert_eq!(
            replay.call_stats(mine).unwrap()["call_stats"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let other = br#"{"filter_conditions": {"call_session_id": {"$eq": "x"}}}"#;
        assert!(
            replay.call_stats(other).unwrap()["call_stats"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}
