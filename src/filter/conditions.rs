//! `filter_conditions` for `QueryCallParticipantSessions`: validation and evaluation.
//!
//! One implementation serves both sides: `headcount sim` uses it to answer queries exactly as
//! Stream documents them, and the client uses it to re-check rows locally. Only the fields and
//! operators of the endpoint's spec are accepted; anything else is an input error naming it, as
//! Stream answers with code 4.

use std::fmt;

use serde_json::{Map, Value, json};

use super::predicate::LocalRow;

/// A field the endpoint can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ConditionField {
    UserId,
    PublisherType,
    SessionId,
    PublishedTracks,
    IsLive,
    IsTechUser,
}

impl ConditionField {
    pub(crate) const ALL: [ConditionField; 6] = [
        ConditionField::UserId,
        ConditionField::PublisherType,
        ConditionField::SessionId,
        ConditionField::PublishedTracks,
        ConditionField::IsLive,
        ConditionField::IsTechUser,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            ConditionField::UserId => "user_id",
            ConditionField::PublisherType => "publisher_type",
            ConditionField::SessionId => "session_id",
            ConditionField::PublishedTracks => "published_tracks",
            ConditionField::IsLive => "is_live",
            ConditionField::IsTechUser => "is_tech_user",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<ConditionField> {
        ConditionField::ALL.into_iter().find(|f| f.name() == name)
    }

    fn is_boolean(self) -> bool {
        matches!(self, ConditionField::IsLive | ConditionField::IsTechUser)
    }

    /// Whether a row as the API returns it carries this field. `published_tracks` and
    /// `is_tech_user` exist only on Stream's side, so only the server can filter on them.
    pub(crate) fn visible_in_rows(self) -> bool {
        !matches!(
            self,
            ConditionField::PublishedTracks | ConditionField::IsTechUser
        )
    }
}

impl fmt::Display for ConditionField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One test on one field. Several conditions mean AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Condition {
    /// `$eq` (one value) or `$in` (several) on a string field.
    OneOf {
        field: ConditionField,
        values: Vec<String>,
    },
    /// `$eq` on a boolean field.
    Is { field: ConditionField, value: bool },
}

impl Condition {
    pub(crate) fn field(&self) -> ConditionField {
        match self {
            Condition::OneOf { field, .. } | Condition::Is { field, .. } => *field,
        }
    }

    /// Whether a row passes this one condition (a field the row cannot see passes).
    pub(crate) fn matches<S: LocalRow + ?Sized>(&self, row: &S) -> bool {
        condition_matches(self, row)
    }
}

/// A validated `filter_conditions` object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    conditions: Vec<Condition>,
}

/// Why a `filter_conditions` object was refused. The text names the offending field or
/// operator and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConditionsError(pub String);

impl Conditions {
    pub(crate) fn new(conditions: Vec<Condition>) -> Self {
        Conditions { conditions }
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Condition> {
        self.conditions.iter()
    }

    /// Validates a `filter_conditions` value as Stream does for this endpoint.
    pub fn parse(value: &Value) -> Result<Conditions, ConditionsError> {
        let object = match value {
            Value::Null => return Ok(Conditions::default()),
            Value::Object(object) => object,
            other => {
                return Err(ConditionsError(format!(
                    "filter_conditions must be a JSON object, got {}",
                    json_kind(other)
                )));
            }
        };
        let mut conditions = Vec::new();
        for (name, spec) in object {
            let field = ConditionField::from_name(name).ok_or_else(|| unknown_field(name))?;
            parse_field(field, spec, &mut conditions)?;
        }
        Ok(Conditions { conditions })
    }

    /// The JSON sent as `filter_conditions`, in the canonical long form.
    pub(crate) fn to_json(&self) -> Value {
        let mut object = Map::new();
        for condition in &self.conditions {
            let (field, operator, operand) = match condition {
                Condition::OneOf { field, values } if values.len() == 1 => {
                    (*field, "$eq", json!(values[0]))
                }
                Condition::OneOf { field, values } => (*field, "$in", json!(values)),
                Condition::Is { field, value } => (*field, "$eq", json!(value)),
            };
            let entry = object
                .entry(field.name())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(ops) = entry {
                ops.insert(operator.to_owned(), operand);
            }
        }
        Value::Object(object)
    }

    /// Whether a row passes every condition.
    pub fn matches<S: LocalRow + ?Sized>(&self, row: &S) -> bool {
        self.conditions.iter().all(|c| c.matches(row))
    }
}

fn condition_matches<S: LocalRow + ?Sized>(condition: &Condition, row: &S) -> bool {
    match condition {
        Condition::OneOf { field, values } => {
            let is_in = |s: &str| values.iter().any(|v| v == s);
            match field {
                ConditionField::UserId => is_in(row.user_id()),
                ConditionField::PublisherType => is_in(row.publisher_type()),
                ConditionField::SessionId => is_in(row.user_session_id()),
                ConditionField::PublishedTracks => row
                    .published_tracks()
                    .is_none_or(|tracks| tracks.iter().any(|t| is_in(t))),
                ConditionField::IsLive | ConditionField::IsTechUser => false,
            }
        }
        Condition::Is { field, value } => match field {
            ConditionField::IsLive => row.is_open() == *value,
            ConditionField::IsTechUser => row.is_tech_user().is_none_or(|v| v == *value),
            _ => false,
        },
    }
}

fn parse_field(
    field: ConditionField,
    spec: &Value,
    out: &mut Vec<Condition>,
) -> Result<(), ConditionsError> {
    match spec {
        Value::Object(ops) => {
            if ops.is_empty() {
                return Err(ConditionsError(format!(
                    "filter on `{field}` has no operator; use {}",
                    allowed_operators(field)
                )));
            }
            for (operator, operand) in ops {
                out.push(parse_operator(field, operator, operand)?);
            }
            Ok(())
        }
        // The short form `{"user_id": "alice"}` means `$eq`.
        scalar => {
            out.push(parse_operator(field, "$eq", scalar)?);
            Ok(())
        }
    }
}

fn parse_operator(
    field: ConditionField,
    operator: &str,
    operand: &Value,
) -> Result<Condition, ConditionsError> {
    match (operator, field.is_boolean()) {
        ("$eq", true) => match operand {
            Value::Bool(value) => Ok(Condition::Is {
                field,
                value: *value,
            }),
            other => Err(wrong_operand(field, operator, "true or false", other)),
        },
        ("$eq", false) => match operand {
            Value::String(s) => Ok(Condition::OneOf {
                field,
                values: vec![s.clone()],
            }),
            other => Err(wrong_operand(field, operator, "a string", other)),
        },
        ("$in", false) => {
            let items = operand
                .as_array()
                .ok_or_else(|| wrong_operand(field, operator, "an array of strings", operand))?;
            let values = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| wrong_operand(field, operator, "an array of strings", operand))?;
            Ok(Condition::OneOf { field, values })
        }
        _ => Err(ConditionsError(format!(
            "operator `{operator}` is not supported on `{field}`; use {}",
            allowed_operators(field)
        ))),
    }
}

fn allowed_operators(field: ConditionField) -> &'static str {
    if field.is_boolean() {
        "$eq"
    } else {
        "$eq or $in"
    }
}

fn unknown_field(name: &str) -> ConditionsError {
    let known: Vec<&str> = ConditionField::ALL.iter().map(|f| f.name()).collect();
    ConditionsError(format!(
        "`{name}` is not a filterable field; filter_conditions accepts {}",
        known.join(", ")
    ))
}

fn wrong_operand(
    field: ConditionField,
    operator: &str,
    expected: &str,
    got: &Value,
) -> ConditionsError {
    ConditionsError(format!(
        "`{field}` {operator} expects {expected}, got {}",
        json_kind(got)
    ))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SessionFields;
    use crate::api::timestamp::Nanos;

    struct TestRow {
        user: &'static str,
        publisher: &'static str,
        live: bool,
        tracks: Vec<String>,
        tech: bool,
    }

    impl SessionFields for TestRow {
        fn user_id(&self) -> &str {
            self.user
        }
        fn user_session_id(&self) -> &str {
            "s1"
        }
        fn publisher_type(&self) -> &str {
            self.publisher
        }
        fn roles(&self) -> impl Iterator<Item = &str> {
            std::iter::empty()
        }
        fn joined_at(&self) -> Option<Nanos> {
            None
        }
        fn left_at(&self) -> Option<Nanos> {
            None
        }
        fn duration_in_seconds(&self) -> Option<i64> {
            None
        }
    }

    impl LocalRow for TestRow {
        fn is_open(&self) -> bool {
            self.live
        }
        fn duration_seconds(&self, _now: Nanos) -> Option<i64> {
            None
        }
        fn has_problem(&self, _now: Nanos) -> bool {
            false
        }
        fn published_tracks(&self) -> Option<&[String]> {
            Some(&self.tracks)
        }
        fn is_tech_user(&self) -> Option<bool> {
            Some(self.tech)
        }
    }

    fn alice() -> TestRow {
        TestRow {
            user: "alice",
            publisher: "webrtc",
            live: false,
            tracks: vec!["audio".into(), "video".into()],
            tech: false,
        }
    }

    fn matches(filter: Value, row: &TestRow) -> bool {
        Conditions::parse(&filter).unwrap().matches(row)
    }

    #[test]
    fn eq_in_and_short_form_select_rows() {
        let row = alice();
        assert!(matches(json!({"user_id": {"$eq": "alice"}}), &row));
        assert!(matches(json!({"user_id": "alice"}), &row));
        assert!(!matches(json!({"user_id": "bob"}), &row));
        assert!(matches(json!({"user_id": {"$in": ["bob", "alice"]}}), &row));
        assert!(matches(json!({"published_tracks": {"$eq": "video"}}), &row));
        assert!(!matches(json!({"published_tracks": "screenshare"}), &row));
        assert!(matches(json!({"is_live": {"$eq": false}}), &row));
        assert!(matches(json!({"is_tech_user": false}), &row));
    }

    #[test]
    fn several_fields_mean_and() {
        let row = alice();
        assert!(matches(
            json!({"user_id": "alice", "publisher_type": "webrtc"}),
            &row
        ));
        assert!(!matches(
            json!({"user_id": "alice", "publisher_type": "rtmp"}),
            &row
        ));
    }

    #[test]
    fn unsupported_fields_and_operators_are_named() {
        let err = Conditions::parse(&json!({"roles": "host"})).unwrap_err();
        assert!(err.0.contains("`roles`"), "{err}");
        let err = Conditions::parse(&json!({"user_id": {"$gt": "a"}})).unwrap_err();
        assert!(
            err.0.contains("`$gt`") && err.0.contains("user_id"),
            "{err}"
        );
        let err = Conditions::parse(&json!({"is_live": {"$in": [true]}})).unwrap_err();
        assert!(err.0.contains("`$in`"), "{err}");
        let err = Conditions::parse(&json!({"is_live": "yes"})).unwrap_err();
        assert!(err.0.contains("true or false"), "{err}");
        assert!(Conditions::parse(&json!(["user_id"])).is_err());
    }

    #[test]
    fn canonical_json_round_trips() {
        let original = json!({"user_id": {"$in": ["a", "b"]}, "is_live": {"$eq": true}});
        let parsed = Conditions::parse(&original).unwrap();
        assert_eq!(parsed.to_json(), original);
        assert_eq!(Conditions::parse(&parsed.to_json()).unwrap(), parsed);
    }
}
