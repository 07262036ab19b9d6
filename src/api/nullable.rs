//! `null` read as absent.
//!
//! Real Stream responses carry absent fields as `null` rather than leaving them out (a
//! recorded GetCall response has `"starts_at": null`, `"session": {"ended_at": null, …}`), so
//! every field that has a default takes it on `null` too: `roles: null` is no roles,
//! `participants_sessions: null` no rows. Required fields without a default still refuse
//! `null`, as they refuse absence, with the path of the field in the error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The field's value, or its default when it is `null` (absence is `#[serde(default)]`'s).
pub(crate) fn default_on_null<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string borrowed from the body when it has no escapes, empty when `null`.
pub(crate) fn text_or_empty<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Cow<'a, str>, D::Error> {
    d.deserialize_option(OptionalText)
}

struct OptionalText;

impl<'de> Visitor<'de> for OptionalText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(""))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(""))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}
