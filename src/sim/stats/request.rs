//! The body of `QueryCallSessionStats`, validated: which sessions, in which order, how many.

use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::facts::{SessionFacts, SortField};
use super::filter::StatsCondition;
use crate::sim::endpoints::body_limit;
use crate::sim::error::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StatsSort {
    field: SortField,
    descending: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatsBody {
    filter_conditions: Map<String, Value>,
    sort: Vec<StatsSortParam>,
    limit: Option<i64>,
    next: Option<String>,
    prev: Option<String>,
}

/// `SortParamRequest`: `direction` is 1 (ascending, the default) or -1.
#[derive(Debug, Deserialize)]
struct StatsSortParam {
    field: String,
    #[serde(default = "ascending")]
    direction: i64,
}

fn ascending() -> i64 {
    1
}

/// A validated request.
#[derive(Debug)]
pub(crate) struct StatsRequest {
    filter: Vec<StatsCondition>,
    sort: Vec<StatsSort>,
    pub(crate) limit: usize,
    pub(crate) next: Option<String>,
    pub(crate) prev: Option<String>,
    /// Identifies the filter and sort, so that a cursor is only accepted by the query that
    /// issued it.
    pub(crate) fingerprint: i64,
}

impl StatsRequest {
    /// Parses and validates the body; an empty body is an empty query. Without `sort`, the
    /// newest session comes first.
    pub(crate) fn parse(body: &[u8]) -> Result<StatsRequest, Refusal> {
        let body: StatsBody = if body.iter().all(u8::is_ascii_whitespace) {
            StatsBody::default()
        } else {
            serde_json::from_slice(body)
                .map_err(|err| Refusal::input(format!("the request body is not valid: {err}")))?
        };
        let mut filter = Vec::new();
        for (field, condition) in &body.filter_conditions {
            filter.extend(StatsCondition::parse(field, condition)?);
        }
        let mut sort = body
            .sort
            .iter()
            .map(|param| {
                Ok(StatsSort {
                    field: SortField::parse(&param.field)?,
                    descending: param.direction < 0,
                })
            })
            .collect::<Result<Vec<StatsSort>, Refusal>>()?;
        if sort.is_empty() {
            sort.push(StatsSort {
                field: SortField::SessionStartedAt,
                descending: true,
            });
        }
        let fingerprint = fingerprint(&body);
        let non_empty = |cursor: Option<String>| cursor.filter(|c| !c.is_empty());
        Ok(StatsRequest {
            filter,
            sort,
            limit: body_limit(body.limit)?,
            next: non_empty(body.next),
            prev: non_empty(body.prev),
            fingerprint,
        })
    }

    pub(crate) fn accepts(&self, facts: &SessionFacts) -> bool {
        self.filter.iter().all(|condition| condition.accepts(facts))
    }

    /// The serving order: the sort fields in turn, then the session id, so that the order is
    /// total and a cursor names one place in it.
    pub(crate) fn order(&self, a: &SessionFacts, b: &SessionFacts) -> Ordering {
        self.sort
            .iter()
            .map(|sort| {
                let order = sort.field.compare(a, b);
                if sort.descending {
                    order.reverse()
                } else {
                    order
                }
            })
            .find(|order| order.is_ne())
            .unwrap_or_else(|| a.session_id.cmp(&b.session_id))
    }
}

fn fingerprint(body: &StatsBody) -> i64 {
    let mut hasher = DefaultHasher::new();
    Value::Object(body.filter_conditions.clone())
        .to_string()
        .hash(&mut hasher);
    for param in &body.sort {
        (&param.field, param.direction.signum()).hash(&mut hasher);
    }
    hasher.finish() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ids::Uuid;

    fn facts(id: u8, started_at: i64, ended_at: Option<i64>) -> SessionFacts {
        SessionFacts {
            cid: "default:c".into(),
            session_id: Uuid([id; 16]),
            is_active: ended_at.is_none(),
            started_at,
            ended_at,
            generated_at: ended_at.unwrap_or(started_at),
        }
    }

    fn sorted(body: &str, mut all: Vec<SessionFacts>) -> Vec<u8> {
        let request = StatsRequest::parse(body.as_bytes()).unwrap();
        all.sort_by(|a, b| request.order(a, b));
        all.iter().map(|facts| facts.session_id.0[0]).collect()
    }

    #[test]
    fn unknown_fields_and_bad_limits_are_refused() {
        let err = StatsRequest::parse(br#"{"filter_conditions":{"colour":"red"}}"#).unwrap_err();
        assert!(err.detail.contains("`colour`"));
        let err = StatsRequest::parse(br#"{"sort":[{"field":"colour"}]}"#).unwrap_err();
        assert!(
            err.detail.contains("not a sortable field"),
            "{}",
            err.detail
        );
        assert!(StatsRequest::parse(br#"{"limit":101}"#).is_err());
        assert_eq!(
            StatsRequest::parse(b"").unwrap().limit,
            crate::sim::endpoints::DEFAULT_LIMIT
        );
    }

    #[test]
    fn newest_first_by_default_and_sort_fields_are_honoured() {
        let all = vec![
            facts(1, 100, Some(400)),
            facts(2, 300, None),
            facts(3, 200, Some(250)),
        ];
        assert_eq!(sorted("", all.clone()), [2, 3, 1]);
        let by_start = r#"{"sort":[{"field":"session_started_at","direction":1}]}"#;
        assert_eq!(sorted(by_start, all.clone()), [1, 3, 2]);
        let by_end = r#"{"sort":[{"field":"session_ended_at","direction":-1}]}"#;
        assert_eq!(sorted(by_end, all.clone()), [2, 1, 3]);
        let by_cid = r#"{"sort":[{"field":"call_cid"}]}"#;
        assert_eq!(sorted(by_cid, all), [1, 2, 3]);
    }

    #[test]
    fn the_same_query_has_the_same_fingerprint() {
        let a = StatsRequest::parse(br#"{"limit":2,"filter_conditions":{"is_active":false}}"#);
        let b = StatsRequest::parse(br#"{"limit":5,"filter_conditions":{"is_active":false}}"#);
        let c = StatsRequest::parse(br#"{"filter_conditions":{"is_active":true}}"#);
        assert_eq!(a.unwrap().fingerprint, b.as_ref().unwrap().fingerprint);
        assert_ne!(b.unwrap().fingerprint, c.unwrap().fingerprint);
    }

    #[test]
    fn date_filters_compare_instants_in_either_form() {
        let parse = |body: &str| StatsRequest::parse(body.as_bytes()).unwrap();
        let window = parse(
            r#"{"filter_conditions":{"session_started_at":{"$gte":150,"$lt":"1970-01-01T00:00:00.000000300Z"}}}"#,
        );
        assert!(window.accepts(&facts(1, 150, Some(400))));
        assert!(window.accepts(&facts(1, 299, None)));
        assert!(!window.accepts(&facts(1, 300, None)));
        assert!(!window.accepts(&facts(1, 100, None)));
        let ended = parse(r#"{"filter_conditions":{"session_ended_at":{"$gt":0}}}"#);
        assert!(
            !ended.accepts(&facts(1, 100, None)),
            "a running session has no end"
        );
        let refused = [
            r#"{"filter_conditions":{"session_started_at":{"$in":[1]}}}"#,
            r#"{"filter_conditions":{"session_started_at":"yesterday"}}"#,
            r#"{"filter_conditions":{"is_active":"yes"}}"#,
        ];
        for body in refused {
            assert!(StatsRequest::parse(body.as_bytes()).is_err(), "{body}");
        }
    }

    #[test]
    fn filters_compare_each_fact() {
        let request = StatsRequest::parse(
            br#"{"filter_conditions":{"call_cid":{"$eq":"default:c"},"is_active":true}}"#,
        )
        .unwrap();
        assert!(request.accepts(&facts(1, 0, None)));
        assert!(!request.accepts(&facts(1, 0, Some(5))));
        let by_id = format!(
            r#"{{"filter_conditions":{{"call_session_id":"{}"}}}}"#,
            Uuid([3; 16])
        );
        let request = StatsRequest::parse(by_id.as_bytes()).unwrap();
        assert!(request.accepts(&facts(3, 0, None)) && !request.accepts(&facts(4, 0, None)));
    }
}
