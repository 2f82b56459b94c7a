/** The routing brain end to end: dry runs, the score policy, metadata, and health-driven fallback. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type OpenAI from 'openai';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

type Meta = { provider: string; model_used: string; complexity: string; route: string; attempts: Array<{ provider: string; status: string }> };
const meta = (r: unknown) => (r as { metadata: Meta }).metadata;

describe('routing brain', () => {
  let s: Stack;
  const get = async (path: string, token = TEST_TOKEN) => {
    const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as any };
  };
  before(async () => {
    s = await startStack({ CASCADE_FREE_MODELS: 'openrouter/free,meta-llama/llama-3.3-70b-instruct:free' });
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  it('POST /v1/route classifies and plans without calling any provider', async () => {
    const res = await s.post('/v1/route', {
      model: 'auto',
      route: 'score',
      messages: [{ role: 'user', content: 'Prove step by step that the halting problem is undecidable, formally, with a diagonal argument over Turing machines and their encodings.' }],
    });
    assert.equal(res.status, 200);
    const plan = (await res.json()) as any;
    assert.equal(plan.object, 'route.plan');
    assert.equal(plan.policy, 'score');
    assert.equal(plan.classification.features.task_type, 'reasoning');
    assert.ok(plan.targets.length >= 1 && plan.targets.length <= 4);
    const floor = { simple: 0, moderate: 60, complex: 70, expert: 85 }[plan.classification.complexity as 'simple'];
    assert.ok(floor >= 60, `a proof is not simple: ${plan.classification.complexity}`);
    assert.ok(
      plan.targets.every((t: { score: number; quality: number }) => typeof t.score === 'number' && t.quality >= floor),
      JSON.stringify(plan.targets),
    );
    assert.ok(plan.excluded.length > 0);
    assert.equal(s.emulator.requests.length, 0, 'no provider was called');

    const cascade = (await (await s.post('/v1/route', { messages: [{ role: 'user', content: 'hi' }] })).json()) as any;
    assert.equal(cascade.policy, 'cascade');
    assert.deepEqual(
      cascade.targets.map((t: { model: string }) => t.model),
      ['openrouter/free', 'meta-llama/llama-3.3-70b-instruct:free', 'gemini-2.5-flash'],
    );
    assert.equal(cascade.classification.complexity, 'simple');

    const bad = await s.post('/v1/route', { messages: [{ role: 'user', content: 'hi' }], route: 'fastest' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error.param, 'route');
    const badHeader = await s.post('/v1/route', { messages: [{ role: 'user', content: 'hi' }] }, { 'x-cerebro-route': 'nope' });
    assert.equal(badHeader.status, 400);
  });

  it('routes with the score policy per request (field or header), and says so in metadata', async () => {
    const simple = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Hi!' }], route: 'score' } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assert.equal(meta(simple).route, 'score');
    assert.equal(meta(simple).complexity, 'simple');
    assert.equal(meta(simple).provider, 'openrouter', 'a simple prompt goes to a free model');

    const hard = await s.client.chat.completions.create(
      {
        model: 'auto',
        messages: [
          {
            role: 'user',
            content:
              'Derive step by step and prove formally the asymptotic complexity of the recursive algorithm, with the theorem and a rigorous proof of the polynomial bound, then implement it in Rust with concurrency and analyse the memory and latency trade-offs under contention.',
          },
        ],
      },
      { headers: { 'x-cerebro-route': 'score' } },
    );
    assert.equal(meta(hard).route, 'score');
    assert.ok(['complex', 'expert'].includes(meta(hard).complexity), meta(hard).complexity);
    assert.notEqual(meta(hard).provider, 'openrouter', 'a hard prompt goes to a strong paid model');

    const plain = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Hi!' }] });
    assert.equal(meta(plain).route, 'cascade');
  });

  it('moves a target with an open circuit to the end of the cascade, and reports it', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 500 }, model: 'openrouter/free', sticky: true }]);
    for (let i = 0; i < 5; i++) await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `q${i}` }] });
    const health = await get('/api/health/providers');
    const free = health.body.targets.find((t: { model: string }) => t.model === 'openrouter/free');
    assert.equal(free.circuit, 'open');
    assert.equal(free.consecutive_failures, 5);
    assert.equal(free.available, false);
    const next = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'after' }] });
    assert.deepEqual(
      meta(next).attempts.map((a) => [a.provider, a.status]),
      [['openrouter', 'ok']],
      'no wasted call on the open circuit',
    );
    assert.equal(meta(next).model_used, 'meta-llama/llama-3.3-70b-instruct:free');
    const plan = (await (await s.post('/v1/route', { messages: [{ role: 'user', content: 'x' }] })).json()) as any;
    assert.deepEqual(plan.targets.map((t: { model: string; available: boolean }) => [t.model, t.available]).at(-1), ['openrouter/free', false]);
  });

  it('counts streams cut after their first content against the target', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'cut', afterChunks: 2 }, model: 'openrouter/free', sticky: true }]);
    for (let i = 0; i < 5; i++) {
      const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: `stream ${i}` }], stream: true });
      assert.doesNotMatch(await res.text(), /\[DONE\]/);
    }
    const health = await get('/api/health/providers');
    assert.equal(health.body.targets.find((t: { model: string }) => t.model === 'openrouter/free').circuit, 'open');
  });

  it('cools a rate-limited target for its Retry-After', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 429, retryAfterSeconds: 120 }, model: 'openrouter/free' }]);
    await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'one' }] });
    const health = await get('/api/health/providers');
    const free = health.body.targets.find((t: { model: string }) => t.model === 'openrouter/free');
    assert.equal(free.circuit, 'closed', 'a 429 is not a fault');
    assert.match(free.reason, /^rate limited until/);
    const next = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'two' }] });
    assert.equal(meta(next).attempts[0]!.provider + '/' + meta(next).model_used, 'openrouter/meta-llama/llama-3.3-70b-instruct:free');
  });

  it("applies the user's route_policy, and serves the registry", async () => {
    assert.equal(
      (
        (await (
          await fetch(`${s.url}/api/config`, { method: 'PUT', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ route_policy: 'score' }) })
        ).json()) as any
      ).route_policy,
      'score',
    );
    const r = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Hi!' }] });
    assert.equal(meta(r).route, 'score');
    await fetch(`${s.url}/api/config`, { method: 'PUT', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ route_policy: 'cascade' }) });
    const models = await get('/api/models');
    const sonnet = models.body.models.find((m: { id: string }) => m.id === 'claude-sonnet-4-5');
    assert.equal(sonnet.quality, 90);
    assert.equal(sonnet.capabilities.tools, true);
    assert.equal(typeof sonnet.typical_latency_ms, 'number');
    assert.equal(sonnet.health.available, true);
  });

  it('retries a transient failure after a jittered pause, but not a credential error', async () => {
    const r = await startStack({ UPSTREAM_RETRIES: '1', UPSTREAM_RETRY_BASE_MS: '20', CASCADE_FREE_MODELS: 'openrouter/free', GEMINI_API_KEY: null });
    try {
      r.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 503 }, times: 1 }]);
      const ok = await r.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'retry me' }] });
      assert.deepEqual(
        meta(ok).attempts.map((a) => [a.provider, a.status]),
        [
          ['openrouter', 'error'],
          ['gemini', 'skipped'],
          ['openrouter', 'ok'],
        ],
      );
      r.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 401 }, sticky: true }]);
      const res = await r.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'no retry' }] });
      assert.equal(res.status, 502);
      const body = (await res.json()) as { metadata: { attempts: unknown[] } };
      assert.equal(body.metadata.attempts.length, 2, 'one try and the skipped fallback: a bad key does not heal');
    } finally {
      await r.close();
    }
  });
});
