//! What Stream sends and what headcount asks for, decoded leniently.
//!
//! Only the fields headcount uses are modelled; unknown fields are ignored so that a newer API
//! never breaks an older headcount. The same structs serialize the sim's rows, so that field
//! names cannot drift between the two sides.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::timestamp::{self, Nanos};

/// One join of one user on one device (a row of `participants_sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantSessionDetails {
    pub user_id: String,
    pub user_session_id: String,
    #[serde(default)]
    pub publisher_type: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(
        default,
        deserialize_with = "timestamp::deserialize_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub joined_at: Option<Nanos>,
    #[serde(
        default,
        deserialize_with = "timestamp::deserialize_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub left_at: Option<Nanos>,
    #[serde(
        default,
        deserialize_with = "timestamp::deserialize_opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration_in_seconds: Option<i64>,
}

impl ParticipantSessionDetails {
    /// A session without `left_at` is still open (or its data is not final yet).
    pub fn is_open(&self) -> bool {
        self.left_at.is_none()
    }
}

/// The request latency Stream reports: an integer of milliseconds on this endpoint, a string
/// such as `"1.23ms"` everywhere else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestDuration {
    Millis(i64),
    Float(f64),
    Text(String),
}

impl Default for RequestDuration {
    fn default() -> Self {
        RequestDuration::Millis(0)
    }
}

/// The call session (`CallSessionResponse`), reduced to what attendance needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSession {
    pub id: String,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub started_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub ended_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub live_started_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub live_ended_at: Option<Nanos>,
    #[serde(default)]
    pub anonymous_participant_count: i64,
    #[serde(default)]
    pub participants_count_by_role: std::collections::BTreeMap<String, i64>,
}

/// `QueryCallParticipantSessionsResponse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ParticipantSessionsPage {
    pub call_type: String,
    pub call_id: String,
    pub call_session_id: String,
    #[serde(default)]
    pub duration: RequestDuration,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_sessions: Option<i64>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_duration: Option<i64>,
    #[serde(default)]
    pub participants_sessions: Vec<ParticipantSessionDetails>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub prev: Option<String>,
    #[serde(default)]
    pub session: Option<CallSession>,
}

impl ParticipantSessionsPage {
    /// The cursor of the following page; Stream ends paging with an absent, null or empty `next`.
    pub fn next_cursor(&self) -> Option<&str> {
        self.next.as_deref().filter(|c| !c.is_empty())
    }
}

/// The parts of `CallResponse` headcount uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Call {
    #[serde(rename = "type")]
    pub call_type: String,
    pub id: String,
    pub cid: String,
    #[serde(default)]
    pub current_session_id: String,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub created_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub ended_at: Option<Nanos>,
    #[serde(default)]
    pub session: Option<CallSession>,
}

/// `GetCallResponse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GetCallResponse {
    pub call: Call,
    #[serde(default)]
    pub duration: RequestDuration,
}

/// The query parameters of `QueryCallParticipantSessions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParticipantSessionsQuery {
    pub limit: Option<u32>,
    pub next: Option<String>,
    pub prev: Option<String>,
    /// Sent URL-encoded as JSON text in one query parameter, as every official SDK does.
    pub filter_conditions: Option<Value>,
}

/// Stream's `APIError` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    #[serde(default)]
    pub code: i32,
    #[serde(default)]
    pub message: String,
    #[serde(rename = "StatusCode", default)]
    pub status_code: i32,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub more_info: String,
    #[serde(default)]
    pub details: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_fields: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unrecoverable: Option<bool>,
}
