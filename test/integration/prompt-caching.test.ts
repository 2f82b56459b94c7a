/**
 * The providers' prompt caches through Cerebro, with the official SDKs on each entrance: breakpoints
 * reach Anthropic exactly as sent, cached tokens come back in each entrance's own usage shape (JSON
 * and streams), and costs, log rows and analytics use the catalog's cache prices.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { loadCatalogFile } from '../../src/routing/model-catalog.js';
import { specErrors } from '../helpers/specs.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const catalog = loadCatalogFile('data/models.json');
/** About 2,000 tokens at the emulator's four characters a token: long enough for every provider to cache. */
const LONG_INSTRUCTIONS = `You are the project's reviewing agent. ${'Follow the style guide to the letter. '.repeat(215)}`;
const ephemeral = { type: 'ephemeral' } as const;

// The SDKs' types do not know Anthropic's markers on OpenAI-shaped content: the bodies are built loosely.
type Loose = any;

describe('Provider prompt caching through every entrance', () => {
  let s: Stack;
  let anthropic: Anthropic;
  before(async () => {
    // Cerebro's own answer cache off: every request here must reach the provider.
    s = await startStack({ CACHE_MAX_SIZE: '0' });
    anthropic = new Anthropic({ baseURL: s.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  const upstreamBodies = (provider: string) => s.emulator.requests.filter((r) => r.provider === provider).map((r) => r.body as Loose);

  it('Chat Completions → Claude: marked parts arrive as sent; the second turn reads the cache, at the cache-read price', async () => {
    const ask = (question: string) =>
      s.client.chat.completions.create({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: [{ type: 'text', text: LONG_INSTRUCTIONS, cache_control: ephemeral }] as Loose },
          { role: 'user', content: question },
        ],
      });
    const first = await ask('Review the first file');
    const second = await ask('Review the second file');
    const [sent] = upstreamBodies('anthropic');
    assert.deepEqual(sent.system, [{ type: 'text', text: LONG_INSTRUCTIONS, cache_control: ephemeral }]);

    // Cerebro's `metadata` is its own field (OpenAI's is a request echo): the rest is checked against the spec.
    for (const { metadata: _ours, ...answer } of [first, second] as Loose[]) assert.deepEqual(specErrors('openai', 'CreateChatCompletionResponse', answer), [], JSON.stringify(answer));
    const written = (first.usage as Loose).prompt_tokens_details;
    assert.equal(written.cached_tokens, 0);
    assert.ok(written.cache_write_tokens > 1000, `the first turn writes the instructions: ${JSON.stringify(written)}`);
    const read = second.usage!.prompt_tokens_details!.cached_tokens!;
    assert.equal(read, written.cache_write_tokens, 'the second turn reads what the first wrote');
    assert.ok(second.usage!.prompt_tokens > read, 'prompt_tokens includes the cached tokens, as OpenAI counts them');

    const claude = catalog.get('claude-sonnet-4-5')!;
    const fresh = second.usage!.prompt_tokens - read;
    const expected = (fresh * claude.input_per_mtok + read * claude.cache_read_per_mtok! + second.usage!.completion_tokens * claude.output_per_mtok) / 1e6;
    const metadata = (second as Loose).metadata;
    assert.ok(Math.abs(metadata.cost_usd - expected) < 1e-12, `${metadata.cost_usd} ≈ ${expected}`);
    const firstExpected =
      ((first.usage!.prompt_tokens - written.cache_write_tokens) * claude.input_per_mtok +
        written.cache_write_tokens * claude.cache_write_per_mtok! +
        first.usage!.completion_tokens * claude.output_per_mtok) /
      1e6;
    assert.ok(Math.abs((first as Loose).metadata.cost_usd - firstExpected) < 1e-12, 'the write is priced at the five-minute write price');
  });

  it('Chat Completions streams: the usage chunk carries the cached tokens', async () => {
    const body: Loose = {
      model: 'claude-sonnet-4-5',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: LONG_INSTRUCTIONS, cache_control: { type: 'ephemeral', ttl: '1h' } },
            { type: 'text', text: 'Go.' },
          ],
        },
      ],
    };
    const usages: Loose[] = [];
    for (let i = 0; i < 2; i++) {
      const stream = await s.client.chat.completions.create(body);
      for await (const chunk of stream as Loose) {
        assert.deepEqual(specErrors('openai', 'CreateChatCompletionStreamResponse', chunk), [], JSON.stringify(chunk));
        if (chunk.usage) usages.push(chunk.usage);
      }
    }
    assert.deepEqual(upstreamBodies('anthropic')[0].messages[0].content, [
      { type: 'text', text: LONG_INSTRUCTIONS, cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'Go.' },
    ]);
    assert.equal(usages.length, 2);
    assert.ok(usages[0].prompt_tokens_details.cache_write_tokens > 1000);
    assert.equal(usages[1].prompt_tokens_details.cached_tokens, usages[0].prompt_tokens_details.cache_write_tokens);
  });

  it('Messages → Claude: system, tool and turn breakpoints as sent; cache_creation then cache_read, input_tokens apart from both', async () => {
    const hour = { type: 'ephemeral', ttl: '1h' } as const;
    const tools: Anthropic.Tool[] = [{ name: 'read_file', description: 'Reads a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } }, cache_control: hour }];
    const request = (question: string): Anthropic.MessageCreateParamsNonStreaming => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      tools,
      system: [{ type: 'text', text: LONG_INSTRUCTIONS, cache_control: hour }],
      messages: [{ role: 'user', content: [{ type: 'text', text: question, cache_control: ephemeral }] }],
    });
    const first = await anthropic.messages.create(request('Summarise the change'));
    const stream = anthropic.messages.stream({ ...request('Summarise it again'), stream: true } as Loose);
    const events: unknown[] = [];
    stream.on('streamEvent', (e) => events.push(e));
    const second = await stream.finalMessage();

    const sent = upstreamBodies('anthropic');
    assert.deepEqual(sent[0].tools[0].cache_control, hour);
    assert.deepEqual(sent[0].system, [{ type: 'text', text: LONG_INSTRUCTIONS, cache_control: hour }]);
    assert.deepEqual(sent[1].messages[0].content, [{ type: 'text', text: 'Summarise it again', cache_control: ephemeral }]);

    assert.deepEqual(specErrors('anthropic', 'Message', first), [], JSON.stringify(first));
    for (const e of events) assert.deepEqual(specErrors('anthropic', 'MessageStreamEvent', e), [], JSON.stringify(e));
    assert.equal(first.usage.cache_read_input_tokens, 0);
    assert.ok(first.usage.cache_creation_input_tokens! > 1000);
    // The tools and instructions are written for an hour, the question after them for five minutes.
    assert.ok(first.usage.cache_creation!.ephemeral_1h_input_tokens > 1000, JSON.stringify(first.usage));
    assert.ok(first.usage.cache_creation!.ephemeral_5m_input_tokens > 0);
    assert.equal(first.usage.cache_creation!.ephemeral_1h_input_tokens + first.usage.cache_creation!.ephemeral_5m_input_tokens, first.usage.cache_creation_input_tokens);
    // Streamed, the SDK takes the counts from message_delta: the instructions and tool are read back.
    assert.ok(second.usage.cache_read_input_tokens! > 1000, JSON.stringify(second.usage));
    assert.ok(second.usage.input_tokens < 50, `input_tokens leaves the cached tokens out: ${JSON.stringify(second.usage)}`);
  });

  it('Responses → OpenAI: a long prompt is cached by itself; input_tokens_details.cached_tokens says so, whole and streamed', async () => {
    const first = await s.client.responses.create({ model: 'gpt-4o-mini', instructions: LONG_INSTRUCTIONS, input: 'First question' });
    assert.equal(first.usage?.input_tokens_details.cached_tokens, 0);
    const stream = await s.client.responses.create({ model: 'gpt-4o-mini', instructions: LONG_INSTRUCTIONS, input: 'Second question', stream: true });
    let completed: Loose;
    for await (const event of stream) {
      assert.deepEqual(specErrors('openai', 'ResponseStreamEvent', event), [], JSON.stringify(event));
      if (event.type === 'response.completed') completed = event.response;
    }
    const cached = completed.usage.input_tokens_details.cached_tokens;
    assert.ok(cached >= 1024 && cached % 128 === 0, `cached in steps of 128 from 1,024: ${cached}`);
    const gpt = catalog.get('gpt-4o-mini')!;
    const expected = ((completed.usage.input_tokens - cached) * gpt.input_per_mtok + cached * gpt.cache_read_per_mtok! + completed.usage.output_tokens * gpt.output_per_mtok) / 1e6;
    assert.ok(Math.abs(completed.cerebro.cost_usd - expected) < 1e-12, `${completed.cerebro.cost_usd} ≈ ${expected}`);
  });

  it('Chat Completions → Gemini: cachedContentTokenCount comes back as cached_tokens', async () => {
    const ask = () =>
      s.client.chat.completions.create({
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'system', content: LONG_INSTRUCTIONS },
          { role: 'user', content: 'Same question' },
        ],
      });
    await ask();
    const second = await ask();
    assert.ok(second.usage!.prompt_tokens_details!.cached_tokens! >= 1024);
  });

  it('breakpoints inside a tool result stay inside it; a message-level mark on a marked block is one breakpoint', async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Read a.ts' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.ts' } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'export const a = 1;', cache_control: ephemeral }] },
          { type: 'text', text: 'Now explain it' },
        ],
      },
    ];
    const tools: Anthropic.Tool[] = [{ name: 'read_file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, tools, messages });
    const [sent] = upstreamBodies('anthropic');
    assert.deepEqual(sent.messages[2].content[0], { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'export const a = 1;', cache_control: ephemeral }] });
    // Four marked parts, and the same last part marked again at the message: four breakpoints, not five.
    const parts = Array.from({ length: 4 }, (_, i) => ({ type: 'text', text: `part ${i}`, cache_control: ephemeral }));
    const res = await s.post('/v1/chat/completions', { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: parts, cache_control: ephemeral }] });
    assert.equal(res.status, 200);
    assert.equal(JSON.stringify(upstreamBodies('anthropic')[1]).match(/cache_control/g)?.length, 4);
  });

  it('a breakpoint for a provider without markers is dropped and said; prompt_cache_key reaches OpenAI', async () => {
    const { data, response } = await s.client.chat.completions
      .create({ model: 'gpt-4o-mini', prompt_cache_key: 'tenant-42', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: ephemeral }] as Loose }] } as Loose)
      .withResponse();
    assert.ok(data.choices[0]);
    assert.match(response.headers.get('x-cerebro-warnings') ?? '', /cache_control was dropped: openai takes no cache breakpoints/);
    const [sent] = upstreamBodies('openai');
    assert.ok(!JSON.stringify(sent).includes('cache_control'));
    assert.equal(sent.prompt_cache_key, 'tenant-42');
  });

  it('a fifth breakpoint is a 400 naming it, on each entrance, before any provider is called', async () => {
    const parts = Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `part ${i}`, cache_control: ephemeral }));
    await assert.rejects(s.client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: parts as Loose }] }), (err: Loose) => {
      assert.equal(err.status, 400);
      assert.equal(err.error.param, 'messages[0].content[4].cache_control');
      assert.match(err.error.message, /A maximum of 4 blocks with cache_control may be provided\. Found 5/);
      return true;
    });
    await assert.rejects(anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: parts as Loose }] }), (err: Loose) => {
      assert.equal(err.status, 400);
      assert.equal(err.error.type, 'error');
      assert.match(err.error.error.message, /A maximum of 4 blocks with cache_control may be provided\. Found 5 \(the fifth is 'messages\.0\.content\.4\.cache_control'\)/);
      return true;
    });
    const input = [{ role: 'user', content: parts.map((p) => ({ ...p, type: 'input_text' })) }];
    await assert.rejects(s.client.responses.create({ model: 'claude-sonnet-4-5', input: input as Loose }), (err: Loose) => err.status === 400 && err.error.param === 'input.0.content.4.cache_control');
    const badKey = await s.post('/v1/chat/completions', { model: 'gpt-4o-mini', prompt_cache_key: 123, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(badKey.status, 400);
    assert.equal(((await badKey.json()) as Loose).error.param, 'prompt_cache_key');
    const bad = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] };
    const res = await s.post('/v1/chat/completions', bad);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Loose).error.param, 'messages[0].content[0].cache_control.type');
    assert.equal(upstreamBodies('anthropic').length, 0);
  });

  it('log rows keep the cached tokens and the savings; analytics add them up', async () => {
    const ask = (question: string) =>
      s.client.chat.completions.create({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: [{ type: 'text', text: LONG_INSTRUCTIONS, cache_control: ephemeral }] as Loose },
          { role: 'user', content: question },
        ],
      });
    const get = async (path: string) => (await (await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as Loose;
    const before = await get('/api/analytics/overview');
    const usedBefore = (await get('/api/config')).tokens_used_today;
    const written = await ask('one');
    const read = await ask('two');
    await s.gateway.logs.flush();
    // The daily token count is what the provider bills: cached tokens are billed (at a discount), so they count.
    assert.equal((await get('/api/config')).tokens_used_today - usedBefore, written.usage!.total_tokens + read.usage!.total_tokens);
    assert.ok(read.usage!.total_tokens > read.usage!.prompt_tokens_details!.cached_tokens!);
    const rows = (await (await fetch(`${s.url}/api/logs?model=claude-sonnet-4-5`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as Loose;
    const byId = new Map<string, Loose>(rows.data.map((r: Loose) => [r.id, r]));
    const writeRow = byId.get(written.id) ?? rows.data.find((r: Loose) => r.prompt_cache_write_tokens > 0 && r.prompt_cache_read_tokens === 0);
    const readRow = byId.get(read.id) ?? rows.data[0];
    assert.equal(readRow.prompt_cache_read_tokens, read.usage!.prompt_tokens_details!.cached_tokens);
    assert.equal(readRow.prompt_tokens, read.usage!.prompt_tokens);
    const claude = catalog.get('claude-sonnet-4-5')!;
    const readSaving = (readRow.prompt_cache_read_tokens * (claude.input_per_mtok - claude.cache_read_per_mtok!)) / 1e6;
    assert.ok(Math.abs(readRow.prompt_cache_savings_usd - readSaving) < 1e-9);
    assert.ok(writeRow.prompt_cache_savings_usd < 0, 'a write costs more than the input price');

    const after = (await (await fetch(`${s.url}/api/analytics/overview`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as Loose;
    assert.equal(after.prompt_cache_read_tokens - before.prompt_cache_read_tokens, readRow.prompt_cache_read_tokens);
    assert.equal(after.prompt_cache_write_tokens - before.prompt_cache_write_tokens, writeRow.prompt_cache_write_tokens);
    const saved = after.prompt_cache_savings_usd - before.prompt_cache_savings_usd;
    assert.ok(Math.abs(saved - (readRow.prompt_cache_savings_usd + writeRow.prompt_cache_savings_usd)) < 1e-5, `${saved}`);
    assert.ok(after.prompt_cache_read_rate > 0);
    const distribution = (await (await fetch(`${s.url}/api/analytics/model-distribution`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as Loose;
    assert.ok(distribution.models.find((m: Loose) => m.model === 'claude-sonnet-4-5').prompt_cache_read_tokens >= readRow.prompt_cache_read_tokens);
    const breakdown = (await (await fetch(`${s.url}/api/analytics/cost-breakdown?days=1`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()) as Loose;
    assert.ok(breakdown.daily[0].prompt_cache_read_tokens >= readRow.prompt_cache_read_tokens);
  });

  it('the cascade keeps a conversation on the target holding its cache while it is healthy', async () => {
    const ask = async (question: string) => {
      const { data, response } = await s.client.chat.completions
        .create({
          model: 'auto',
          messages: [
            { role: 'system', content: LONG_INSTRUCTIONS },
            { role: 'user', content: 'Start the review' },
            { role: 'assistant', content: 'Ready.' },
            { role: 'user', content: question },
          ],
        })
        .withResponse();
      return { provider: response.headers.get('x-cerebro-provider'), cached: data.usage?.prompt_tokens_details?.cached_tokens ?? 0 };
    };
    // The free models are down: the first turn falls back to Gemini, which now holds the prompt.
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 503 }, sticky: true }]);
    assert.equal((await ask('First file')).provider, 'gemini');
    s.emulator.script.reset();
    s.gateway.health.reset();
    // The free models are back, but the conversation stays where its cache is, and reads it.
    const second = await ask('Second file');
    assert.deepEqual(second.provider, 'gemini');
    assert.ok(second.cached >= 1024, `read from Gemini's cache: ${second.cached}`);
    const plan = (await (
      await s.post('/v1/route', {
        model: 'auto',
        messages: [
          { role: 'system', content: LONG_INSTRUCTIONS },
          { role: 'user', content: 'Start the review' },
        ],
      })
    ).json()) as Loose;
    assert.deepEqual(plan.prompt_cache_holder, { provider: 'gemini', model: 'gemini-2.5-flash' });
    assert.equal(plan.targets[0].provider, 'gemini');
    // The holder failing is not a reason to fail: the request moves on down the cascade.
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 429 }, sticky: true }]);
    assert.equal((await ask('Third file')).provider, 'openrouter');
  });
});
