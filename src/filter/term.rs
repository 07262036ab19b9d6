//! Turns a lexed `key<op>values` or bare word into a typed term: checks the field name, the
//! operator and the values (lists, yes/no, durations, times).

use super::ParseContext;
use super::ast::{Comparison, Instant, TermKind};
use super::conditions::{Condition, Field};
use super::error::ParseError;
use super::lexer::{Keyed, Operator, RawValue};
use super::time::{guess, resolve};

#[derive(Debug, Clone, Copy)]
enum Key {
    Field(Field),
    Role,
    Duration,
    Joined,
    Left,
}

/// Every field name the language accepts: the short names first, then the API's own names.
const KEYS: [(&str, Key); 22] = [
    ("user", Key::Field(Field::UserId)),
    ("publisher", Key::Field(Field::PublisherType)),
    ("session", Key::Field(Field::SessionId)),
    ("track", Key::Field(Field::PublishedTracks)),
    ("role", Key::Role),
    ("live", Key::Field(Field::IsLive)),
    ("tech", Key::Field(Field::IsTechUser)),
    ("dur", Key::Duration),
    ("joined", Key::Joined),
    ("left", Key::Left),
    ("user_id", Key::Field(Field::UserId)),
    ("publisher_type", Key::Field(Field::PublisherType)),
    ("session_id", Key::Field(Field::SessionId)),
    ("user_session_id", Key::Field(Field::SessionId)),
    ("tracks", Key::Field(Field::PublishedTracks)),
    ("published_tracks", Key::Field(Field::PublishedTracks)),
    ("roles", Key::Role),
    ("is_live", Key::Field(Field::IsLive)),
    ("is_tech_user", Key::Field(Field::IsTechUser)),
    ("duration", Key::Duration),
    ("joined_at", Key::Joined),
    ("left_at", Key::Left),
];

const SHORT_KEYS: usize = 10;

/// A bare word: `open`, `closed`, `problem`, or a search in user ids.
pub(crate) fn word_term(word: RawValue) -> Result<TermKind, ParseError> {
    if word.text.is_empty() {
        return Err(ParseError::new(
            word.position,
            "empty quotes: type the text to look for in user ids",
        ));
    }
    let keyword = (!word.quoted).then(|| word.text.to_ascii_lowercase());
    Ok(match keyword.as_deref() {
        Some("open") => TermKind::Open(true),
        Some("closed") => TermKind::Open(false),
        Some("problem" | "problems") => TermKind::Problem,
        _ => TermKind::Word(word.text),
    })
}

/// A `key<op>values` term. `key_position` is where the key starts in the input.
pub(crate) fn keyed_term(
    keyed: Keyed,
    key_position: usize,
    ctx: &ParseContext,
) -> Result<TermKind, ParseError> {
    let key = lookup_key(&keyed.key)
        .ok_or_else(|| ParseError::new(key_position, unknown_key_message(&keyed.key)))?;
    let term = TermText {
        prefix: format!("{}{}", keyed.key, keyed.operator.symbol()),
        key: &keyed.key,
        operator: keyed.operator,
        operator_position: keyed.operator_position,
    };
    match key {
        Key::Field(field) if is_boolean(field) => boolean_term(&term, field, keyed.values),
        Key::Field(field) => {
            let values = list_values(&term, keyed.values)?;
            Ok(TermKind::Server(Condition::OneOf { field, values }))
        }
        Key::Role => Ok(TermKind::Role(list_values(&term, keyed.values)?)),
        Key::Duration => duration_term(&term, keyed.values),
        Key::Joined => Ok(TermKind::Joined(instant(&term, keyed.values, ctx)?)),
        Key::Left => Ok(TermKind::Left(instant(&term, keyed.values, ctx)?)),
    }
}

/// How the term was typed, for messages.
struct TermText<'a> {
    prefix: String,
    key: &'a str,
    operator: Operator,
    operator_position: usize,
}

fn lookup_key(name: &str) -> Option<Key> {
    KEYS.iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, key)| *key)
}

fn unknown_key_message(name: &str) -> String {
    match suggest_key(name) {
        Some(known) => format!("unknown field `{name}`; did you mean `{known}`?"),
        None => {
            let known: Vec<&str> = KEYS[..SHORT_KEYS].iter().map(|(k, _)| *k).collect();
            format!(
                "unknown field `{name}`; fields are {} (quote text to search user ids)",
                known.join(", ")
            )
        }
    }
}

/// The closest known field name: a prefix of it, or a small typo away.
fn suggest_key(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    let tolerance = if name.len() <= 4 { 1 } else { 2 };
    KEYS.iter()
        .map(|(known, _)| *known)
        .filter(|known| {
            (name.len() >= 2 && known.starts_with(&name))
                || edit_distance(&name, known) <= tolerance
        })
        .min_by_key(|known| edit_distance(&name, known))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn is_boolean(field: Field) -> bool {
    matches!(field, Field::IsLive | Field::IsTechUser)
}

fn require_equality(term: &TermText) -> Result<(), ParseError> {
    match term.operator {
        Operator::Colon | Operator::Equal => Ok(()),
        _ => Err(ParseError::new(
            term.operator_position,
            format!(
                "`{}` takes a value after `:` ({}:value); comparisons work on dur, joined and left",
                term.key, term.key
            ),
        )),
    }
}

/// The values of a list term, without duplicates, in the order typed.
fn list_values(term: &TermText, values: Vec<RawValue>) -> Result<Vec<String>, ParseError> {
    require_equality(term)?;
    let mut texts: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        check_not_empty(term, &value)?;
        if !texts.contains(&value.text) {
            texts.push(value.text);
        }
    }
    Ok(texts)
}

fn check_not_empty(term: &TermText, value: &RawValue) -> Result<(), ParseError> {
    if value.text.is_empty() {
        return Err(ParseError::new(
            value.position,
            format!("expected a value after `{}`", term.prefix),
        ));
    }
    Ok(())
}

fn single_value(term: &TermText, values: Vec<RawValue>) -> Result<RawValue, ParseError> {
    let mut values = values.into_iter();
    let first = values.next().expect("the lexer reads at least one value");
    if let Some(second) = values.next() {
        return Err(ParseError::new(
            second.position - 1,
            format!("`{}` takes a single value", term.key),
        ));
    }
    Ok(first)
}

fn boolean_term(
    term: &TermText,
    field: Field,
    values: Vec<RawValue>,
) -> Result<TermKind, ParseError> {
    require_equality(term)?;
    let value = single_value(term, values)?;
    let answer = match value.text.to_ascii_lowercase().as_str() {
        "yes" | "true" => true,
        "no" | "false" => false,
        _ => {
            return Err(ParseError::new(
                value.position,
                format!("expected yes or no after `{}`", term.prefix),
            ));
        }
    };
    Ok(TermKind::Server(Condition::Is {
        field,
        value: answer,
    }))
}

fn comparison(term: &TermText, allow_equal: bool) -> Result<Comparison, ParseError> {
    let comparison = match term.operator {
        Operator::Less => Comparison::Less,
        Operator::LessOrEqual => Comparison::LessOrEqual,
        Operator::Greater => Comparison::Greater,
        Operator::GreaterOrEqual => Comparison::GreaterOrEqual,
        Operator::Equal if allow_equal => Comparison::Equal,
        _ => {
            let (allowed, example) = if allow_equal {
                ("<, <=, >, >= or =", "5m")
            } else {
                ("<, <=, > or >=", "10:30")
            };
            let key = term.key;
            return Err(ParseError::new(
                term.operator_position,
                format!("`{key}` compares with {allowed}, as in {key}>{example}"),
            ));
        }
    };
    Ok(comparison)
}

fn duration_term(term: &TermText, values: Vec<RawValue>) -> Result<TermKind, ParseError> {
    let comparison = comparison(term, true)?;
    let value = single_value(term, values)?;
    let seconds = parse_duration(&value.text).ok_or_else(|| {
        ParseError::new(
            value.position,
            format!("expected a duration like 5m or 90s after `{}`", term.prefix),
        )
    })?;
    Ok(TermKind::Duration(comparison, seconds))
}

/// Parses `90s`, `5m`, `2h`, `1h30m`, `1h30m15s` (units in that order, each at most once).
pub(crate) fn parse_duration(text: &str) -> Option<i64> {
    let mut rest = text;
    let mut total: i64 = 0;
    let mut previous_size = i64::MAX;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let amount: i64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let size = match unit.to_ascii_lowercase() {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        if size >= previous_size {
            return None;
        }
        previous_size = size;
        total = total.checked_add(amount.checked_mul(size)?)?;
        rest = &rest[digits + 1..];
    }
    Some(total)
}

fn instant(
    term: &TermText,
    values: Vec<RawValue>,
    ctx: &ParseContext,
) -> Result<Instant, ParseError> {
    let comparison = comparison(term, false)?;
    let value = single_value(term, values)?;
    let resolved = match resolve(&value.text, &ctx.tz, ctx.window) {
        Some(Ok(resolved)) => resolved,
        Some(Err(_)) if ctx.provisional => guess(&value.text, &ctx.tz, ctx.window),
        Some(Err(message)) => return Err(ParseError::new(value.position, message)),
        None => {
            return Err(ParseError::new(
                value.position,
                format!(
                    "expected a time like 10:30, 2026-11-26T10:30 or 2026-11-26T10:30Z after `{}`",
                    term.prefix
                ),
            ));
        }
    };
    Ok(Instant {
        comparison,
        at: resolved.at,
        text: value.text,
        note: resolved.note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_unit_combinations_in_order() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("5m"), Some(300));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("1H30M15S"), Some(5415));
        assert_eq!(parse_duration("0s"), Some(0));
        for bad in ["", "5", "m", "5x", "30m1h", "1m1m", "1h 30m", "-5m"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }

    #[test]
    fn typos_in_field_names_get_a_suggestion() {
        assert_eq!(suggest_key("rol"), Some("role"));
        assert_eq!(suggest_key("usr"), Some("user"));
        assert_eq!(suggest_key("pub"), Some("publisher"));
        assert_eq!(suggest_key("joind"), Some("joined"));
        assert_eq!(suggest_key("zzzzzz"), None);
    }
}
