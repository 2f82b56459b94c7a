import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapAnthropicStopReason } from '../../src/providers/anthropic/map-stop-reason.js';
import { UpstreamError } from '../../src/providers/errors.js';
import { createAdapters } from '../../src/providers/registry.js';
import { SseDecoder } from '../../src/providers/sse-decoder.js';
import type { ChatCall } from '../../src/providers/types.js';

const { anthropic } = createAdapters({ anthropicDefaultMaxTokens: 4096, openRouterAppUrl: 'https://x.example', openRouterAppTitle: 'x' });
const creds = { apiKey: 'sk-ant', baseUrl: 'http://up.example/' };

const call = (over: Partial<ChatCall> = {}): ChatCall => ({
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'a' },
    { role: 'user', content: 'b' },
    { role: 'assistant', content: 'c' },
    { role: 'developer', content: 'Answer in Spanish.' },
    { role: 'user', content: 'd' },
  ],
  params: {},
  stream: false,
  ...over,
});

describe('Anthropic request building', () => {
  it('lifts system turns to `system`, merges same-role turns, defaults max_tokens and sets its headers', () => {
    const { http, warnings } = anthropic.buildRequest(call(), creds);
    assert.equal(http.url, 'http://up.example/v1/messages');
    assert.equal(http.headers['x-api-key'], 'sk-ant');
    assert.equal(http.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(JSON.parse(http.body), {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'You are terse.\n\nAnswer in Spanish.',
      messages: [
        { role: 'user', content: 'a\n\nb' },
        { role: 'assistant', content: 'c' },
        { role: 'user', content: 'd' },
      ],
    });
    assert.deepEqual(warnings, []);
  });

  it('caps temperature at 1 and drops top_p when both are given, saying so', () => {
    const { http, warnings } = anthropic.buildRequest(call({ params: { temperature: 1.6, topP: 0.5, maxTokens: 50, stop: ['###'] }, stream: true }), creds);
    const body = JSON.parse(http.body);
    assert.equal(body.temperature, 1);
    assert.equal(body.top_p, undefined);
    assert.equal(body.max_tokens, 50);
    assert.deepEqual(body.stop_sequences, ['###']);
    assert.equal(body.stream, true);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /temperature 1.6/);
    assert.match(warnings[1]!, /top_p/);
  });

  it('sends top_p alone when no temperature is given, and reports OpenAI-only parameters', () => {
    const { http, warnings } = anthropic.buildRequest(call({ params: { topP: 0.3, openaiExtras: { seed: 1 } } }), creds);
    assert.equal(JSON.parse(http.body).top_p, 0.3);
    assert.deepEqual(warnings, ['seed is not supported by anthropic and was ignored']);
  });
});

describe('Anthropic responses', () => {
  it('joins text blocks, maps the stop reason, and counts cached prompt tokens', () => {
    const result = anthropic.parseResponse(
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [
          { type: 'text', text: 'Hola' },
          { type: 'text', text: ' mundo' },
        ],
        stop_reason: 'max_tokens',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 },
      },
      call(),
    );
    assert.deepEqual(result, {
      upstreamId: 'msg_1',
      model: 'claude-sonnet-4-5-20250929',
      text: 'Hola mundo',
      finishReason: 'length',
      usage: { promptTokens: 110, completionTokens: 5, totalTokens: 115, cacheReadTokens: 100 },
    });
  });

  it('maps stop reasons', () => {
    const table: Array<[string | null, string]> = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['model_context_window_exceeded', 'length'],
      ['tool_use', 'tool_calls'],
      ['refusal', 'content_filter'],
      ['pause_turn', 'stop'],
      [null, 'stop'],
    ];
    for (const [input, expected] of table) assert.equal(mapAnthropicStopReason(input), expected, String(input));
  });

  it('parses errors: type as code, Retry-After, and non-JSON bodies', () => {
    const err = anthropic.parseError(529, { 'retry-after': '3' }, JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    assert.equal(err.status, 529);
    assert.equal(err.upstreamCode, 'overloaded_error');
    assert.equal(err.retryAfterMs, 3000);
    assert.ok(err.isRetryable);
    const bad = anthropic.parseError(400, {}, JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: too large' } }));
    assert.ok(bad.isRequestFault);
    assert.ok(!bad.allowsFallback);
  });
});

describe('Anthropic streams', () => {
  const events = [
    [
      'message_start',
      {
        type: 'message_start',
        message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 3 } },
      },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['ping', { type: 'ping' }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }],
    ['message_stop', { type: 'message_stop' }],
  ] as const;

  it('turns the event sequence into text, a finish and usage with input from message_start', () => {
    const text = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
    const decoder = anthropic.createStreamDecoder(call());
    const sse = new SseDecoder();
    const parts = [...sse.push(text), ...sse.end()].flatMap((e) => decoder.decode(e));
    assert.deepEqual(parts, [
      { type: 'model', model: 'claude-sonnet-4-5' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'text-delta', text: ' there' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { promptTokens: 15, completionTokens: 2, totalTokens: 17, cacheReadTokens: 3 } },
    ]);
    assert.equal(decoder.finished, true);
  });

  it('turns an error event into an UpstreamError with the status its type stands for', () => {
    const decoder = anthropic.createStreamDecoder(call());
    assert.throws(
      () => decoder.decode({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) }),
      (err: unknown) => err instanceof UpstreamError && err.status === 529 && err.isRetryable,
    );
  });

  it('skips event types it does not know, but not broken JSON', () => {
    const decoder = anthropic.createStreamDecoder(call());
    assert.deepEqual(decoder.decode({ data: '{"type":"some_future_event"}' }), []);
    assert.throws(
      () => decoder.decode({ data: '{oops' }),
      (err: unknown) => err instanceof UpstreamError && err.kind === 'protocol',
    );
  });
});

describe('Anthropic message hygiene', () => {
  it('leaves out empty turns and answers before the first question, saying so', () => {
    const { http, warnings } = anthropic.buildRequest(
      call({
        messages: [
          { role: 'assistant', content: 'Hi! How can I help?' },
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'q2' },
        ],
      }),
      creds,
    );
    assert.deepEqual(JSON.parse(http.body).messages, [{ role: 'user', content: 'q1\n\nq2' }]);
    assert.equal(warnings.length, 2);
  });
});

describe('Anthropic tools', () => {
  const body = (c: ChatCall) => JSON.parse(anthropic.buildRequest(c, creds).http.body) as Record<string, any>;
  const history: ChatCall['messages'] = [
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Lima"}' }] },
    { role: 'tool', content: 'sunny', toolCallId: 'call_1' },
    { role: 'user', content: 'summarise' },
  ];

  it('gives a function without parameters (or with `{}`) an object input schema', () => {
    const b = body(call({ params: { tools: [{ name: 'now' }, { name: 'ping', parameters: {} }, { name: 'f', parameters: { properties: { a: { type: 'string' } } } }] } }));
    assert.deepEqual(
      b.tools.map((t: { input_schema: unknown }) => t.input_schema),
      [
        { type: 'object', properties: {} },
        { type: 'object', properties: {} },
        { type: 'object', properties: { a: { type: 'string' } } },
      ],
    );
  });

  it('declares the tools a history used when the request offers none, and offers none', () => {
    const b = body(call({ messages: history }));
    assert.deepEqual(
      b.tools.map((t: { name: string }) => t.name),
      ['get_weather'],
    );
    assert.deepEqual(b.tool_choice, { type: 'none' });
    assert.deepEqual(b.messages[1].content, [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Lima' } }]);
    assert.deepEqual(b.messages[2].content, [
      { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
      { type: 'text', text: 'summarise' },
    ]);
  });

  it('streams a tool call without arguments as "{}", not ""', () => {
    const decoder = anthropic.createStreamDecoder(call({ stream: true }));
    const parts = [
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } },
      { type: 'content_block_stop', index: 0 },
    ].flatMap((e) => decoder.decode({ event: e.type, data: JSON.stringify(e) }));
    const args = parts
      .filter((p) => p.type === 'tool-call-delta')
      .map((p) => (p as { argumentsDelta: string }).argumentsDelta)
      .join('');
    assert.equal(args, '{}');
  });
});
