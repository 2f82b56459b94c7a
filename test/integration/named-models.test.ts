/**
 * A model the caller names is theirs: an upstream 404 for it (a typo, a retired id) is a 404 to
 * them, not a silent answer from a free model; under `auto`, a catalog model its upstream does not
 * know is left out for a while; `max_tokens` beyond a named model's output limit is a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody } from '../helpers/api.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

describe('named models and upstream 404s', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  it('answers an upstream 404 for the named model with a 404, and no fallback', async () => {
    s.emulator.script.add('openai', [{ behavior: { type: 'error', status: 404, message: 'The model `gpt-4o-mnii` does not exist or you do not have access to it.' } }]);
    const before = s.emulator.requests.length;
    const res = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi', { model: 'gpt-4o-mnii' }));
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'model_not_found');
    assert.equal(res.body.error.param, 'model');
    assert.deepEqual(
      s.emulator.requests.slice(before).map((r) => r.provider),
      ['openai'],
      'no other provider was called',
    );
    // Known missing now: the next request for it is a 404 without an upstream call.
    const again = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi', { model: 'gpt-4o-mnii', stream: true }));
    assert.equal(again.status, 404);
    assert.equal(s.emulator.requests.length, before + 1);
  });

  it('under auto, leaves out a catalog model its upstream does not know', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 404, message: 'No endpoints found for openrouter/free.' }, model: 'openrouter/free' }]);
    const first = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi'));
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.metadata.attempts.map((a: { model: string; status: string }) => [a.model, a.status]),
      [
        ['openrouter/free', 'error'],
        ['meta-llama/llama-3.3-70b-instruct:free', 'ok'],
      ],
    );
    const second = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi again'));
    assert.equal(second.body.metadata.attempts[0].model, 'meta-llama/llama-3.3-70b-instruct:free', 'not tried first any more');
    const health = await call('GET', '/api/health/providers', TEST_TOKEN);
    const target = health.body.targets.find((t: { model: string }) => t.model === 'openrouter/free');
    assert.equal(target.available, false);
    assert.match(target.reason, /model not found upstream/);
  });

  it("refuses max_tokens beyond a named model's output limit, naming max_tokens; auto routes around it", async () => {
    const res = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi', { model: 'gpt-4o-mini', max_tokens: 1_000_000 }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.param, 'max_tokens');
    assert.match(res.body.error.message, /gpt-4o-mini writes at most \d+ tokens/);
    const messages = await call('POST', '/v1/messages', TEST_TOKEN, { model: 'gpt-4o-mini', max_tokens: 1_000_000, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(messages.status, 400);
    assert.equal((await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi', { max_tokens: 20 }))).status, 200);
  });
});

describe('a 404 about what one request needs', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true' });
  });
  after(() => s.close());

  it('does not take the model away from everyone: only a 404 saying the model itself is missing does', async () => {
    const { signup } = await import('../helpers/api.js');
    const { token } = await signup(call, 'tool-user@example.com');
    const model = 'meta-llama/llama-3.3-70b-instruct:free';
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 404, message: 'No endpoints found that support tool use.' }, model }]);
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const refused = await call('POST', '/v1/chat/completions', token, chatBody('use the tool', { model, tools }));
    assert.notEqual(refused.body?.error?.code, 'model_not_found', 'not reported as a missing model');
    const before = s.emulator.requests.length;
    const operator = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('plain question', { model }));
    assert.equal(operator.status, 200, JSON.stringify(operator.body));
    assert.equal(operator.body.metadata.model_used, model);
    assert.equal(s.emulator.requests.length, before + 1);
  });
});
