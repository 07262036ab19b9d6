//! Splits a parsed expression into what Stream filters and what headcount filters itself.
//!
//! Only top-level AND terms on `filter_conditions` fields go to the server, so the server part
//! never drops a row the whole expression keeps; anything under `!` or in an `or` mixing fields
//! is evaluated locally. Fields rows cannot see (`track:`, `tech:`) have no local fallback, so
//! they are refused anywhere but at the top level.

use super::ast::{Expr, Term};
use super::conditions::{Condition, ConditionField};
use super::error::ParseError;
use super::term::TermKind;

#[derive(Debug, Default)]
pub(crate) struct Split {
    /// At most one condition per field: `filter_conditions` is a JSON object keyed by field.
    pub(crate) server: Vec<Condition>,
    /// Top-level AND terms evaluated on fetched rows.
    pub(crate) local: Vec<Expr>,
}

/// What a top-level AND term is to the server.
enum ServerSide {
    Condition(Condition, usize),
    /// `live:yes or live:no`: every row passes, nothing to send or check.
    AlwaysTrue,
    Local,
}

pub(crate) fn split(expr: Expr) -> Result<Split, ParseError> {
    let conjuncts = match expr {
        Expr::And(items) => items,
        other => vec![other],
    };
    let mut split = Split::default();
    for conjunct in conjuncts {
        match server_side(&conjunct) {
            ServerSide::Condition(condition, position) => {
                split.add_server(condition, position, conjunct)?;
            }
            ServerSide::AlwaysTrue => {}
            ServerSide::Local => {
                check_visible(&conjunct)?;
                split.local.push(conjunct);
            }
        }
    }
    Ok(split)
}

impl Split {
    /// Adds a condition, ANDing it with an earlier one on the same field. Fields hold one value
    /// per row, so AND is the intersection of the accepted values; when it is empty the term
    /// is checked locally (nothing will pass), or refused if rows cannot see the field.
    fn add_server(
        &mut self,
        condition: Condition,
        position: usize,
        expr: Expr,
    ) -> Result<(), ParseError> {
        let field = condition.field();
        let Some(existing) = self.server.iter_mut().find(|c| c.field() == field) else {
            self.server.push(condition);
            return Ok(());
        };
        match intersect(existing, &condition) {
            Some(narrowed) => *existing = narrowed,
            None if field.visible_in_rows() => self.local.push(expr),
            None => return Err(conflict(existing, &condition, position)),
        }
        Ok(())
    }
}

fn server_side(expr: &Expr) -> ServerSide {
    match expr {
        Expr::Term(Term {
            kind: TermKind::Server(condition),
            position,
        }) => ServerSide::Condition(condition.clone(), *position),
        Expr::Or(alternatives) => merge_alternatives(alternatives),
        _ => ServerSide::Local,
    }
}

/// `user:a or user:b` is `user:a,b`: an `or` of terms on one field is one server condition.
fn merge_alternatives(alternatives: &[Expr]) -> ServerSide {
    let conditions: Option<Vec<(&Condition, usize)>> = alternatives
        .iter()
        .map(|alternative| match alternative {
            Expr::Term(Term {
                kind: TermKind::Server(condition),
                position,
            }) => Some((condition, *position)),
            _ => None,
        })
        .collect();
    let Some(conditions) = conditions else {
        return ServerSide::Local;
    };
    let (first, position) = conditions[0];
    if conditions.iter().any(|(c, _)| c.field() != first.field()) {
        return ServerSide::Local;
    }
    match first {
        Condition::OneOf { field, .. } => {
            let mut values: Vec<String> = Vec::new();
            for (condition, _) in &conditions {
                if let Condition::OneOf { values: more, .. } = condition {
                    for value in more {
                        if !values.contains(value) {
                            values.push(value.clone());
                        }
                    }
                }
            }
            ServerSide::Condition(
                Condition::OneOf {
                    field: *field,
                    values,
                },
                position,
            )
        }
        Condition::Is { .. } if conditions.iter().all(|(c, _)| *c == first) => {
            ServerSide::Condition(first.clone(), position)
        }
        Condition::Is { .. } => ServerSide::AlwaysTrue,
    }
}

/// The AND of two conditions on one field as one condition, when there is one.
fn intersect(existing: &Condition, added: &Condition) -> Option<Condition> {
    match (existing, added) {
        // A session publishes several tracks: `track:audio track:video` asks for both, which
        // one `filter_conditions` object cannot say; only a repeat of the same term is kept.
        (
            Condition::OneOf {
                field: ConditionField::PublishedTracks,
                values: kept,
            },
            Condition::OneOf { values: more, .. },
        ) => (kept.len() == more.len() && kept.iter().all(|v| more.contains(v)))
            .then(|| existing.clone()),
        (
            Condition::OneOf {
                field,
                values: kept,
            },
            Condition::OneOf { values: more, .. },
        ) => {
            let common: Vec<String> = kept.iter().filter(|v| more.contains(v)).cloned().collect();
            (!common.is_empty()).then_some(Condition::OneOf {
                field: *field,
                values: common,
            })
        }
        _ => (existing == added).then(|| existing.clone()),
    }
}

fn conflict(existing: &Condition, added: &Condition, position: usize) -> ParseError {
    let existing_text = TermKind::Server(existing.clone()).to_string();
    let added_text = TermKind::Server(added.clone()).to_string();
    let message = match added.field() {
        ConditionField::PublishedTracks => format!(
            "Stream takes one `track:` term (here `{existing_text}` and `{added_text}`); \
             write track:audio,video to match any of several tracks"
        ),
        _ => format!("`{added_text}` contradicts `{existing_text}`: no row could match"),
    };
    ParseError::new(position, message)
}

/// Refuses `track:` and `tech:` inside a local expression: rows do not carry those fields.
fn check_visible(expr: &Expr) -> Result<(), ParseError> {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter().try_for_each(check_visible),
        Expr::Not(inner) => check_visible(inner),
        Expr::Term(Term {
            kind: TermKind::Server(condition),
            position,
        }) if !condition.field().visible_in_rows() => {
            let key = super::term::field_keyword(condition.field());
            Err(ParseError::new(
                *position,
                format!(
                    "Stream can only filter `{key}:` as a plain AND term, \
                     not under `!` or in an `or` with other fields"
                ),
            ))
        }
        Expr::Term(_) => Ok(()),
    }
}
