//! `user_session_id` storage: canonical UUIDs as 128-bit integers, anything else as text in an
//! arena.
//!
//! Stream's user session ids are UUIDs in practice; keeping them as two words instead of 36
//! bytes of text plus a `String` header is most of the store's memory saving. Only the
//! canonical lowercase hyphenated form is parsed, so that formatting it back gives the exact
//! text the API sent; any other id (upper case, braces, free text) stays text.

use std::fmt;
use std::ops::Deref;

const UUID_LEN: usize = 36;
const HYPHENS: [usize; 4] = [8, 13, 18, 23];
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// How a stored id is kept: the two words are the UUID, or the arena offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Uuid,
    Text,
}

/// A stored id: `words` is the UUID value (high, low) or `(offset, len)` into the arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredKey {
    pub(crate) kind: KeyKind,
    pub(crate) words: [u64; 2],
}

impl StoredKey {
    pub(crate) fn uuid(value: u128) -> Self {
        StoredKey {
            kind: KeyKind::Uuid,
            words: [(value >> 64) as u64, value as u64],
        }
    }

    pub(crate) fn text(offset: u32, len: u32) -> Self {
        StoredKey {
            kind: KeyKind::Text,
            words: [u64::from(offset), u64::from(len)],
        }
    }

    pub(crate) fn uuid_value(&self) -> u128 {
        (u128::from(self.words[0]) << 64) | u128::from(self.words[1])
    }

    pub(crate) fn text_in<'a>(&self, arena: &'a str) -> &'a str {
        let start = self.words[0] as usize;
        &arena[start..start + self.words[1] as usize]
    }
}

/// Hex digit values of lowercase ASCII; `INVALID` for every other byte.
const HEX_VALUES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut digit = 0;
    while digit < 16 {
        table[HEX_DIGITS[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};
const INVALID: u8 = 0xff;
/// The hex digits of a canonical UUID: the high and the low 64 bits, each as byte ranges.
const HIGH_DIGITS: [(usize, usize); 3] = [(0, 8), (9, 13), (14, 18)];
const LOW_DIGITS: [(usize, usize); 2] = [(19, 23), (24, 36)];

/// Parses the canonical lowercase form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub(crate) fn parse_canonical_uuid(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != UUID_LEN || HYPHENS.iter().any(|&at| bytes[at] != b'-') {
        return None;
    }
    let mut invalid = 0u8;
    let mut word = |ranges: &[(usize, usize)]| {
        let mut value = 0u64;
        for &(start, end) in ranges {
            for &byte in &bytes[start..end] {
                let digit = HEX_VALUES[byte as usize];
                invalid |= digit;
                value = (value << 4) | u64::from(digit);
            }
        }
        value
    };
    let high = word(&HIGH_DIGITS);
    let low = word(&LOW_DIGITS);
    (invalid & 0xf0 == 0).then_some((u128::from(high) << 64) | u128::from(low))
}

fn format_uuid(value: u128) -> [u8; UUID_LEN] {
    let mut out = [b'-'; UUID_LEN];
    let mut shift = 128;
    for (position, byte) in out.iter_mut().enumerate() {
        if HYPHENS.contains(&position) {
            continue;
        }
        shift -= 4;
        *byte = HEX_DIGITS[((value >> shift) & 0xf) as usize];
    }
    out
}

/// The text of a `user_session_id`, rebuilt on the stack for UUIDs. Derefs to `str`.
#[derive(Clone, Copy)]
pub struct SessionIdText<'a> {
    repr: Repr<'a>,
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    Uuid([u8; UUID_LEN]),
    Borrowed(&'a str),
}

impl<'a> SessionIdText<'a> {
    pub(crate) fn new(key: &StoredKey, arena: &'a str) -> Self {
        let repr = match key.kind {
            KeyKind::Uuid => Repr::Uuid(format_uuid(key.uuid_value())),
            KeyKind::Text => Repr::Borrowed(key.text_in(arena)),
        };
        SessionIdText { repr }
    }

    pub fn as_str(&self) -> &str {
        match &self.repr {
            Repr::Uuid(bytes) => std::str::from_utf8(bytes).expect("hex digits and hyphens"),
            Repr::Borrowed(text) => text,
        }
    }
}

impl Deref for SessionIdText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SessionIdText<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for SessionIdText<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SessionIdText<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for SessionIdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SessionIdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0f8e2c1a-9b7d-4e3f-a1b2-c3d4e5f60718";

    #[test]
    fn canonical_uuids_round_trip_exactly() {
        let value = parse_canonical_uuid(ID).unwrap();
        assert_eq!(value, 0x0f8e2c1a_9b7d_4e3f_a1b2_c3d4e5f60718);
        assert_eq!(SessionIdText::new(&StoredKey::uuid(value), "").as_str(), ID);
    }

    #[test]
    fn other_spellings_stay_text_so_they_are_shown_as_sent() {
        assert_eq!(parse_canonical_uuid(&ID.to_uppercase()), None);
        assert_eq!(parse_canonical_uuid(&ID.replace('-', "")), None);
        assert_eq!(
            parse_canonical_uuid("0f8e2c1a-9b7d-4e3f-a1b2-c3d4e5f6071g"),
            None
        );
        assert_eq!(
            parse_canonical_uuid("0f8e2c1a_9b7d-4e3f-a1b2-c3d4e5f60718"),
            None
        );
        assert_eq!(parse_canonical_uuid("session-1"), None);
    }

    #[test]
    fn text_keys_borrow_from_the_arena() {
        let arena = "abcsession-7xyz";
        let text = SessionIdText::new(&StoredKey::text(3, 9), arena);
        assert_eq!(text, "session-7");
        assert_eq!(text.to_string(), "session-7");
    }
}
