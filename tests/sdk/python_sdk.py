"""Stream's official Python SDK (getstream) against `headcount sim`, base URL changed only.

Run by tests/sim_sdk.rs with the same SIM_* variables as node_sdk.mjs. Besides the SDK's
calls (which decode leniently), every response is also decoded strictly with the SDK's own
models, so a missing required field fails here. Prints who never joined and who attended
without being a member, as `roster {...}`, and the ringing call's lists with who rejected
and who missed the ring as `ring_roster {...}`, for the test to compare with `headcount roster`.
"""

import json
import os

import httpx
from getstream import Stream
from getstream.base import StreamApiException
from getstream.models import (
    GetCallResponse,
    QueryCallMembersResponse,
    QueryCallParticipantSessionsResponse,
    SortParamRequest,
)

env = os.environ
client = Stream(api_key=env["SIM_KEY"], api_secret=env["SIM_SECRET"], base_url=env["SIM_URL"])
call = client.video.call(env["SIM_CALL_TYPE"], env["SIM_CALL_ID"])
session = env["SIM_SESSION_ID"]
expected_sessions = int(env["SIM_SESSIONS"])
call_path = f"{env['SIM_URL']}/api/v2/video/call/{env['SIM_CALL_TYPE']}/{env['SIM_CALL_ID']}"
headers = {"Authorization": client.token, "stream-auth-type": "jwt"}


def raw(path, **params):
    response = httpx.get(path, params={"api_key": env["SIM_KEY"], **params}, headers=headers)
    response.raise_for_status()
    return response.json()


got = call.get().data
assert got.call.current_session_id == session, got.call.current_session_id
assert got.call.session.started_at.year > 2000
GetCallResponse.from_dict(raw(call_path), infer_missing=False)

rows, next_cursor, first = [], None, None
while True:
    page = call.query_call_participant_sessions(session=session, limit=100, next=next_cursor).data
    first = first or page
    rows.extend(page.participants_sessions)
    next_cursor = page.next
    if not next_cursor:
        break
assert first.total_participant_sessions == expected_sessions
assert len(rows) == expected_sessions
assert len({r.user_session_id for r in rows}) == len(rows)
assert sum(r.duration_in_seconds for r in rows) == first.total_participant_duration
assert isinstance(first.duration, int)
sessions_path = f"{call_path}/session/{session}/participant_sessions"
QueryCallParticipantSessionsResponse.from_dict(raw(sessions_path, limit=100), infer_missing=False)

someone = rows[0].user_id
filtered = call.query_call_participant_sessions(
    session=session, limit=100, filter_conditions={"user_id": {"$eq": someone}}
).data
assert {r.user_session_id for r in filtered.participants_sessions} == {
    r.user_session_id for r in rows if r.user_id == someone
}
assert filtered.total_participant_sessions == expected_sessions

try:
    call.query_call_participant_sessions(session=session, limit=101)
    raise AssertionError("limit=101 was accepted")
except StreamApiException as err:
    assert err.code == 4 and err.status_code == 400, (err.code, err.status_code)


def every_member(**request):
    members, cursor = [], None
    while True:
        response = client.video.query_call_members(
            type=env["SIM_CALL_TYPE"], id=env["SIM_CALL_ID"], next=cursor, **request
        )
        assert response.status_code() == 201, response.status_code()
        members.extend(response.data.members)
        cursor = response.data.next
        if not cursor:
            return members


members = every_member(limit=100)
member_ids = [m.user_id for m in members]
assert len(set(member_ids)) == len(members)
assert members[0].created_at.year > 2000
viewers = every_member(limit=9, filter_conditions={"role": {"$in": ["viewer"]}})
assert [m.user_id for m in viewers] == [m.user_id for m in members if m.role == "viewer"]
by_id = every_member(limit=100, sort=[SortParamRequest(field="user_id", direction=1)])
assert [m.user_id for m in by_id] == sorted(member_ids)
members_body = {"type": env["SIM_CALL_TYPE"], "id": env["SIM_CALL_ID"], "limit": 5}
raw_members = httpx.post(
    f"{env['SIM_URL']}/api/v2/video/call/members",
    params={"api_key": env["SIM_KEY"]},
    headers=headers,
    json=members_body,
)
QueryCallMembersResponse.from_dict(raw_members.json(), infer_missing=False)
try:
    client.video.query_call_members(type=env["SIM_CALL_TYPE"], id=env["SIM_CALL_ID"], limit=101)
    raise AssertionError("limit=101 was accepted")
except StreamApiException as err:
    assert err.code == 4 and err.status_code == 400, (err.code, err.status_code)

# A ringing call: the session's ring maps decode to datetimes, strictly too.
ring_client = Stream(api_key=env["SIM_KEY"], api_secret=env["SIM_SECRET"], base_url=env["SIM_RING_URL"])
rang = ring_client.video.call(env["SIM_CALL_TYPE"], env["SIM_RING_CALL_ID"]).get().data
ring_session = rang.call.session
for name in ("accepted_by", "rejected_by", "missed_by"):
    outcomes = getattr(ring_session, name)
    assert outcomes, f"{name} is filled"
    assert all(at >= ring_session.started_at for at in outcomes.values()), name
assert rang.call.created_by.id in ring_session.rejected_by
ring_path = f"{env['SIM_RING_URL']}/api/v2/video/call/{env['SIM_CALL_TYPE']}/{env['SIM_RING_CALL_ID']}"
GetCallResponse.from_dict(raw(ring_path), infer_missing=False)



# Who never joined and who attended without being a member, from the SDK's reads alone; of
# those who never joined, who rejected (never the caller) or missed the ring.
def roster_of(call_members, call_rows, call_session, creator):
    started, ended = call_session.started_at, call_session.ended_at
    expected = {
        m.user_id
        for m in call_members
        if not (m.deleted_at and m.deleted_at <= started) and m.created_at < ended
    }
    attendees = {r.user_id for r in call_rows}
    never = sorted(expected - attendees)
    rejected = [u for u in never if u in (call_session.rejected_by or {}) and u != creator]
    return {
        "never_joined": never,
        "not_members": sorted(attendees - expected),
        "rejected": rejected,
        "missed": [
            u for u in never if u not in rejected and u in (call_session.missed_by or {})
        ],
    }


print("roster " + json.dumps(roster_of(members, rows, got.call.session, got.call.created_by.id)))

ring_call = ring_client.video.call(env["SIM_CALL_TYPE"], env["SIM_RING_CALL_ID"])
ring_members, cursor = [], None
while True:
    response = ring_client.video.query_call_members(
        type=env["SIM_CALL_TYPE"], id=env["SIM_RING_CALL_ID"], next=cursor, limit=100
    )
    ring_members.extend(response.data.members)
    cursor = response.data.next
    if not cursor:
        break
ring_rows, cursor = [], None
while True:
    page = ring_call.query_call_participant_sessions(
        session=rang.call.current_session_id, limit=100, next=cursor
    ).data
    ring_rows.extend(page.participants_sessions)
    cursor = page.next
    if not cursor:
        break
ring_roster = roster_of(ring_members, ring_rows, ring_session, rang.call.created_by.id)
print("ring_roster " + json.dumps(ring_roster))

print(
    f"python sdk ok: {len(rows)} sessions, {len(filtered.participants_sessions)} filtered, "
    f"{len(members)} members"
)
