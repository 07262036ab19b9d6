//! The local part of a filter, compiled for speed: it runs on every fetched row at every
//! keystroke. Needles are lowercased, durations are seconds and times are nanoseconds once, at
//! compile time, so evaluating a row never allocates.

use std::fmt;

use super::ast::{Comparison, Expr, TermKind};
use super::conditions::{Condition, ConditionSubject};
use crate::api::models::ParticipantSessionDetails;
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// What the local part of a filter reads from a row.
pub trait LocalRow {
    fn user_id(&self) -> &str;
    fn user_session_id(&self) -> &str;
    fn publisher_type(&self) -> &str;
    fn roles(&self) -> impl Iterator<Item = &str>;
    fn joined_at(&self) -> Option<Nanos>;
    fn left_at(&self) -> Option<Nanos>;
    fn is_open(&self) -> bool;
    /// The session's length; an open session lasts until `now`.
    fn duration_seconds(&self, now: Nanos) -> i64;
}

impl LocalRow for ParticipantSessionDetails {
    fn user_id(&self) -> &str {
        &self.user_id
    }
    fn user_session_id(&self) -> &str {
        &self.user_session_id
    }
    fn publisher_type(&self) -> &str {
        &self.publisher_type
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(String::as_str)
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.joined_at
    }
    fn left_at(&self) -> Option<Nanos> {
        self.left_at
    }
    fn is_open(&self) -> bool {
        ParticipantSessionDetails::is_open(self)
    }
    fn duration_seconds(&self, now: Nanos) -> i64 {
        if let Some(seconds) = self.duration_in_seconds {
            return seconds;
        }
        let Some(joined) = self.joined_at else {
            return 0;
        };
        let end = self.left_at.unwrap_or(now);
        (end.saturating_sub(joined) / NANOS_PER_SEC).max(0)
    }
}

/// Shows a [`LocalRow`] to `filter_conditions` evaluation, so server-side terms evaluated
/// locally give exactly what `Conditions::matches` gives. Such rows cannot see
/// `published_tracks` nor `is_tech_user`, and `is_live` is whether the session is open.
pub(crate) struct AsSubject<'a, R>(pub &'a R);

impl<R: LocalRow> ConditionSubject for AsSubject<'_, R> {
    fn user_id(&self) -> &str {
        self.0.user_id()
    }
    fn publisher_type(&self) -> &str {
        self.0.publisher_type()
    }
    fn session_id(&self) -> &str {
        self.0.user_session_id()
    }
    fn is_live(&self) -> bool {
        self.0.is_open()
    }
}

/// The compiled local part of a filter. Displays as the filter text it was compiled from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicate {
    root: Node,
    description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    All(Box<[Node]>),
    Any(Box<[Node]>),
    Not(Box<Node>),
    Condition(Condition),
    Role(Box<[Box<str>]>),
    Duration(Comparison, i64),
    Joined(Comparison, Nanos),
    Left(Comparison, Nanos),
    Open(bool),
    UserContains(Needle),
}

impl Predicate {
    /// Compiles an expression holding only terms rows can see (the split guarantees it).
    pub(crate) fn compile(expr: &Expr) -> Predicate {
        Predicate {
            root: compile_node(expr),
            description: expr.to_string(),
        }
    }

    /// Whether the description is an `or` (it needs parentheses after other AND terms).
    pub(crate) fn is_alternative(&self) -> bool {
        matches!(self.root, Node::Any(_))
    }

    /// Whether the row passes; `now` ends open sessions.
    pub fn matches<R: LocalRow>(&self, row: &R, now: Nanos) -> bool {
        self.root.matches(row, now)
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

fn compile_node(expr: &Expr) -> Node {
    match expr {
        Expr::And(items) => Node::All(items.iter().map(compile_node).collect()),
        Expr::Or(items) => Node::Any(items.iter().map(compile_node).collect()),
        Expr::Not(inner) => Node::Not(Box::new(compile_node(inner))),
        Expr::Term(term) => match &term.kind {
            TermKind::Server(condition) => Node::Condition(condition.clone()),
            TermKind::Role(roles) => Node::Role(roles.iter().map(|r| r.as_str().into()).collect()),
            TermKind::Duration(comparison, seconds) => Node::Duration(*comparison, *seconds),
            TermKind::Joined(instant) => Node::Joined(instant.comparison, instant.at),
            TermKind::Left(instant) => Node::Left(instant.comparison, instant.at),
            TermKind::Open(open) => Node::Open(*open),
            TermKind::Word(word) => Node::UserContains(Needle::new(word)),
        },
    }
}

impl Node {
    fn matches<R: LocalRow>(&self, row: &R, now: Nanos) -> bool {
        match self {
            Node::All(nodes) => nodes.iter().all(|n| n.matches(row, now)),
            Node::Any(nodes) => nodes.iter().any(|n| n.matches(row, now)),
            Node::Not(node) => !node.matches(row, now),
            Node::Condition(condition) => condition.matches(&AsSubject(row)),
            Node::Role(wanted) => row.roles().any(|r| wanted.iter().any(|w| **w == *r)),
            Node::Duration(comparison, seconds) => {
                comparison.holds(row.duration_seconds(now), *seconds)
            }
            Node::Joined(comparison, at) => {
                row.joined_at().is_some_and(|j| comparison.holds(j, *at))
            }
            // An open session has not left yet: as everywhere in headcount, it ends at `now`.
            Node::Left(comparison, at) => comparison.holds(row.left_at().unwrap_or(now), *at),
            Node::Open(open) => row.is_open() == *open,
            Node::UserContains(needle) => needle.is_in(row.user_id()),
        }
    }
}

/// A case-insensitive substring, lowercased once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Needle {
    lowercase: String,
}

impl Needle {
    fn new(text: &str) -> Needle {
        Needle {
            lowercase: text.chars().flat_map(char::to_lowercase).collect(),
        }
    }

    fn is_in(&self, haystack: &str) -> bool {
        if haystack.is_ascii() && self.lowercase.is_ascii() {
            let needle = self.lowercase.as_bytes();
            return haystack
                .as_bytes()
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle));
        }
        haystack
            .char_indices()
            .any(|(start, _)| starts_with_lowercase(&haystack[start..], &self.lowercase))
    }
}

/// Whether `text`, lowercased character by character, starts with `lowercase`.
fn starts_with_lowercase(text: &str, lowercase: &str) -> bool {
    let mut expected = lowercase.chars();
    let mut lowered = text.chars().flat_map(char::to_lowercase);
    expected.all(|c| lowered.next() == Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_ignore_case_in_ascii_and_unicode() {
        let needle = Needle::new("Bot");
        assert!(needle.is_in("recorder-BOT-1"));
        assert!(!needle.is_in("robo"));
        let accented = Needle::new("ÉLO");
        assert!(accented.is_in("mélodie"));
        assert!(!accented.is_in("melodie"));
        assert!(Needle::new("bot").is_in("Été-bot"));
    }

    #[test]
    fn open_sessions_last_until_now() {
        let row = ParticipantSessionDetails {
            user_id: "alice".into(),
            user_session_id: "s1".into(),
            publisher_type: "webrtc".into(),
            roles: vec!["host".into()],
            joined_at: Some(10 * NANOS_PER_SEC),
            left_at: None,
            duration_in_seconds: None,
        };
        assert_eq!(row.duration_seconds(100 * NANOS_PER_SEC), 90);
        let closed = ParticipantSessionDetails {
            left_at: Some(40 * NANOS_PER_SEC),
            duration_in_seconds: Some(31),
            ..row
        };
        assert_eq!(closed.duration_seconds(100 * NANOS_PER_SEC), 31);
    }
}
