//! Why a filter was refused, and where.

/// A filter the language cannot accept. `position` is a byte offset into the input, so the
/// filter bar and the CLI can point at the offending character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {position}")]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        ParseError {
            position,
            message: message.into(),
        }
    }

    /// The column (in characters) of the error within its line, for placing a cursor.
    pub(crate) fn column(&self, input: &str) -> usize {
        let position = self.clamped(input);
        let (line_start, _) = line_around(input, position);
        input[line_start..position].chars().count()
    }

    /// The input line holding the error, with a caret under the position and the message:
    ///
    /// ```text
    /// role:host dur>5x
    ///               ^ expected a duration like 5m or 90s after `dur>`
    /// ```
    pub fn render(&self, input: &str) -> String {
        let (start, end) = line_around(input, self.clamped(input));
        let line: String = input[start..end]
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let padding = " ".repeat(self.column(input));
        format!("{line}\n{padding}^ {}", self.message)
    }

    /// The position, moved back onto a character boundary inside the input.
    fn clamped(&self, input: &str) -> usize {
        let mut position = self.position.min(input.len());
        while !input.is_char_boundary(position) {
            position -= 1;
        }
        position
    }
}

/// The byte range of the line containing `position`, a character boundary (raw JSON filters
/// may span lines).
fn line_around(input: &str, position: usize) -> (usize, usize) {
    let start = input[..position].rfind('\n').map_or(0, |i| i + 1);
    let end = input[position..]
        .find('\n')
        .map_or(input.len(), |i| position + i);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_position() {
        let error = ParseError::new(4, "expected a duration");
        assert_eq!(error.render("dur>x"), "dur>x\n    ^ expected a duration");
    }

    #[test]
    fn caret_counts_characters_not_bytes() {
        let input = "é dur>";
        let error = ParseError::new(input.len(), "expected a duration");
        assert_eq!(error.column(input), 6);
    }

    #[test]
    fn only_the_line_of_the_error_is_shown() {
        let input = "{\n  \"roles\": 1\n}";
        let error = ParseError::new(4, "not filterable");
        assert_eq!(error.render(input), "  \"roles\": 1\n  ^ not filterable");
    }
}
