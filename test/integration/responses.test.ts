/**
 * The Responses entrance (POST /v1/responses and the stored-response routes) and Anthropic's
 * count_tokens, through the official SDKs and the Vercel AI SDK's default provider, against a real
 * gateway and the emulator; what Cerebro returns and streams is checked against OpenAI's schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';
import { caller, signup } from '../helpers/api.js';
import { specErrors } from '../helpers/specs.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

describe('POST /v1/responses', () => {
  let s: Stack;
  let client: OpenAI;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true', USER_STORAGE_LIMIT_BYTES: '60000' });
    client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: TEST_TOKEN });
  });
  after(() => s.close());

  it("answers a plain request with a Response object, valid against OpenAI's schema", async () => {
    const res = await client.responses.create({ model: 'auto', input: 'Hola, ¿qué tal?', instructions: 'Answer briefly.', metadata: { ticket: 'T-1' } });
    assert.match(res.id, /^resp_/);
    assert.equal(res.status, 'completed');
    assert.match(res.output_text, /Hola, ¿qué tal\?/);
    assert.equal(res.output[0]?.type, 'message');
    assert.ok((res.usage?.total_tokens ?? 0) > 0);
    assert.deepEqual(res.metadata, { ticket: 'T-1' }, "the caller's metadata is echoed");
    const cerebro = (res as unknown as { cerebro: { provider: string; attempts: unknown[] } }).cerebro;
    assert.equal(cerebro.provider, 'openrouter');
    assert.deepEqual(specErrors('openai', 'Response', res), []);
    const upstream = s.emulator.requests.at(-1)!;
    assert.equal((upstream.body as { messages: Array<{ role: string }> }).messages[0]?.role, 'system', 'instructions go first');
  });

  it('streams the documented event sequence, each event valid and numbered', async () => {
    const stream = await client.responses.create({ model: 'auto', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Tell me about Lisbon in a few words' }] }], stream: true });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event as never);
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.ok(types.includes('response.output_text.delta'));
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    for (const e of events) assert.deepEqual(specErrors('openai', 'ResponseStreamEvent', e), [], e.type);
    const done = events.at(-1) as unknown as { response: { output_text: string; usage: { total_tokens: number } } };
    assert.match(done.response.output_text, /Lisbon/);
    assert.ok(done.response.usage.total_tokens > 0);
  });

  it('makes a function call and takes its output back, streamed and not', async () => {
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        strict: false,
      },
    ];
    const first = await client.responses.create({ model: 'auto', input: 'Weather in Lima?', tools, tool_choice: 'required' });
    const fc = first.output.find((o) => o.type === 'function_call');
    assert.ok(fc && fc.type === 'function_call', JSON.stringify(first.output));
    assert.equal(fc.name, 'get_weather');
    assert.deepEqual(specErrors('openai', 'Response', first), []);
    const second = await client.responses.create({
      model: 'auto',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: fc.call_id, output: '{"temperature_c":21}' }],
      tools,
    });
    assert.match(second.output_text, /Tool result: \{"temperature_c":21\}/);
    const streamed = await client.responses.create({ model: 'auto', input: 'Weather in Quito?', tools, tool_choice: 'required', stream: true });
    const types: string[] = [];
    let args = '';
    for await (const e of streamed) {
      types.push(e.type);
      if (e.type === 'response.function_call_arguments.done') args = e.arguments;
      assert.deepEqual(specErrors('openai', 'ResponseStreamEvent', e), [], e.type);
    }
    assert.ok(types.includes('response.function_call_arguments.delta'));
    assert.deepEqual(JSON.parse(args), { city: 'Weather in Quito?' });
  });

  it('continues a conversation with previous_response_id on another provider, and lists, retrieves and deletes it', async () => {
    const first = await client.responses.create({ model: 'auto', input: 'My name is Ana.' });
    const second = await client.responses.create({ model: 'claude-sonnet-4-5', previous_response_id: first.id, input: 'What is my name?' });
    assert.equal((second as unknown as { cerebro: { provider: string } }).cerebro.provider, 'anthropic');
    const sent = s.emulator.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    assert.equal(sent.messages.length, 3, 'the first turn, its answer and the new question');
    assert.match(JSON.stringify(sent.messages[0]), /My name is Ana/);
    assert.equal(second.previous_response_id, first.id);
    const again = await client.responses.retrieve(second.id);
    assert.equal(again.id, second.id);
    assert.equal(again.output_text, second.output_text);
    const items = await client.responses.inputItems.list(second.id);
    assert.equal(items.data.length, 1);
    assert.equal(items.data[0]?.type, 'message');
    await client.responses.delete(second.id);
    await assert.rejects(client.responses.retrieve(second.id), (err: unknown) => err instanceof OpenAI.NotFoundError);
    await assert.rejects(client.responses.create({ model: 'auto', previous_response_id: second.id, input: 'still there?' }), (err: unknown) => err instanceof OpenAI.NotFoundError);
  });

  it("keeps users' responses apart, and store:false keeps nothing", async () => {
    const mine = await client.responses.create({ model: 'auto', input: 'private' });
    const { token } = await signup(call, 'resp-other@example.com');
    const other = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: token });
    await assert.rejects(other.responses.retrieve(mine.id), (err: unknown) => err instanceof OpenAI.NotFoundError);
    await assert.rejects(other.responses.create({ model: 'auto', previous_response_id: mine.id, input: 'hi' }), (err: unknown) => err instanceof OpenAI.NotFoundError);
    const unstored = await client.responses.create({ model: 'auto', input: 'forget me', store: false });
    assert.equal((unstored as unknown as { store: boolean }).store, false);
    await assert.rejects(client.responses.retrieve(unstored.id), (err: unknown) => err instanceof OpenAI.NotFoundError);
  });

  it('refuses what it cannot do with a 400 naming it', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ model: 'auto', input: 'x', tools: [{ type: 'web_search' }] }, 'tools.0.type'],
      [{ model: 'auto', input: 'x', background: true }, 'background'],
      [{ model: 'auto' }, 'input'],
      [{ model: 'auto', input: [] }, 'input'],
      [{ model: 'auto', input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] }, 'input'],
      [{ model: 'auto', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'input.0.content.0.type'],
      [{ model: 'auto', input: 'x', temperature: 'hot' }, 'temperature'],
      [{ model: 'auto', input: 'x', previous_response_id: 'resp_\u0000' }, 'previous_response_id'],
    ];
    for (const [body, param] of cases) {
      const res = await call('POST', '/v1/responses', TEST_TOKEN, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.param, param, JSON.stringify(res.body));
    }
    const bad = await call('POST', '/v1/responses', TEST_TOKEN, '{"input": ');
    assert.equal(bad.status, 400);
    const inherited = await call('POST', '/v1/responses', TEST_TOKEN, { model: 'auto', input: 'x', constructor: 1, toString: 2 });
    assert.equal(inherited.status, 200, 'an unknown field is a warning, whatever its name');
    assert.match(inherited.headers.get('x-cerebro-warnings') ?? '', /constructor/);
  });

  it('takes item references to stored items instead of the items themselves (how the AI SDK sends earlier steps)', async () => {
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const first = await client.responses.create({ model: 'auto', input: 'Weather in Cusco?', tools, tool_choice: 'required' });
    const fc = first.output.find((o) => o.type === 'function_call')!;
    assert.ok(fc.type === 'function_call' && fc.id);
    const second = await client.responses.create({
      model: 'auto',
      tools,
      input: [
        { role: 'user', content: 'Weather in Cusco?' },
        { type: 'item_reference', id: fc.id! },
        { type: 'function_call_output', call_id: fc.call_id, output: '{"sky":"clear"}' },
      ],
    });
    assert.match(second.output_text, /Tool result: \{"sky":"clear"\}/);
    const unknown = await call('POST', '/v1/responses', TEST_TOKEN, { model: 'auto', input: [{ type: 'item_reference', id: 'fc_0123456789abcdef0123456789abcdef01' }] });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.param, 'input.0');
  });

  it("counts stored responses against a user's storage quota, refusing before any provider is called", async () => {
    const { token } = await signup(call, 'resp-quota@example.com');
    const user = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: token, maxRetries: 0 });
    const big = 'x'.repeat(6_000);
    let refused: unknown;
    const before = s.emulator.requests.length;
    let calls = 0;
    for (let i = 0; i < 20 && refused === undefined; i++) {
      try {
        await user.responses.create({ model: 'auto', input: big });
        calls++;
      } catch (err) {
        refused = err;
      }
    }
    assert.ok(refused instanceof OpenAI.APIError && refused.status === 429, String(refused));
    assert.match(String((refused as InstanceType<typeof OpenAI.APIError>).message), /storage/i);
    assert.equal(s.emulator.requests.length - before, calls, 'the refused request reached no provider');
    assert.ok(calls >= 2 && calls < 20, String(calls));
  });

  it('logs a Responses request like any other, saying its entrance', async () => {
    const res = await client.responses.create({ model: 'auto', input: 'log me' });
    await s.gateway.logs.flush();
    const row = await call('GET', `/api/logs/${res.id}`, TEST_TOKEN);
    assert.equal(row.status, 200);
    assert.equal(row.body.endpoint, 'responses');
  });

  it("serves the Vercel AI SDK's default OpenAI provider (the Responses API): generateText, streamText, a tool", async () => {
    const model = createOpenAI({ baseURL: `${s.url}/v1`, apiKey: TEST_TOKEN })('auto');
    const { text } = await generateText({ model, prompt: 'Say hello in Spanish.' });
    assert.match(text, /Say hello in Spanish/);
    let streamed = '';
    for await (const piece of streamText({ model, prompt: 'Count to five.' }).textStream) streamed += piece;
    assert.match(streamed, /Count to five/);
    const withTool = await generateText({
      model,
      prompt: 'What is the weather in Lima?',
      tools: { get_weather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, temperature_c: 21 }) }) },
      toolChoice: 'required',
    });
    assert.equal(withTool.toolCalls[0]?.toolName, 'get_weather');
    assert.deepEqual(
      withTool.toolResults.map((r) => r.output),
      [{ city: 'What is the weather in Lima?', temperature_c: 21 }],
    );
    // Several steps: the SDK sends its earlier steps back as references to the stored items.
    const steps = await generateText({
      model,
      prompt: 'What is the weather in Quito?',
      tools: { get_weather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, temperature_c: 18 }) }) },
      toolChoice: 'required',
      stopWhen: stepCountIs(2),
    });
    assert.equal(steps.steps.length, 2, 'a tool step, then the answer to its result');
    const lastUpstream = JSON.stringify(s.emulator.requests.at(-1)!.body);
    assert.match(lastUpstream, /temperature_c/, 'the second step carried the tool result upstream');
  });

  it("counts a Messages body's tokens for Claude-format clients (count_tokens)", async () => {
    const claude = new Anthropic({ baseURL: s.url, apiKey: TEST_TOKEN });
    const short = await claude.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] });
    const long = await claude.messages.countTokens({ model: 'claude-sonnet-4-5', system: 'You are terse.', messages: [{ role: 'user', content: 'Hello '.repeat(200) }] });
    assert.ok(short.input_tokens > 0 && short.input_tokens < 20, String(short.input_tokens));
    assert.ok(long.input_tokens > 200, String(long.input_tokens));
    const bad = await call('POST', '/v1/messages/count_tokens', TEST_TOKEN, { model: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'error', 'the Anthropic error shape');
  });
});
