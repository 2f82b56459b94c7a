/** The OpenAI surface, through the official SDK, checked against OpenAI's own response schemas. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { specErrors } from '../helpers/specs.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

describe('POST /v1/chat/completions', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  it('answers a non-streaming request from the free tier, in the OpenAI schema, with metadata and headers', async () => {
    const { data, response } = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.equal(response.headers.get('x-cerebro-provider'), 'openrouter');
    assert.equal(response.headers.get('x-cerebro-model'), 'openrouter/free');
    assert.match(data.choices[0]!.message.content!, /You said: hello/);
    assert.equal(data.choices[0]!.finish_reason, 'stop');
    assert.ok(data.usage && data.usage.total_tokens > 0);
    const metadata = (data as unknown as { metadata: Record<string, unknown> }).metadata;
    assert.equal(metadata.provider, 'openrouter');
    assert.equal(metadata.model_used, 'openrouter/free');
    assert.equal(metadata.cost_usd, 0);
    assert.equal(metadata.cache_hit, false);
    assert.equal(typeof metadata.latency_ms, 'number');
    assert.deepEqual(
      (metadata.attempts as Array<{ status: string; provider: string }>).map((a) => [a.provider, a.status]),
      [['openrouter', 'ok']],
    );
    // `metadata` is Cerebro's routing report (issue #2); OpenAI's own `metadata` (stored-completion
    // tags) is never returned by this gateway, so the rest of the body is checked against the spec.
    const { metadata: _ours, ...openaiPart } = data as unknown as Record<string, unknown>;
    assert.deepEqual(specErrors('openai', 'CreateChatCompletionResponse', openaiPart), []);
  });

  it('streams OpenAI chunks ending in [DONE], with the usage chunk when asked, each chunk in the OpenAI schema', async () => {
    const res = await s.post('/v1/chat/completions', { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(res.headers.get('x-cerebro-provider'), 'gemini');
    const text = await res.text();
    const frames = text.split('\n\n').filter(Boolean);
    assert.equal(frames.at(-1), 'data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)));
    for (const chunk of chunks) assert.deepEqual(specErrors('openai', 'CreateChatCompletionStreamResponse', chunk), [], JSON.stringify(chunk));
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.match(content, /You said: stream please/);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.choices[0].finish_reason, 'stop');
    assert.equal(finish.metadata.provider, 'gemini');
    assert.equal(typeof finish.metadata.latency_ms, 'number');
    assert.ok(finish.metadata.cost_usd > 0);
    const usage = chunks.at(-1);
    assert.deepEqual(usage.choices, []);
    assert.ok(usage.usage.completion_tokens > 0);
  });

  it('leaves the usage chunk out when include_usage is not set, and the SDK stream iterates to the end', async () => {
    const stream = await s.client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi claude' }], stream: true });
    let text = '';
    let usageSeen = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usageSeen = true;
    }
    assert.match(text, /\[anthropic:claude-sonnet-4-5\]/);
    assert.equal(usageSeen, false);
  });

  it('maps max_tokens truncation to finish_reason length on every wire format', async () => {
    for (const model of ['openrouter/free', 'gemini-2.5-flash', 'claude-sonnet-4-5', 'gpt-4o-mini']) {
      const r = await s.client.chat.completions.create({ model, max_tokens: 2, messages: [{ role: 'user', content: 'a long question here' }] });
      assert.equal(r.choices[0]!.finish_reason, 'length', model);
      assert.equal(r.usage?.completion_tokens, 2, model);
    }
  });

  it('routes concrete models to their own providers', async () => {
    const cases: Array<[string, string]> = [
      ['gpt-4o-mini', 'openai'],
      ['claude-haiku-4-5', 'anthropic'],
      ['gemini-2.5-pro', 'gemini'],
      ['mistralai/mistral-small:free', 'openrouter'],
    ];
    for (const [model, provider] of cases) {
      const { response } = await s.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).withResponse();
      assert.equal(response.headers.get('x-cerebro-provider'), provider, model);
      assert.equal(response.headers.get('x-cerebro-model'), model);
    }
  });

  it('sends each provider a request its official schema accepts, with its auth header', async () => {
    const messages = [
      { role: 'system' as const, content: 'sys' },
      { role: 'user' as const, content: 'q' },
    ];
    for (const model of ['openrouter/free', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash']) {
      await s.client.chat.completions.create({ model, messages, temperature: 0.3, max_tokens: 20, stop: ['zz'] });
    }
    const byProvider = Object.fromEntries(s.emulator.requests.map((r) => [r.provider, r]));
    assert.deepEqual(specErrors('openrouter', 'ChatRequest', byProvider.openrouter!.body), []);
    assert.deepEqual(specErrors('openai', 'CreateChatCompletionRequest', byProvider.openai!.body), []);
    assert.deepEqual(specErrors('anthropic', 'CreateMessageParams', byProvider.anthropic!.body), []);
    assert.deepEqual(specErrors('gemini', 'GenerateContentRequest', byProvider.gemini!.body), []);
    assert.equal(byProvider.openrouter!.headers.authorization, 'Bearer sk-or-test');
    assert.equal(byProvider.openrouter!.headers['x-title'], 'Cerebro');
    assert.equal(byProvider.anthropic!.headers['x-api-key'], 'sk-ant-test');
    assert.equal(byProvider.gemini!.headers['x-goog-api-key'], 'gemini-test');
  });

  it('reports parameters an upstream cannot honour in x-cerebro-warnings', async () => {
    const { response } = await s.client.chat.completions.create({ model: 'claude-sonnet-4-5', temperature: 1.8, seed: 3, messages: [{ role: 'user', content: 'x' }] }).withResponse();
    const warnings = response.headers.get('x-cerebro-warnings') ?? '';
    assert.match(warnings, /seed is not supported by anthropic/);
    assert.match(warnings, /temperature 1.8/);
  });

  it('lists models in the OpenAI format', async () => {
    const list = await s.client.models.list();
    const ids = list.data.map((m) => m.id);
    assert.ok(ids.includes('auto'));
    assert.ok(ids.includes('gemini-2.5-flash'));
    const res = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    assert.deepEqual(specErrors('openai', 'ListModelsResponse', await res.json()), []);
  });

  it('answers /health without auth', async () => {
    const res = await fetch(`${s.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual({ ...((await res.json()) as object), uptime_s: 0 }, { status: 'ok', database: 'ok', uptime_s: 0 });
  });

  it('names the model that actually answered in `model`, and the routed one in metadata and headers', async () => {
    const { data, response } = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'who answers?' }] }).withResponse();
    assert.equal(data.model, 'emulator/picked-model:free');
    assert.equal((data as unknown as { metadata: { model_used: string } }).metadata.model_used, 'openrouter/free');
    assert.equal(response.headers.get('x-cerebro-model'), 'openrouter/free');
    const stream = await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'who streams?' }], stream: true });
    for await (const chunk of stream) assert.equal(chunk.model, 'emulator/picked-model:free');
  });
});
