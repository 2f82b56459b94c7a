/**
 * Attack: a cache hit used to be stored into the session like a fresh answer and cost nothing, so
 * one answer could be replayed into any number of sessions; and a session's history came back in
 * one response however long it was. Storage is now bounded per user, and history is paged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody, signup } from '../../helpers/api.js';
import { startStack, type Stack } from '../../helpers/stack.js';

const LIMIT = 20_000;

describe('attack: free, unbounded writes through the cache', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: 'true', USERS_MAY_USE_OPERATOR_KEYS: 'true', CACHE_MAX_SIZE: '100', USER_STORAGE_LIMIT_BYTES: String(LIMIT) });
  });
  after(() => s.close());

  it('refuses, before any provider call, a request that would store past USER_STORAGE_LIMIT_BYTES', async () => {
    const { token } = await signup(call, 'replayer@example.com');
    const prompt = 'x'.repeat(3_000);
    let refused;
    let sessions = 0;
    for (; sessions < 20 && !refused; sessions++) {
      const res = await call('POST', '/v1/chat/completions', token, chatBody(prompt, { session_id: `s${sessions}` }));
      if (res.status === 429) refused = res;
      else assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    assert.ok(refused, 'a 429 came');
    assert.ok(sessions <= 8, `after ${sessions} sessions of 3 KB each against a 20 KB limit`);
    assert.equal(refused.body.error.code, 'storage_quota_exceeded');
    assert.match(refused.body.error.message, new RegExp(`\\(\\d+ of ${LIMIT} bytes\\)`));
    assert.match(refused.body.error.message, /you store [\d.]+ KiB of 19\.5 KiB/);
    const upstreamBefore = s.emulator.requests.length;
    const again = await call('POST', '/v1/chat/completions', token, chatBody(`a fresh question ${prompt}`, { session_id: 'another', cache: false }));
    assert.equal(again.status, 429);
    assert.equal(s.emulator.requests.length, upstreamBefore, 'no tokens spent on an answer that could not be stored');
    // Without a session nothing is stored, so the request is answered.
    assert.equal((await call('POST', '/v1/chat/completions', token, chatBody('no memory needed'))).status, 200);
    // Forgetting a session frees its space at once.
    assert.equal((await call('DELETE', '/v1/sessions/s0', token)).status, 200);
    assert.equal((await call('POST', '/v1/chat/completions', token, chatBody('small', { session_id: 'after-cleanup' }))).status, 200);
  });

  it('holds room for the answers of requests in flight, so concurrent ones cannot store past the quota together', async () => {
    const { token } = await signup(call, 'concurrent-writer@example.com');
    const answer = 'y'.repeat(4_000);
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: answer }, times: 20 }]);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', '/v1/chat/completions', token, chatBody(`q${i}`, { session_id: `c${i}`, max_tokens: 1_000, cache: false }))));
    s.emulator.script.reset();
    const ok = answers.filter((a) => a.status === 200).length;
    assert.ok(ok >= 1 && ok < 20, `${ok} of 20 answered`);
    const db = (s.gateway.sessions as unknown as { db: import('kysely').Kysely<any> }).db;
    const row = await db.selectFrom('users').select('id').where('email', '=', 'concurrent-writer@example.com').executeTakeFirstOrThrow();
    const bytes = Number((await db.selectFrom('user_storage').select('bytes').where('user_id', '=', row.id).executeTakeFirst())?.bytes ?? 0);
    assert.ok(bytes <= LIMIT + answer.length, `stored ${bytes} bytes against a ${LIMIT}-byte quota`);
  });

  it("counts each user's storage apart", async () => {
    const { token } = await signup(call, 'neighbour@example.com');
    assert.equal((await call('POST', '/v1/chat/completions', token, chatBody('hello', { session_id: 's0' }))).status, 200);
  });
});

describe('attack: a session history fetched in one response', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: 'true' });
  });
  after(() => s.close());

  it('pages the history, oldest first: 100 turns by default, at most 1,000, with a cursor', async () => {
    const { token, userId } = await signup(call, 'long-talker@example.com');
    for (let i = 0; i < 125; i++)
      await s.gateway.sessions.append(userId, 'long', [
        { role: 'user', content: `q${i}` },
        { role: 'assistant', content: `a${i}`, modelUsed: 'm' },
      ]);
    const first = await call('GET', '/v1/sessions/long/messages', token);
    assert.equal(first.status, 200);
    assert.equal(first.body.messages.length, 100);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.messages[0].content, 'q0');
    assert.equal(first.body.last_id, first.body.messages[99].id);
    const seen: string[] = first.body.messages.map((m: { content: string }) => m.content);
    let cursor = first.body.next_cursor as string | null;
    while (cursor) {
      const page = await call('GET', `/v1/sessions/long/messages?limit=60&after=${cursor}`, token);
      seen.push(...page.body.messages.map((m: { content: string }) => m.content));
      cursor = page.body.next_cursor;
      if (!page.body.has_more) assert.equal(cursor, null);
    }
    assert.equal(seen.length, 250);
    assert.deepEqual(seen.slice(-2), ['q124', 'a124']);
    for (const [query, param] of [
      ['limit=1001', 'limit'],
      ['limit=0', 'limit'],
      ['after=abc', 'after'],
    ] as const) {
      const res = await call('GET', `/v1/sessions/long/messages?${query}`, token);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.param, param);
    }
  });
});
