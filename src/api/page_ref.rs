//! The borrowed model of a `QueryCallParticipantSessions` page, which the attendance store
//! decodes page bodies into.
//!
//! Decoding a million rows into [`ParticipantSessionsPage`] costs five `String`s per row, more
//! than the store then spends on the row. The borrowed model points into the body instead (a
//! string is copied only when it holds escapes) and keeps the lenient decoding of timestamps
//! and integers. The derived `Deserialize` is the reference; [`seed`] is the decoding used,
//! which gives the same page without validating each string on its own.
//!
//! [`ParticipantSessionsPage`]: super::models::ParticipantSessionsPage

mod seed;

pub(crate) use seed::decode_with_digests;

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use super::decode;
use super::error::DecodeError;
use super::models::{CallSession, ParticipantSessionDetails, ParticipantSessionsPage};
use super::nullable::{default_on_null, text_or_empty};
use super::page_bytes::OPERATION;
use super::session_fields::participant_session_fields;
use super::timestamp::{self, Nanos};

/// `QueryCallParticipantSessionsResponse`, borrowing its text from the body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ParticipantSessionsPageRef<'a> {
    #[serde(borrow)]
    pub(crate) call_type: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) call_id: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) call_session_id: Cow<'a, str>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub(crate) total_participant_sessions: Option<i64>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
    pub(crate) total_participant_duration: Option<i64>,
    #[serde(borrow, default, deserialize_with = "default_on_null")]
    pub participants_sessions: Vec<SessionDetailsRef<'a>>,
    #[serde(borrow, default)]
    pub(crate) next: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(crate) session: Option<CallSession>,
}

impl<'a> ParticipantSessionsPageRef<'a> {
    /// Decodes a page body, with the same error as the owned model would give.
    pub fn from_json(body: &'a [u8]) -> Result<Self, DecodeError> {
        decode::seeded_body(OPERATION, body, seed::PageSeed::new(body))
    }

    /// An owned page seen through the borrowed model, so that one model serves both.
    pub(crate) fn borrowing(page: &'a ParticipantSessionsPage) -> Self {
        ParticipantSessionsPageRef {
            call_type: Cow::Borrowed(&page.call_type),
            call_id: Cow::Borrowed(&page.call_id),
            call_session_id: Cow::Borrowed(&page.call_session_id),
            total_participant_sessions: page.total_participant_sessions,
            total_participant_duration: page.total_participant_duration,
            participants_sessions: page
                .participants_sessions
                .iter()
                .map(SessionDetailsRef::borrowing)
                .collect(),
            next: page.next.as_deref().map(Cow::Borrowed),
            session: page.session.clone(),
        }
    }
}

/// The borrowed model of a row, one member per field of `participant_session_fields!`, and
/// its view of an owned row (`borrowing`).
macro_rules! borrowed_details {
    (@out [$($out:tt)*] [$($field:ident: $kind:ident,)*]) => {
        /// One row of `participants_sessions`, borrowing its text from the body.
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        pub struct SessionDetailsRef<'a> { $($out)* }

        impl<'a> SessionDetailsRef<'a> {
            /// An owned row seen through the borrowed model.
            pub(crate) fn borrowing(row: &'a ParticipantSessionDetails) -> Self {
                SessionDetailsRef {
                    $($field: borrowed_field!($kind, row.$field),)*
                }
            }
        }
    };
    (@out [$($out:tt)*] [$($view:tt)*] $(#[$doc:meta])* $name:ident: RequiredText, $($rest:tt)*) => {
        borrowed_details!(@out [$($out)*
            #[serde(borrow)]
            pub(crate) $name: Cow<'a, str>,
        ] [$($view)* $name: RequiredText,] $($rest)*);
    };
    (@out [$($out:tt)*] [$($view:tt)*] $(#[$doc:meta])* $name:ident: Text, $($rest:tt)*) => {
        borrowed_details!(@out [$($out)*
            #[serde(borrow, default, deserialize_with = "text_or_empty")]
            pub(crate) $name: Cow<'a, str>,
        ] [$($view)* $name: Text,] $($rest)*);
    };
    (@out [$($out:tt)*] [$($view:tt)*] $(#[$doc:meta])* $name:ident: TextList, $($rest:tt)*) => {
        borrowed_details!(@out [$($out)*
            #[serde(borrow, default)]
            pub(crate) $name: RoleList<'a>,
        ] [$($view)* $name: TextList,] $($rest)*);
    };
    (@out [$($out:tt)*] [$($view:tt)*] $(#[$doc:meta])* $name:ident: Timestamp, $($rest:tt)*) => {
        borrowed_details!(@out [$($out)*
            #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
            pub(crate) $name: Option<Nanos>,
        ] [$($view)* $name: Timestamp,] $($rest)*);
    };
    (@out [$($out:tt)*] [$($view:tt)*] $(#[$doc:meta])* $name:ident: Integer, $($rest:tt)*) => {
        borrowed_details!(@out [$($out)*
            #[serde(default, deserialize_with = "timestamp::deserialize_opt_int")]
            pub(crate) $name: Option<i64>,
        ] [$($view)* $name: Integer,] $($rest)*);
    };
    ($($fields:tt)*) => {
        borrowed_details!(@out [] [] $($fields)*);
    };
}

/// A field of an owned row, borrowed.
macro_rules! borrowed_field {
    (RequiredText, $value:expr) => {
        Cow::Borrowed(&$value)
    };
    (Text, $value:expr) => {
        Cow::Borrowed(&$value)
    };
    (TextList, $value:expr) => {
        RoleList::borrowing(&$value)
    };
    (Timestamp, $value:expr) => {
        $value
    };
    (Integer, $value:expr) => {
        $value
    };
}

participant_session_fields!(borrowed_details);

/// Sessions rarely carry more roles than this; more go to a vector.
const INLINE_ROLES: usize = 3;

/// A session's roles in the order listed, held inline so the usual one or two roles cost no
/// allocation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RoleList<'a> {
    inline: [Cow<'a, str>; INLINE_ROLES],
    len: usize,
    more: Vec<Cow<'a, str>>,
}

impl<'a> RoleList<'a> {
    /// An owned list seen through the borrowed one.
    fn borrowing(roles: &'a [String]) -> Self {
        let mut list = RoleList::default();
        for role in roles {
            list.push(Cow::Borrowed(role));
        }
        list
    }

    pub(crate) fn len(&self) -> usize {
        self.len + self.more.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.inline[..self.len]
            .iter()
            .chain(&self.more)
            .map(std::convert::AsRef::as_ref)
    }

    fn push(&mut self, role: Cow<'a, str>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = role;
                self.len += 1;
            }
            None => self.more.push(role),
        }
    }
}

/// One role, borrowed from the body when it has no escapes.
#[derive(Deserialize)]
struct Role<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for RoleList<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Roles;
        impl<'de> Visitor<'de> for Roles {
            type Value = RoleList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of role names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut roles = RoleList::default();
                while let Some(Role(role)) = seq.next_element()? {
                    roles.push(role);
                }
                Ok(roles)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(RoleList::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(RoleList::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_seq(self)
            }
        }
        // `null` is no roles, as everywhere a field has a default.
        d.deserialize_option(Roles)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::api::models::{ParticipantSessionDetails, ParticipantSessionsPage};

    /// The owned rows the borrowed ones stand for.
    fn owned_rows(page: &ParticipantSessionsPageRef) -> Vec<ParticipantSessionDetails> {
        page.participants_sessions
            .iter()
            .map(|row| ParticipantSessionDetails {
                user_id: row.user_id.to_string(),
                user_session_id: row.user_session_id.to_string(),
                publisher_type: row.publisher_type.to_string(),
                roles: row.roles.iter().map(str::to_owned).collect(),
                joined_at: row.joined_at,
                left_at: row.left_at,
                duration_in_seconds: row.duration_in_seconds,
            })
            .collect()
    }

    /// The page decoded by the derived `Deserialize`, the reference for [`seed`].
    fn derived(body: &[u8]) -> Result<ParticipantSessionsPageRef<'_>, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The owned model, the derived borrowed model and the page as decoded for the store all
    /// read `body` the same way.
    fn assert_same_decoding(body: &[u8]) {
        let owned: ParticipantSessionsPage = serde_json::from_slice(body).unwrap();
        let borrowed = ParticipantSessionsPageRef::from_json(body).unwrap();
        assert_eq!(borrowed, derived(body).unwrap());
        assert_eq!(owned_rows(&borrowed), owned.participants_sessions);
        assert_eq!(
            (borrowed.call_type.as_ref(), borrowed.call_id.as_ref()),
            (owned.call_type.as_str(), owned.call_id.as_str())
        );
        assert_eq!(borrowed.call_session_id, owned.call_session_id);
        assert_eq!(
            (
                borrowed.total_participant_sessions,
                borrowed.total_participant_duration
            ),
            (
                owned.total_participant_sessions,
                owned.total_participant_duration
            )
        );
        assert_eq!(borrowed.next.as_deref(), owned.next.as_deref());
        assert_eq!(borrowed.session, owned.session);
    }

    fn bytes(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).unwrap()
    }

    #[test]
    fn every_lenient_encoding_decodes_as_the_owned_model_does() {
        assert_same_decoding(&bytes(json!({
          "call_type": "livestream", "call_id": "town-hall", "call_session_id": "s",
          "duration": "12.5ms",
          "total_participant_sessions": "2", "total_participant_duration": 61.0,
          "participants_sessions": [
            {"user_id": "carol", "user_session_id": "c1", "publisher_type": "rtmp",
             "roles": [], "joined_at": "2025-10-09T08:53:20Z", "left_at": null,
             "duration_in_seconds": null, "is_live": true, "published_tracks": ["audio"]},
            {"user_id": "dan", "user_session_id": "d1", "roles": ["user"],
             "joined_at": 1.76e18, "left_at": "2025-10-09T08:54:21.5+00:00",
             "duration_in_seconds": "61"},
            {"user_id": "erin", "user_session_id": "e1", "publisher_type": "webrtc",
             "roles": ["host", "user"], "joined_at": 1_760_000_000_000_000_000_i64,
             "left_at": "1760000090000000000", "duration_in_seconds": 90}
          ],
          "next": "", "prev": null,
          "session": {"id": "s", "started_at": 1_760_000_000_000_000_000_i64, "ended_at": null,
                      "participants_count_by_role": {"user": 2}},
          "some_future_field": {"nested": [1, 2, 3]}
        })));
    }

    #[test]
    fn null_reads_as_absent_as_in_the_owned_model() {
        assert_same_decoding(&bytes(json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s",
          "total_participant_sessions": null, "next": null,
          "participants_sessions": [
            {"user_id": "erin", "user_session_id": "e1", "publisher_type": null, "roles": null,
             "joined_at": null, "left_at": null, "duration_in_seconds": null}
          ],
          "session": {"id": "s", "started_at": null, "ended_at": null,
                      "anonymous_participant_count": null, "participants_count_by_role": null}
        })));
        let no_rows = bytes(json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s",
          "participants_sessions": null, "session": null
        }));
        assert_same_decoding(&no_rows);
        let page = ParticipantSessionsPageRef::from_json(&no_rows).unwrap();
        assert!(page.participants_sessions.is_empty() && page.session.is_none());
    }

    #[test]
    fn a_null_user_id_is_refused_at_its_path() {
        let body = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": null, "user_session_id": "a1"}]}"#;
        let error = ParticipantSessionsPageRef::from_json(body).unwrap_err();
        assert_eq!(error.path, "participants_sessions[0].user_id");
        assert!(derived(body).is_err());
    }

    #[test]
    fn escaped_text_and_long_role_lists_read_back_whole() {
        assert_same_decoding(&bytes(json!({
          "call_type": "default", "call_id": "caf\u{e9} \"quoted\"", "call_session_id": "s",
          "participants_sessions": [
            {"user_id": "line\nbreak", "user_session_id": "tab\tid", "publisher_type": "web\\rtc",
             "roles": ["a", "b\"", "c", "d", "e"], "joined_at": 1}
          ],
          "next": "cursor/with\\escape"
        })));
    }

    #[test]
    fn escaped_keys_name_the_same_fields() {
        let body = br#"{"call_type": "default", "call_id": "c", "call_\u0073ession_id": "s",
            "participants_sessions": [{"user\u005fid": "a", "user_session_id": "a1"}]}"#;
        assert_same_decoding(body);
        let page = ParticipantSessionsPageRef::from_json(body).unwrap();
        assert_eq!(page.participants_sessions[0].user_id, "a");
    }

    #[test]
    fn an_expired_session_keeps_its_totals_without_rows() {
        assert_same_decoding(&bytes(json!({
          "call_type": "default", "call_id": "old", "call_session_id": "s", "duration": 1,
          "total_participant_sessions": 40, "total_participant_duration": 9000
        })));
    }

    #[test]
    fn garbage_fails_with_the_path_of_the_bad_field() {
        let body = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_session_id": "a1",
            "joined_at": "yesterday"}]}"#;
        let error = ParticipantSessionsPageRef::from_json(body).unwrap_err();
        assert_eq!(error.path, "participants_sessions[0].joined_at");
        let owned = decode::success_body::<ParticipantSessionsPage>(OPERATION, body);
        assert_eq!(owned.unwrap_err().to_string(), error.to_string());
    }

    #[test]
    fn missing_and_repeated_fields_are_refused_by_name() {
        let missing = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_session_id": "a1"}]}"#;
        let error = ParticipantSessionsPageRef::from_json(missing).unwrap_err();
        assert!(error.detail.contains("missing field `user_id`"), "{error}");
        assert_eq!(error.path, "participants_sessions[0]");
        let repeated = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_id": "b", "user_session_id": "a1"}]}"#;
        let error = ParticipantSessionsPageRef::from_json(repeated).unwrap_err();
        assert!(
            error.detail.contains("duplicate field `user_id`"),
            "{error}"
        );
        assert!(derived(repeated).is_err() && derived(missing).is_err());
    }

    #[test]
    fn invalid_utf8_is_refused_in_a_field_and_ignored_elsewhere() {
        let page = |user: &[u8], extra: &[u8]| {
            [
                &br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
                "participants_sessions": [{"user_id": ""#[..],
                user,
                br#"", "user_session_id": "a1", "note": ""#,
                extra,
                br#""}]}"#,
            ]
            .concat()
        };
        let bad_user = page(b"al\xffce", b"fine");
        assert!(ParticipantSessionsPageRef::from_json(&bad_user).is_err());
        assert!(derived(&bad_user).is_err());
        let bad_note = page(b"alice", b"\xff");
        let decoded = ParticipantSessionsPageRef::from_json(&bad_note).unwrap();
        assert_eq!(decoded.participants_sessions[0].user_id, "alice");
        assert_eq!(decoded, derived(&bad_note).unwrap());
    }

    /// Text that needs escapes now and then, including non-ASCII and control characters.
    fn text() -> impl Strategy<Value = String> {
        prop::string::string_regex("([a-z0-9-]|[\"\\\\/\n\té€😀])*").unwrap()
    }

    fn timestamp() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            (0..4_000_000_000_i64).prop_map(|s| Value::from(s.to_string())),
        ]
    }

    /// The value or, now and then, `null`.
    fn nullable(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
        prop_oneof![4 => value, 1 => Just(Value::Null)]
    }

    /// One row with its fields in a random order, some left out, some null, some unknown
    /// ones added.
    fn row() -> impl Strategy<Value = Value> {
        let fields = (
            text(),
            text(),
            prop::option::of(nullable(text().prop_map(Value::from))),
            prop::option::of(nullable(
                prop::collection::vec(text(), 0..6).prop_map(Value::from),
            )),
            timestamp(),
            timestamp(),
            prop::option::of(any::<i32>()),
            any::<bool>(),
        );
        (fields, any::<u64>()).prop_map(|(fields, order)| {
            let (user, session, publisher, roles, joined, left, duration, extra) = fields;
            let mut entries = vec![
                ("user_id", Value::from(user)),
                ("user_session_id", Value::from(session)),
                ("joined_at", joined),
                ("left_at", left),
            ];
            entries.extend(publisher.map(|p| ("publisher_type", p)));
            entries.extend(roles.map(|r| ("roles", r)));
            entries.extend(duration.map(|d| ("duration_in_seconds", Value::from(d))));
            if extra {
                entries.push(("published_tracks", json!(["audio", {"x": [1, null]}])));
            }
            let rotation = order as usize % entries.len();
            entries.rotate_left(rotation);
            if order & 1 == 1 {
                entries.reverse();
            }
            let object: Map<String, Value> = entries
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect();
            Value::Object(object)
        })
    }

    /// The digests the one decoding takes are those of the ledger's lenient reading of the
    /// same rows, and the page it decodes is the store's.
    fn assert_same_digests(body: &[u8]) {
        #[derive(serde::Deserialize)]
        struct Rows {
            participants_sessions: Option<Vec<crate::attendance::row_digest::RowDigest>>,
        }
        let (page, digests) = decode_with_digests(body).unwrap();
        assert_eq!(page, ParticipantSessionsPageRef::from_json(body).unwrap());
        let lenient: Rows = serde_json::from_slice(body).unwrap();
        assert_eq!(digests, lenient.participants_sessions.unwrap_or_default());
    }

    #[test]
    fn the_one_decoding_digests_every_encoding_as_the_lenient_reading() {
        assert_same_digests(&bytes(json!({
          "call_type": "default", "call_id": "c", "call_session_id": "s",
          "participants_sessions": [
            {"user_id": "carol", "user_session_id": "5b1d6f5e-8a0c-4c57-9d3e-2f4b6a7c8d90",
             "publisher_type": null, "roles": null, "joined_at": "2025-10-09T08:53:20Z",
             "left_at": "  ", "duration_in_seconds": "61", "is_live": true,
             "published_tracks": ["audio", {"x": [1, null, 2.5, false]}]},
            {"user_id": "dan", "user_session_id": "d\"1", "roles": ["host", "user"],
             "joined_at": 1.76e18, "left_at": 1_760_000_090_000_000_000_u64,
             "duration_in_seconds": 90.4},
            {"user_session_id": "e1", "user_id": "erin", "left_at": null,
             "duration_in_seconds": -5, "big": 18_446_744_073_709_551_615_u64}
          ]
        })));
        let escaped_key = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_session_id": "a1",
            "n\u00f6te": 1}]}"#;
        assert_same_digests(escaped_key);
    }

    #[test]
    fn the_one_decoding_leaves_to_the_lenient_reading_what_only_it_reads() {
        let invalid_note = [
            &br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_session_id": "a1", "note": ""#[..],
            b"\xff",
            br#""}]}"#,
        ]
        .concat();
        assert!(ParticipantSessionsPageRef::from_json(&invalid_note).is_ok());
        assert!(decode_with_digests(&invalid_note).is_err());
        let bad_row = br#"{"call_type": "default", "call_id": "c", "call_session_id": "s",
            "participants_sessions": [{"user_id": "a", "user_session_id": "a1",
            "joined_at": "yesterday"}, 42]}"#;
        assert!(decode_with_digests(bad_row).is_err());
    }

    proptest! {
        #[test]
        fn the_one_decoding_agrees_with_the_store_and_the_ledger(
            rows in prop::collection::vec(row(), 0..8),
            next in prop::option::of(text()),
        ) {
            let body = bytes(json!({
                "participants_sessions": rows, "next": next, "call_id": "c",
                "call_type": "default", "call_session_id": "s",
            }));
            assert_same_digests(&body);
        }

        #[test]
        fn the_store_decoding_agrees_with_the_derived_one(
            rows in prop::collection::vec(row(), 0..8),
            next in prop::option::of(text()),
            call_id in text(),
        ) {
            let body = bytes(json!({
                "participants_sessions": rows, "next": next, "call_id": call_id,
                "call_type": "default", "call_session_id": "s",
                "total_participant_sessions": rows.len(),
            }));
            prop_assert_eq!(ParticipantSessionsPageRef::from_json(&body).unwrap(), derived(&body).unwrap());
            assert_same_decoding(&body);
        }
    }
}
