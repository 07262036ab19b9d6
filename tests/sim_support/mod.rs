//! Shared helpers of the sim's integration tests: start a sim on loopback, sign tokens the way
//! the official SDKs do, call it over real HTTP, and check Stream's required fields.

#![allow(dead_code)]

pub mod cli;
pub mod dashboard;
pub mod faults;
pub mod pages;

use std::collections::HashMap;

use headcount::sim::{self, RunningSim, SimConfig};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const KEY: &str = "headcount-demo";
pub const SECRET: &str = "headcount-demo-secret";

/// A running sim and one HTTP client for it (one client, so connections are reused).
pub struct Harness {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

impl std::ops::Deref for Harness {
    type Target = RunningSim;

    fn deref(&self) -> &RunningSim {
        &self.sim
    }
}

pub async fn start(config: SimConfig) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    Harness {
        sim: sim::start(config, listener).await.expect("sim starts"),
        http: reqwest::Client::new(),
    }
}

/// A sim without rate limits, for tests that send many requests.
pub async fn start_unlimited(config: SimConfig) -> Harness {
    start(SimConfig {
        rate_limit: 0,
        ..config
    })
    .await
}

/// An HS256 token with the given claims, as the SDKs sign them.
pub fn token(secret: &str, claims: Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign token")
}

pub fn server_token() -> String {
    token(SECRET, json!({"server": true}))
}

/// One answer of the sim.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// Sends a GET as the server SDKs do (api_key in the query, raw JWT, `stream-auth-type`).
pub async fn get_with(
    sim: &Harness,
    path: &str,
    query: &[(&str, &str)],
    authorization: Option<&str>,
) -> Answer {
    let mut request = sim
        .http
        .get(format!("{}{path}", sim.base_url()))
        .query(query)
        .header("stream-auth-type", "jwt");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("request reaches the sim");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(sim: &Harness, path: &str, query: &[(&str, &str)]) -> Answer {
    let mut with_key = vec![("api_key", KEY)];
    with_key.extend_from_slice(query);
    get_with(sim, path, &with_key, Some(&server_token())).await
}

/// Sends a JSON `POST` as the server SDKs do.
pub async fn post_json(sim: &Harness, path: &str, body: &Value, authorization: &str) -> Answer {
    let response = sim
        .http
        .post(format!("{}{path}", sim.base_url()))
        .query(&[("api_key", KEY)])
        .header("authorization", authorization)
        .header("stream-auth-type", "jwt")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request reaches the sim");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    }
}

pub fn call_path(sim: &Harness) -> String {
    format!("/api/v2/video/call/{}/{}", sim.call_type(), sim.call_id())
}

pub fn sessions_path(sim: &Harness) -> String {
    format!(
        "{}/session/{}/participant_sessions",
        call_path(sim),
        sim.session_id()
    )
}

/// One page of participant sessions; panics unless it is a 200.
pub async fn page(sim: &Harness, query: &[(&str, &str)]) -> Value {
    let answer = get(sim, &sessions_path(sim), query).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

/// Every row, following `next` from the first page, with the given extra parameters.
pub async fn all_rows(sim: &Harness, limit: usize, extra: &[(&str, &str)]) -> Vec<Value> {
    paced_rows(sim, limit, extra, std::time::Duration::ZERO).await
}

/// [`all_rows`] with a pause between pages, so that a live session moves on while it is read.
pub async fn paced_rows(
    sim: &Harness,
    limit: usize,
    extra: &[(&str, &str)],
    pause: std::time::Duration,
) -> Vec<Value> {
    let limit = limit.to_string();
    let mut rows = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut query: Vec<(&str, &str)> = vec![("limit", &limit)];
        query.extend_from_slice(extra);
        if let Some(cursor) = &next {
            query.push(("next", cursor));
        }
        let body = page(sim, &query).await;
        rows.extend(
            body["participants_sessions"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        match body["next"].as_str() {
            Some(cursor) if !cursor.is_empty() => next = Some(cursor.to_owned()),
            _ => return rows,
        }
        tokio::time::sleep(pause).await;
    }
}

pub fn session_ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|row| row["user_session_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Required fields per schema, from Stream's OpenAPI spec: `field` or `field:Schema` to check
/// the nested object (or each element of an array) too; `?field:Schema` checks an optional
/// field when present.
fn required(schema: &str) -> &'static [&'static str] {
    match schema {
        "GetCallResponse" => &[
            "call:CallResponse",
            "members:MemberResponse",
            "own_capabilities",
            "duration",
        ],
        "CallResponse" => &[
            "type",
            "id",
            "cid",
            "current_session_id",
            "created_by:UserResponse",
            "custom",
            "created_at",
            "updated_at",
            "recording",
            "transcribing",
            "captioning",
            "translating",
            "backstage",
            "settings:CallSettingsResponse",
            "blocked_user_ids",
            "ingress:CallIngressResponse",
            "egress:EgressResponse",
            "?session:CallSessionResponse",
        ],
        "MemberResponse" => &[
            "user:UserResponse",
            "user_id",
            "custom",
            "created_at",
            "updated_at",
        ],
        "UserResponse" => &[
            "id",
            "custom",
            "language",
            "role",
            "teams",
            "created_at",
            "updated_at",
            "banned",
            "online",
            "blocked_user_ids",
            "shadow_banned",
            "invisible",
        ],
        "EgressResponse" => &["broadcasting", "rtmps:EgressRTMPResponse"],
        "EgressRTMPResponse" => &["name", "started_at"],
        "CallIngressResponse" => &["rtmp:Address", "whip:Address", "srt:Address"],
        "Address" => &["address"],
        "CallSettingsResponse" => &[
            "audio:AudioSettingsResponse",
            "backstage:Enabled",
            "broadcasting:BroadcastSettingsResponse",
            "geofencing:GeofenceSettingsResponse",
            "recording:RecordSettingsResponse",
            "individual_recording:Mode",
            "raw_recording:Mode",
            "frame_recording:FrameRecordingSettingsResponse",
            "ring:RingSettingsResponse",
            "screensharing:ScreensharingSettingsResponse",
            "transcription:TranscriptionSettingsResponse",
            "video:VideoSettingsResponse",
            "thumbnails:Enabled",
            "limits:LimitsSettingsResponse",
            "session:SessionSettingsResponse",
            "encryption:Mode",
        ],
        "AudioSettingsResponse" => &[
            "access_request_enabled",
            "opus_dtx_enabled",
            "redundant_coding_enabled",
            "mic_default_on",
            "speaker_default_on",
            "default_device",
            "hifi_audio_enabled",
        ],
        "Enabled" => &["enabled"],
        "Mode" => &["mode"],
        "BroadcastSettingsResponse" => &[
            "enabled",
            "hls:HLSSettingsResponse",
            "rtmp:RTMPSettingsResponse",
        ],
        "HLSSettingsResponse" => &[
            "auto_on",
            "enabled",
            "quality_tracks",
            "layout:LayoutSettingsResponse",
        ],
        "RTMPSettingsResponse" => &["enabled", "quality", "layout:LayoutSettingsResponse"],
        "LayoutSettingsResponse" => &["name", "external_app_url", "external_css_url"],
        "GeofenceSettingsResponse" => &["names"],
        "RecordSettingsResponse" => &[
            "audio_only",
            "mode",
            "quality",
            "layout:LayoutSettingsResponse",
        ],
        "FrameRecordingSettingsResponse" => &["mode", "capture_interval_in_seconds"],
        "RingSettingsResponse" => &[
            "incoming_call_timeout_ms",
            "auto_cancel_timeout_ms",
            "missed_call_timeout_ms",
        ],
        "ScreensharingSettingsResponse" => &["enabled", "access_request_enabled"],
        "TranscriptionSettingsResponse" => &["mode", "closed_caption_mode", "language"],
        "VideoSettingsResponse" => &[
            "enabled",
            "access_request_enabled",
            "target_resolution:TargetResolution",
            "camera_default_on",
            "camera_facing",
        ],
        "TargetResolution" => &["width", "height"],
        "LimitsSettingsResponse" => &["max_participants_exclude_roles"],
        "SessionSettingsResponse" => &["inactivity_timeout_seconds"],
        "CallSessionResponse" => &[
            "id",
            "participants:CallParticipantResponse",
            "participants_count_by_role",
            "anonymous_participant_count",
            "accepted_by",
            "rejected_by",
            "missed_by",
        ],
        "CallParticipantResponse" => &["user:UserResponse", "user_session_id", "role", "joined_at"],
        "QueryCallParticipantSessionsResponse" => &[
            "call_type",
            "call_id",
            "call_session_id",
            "duration",
            "total_participant_sessions",
            "total_participant_duration",
            "participants_sessions:ParticipantSessionDetails",
            "?session:CallSessionResponse",
        ],
        "ParticipantSessionDetails" => &["user_id", "user_session_id", "publisher_type", "roles"],
        "QueryCallSessionStatsResponse" => &["call_stats:CallStatsSessionResponse", "duration"],
        "QueryCallMembersResponse" => &["members:MemberResponse", "duration"],
        "CallStatsSessionResponse" => &[
            "call_type",
            "call_id",
            "call_session_id",
            "generated_at",
            "counts:CallStatsParticipantCounts",
        ],
        "CallStatsParticipantCounts" => &[
            "participants",
            "sessions",
            "live_sessions",
            "publishers",
            "peak_concurrent_users",
            "peak_concurrent_sessions",
            "sfus_used",
        ],
        "APIError" => &[
            "code",
            "message",
            "StatusCode",
            "duration",
            "more_info",
            "details",
        ],
        other => panic!("no required-field list for {other}"),
    }
}

/// Every required field missing from `value` (and from its nested objects), as paths.
pub fn missing_required(value: &Value, schema: &str) -> Vec<String> {
    let mut missing = Vec::new();
    check(value, schema, schema, &mut missing);
    missing
}

fn check(value: &Value, schema: &str, path: &str, missing: &mut Vec<String>) {
    for spec in required(schema) {
        let (optional, spec) = match spec.strip_prefix('?') {
            Some(rest) => (true, rest),
            None => (false, *spec),
        };
        let (field, nested) = match spec.split_once(':') {
            Some((field, nested)) => (field, Some(nested)),
            None => (spec, None),
        };
        let here = format!("{path}.{field}");
        match (value.get(field), nested) {
            (None | Some(Value::Null), _) if optional => {}
            (None | Some(Value::Null), _) => missing.push(here),
            (Some(Value::Array(items)), Some(nested)) => {
                for (i, item) in items.iter().enumerate() {
                    check(item, nested, &format!("{here}[{i}]"), missing);
                }
            }
            (Some(child), Some(nested)) => check(child, nested, &here, missing),
            (Some(_), None) => {}
        }
    }
}

/// Checks a complete Stream error: status, code, and every `APIError` field.
pub fn assert_error(answer: &Answer, status: u16, code: i64) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.body);
    assert_eq!(answer.body["code"], json!(code), "{}", answer.body);
    assert_eq!(answer.body["StatusCode"], json!(status));
    assert_eq!(
        missing_required(&answer.body, "APIError"),
        Vec::<String>::new()
    );
    assert!(answer.body["duration"].as_str().unwrap().ends_with("ms"));
}

/// Rows grouped by a string field.
pub fn by_field<'r>(rows: &'r [Value], field: &str) -> HashMap<String, Vec<&'r Value>> {
    let mut groups: HashMap<String, Vec<&Value>> = HashMap::new();
    for row in rows {
        groups
            .entry(row[field].as_str().unwrap().to_owned())
            .or_default()
            .push(row);
    }
    groups
}
