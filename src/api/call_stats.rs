//! `QueryCallSessionStats` (`POST /api/v2/video/call_stats`): what headcount asks for and
//! what comes back, one summary row per call session. Decoded as leniently as the other
//! models: unknown fields are ignored, numbers may arrive as strings, timestamps in any form.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::models::RequestDuration;
use super::timestamp::{self, Nanos};

/// The request body (`QueryCallSessionStatsRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SessionStatsQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_conditions: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

impl SessionStatsQuery {
    /// Every session of the call `call_type:call_id`, the newest first.
    pub fn sessions_of(call_type: &str, call_id: &str) -> SessionStatsQuery {
        SessionStatsQuery {
            filter_conditions: Some(json!({"call_cid": {"$eq": format!("{call_type}:{call_id}")}})),
            sort: vec![SortParam::descending("session_started_at")],
            ..SessionStatsQuery::default()
        }
    }
}

impl SessionStatsQuery {
    /// The row of one session of the call `call_type:call_id`.
    pub(crate) fn one_session(
        call_type: &str,
        call_id: &str,
        session_id: &str,
    ) -> SessionStatsQuery {
        SessionStatsQuery {
            filter_conditions: Some(json!({
                "call_cid": {"$eq": format!("{call_type}:{call_id}")},
                "call_session_id": {"$eq": session_id},
            })),
            limit: Some(1),
            ..SessionStatsQuery::default()
        }
    }
}

/// `SortParamRequest`: a field and a direction (1 ascending, -1 descending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SortParam {
    pub field: String,
    pub direction: i32,
}

impl SortParam {
    pub(crate) fn descending(field: &str) -> SortParam {
        SortParam {
            field: field.to_string(),
            direction: -1,
        }
    }
}

/// `QueryCallSessionStatsResponse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionStatsPage {
    #[serde(default)]
    pub call_stats: Vec<SessionStats>,
    #[serde(default)]
    pub(crate) next: Option<String>,
    #[serde(default)]
    pub(crate) prev: Option<String>,
    #[serde(default)]
    pub(crate) duration: RequestDuration,
}

impl SessionStatsPage {
    /// The cursor of the following page; an absent, null or empty `next` ends paging.
    pub(crate) fn next_cursor(&self) -> Option<&str> {
        self.next.as_deref().filter(|c| !c.is_empty())
    }
}

/// `CallStatsSessionResponse`: one call session's summary.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionStats {
    pub(crate) call_type: String,
    pub(crate) call_id: String,
    pub call_session_id: String,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) call_started_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub call_ended_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) generated_at: Option<Nanos>,
    #[serde(default)]
    pub counts: SessionCounts,
}

/// `CallStatsParticipantCounts`, the figures headcount shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SessionCounts {
    #[serde(deserialize_with = "int")]
    pub participants: i64,
    #[serde(deserialize_with = "int")]
    pub sessions: i64,
    #[serde(deserialize_with = "int")]
    pub live_sessions: i64,
    #[serde(deserialize_with = "int")]
    pub publishers: i64,
    #[serde(deserialize_with = "int")]
    pub peak_concurrent_users: i64,
    #[serde(deserialize_with = "int")]
    pub peak_concurrent_sessions: i64,
    #[serde(deserialize_with = "int")]
    pub sfus_used: i64,
    /// Seconds, summed over the participant sessions.
    #[serde(deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_duration: Option<i64>,
}

/// A required count, lenient as to its encoding; null reads as 0.
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(timestamp::deserialize_opt_int(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_serializes_only_what_is_set() {
        let query = SessionStatsQuery {
            limit: Some(50),
            ..SessionStatsQuery::sessions_of("default", "weekly")
        };
        assert_eq!(
            serde_json::to_value(&query).unwrap(),
            json!({
                "filter_conditions": {"call_cid": {"$eq": "default:weekly"}},
                "sort": [{"field": "session_started_at", "direction": -1}],
                "limit": 50
            })
        );
        assert_eq!(
            serde_json::to_value(SessionStatsQuery::default()).unwrap(),
            json!({})
        );
    }

    #[test]
    fn a_page_decodes_leniently() {
        let page: SessionStatsPage = serde_json::from_value(json!({
            "call_stats": [{
                "call_type": "default", "call_id": "weekly", "call_session_id": "s1",
                "call_started_at": "2025-10-09T08:53:20Z", "generated_at": 1_760_000_000_000_000_000_i64,
                "counts": {"participants": "12", "sessions": 15, "live_sessions": 0,
                           "publishers": 3, "peak_concurrent_users": 10,
                           "peak_concurrent_sessions": 11, "sfus_used": 1,
                           "cq_score": 97}
            }],
            "next": "",
            "duration": "1.2ms"
        }))
        .unwrap();
        let row = &page.call_stats[0];
        assert_eq!(row.call_started_at, Some(1_760_000_000_000_000_000));
        assert_eq!(row.call_ended_at, None);
        assert_eq!(row.counts.participants, 12);
        assert_eq!(row.counts.total_participant_duration, None);
        assert_eq!(page.next_cursor(), None);
    }
}
