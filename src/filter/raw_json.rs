//! Filters typed as raw `filter_conditions` JSON (input starting with `{`), validated by
//! [`Conditions::parse`] exactly as the server validates them.

use serde_json::{Map, Value};

use super::conditions::Conditions;
use super::error::ParseError;

pub(crate) fn parse_json(input: &str) -> Result<Conditions, ParseError> {
    let value: Value = serde_json::from_str(input).map_err(|error| syntax_error(input, &error))?;
    Conditions::parse(&value).map_err(|error| {
        let position = match &value {
            Value::Object(object) => offending_key_position(input, object),
            _ => None,
        };
        ParseError::new(position.unwrap_or_else(|| json_start(input)), error.0)
    })
}

fn syntax_error(input: &str, error: &serde_json::Error) -> ParseError {
    let text = error.to_string();
    // serde_json appends "at line L column C"; the position carries it instead.
    let message = text
        .rfind(" at line ")
        .map_or(text.as_str(), |end| &text[..end]);
    let position = byte_offset(input, error.line(), error.column());
    ParseError::new(position, format!("invalid JSON: {message}"))
}

/// serde_json counts lines and columns from 1.
fn byte_offset(input: &str, line: usize, column: usize) -> usize {
    let line_start: usize = input
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(input.len())
}

/// Where the first field that fails validation on its own is written in the input.
fn offending_key_position(input: &str, object: &Map<String, Value>) -> Option<usize> {
    let (name, _) = object.iter().find(|(name, spec)| {
        let alone = Value::Object(Map::from_iter([((*name).clone(), (*spec).clone())]));
        Conditions::parse(&alone).is_err()
    })?;
    key_position(input, name)
}

/// The position of `"name"` used as an object key (followed by `:`), not as a string value.
fn key_position(input: &str, name: &str) -> Option<usize> {
    let quoted = format!("\"{name}\"");
    input
        .match_indices(&quoted)
        .map(|(i, _)| i)
        .find(|&i| input[i + quoted.len()..].trim_start().starts_with(':'))
}

fn json_start(input: &str) -> usize {
    input.len() - input.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_field_is_pointed_at() {
        let input = r#"{"user_id": "roles", "roles": "host"}"#;
        let error = parse_json(input).unwrap_err();
        assert_eq!(error.position, input.rfind("\"roles\"").unwrap());
        assert!(error.message.contains("`roles`"), "{}", error.message);
    }

    #[test]
    fn a_syntax_error_is_pointed_at_on_its_line() {
        let input = "{\n  \"user_id\": alice\n}";
        let error = parse_json(input).unwrap_err();
        assert_eq!(error.position, input.find("alice").unwrap());
        assert!(
            error.message.starts_with("invalid JSON"),
            "{}",
            error.message
        );
        assert!(!error.message.contains("line"), "{}", error.message);
    }
}
