/**
 * Three gateway instances on one Postgres database and one (private) Redis, as behind a load
 * balancer: limits hold across them, and when Redis dies every instance keeps answering, counting
 * alone, until it returns.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chatBody } from '../helpers/api.js';
import { POSTGRES_MISSING, postgresTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { REDIS_MISSING, startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const missing = POSTGRES_MISSING ?? REDIS_MISSING;

describe('several instances sharing one Redis', needs(missing), () => {
  failInCi(missing);
  let redis: PrivateRedis;
  let database: TestDatabase;
  const instances: Stack[] = [];
  const instancesToClose: Stack[] = [];
  let env: Record<string, string>;

  before(async () => {
    redis = await startPrivateRedis();
    database = postgresTestDatabase();
    env = { REDIS_URL: redis.url, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`, REDIS_TIMEOUT_MS: '200', USERS_MAY_USE_OPERATOR_KEYS: 'true' };
    // One after another: the first runs the migrations the others find done.
    for (let i = 0; i < 3; i++) instances.push(await startStack(env, { database, keepDatabase: true }));
  });
  after(async () => {
    await Promise.allSettled([...instances, ...instancesToClose].map((s) => s.close()));
    await database?.drop().catch(() => undefined);
    await redis?.stop();
  });

  const newKey = async (rateLimit: number) => {
    const res = await instances[0]!.post('/api/keys/gateway', { name: `limited ${randomBytes(3).toString('hex')}`, rate_limit: rateLimit });
    assert.equal(res.status, 201);
    return ((await res.json()) as { key: string }).key;
  };
  /** `count` requests at once with `key`, spread over the instances in turn; their statuses. */
  const burst = (key: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        fetch(`${instances[i % instances.length]!.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(chatBody(`request ${i}`)),
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
  const tally = (statuses: number[]) => ({ ok: statuses.filter((s) => s === 200).length, limited: statuses.filter((s) => s === 429).length, other: statuses.filter((s) => s !== 200 && s !== 429) });
  const health = async (s: Stack) => (await (await fetch(`${s.url}/health`)).json()) as { status: string; redis?: { status: string; fallback: boolean } };

  it("a key's limit is exact across instances under concurrent load", async () => {
    const key = await newKey(10);
    assert.deepEqual(tally(await burst(key, 30)), { ok: 10, limited: 20, other: [] });
    const h = await health(instances[1]!);
    assert.equal(h.redis?.status, 'ok');
    assert.equal(h.redis?.fallback, false);
  });

  it('a key revoked on one instance is refused by the others within a second', async () => {
    const res = await instances[0]!.post('/api/keys/gateway', { name: 'to revoke' });
    const { key, id } = (await res.json()) as { key: string; id: string };
    const ask = (s: Stack) =>
      fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(chatBody('hi')) });
    // Every instance has the key cached as active (they trust a lookup for 10 s).
    for (const s of instances) assert.equal((await ask(s)).status, 200);
    const revoked = await fetch(`${instances[0]!.url}/api/keys/gateway/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    assert.equal(revoked.status, 200);
    const started = Date.now();
    for (const s of instances.slice(1)) {
      while ((await ask(s)).status !== 401) {
        assert.ok(Date.now() - started < 1_000, 'refused within a second');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });

  it('a target rate-limited on one instance cools for all of them', async () => {
    const [a, b] = [instances[0]!, instances[1]!];
    a.emulator.script.add('openrouter', [{ model: 'openrouter/free', behavior: { type: 'error', status: 429, retryAfterSeconds: 30 } }]);
    const first = await a.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] });
    assert.notEqual(first.model, 'openrouter/free', 'the first instance fell back');
    const deadline = Date.now() + 1_000;
    const cooled = async () => {
      const report = (await (await fetch(`${b.url}/api/health/providers`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as {
        targets: Array<{ model: string; cooling_until: string | null }>;
      };
      return report.targets.some((t) => t.model === 'openrouter/free' && t.cooling_until !== null);
    };
    while (!(await cooled())) {
      assert.ok(Date.now() < deadline, 'the other instance learns of it within a second');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    b.emulator.reset();
    await b.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello again' }] });
    const calledFree = b.emulator.requests.some((r) => (r.body as { model?: string } | undefined)?.model === 'openrouter/free');
    assert.equal(calledFree, false, 'the second instance does not call the cooled target');
    for (const s of instances) s.gateway.health.reset();
  });

  it('with CACHE_BACKEND=redis a repeat on another instance is a cache hit', async () => {
    const cached = { ...env, CACHE_BACKEND: 'redis', CACHE_MAX_SIZE: '100' };
    const [one, two] = [await startStack(cached, { database, keepDatabase: true }), await startStack(cached, { database, keepDatabase: true })];
    instancesToClose.push(one, two);
    const ask = (s: Stack) => s.client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'What is a prompt cache?' }] });
    const first = (await ask(one)) as unknown as { metadata: { cache_hit: boolean }; choices: Array<{ message: { content: string } }> };
    assert.equal(first.metadata.cache_hit, false);
    // The entry is written after the answer is sent: wait until it is there.
    const deadline = Date.now() + 1_000;
    for (;;) {
      const again = (await ask(two)) as unknown as { metadata: { cache_hit: boolean; cost_usd: number }; choices: Array<{ message: { content: string } }> };
      if (again.metadata.cache_hit) {
        assert.equal(again.choices[0]!.message.content, first.choices[0]!.message.content);
        assert.equal(again.metadata.cost_usd, 0);
        break;
      }
      assert.ok(Date.now() < deadline, 'a hit on the other instance');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stats = (await (await fetch(`${two.url}/api/cache`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as { enabled: boolean; hits: number };
    assert.equal(stats.enabled, true);
    assert.ok(stats.hits >= 1);
  });

  it('a US-dollar budget holds across instances: 30 concurrent requests never spend past it', async () => {
    const budget = 0.0006;
    const res = await instances[0]!.post('/api/keys/gateway', { name: 'budgeted', max_budget_usd: budget, budget_period: 'monthly', rate_limit: 1000 });
    const { key, id } = (await res.json()) as { key: string; id: string };
    const ask = (s: Stack) =>
      fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 40, messages: [{ role: 'user', content: 'How much?' }] }),
      }).then(async (r) => {
        const body = (await r.json()) as { error?: { code: string } };
        return r.status === 200 ? 'ok' : (body.error?.code ?? String(r.status));
      });
    // Each request holds its worst case (40 tokens out at the plan's dearest model, about $0.0001) until it
    // settles: those that cannot be held are refused, the rest answered.
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(instances[i % 3]!)));
    assert.ok(burst.includes('ok'));
    assert.deepEqual([...new Set(burst.filter((r) => r !== 'ok'))], ['budget_exceeded']);
    // Then one after another, through every instance in turn, until the budget is spent.
    let last = 'ok';
    for (let i = 0; i < 200 && last === 'ok'; i++) last = await ask(instances[i % 3]!);
    assert.equal(last, 'budget_exceeded');
    await Promise.all(instances.map((s) => s.gateway.logs.flush()));
    const rows = (await (await fetch(`${instances[0]!.url}/api/logs?key_id=${id}&limit=200`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as { data: Array<{ cost_usd: number }> };
    const spent = rows.data.reduce((sum, r) => sum + r.cost_usd, 0);
    const dearest = Math.max(...rows.data.map((r) => r.cost_usd));
    // Counted per instance, each of the three would have spent up to the whole budget.
    assert.ok(spent <= budget + dearest, `spent ${spent} of ${budget}`);
    assert.ok(spent > budget / 2, `the budget was used: ${spent}`);
  });

  it("a user's daily token limit holds across instances", async () => {
    const signed = await fetch(`${instances[0]!.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `tokens-${randomBytes(3).toString('hex')}@example.com`, password: 'Correct-Horse-9' }),
    });
    const { token, user } = (await signed.json()) as { token: string; user: { id: string } };
    const limit = 300;
    const set = await fetch(`${instances[1]!.url}/api/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ daily_token_limit: limit }),
    });
    assert.equal(set.status, 200);
    const ask = (s: Stack, i: number) =>
      fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: `question number ${i}` }] }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const statuses = await Promise.all(Array.from({ length: 24 }, (_, i) => ask(instances[i % 3]!, i)));
    assert.ok(statuses.includes(429), 'the limit refused some');
    await Promise.all(instances.map((s) => s.gateway.logs.flush()));
    const rows = (await (await fetch(`${instances[0]!.url}/api/logs?user_id=${user.id}&limit=200`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as {
      data: Array<{ prompt_tokens: number; completion_tokens: number; status: string }>;
    };
    const used = rows.data.reduce((sum, r) => sum + r.prompt_tokens + r.completion_tokens, 0);
    const largest = Math.max(...rows.data.map((r) => r.prompt_tokens + r.completion_tokens));
    // Counted per instance, each of the three would have let the whole limit through.
    assert.ok(used <= limit + largest, `${used} tokens used of ${limit}`);
  });

  it('with Redis killed every instance keeps answering, counting alone; when it returns, limits are shared again', async () => {
    const key = await newKey(6);
    const strict = await startStack({ ...env, LIMITS_ON_REDIS_FAILURE: 'deny' }, { database, keepDatabase: true });
    instancesToClose.push(strict);
    await redis.kill();
    // LIMITS_ON_REDIS_FAILURE=deny refuses what it cannot count, saying why (never a 500, never a hang).
    const refused = await fetch(`${strict.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(chatBody('strict')),
    });
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'limits_unavailable');
    const statuses = await burst(key, 9);
    // Three instances counting alone let each through up to the limit: none is refused, none fails.
    assert.deepEqual(tally(statuses), { ok: 9, limited: 0, other: [] });
    const down = await health(instances[2]!);
    assert.equal(down.status, 'ok', 'Redis away never makes an instance unhealthy');
    assert.deepEqual([down.redis?.status, down.redis?.fallback], ['unreachable', true]);
    const metrics = await (await fetch(`${instances[2]!.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
    assert.match(metrics, /cerebro_shared_state_fallbacks_total [1-9]/);
    assert.match(metrics, /cerebro_shared_state_calls_total\{op="rate_limit",outcome="error"\} [1-9]/);

    await redis.start();
    // The clients reconnect by themselves (backing off at most two seconds).
    const deadline = Date.now() + 8_000;
    while ((await Promise.all(instances.map(health))).some((h) => h.redis?.status !== 'ok')) {
      assert.ok(Date.now() < deadline, 'every instance reconnects to Redis');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const again = await newKey(5);
    assert.deepEqual(tally(await burst(again, 15)), { ok: 5, limited: 10, other: [] });
  });
});
