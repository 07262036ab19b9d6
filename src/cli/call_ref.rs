//! `TYPE:ID`, the way a call is named on the command line (e.g. `default:townhall-2026`).

use std::fmt;
use std::str::FromStr;

/// Stream's limit on the length of a call id.
const MAX_ID_LEN: usize = 64;

/// A call: its type (`default`, `livestream`, ...) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CallRef {
    pub(crate) call_type: String,
    pub(crate) id: String,
}

/// A `TYPE:ID` that could not be read; a usage error (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid call {input:?}: {reason}; expected TYPE:ID, e.g. default:townhall-2026")]
pub(crate) struct CallRefError {
    pub(crate) input: String,
    pub(crate) reason: &'static str,
}

impl FromStr for CallRef {
    type Err = CallRefError;

    /// Requires the type: guessing `default` would silently query the wrong call for
    /// apps that name their calls the same across types.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason| CallRefError {
            input: input.to_owned(),
            reason,
        };
        let (call_type, id) = input
            .split_once(':')
            .ok_or_else(|| fail("the call type is missing"))?;
        if call_type.is_empty() {
            return Err(fail("the call type is empty"));
        }
        if id.is_empty() {
            return Err(fail("the call id is empty"));
        }
        if !is_plain(call_type) || !is_plain(id) {
            return Err(fail("it contains spaces, control characters or '/'"));
        }
        if id.chars().count() > MAX_ID_LEN {
            return Err(fail("the call id is longer than 64 characters"));
        }
        Ok(CallRef {
            call_type: call_type.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// Characters that would break the request path or are surely a quoting mistake.
fn is_plain(part: &str) -> bool {
    !part
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
}

impl fmt::Display for CallRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.call_type, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_type_and_id() {
        let call: CallRef = "default:townhall-2026".parse().unwrap();
        assert_eq!(call.call_type, "default");
        assert_eq!(call.id, "townhall-2026");
        assert_eq!(call.to_string(), "default:townhall-2026");
    }

    #[test]
    fn only_the_first_colon_separates() {
        let call: CallRef = "livestream:a:b".parse().unwrap();
        assert_eq!(
            (call.call_type.as_str(), call.id.as_str()),
            ("livestream", "a:b")
        );
    }

    #[test]
    fn an_id_alone_is_refused_with_the_expected_form() {
        let err = "townhall-2026".parse::<CallRef>().unwrap_err().to_string();
        assert!(err.contains("call type is missing"), "{err}");
        assert!(
            err.contains("expected TYPE:ID, e.g. default:townhall-2026"),
            "{err}"
        );
    }

    #[test]
    fn malformed_references_are_refused() {
        let too_long = format!("default:{}", "x".repeat(65));
        for (input, reason) in [
            (":x", "type is empty"),
            ("default:", "id is empty"),
            ("default:a b", "spaces"),
            ("default:a/b", "'/'"),
            (too_long.as_str(), "longer than 64"),
        ] {
            let err = input.parse::<CallRef>().unwrap_err().to_string();
            assert!(err.contains(reason), "{input:?} gave {err}");
        }
        assert!(
            format!("default:{}", "x".repeat(64))
                .parse::<CallRef>()
                .is_ok()
        );
    }
}
