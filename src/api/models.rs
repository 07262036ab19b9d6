//! What Stream sends and what headcount asks for, decoded leniently.
//!
//! Only the fields headcount uses are modelled; unknown fields are ignored so that a newer API
//! never breaks an older headcount. The same structs serialize the sim's rows, so that field
//! names cannot drift between the two sides.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::members::{self, CallCreator, Member, RingMap};
use super::nullable::default_on_null;
use super::session_fields::participant_session_fields;
use super::timestamp::{self, Nanos};

/// The owned model of a row, one member per field of `participant_session_fields!`, each
/// decoded as its kind says.
macro_rules! owned_details {
    (@out [$($out:tt)*]) => {
        /// One join of one user on one device (a row of `participants_sessions`).
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ParticipantSessionDetails { $($out)* }
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: RequiredText, $($rest:tt)*) => {
        owned_details!(@out [$($out)* $(#[$doc])* pub $name: String,] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: Text, $($rest:tt)*) => {
        owned_details!(@out [$($out)*
            $(#[$doc])*
            #[serde(default, deserialize_with = "default_on_null")]
            pub $name: String,
        ] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: TextList, $($rest:tt)*) => {
        owned_details!(@out [$($out)*
            $(#[$doc])*
            #[serde(default, deserialize_with = "default_on_null")]
            pub $name: Vec<String>,
        ] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: Timestamp, $($rest:tt)*) => {
        owned_details!(@out [$($out)*
            $(#[$doc])*
            #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
            pub $name: Option<Nanos>,
        ] $($rest)*);
    };
    (@out [$($out:tt)*] $(#[$doc:meta])* $name:ident: Integer, $($rest:tt)*) => {
        owned_details!(@out [$($out)*
            $(#[$doc])*
            #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
            pub $name: Option<i64>,
        ] $($rest)*);
    };
    ($($fields:tt)*) => {
        owned_details!(@out [] $($fields)*);
    };
}

participant_session_fields!(owned_details);

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
    #[serde(default, deserialize_with = "default_on_null")]
    pub anonymous_participant_count: i64,
    #[serde(default, deserialize_with = "default_on_null")]
    pub participants_count_by_role: std::collections::BTreeMap<String, i64>,
    /// Ring outcomes of this session: who accepted the ring, and when. `None` when the
    /// response did not report the map (absent or `null`), which differs from an empty map.
    #[serde(
        default,
        deserialize_with = "members::deserialize_ring_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub accepted_by: Option<RingMap>,
    /// Who rejected the ring (the caller appears here when they cancel it).
    #[serde(
        default,
        deserialize_with = "members::deserialize_ring_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub rejected_by: Option<RingMap>,
    /// Who was rung and did not answer in time.
    #[serde(
        default,
        deserialize_with = "members::deserialize_ring_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub missed_by: Option<RingMap>,
}

/// `QueryCallParticipantSessionsResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantSessionsPage {
    pub call_type: String,
    pub call_id: String,
    pub call_session_id: String,
    #[serde(default, deserialize_with = "default_on_null")]
    pub duration: RequestDuration,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_sessions: Option<i64>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub total_participant_duration: Option<i64>,
    #[serde(default, deserialize_with = "default_on_null")]
    pub participants_sessions: Vec<ParticipantSessionDetails>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub prev: Option<String>,
    #[serde(default)]
    pub session: Option<CallSession>,
}

/// The parts of `CallResponse` headcount uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Call {
    #[serde(rename = "type")]
    pub(crate) call_type: String,
    pub id: String,
    pub(crate) cid: String,
    #[serde(default, deserialize_with = "default_on_null")]
    pub current_session_id: String,
    /// Who created the call: the caller of a ringing call.
    #[serde(default)]
    pub created_by: Option<CallCreator>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) created_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) ended_at: Option<Nanos>,
    #[serde(default)]
    pub session: Option<CallSession>,
}

/// `GetCallResponse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GetCallResponse {
    pub call: Call,
    /// At most `members_limit` (≤ 100) of the call's members; `QueryCallMembers` lists them all.
    #[serde(default, deserialize_with = "default_on_null")]
    pub members: Vec<Member>,
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) duration: RequestDuration,
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
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) code: i32,
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) message: String,
    #[serde(rename = "StatusCode", default, deserialize_with = "default_on_null")]
    pub(crate) status_code: i32,
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) duration: String,
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) more_info: String,
    /// A list of integers in the spec, opaque in Stream's Go SDK, an object in some tests,
    /// `null` in others: kept as whatever JSON came.
    #[serde(default = "no_details")]
    pub(crate) details: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) exception_fields: Option<std::collections::BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unrecoverable: Option<bool>,
}

fn no_details() -> Value {
    Value::Array(Vec::new())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::filter::LocalRow;

    const JOINED: Nanos = 1_760_000_000_000_000_000;

    fn page(value: Value) -> ParticipantSessionsPage {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_documented_example_page_decodes() {
        let page = page(json!({
          "call_type": "default",
          "call_id": "my-call",
          "call_session_id": "4f2a9c1e-5b7d-4e0f-9a3c-2d1e8f7a6b5c",
          "duration": 7,
          "total_participant_sessions": 3,
          "total_participant_duration": 1840,
          "participants_sessions": [
            {"user_id": "alice", "user_session_id": "a1", "publisher_type": "webrtc",
             "roles": ["user"], "joined_at": 1_760_000_000_000_000_000_i64,
             "left_at": 1_760_000_900_000_000_000_i64, "duration_in_seconds": 900},
            {"user_id": "bob", "user_session_id": "b7", "publisher_type": "webrtc",
             "roles": ["admin"], "joined_at": 1_760_000_030_000_000_000_i64}
          ],
          "next": "opaque-cursor"
        }));
        assert_eq!(page.duration, RequestDuration::Millis(7));
        assert_eq!(page.total_participant_sessions, Some(3));
        assert_eq!(page.total_participant_duration, Some(1840));
        let [alice, bob] = &page.participants_sessions[..] else {
            panic!("two rows")
        };
        assert_eq!(alice.joined_at, Some(JOINED));
        assert_eq!(alice.left_at, Some(JOINED + 900 * timestamp::NANOS_PER_SEC));
        assert_eq!(alice.duration_in_seconds, Some(900));
        assert!(!alice.is_open());
        assert_eq!(bob.roles, ["admin"]);
        assert!(bob.is_open());
        assert_eq!(bob.duration_in_seconds, None);
        assert_eq!(page.next.as_deref(), Some("opaque-cursor"));
    }

    #[test]
    fn mixed_encodings_and_unknown_fields_decode() {
        let page = page(json!({
          "call_type": "livestream", "call_id": "town-hall", "call_session_id": "s",
          "duration": "12.5ms",
          "total_participant_sessions": "2", "total_participant_duration": 61.0,
          "participants_sessions": [
            {"user_id": "carol", "user_session_id": "c1", "publisher_type": "rtmp",
             "roles": [], "joined_at": "2025-10-09T08:53:20Z", "left_at": null,
             "duration_in_seconds": null, "is_live": true, "published_tracks": ["audio"]},
            {"user_id": "dan", "user_session_id": "d1", "roles": ["user"],
             "joined_at": 1.76e18, "left_at": "2025-10-09T08:54:21.5+00:00",
             "duration_in_seconds": "61"}
          ],
          "next": "", "prev": null,
          "session": {"id": "s", "started_at": 1_760_000_000_000_000_000_i64, "ended_at": null,
                      "participants": [], "accepted_by": {}, "missed_by": {},
                      "anonymous_participant_count": 0,
                      "participants_count_by_role": {"user": 2}},
          "some_future_field": {"nested": [1, 2, 3]}
        }));
        assert_eq!(page.duration, RequestDuration::Text("12.5ms".into()));
        assert_eq!(page.total_participant_sessions, Some(2));
        assert_eq!(page.total_participant_duration, Some(61));
        let [carol, dan] = &page.participants_sessions[..] else {
            panic!("two rows")
        };
        assert_eq!(carol.joined_at, Some(JOINED));
        assert!(carol.is_open());
        assert_eq!(dan.publisher_type, "");
        assert_eq!(dan.joined_at, Some(JOINED));
        assert_eq!(dan.left_at, Some(JOINED + 61_500_000_000));
        assert_eq!(dan.duration_in_seconds, Some(61));
        assert_eq!(
            page.next.as_deref(),
            Some(""),
            "an empty cursor is kept as sent"
        );
        let session = page.session.unwrap();
        assert_eq!(session.started_at, Some(JOINED));
        assert_eq!(session.participants_count_by_role.get("user"), Some(&2));
    }

    #[test]
    fn null_reads_as_absent_in_every_field_with_a_default() {
        let page = page(json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s", "duration": null,
          "total_participant_sessions": null, "total_participant_duration": null,
          "participants_sessions": [
            {"user_id": "erin", "user_session_id": "e1", "publisher_type": null, "roles": null,
             "joined_at": null, "left_at": null, "duration_in_seconds": null}
          ],
          "next": null, "prev": null,
          "session": {"id": "s", "started_at": null, "ended_at": null, "live_started_at": null,
                      "live_ended_at": null, "anonymous_participant_count": null,
                      "participants_count_by_role": null, "participants": null}
        }));
        let [erin] = &page.participants_sessions[..] else {
            panic!("one row")
        };
        assert_eq!((erin.publisher_type.as_str(), erin.roles.len()), ("", 0));
        assert_eq!((erin.joined_at, erin.left_at), (None, None));
        assert_eq!(page.total_participant_sessions, None);
        assert_eq!(page.duration, RequestDuration::default());
        assert_eq!(
            page.session.unwrap(),
            CallSession {
                id: "s".into(),
                ..CallSession::default()
            }
        );
        let no_rows = self::page(json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s",
          "participants_sessions": null, "session": null
        }));
        assert!(no_rows.participants_sessions.is_empty() && no_rows.session.is_none());
    }

    #[test]
    fn a_required_field_that_is_null_is_refused_by_name() {
        let result = serde_json::from_value::<ParticipantSessionsPage>(json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s",
          "participants_sessions": [{"user_id": null, "user_session_id": "a"}]
        }));
        assert!(result.unwrap_err().to_string().contains("null"));
    }

    #[test]
    fn a_get_call_response_with_nulls_as_stream_records_them_decodes() {
        // Shaped like a recorded GetCall response: the call ended, its session object has
        // null times, and absent fields are null throughout.
        let response: GetCallResponse = serde_json::from_value(json!({
          "call": {
            "type": "default", "id": "weekly", "cid": "default:weekly",
            "current_session_id": "9f1c", "created_at": 1_760_000_000_000_000_000_i64,
            "ended_at": 1_760_000_002_000_000_000_i64, "starts_at": null,
            "settings": {"limits": {"max_participants": null, "max_duration_seconds": null}},
            "session": {"id": "9f1c", "started_at": null, "ended_at": null,
                        "participants": [], "participants_count_by_role": {},
                        "anonymous_participant_count": 0, "rejected_by": {"u1": 1},
                        "accepted_by": {}, "missed_by": {}, "live_started_at": null,
                        "live_ended_at": null, "timer_ends_at": null},
            "egress": {"broadcasting": false, "hls": null, "rtmps": []},
            "thumbnails": null
          },
          "members": [], "own_capabilities": [], "duration": null
        }))
        .unwrap();
        assert_eq!(response.call.ended_at, Some(1_760_000_002_000_000_000));
        let session = response.call.session.unwrap();
        assert_eq!((session.started_at, session.ended_at), (None, None));
        let bare: GetCallResponse = serde_json::from_value(json!({
          "call": {"type": "default", "id": "x", "cid": "default:x",
                   "current_session_id": null, "session": null, "ended_at": null}
        }))
        .unwrap();
        assert_eq!(bare.call.current_session_id, "");
        assert_eq!(bare.call.session, None);
    }

    #[test]
    fn an_expired_session_keeps_its_totals_without_rows() {
        let page = page(json!({
          "call_type": "default", "call_id": "old", "call_session_id": "s", "duration": 1,
          "total_participant_sessions": 40, "total_participant_duration": 9000,
          "participants_sessions": []
        }));
        assert!(page.participants_sessions.is_empty());
        assert_eq!(page.total_participant_sessions, Some(40));
        assert_eq!(page.next, None);
    }

    #[test]
    fn a_full_get_call_response_decodes() {
        let response: GetCallResponse = serde_json::from_value(json!({
          "call": {
            "type": "default", "id": "my-call", "cid": "default:my-call",
            "current_session_id": "4f2a",
            "created_by": {"id": "host", "role": "admin", "custom": {}, "teams": [],
                           "created_at": 1_759_999_000_000_000_000_i64, "banned": false},
            "custom": {"topic": "standup"},
            "created_at": 1_759_999_000_000_000_000_i64,
            "updated_at": 1_760_000_000_000_000_000_i64,
            "ended_at": "2025-10-09T09:53:20Z",
            "recording": false, "transcribing": false, "backstage": false,
            "settings": {"audio": {"mic_default_on": true}, "limits": {"max_participants": 100}},
            "blocked_user_ids": [], "ingress": {"rtmp": {"address": "rtmps://x"}},
            "egress": {"broadcasting": false, "rtmps": []},
            "session": {"id": "4f2a", "started_at": "2025-10-09T08:53:20Z",
                        "participants": [{"user_session_id": "a1", "role": "user",
                                          "joined_at": 1_760_000_000_000_000_000_i64,
                                          "user": {"id": "alice"}}],
                        "anonymous_participant_count": 1,
                        "participants_count_by_role": {"user": 1},
                        "accepted_by": {"alice": 1_760_000_000_000_000_000_i64},
                        "rejected_by": {}, "missed_by": {}}
          },
          "members": [{"user_id": "alice", "user": {"id": "alice"}, "custom": {}}],
          "own_capabilities": ["join-call"],
          "duration": "2.31ms"
        }))
        .unwrap();
        let call = response.call;
        assert_eq!(
            (call.call_type.as_str(), call.id.as_str()),
            ("default", "my-call")
        );
        assert_eq!(call.current_session_id, "4f2a");
        assert_eq!(
            call.ended_at,
            Some(JOINED + 3600 * timestamp::NANOS_PER_SEC)
        );
        assert_eq!(call.created_by.unwrap().id, "host");
        let session = call.session.unwrap();
        assert_eq!(session.started_at, Some(JOINED));
        assert_eq!(session.anonymous_participant_count, 1);
        assert_eq!(session.accepted_by.unwrap()["alice"], Some(JOINED));
        assert_eq!(session.rejected_by, Some(RingMap::new()));
        assert_eq!(response.members[0].user_id, "alice");
        assert_eq!(response.duration, RequestDuration::Text("2.31ms".into()));
    }

    #[test]
    fn a_call_that_never_started_has_no_session() {
        let response: GetCallResponse = serde_json::from_value(json!({
          "call": {"type": "default", "id": "later", "cid": "default:later",
                   "current_session_id": "", "created_at": 1_760_000_000_000_000_000_i64},
          "duration": "0.9ms"
        }))
        .unwrap();
        assert_eq!(response.call.current_session_id, "");
        assert_eq!(response.call.session, None);
    }

    #[test]
    fn rows_serialize_as_stream_sends_them() {
        let open = ParticipantSessionDetails {
            user_id: "bob".into(),
            user_session_id: "b7".into(),
            publisher_type: "webrtc".into(),
            roles: vec!["user".into()],
            joined_at: Some(JOINED),
            left_at: None,
            duration_in_seconds: None,
        };
        let value = serde_json::to_value(&open).unwrap();
        assert_eq!(
            value,
            json!({"user_id": "bob", "user_session_id": "b7", "publisher_type": "webrtc",
                   "roles": ["user"], "joined_at": JOINED, "left_at": null,
                   "duration_in_seconds": null})
        );
        assert_eq!(
            serde_json::from_value::<ParticipantSessionDetails>(value).unwrap(),
            open
        );
    }

    #[test]
    fn stream_error_bodies_decode_with_their_capitalised_status() {
        let body: ApiErrorBody = serde_json::from_value(json!({
          "code": 4, "message": "QueryCallParticipantSessions failed with error: \"bad filter\"",
          "StatusCode": 400, "duration": "0.21ms",
          "more_info": "https://getstream.io/chat/docs/api_errors_response",
          "details": [], "exception_fields": {"filter_conditions": "unknown field colour"}
        }))
        .unwrap();
        assert_eq!((body.code, body.status_code), (4, 400));
        assert_eq!(body.unrecoverable, None);
        assert_eq!(
            body.exception_fields.unwrap().get("filter_conditions"),
            Some(&json!("unknown field colour"))
        );
    }

    #[test]
    fn error_bodies_keep_their_message_whatever_details_hold() {
        for details in [
            json!(null),
            json!({"reason": "x"}),
            json!([1, 2]),
            json!("text"),
        ] {
            let body: ApiErrorBody = serde_json::from_value(json!({
              "code": 16, "message": "GetCall failed with error: \"call not found\"",
              "StatusCode": 404, "duration": null, "more_info": null, "details": details,
              "exception_fields": null, "unrecoverable": null
            }))
            .unwrap();
            assert_eq!((body.code, body.status_code), (16, 404));
            assert!(body.message.contains("call not found"));
        }
    }
}
