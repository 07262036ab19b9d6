//! `QueryCallMembers` (`POST /api/v2/video/call/members`, 201): the call's members, filtered,
//! sorted and paged with signed cursors like the other listings.
//!
//! The body names the call (`type`, `id`). Filters: `user_id` and `role`, each with `$eq`,
//! `$in` or a bare value; sort: at most one of `created_at` (the default, ascending) or
//! `user_id`, ties broken by user id so that the order is total. Stream's spec also lists
//! `custom`, `created_at` and `updated_at` filters; the sim refuses them with a message naming
//! what it accepts rather than ignoring them. A cursor names the member a page ended (or
//! started) on, in the order of the query that issued it, so members added while a live call
//! is read in `created_at` order land after every page already served.

use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::cursor::{Direction, Position};
use super::endpoints::body_limit;
use super::error::Refusal;
use super::ids::Uuid;
use super::roster::ScenarioMember;
use super::server::Sim;
use super::stats::{IndexAnchor, page};
use super::wire;

/// The fields the sim filters on, with `$eq` or `$in`.
const FILTER_FIELDS: [&str; 2] = ["user_id", "role"];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MembersBody {
    #[serde(rename = "type")]
    call_type: Option<String>,
    id: Option<String>,
    filter_conditions: Option<Map<String, Value>>,
    sort: Option<Vec<MemberSortParam>>,
    limit: Option<i64>,
    next: Option<String>,
    prev: Option<String>,
}

/// `SortParamRequest`; the SDKs send absent fields as `null`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberSortParam {
    field: Option<String>,
    direction: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum MemberSortField {
    CreatedAt,
    UserId,
}

/// One filter: the field's value must be one of `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MemberFilter {
    field: FilterField,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FilterField {
    UserId,
    Role,
}

/// A validated request.
#[derive(Debug)]
pub(crate) struct MembersRequest {
    pub(crate) call_type: String,
    pub(crate) call_id: String,
    filter: Vec<MemberFilter>,
    sort: MemberSortField,
    descending: bool,
    limit: usize,
    next: Option<String>,
    prev: Option<String>,
    /// Identifies the call, filter and sort, so that a cursor is only accepted by the query
    /// that issued it.
    fingerprint: i64,
}

impl MembersRequest {
    /// Parses and validates the body.
    pub(crate) fn parse(body: &[u8]) -> Result<MembersRequest, Refusal> {
        let body: MembersBody = serde_json::from_slice(body)
            .map_err(|err| Refusal::input(format!("the request body is not valid: {err}")))?;
        let required = |value: Option<String>, name: &str| {
            value
                .filter(|value| !value.is_empty())
                .ok_or_else(|| Refusal::input(format!("{name} is a required field")))
        };
        let call_type = required(body.call_type.clone(), "type")?;
        let call_id = required(body.id.clone(), "id")?;
        let mut filter = Vec::new();
        for (field, condition) in body.filter_conditions.iter().flatten() {
            filter.push(MemberFilter::parse(field, condition)?);
        }
        let (sort, descending) = sort(body.sort.as_deref().unwrap_or_default())?;
        let fingerprint = fingerprint(&call_type, &call_id, &filter, sort, descending);
        let non_empty = |cursor: Option<String>| cursor.filter(|c| !c.is_empty());
        Ok(MembersRequest {
            call_type,
            call_id,
            filter,
            sort,
            descending,
            limit: body_limit(body.limit)?,
            next: non_empty(body.next),
            prev: non_empty(body.prev),
            fingerprint,
        })
    }

    fn accepts(&self, member: &ScenarioMember) -> bool {
        self.filter
            .iter()
            .all(|condition| condition.accepts(member))
    }

    /// The serving order: the sort field, then the user id.
    fn order(&self, a: &ScenarioMember, b: &ScenarioMember) -> Ordering {
        let by_field = match self.sort {
            MemberSortField::CreatedAt => a.created_at.cmp(&b.created_at),
            MemberSortField::UserId => Ordering::Equal,
        };
        let order = by_field.then_with(|| a.person.id.cmp(&b.person.id));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

impl MemberFilter {
    fn parse(field: &str, condition: &Value) -> Result<MemberFilter, Refusal> {
        let field_kind = match field {
            "user_id" => FilterField::UserId,
            "role" => FilterField::Role,
            _ => {
                return Err(Refusal::input(format!(
                    "`{field}` is not a filterable field here; headcount sim filters members on {}",
                    FILTER_FIELDS.join(", ")
                )));
            }
        };
        let text = |value: &Value| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| Refusal::input(format!("`{field}` compares with text, got {value}")))
        };
        let values = match condition {
            Value::Object(operators) => {
                let [(operator, operand)] = operators.iter().collect::<Vec<_>>()[..] else {
                    return Err(Refusal::input(format!(
                        "give `{field}` one operator, $eq or $in"
                    )));
                };
                match (operator.as_str(), operand) {
                    ("$eq", value) => vec![text(value)?],
                    ("$in", Value::Array(items)) => {
                        items.iter().map(text).collect::<Result<_, _>>()?
                    }
                    ("$in", other) => {
                        return Err(Refusal::input(format!("$in takes a list, got {other}")));
                    }
                    (other, _) => {
                        return Err(Refusal::input(format!(
                            "{other} is not supported on `{field}`; use $eq or $in"
                        )));
                    }
                }
            }
            value => vec![text(value)?],
        };
        Ok(MemberFilter {
            field: field_kind,
            values,
        })
    }

    fn accepts(&self, member: &ScenarioMember) -> bool {
        let value = match self.field {
            FilterField::UserId => member.person.id.as_str(),
            FilterField::Role => member.role.name(),
        };
        self.values.iter().any(|wanted| wanted == value)
    }
}

/// At most one sort field, as the spec allows; `created_at` ascending when none is given.
fn sort(params: &[MemberSortParam]) -> Result<(MemberSortField, bool), Refusal> {
    match params {
        [] => Ok((MemberSortField::CreatedAt, false)),
        [param] => {
            let field = match param.field.as_deref() {
                Some("created_at") => MemberSortField::CreatedAt,
                Some("user_id") => MemberSortField::UserId,
                other => {
                    return Err(Refusal::input(format!(
                        "`{}` is not a sortable field; sort accepts created_at, user_id",
                        other.unwrap_or_default()
                    )));
                }
            };
            Ok((field, param.direction.unwrap_or(1) < 0))
        }
        _ => Err(Refusal::input("sort accepts at most one field")),
    }
}

fn fingerprint(
    call_type: &str,
    call_id: &str,
    filter: &[MemberFilter],
    sort: MemberSortField,
    descending: bool,
) -> i64 {
    let mut hasher = DefaultHasher::new();
    (call_type, call_id, sort, descending).hash(&mut hasher);
    for condition in filter {
        (condition.field as u8, &condition.values).hash(&mut hasher);
    }
    hasher.finish() as i64
}

/// A member's place in the roster, as a cursor carries it.
fn member_id(index: usize) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&(index as u64).to_be_bytes());
    Uuid(bytes)
}

fn member_index(id: Uuid) -> Option<usize> {
    let (index, rest) = id.0.split_at(8);
    let index = u64::from_be_bytes(index.try_into().ok()?);
    rest.iter().all(|b| *b == 0).then_some(index as usize)
}

/// The response body without `duration`.
pub(crate) fn respond(sim: &Sim, request: &MembersRequest) -> Result<Map<String, Value>, Refusal> {
    let members = &sim.roster.members;
    let now = sim.present();
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| request.order(&members[a], &members[b]));
    let anchor = anchor(sim, request, &order)?;
    let matches = |place: usize| {
        let member = &members[order[place]];
        now.is_none_or(|now| member.created_at <= now) && request.accepts(member)
    };
    let page = page(order.len(), matches, anchor, request.limit);
    let since = wire::people_since(&sim.snapshot());
    let listed: Vec<Value> = page
        .places
        .iter()
        .map(|&place| wire::member(&members[order[place]], since))
        .collect();
    let mut body = wire::object(json!({ "members": listed, "next": null, "prev": null }));
    let cursor = |direction: Direction, place: usize| {
        let position = Position {
            at: request.fingerprint,
            id: member_id(order[place]),
        };
        json!(sim.member_cursors.encode(direction, position))
    };
    if let (true, Some(&last)) = (page.more_after, page.places.last()) {
        body.insert("next".into(), cursor(Direction::Next, last));
    }
    if let (true, Some(&first)) = (page.more_before, page.places.first()) {
        body.insert("prev".into(), cursor(Direction::Prev, first));
    }
    Ok(body)
}

/// The place a cursor points at; a cursor of another query is refused.
fn anchor(sim: &Sim, request: &MembersRequest, order: &[usize]) -> Result<IndexAnchor, Refusal> {
    let place_of = |direction: Direction, text: &str| {
        let position = sim
            .member_cursors
            .decode(direction, text)
            .map_err(|err| Refusal::input(err.to_string()))?;
        if position.at != request.fingerprint {
            return Err(Refusal::input(format!(
                "{} belongs to another query: send the same call, filter_conditions and sort",
                direction.param()
            )));
        }
        member_index(position.id)
            .and_then(|index| order.iter().position(|&i| i == index))
            .ok_or_else(|| Refusal::input(format!("{} is not a valid cursor", direction.param())))
    };
    match (&request.next, &request.prev) {
        (Some(_), Some(_)) => Err(Refusal::input("next and prev cannot be used together")),
        (Some(next), None) => Ok(IndexAnchor::After(place_of(Direction::Next, next)?)),
        (None, Some(prev)) => Ok(IndexAnchor::Before(place_of(Direction::Prev, prev)?)),
        (None, None) => Ok(IndexAnchor::Start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::attendance::{Attendee, CallRole};

    fn member(id: &str, role: CallRole, created_at: i64) -> ScenarioMember {
        ScenarioMember {
            person: Attendee {
                id: id.into(),
                role,
                is_tech_user: false,
            },
            role,
            team: "sales",
            created_at,
            deleted_at: None,
        }
    }

    fn parse(body: &str) -> Result<MembersRequest, Refusal> {
        MembersRequest::parse(body.as_bytes())
    }

    #[test]
    fn filters_on_user_id_and_role_with_eq_or_in() {
        let alice = member("alice", CallRole::Host, 1);
        let bob = member("bob", CallRole::Viewer, 2);
        let request = parse(
            r#"{"type":"default","id":"c","filter_conditions":{"role":{"$in":["host","user"]}}}"#,
        )
        .unwrap();
        assert!(request.accepts(&alice) && !request.accepts(&bob));
        let request =
            parse(r#"{"type":"default","id":"c","filter_conditions":{"user_id":"bob"}}"#).unwrap();
        assert!(!request.accepts(&alice) && request.accepts(&bob));
        let request = parse(
            r#"{"type":"default","id":"c","filter_conditions":{"user_id":{"$eq":"bob"},"role":{"$eq":"host"}}}"#,
        )
        .unwrap();
        assert!(!request.accepts(&alice) && !request.accepts(&bob));
    }

    #[test]
    fn bad_requests_are_refused_with_what_to_send() {
        let refused = [
            (r#"{"id":"c"}"#, "type is a required field"),
            (r#"{"type":"default","id":""}"#, "id is a required field"),
            (
                r#"{"type":"default","id":"c","limit":101}"#,
                "limit must be",
            ),
            (
                r#"{"type":"default","id":"c","filter_conditions":{"custom.team":"red"}}"#,
                "filters members on user_id, role",
            ),
            (
                r#"{"type":"default","id":"c","filter_conditions":{"role":{"$gt":"a"}}}"#,
                "use $eq or $in",
            ),
            (
                r#"{"type":"default","id":"c","sort":[{"field":"role"}]}"#,
                "created_at, user_id",
            ),
            (
                r#"{"type":"default","id":"c","sort":[{"field":"user_id"},{"field":"created_at"}]}"#,
                "at most one field",
            ),
            ("not json", "not valid"),
        ];
        for (body, needle) in refused {
            let err = parse(body).unwrap_err();
            assert!(err.detail.contains(needle), "{body}: {}", err.detail);
        }
    }

    #[test]
    fn nulls_from_the_sdks_read_as_absent() {
        let request = parse(
            r#"{"type":"default","id":"c","limit":null,"next":null,"prev":null,"sort":null,"filter_conditions":null}"#,
        )
        .unwrap();
        assert_eq!(request.limit, super::super::endpoints::DEFAULT_LIMIT);
        assert_eq!(
            (request.sort, request.descending),
            (MemberSortField::CreatedAt, false)
        );
        let request = parse(
            r#"{"type":"default","id":"c","sort":[{"field":"user_id","direction":null,"type":null}]}"#,
        )
        .unwrap();
        assert_eq!(
            (request.sort, request.descending),
            (MemberSortField::UserId, false)
        );
    }

    #[test]
    fn orders_are_total_in_either_direction() {
        let all = [
            member("carol", CallRole::User, 5),
            member("alice", CallRole::User, 5),
            member("bob", CallRole::User, 1),
        ];
        let sorted = |body: &str| -> Vec<String> {
            let request = parse(body).unwrap();
            let mut members = all.to_vec();
            members.sort_by(|a, b| request.order(a, b));
            members.into_iter().map(|m| m.person.id).collect()
        };
        assert_eq!(
            sorted(r#"{"type":"t","id":"c"}"#),
            ["bob", "alice", "carol"]
        );
        assert_eq!(
            sorted(r#"{"type":"t","id":"c","sort":[{"field":"created_at","direction":-1}]}"#),
            ["carol", "alice", "bob"]
        );
        assert_eq!(
            sorted(r#"{"type":"t","id":"c","sort":[{"field":"user_id"}]}"#),
            ["alice", "bob", "carol"]
        );
    }

    #[test]
    fn member_ids_round_trip_and_foreign_ids_are_refused() {
        assert_eq!(member_index(member_id(12_345)), Some(12_345));
        assert_eq!(member_index(Uuid([7; 16])), None);
    }
}
