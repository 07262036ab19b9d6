//! The `filter_conditions` of `QueryCallSessionStats`, validated into conditions.

use serde_json::Value;

use super::facts::{SessionFacts, SortField};
use crate::api::timestamp;
use crate::sim::error::Refusal;

/// The filter fields this sim understands: these with `$eq`, the dates of [`SortField`] with
/// `$eq`, `$gt`, `$gte`, `$lt` and `$lte`.
const EQ_FIELDS: [&str; 3] = ["call_cid", "call_session_id", "is_active"];
const DATE_FIELDS: [&str; 4] = [
    "session_started_at",
    "session_ended_at",
    "generated_at",
    "updated_at",
];
const DATE_OPERATORS: [&str; 5] = ["$eq", "$gt", "$gte", "$lt", "$lte"];

/// One validated filter condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StatsCondition {
    Cid(String),
    SessionId(String),
    Active(bool),
    /// The date field compared with `at` by `operator` (`$gt` and so on).
    Date {
        field: SortField,
        operator: &'static str,
        at: i64,
    },
}

impl StatsCondition {
    pub(crate) fn parse(field: &str, condition: &Value) -> Result<Vec<StatsCondition>, Refusal> {
        if DATE_FIELDS.contains(&field) {
            return date_conditions(SortField::parse(field)?, condition);
        }
        if !EQ_FIELDS.contains(&field) {
            let mut known = EQ_FIELDS.to_vec();
            known.extend(DATE_FIELDS);
            return Err(Refusal::input(format!(
                "`{field}` is not a filterable field; filter_conditions accepts {}",
                known.join(", ")
            )));
        }
        let value = operand(field, condition)?;
        let wrong_type = || Refusal::input(format!("`{field}` does not accept {value}"));
        let condition = match (field, value) {
            ("is_active", Value::Bool(active)) => StatsCondition::Active(*active),
            ("call_cid", Value::String(cid)) => StatsCondition::Cid(cid.clone()),
            ("call_session_id", Value::String(id)) => StatsCondition::SessionId(id.clone()),
            _ => return Err(wrong_type()),
        };
        Ok(vec![condition])
    }

    pub(crate) fn accepts(&self, facts: &SessionFacts) -> bool {
        match self {
            StatsCondition::Cid(cid) => *cid == facts.cid,
            StatsCondition::SessionId(id) => *id == facts.session_id.to_string(),
            StatsCondition::Active(active) => *active == facts.is_active,
            StatsCondition::Date {
                field,
                operator,
                at,
            } => field.date(facts).is_some_and(|date| match *operator {
                "$gt" => date > *at,
                "$gte" => date >= *at,
                "$lt" => date < *at,
                "$lte" => date <= *at,
                _ => date == *at,
            }),
        }
    }
}

/// `{"$gte": "2026-11-01T00:00:00Z", "$lt": ...}` (or a bare instant, for `$eq`); instants as
/// RFC 3339 text or Unix nanoseconds.
fn date_conditions(field: SortField, condition: &Value) -> Result<Vec<StatsCondition>, Refusal> {
    let instant = |value: &Value| {
        match value {
            Value::String(text) => timestamp::parse_text(text),
            value => value.as_i64(),
        }
        .ok_or_else(|| Refusal::input(format!("{value} is not a date")))
    };
    let Value::Object(operators) = condition else {
        return Ok(vec![StatsCondition::Date {
            field,
            operator: "$eq",
            at: instant(condition)?,
        }]);
    };
    operators
        .iter()
        .map(|(name, value)| {
            let operator = DATE_OPERATORS
                .iter()
                .find(|known| **known == name)
                .ok_or_else(|| {
                    Refusal::input(format!(
                        "{name} is not supported on dates; use one of {}",
                        DATE_OPERATORS.join(", ")
                    ))
                })?;
            Ok(StatsCondition::Date {
                field,
                operator,
                at: instant(value)?,
            })
        })
        .collect()
}

/// The `$eq` operand of a condition (or the value itself, in the short form).
fn operand<'v>(field: &str, condition: &'v Value) -> Result<&'v Value, Refusal> {
    match condition {
        Value::Object(ops) => match (ops.len(), ops.get("$eq")) {
            (1, Some(value)) => Ok(value),
            _ => Err(Refusal::input(format!(
                "only $eq is supported on `{field}` by this endpoint"
            ))),
        },
        value => Ok(value),
    }
}
