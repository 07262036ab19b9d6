//! What the read's ledger keeps of a row: its `user_session_id`, its raw
//! `duration_in_seconds`, whether it is open, and a fingerprint of all its fields.
//!
//! The fingerprint hashes every member of the row's object (names and values, known fields and
//! unknown ones, in any order), so that two copies differing in anything are told apart. The
//! same digest comes out of either reading of a page: the page decoder's own row visitor
//! (`api::page_ref`, which hashes each value as it decodes it), or the ledger's lenient reading
//! of a page that decoder refuses ([`ValueVisitor`]). Both hash a value with the functions
//! here, so a row reads the same whichever way its page went.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::api::timestamp;

use super::index::{KeyHasher, fold_multiply};
use super::session_id::parse_canonical_uuid;

/// A `user_session_id`, as the ledger keys it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DigestId {
    Uuid(u128),
    Text(String),
}

impl DigestId {
    pub(crate) fn of(text: &str) -> Self {
        match parse_canonical_uuid(text) {
            Some(uuid) => DigestId::Uuid(uuid),
            None => DigestId::Text(text.to_owned()),
        }
    }
}

/// What the ledger keeps of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowDigest {
    /// `None`: the row has no string `user_session_id` (or is no object).
    pub(crate) id: Option<DigestId>,
    /// The raw `duration_in_seconds`, as the models' decoder of integers reads it.
    pub(crate) duration: Option<i64>,
    /// No `left_at` (absent, null or blank).
    pub(crate) open: bool,
    pub(crate) fingerprint: u64,
}

impl<'de> Deserialize<'de> for RowDigest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = d.deserialize_any(ValueVisitor { row: true })?;
        Ok(value.digest.unwrap_or(RowDigest {
            id: None,
            duration: None,
            open: false,
            fingerprint: value.hash,
        }))
    }
}

const SEED: u64 = 0x6c65_6467_6572_5f31;
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The tags that keep values of different JSON types apart.
const BOOL: u64 = 1;
const INTEGER: u64 = 2;
const WIDE_INTEGER: u64 = 3;
const FLOAT: u64 = 4;
const STRING: u64 = 5;
const NULL: u64 = 6;
const ARRAY: u64 = 7;
const OBJECT: u64 = 8;
const MEMBER_NAME: u64 = 9;

fn hash_bytes(tag: u64, bytes: &[u8]) -> u64 {
    KeyHasher::with_seed(SEED ^ tag).bytes(bytes)
}

fn mix(a: u64, b: u64) -> u64 {
    fold_multiply(a ^ b.rotate_left(29), MULTIPLIER)
}

/// The hash of a string value (its unescaped text).
pub(crate) fn string_hash(text: &[u8]) -> u64 {
    hash_bytes(STRING, text)
}

/// The hash of `null`.
pub(crate) fn null_hash() -> u64 {
    hash_bytes(NULL, &[])
}

/// An array's hash is built item by item, in order: `["host", "user"]` and
/// `["user", "host"]` differ.
pub(crate) fn array_start() -> u64 {
    hash_bytes(ARRAY, &[])
}

pub(crate) fn array_item(array: u64, item: u64) -> u64 {
    mix(array, item)
}

/// An object's hash adds up its members, so that their order does not matter.
pub(crate) fn object_start() -> u64 {
    hash_bytes(OBJECT, &[])
}

/// The hash of a member's name, the first half of [`member`].
pub(crate) fn member_name_hash(name: &[u8]) -> u64 {
    hash_bytes(MEMBER_NAME, name)
}

pub(crate) fn member(object: u64, name_hash: u64, value: u64) -> u64 {
    object.wrapping_add(mix(name_hash, value))
}

/// A JSON scalar as received: what decoding it needs, and its hash.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'de> {
    Str(Cow<'de, str>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Null,
}

impl Scalar<'_> {
    pub(crate) fn hash(&self) -> u64 {
        match self {
            Scalar::Str(text) => string_hash(text.as_bytes()),
            Scalar::I64(value) => hash_bytes(INTEGER, &value.to_le_bytes()),
            Scalar::U64(value) => match i64::try_from(*value) {
                Ok(signed) => hash_bytes(INTEGER, &signed.to_le_bytes()),
                Err(_) => hash_bytes(WIDE_INTEGER, &value.to_le_bytes()),
            },
            Scalar::F64(value) => hash_bytes(FLOAT, &value.to_le_bytes()),
            Scalar::Bool(value) => hash_bytes(BOOL, &[u8::from(*value)]),
            Scalar::Null => null_hash(),
        }
    }

    /// Whether a `left_at` of this value says the row has left: any value but null and blank
    /// text (which the models read as no time).
    pub(crate) fn is_present_time(&self) -> bool {
        match self {
            Scalar::Null => false,
            Scalar::Str(text) => !text.trim().is_empty(),
            _ => true,
        }
    }

    /// The value read as the models' lenient integer (`duration_in_seconds`, totals).
    pub(crate) fn integer(&self) -> Result<Option<i64>, de::value::Error> {
        timestamp::deserialize_opt_int(ScalarDeserializer(self))
    }

    /// The value read as the models' lenient timestamp.
    pub(crate) fn timestamp(&self) -> Result<Option<timestamp::Nanos>, de::value::Error> {
        timestamp::deserialize_opt(ScalarDeserializer(self))
    }
}

/// A [`Scalar`] handed to a visitor as the JSON parser would hand it.
struct ScalarDeserializer<'a, 'de>(&'a Scalar<'de>);

impl<'de> Deserializer<'de> for ScalarDeserializer<'_, '_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Scalar::Str(text) => visitor.visit_str(text),
            Scalar::I64(value) => visitor.visit_i64(*value),
            Scalar::U64(value) => visitor.visit_u64(*value),
            Scalar::F64(value) => visitor.visit_f64(*value),
            Scalar::Bool(value) => visitor.visit_bool(*value),
            Scalar::Null => visitor.visit_unit(),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Reads a scalar value; an array or an object is refused.
pub(crate) struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, a number or null")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
}

/// The value's hash, its scalar when it is one, and the row's digest when it is the object of
/// a row.
pub(crate) struct Hashed<'de> {
    pub(crate) hash: u64,
    scalar: Option<Scalar<'de>>,
    digest: Option<RowDigest>,
}

impl<'de> Hashed<'de> {
    fn scalar(scalar: Scalar<'de>) -> Self {
        Hashed {
            hash: scalar.hash(),
            scalar: Some(scalar),
            digest: None,
        }
    }

    fn other(hash: u64) -> Self {
        Hashed {
            hash,
            scalar: None,
            digest: None,
        }
    }
}

/// A member's name, borrowed from the body unless it holds escapes (serde's own `Cow` always
/// allocates, which made names most of the cost of a row).
struct FieldName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> Visitor<'de> for Name {
            type Value = FieldName<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(FieldName(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(Name)
    }
}

/// Hashes any JSON value; for the object of a row (`row: true`) also builds its digest. The
/// lenient reading: it refuses only what is not JSON text.
#[derive(Clone, Copy)]
pub(crate) struct ValueVisitor {
    pub(crate) row: bool,
}

impl<'de> DeserializeSeed<'de> for ValueVisitor {
    type Value = Hashed<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Hashed<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::I64(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::U64(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::F64(v)))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::Str(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::Str(Cow::Owned(v.to_owned()))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Hashed::scalar(Scalar::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut hash = array_start();
        while let Some(item) = seq.next_element_seed(ValueVisitor { row: false })? {
            hash = array_item(hash, item.hash);
        }
        Ok(Hashed::other(hash))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut hash = object_start();
        let mut digest = RowDigest {
            id: None,
            duration: None,
            open: true,
            fingerprint: 0,
        };
        while let Some(FieldName(key)) = map.next_key::<FieldName<'de>>()? {
            let value = map.next_value_seed(ValueVisitor { row: false })?;
            hash = member(hash, member_name_hash(key.as_bytes()), value.hash);
            if !self.row {
                continue;
            }
            let scalar = value.scalar.as_ref();
            match key.as_ref() {
                "user_session_id" => {
                    digest.id = match scalar {
                        Some(Scalar::Str(text)) => Some(DigestId::of(text)),
                        _ => None,
                    }
                }
                "duration_in_seconds" => {
                    digest.duration = scalar.and_then(|value| value.integer().ok().flatten());
                }
                "left_at" => digest.open = !scalar.is_some_and(Scalar::is_present_time),
                _ => {}
            }
        }
        digest.fingerprint = hash;
        Ok(Hashed {
            hash,
            scalar: None,
            digest: self.row.then_some(digest),
        })
    }
}
