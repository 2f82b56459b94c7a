/**
 * The Anthropic-compatible entrance, through the official @anthropic-ai/sdk: text, streams, tools
 * and errors, routed to every wire format, answers checked against Anthropic's own schemas.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { specErrors } from '../helpers/specs.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('POST /v1/messages (Anthropic-compatible)', () => {
  let s: Stack;
  let client: Anthropic;
  before(async () => {
    s = await startStack();
    client = new Anthropic({ baseURL: s.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  for (const model of ['claude-sonnet-4-5', 'gemini-2.5-flash', 'gpt-4o-mini', 'auto']) {
    it(`${model}: a message, in Anthropic's Message schema, authenticated by x-api-key`, async () => {
      const { data, response } = await client.messages.create({ model, max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello from Claude Code' }] }).withResponse();
      assert.deepEqual(specErrors('anthropic', 'Message', data), [], JSON.stringify(data));
      assert.equal(data.stop_reason, 'end_turn');
      const text = data.content.find((b) => b.type === 'text');
      assert.match(text && text.type === 'text' ? text.text : '', /You said: Hello from Claude Code/);
      assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
      assert.ok(response.headers.get('x-cerebro-provider'));
    });
  }

  it('streams Anthropic events the SDK assembles into the final message', async () => {
    const stream = client.messages.stream({ model: 'gemini-2.5-flash', max_tokens: 200, messages: [{ role: 'user', content: 'stream it' }] });
    const events: unknown[] = [];
    stream.on('streamEvent', (e) => events.push(e));
    const final = await stream.finalMessage();
    assert.match((final.content[0] as Anthropic.TextBlock).text, /You said: stream it/);
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
    for (const e of events) assert.deepEqual(specErrors('anthropic', 'MessageStreamEvent', e), [], JSON.stringify(e));
    assert.deepEqual([(events[0] as { type: string }).type, (events.at(-1) as { type: string }).type], ['message_start', 'message_stop']);
  });

  for (const model of ['claude-sonnet-4-5', 'gemini-2.5-flash', 'meta-llama/llama-3.3-70b-instruct:free']) {
    it(`${model}: tool use and tool result round trip, whole and streamed`, async () => {
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Lima?' };
      const first = await client.messages.create({ model, max_tokens: 200, messages: [question], tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' } });
      assert.deepEqual(specErrors('anthropic', 'Message', first), [], JSON.stringify(first));
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      assert.ok(use);
      assert.deepEqual(use.input, { city: 'Weather in Lima?' });

      const second = await client.messages.create({
        model,
        max_tokens: 200,
        tools: [weather],
        messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '21 degrees' }] }],
      });
      assert.match((second.content[0] as Anthropic.TextBlock).text, /Tool result: .*21 degrees/);

      const stream = client.messages.stream({ model, max_tokens: 200, messages: [question], tools: [weather], tool_choice: { type: 'any' } });
      const final = await stream.finalMessage();
      const streamed = final.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      assert.equal(final.stop_reason, 'tool_use');
      assert.equal(streamed?.name, 'get_weather');
      assert.deepEqual(streamed?.input, { city: 'Weather in Lima?' });
    });
  }

  it('thinking blocks sent back in history are left out with a warning, not refused', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'gemini-2.5-flash',
        max_tokens: 50,
        messages: [
          { role: 'user', content: 'first' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'text', text: 'answer' },
            ],
          },
          { role: 'user', content: 'second' },
        ],
      })
      .withResponse();
    assert.match((data.content[0] as Anthropic.TextBlock).text, /You said: second/);
    assert.match(response.headers.get('x-cerebro-warnings') ?? '', /thinking blocks in earlier answers were left out/);
  });

  it('images in base64 blocks reach a vision model', async () => {
    const msg = await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'What is it?' },
          ],
        },
      ],
    });
    assert.match((msg.content[0] as Anthropic.TextBlock).text, /1 image\(s\): image\/png/);
  });

  it('errors come in Anthropic’s error shape, which the SDK turns into its typed errors', async () => {
    const bad = new Anthropic({ baseURL: s.url, apiKey: 'wrong-key', maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.AuthenticationError);
      assert.equal((err.error as { type: string; error: { type: string } }).error.type, 'authentication_error');
      return true;
    });
    const res = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as unknown;
    assert.deepEqual(specErrors('anthropic', 'ErrorResponse', body), []);
    assert.match((body as { error: { message: string } }).error.message, /max_tokens/);
    await assert.rejects(client.messages.create({ model: 'no-such-model-xyz', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), Anthropic.NotFoundError);
  });

  it('remembers a session and logs the request under the messages endpoint', async () => {
    await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'My name is Ana' }] }, { headers: { 'x-session-id': 'claude-session-1' } });
    const msg = await client.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'What is my name?' }] },
      { headers: { 'x-session-id': 'claude-session-1' } },
    );
    assert.match((msg.content[0] as Anthropic.TextBlock).text, /\(3 messages\)/);
    const sent = s.emulator.requests.filter((r) => r.provider === 'anthropic').at(-1)!.body as { messages: Array<{ content: unknown }> };
    assert.match(JSON.stringify(sent.messages[0]), /My name is Ana/);
    await s.gateway.logs.flush();
    const db = (s.gateway.sessions as unknown as { db: Kysely<Database> }).db;
    const rows = await db.selectFrom('request_logs').select(['endpoint', 'status']).where('endpoint', '=', 'messages').execute();
    assert.ok(rows.length >= 2);
  });
});
