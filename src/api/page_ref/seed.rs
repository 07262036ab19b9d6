//! The decoding of a page body into the borrowed model, written out by hand.
//!
//! The derived decoding validates the UTF-8 of every string it borrows, keys included: eleven
//! strings a row, a sixth of the instructions of a whole ingest. Here the body is validated
//! once and strings and keys are read as raw bytes: a string borrowed from a valid body is
//! valid, so only strings with escapes, which the parser copies out, are validated on their
//! own. Everything else (lenient timestamps, defaults, required and duplicate fields, ignored
//! unknown fields) is as the derive does it, and the tests hold the two to the same result.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{ParticipantSessionsPageRef, RoleList, SessionDetailsRef};
use crate::api::models::CallSession;
use crate::api::session_fields::participant_session_fields;
use crate::api::timestamp::{self, Nanos};
use crate::attendance::row_digest::{
    self, DigestId, RowDigest, ScalarSeed, ValueVisitor, member_name_hash, null_hash, string_hash,
};

/// Rows are rarely shorter than this many bytes of JSON, so a page of `n` bytes holds at most
/// about `n / ROW_BYTES` of them; reserving that up front spares growing the row list.
const ROW_BYTES: usize = 192;

/// The body being decoded, as text when all of it is valid UTF-8.
#[derive(Clone, Copy)]
struct Body<'de> {
    text: Option<&'de str>,
    len: usize,
}

impl<'de> Body<'de> {
    fn new(bytes: &'de [u8]) -> Self {
        Body {
            text: std::str::from_utf8(bytes).ok(),
            len: bytes.len(),
        }
    }

    /// The text of `bytes`, a string the parser borrowed from this body: the same span of the
    /// validated text when the body is valid, else validated here.
    fn text_of(self, bytes: &'de [u8]) -> Option<&'de str> {
        let in_body = self.text.and_then(|text| {
            let start = bytes.as_ptr().addr().checked_sub(text.as_ptr().addr())?;
            text.get(start..start.checked_add(bytes.len())?)
        });
        debug_assert!(in_body.is_none_or(|text| text.as_bytes() == bytes));
        in_body.or_else(|| std::str::from_utf8(bytes).ok())
    }
}

/// The decoding of a whole page; with `digests`, each row's digest for the read's ledger is
/// also taken in the same pass (see [`decode_with_digests`]).
pub(super) struct PageSeed<'de, 's> {
    body: Body<'de>,
    digests: Option<&'s mut Vec<RowDigest>>,
}

impl<'de> PageSeed<'de, '_> {
    pub(super) fn new(bytes: &'de [u8]) -> Self {
        PageSeed {
            body: Body::new(bytes),
            digests: None,
        }
    }
}

/// Decodes a page as [`ParticipantSessionsPageRef::from_json`] does and, in the same pass, each
/// row's [`RowDigest`] (its id, raw duration, whether open, and the fingerprint of all its
/// members, unknown ones included), in the order of the rows.
///
/// Fails on everything `from_json` refuses, and also on what it would let through but the
/// ledger's lenient reading ([`crate::attendance::SessionLedger::record`]) hashes or refuses
/// differently: a body that is not valid UTF-8 as a whole, a member name that is not, an
/// unknown member whose value the parser cannot hold. The error says nothing useful: on
/// failure the caller reads the page the two other ways, which say what is wrong.
pub(crate) fn decode_with_digests(
    bytes: &[u8],
) -> Result<(ParticipantSessionsPageRef<'_>, Vec<RowDigest>), serde_json::Error> {
    let body = Body::new(bytes);
    if body.text.is_none() {
        return Err(de::Error::custom("the body is not UTF-8"));
    }
    let mut digests = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = PageSeed {
        body,
        digests: Some(&mut digests),
    };
    let page = seed.deserialize(&mut de)?;
    de.end()?;
    Ok((page, digests))
}

/// A key of the page object.
enum PageKey {
    CallType,
    CallId,
    CallSessionId,
    TotalSessions,
    TotalDuration,
    Sessions,
    Next,
    Session,
    Other,
}

impl FromKey for PageKey {
    fn from_key(key: &[u8]) -> Self {
        match key {
            b"call_type" => PageKey::CallType,
            b"call_id" => PageKey::CallId,
            b"call_session_id" => PageKey::CallSessionId,
            b"total_participant_sessions" => PageKey::TotalSessions,
            b"total_participant_duration" => PageKey::TotalDuration,
            b"participants_sessions" => PageKey::Sessions,
            b"next" => PageKey::Next,
            b"session" => PageKey::Session,
            _ => PageKey::Other,
        }
    }
}

impl<'de> DeserializeSeed<'de> for PageSeed<'de, '_> {
    type Value = ParticipantSessionsPageRef<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'de, '_> {
    type Value = ParticipantSessionsPageRef<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct ParticipantSessionsPageRef")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let body = self.body;
        let mut digests = self.digests;
        let (mut call_type, mut call_id, mut call_session_id) = (None, None, None);
        let (mut sessions_total, mut duration_total) = (None, None);
        let (mut rows, mut next, mut session) = (None, None, None);
        while let Some(key) = map.next_key_seed(Key::<PageKey>(PhantomData))? {
            match key {
                PageKey::CallType => set(
                    &mut call_type,
                    map.next_value_seed(Text(body))?,
                    "call_type",
                )?,
                PageKey::CallId => set(&mut call_id, map.next_value_seed(Text(body))?, "call_id")?,
                PageKey::CallSessionId => set(
                    &mut call_session_id,
                    map.next_value_seed(Text(body))?,
                    "call_session_id",
                )?,
                PageKey::TotalSessions => set(
                    &mut sessions_total,
                    map.next_value::<IntegerField>()?,
                    "total_participant_sessions",
                )?,
                PageKey::TotalDuration => set(
                    &mut duration_total,
                    map.next_value::<IntegerField>()?,
                    "total_participant_duration",
                )?,
                PageKey::Sessions => set(
                    &mut rows,
                    map.next_value_seed(RowsSeed {
                        body,
                        digests: digests.as_deref_mut(),
                    })?,
                    "participants_sessions",
                )?,
                PageKey::Next => set(
                    &mut next,
                    map.next_value_seed(OptionalTextSeed(body))?,
                    "next",
                )?,
                PageKey::Session => set(
                    &mut session,
                    map.next_value::<Option<CallSession>>()?,
                    "session",
                )?,
                PageKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ParticipantSessionsPageRef {
            call_type: required(call_type, "call_type")?,
            call_id: required(call_id, "call_id")?,
            call_session_id: required(call_session_id, "call_session_id")?,
            total_participant_sessions: sessions_total.and_then(|IntegerField(count)| count),
            total_participant_duration: duration_total.and_then(|IntegerField(count)| count),
            participants_sessions: rows.unwrap_or_default(),
            next: next.flatten(),
            session: session.flatten(),
        })
    }
}

/// The list of rows, and their digests when asked.
struct RowsSeed<'de, 's> {
    body: Body<'de>,
    digests: Option<&'s mut Vec<RowDigest>>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'de, '_> {
    type Value = Vec<SessionDetailsRef<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'de, '_> {
    type Value = Vec<SessionDetailsRef<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let capacity = self.body.len / ROW_BYTES;
        let mut rows = Vec::with_capacity(capacity);
        match self.digests {
            None => {
                while let Some(row) = seq.next_element_seed(RowSeed(self.body))? {
                    rows.push(row);
                }
            }
            Some(digests) => {
                digests.reserve(capacity);
                while let Some((row, digest)) = seq.next_element_seed(DigestRowSeed(self.body))? {
                    rows.push(row);
                    digests.push(digest);
                }
            }
        }
        Ok(rows)
    }

    /// `null` is no rows.
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

/// One row.
struct RowSeed<'de>(Body<'de>);

impl<'de> DeserializeSeed<'de> for RowSeed<'de> {
    type Value = SessionDetailsRef<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

/// One row and its digest.
struct DigestRowSeed<'de>(Body<'de>);

impl<'de> DeserializeSeed<'de> for DigestRowSeed<'de> {
    type Value = (SessionDetailsRef<'de>, RowDigest);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

/// The keys of a row and its visitors (alone, and with its digest), one arm per field of
/// `participant_session_fields!`, each read with the seed of its kind (see `row_value!`,
/// `hashed_row_value!` and `row_field!`).
macro_rules! row_decoder {
    ($($(#[$doc:meta])* $name:ident: $kind:ident,)*) => {
        /// A key of a row object, named as its field.
        #[allow(non_camel_case_types)]
        enum RowField {
            $($name,)*
            Other,
        }

        impl FromKey for RowField {
            fn from_key(key: &[u8]) -> Self {
                $(
                    if key == stringify!($name).as_bytes() {
                        return RowField::$name;
                    }
                )*
                RowField::Other
            }
        }

        impl<'de> Visitor<'de> for RowSeed<'de> {
            type Value = SessionDetailsRef<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct SessionDetailsRef")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let body = self.0;
                $(let mut $name = None;)*
                while let Some(key) = map.next_key_seed(Key::<RowField>(PhantomData))? {
                    match key {
                        $(
                            RowField::$name => {
                                set(&mut $name, row_value!($kind, map, body), stringify!($name))?;
                            }
                        )*
                        RowField::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(SessionDetailsRef {
                    $($name: row_field!($kind, $name),)*
                })
            }
        }

        /// The row's members are hashed as the ledger's lenient reading hashes them
        /// ([`ValueVisitor`]): each known field from the value it decodes, each unknown one
        /// whole.
        impl<'de> Visitor<'de> for DigestRowSeed<'de> {
            type Value = (SessionDetailsRef<'de>, RowDigest);

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct SessionDetailsRef")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let body = self.0;
                $(let mut $name = None;)*
                let mut fingerprint = row_digest::object_start();
                while let Some((key, name_hash)) = map.next_key_seed(HashedKey::<RowField>(PhantomData))? {
                    let value_hash = match key {
                        $(
                            RowField::$name => {
                                let (value, hash) = hashed_row_value!($kind, map, body, A);
                                set(&mut $name, value, stringify!($name))?;
                                hash
                            }
                        )*
                        RowField::Other => map.next_value_seed(ValueVisitor { row: false })?.hash,
                    };
                    fingerprint = row_digest::member(fingerprint, name_hash, value_hash);
                }
                let row = SessionDetailsRef {
                    $($name: row_field!($kind, $name),)*
                };
                // The page decodes, so `left_at` is absent, null or blank exactly when it
                // reads as no time, and the duration is what the lenient reading takes.
                let digest = RowDigest {
                    id: Some(DigestId::of(&row.user_session_id)),
                    duration: row.duration_in_seconds,
                    open: row.left_at.is_none(),
                    fingerprint,
                };
                Ok((row, digest))
            }
        }
    };
}

/// Reads the value of a field of `$kind` from `$map`, with its hash as the ledger's lenient
/// reading gives it.
macro_rules! hashed_row_value {
    (RequiredText, $map:ident, $body:ident, $access:ident) => {{
        let text = $map.next_value_seed(Text($body))?;
        let hash = string_hash(text.as_bytes());
        (text, hash)
    }};
    (Text, $map:ident, $body:ident, $access:ident) => {{
        let text = $map.next_value_seed(OptionalTextSeed($body))?;
        let hash = text
            .as_ref()
            .map_or_else(null_hash, |text| string_hash(text.as_bytes()));
        (text, hash)
    }};
    (TextList, $map:ident, $body:ident, $access:ident) => {
        $map.next_value_seed(HashedRolesSeed($body))?
    };
    (Timestamp, $map:ident, $body:ident, $access:ident) => {{
        let value = $map.next_value_seed(ScalarSeed)?;
        let at = value
            .timestamp()
            .map_err(<$access::Error as de::Error>::custom)?;
        (TimestampField(at), value.hash())
    }};
    (Integer, $map:ident, $body:ident, $access:ident) => {{
        let value = $map.next_value_seed(ScalarSeed)?;
        let count = value
            .integer()
            .map_err(<$access::Error as de::Error>::custom)?;
        (IntegerField(count), value.hash())
    }};
}

/// Reads the value of a field of `$kind` from `$map`.
macro_rules! row_value {
    (RequiredText, $map:ident, $body:ident) => {
        $map.next_value_seed(Text($body))?
    };
    (Text, $map:ident, $body:ident) => {
        $map.next_value_seed(OptionalTextSeed($body))?
    };
    (TextList, $map:ident, $body:ident) => {
        $map.next_value_seed(RolesSeed($body))?
    };
    (Timestamp, $map:ident, $body:ident) => {
        $map.next_value::<TimestampField>()?
    };
    (Integer, $map:ident, $body:ident) => {
        $map.next_value::<IntegerField>()?
    };
}

/// The field of `$kind` once the row is read: required, or its default when absent.
macro_rules! row_field {
    (RequiredText, $slot:ident) => {
        required($slot, stringify!($slot))?
    };
    (Text, $slot:ident) => {
        $slot.flatten().unwrap_or_default()
    };
    (TextList, $slot:ident) => {
        $slot.unwrap_or_default()
    };
    (Timestamp, $slot:ident) => {
        $slot.and_then(|TimestampField(at)| at)
    };
    (Integer, $slot:ident) => {
        $slot.and_then(|IntegerField(count)| count)
    };
}

participant_session_fields!(row_decoder);

/// A row's list of role names.
struct RolesSeed<'de>(Body<'de>);

impl<'de> DeserializeSeed<'de> for RolesSeed<'de> {
    type Value = RoleList<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for RolesSeed<'de> {
    type Value = RoleList<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of role names")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut roles = RoleList::default();
        while let Some(role) = seq.next_element_seed(Text(self.0))? {
            roles.push(role);
        }
        Ok(roles)
    }

    /// `null` is no roles.
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(RoleList::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(RoleList::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

/// A row's list of role names, with its hash.
struct HashedRolesSeed<'de>(Body<'de>);

impl<'de> DeserializeSeed<'de> for HashedRolesSeed<'de> {
    type Value = (RoleList<'de>, u64);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for HashedRolesSeed<'de> {
    type Value = (RoleList<'de>, u64);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of role names")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut roles = RoleList::default();
        let mut hash = row_digest::array_start();
        while let Some(role) = seq.next_element_seed(Text(self.0))? {
            hash = row_digest::array_item(hash, string_hash(role.as_bytes()));
            roles.push(role);
        }
        Ok((roles, hash))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((RoleList::default(), null_hash()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((RoleList::default(), null_hash()))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

/// A string value, read as raw bytes.
#[derive(Clone, Copy)]
struct Text<'de>(Body<'de>);

impl<'de> DeserializeSeed<'de> for Text<'de> {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for Text<'de> {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_bytes<E: de::Error>(self, bytes: &'de [u8]) -> Result<Self::Value, E> {
        match self.0.text_of(bytes) {
            Some(text) => Ok(Cow::Borrowed(text)),
            None => Err(E::invalid_value(de::Unexpected::Bytes(bytes), &self)),
        }
    }

    /// A string with escapes, unescaped by the parser into its own buffer.
    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Cow::Owned(text.to_owned())),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(bytes), &self)),
        }
    }
}

/// A string value or null.
struct OptionalTextSeed<'de>(Body<'de>);

impl<'de> DeserializeSeed<'de> for OptionalTextSeed<'de> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptionalTextSeed<'de> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text(self.0).deserialize(d).map(Some)
    }
}

/// Names the field of an object from its key.
trait FromKey {
    fn from_key(key: &[u8]) -> Self;
}

/// An object key, read as raw bytes: keys are matched against ASCII names, so an invalid one
/// is only an unknown field.
struct Key<K>(PhantomData<K>);

impl<'de, K: FromKey> DeserializeSeed<'de> for Key<K> {
    type Value = K;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<K: FromKey> Visitor<'_> for Key<K> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<K, E> {
        Ok(K::from_key(key))
    }
}

/// An object key with the hash of its name: the name must be UTF-8, as the ledger's lenient
/// reading requires of it.
struct HashedKey<K>(PhantomData<K>);

impl<'de, K: FromKey> DeserializeSeed<'de> for HashedKey<K> {
    type Value = (K, u64);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<'de, K: FromKey> Visitor<'de> for HashedKey<K> {
    type Value = (K, u64);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    /// A name borrowed from a body valid as a whole is valid.
    fn visit_borrowed_bytes<E: de::Error>(self, key: &'de [u8]) -> Result<Self::Value, E> {
        Ok((K::from_key(key), member_name_hash(key)))
    }

    /// A name with escapes, unescaped by the parser.
    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(key) {
            Ok(_) => Ok((K::from_key(key), member_name_hash(key))),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(key), &self)),
        }
    }
}

/// A timestamp in any of Stream's encodings.
struct TimestampField(Option<Nanos>);

impl<'de> Deserialize<'de> for TimestampField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        timestamp::deserialize_opt(d).map(TimestampField)
    }
}

/// An integer, leniently decoded.
struct IntegerField(Option<i64>);

impl<'de> Deserialize<'de> for IntegerField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        timestamp::deserialize_opt_int(d).map(IntegerField)
    }
}

/// Fills a field's slot; a field met twice is refused, as the derived decoding does.
fn set<T, E: de::Error>(slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), E> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(E::duplicate_field(field)),
    }
}

fn required<T, E: de::Error>(slot: Option<T>, field: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(field))
}
