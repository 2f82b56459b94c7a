/** Every failure path of the free-first cascade, against the emulator over real HTTP. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Behavior } from '../../src/emulator/script.js';
import { startStack, type Stack } from '../helpers/stack.js';

type Attempt = { provider: string; model: string; status: string; http_status?: number; error?: string };
const metadataOf = (r: unknown) => (r as { metadata: { provider: string; model_used: string; attempts: Attempt[] } }).metadata;
const ask = (s: Stack, extra: Record<string, unknown> = {}) =>
  s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'question' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);

describe('the cascade', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300', UPSTREAM_RESPONSE_TIMEOUT_MS: '600', UPSTREAM_TOTAL_TIMEOUT_MS: '5000' });
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  const failFree = (behavior: Behavior) => s.emulator.script.add('openrouter', [{ behavior, sticky: true }]);

  for (const [name, behavior] of [
    ['429 rate limit', { type: 'error', status: 429, retryAfterSeconds: 30 }],
    ['402 out of credits', { type: 'error', status: 402 }],
    ['408 timeout status', { type: 'error', status: 408 }],
    ['500 error', { type: 'error', status: 500 }],
    ['503 unavailable', { type: 'error', status: 503 }],
    ['529 overloaded', { type: 'error', status: 529 }],
    ['a stalled upstream (first-byte timeout)', { type: 'stall' }],
    ['a dropped connection', { type: 'cut', afterChunks: 0 }],
    ['401 bad provider key', { type: 'error', status: 401 }],
  ] as Array<[string, Behavior]>) {
    it(`falls through the free tier to Gemini on ${name}`, async () => {
      failFree(behavior);
      const r = await ask(s);
      const m = metadataOf(r);
      assert.equal(m.provider, 'gemini');
      assert.deepEqual(
        m.attempts.map((a) => [a.provider, a.status]),
        [
          ['openrouter', 'error'],
          ['openrouter', 'error'],
          ['gemini', 'ok'],
        ],
      );
      if (behavior.type === 'error') assert.equal(m.attempts[0]!.http_status, behavior.status);
    });
  }

  it('tries the next free model before leaving the free tier', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 429 }, model: 'openrouter/free', sticky: true }]);
    const r = await ask(s);
    assert.equal(metadataOf(r).model_used, 'meta-llama/llama-3.3-70b-instruct:free');
  });

  it('returns a 400 from the upstream to the caller without trying elsewhere', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 400, message: 'context too long' } }]);
    await assert.rejects(ask(s), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.match(err.message, /context too long/);
      return true;
    });
    assert.equal(s.emulator.requests.length, 1);
  });

  it('answers 502 listing every attempt when every upstream fails', async () => {
    failFree({ type: 'error', status: 500 });
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 500 }, sticky: true }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }] });
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { message: string; type: string; code: string }; metadata: { attempts: Attempt[] } };
    assert.equal(body.error.code, 'all_upstreams_failed');
    assert.match(body.error.message, /openrouter\/openrouter\/free: 500/);
    assert.match(body.error.message, /gemini\/gemini-2.5-flash: 500/);
    assert.equal(body.metadata.attempts.length, 3);
  });

  it('answers 503 when every upstream is rate limited or overloaded', async () => {
    failFree({ type: 'error', status: 429 });
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 429 }, sticky: true }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }] });
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'all_upstreams_overloaded');
  });

  it('priority "high" goes to Claude first, then Gemini, then the free tier', async () => {
    const first = await ask(s, { priority: 'high' });
    assert.equal(metadataOf(first).provider, 'anthropic');
    assert.equal(metadataOf(first).model_used, 'claude-sonnet-4-5');
    s.emulator.script.add('anthropic', [{ behavior: { type: 'error', status: 529 }, sticky: true }]);
    const second = await ask(s, { priority: 'high' });
    assert.deepEqual(
      metadataOf(second).attempts.map((a) => a.provider),
      ['anthropic', 'gemini'],
    );
  });

  it('a concrete model falls back to the cascade when its provider fails', async () => {
    s.emulator.script.add('openai', [{ behavior: { type: 'error', status: 503 } }]);
    const r = await ask(s, { model: 'gpt-4o-mini' });
    assert.deepEqual(
      metadataOf(r).attempts.map((a) => [a.provider, a.status]),
      [
        ['openai', 'error'],
        ['openrouter', 'ok'],
      ],
    );
  });

  it('streams fall back freely until the first content byte', async () => {
    failFree({ type: 'cut', afterChunks: 0 });
    const stream = await s.client.chat.completions.create({ messages: [{ role: 'user', content: 'q' }], model: 'auto', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.match(text, /^\[gemini:gemini-2.5-flash\]/);
  });

  it('a stream whose upstream errors before any content falls back too', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'stream-error', afterChunks: 0, status: 503 }, sticky: true }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }], stream: true });
    assert.equal(res.headers.get('x-cerebro-provider'), 'gemini');
    assert.match(await res.text(), /data: \[DONE\]/);
  });

  it('a stream cut after content has reached the caller ends with an error event and no [DONE]', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'cut', afterChunks: 2 } }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }], stream: true });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.doesNotMatch(text, /\[DONE\]/);
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice('data: '.length));
    assert.equal(typeof last.error.message, 'string');
    // The SDK surfaces it as an error rather than a silently short answer.
    s.emulator.script.add('openrouter', [{ behavior: { type: 'cut', afterChunks: 2 } }]);
    const stream = await s.client.chat.completions.create({ messages: [{ role: 'user', content: 'q' }], model: 'auto', stream: true });
    await assert.rejects(async () => {
      for await (const _ of stream) void _;
    });
  });

  it("OpenRouter's mid-stream error chunk ends the stream with an error event", async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'stream-error', afterChunks: 3, status: 502, message: 'Provider disconnected' } }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }], stream: true });
    const text = await res.text();
    assert.match(text, /Provider disconnected/);
    assert.doesNotMatch(text, /\[DONE\]/);
  });

  it('logs every request, success and failure, with attempts, tokens and cost', async () => {
    const ok = await ask(s, { model: 'claude-sonnet-4-5' });
    failFree({ type: 'error', status: 500 });
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 500 }, sticky: true }]);
    await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }] });
    await s.gateway.logs.flush();
    const db = (s.gateway as unknown as { sessions: { db: import('kysely').Kysely<import('../../src/store/schema.js').Database> } }).sessions.db;
    const rows = await db.selectFrom('request_logs').selectAll().orderBy('created_at', 'desc').limit(2).execute();
    const success = rows.find((r) => r.id === ok.id)!;
    assert.equal(success.status, 'success');
    assert.equal(success.provider, 'anthropic');
    assert.ok(success.total_tokens > 0);
    assert.ok(success.cost_usd > 0);
    const failure = rows.find((r) => r.id !== ok.id)!;
    assert.equal(failure.status, 'error');
    assert.equal(failure.http_status, 502);
    assert.equal(JSON.parse(failure.attempts).length, 3);
  });
});

describe('providers without keys', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ OPENROUTER_API_KEY: null, ANTHROPIC_API_KEY: null });
  });
  after(() => s.close());

  it('are skipped, and reported as skipped', async () => {
    const r = await ask(s);
    const m = metadataOf(r);
    assert.equal(m.provider, 'gemini');
    assert.deepEqual(
      m.attempts.map((a) => [a.provider, a.status]),
      [
        ['openrouter', 'skipped'],
        ['openrouter', 'skipped'],
        ['gemini', 'ok'],
      ],
    );
    assert.equal(s.emulator.requests.filter((x) => x.provider === 'openrouter').length, 0);
  });

  it('answer 503 no_provider_available when none is configured for the request', async () => {
    const none = await startStack({ OPENROUTER_API_KEY: null, ANTHROPIC_API_KEY: null, GEMINI_API_KEY: null, OPENAI_API_KEY: null });
    try {
      const res = await none.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }] });
      assert.equal(res.status, 503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'no_provider_available');
      assert.match(body.error.message, /Set an API key/);
    } finally {
      await none.close();
    }
  });
});

describe('timeouts and provider faults', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300', UPSTREAM_RESPONSE_TIMEOUT_MS: '1500', UPSTREAM_TOTAL_TIMEOUT_MS: '5000' });
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  it('a stream that only sends keep-alive comments falls back after the first-content deadline', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'stall', keepAliveMs: 50 }, sticky: true }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }], stream: true });
    assert.equal(res.headers.get('x-cerebro-provider'), 'gemini');
    const text = await res.text();
    assert.match(text, /\[DONE\]/);
    assert.match(text, /no content within 300 ms/);
  });

  it('a non-streamed answer slower than the first-byte timeout still succeeds within the response timeout', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', delayMs: 600 } }]);
    const r = await ask(s);
    assert.equal(metadataOf(r).provider, 'openrouter');
    assert.equal(metadataOf(r).attempts.length, 1);
  });

  it("a retired free model id (OpenRouter's 400) falls through to the next model", async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 400, message: 'openrouter/free is not a valid model ID' }, model: 'openrouter/free' }]);
    const r = await ask(s);
    assert.equal(metadataOf(r).model_used, 'meta-llama/llama-3.3-70b-instruct:free');
  });

  it("does not quote an upstream's credential error to the caller", async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 401, message: 'Incorrect API key provided: sk-or-***wxyz' }, sticky: true }]);
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 403, message: 'key AIza***wxyz has no access' }, sticky: true }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }] });
    const text = await res.text();
    assert.equal(res.status, 502);
    assert.doesNotMatch(text, /wxyz/);
    assert.match(text, /rejected the gateway's credentials/);
  });
});
