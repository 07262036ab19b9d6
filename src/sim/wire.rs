//! The sim's response objects, complete as Stream's OpenAPI spec requires.
//!
//! The official SDKs decode strictly (Python's dataclasses refuse an object that lacks a
//! required field), so every object carries all of its required fields, down to the call
//! settings, with the values a new `default` call type has. Absent optional fields are sent
//! as `null`, as Stream sends them.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::attendance::{Attendee, CallRole};
use super::roster::{Ring, ScenarioMember, ScenarioRoster};
use super::timeline::Snapshot;

/// The only call type the sim serves.
pub(crate) const CALL_TYPE: &str = "default";

/// How many live participants `CallSessionResponse.participants` lists at most: enough to
/// look real, bounded so that a million-person call stays a small response.
const ROSTER_LIMIT: usize = 100;

/// A day in ns: people were created well before the call.
const DAY_NS: i64 = 86_400_000_000_000;

/// `UserResponse`.
pub(crate) fn user(person: &Attendee, created_at: i64) -> Value {
    json!({
        "id": person.id,
        "name": display_name(&person.id),
        "custom": {},
        "language": "en",
        "role": if person.role == CallRole::Admin { "admin" } else { "user" },
        "teams": [],
        "created_at": created_at,
        "updated_at": created_at,
        "banned": false,
        "online": false,
        "blocked_user_ids": [],
        "shadow_banned": false,
        "invisible": false,
    })
}

/// `alice-chen-2` → `Alice Chen 2`.
fn display_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// How the sim shows the `session` object (`CallSessionResponse`) in `GetCall` and in the pages
/// of participant sessions: whole, or as real responses have been seen to show it, so that
/// the rule deciding whether a session ended is tested on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SessionObject {
    /// Every field, `started_at` and (once ended) `ended_at` set.
    #[default]
    Full,
    /// Present with `started_at` and `ended_at` null, as in a recorded GetCall response of an
    /// ended call (whose `call.ended_at` is set).
    NoTimes,
    /// `"session": null`.
    Null,
    /// No `session` key at all.
    Absent,
}

impl SessionObject {
    /// Puts the session object under `key` of `object`, as this mode shows it.
    pub(crate) fn insert(
        self,
        object: &mut Map<String, Value>,
        key: &str,
        snapshot: &Snapshot,
        ring: &Ring,
    ) {
        match self {
            SessionObject::Full => {
                object.insert(key.to_owned(), call_session(snapshot, ring));
            }
            SessionObject::NoTimes => {
                let mut session = call_session(snapshot, ring);
                session["started_at"] = Value::Null;
                session["ended_at"] = Value::Null;
                object.insert(key.to_owned(), session);
            }
            SessionObject::Null => {
                object.insert(key.to_owned(), Value::Null);
            }
            SessionObject::Absent => {
                object.remove(key);
            }
        }
    }
}

/// `MemberResponse`: the user, the member's call role and custom data, and when they were
/// added (and removed).
pub(crate) fn member(member: &ScenarioMember, people_since: i64) -> Value {
    json!({
        "user_id": member.person.id,
        "user": user(&member.person, people_since),
        "role": member.role.name(),
        "custom": {"team": member.team},
        "created_at": member.created_at,
        "updated_at": member.deleted_at.unwrap_or(member.created_at),
        "deleted_at": member.deleted_at,
    })
}

/// A ring map of `CallSessionResponse`: user id → instant.
fn ring_map(outcomes: &[(String, i64)]) -> Map<String, Value> {
    outcomes
        .iter()
        .map(|(user, at)| (user.clone(), json!(at)))
        .collect()
}

/// `CallSessionResponse`: the live participants (bounded), their counts by role, and the ring
/// outcomes.
pub(crate) fn call_session(snapshot: &Snapshot, ring: &Ring) -> Value {
    let call = snapshot.call();
    let people_since = people_since(snapshot);
    let mut by_role: BTreeMap<&str, u64> = BTreeMap::new();
    let mut participants = Vec::new();
    for row in snapshot.open_rows() {
        let person = call.person(row);
        *by_role.entry(person.role.name()).or_default() += 1;
        if participants.len() < ROSTER_LIMIT {
            participants.push(json!({
                "user": user(person, people_since),
                "user_session_id": row.user_session_id.to_string(),
                "role": person.role.name(),
                "joined_at": row.joined_at,
            }));
        }
    }
    json!({
        "id": call.session_id.to_string(),
        "participants": participants,
        "participants_count_by_role": by_role,
        "anonymous_participant_count": 0,
        "accepted_by": ring_map(&ring.accepted),
        "rejected_by": ring_map(&ring.rejected),
        "missed_by": ring_map(&ring.missed),
        "started_at": call.started_at,
        "ended_at": snapshot.ended_at(),
        "live_started_at": null,
        "live_ended_at": null,
        "timer_ends_at": null,
    })
}

/// `CallResponse` created by `creator`, with the session (and its `ring` outcomes) embedded as
/// `session_object` says.
pub(crate) fn call(
    snapshot: &Snapshot,
    api_key: &str,
    session_object: SessionObject,
    creator: &Attendee,
    ring: &Ring,
) -> Value {
    let call = snapshot.call();
    let created_by = user(creator, people_since(snapshot));
    let cid = format!("{CALL_TYPE}:{}", call.call_id);
    let stream_key = format!("{api_key}.{CALL_TYPE}.{}", call.call_id);
    let mut response = object(json!({
        "type": CALL_TYPE,
        "id": call.call_id,
        "cid": cid,
        "current_session_id": call.session_id.to_string(),
        "created_by": created_by,
        "custom": {},
        "created_at": call.created_at,
        "updated_at": snapshot.ended_at().unwrap_or(call.started_at),
        "starts_at": call.started_at,
        "recording": false,
        "transcribing": false,
        "captioning": false,
        "translating": false,
        "backstage": false,
        "settings": call_settings(),
        "blocked_user_ids": [],
        "ingress": {
            "rtmp": {"address": format!("rtmps://ingress.stream-io-video.com:443/{stream_key}")},
            "whip": {"address": format!("https://video.stream-io-api.com/whip/{stream_key}")},
            "srt": {"address": format!("srt://ingress.stream-io-video.com:7001?streamid={stream_key}")},
        },
        "egress": {"broadcasting": false, "rtmps": []},
        "ended_at": snapshot.ended_at(),
        "thumbnails": null,
    }));
    session_object.insert(&mut response, "session", snapshot, ring);
    Value::Object(response)
}

/// `GetCallResponse` without its `duration` (added when the response is sent): the call (its
/// session shown as `session_object` says) and the first `members_limit` members as reported
/// at `now` (Unix ns; `None` for all).
pub(crate) fn get_call(
    snapshot: &Snapshot,
    api_key: &str,
    session_object: SessionObject,
    roster: &ScenarioRoster,
    members_limit: usize,
    now: Option<i64>,
) -> Map<String, Value> {
    let since = people_since(snapshot);
    let members: Vec<Value> = roster
        .visible(now)
        .take(members_limit)
        .map(|(_, m)| member(m, since))
        .collect();
    let ring = roster.ring_until(now);
    object(json!({
        "call": call(snapshot, api_key, session_object, &roster.creator, &ring),
        "members": members,
        "own_capabilities": [],
    }))
}

/// When the sim's users were created: well before the call.
pub(crate) fn people_since(snapshot: &Snapshot) -> i64 {
    snapshot.call().created_at - 30 * DAY_NS
}

/// Turns a `json!` object into its map.
pub(crate) fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `CallSettingsResponse` as a new `default` call type has it.
fn call_settings() -> Value {
    let layout = json!({"name": "spotlight", "external_app_url": "", "external_css_url": ""});
    json!({
        "audio": {
            "access_request_enabled": true,
            "opus_dtx_enabled": true,
            "redundant_coding_enabled": true,
            "mic_default_on": true,
            "speaker_default_on": true,
            "default_device": "speaker",
            "hifi_audio_enabled": false,
            "noise_cancellation": {"mode": "available"},
        },
        "backstage": {"enabled": false},
        "broadcasting": {
            "enabled": true,
            "hls": {"auto_on": false, "enabled": false, "quality_tracks": ["720p"], "layout": layout},
            "rtmp": {"enabled": true, "quality": "720p", "layout": layout},
        },
        "geofencing": {"names": []},
        "recording": {"audio_only": false, "mode": "available", "quality": "720p", "layout": layout},
        "individual_recording": {"mode": "disabled"},
        "raw_recording": {"mode": "disabled"},
        "frame_recording": {"mode": "disabled", "capture_interval_in_seconds": 5},
        "ring": {
            "incoming_call_timeout_ms": 15000,
            "auto_cancel_timeout_ms": 15000,
            "missed_call_timeout_ms": 15000,
        },
        "screensharing": {"enabled": true, "access_request_enabled": true},
        "transcription": {"mode": "available", "closed_caption_mode": "available", "language": "auto"},
        "video": {
            "enabled": true,
            "access_request_enabled": true,
            "target_resolution": {"width": 1280, "height": 720, "bitrate": 1_500_000},
            "camera_default_on": true,
            "camera_facing": "front",
        },
        "thumbnails": {"enabled": false},
        "limits": {"max_participants_exclude_roles": []},
        "session": {"inactivity_timeout_seconds": 30},
        "encryption": {"mode": "disabled"},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_capitalised_words() {
        assert_eq!(display_name("alice-chen-2"), "Alice Chen 2");
        assert_eq!(display_name("recording-bot"), "Recording Bot");
    }
}
