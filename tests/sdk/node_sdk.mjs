// Stream's official Node SDK against `headcount sim`, with only its base URL changed.
// Run by tests/sim_sdk.rs with SIM_URL, SIM_KEY, SIM_SECRET, SIM_CALL_TYPE, SIM_CALL_ID,
// SIM_SESSION_ID, SIM_SESSIONS, SIM_EARLIER_SESSIONS (comma-separated, most recent first),
// SIM_RING_URL and SIM_RING_CALL_ID (a second sim, playing a ringing call) set; exits non-zero
// on the first failed check. Prints who never joined and who attended without being a member,
// as `roster {...}` and `ring_roster {...}` (with who rejected and who missed the ring), for
// the test to compare with `headcount roster`.
import assert from 'node:assert/strict';
import { StreamClient } from '@stream-io/node-sdk';

const env = process.env;
const client = new StreamClient(env.SIM_KEY, env.SIM_SECRET, { basePath: env.SIM_URL });
const call = client.video.call(env.SIM_CALL_TYPE, env.SIM_CALL_ID);
const session = env.SIM_SESSION_ID;
const expectedSessions = Number(env.SIM_SESSIONS);

const got = await call.get();
assert.equal(got.call.cid, `${env.SIM_CALL_TYPE}:${env.SIM_CALL_ID}`);
assert.equal(got.call.current_session_id, session);
assert.ok(got.call.created_at instanceof Date, 'timestamps decode to dates');
assert.ok(got.call.session.started_at.getUTCFullYear() > 2000, 'nanoseconds decode to a sane date');
assert.equal(got.metadata.responseCode, 200);
assert.ok(got.metadata.rateLimit.rateLimit > 0, 'rate-limit headers are read');

async function everyRow(limit, filter_conditions) {
  const rows = [];
  let next;
  let first;
  do {
    const page = await call.queryCallParticipantSessions({ session, limit, next, filter_conditions });
    first ??= page;
    rows.push(...page.participants_sessions);
    next = page.next;
  } while (next);
  return { rows, first };
}

const { rows, first } = await everyRow(100);
assert.equal(first.total_participant_sessions, expectedSessions);
assert.equal(rows.length, expectedSessions);
assert.equal(new Set(rows.map((r) => r.user_session_id)).size, rows.length, 'no row twice');
const seconds = rows.reduce((sum, r) => sum + r.duration_in_seconds, 0);
assert.equal(seconds, first.total_participant_duration);
assert.ok(rows[0].joined_at instanceof Date);
assert.equal(typeof first.duration, 'number');

const someone = rows[rows.length - 1].user_id;
const filter = { user_id: { $in: [someone, rows[0].user_id] } };
const filtered = await everyRow(1, filter);
const expected = rows.filter((r) => filter.user_id.$in.includes(r.user_id));
assert.deepEqual(
  filtered.rows.map((r) => r.user_session_id).sort(),
  expected.map((r) => r.user_session_id).sort(),
);
assert.equal(filtered.first.total_participant_sessions, expectedSessions, 'totals ignore the filter');

await assert.rejects(
  call.queryCallParticipantSessions({ session, limit: 101 }),
  (err) => err.code === 4 && /limit/.test(err.message),
);
await assert.rejects(
  new StreamClient(env.SIM_KEY, 'wrong-secret', { basePath: env.SIM_URL }).video
    .call(env.SIM_CALL_TYPE, env.SIM_CALL_ID)
    .get(),
  (err) => err.code === 43,
);

const stats = await client.video.queryCallSessionStats({
  filter_conditions: { call_cid: { $eq: got.call.cid } },
});
const earlier = env.SIM_EARLIER_SESSIONS ? env.SIM_EARLIER_SESSIONS.split(',') : [];
assert.equal(stats.metadata.responseCode, 201);
assert.equal(stats.call_stats.length, 1 + earlier.length);
assert.equal(stats.call_stats[0].call_session_id, session, 'the newest session comes first');
assert.equal(stats.call_stats[0].counts.sessions, expectedSessions);
assert.ok(stats.call_stats[0].generated_at instanceof Date);

const listed = [];
let cursor;
do {
  const page = await client.video.queryCallSessionStats({
    filter_conditions: { call_cid: { $eq: got.call.cid } },
    sort: [{ field: 'session_started_at', direction: -1 }],
    limit: 1,
    next: cursor,
  });
  listed.push(...page.call_stats.map((row) => row.call_session_id));
  cursor = page.next;
} while (cursor);
assert.deepEqual(listed, [session, ...earlier], 'sessions page one by one, newest first');

// The call's members: every page, with the SDK's own call.queryMembers().
async function everyMember(request) {
  const members = [];
  let next;
  do {
    const page = await call.queryMembers({ ...request, next });
    assert.equal(page.metadata.responseCode, 201);
    members.push(...page.members);
    next = page.next;
  } while (next);
  return members;
}

const members = await everyMember({ limit: 100 });
const memberIds = members.map((m) => m.user_id);
assert.equal(new Set(memberIds).size, members.length, 'no member twice');
assert.ok(members[0].created_at instanceof Date, 'member timestamps decode to dates');
assert.ok(members.every((m) => m.user.id === m.user_id && typeof m.custom === 'object'));
assert.deepEqual(
  got.members.map((m) => m.user_id),
  memberIds.slice(0, 25),
  'GetCall embeds the first 25 members',
);
const hosts = await everyMember({ limit: 7, filter_conditions: { role: { $eq: 'host' } } });
assert.deepEqual(
  hosts.map((m) => m.user_id),
  members.filter((m) => m.role === 'host').map((m) => m.user_id),
);
const byId = await everyMember({ limit: 100, sort: [{ field: 'user_id', direction: -1 }] });
assert.deepEqual(byId.map((m) => m.user_id), [...memberIds].sort().reverse());
await assert.rejects(call.queryMembers({ limit: 101 }), (err) => err.code === 4);
assert.deepEqual(got.call.session.accepted_by, {}, 'this call did not ring');

// A ringing call: the session's ring maps decode to dates, the caller's cancel is a rejection.
const ringCall = new StreamClient(env.SIM_KEY, env.SIM_SECRET, { basePath: env.SIM_RING_URL })
  .video.call(env.SIM_CALL_TYPE, env.SIM_RING_CALL_ID);
const rang = await ringCall.get();
const ringSession = rang.call.session;
for (const map of ['accepted_by', 'rejected_by', 'missed_by']) {
  const outcomes = Object.values(ringSession[map]);
  assert.ok(outcomes.length > 0, `${map} is filled`);
  assert.ok(outcomes.every((at) => at instanceof Date && at >= ringSession.started_at), map);
}
assert.ok(rang.call.created_by.id in ringSession.rejected_by, "the caller's cancel");

// Who never joined and who attended without being a member, from the SDK's reads alone: the
// same lists `headcount roster` must give. Of those who never joined, the ones in a ring map
// rejected (never the caller, whose cancel Stream records there) or missed the ring.
function rosterOf(callMembers, callRows, callSession, creator) {
  const started = callSession.started_at.getTime();
  const ended = callSession.ended_at.getTime();
  const invited = callMembers.filter(
    (m) => !(m.deleted_at && m.deleted_at.getTime() <= started) && m.created_at.getTime() < ended,
  );
  const attendees = new Set(callRows.map((r) => r.user_id));
  const expectedIds = new Set(invited.map((m) => m.user_id));
  const never = [...expectedIds].filter((id) => !attendees.has(id)).sort();
  const rejected = never.filter((id) => id in callSession.rejected_by && id !== creator);
  return {
    never_joined: never,
    not_members: [...attendees].filter((id) => !expectedIds.has(id)).sort(),
    rejected,
    missed: never.filter((id) => !rejected.includes(id) && id in callSession.missed_by),
  };
}
const roster = rosterOf(members, rows, got.call.session, got.call.created_by.id);
console.log(`roster ${JSON.stringify(roster)}`);

const ringMembers = [];
let ringNext;
do {
  const page = await ringCall.queryMembers({ limit: 100, next: ringNext });
  ringMembers.push(...page.members);
  ringNext = page.next;
} while (ringNext);
const ringRows = [];
do {
  const page = await ringCall.queryCallParticipantSessions({
    session: rang.call.current_session_id,
    limit: 100,
    next: ringNext,
  });
  ringRows.push(...page.participants_sessions);
  ringNext = page.next;
} while (ringNext);
const ringRoster = rosterOf(ringMembers, ringRows, ringSession, rang.call.created_by.id);
console.log(`ring_roster ${JSON.stringify(ringRoster)}`);

console.log(
  `node sdk ok: ${rows.length} sessions, ${filtered.rows.length} filtered, ${members.length} members`,
);
