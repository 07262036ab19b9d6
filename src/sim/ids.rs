//! UUID-like identifiers for call sessions and participant sessions.
//!
//! Stored as 16 bytes rather than text so that a million rows stay compact; they are rendered
//! in the usual hyphenated form only when a row is served or filtered.

use std::fmt;

use rand::Rng;

/// A random (version 4 layout) identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Uuid(pub [u8; 16]);

/// Length of the hyphenated text form.
pub(crate) const UUID_TEXT_LEN: usize = 36;

impl Uuid {
    pub(crate) fn random(rng: &mut impl Rng) -> Uuid {
        let mut bytes: [u8; 16] = rng.random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Uuid(bytes)
    }

    /// Writes the hyphenated lowercase form without allocating.
    pub(crate) fn write_text(&self, out: &mut [u8; UUID_TEXT_LEN]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut at = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out[at] = b'-';
                at += 1;
            }
            out[at] = HEX[usize::from(byte >> 4)];
            out[at + 1] = HEX[usize::from(byte & 0x0f)];
            at += 2;
        }
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; UUID_TEXT_LEN];
        self.write_text(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn text_form_is_hyphenated_version_4() {
        let id = Uuid::random(&mut StdRng::seed_from_u64(7));
        let text = id.to_string();
        assert_eq!(text.len(), UUID_TEXT_LEN);
        let groups: Vec<usize> = text.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&text[14..15], "4");
        assert!(text.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
