//! Who was expected in a call: `QueryCallMembers` (`POST /api/v2/video/call/members`, 201) and
//! the ring outcomes of `GetCall`'s current session.
//!
//! A call's **members** are the people invited to it (Stream notifies them and rings them),
//! each with a call role and custom data. `GetCall` embeds at most 100 of them
//! (`members_limit`); `QueryCallMembers` pages through all of them with cursors, so headcount
//! reads the roster from there, through the same `Pager` as participant
//! sessions: the same retries (the `POST` only reads), errors and completeness rules.
//!
//! Decoded as leniently as the other models: unknown fields are ignored, `null` reads as
//! absent everywhere, timestamps come in any of Stream's encodings. Source: Stream's OpenAPI
//! spec (`QueryCallMembersRequest`, `QueryCallMembersResponse`, `MemberResponse`,
//! `CallSessionResponse`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::call_stats::SortParam;
use super::client::{Response, StreamClient};
use super::error::ApiError;
use super::models::RequestDuration;
use super::nullable::default_on_null;
use super::pager::{PagedQuery, Pager, StopReason};
use super::timestamp::{self, Nanos};

/// The body of `QueryCallMembers` (`QueryCallMembersRequest`). The call is named in the body,
/// not the path. Stream filters on `user_id`, `role`, `custom.*`, `created_at`, `updated_at`
/// and sorts on one of `created_at`, `user_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MembersQuery {
    #[serde(rename = "type")]
    pub call_type: String,
    #[serde(rename = "id")]
    pub call_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_conditions: Option<Value>,
    /// At most one item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

impl MembersQuery {
    /// Every member of the call `call_type:call_id`, in the order they were added (then by
    /// user id, which Stream's sort combinations allow as the tie-break).
    pub fn members_of(call_type: &str, call_id: &str) -> MembersQuery {
        MembersQuery {
            call_type: call_type.to_string(),
            call_id: call_id.to_string(),
            sort: vec![SortParam {
                field: "created_at".to_string(),
                direction: 1,
            }],
            ..MembersQuery::default()
        }
    }
}

/// `QueryCallMembersResponse`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MembersPage {
    #[serde(default, deserialize_with = "default_on_null")]
    pub members: Vec<Member>,
    #[serde(default)]
    pub(crate) next: Option<String>,
    #[serde(default)]
    pub(crate) prev: Option<String>,
    #[serde(default)]
    pub(crate) duration: RequestDuration,
}

impl MembersPage {
    /// The cursor of the following page; an absent, null or empty `next` ends paging.
    pub(crate) fn next_cursor(&self) -> Option<&str> {
        self.next.as_deref().filter(|c| !c.is_empty())
    }
}

/// `MemberResponse`: one invitee of the call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Member {
    pub user_id: String,
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) user: MemberUser,
    /// The member's role in this call (`host`, `admin`, `user`, …), which may differ from the
    /// user's app-wide role.
    #[serde(default)]
    pub(crate) role: Option<String>,
    /// The member's custom data in this call.
    #[serde(default)]
    pub(crate) custom: CustomData,
    /// When the user became a member (Unix ns).
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub created_at: Option<Nanos>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) updated_at: Option<Nanos>,
    /// When the member was removed, for the removed members Stream still returns.
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub deleted_at: Option<Nanos>,
}

/// The parts of `UserResponse` shown beside a member.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct MemberUser {
    #[serde(default, deserialize_with = "default_on_null")]
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) image: Option<String>,
    /// The user's app-wide role.
    #[serde(default)]
    pub(crate) role: Option<String>,
    #[serde(default)]
    pub(crate) custom: CustomData,
}

/// Custom data (`custom`, a JSON object), kept as the compact JSON text the member's detail
/// shows, its keys in the order `serde_json` writes an object (sorted): held as a map, the
/// custom data of the `huge` scenario's 12,000 members took about 7.5 MB of the dashboard's
/// memory (a tree node and a `Value` per field), as text about a tenth of that. Empty for an
/// absent, `null` or empty object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CustomData(Box<str>);

impl CustomData {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The object as compact JSON text (`{"team":"red"}`); empty when there is none.
    pub(crate) fn as_json(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CustomData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let object: Map<String, Value> = default_on_null(d)?;
        Ok(CustomData(if object.is_empty() {
            Box::default()
        } else {
            Value::Object(object).to_string().into_boxed_str()
        }))
    }
}

/// The user who created the call (`CallResponse.created_by`): the caller of a ringing call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCreator {
    #[serde(default, deserialize_with = "default_on_null")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
}

/// One of `CallSessionResponse`'s ring maps (`accepted_by`, `rejected_by`, `missed_by`):
/// user id → when (Unix ns). A `null` time is kept as `None` rather than dropping the user.
pub type RingMap = BTreeMap<String, Option<Nanos>>;

/// Decodes a ring map: `null` (or an absent map) is `None`, "not reported", which is not the
/// same as an empty map, "nobody".
pub(crate) fn deserialize_ring_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<RingMap>, D::Error> {
    #[derive(Deserialize)]
    struct At(#[serde(deserialize_with = "timestamp::deserialize_opt")] Option<Nanos>);

    let map: Option<BTreeMap<String, At>> = Option::deserialize(d)?;
    Ok(map.map(|map| map.into_iter().map(|(user, At(at))| (user, at)).collect()))
}

/// Every member of one call, in pages; see [`StreamClient::call_member_pages`].
pub(crate) type MemberPager = Pager<MembersQuery>;

/// The query's own `limit` and `next` are replaced page by page.
impl PagedQuery for MembersQuery {
    type Page = MembersPage;

    async fn fetch(
        &self,
        client: &StreamClient,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<Response<MembersPage>, ApiError> {
        let query = MembersQuery {
            limit: Some(limit),
            next: cursor,
            prev: None,
            ..self.clone()
        };
        client.query_call_members(&query).await
    }

    fn is_empty(page: &MembersPage) -> bool {
        page.members.is_empty()
    }

    fn next_cursor(page: &MembersPage) -> Option<&str> {
        page.next_cursor()
    }
}

/// The members read page by page, and whether that read was complete.
#[derive(Debug, Clone, PartialEq)]
pub struct MembersRead {
    /// Each member once, in the order first received.
    pub members: Vec<Member>,
    /// Why paging ended: [`StopReason::is_complete`] tells whether every member was read.
    pub stop: StopReason,
    /// Pages read, every walk counted.
    pub pages: u32,
    /// Members received more than once (pages served again, walks started over); the later
    /// copy is kept.
    pub copies: usize,
}

impl MembersRead {
    /// Why the read is incomplete, in words for the user; `None` when every member was read.
    pub fn shortfall(&self) -> Option<String> {
        (!self.stop.is_complete()).then(|| {
            format!(
                "{}; {} members read in {} pages",
                self.stop,
                self.members.len(),
                self.pages
            )
        })
    }
}

/// Reads every member of `call_type:call_id` with the rules of every paged read: each page
/// retried as the client's policy allows; a page of members all read already in this walk
/// asked for once more (`Pager::reread`); a cursor Stream rejects mid-read (400, code 4)
/// starting the walk over (`Pager::restart`); members deduplicated by `user_id`. Any other
/// error is returned as is; a read that stopped early (a repeated cursor or page, the page
/// cap) comes back with its [`StopReason`], never as if complete.
pub async fn read_members(
    client: &StreamClient,
    call_type: &str,
    call_id: &str,
) -> Result<MembersRead, ApiError> {
    let mut pager = client.call_member_pages(MembersQuery::members_of(call_type, call_id));
    let mut members: Vec<Member> = Vec::new();
    let mut place: HashMap<String, usize> = HashMap::new();
    let mut walk: HashSet<String> = HashSet::new();
    let mut copies = 0;
    while let Some(page) = pager.next_page().await {
        let page = match page {
            Ok(page) => page.body,
            Err(error) if error.is_rejected_cursor() && !pager.at_first_page() => {
                if pager.restart() {
                    walk.clear();
                }
                continue;
            }
            Err(error) => return Err(error),
        };
        let mut all_seen = !page.members.is_empty();
        for member in page.members {
            all_seen &= !walk.insert(member.user_id.clone());
            match place.get(&member.user_id) {
                Some(&at) => {
                    copies += 1;
                    members[at] = member;
                }
                None => {
                    place.insert(member.user_id.clone(), members.len());
                    members.push(member);
                }
            }
        }
        if all_seen {
            // False when asked twice already: the pager then ends with `RepeatedPage`.
            pager.reread();
        }
    }
    Ok(MembersRead {
        members,
        stop: pager.stop_reason().unwrap_or(StopReason::LastPage),
        pages: pager.pages_read(),
        copies,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::models::CallSession;

    const T: Nanos = 1_760_000_000_000_000_000;

    #[test]
    fn the_query_names_the_call_in_its_body_and_sends_only_what_is_set() {
        let query = MembersQuery {
            limit: Some(100),
            filter_conditions: Some(json!({"role": {"$in": ["host", "admin"]}})),
            ..MembersQuery::members_of("default", "weekly")
        };
        assert_eq!(
            serde_json::to_value(&query).unwrap(),
            json!({
                "type": "default", "id": "weekly",
                "filter_conditions": {"role": {"$in": ["host", "admin"]}},
                "sort": [{"field": "created_at", "direction": 1}],
                "limit": 100
            })
        );
    }

    #[test]
    fn a_member_decodes_with_nulls_and_any_timestamp_encoding() {
        let page: MembersPage = serde_json::from_value(json!({
            "members": [
                {"user_id": "alice", "role": "host", "custom": {"team": "red"},
                 "user": {"id": "alice", "name": "Alice", "role": "user", "custom": null,
                          "teams": [], "created_at": T},
                 "created_at": T, "updated_at": "2025-10-09T08:53:20Z", "deleted_at": null},
                {"user_id": "bob", "user": null, "role": null, "custom": null,
                 "created_at": "2025-10-09T08:53:20Z", "updated_at": null,
                 "deleted_at": T + 5}
            ],
            "next": "", "prev": null, "duration": "0.5ms"
        }))
        .unwrap();
        let [alice, bob] = &page.members[..] else {
            panic!("two members")
        };
        assert_eq!(alice.role.as_deref(), Some("host"));
        assert_eq!(alice.custom.as_json(), r#"{"team":"red"}"#);
        assert_eq!(alice.user.name.as_deref(), Some("Alice"));
        assert!(alice.user.custom.is_empty());
        assert_eq!(alice.created_at, Some(T));
        assert_eq!(alice.updated_at, Some(T));
        assert_eq!(alice.deleted_at, None);
        assert_eq!(bob.user, MemberUser::default());
        assert_eq!(bob.role, None);
        assert_eq!(bob.created_at, Some(T));
        assert_eq!(bob.deleted_at, Some(T + 5));
        assert_eq!(page.next_cursor(), None);
    }

    #[test]
    fn custom_data_is_kept_as_the_text_the_detail_shows_it_as() {
        let custom = json!({
            "zeta": [1, 2.5, null, u64::MAX],
            "alpha": {"nested": "a \"quoted\" é\n"},
            "team": "red"
        });
        let member: Member =
            serde_json::from_value(json!({"user_id": "a", "custom": custom.clone()})).unwrap();
        assert_eq!(member.custom.as_json(), custom.to_string());
        assert_eq!(
            serde_json::from_str::<Value>(member.custom.as_json()).unwrap(),
            custom,
            "every value read back exact"
        );
        for none in [
            json!({"user_id": "a", "custom": null}),
            json!({"user_id": "a", "custom": {}}),
            json!({"user_id": "a"}),
        ] {
            let member: Member = serde_json::from_value(none).unwrap();
            assert!(member.custom.is_empty());
            assert_eq!(member.custom.as_json(), "");
        }
    }

    #[test]
    fn a_null_member_list_is_an_empty_page() {
        let page: MembersPage =
            serde_json::from_value(json!({"members": null, "duration": "1ms"})).unwrap();
        assert!(page.members.is_empty());
    }

    #[test]
    fn ring_maps_tell_not_reported_from_nobody_and_keep_null_times() {
        let session: CallSession = serde_json::from_value(json!({
            "id": "s",
            "accepted_by": {"alice": T, "carol": "2025-10-09T08:53:20Z"},
            "rejected_by": {"host": null},
            "missed_by": null
        }))
        .unwrap();
        let accepted = session.accepted_by.unwrap();
        assert_eq!(accepted["alice"], Some(T));
        assert_eq!(accepted["carol"], Some(T));
        assert_eq!(session.rejected_by.unwrap()["host"], None);
        assert_eq!(session.missed_by, None, "null is not reported");
        let empty: CallSession =
            serde_json::from_value(json!({"id": "s", "missed_by": {}})).unwrap();
        assert_eq!(empty.missed_by, Some(RingMap::new()), "{{}} is nobody");
        assert_eq!(empty.accepted_by, None, "absent is not reported");
    }
}
