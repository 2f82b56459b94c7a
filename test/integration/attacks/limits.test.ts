/**
 * Attacks on the limits: many concurrent requests against a daily token limit, many keys
 * against the per-user request rate, a race against the cap on keys. Each is performed against
 * a running gateway and must now hold.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody, gatewayKey, signup } from '../../helpers/api.js';
import { startStack, type Stack } from '../../helpers/stack.js';

describe('attack: concurrent requests against the daily token limit', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true', ALLOW_SIGNUP: 'true' });
  });
  after(() => s.close());

  it('lets 20 concurrent requests overshoot a 100-token limit by at most one request', async () => {
    const { token } = await signup(call, 'concurrent@example.com');
    assert.equal((await call('PUT', '/api/config', token, { daily_token_limit: 100 })).status, 200);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', '/v1/chat/completions', token, chatBody(`question ${i}`))));
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(ok.length + refused.length, 20, JSON.stringify(answers.map((a) => a.status)));
    assert.ok(refused.every((a) => a.body.error.code === 'daily_token_limit_exceeded'));
    const perRequest = Math.max(...ok.map((a) => a.body.usage.total_tokens as number));
    const used = (await call('GET', '/api/config', token)).body.tokens_used_today as number;
    assert.ok(used <= 100 + perRequest, `used ${used} tokens of a 100-token limit (one request: ${perRequest})`);
    assert.ok(ok.length >= 1);
  });

  it('holds long answers without max_tokens to what was reserved for them, so concurrent ones cannot overshoot together', async () => {
    const { token } = await signup(call, 'long-answers@example.com');
    assert.equal((await call('PUT', '/api/config', token, { daily_token_limit: 20_000 })).status, 200);
    const long = Array.from({ length: 12_000 }, (_, i) => `w${i}`).join(' ');
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: long }, times: 20 }]);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', '/v1/chat/completions', token, chatBody(`essay ${i}`))));
    s.emulator.script.reset();
    const ok = answers.filter((a) => a.status === 200);
    assert.ok(ok.length >= 1);
    const used = (await call('GET', '/api/config', token)).body.tokens_used_today as number;
    assert.ok(used <= 20_000 + 100, `used ${used} of 20,000 with ${ok.length} answers`);
    const sent = s.emulator.requests
      .filter((r) => r.provider === 'openrouter')
      .slice(-ok.length)
      .map((r) => (r.body as { max_tokens?: number }).max_tokens);
    assert.ok(
      sent.every((m) => typeof m === 'number' && m > 0),
      `max_tokens sent upstream: ${JSON.stringify(sent)}`,
    );
  });

  it('reserves only max_tokens beyond the prompt, so small requests share the budget', async () => {
    const { token } = await signup(call, 'small-requests@example.com');
    assert.equal((await call('PUT', '/api/config', token, { daily_token_limit: 300 })).status, 200);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', '/v1/chat/completions', token, chatBody(`q${i}`, { max_tokens: 20 }))));
    const ok = answers.filter((a) => a.status === 200);
    assert.ok(ok.length > 1, `${ok.length} passed: ${JSON.stringify(answers.map((a) => (a.status === 200 ? a.body.usage : a.body)))}`);
    const used = (await call('GET', '/api/config', token)).body.tokens_used_today as number;
    const perRequest = Math.max(...ok.map((a) => a.body.usage.total_tokens as number));
    assert.ok(used <= 300 + perRequest, `used ${used}`);
  });
  it('never lets concurrent requests create more than 50 active keys', async () => {
    const { token } = await signup(call, 'key-race@example.com');
    const answers = await Promise.all(Array.from({ length: 70 }, (_, i) => call('POST', '/api/keys/gateway', token, { name: `race ${i}` })));
    assert.equal(answers.filter((a) => a.status === 201).length, 50, JSON.stringify(answers.map((a) => a.status)));
    assert.ok(answers.filter((a) => a.status !== 201).every((a) => a.status === 400 && a.body.error.code === 'too_many_keys'));
    const listed = await call('GET', '/api/keys/gateway', token);
    assert.equal(listed.body.keys.filter((k: { is_active: boolean }) => k.is_active).length, 50);
  });
});

describe('attack: many keys against the per-user rate limit', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: 'true', USER_RATE_LIMIT: '30', GATEWAY_KEY_MAX_RATE_LIMIT: '1000' });
  });
  after(() => s.close());

  it('holds a user to USER_RATE_LIMIT across all their keys and account tokens', async () => {
    const { token } = await signup(call, 'many-keys@example.com');
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push((await gatewayKey(call, token, { name: `k${i}`, rate_limit: 1000 })).key);
    // Five keys at 1,000 a minute each, and the account token: 60 requests, spread over all of them.
    const tokens = [...keys, token];
    const left = Number((await call('GET', '/v1/models', token)).headers.get('x-ratelimit-remaining'));
    assert.equal(left, 30 - 1, 'only /v1 traffic counts against the ceiling (creating the keys did not)');
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => call('GET', '/v1/models', tokens[i % tokens.length])));
    const ok = answers.filter((a) => a.status === 200).length;
    // Fixed windows: a minute boundary inside the burst would open a second window.
    assert.ok(ok === left || (ok > left && ok <= left + 30 && new Date().getUTCSeconds() < 5), `${ok} of 60 passed`);
    const refused = answers.find((a) => a.status === 429)!;
    assert.equal(refused.body.error.code, 'rate_limit_exceeded');
    assert.match(refused.body.error.message, /your account \(all its keys and tokens together\): 30 requests per minute/);
    assert.equal(refused.headers.get('x-ratelimit-limit'), '30');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });

  it("counts keys' calls to the read API against the ceiling too", async () => {
    const { token } = await signup(call, 'reader@example.com');
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) keys.push((await gatewayKey(call, token, { rate_limit: 1000 })).key);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => call('GET', '/api/analytics/overview', keys[i % keys.length])));
    const ok = answers.filter((a) => a.status === 200).length;
    assert.ok(ok <= 30 || new Date().getUTCSeconds() < 5, `${ok} of 60 passed`);
  });

  it('never stops the owner from revoking a leaked key that spent the whole ceiling', async () => {
    const { token } = await signup(call, 'leaked@example.com');
    const leaked = await gatewayKey(call, token, { rate_limit: 1000 });
    const spent = await Promise.all(Array.from({ length: 35 }, () => call('GET', '/v1/models', leaked.key)));
    assert.ok(
      spent.some((a) => a.status === 429),
      'the thief hit the ceiling',
    );
    assert.equal((await call('GET', '/api/keys/gateway', token)).status, 200);
    assert.equal((await call('DELETE', `/api/keys/gateway/${leaked.id}`, token)).status, 200);
    assert.equal((await call('GET', '/v1/models', leaked.key)).status, 401);
  });

  it("reports the tighter of the key's and the user's limits in the headers", async () => {
    const { token } = await signup(call, 'headers@example.com');
    const loose = await gatewayKey(call, token, { rate_limit: 1000 });
    const tight = await gatewayKey(call, token, { rate_limit: 5 });
    assert.equal((await call('GET', '/v1/models', loose.key)).headers.get('x-ratelimit-limit'), '30', 'the user ceiling is tighter');
    const res = await call('GET', '/v1/models', tight.key);
    assert.equal(res.headers.get('x-ratelimit-limit'), '5', 'the key is tighter');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '4');
  });
});

describe('attack: closing streams early to dodge the daily token limit', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true' });
  });
  after(() => s.close());

  it('counts what a stream cut short by its caller spent, estimated from the prompt and the text relayed', async () => {
    const { token } = await signup(call, 'quitter@example.com');
    assert.equal((await call('PUT', '/api/config', token, { daily_token_limit: 60 })).status, 200);
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    let refused = false;
    for (let i = 0; i < 20 && !refused; i++) {
      s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: long, chunkDelayMs: 5 } }]);
      const abort = new AbortController();
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(chatBody(`story ${i}`, { stream: true })),
        signal: abort.signal,
      });
      if (res.status === 429) {
        refused = true;
        break;
      }
      const reader = res.body!.getReader();
      let read = 0;
      while (read < 600) read += (await reader.read()).value?.length ?? 0;
      abort.abort();
      await new Promise((r) => setTimeout(r, 50));
    }
    const used = (await call('GET', '/api/config', token)).body.tokens_used_today as number;
    assert.ok(used > 0, 'streams closed early are not free');
    assert.ok(refused, `the limit was reached (used ${used})`);
  });
});
