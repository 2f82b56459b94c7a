/** The answer cache end to end: hits, stream replays, bypasses, the temperature rule, tenants. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type OpenAI from 'openai';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

type Meta = { cache_hit: boolean; cost_usd: number; attempts: unknown[]; provider: string };
const meta = (r: unknown) => (r as { metadata: Meta }).metadata;
const chats = (s: Stack) => s.emulator.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.includes(':generate') || r.path.includes(':stream')).length;

describe('answer cache', () => {
  let s: Stack;
  let n = 0;
  /** A prompt of its own for each test, so entries from one test do not answer another. */
  const prompt = () => `cache test ${++n}`;
  const ask = (content: string, extra: Record<string, unknown> = {}, options?: OpenAI.RequestOptions) =>
    s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }], temperature: 0, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming, options);

  before(async () => {
    s = await startStack({ CACHE_MAX_SIZE: '100', USERS_MAY_USE_OPERATOR_KEYS: 'true' });
  });
  after(() => s.close());
  beforeEach(() => s.emulator.reset());

  it('answers an identical request from the cache: no upstream call, free, logged as a hit', async () => {
    const q = prompt();
    const first = await ask(q);
    const second = await ask(q);
    assert.equal(meta(first).cache_hit, false);
    assert.equal(meta(second).cache_hit, true);
    assert.equal(second.choices[0]!.message.content, first.choices[0]!.message.content);
    assert.deepEqual(meta(second).attempts, []);
    assert.equal(meta(second).cost_usd, 0);
    assert.equal(chats(s), 1);
    await s.gateway.logs.flush();
    const stats = await (await fetch(`${s.url}/api/cache`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json();
    assert.ok((stats as { hits: number }).hits >= 1);
  });

  it('replays a cached answer as a stream, ending in [DONE]', async () => {
    const q = prompt();
    const first = await ask(q);
    const res = await s.post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: q }], temperature: 0, stream: true });
    const text = await res.text();
    assert.match(text, /\[DONE\]/);
    const content = text
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)) as { choices: Array<{ delta: { content?: string } }>; metadata?: Meta })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    assert.equal(content, first.choices[0]!.message.content);
    assert.match(text, /"cache_hit":true/);
    assert.equal(chats(s), 1);
  });

  it('fills the cache from a stream too', async () => {
    const q = prompt();
    await (await s.post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: q }], temperature: 0, stream: true })).text();
    assert.equal(meta(await ask(q)).cache_hit, true);
  });

  it('is bypassed with "cache": false or Cache-Control: no-cache, and skips temperatures above the rule', async () => {
    const q = prompt();
    await ask(q);
    assert.equal(meta(await ask(q, { cache: false })).cache_hit, false);
    assert.equal(meta(await ask(q, {}, { headers: { 'cache-control': 'no-cache' } })).cache_hit, false);
    const warm = prompt();
    await ask(warm, { temperature: 0.7 });
    assert.equal(meta(await ask(warm, { temperature: 0.7 })).cache_hit, false);
    assert.equal(chats(s), 5);
  });

  it('is never shared between users', async () => {
    const q = prompt();
    await ask(q);
    const signup = await fetch(`${s.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'other@example.com', password: 'Correct-Horse-9' }),
    });
    const { access_token } = (await signup.json()) as { access_token: string };
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: q }], temperature: 0 }),
    });
    assert.equal(((await res.json()) as { metadata: Meta }).metadata.cache_hit, false);
  });

  it("does not cache a fallback's answer under the request", async () => {
    const q = prompt();
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 503 }, model: 'openrouter/free', times: 1 }]);
    const first = await ask(q);
    assert.equal(meta(first).attempts.length, 2, 'the free router failed, the next free model answered');
    assert.equal(meta(await ask(q)).cache_hit, false, "the plan's first choice answers next time, and that is cached");
    assert.equal(meta(await ask(q)).cache_hit, true);
  });
});
