//! The parsed filter expression, and its canonical text.
//!
//! Display writes the shortest text that parses back to the same expression: it is what the
//! filter bar shows as the local part and what `Filter`'s Display is built from.

use std::fmt::{self, Display, Formatter, Write};

use super::conditions::{Condition, ConditionField};
use super::term::{Instant, TermKind, field_keyword, is_keyword};
use super::time::ResolvedTime;

/// A filter expression. `And` and `Or` are kept flat: a child is never of its parent's kind.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Term(Term),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// Whether a term on a person of the Expected view (`state:`, `member:`) is in it.
    pub(crate) fn has_person_term(&self) -> bool {
        match self {
            Expr::Term(term) => term.kind.is_per_person(),
            Expr::Not(inner) => inner.has_person_term(),
            Expr::And(items) | Expr::Or(items) => items.iter().any(Expr::has_person_term),
        }
    }

    /// The expression rows are tested with: without the terms on a person, as if they were
    /// not typed (`None` when nothing is left). Rows have no state, and the views of rows say
    /// that these terms apply to the Expected view only.
    pub(crate) fn without_person_terms(self) -> Option<Expr> {
        // Kept flat: a child left alone in its group joins the parent when of its kind.
        let rebuild = |items: Vec<Expr>, and: bool| {
            let mut kept = Vec::with_capacity(items.len());
            for item in items.into_iter().filter_map(Expr::without_person_terms) {
                match item {
                    Expr::And(inner) if and => kept.extend(inner),
                    Expr::Or(inner) if !and => kept.extend(inner),
                    other => kept.push(other),
                }
            }
            match kept.len() {
                0 => None,
                1 => kept.pop(),
                _ if and => Some(Expr::And(kept)),
                _ => Some(Expr::Or(kept)),
            }
        };
        match self {
            Expr::Term(term) if term.kind.is_per_person() => None,
            Expr::Term(term) => Some(Expr::Term(term)),
            Expr::Not(inner) => inner.without_person_terms().map(|e| Expr::Not(Box::new(e))),
            Expr::And(items) => rebuild(items, true),
            Expr::Or(items) => rebuild(items, false),
        }
    }
}

/// One term and where it starts in the input, for errors found after parsing.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub(crate) kind: TermKind,
    pub(crate) position: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
}

impl Comparison {
    pub(crate) fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Equal => left == right,
        }
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Equal => "=",
        }
    }
}

/// Formats seconds as the duration syntax: `1h30m`, `45s`, `0s`.
pub(crate) fn format_duration(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".to_owned();
    }
    let parts = [
        (seconds / 3600, 'h'),
        (seconds / 60 % 60, 'm'),
        (seconds % 60, 's'),
    ];
    let mut text = String::new();
    for (amount, unit) in parts {
        if amount > 0 {
            let _ = write!(text, "{amount}{unit}");
        }
    }
    text
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Term(term) => term.kind.fmt(f),
            Expr::Not(inner) => match **inner {
                Expr::Term(_) | Expr::Not(_) => write!(f, "!{inner}"),
                _ => write!(f, "!({inner})"),
            },
            Expr::And(items) => write_joined(f, items, " ", |e| matches!(e, Expr::Or(_))),
            Expr::Or(items) => write_joined(f, items, " or ", |_| false),
        }
    }
}

fn write_joined(
    f: &mut Formatter<'_>,
    items: &[Expr],
    separator: &str,
    needs_parentheses: impl Fn(&Expr) -> bool,
) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        if needs_parentheses(item) {
            write!(f, "({item})")?;
        } else {
            write!(f, "{item}")?;
        }
    }
    Ok(())
}

/// An expression written with every grouping in parentheses, so that how it was read shows:
/// `role:host or dur>10m !bot` is `role:host or (dur>10m !bot)`.
pub(crate) struct Grouped<'a>(pub &'a Expr);

impl Display for Grouped<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (items, separator) = match self.0 {
            Expr::Term(term) => return term.kind.fmt(f),
            Expr::Not(inner) => {
                return match **inner {
                    Expr::Term(_) | Expr::Not(_) => write!(f, "!{}", Grouped(inner)),
                    _ => write!(f, "!({})", Grouped(inner)),
                };
            }
            Expr::And(items) => (items, " "),
            Expr::Or(items) => (items, " or "),
        };
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                f.write_str(separator)?;
            }
            match item {
                Expr::And(_) | Expr::Or(_) => write!(f, "({})", Grouped(item))?,
                _ => write!(f, "{}", Grouped(item))?,
            }
        }
        Ok(())
    }
}

/// Every time the expression compares with, in the order typed.
pub(crate) fn times(expr: &Expr) -> Vec<ResolvedTime> {
    let mut found = Vec::new();
    collect_times(expr, &mut found);
    found
}

fn collect_times(expr: &Expr, found: &mut Vec<ResolvedTime>) {
    match expr {
        Expr::Term(Term {
            kind: TermKind::Joined(instant) | TermKind::Left(instant),
            ..
        }) => found.push(ResolvedTime {
            text: instant.text.clone(),
            at: instant.at,
            note: instant.note.clone(),
        }),
        Expr::Term(_) => {}
        Expr::Not(inner) => collect_times(inner, found),
        Expr::And(items) | Expr::Or(items) => {
            items.iter().for_each(|item| collect_times(item, found));
        }
    }
}

/// What the expression looks for in user ids: the values of its `user:` terms and its bare
/// words, in the order typed.
pub(crate) fn searched_ids(expr: &Expr) -> Vec<String> {
    let mut found = Vec::new();
    collect_searched(expr, &mut found);
    found
}

fn collect_searched(expr: &Expr, found: &mut Vec<String>) {
    match expr {
        Expr::Term(Term {
            kind:
                TermKind::Server(Condition::OneOf {
                    field: ConditionField::UserId,
                    values,
                }),
            ..
        }) => found.extend(values.iter().cloned()),
        Expr::Term(Term {
            kind: TermKind::Word(needle),
            ..
        }) => found.push(needle.text().to_owned()),
        Expr::Term(_) => {}
        Expr::Not(inner) => collect_searched(inner, found),
        Expr::And(items) | Expr::Or(items) => {
            items.iter().for_each(|item| collect_searched(item, found));
        }
    }
}

/// Writes a `filter_conditions` condition as the term that produces it.
pub(crate) fn write_condition(f: &mut Formatter<'_>, condition: &Condition) -> fmt::Result {
    match condition {
        Condition::OneOf { field, values } => {
            write_list(f, &format!("{}:", field_keyword(*field)), values)
        }
        Condition::Is { field, value } => {
            let answer = if *value { "yes" } else { "no" };
            write!(f, "{}:{answer}", field_keyword(*field))
        }
    }
}

pub(super) fn write_list(f: &mut Formatter<'_>, prefix: &str, values: &[String]) -> fmt::Result {
    f.write_str(prefix)?;
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            f.write_char(',')?;
        }
        write_value(f, value)?;
    }
    Ok(())
}

pub(super) fn write_instant(f: &mut Formatter<'_>, key: &str, instant: &Instant) -> fmt::Result {
    write!(f, "{key}{}", instant.comparison.symbol())?;
    write_value(f, &instant.text)
}

/// Writes a value after `key:`, quoted when it holds a character that would end or split it.
fn write_value(f: &mut Formatter<'_>, value: &str) -> fmt::Result {
    let plain = !value.is_empty() && !value.chars().any(ends_value);
    write_maybe_quoted(f, value, plain)
}

/// Writes a bare word, quoted also when it would be read as a keyword or as `key:value`.
pub(super) fn write_word(f: &mut Formatter<'_>, word: &str) -> fmt::Result {
    let plain = !word.is_empty()
        && !word.chars().any(|c| ends_value(c) || ":=<>".contains(c))
        && !is_keyword(word);
    write_maybe_quoted(f, word, plain)
}

fn ends_value(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "()|&!\",\\".contains(c)
}

fn write_maybe_quoted(f: &mut Formatter<'_>, text: &str, plain: bool) -> fmt::Result {
    if plain {
        return f.write_str(text);
    }
    f.write_char('"')?;
    for c in text.chars() {
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_the_largest_units() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(90), "1m30s");
        assert_eq!(format_duration(5400), "1h30m");
        assert_eq!(format_duration(3600 * 30 + 5), "30h5s");
    }
}
