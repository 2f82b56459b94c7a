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

  it('reserves only max_tokens beyond the prompt, so small requests share the budget', async () => {
    const { token } = await signup(call, 'small-requests@example.com');
    assert.equal((await call('PUT', '/api/config', token, { daily_token_limit: 300 })).status, 200);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', '/v1/chat/completions', token, chatBody(`q${i}`, { max_tokens: 20 }))));
    const ok = answers.filter((a) => a.status === 200);
    assert.ok(ok.length > 1, `${ok.length} passed`);
    const used = (await call('GET', '/api/config', token)).body.tokens_used_today as number;
    const perRequest = Math.max(...ok.map((a) => a.body.usage.total_tokens as number));
    assert.ok(used <= 300 + perRequest, `used ${used}`);
  });
});
