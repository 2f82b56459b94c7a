/**
 * Section 6 of the backend seed is a contract: a dashboard or script written against its request and
 * response shapes must work unchanged. One check per seed route, of the seed's field names and types
 * (Cerebro may add fields; it may not rename or drop the seed's).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody } from '../helpers/api.js';
import { startStack, type Stack } from '../helpers/stack.js';

type Kind = 'string' | 'number' | 'boolean' | 'string|null' | 'object' | 'array';

/** Every field the seed names, with its type. */
function hasShape(value: any, shape: Record<string, Kind>, where: string): void {
  for (const [field, kind] of Object.entries(shape)) {
    const v = value?.[field];
    const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    const allowed = kind.split('|');
    assert.ok(allowed.includes(actual), `${where}.${field}: ${kind} expected, got ${actual} (${JSON.stringify(v)})`);
  }
}

const USER = { id: 'string', email: 'string', plan: 'string', created_at: 'string' } as const;

describe("the backend seed's API contract (section 6)", () => {
  let s: Stack;
  const call = caller(() => s);
  let token: string;
  before(async () => {
    s = await startStack({ MASTER_ENCRYPTION_KEY: 'seed-contract-master-key-0123456789abcdef' });
  });
  after(() => s.close());

  it('6.1 POST /api/auth/signup → 201 {user: {id, email, plan, created_at}, token}', async () => {
    const res = await call('POST', '/api/auth/signup', undefined, { email: 'seed@example.com', password: 'SecurePass123!' });
    assert.equal(res.status, 201);
    hasShape(res.body, { user: 'object', token: 'string' }, 'signup');
    hasShape(res.body.user, USER, 'signup.user');
    assert.equal(res.body.user.plan, 'free');
    token = res.body.token;
  });

  it('6.1 POST /api/auth/login → 200 {user, token}', async () => {
    const res = await call('POST', '/api/auth/login', undefined, { email: 'seed@example.com', password: 'SecurePass123!' });
    assert.equal(res.status, 200);
    hasShape(res.body, { user: 'object', token: 'string' }, 'login');
    hasShape(res.body.user, USER, 'login.user');
    assert.equal((await call('GET', '/api/auth/me', res.body.token)).status, 200, 'the token works');
  });

  it('6.1 GET /api/auth/me → the user {id, email, plan, created_at}', async () => {
    const res = await call('GET', '/api/auth/me', token);
    assert.equal(res.status, 200);
    hasShape(res.body, USER, 'me');
  });

  it('6.2 POST /api/keys/gateway {name} → 201 {id, key, prefix, name, created_at}; GET → {keys: [{id, prefix, name, created_at, last_used_at, is_active}]}', async () => {
    const created = await call('POST', '/api/keys/gateway', token, { name: 'Production Key' });
    assert.equal(created.status, 201);
    hasShape(created.body, { id: 'string', key: 'string', prefix: 'string', name: 'string', created_at: 'string' }, 'key');
    assert.ok(created.body.key.startsWith(created.body.prefix));
    const listed = await call('GET', '/api/keys/gateway', token);
    assert.equal(listed.status, 200);
    hasShape(listed.body, { keys: 'array' }, 'keys');
    hasShape(listed.body.keys[0], { id: 'string', prefix: 'string', name: 'string', created_at: 'string', last_used_at: 'string|null', is_active: 'boolean' }, 'keys[0]');
  });

  it('6.3 POST /api/keys/providers {provider, api_key} → 201 {provider, is_active, last_verified_at}', async () => {
    const res = await call('POST', '/api/keys/providers', token, { provider: 'openai', api_key: 'sk-proj-abc1234567890abcdefghijklmnop' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    hasShape(res.body, { provider: 'string', is_active: 'boolean', last_verified_at: 'string|null' }, 'provider key');
    assert.equal(res.body.is_active, true);
    hasShape((await call('GET', '/api/keys/providers', token)).body.keys[0], { provider: 'string', is_active: 'boolean' }, 'provider keys[0]');
  });

  it('6.5 POST /v1/chat/completions → the OpenAI answer with metadata {model_used, provider, cost_usd, latency_ms, cache_hit, complexity}', async () => {
    const res = await call('POST', '/v1/chat/completions', token, chatBody('What is the capital of France?', { model: 'gpt-4o-mini', temperature: 0.7, max_tokens: 150 }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    hasShape(res.body, { id: 'string', object: 'string', created: 'number', model: 'string', choices: 'array', usage: 'object', metadata: 'object' }, 'completion');
    hasShape(res.body.metadata, { model_used: 'string', provider: 'string', cost_usd: 'number', latency_ms: 'number', cache_hit: 'boolean', complexity: 'string' }, 'metadata');
    await s.gateway.logs.flush();
  });

  it('6.4 GET /api/analytics/overview?timeframe=24h → {total_requests, total_cost, avg_latency_ms, cache_hit_rate (a percentage), period}', async () => {
    const res = await call('GET', '/api/analytics/overview?timeframe=24h', token);
    assert.equal(res.status, 200);
    hasShape(res.body, { total_requests: 'number', total_cost: 'number', avg_latency_ms: 'number', cache_hit_rate: 'number', period: 'string' }, 'overview');
    assert.equal(res.body.period, '24h');
    assert.ok(res.body.cache_hit_rate >= 0 && res.body.cache_hit_rate <= 100);
  });

  it('6.4 GET /api/analytics/cost-breakdown?days=7 → {data: [{date, cost, requests}]}', async () => {
    const res = await call('GET', '/api/analytics/cost-breakdown?days=7', token);
    assert.equal(res.status, 200);
    assert.equal(res.body.data.length, 7);
    for (const day of res.body.data) hasShape(day, { date: 'string', cost: 'number', requests: 'number' }, 'data[]');
    assert.equal(res.body.data.at(-1).requests, 1);
  });

  it('6.4 GET /api/analytics/model-distribution → {models: [{model, requests, cost, percentage}]}', async () => {
    const res = await call('GET', '/api/analytics/model-distribution', token);
    assert.equal(res.status, 200);
    for (const m of res.body.models) hasShape(m, { model: 'string', requests: 'number', cost: 'number', percentage: 'number' }, 'models[]');
    assert.equal(res.body.models[0].percentage, 100);
  });
});

describe('CORS_ORIGINS', () => {
  let s: Stack;
  let plain: Stack;
  before(async () => {
    s = await startStack({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' });
    plain = await startStack();
  });
  after(async () => {
    await s.close();
    await plain.close();
  });

  const preflight = (stack: Stack, path: string, origin: string) =>
    fetch(`${stack.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it("answers a listed origin's preflight and requests on /v1 and /api, streams included", async () => {
    const pre = await preflight(s, '/v1/chat/completions', 'https://app.example.com');
    assert.ok(pre.status === 204 || pre.status === 200, String(pre.status));
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const answer = await s.post('/v1/chat/completions', chatBody('hi'), { origin: 'https://admin.example.com' });
    assert.equal(answer.headers.get('access-control-allow-origin'), 'https://admin.example.com');
    assert.match(answer.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
    const stream = await s.post('/v1/chat/completions', chatBody('hi', { stream: true }), { origin: 'https://app.example.com' });
    assert.equal(stream.headers.get('access-control-allow-origin'), 'https://app.example.com');
    await stream.text();
    const api = await fetch(`${s.url}/api/models`, { headers: { origin: 'https://app.example.com', authorization: `Bearer ${'test-operator-token-0123456789'}` } });
    assert.equal(api.headers.get('access-control-allow-origin'), 'https://app.example.com');
  });

  it('gives other origins, other paths, and a gateway without CORS_ORIGINS nothing', async () => {
    assert.equal((await preflight(s, '/v1/chat/completions', 'https://evil.example')).headers.get('access-control-allow-origin'), null);
    assert.equal((await fetch(`${s.url}/health`, { headers: { origin: 'https://app.example.com' } })).headers.get('access-control-allow-origin'), null);
    assert.equal((await preflight(plain, '/v1/chat/completions', 'https://app.example.com')).headers.get('access-control-allow-origin'), null);
  });
});
