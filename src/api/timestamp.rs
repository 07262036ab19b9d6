//! Lenient decoding of Stream's timestamps.
//!
//! The v2 API sends integer Unix nanoseconds, but older endpoints and webhooks send RFC 3339
//! strings, and some tools re-encode numbers as floats. Every form becomes `i64` nanoseconds so
//! the rest of headcount never deals with wire formats. A hand-written visitor (rather than an
//! untagged enum) keeps decoding allocation-free on the hot path of a million rows.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Unix time in nanoseconds, as Stream's v2 API sends it.
pub type Nanos = i64;

pub const NANOS_PER_SEC: i64 = 1_000_000_000;

/// The wall clock as Unix ns: the time base of every figure, event and message.
pub(crate) fn unix_now() -> Nanos {
    Nanos::try_from(jiff::Timestamp::now().as_nanosecond()).unwrap_or(Nanos::MAX)
}

/// Decodes an optional timestamp: integer ns, float ns, RFC 3339 string, numeric string, or null.
pub(crate) fn deserialize_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Nanos>, D::Error> {
    d.deserialize_any(TimestampVisitor)
}

/// Parses the text forms of a timestamp: an RFC 3339 instant or a decimal number of nanoseconds.
pub(crate) fn parse_text(text: &str) -> Option<Nanos> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(ns) = text.parse::<i64>() {
        return Some(ns);
    }
    let ts: jiff::Timestamp = text.parse().ok()?;
    i64::try_from(ts.as_nanosecond()).ok()
}

struct TimestampVisitor;

impl<'de> Visitor<'de> for TimestampVisitor {
    type Value = Option<Nanos>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a timestamp (Unix nanoseconds or an RFC 3339 string) or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom("timestamp out of range"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() {
            Ok(Some(v as i64))
        } else {
            Err(E::custom("timestamp is not a finite number"))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        parse_text(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("`{v}` is not an RFC 3339 timestamp")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Decodes an optional integer that some encoders send as a string (`"42"`) or a float.
pub(crate) fn deserialize_opt_int<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, a numeric string or null")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.round() as i64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<f64>()
            .map(|f| Some(f.round() as i64))
            .map_err(|_| E::custom(format!("`{v}` is not a number")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Stamped {
        #[serde(default, deserialize_with = "deserialize_opt")]
        at: Option<Nanos>,
    }

    fn decode(json: &str) -> Option<Nanos> {
        serde_json::from_str::<Stamped>(json).unwrap().at
    }

    const NS: i64 = 1_760_000_000_123_456_789;

    #[test]
    fn every_wire_encoding_decodes_to_the_same_instant() {
        assert_eq!(decode(r#"{"at": 1760000000123456789}"#), Some(NS));
        assert_eq!(decode(r#"{"at": "1760000000123456789"}"#), Some(NS));
        assert_eq!(
            decode(r#"{"at": "2025-10-09T08:53:20.123456789Z"}"#),
            Some(NS)
        );
        assert_eq!(
            decode(r#"{"at": "2025-10-09T10:53:20.123456789+02:00"}"#),
            Some(NS)
        );
        // Floats lose the last digits, as they do in every SDK that reads them.
        let float = decode(r#"{"at": 1.760000000123456789e18}"#).unwrap();
        assert!((float - NS).abs() < 1_000);
    }

    #[test]
    fn null_absent_and_empty_mean_no_timestamp() {
        assert_eq!(decode(r#"{"at": null}"#), None);
        assert_eq!(decode(r"{}"), None);
        assert_eq!(decode(r#"{"at": ""}"#), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_silent_zero() {
        assert!(serde_json::from_str::<Stamped>(r#"{"at": "yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Stamped>(r#"{"at": true}"#).is_err());
    }
}
