//! The filter language of the filter bar, and Stream's `filter_conditions`.
//!
//! The text typed becomes one [`Filter`] with two parts: `filter_conditions` for what the
//! endpoint can filter (sent with every page request), and a compiled `Predicate` for what
//! only headcount can check (roles, durations, times, negations, `or` across fields), applied to
//! the fetched rows. The language is described in `docs/filter-language.md`.
//!
//! Visibility: `pub` is what the integration tests and benches use ([`Filter`], its parse
//! error, `filter_conditions` evaluation, the single-row evaluator's [`LocalRow`]); everything
//! else is `pub(crate)` or private.

pub mod conditions;

mod ast;
mod error;
mod lexer;
mod parser;
mod predicate;
mod raw_json;
mod split;
mod term;
mod time;

use std::fmt;

use jiff::tz::TimeZone;
use serde_json::Value;

use crate::api::timestamp::Nanos;
use ast::Expr;
use conditions::Conditions;
pub use error::ParseError;
pub use predicate::LocalRow;
pub(crate) use predicate::{Needle, PersonTest, Predicate, Reads, TimeTest};
pub(crate) use time::{ResolvedTime, TimeWindow};

/// What times in a filter are relative to: `joined>10:30` is the occurrence of 10:30 in `tz`
/// inside `window` (see `time`).
#[derive(Debug, Clone)]
pub struct ParseContext {
    pub(crate) tz: TimeZone,
    pub(crate) window: TimeWindow,
    /// The call window is not known yet (`window` is a guess): a time that names no single
    /// instant in it is read anyway, to be read again once the window is known.
    pub(crate) provisional: bool,
    /// The publisher types the session's rows have shown (the dashboard's
    /// `attendance::Seen`), which `publisher:` accepts besides Stream's known ones; `None`
    /// where no row is known yet by design (the command line checks a filter before reading).
    pub(crate) publishers_seen: Option<Vec<Box<str>>>,
}

impl ParseContext {
    /// The context of a call that started at `start` and is live (or whose end is not known):
    /// bare times are found in the 24 hours from `start`.
    pub fn at(tz: TimeZone, start: Nanos) -> ParseContext {
        ParseContext::in_window(tz, TimeWindow { start, end: None })
    }

    /// The context of a call that ran from `start` to `end`.
    pub fn within(tz: TimeZone, start: Nanos, end: Nanos) -> ParseContext {
        let end = Some(end.max(start));
        ParseContext::in_window(tz, TimeWindow { start, end })
    }

    pub(crate) fn in_window(tz: TimeZone, window: TimeWindow) -> ParseContext {
        ParseContext {
            tz,
            window,
            provisional: false,
            publishers_seen: None,
        }
    }

    /// The same context, where the session's rows have shown `publishers` (any of Stream's
    /// known types among them): `publisher:` accepts those too.
    pub(crate) fn with_publishers_seen<'a>(
        mut self,
        publishers: impl IntoIterator<Item = &'a str>,
    ) -> ParseContext {
        self.publishers_seen = Some(publishers.into_iter().map(Box::from).collect());
        self
    }

    /// Before anything is known of the call: times of day are read in the day after `now`,
    /// without refusing one that names no single instant there. Enough for the syntax and
    /// the server part, which no time changes; the local part is read again in the window.
    pub(crate) fn provisional(tz: TimeZone, now: Nanos) -> ParseContext {
        ParseContext {
            provisional: true,
            ..ParseContext::at(tz, now)
        }
    }
}

/// A parsed filter: the server part is sent as `filter_conditions`, the local part is applied
/// to the rows the server returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub server: Conditions,
    pub local: Option<Predicate>,
    /// The local part as the Expected view evaluates it, once per person, when it has a
    /// person's term (`state:`, `member:`). Rows have no state, so `local` is this part
    /// without those terms: they apply to the Expected view only.
    pub person: Option<Predicate>,
    /// The text as typed.
    pub source: String,
    /// The whole filter as it was grouped, with every grouping in parentheses:
    /// `role:host or (dur>10m !bot)`.
    pub grouped: String,
    /// Each time the filter compares with, and the instant it stands for, in the order typed.
    pub times: Vec<ResolvedTime>,
}

/// What `source` looks for in user ids: the values of its `user:` terms and its bare words, in
/// the order typed; nothing when it does not parse or is raw JSON.
pub(crate) fn searched_ids(source: &str, ctx: &ParseContext) -> Vec<String> {
    if source.trim_start().starts_with('{') {
        return Vec::new();
    }
    match parser::parse_expression(source, ctx) {
        Ok(Some(expr)) => ast::searched_ids(&expr),
        _ => Vec::new(),
    }
}

/// Parses the filter bar's text (or raw `filter_conditions` JSON when it starts with `{`).
pub fn parse(input: &str, ctx: &ParseContext) -> Result<Filter, ParseError> {
    let source = input.to_owned();
    if input.trim_start().starts_with('{') {
        let server = raw_json::parse_json(input)?;
        return Ok(Filter {
            server,
            local: None,
            person: None,
            grouped: input.trim().to_owned(),
            source,
            times: Vec::new(),
        });
    }
    let Some(expr) = parser::parse_expression(input, ctx)? else {
        return Ok(Filter {
            server: Conditions::default(),
            local: None,
            person: None,
            source,
            grouped: String::new(),
            times: Vec::new(),
        });
    };
    let grouped = ast::Grouped(&expr).to_string();
    let times = ast::times(&expr);
    let split = split::split(expr)?;
    let local = split.local;
    let person = local
        .iter()
        .any(Expr::has_person_term)
        .then(|| compile_all(local.clone()));
    let rows: Vec<Expr> = local
        .into_iter()
        .filter_map(Expr::without_person_terms)
        .collect();
    Ok(Filter {
        server: Conditions::new(split.server),
        local: compile_all(rows),
        person: person.flatten(),
        source,
        grouped,
        times,
    })
}

/// The AND of `conjuncts`, compiled; `None` for none.
fn compile_all(mut conjuncts: Vec<Expr>) -> Option<Predicate> {
    match conjuncts.len() {
        0 => None,
        1 => Some(Predicate::compile(&conjuncts.remove(0))),
        _ => Some(Predicate::compile(&Expr::And(conjuncts))),
    }
}

impl Filter {
    /// The `filter_conditions` to send; `None` when the server part is empty.
    pub fn server_json(&self) -> Option<Value> {
        (!self.server.is_empty()).then(|| self.server.to_json())
    }

    /// Whether the filter keeps every row and every person.
    pub fn is_empty(&self) -> bool {
        self.server.is_empty() && self.local.is_none() && self.person.is_none()
    }

    /// The local-only part as filter text (`role:host dur>5m`), shown beside the JSON; with
    /// the terms on a person of the Expected view.
    pub fn local_description(&self) -> Option<String> {
        self.person
            .as_ref()
            .or(self.local.as_ref())
            .map(Predicate::to_string)
    }

    /// Whether the filter has terms on a person (`state:`, `member:`), which only the
    /// Expected view applies.
    pub fn has_person_terms(&self) -> bool {
        self.person.is_some()
    }

    /// The whole filter on a row: the server part as Stream would apply it (fields the row
    /// cannot see are taken as already applied), then the local part.
    pub fn matches<R: LocalRow>(&self, row: &R, now: Nanos) -> bool {
        self.server.matches(row) && self.matches_local(row, now)
    }

    /// The local part only: what to apply to rows the server already filtered.
    pub fn matches_local<R: LocalRow>(&self, row: &R, now: Nanos) -> bool {
        self.local.as_ref().is_none_or(|p| p.matches(row, now))
    }
}

/// The canonical filter text: server terms first, then the local part. Parsing it gives the
/// same filter back.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, condition) in self.server.iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            ast::write_condition(f, condition)?;
        }
        let Some(local) = self.person.as_ref().or(self.local.as_ref()) else {
            return Ok(());
        };
        if self.server.is_empty() {
            write!(f, "{local}")
        } else if local.is_alternative() {
            write!(f, " ({local})")
        } else {
            write!(f, " {local}")
        }
    }
}
