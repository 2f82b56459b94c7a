/**
 * The log explorer's API (GET /api/logs, /api/logs/:id) and the sessions list (GET /api/sessions),
 * through a real gateway and the emulator: filters, cursor paging, the attempts cascade, warnings,
 * and whose rows each caller sees.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { caller, chatBody, gatewayKey, signup } from '../helpers/api.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const dbOf = (s: Stack) => (s.gateway.sessions as unknown as { db: Kysely<any> }).db;

for (const { name: dialect, make, missing } of TEST_DIALECTS)
  describe(`GET /api/logs and /api/sessions on ${dialect}`, needs(missing), () => {
    failInCi(missing);
    let s: Stack;
    const call = caller(() => s);
    const database = make();
    let alice: { token: string; userId: string };
    let bob: { token: string; userId: string };
    let aliceKey: { key: string; id: string };

    before(async () => {
      s = await startStack({ ...database.env, USERS_MAY_USE_OPERATOR_KEYS: 'true' }, { database });
      alice = await signup(call, 'alice-logs@example.com');
      bob = await signup(call, 'bob-logs@example.com');
      aliceKey = await gatewayKey(call, alice.token, { name: 'n8n prod' });
      // One request that falls back: the free tier's first model refuses it (402), the next answers.
      s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 402, message: 'operator balance: $0.00 on org acme' }, times: 1 }]);
      assert.equal((await call('POST', '/v1/chat/completions', aliceKey.key, chatBody('first', { session_id: 'trip-to-lisbon' }))).status, 200);
      for (let i = 0; i < 4; i++) assert.equal((await call('POST', '/v1/chat/completions', alice.token, chatBody(`again ${i}`, { session_id: i % 2 ? 'work' : 'trip-to-lisbon' }))).status, 200);
      assert.equal((await call('POST', '/v1/chat/completions', alice.token, chatBody('x', { model: 'no-such-model' }))).status, 404);
      assert.equal((await call('POST', '/v1/chat/completions', bob.token, chatBody('bob here'))).status, 200);
      await s.gateway.logs.flush();
    });
    after(() => s.close());

    it("lists the caller's own rows, newest first, with the explorer's fields", async () => {
      const res = await call('GET', '/api/logs', alice.token);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.data.length, 6);
      const times = res.body.data.map((r: any) => r.created_at);
      assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
      assert.ok(
        res.body.data.every((r: any) => r.user_id === undefined),
        'a user is not shown user ids',
      );
      const first = res.body.data.at(-1);
      for (const field of ['id', 'created_at', 'model', 'provider', 'status', 'prompt_tokens', 'completion_tokens', 'cost_usd', 'latency_ms', 'complexity', 'route', 'cache_hit', 'key_name']) {
        assert.ok(field in first, `${field} in ${JSON.stringify(first)}`);
      }
      assert.equal(first.status, 'ok');
      assert.equal(first.key_name, 'n8n prod');
      assert.equal(first.route, 'cascade');
      assert.equal(typeof first.complexity, 'string');
      assert.equal(first.session_id, 'trip-to-lisbon');
    });

    it('filters by status, key, session, model and provider', async () => {
      const errors = await call('GET', '/api/logs?status=error', alice.token);
      assert.deepEqual(
        errors.body.data.map((r: any) => [r.status, r.http_status]),
        [['error', 404]],
      );
      const byKey = await call('GET', `/api/logs?key_id=${aliceKey.id}`, alice.token);
      assert.equal(byKey.body.data.length, 1);
      const bySession = await call('GET', '/api/logs?session_id=work', alice.token);
      assert.equal(bySession.body.data.length, 2);
      const byProvider = await call('GET', '/api/logs?provider=openrouter', alice.token);
      assert.equal(byProvider.body.data.length, 5);
      assert.equal((await call('GET', '/api/logs?provider=anthropic', alice.token)).body.data.length, 0);
      const byModel = await call('GET', '/api/logs?model=no-such-model', alice.token);
      assert.equal(byModel.body.data.length, 1);
      assert.equal((await call('GET', '/api/logs?cache_hit=true', alice.token)).body.data.length, 0);
      assert.equal((await call('GET', '/api/logs?timeframe=1h', alice.token)).body.data.length, 6);
      assert.equal((await call('GET', `/api/logs?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, alice.token)).body.data.length, 0);
    });

    it('pages by cursor without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await call('GET', `/api/logs?limit=4${cursor ? `&cursor=${cursor}` : ''}`, alice.token);
        assert.equal(res.status, 200);
        seen.push(...res.body.data.map((r: any) => r.id));
        cursor = res.body.next_cursor;
        assert.equal(res.body.has_more, cursor !== null);
        pages++;
      } while (cursor !== null);
      assert.equal(pages, 2);
      assert.equal(new Set(seen).size, 6);
    });

    it("shows one row with its attempts cascade, in the gateway's words to a user and whole to the operator", async () => {
      const list = await call('GET', `/api/logs?key_id=${aliceKey.id}`, alice.token);
      const id = list.body.data[0].id;
      const mine = await call('GET', `/api/logs/${id}`, alice.token);
      assert.equal(mine.status, 200);
      const cascade = mine.body.attempts.map((a: any) => [a.provider, a.status, a.http_status]);
      assert.deepEqual(cascade[0], ['openrouter', 'error', 402]);
      assert.equal(cascade.at(-1)[1], 'ok');
      assert.equal(typeof mine.body.attempts[0].reason, 'string');
      assert.ok(Array.isArray(mine.body.warnings));
      assert.ok(!JSON.stringify(mine.body).includes('acme'), "the upstream text is the operator's");
      const operator = await call('GET', `/api/logs/${id}`, TEST_TOKEN);
      assert.ok(JSON.stringify(operator.body.attempts).includes('acme'));
      assert.equal(operator.body.user_id, alice.userId);
    });

    it("keeps users apart: another user's row is a 404, their filter a 403; the operator sees all or one user", async () => {
      const bobsRow = (await call('GET', '/api/logs', bob.token)).body.data[0];
      assert.equal((await call('GET', `/api/logs/${bobsRow.id}`, alice.token)).status, 404);
      assert.equal((await call('GET', `/api/logs?user_id=${bob.userId}`, alice.token)).status, 403);
      const all = await call('GET', '/api/logs', TEST_TOKEN);
      assert.ok(all.body.data.length >= 7);
      const onlyBob = await call('GET', `/api/logs?user_id=${bob.userId}`, TEST_TOKEN);
      assert.deepEqual([...new Set(onlyBob.body.data.map((r: any) => r.user_id))], [bob.userId]);
    });

    it('refuses bad filters and cursors with a 400', async () => {
      const badCursor = Buffer.from(JSON.stringify(['not a time', 'x'])).toString('base64url');
      for (const q of ['status=weird', 'limit=0', 'limit=5000', 'cursor=%%%', 'cursor=bm90anNvbg', `cursor=${badCursor}`, 'since=yesterday', 'cache_hit=maybe']) {
        const res = await call('GET', `/api/logs?${q}`, alice.token);
        assert.equal(res.status, 400, `${q}: ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.error.message, 'string');
      }
    });

    it('a key needs the read scope; a chat-only key is refused', async () => {
      assert.equal((await call('GET', '/api/logs', aliceKey.key)).status, 200);
      const chatOnly = await gatewayKey(call, alice.token, { name: 'chat only', scopes: ['chat'] });
      assert.equal((await call('GET', '/api/logs', chatOnly.key)).status, 403);
    });

    it("lists the caller's sessions, most recently active first, with counts and a preview, paged", async () => {
      const res = await call('GET', '/api/sessions', alice.token);
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.data.map((x: any) => x.session_id),
        ['work', 'trip-to-lisbon'],
      );
      const trip = res.body.data[1];
      assert.equal(trip.messages, 6);
      assert.equal(trip.preview, 'first');
      const page1 = await call('GET', '/api/sessions?limit=1', alice.token);
      assert.equal(page1.body.data[0].session_id, 'work');
      const page2 = await call('GET', `/api/sessions?limit=1&cursor=${page1.body.next_cursor}`, alice.token);
      assert.deepEqual(
        page2.body.data.map((x: any) => x.session_id),
        ['trip-to-lisbon'],
      );
      assert.equal(page2.body.has_more, false);
      assert.equal((await call('GET', '/api/sessions', bob.token)).body.data.length, 0);
      assert.equal((await call('GET', '/api/sessions?cursor=zzz', alice.token)).status, 400);
    });

    it("hides a 500's internal text from the user, not from the operator", async () => {
      await dbOf(s)
        .insertInto('request_logs')
        .values({
          id: 'chatcmpl-internal-500',
          created_at: new Date().toISOString(),
          user_id: alice.userId,
          gateway_key_id: null,
          session_id: null,
          endpoint: 'chat.completions',
          model_requested: 'auto',
          model_used: null,
          provider: null,
          priority: 'normal',
          stream: 0,
          status: 'error',
          http_status: 500,
          error: 'SqliteError: disk I/O error at /var/lib/cerebro/cerebro.db',
          prompt_tokens: 0,
          completion_tokens: 0,
          total_tokens: 0,
          cost_usd: 0,
          latency_ms: 3,
          cache_hit: 0,
          attempts: '[]',
        })
        .execute();
      const mine = await call('GET', '/api/logs/chatcmpl-internal-500', alice.token);
      assert.equal(mine.status, 200);
      assert.ok(!JSON.stringify(mine.body).includes('/var/lib'), JSON.stringify(mine.body));
      assert.match(mine.body.error, /Internal error/);
      assert.match((await call('GET', '/api/logs/chatcmpl-internal-500', TEST_TOKEN)).body.error, /disk I\/O/);
      await dbOf(s).deleteFrom('request_logs').where('id', '=', 'chatcmpl-internal-500').execute();
    });

    it('the overview has p95 latency and the error rate', async () => {
      const res = await call('GET', '/api/analytics/overview?timeframe=24h', alice.token);
      assert.equal(typeof res.body.p95_latency_ms, 'number');
      assert.equal(res.body.error_rate, Math.round(((100 * 1) / 6) * 100) / 100);
    });
  });
