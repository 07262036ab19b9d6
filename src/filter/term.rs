//! Turns a lexed `key<op>values` or bare word into a typed term: checks the field name, the
//! operator and the values (lists, yes/no, durations, times).

use std::fmt::{self, Display, Formatter};

use super::ParseContext;
use super::ast::{
    Comparison, format_duration, write_condition, write_instant, write_list, write_word,
};
use super::conditions::{Condition, ConditionField};
use super::error::ParseError;
use super::lexer::{Keyed, Operator, RawValue};
use super::predicate::{LocalRow, Needle, Reads, TimeTest};
use super::time::{guess, resolve};
use crate::api::PublisherType;
use crate::api::timestamp::Nanos;
use crate::attendance::State;

/// What a term tests: how its values are read, how it is written back, what it reads from a
/// row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    /// A field of `filter_conditions` (`user:a,b`, `live:yes`): Stream can filter it.
    Field(ConditionField),
    Role,
    Duration,
    Joined,
    Left,
    /// A bare word: `open` (true) or `closed` (false).
    Open(bool),
    /// A bare word: the row has a problem.
    Problem,
    /// A person's state in the Expected view (`state:absent,missed`).
    State,
    /// Whether a person is an expected member (`member:no`).
    Member,
}

/// One term of the language: the names it is typed as, the short one first (the one it is
/// written back as), then the API's own names.
struct TermName {
    names: &'static [&'static str],
    meaning: Meaning,
    /// The one part of a row its test reads, which the store binds it to.
    reads: Reads,
}

const fn term(names: &'static [&'static str], meaning: Meaning, reads: Reads) -> TermName {
    TermName {
        names,
        meaning,
        reads,
    }
}

/// Every term of the language but a search in user ids. The parser's field names, its
/// suggestions and the list in its errors, the words that must be quoted to be searched, the
/// canonical text and what each test reads from a row all come from here; `docs/
/// filter-language.md` describes them for people.
const TERMS: &[TermName] = &[
    term(
        &["user", "user_id"],
        Meaning::Field(ConditionField::UserId),
        Reads::UserId,
    ),
    term(
        &["publisher", "publisher_type"],
        Meaning::Field(ConditionField::PublisherType),
        Reads::PublisherType,
    ),
    term(
        &["session", "session_id", "user_session_id"],
        Meaning::Field(ConditionField::SessionId),
        Reads::SessionId,
    ),
    term(
        &["track", "tracks", "published_tracks"],
        Meaning::Field(ConditionField::PublishedTracks),
        Reads::Nothing,
    ),
    term(&["role", "roles"], Meaning::Role, Reads::Roles),
    // `live:` is whether the session is open, which the row's times and its session tell.
    term(
        &["live", "is_live"],
        Meaning::Field(ConditionField::IsLive),
        Reads::Times,
    ),
    term(
        &["tech", "is_tech_user"],
        Meaning::Field(ConditionField::IsTechUser),
        Reads::Nothing,
    ),
    term(&["dur", "duration"], Meaning::Duration, Reads::Times),
    term(&["joined", "joined_at"], Meaning::Joined, Reads::Times),
    term(&["left", "left_at"], Meaning::Left, Reads::Times),
    term(&["open"], Meaning::Open(true), Reads::Times),
    term(&["closed"], Meaning::Open(false), Reads::Times),
    term(&["problem", "problems"], Meaning::Problem, Reads::Times),
    // Per person, in the Expected view; rows have no state.
    term(&["state"], Meaning::State, Reads::Person),
    term(&["member"], Meaning::Member, Reads::Person),
];

impl Meaning {
    /// Typed alone (`open`), not as `key<op>values`.
    fn is_bare(self) -> bool {
        matches!(self, Meaning::Open(_) | Meaning::Problem)
    }
}

fn term_of(meaning: Meaning) -> &'static TermName {
    TERMS
        .iter()
        .find(|term| term.meaning == meaning)
        .expect("every meaning has its line in TERMS")
}

/// The name a term is written back as.
fn short_name(meaning: Meaning) -> &'static str {
    term_of(meaning).names[0]
}

/// The short name of a `filter_conditions` field in the language.
pub(crate) fn field_keyword(field: ConditionField) -> &'static str {
    short_name(Meaning::Field(field))
}

/// The names of keyed terms, every short name first then the API's own names, which is the
/// order suggestions prefer.
fn key_names() -> impl Iterator<Item = (&'static str, Meaning)> {
    let keyed = || TERMS.iter().filter(|term| !term.meaning.is_bare());
    let short = keyed().map(|term| (term.names[0], term.meaning));
    let long = keyed().flat_map(|term| term.names[1..].iter().map(|name| (*name, term.meaning)));
    short.chain(long)
}

/// A bare word the language reads as a term, in any case.
fn bare_term(word: &str) -> Option<Meaning> {
    TERMS
        .iter()
        .filter(|term| term.meaning.is_bare())
        .find(|term| {
            term.names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(word))
        })
        .map(|term| term.meaning)
}

/// Whether a bare word is read as an operator or a term, so that a search for it must be
/// quoted.
pub(crate) fn is_keyword(word: &str) -> bool {
    ["or", "and", "not"]
        .iter()
        .any(|operator| operator.eq_ignore_ascii_case(word))
        || bare_term(word).is_some()
}

/// One parsed term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TermKind {
    /// A test on a field of `filter_conditions` (`user:`, `publisher:`, `session:`, `track:`,
    /// `live:`, `tech:`).
    Server(Condition),
    /// The row has one of these roles.
    Role(Vec<String>),
    /// Compares the session's duration, in seconds.
    Duration(Comparison, i64),
    Joined(Instant),
    Left(Instant),
    /// `open` (true) or `closed` (false).
    Open(bool),
    /// `problem`: the row has a problem (a leave not recorded, a negative duration…).
    Problem,
    /// A case-insensitive substring of the user id.
    Word(Needle),
    /// The person is in one of these states (Expected view only).
    State(Vec<State>),
    /// The person is (`true`) or is not an expected member (Expected view only).
    Member(bool),
}

/// An instant typed by the user: the time it stands for and the text it was written as, so the
/// description shows `10:30` rather than nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instant {
    pub(crate) comparison: Comparison,
    pub(crate) at: Nanos,
    pub(crate) text: String,
    /// Said when the time had more than one reading (a wall time the zone repeats).
    pub(crate) note: Option<String>,
}

impl TermKind {
    /// The one part of a row the term's test reads.
    pub(crate) fn reads(&self) -> Reads {
        match self {
            TermKind::Server(condition) => term_of(Meaning::Field(condition.field())).reads,
            TermKind::Role(_) => term_of(Meaning::Role).reads,
            TermKind::Duration(..) => term_of(Meaning::Duration).reads,
            TermKind::Joined(_) => term_of(Meaning::Joined).reads,
            TermKind::Left(_) => term_of(Meaning::Left).reads,
            TermKind::Open(open) => term_of(Meaning::Open(*open)).reads,
            TermKind::Problem => term_of(Meaning::Problem).reads,
            TermKind::Word(_) => Reads::UserId,
            TermKind::State(_) => term_of(Meaning::State).reads,
            TermKind::Member(_) => term_of(Meaning::Member).reads,
        }
    }

    /// Whether the term tests a person of the Expected view rather than a row.
    pub(crate) fn is_per_person(&self) -> bool {
        self.reads() == Reads::Person
    }

    /// The test when it reads only times, as a value evaluators can keep.
    pub(crate) fn time_test(&self) -> Option<TimeTest> {
        match *self {
            TermKind::Server(Condition::Is {
                field: ConditionField::IsLive,
                value,
            }) => Some(TimeTest::Open(value)),
            TermKind::Duration(comparison, seconds) => {
                Some(TimeTest::Duration(comparison, seconds))
            }
            TermKind::Joined(ref instant) => Some(TimeTest::Joined(instant.comparison, instant.at)),
            TermKind::Left(ref instant) => Some(TimeTest::Left(instant.comparison, instant.at)),
            TermKind::Open(open) => Some(TimeTest::Open(open)),
            TermKind::Problem => Some(TimeTest::Problem),
            TermKind::Server(_)
            | TermKind::Role(_)
            | TermKind::Word(_)
            | TermKind::State(_)
            | TermKind::Member(_) => None,
        }
    }

    /// Whether `row` passes the term; `now` ends open sessions.
    #[inline]
    pub(crate) fn matches<R: LocalRow>(&self, row: &R, now: Nanos) -> bool {
        match self {
            TermKind::Server(condition) => condition.matches(row),
            TermKind::Role(wanted) => row.roles().any(|r| wanted.iter().any(|w| w == r)),
            TermKind::Word(needle) => needle.is_in(row.user_id()),
            TermKind::Duration(comparison, seconds) => {
                TimeTest::Duration(*comparison, *seconds).matches(row, now)
            }
            TermKind::Joined(instant) => {
                TimeTest::Joined(instant.comparison, instant.at).matches(row, now)
            }
            TermKind::Left(instant) => {
                TimeTest::Left(instant.comparison, instant.at).matches(row, now)
            }
            TermKind::Open(open) => TimeTest::Open(*open).matches(row, now),
            TermKind::Problem => TimeTest::Problem.matches(row, now),
            // Rows have no state; a filter's row part never holds these (`Filter::person`).
            TermKind::State(_) | TermKind::Member(_) => true,
        }
    }
}

/// The shortest text that parses back to the same term.
impl Display for TermKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TermKind::Server(condition) => write_condition(f, condition),
            TermKind::Role(roles) => {
                write_list(f, &format!("{}:", short_name(Meaning::Role)), roles)
            }
            TermKind::Duration(comparison, seconds) => write!(
                f,
                "{}{}{}",
                short_name(Meaning::Duration),
                comparison.symbol(),
                format_duration(*seconds)
            ),
            TermKind::Joined(instant) => write_instant(f, short_name(Meaning::Joined), instant),
            TermKind::Left(instant) => write_instant(f, short_name(Meaning::Left), instant),
            TermKind::Open(open) => f.write_str(short_name(Meaning::Open(*open))),
            TermKind::Problem => f.write_str(short_name(Meaning::Problem)),
            TermKind::Word(needle) => write_word(f, needle.text()),
            TermKind::State(states) => {
                let names: Vec<String> = states.iter().map(|s| s.name().to_owned()).collect();
                write_list(f, &format!("{}:", short_name(Meaning::State)), &names)
            }
            TermKind::Member(member) => write!(
                f,
                "{}:{}",
                short_name(Meaning::Member),
                if *member { "yes" } else { "no" }
            ),
        }
    }
}

/// A bare word: `open`, `closed`, `problem`, or a search in user ids.
pub(crate) fn word_term(word: RawValue) -> Result<TermKind, ParseError> {
    if word.text.is_empty() {
        return Err(ParseError::new(
            word.position,
            "empty quotes: type the text to look for in user ids",
        ));
    }
    let meaning = if word.quoted {
        None
    } else {
        bare_term(&word.text)
    };
    Ok(match meaning {
        Some(Meaning::Open(open)) => TermKind::Open(open),
        Some(Meaning::Problem) => TermKind::Problem,
        _ => TermKind::Word(Needle::new(word.text)),
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
        Meaning::Field(field) if is_boolean(field) => boolean_term(&term, field, keyed.values),
        Meaning::Field(ConditionField::PublisherType) => {
            check_publisher_types(&keyed.values, ctx)?;
            let values = list_values(&term, keyed.values)?;
            Ok(TermKind::Server(Condition::OneOf {
                field: ConditionField::PublisherType,
                values,
            }))
        }
        Meaning::Field(field) => {
            let values = list_values(&term, keyed.values)?;
            Ok(TermKind::Server(Condition::OneOf { field, values }))
        }
        Meaning::Role => Ok(TermKind::Role(list_values(&term, keyed.values)?)),
        Meaning::Duration => duration_term(&term, keyed.values),
        Meaning::Joined => Ok(TermKind::Joined(instant(&term, keyed.values, ctx)?)),
        Meaning::Left => Ok(TermKind::Left(instant(&term, keyed.values, ctx)?)),
        Meaning::State => state_term(&term, keyed.values),
        Meaning::Member => Ok(TermKind::Member(yes_or_no(&term, keyed.values)?)),
        Meaning::Open(_) | Meaning::Problem => unreachable!("key_names lists keyed terms only"),
    }
}

/// Refuses a publisher type that neither Stream documents ([`PublisherType`]) nor the
/// session's rows have shown: Stream's filter is exact, so `publisher:rtmpp` would be sent as
/// is and match nothing, which reads as "nobody came that way". A type the rows have shown is
/// one Stream added since, and is accepted. Without rows to look at (the command line checks
/// a filter before reading), the error says how to send any type: the JSON form.
fn check_publisher_types(values: &[RawValue], ctx: &ParseContext) -> Result<(), ParseError> {
    let seen = ctx.publishers_seen.as_deref().unwrap_or_default();
    let accepted =
        |text: &str| PublisherType::from_name(text).is_some() || seen.iter().any(|s| &**s == text);
    let Some(unknown) = values
        .iter()
        .find(|value| !value.text.is_empty() && !accepted(&value.text))
    else {
        return Ok(());
    };
    let known: Vec<&str> = PublisherType::names().collect();
    let others: Vec<&str> = seen
        .iter()
        .map(|s| &**s)
        .filter(|s| PublisherType::from_name(s).is_none())
        .collect();
    let mut message = format!(
        "`{}` is not a publisher type: Stream's are {}",
        unknown.text,
        known.join(", ")
    );
    if ctx.publishers_seen.is_none() {
        message.push_str(&format!(
            " (a type Stream added since goes in the JSON form: \
             {{\"publisher_type\":\"{}\"}})",
            unknown.text
        ));
    }
    if !others.is_empty() {
        message.push_str(&format!(
            "; this session's rows also have {}",
            others.join(", ")
        ));
    }
    let candidates = known.iter().chain(&others).copied();
    if let [closest] = crate::attendance::closest_ids(&unknown.text, candidates, 1)[..] {
        message.push_str(&format!("; did you mean `{closest}`?"));
    }
    Err(ParseError::new(unknown.position, message))
}

/// How the term was typed, for messages.
struct TermText<'a> {
    prefix: String,
    key: &'a str,
    operator: Operator,
    operator_position: usize,
}

fn lookup_key(name: &str) -> Option<Meaning> {
    key_names()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, meaning)| meaning)
}

fn unknown_key_message(name: &str) -> String {
    match suggest_key(name) {
        Some(known) => format!("unknown field `{name}`; did you mean `{known}`?"),
        None => {
            let known: Vec<&str> = TERMS
                .iter()
                .filter(|term| !term.meaning.is_bare())
                .map(|term| term.names[0])
                .collect();
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
    key_names()
        .map(|(known, _)| known)
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

fn is_boolean(field: ConditionField) -> bool {
    matches!(field, ConditionField::IsLive | ConditionField::IsTechUser)
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
    field: ConditionField,
    values: Vec<RawValue>,
) -> Result<TermKind, ParseError> {
    Ok(TermKind::Server(Condition::Is {
        field,
        value: yes_or_no(term, values)?,
    }))
}

/// The single `yes`/`no` (or `true`/`false`) of a term.
fn yes_or_no(term: &TermText, values: Vec<RawValue>) -> Result<bool, ParseError> {
    require_equality(term)?;
    let value = single_value(term, values)?;
    match value.text.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(ParseError::new(
            value.position,
            format!("expected yes or no after `{}`", term.prefix),
        )),
    }
}

/// `state:absent,missed`: states by the names exports use (`not_member` reads as
/// `not-member`), each once.
fn state_term(term: &TermText, values: Vec<RawValue>) -> Result<TermKind, ParseError> {
    require_equality(term)?;
    let mut states = Vec::with_capacity(values.len());
    for value in values {
        check_not_empty(term, &value)?;
        let wanted = value.text.to_ascii_lowercase().replace('_', "-");
        let Some(state) = State::ALL.into_iter().find(|state| state.name() == wanted) else {
            let names: Vec<&str> = State::ALL.iter().map(|state| state.name()).collect();
            return Err(ParseError::new(
                value.position,
                format!(
                    "unknown state `{}`; the states are {}",
                    value.text,
                    names.join(", ")
                ),
            ));
        };
        if !states.contains(&state) {
            states.push(state);
        }
    }
    Ok(TermKind::State(states))
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
    fn the_table_names_each_term_once_and_drives_every_list_of_names() {
        let mut seen = std::collections::HashSet::new();
        for term in TERMS {
            for name in term.names {
                assert!(seen.insert(name.to_ascii_lowercase()), "{name} twice");
            }
            assert_eq!(term_of(term.meaning).names, term.names);
        }
        assert_eq!(
            lookup_key("USER_SESSION_ID"),
            Some(Meaning::Field(ConditionField::SessionId))
        );
        assert_eq!(lookup_key("open"), None, "a bare word is no field");
        assert_eq!(field_keyword(ConditionField::PublishedTracks), "track");
        for word in ["or", "AND", "not", "open", "Closed", "problem", "problems"] {
            assert!(is_keyword(word), "{word}");
        }
        assert!(!is_keyword("user"));
        // A search for a term's name is written quoted, so that it reads back as a search.
        assert_eq!(
            TermKind::Word(Needle::new("problems")).to_string(),
            "\"problems\""
        );
        assert!(unknown_key_message("zzzzzz").contains(
            "fields are user, publisher, session, track, role, live, tech, dur, joined, left"
        ));
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
