// Stream's official Node SDK against `headcount sim`, with only its base URL changed.
// Run by tests/sim_sdk.rs with SIM_URL, SIM_KEY, SIM_SECRET, SIM_CALL_TYPE, SIM_CALL_ID,
// SIM_SESSION_ID, SIM_SESSIONS and SIM_EARLIER_SESSIONS (comma-separated, most recent first)
// set; exits non-zero on the first failed check.
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

console.log(`node sdk ok: ${rows.length} sessions, ${filtered.rows.length} filtered`);
