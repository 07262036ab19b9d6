//! Opaque, signed paging cursors.
//!
//! A cursor names a position in the serving order (a time or other ordering value, and an
//! id), never an offset, so that paging stays exact while rows appear and close. It is signed
//! with a key derived from the app secret and bound to a scope (a call session, or the stats
//! listing), so an edited cursor, or one from another scope, is refused as Stream refuses bad
//! input.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::attendance::ScenarioRowKey;
use super::ids::Uuid;

const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 1 + 1 + 8 + 16;
const TAG_LEN: usize = 16;

/// Which parameter a cursor belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Next,
    Prev,
}

impl Direction {
    fn byte(self) -> u8 {
        match self {
            Direction::Next => b'n',
            Direction::Prev => b'p',
        }
    }

    pub(crate) fn param(self) -> &'static str {
        match self {
            Direction::Next => "next",
            Direction::Prev => "prev",
        }
    }
}

/// Why a cursor was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CursorError {
    #[error("{0} is not a valid cursor")]
    Invalid(&'static str),
    #[error("a {given} cursor was passed as {expected}")]
    WrongDirection {
        given: &'static str,
        expected: &'static str,
    },
}

/// Where a cursor points: an ordering value and the id that breaks its ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) at: i64,
    pub(crate) id: Uuid,
}

impl From<ScenarioRowKey> for Position {
    fn from(key: ScenarioRowKey) -> Position {
        Position {
            at: key.joined_at,
            id: key.user_session_id,
        }
    }
}

impl From<Position> for ScenarioRowKey {
    fn from(position: Position) -> ScenarioRowKey {
        ScenarioRowKey {
            joined_at: position.at,
            user_session_id: position.id,
        }
    }
}

/// Signs and checks cursors for one scope.
#[derive(Clone)]
pub(crate) struct CursorSigner {
    mac: Hmac<Sha256>,
}

impl CursorSigner {
    /// Cursors of one call session's participant sessions.
    pub(crate) fn for_session(secret: &str, call_session: Uuid) -> CursorSigner {
        CursorSigner::new(secret, &call_session.0)
    }

    /// Cursors of `QueryCallSessionStats`.
    pub(crate) fn for_stats(secret: &str) -> CursorSigner {
        CursorSigner::new(secret, b"call_stats")
    }

    /// Cursors of `QueryCallMembers`.
    pub(crate) fn for_members(secret: &str) -> CursorSigner {
        CursorSigner::new(secret, b"call_members")
    }

    fn new(secret: &str, scope: &[u8]) -> CursorSigner {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(b"headcount-sim cursor");
        mac.update(scope);
        CursorSigner { mac }
    }

    pub(crate) fn encode(&self, direction: Direction, key: impl Into<Position>) -> String {
        let payload = payload(direction, key.into());
        let tag = self.tag(&payload);
        let mut text = String::with_capacity((PAYLOAD_LEN + TAG_LEN) * 2);
        for byte in payload.iter().chain(&tag) {
            text.push_str(&format!("{byte:02x}"));
        }
        text
    }

    pub(crate) fn decode(&self, direction: Direction, text: &str) -> Result<Position, CursorError> {
        let invalid = CursorError::Invalid(direction.param());
        let bytes = hex_decode(text).ok_or(invalid.clone())?;
        if bytes.len() != PAYLOAD_LEN + TAG_LEN {
            return Err(invalid);
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        let mut check = self.mac.clone();
        check.update(payload);
        check
            .verify_truncated_left(tag)
            .map_err(|_| invalid.clone())?;
        if payload[0] != VERSION {
            return Err(invalid);
        }
        let given = if payload[1] == Direction::Next.byte() {
            Direction::Next
        } else {
            Direction::Prev
        };
        if given != direction {
            return Err(CursorError::WrongDirection {
                given: given.param(),
                expected: direction.param(),
            });
        }
        let at = i64::from_be_bytes(payload[2..10].try_into().map_err(|_| invalid.clone())?);
        let id: [u8; 16] = payload[10..].try_into().map_err(|_| invalid)?;
        Ok(Position { at, id: Uuid(id) })
    }

    fn tag(&self, payload: &[u8]) -> [u8; TAG_LEN] {
        let mut mac = self.mac.clone();
        mac.update(payload);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        tag
    }
}

fn payload(direction: Direction, position: Position) -> [u8; PAYLOAD_LEN] {
    let mut bytes = [0u8; PAYLOAD_LEN];
    bytes[0] = VERSION;
    bytes[1] = direction.byte();
    bytes[2..10].copy_from_slice(&position.at.to_be_bytes());
    bytes[10..].copy_from_slice(&position.id.0);
    bytes
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Position {
        Position {
            at: 1_767_000_000_123_456_000,
            id: Uuid([7; 16]),
        }
    }

    fn signer() -> CursorSigner {
        CursorSigner::for_session("secret", Uuid([1; 16]))
    }

    #[test]
    fn a_cursor_round_trips() {
        let text = signer().encode(Direction::Next, key());
        assert_eq!(signer().decode(Direction::Next, &text), Ok(key()));
    }

    #[test]
    fn any_edited_character_is_refused() {
        let text = signer().encode(Direction::Next, key());
        for at in 0..text.len() {
            let mut edited = text.clone().into_bytes();
            edited[at] = if edited[at] == b'0' { b'1' } else { b'0' };
            let edited = String::from_utf8(edited).unwrap();
            assert_eq!(
                signer().decode(Direction::Next, &edited),
                Err(CursorError::Invalid("next")),
                "edit at {at} was accepted"
            );
        }
        assert!(signer().decode(Direction::Next, "not a cursor").is_err());
        assert!(signer().decode(Direction::Next, "").is_err());
    }

    #[test]
    fn cursors_of_another_scope_or_secret_are_refused() {
        let text = signer().encode(Direction::Next, key());
        let other_session = CursorSigner::for_session("secret", Uuid([2; 16]));
        assert!(other_session.decode(Direction::Next, &text).is_err());
        let other_secret = CursorSigner::for_session("other", Uuid([1; 16]));
        assert!(other_secret.decode(Direction::Next, &text).is_err());
        let stats = CursorSigner::for_stats("secret");
        assert!(stats.decode(Direction::Next, &text).is_err());
    }

    #[test]
    fn a_prev_cursor_is_not_a_next_cursor() {
        let text = signer().encode(Direction::Prev, key());
        assert_eq!(signer().decode(Direction::Prev, &text), Ok(key()));
        assert!(matches!(
            signer().decode(Direction::Next, &text),
            Err(CursorError::WrongDirection { .. })
        ));
    }
}
