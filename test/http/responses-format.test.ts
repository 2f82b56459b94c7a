/** The Responses stream encoder: interleaved function calls, an answer cut at its length, numbering. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseEventEncoder } from '../../src/http/responses-format.js';
import type { AnswerMetadata } from '../../src/gateway/chat-input.js';

const echo = { model: 'm', instructions: null, body: {}, previousResponseId: undefined, store: true };
const metadata = { model_used: 'm', provider: 'openai', cost_usd: 0, latency_ms: 1, cache_hit: false, attempts: [], complexity: 'simple', route: 'cascade' } as AnswerMetadata;

describe('ResponseEventEncoder', () => {
  it('puts each piece of interleaved function calls on its own item', () => {
    const enc = new ResponseEventEncoder('resp_0123456789abcdef0123456789abcdef', 1, echo);
    const events = [
      ...enc.start(),
      ...enc.part({ type: 'tool-call-delta', index: 0, id: 'call_a', name: 'first', argumentsDelta: '' }),
      ...enc.part({ type: 'tool-call-delta', index: 1, id: 'call_b', name: 'second', argumentsDelta: '' }),
      ...enc.part({ type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' }),
      ...enc.part({ type: 'tool-call-delta', index: 1, argumentsDelta: '{"b":2}' }),
      ...enc.part({ type: 'tool-call-delta', index: 0, argumentsDelta: '1}' }),
    ];
    const { events: end, response } = enc.end('tool_calls', { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, metadata);
    const all = [...events, ...end];
    const done = all.filter((e) => e.event === 'response.function_call_arguments.done').map((e) => [e.data.name, e.data.arguments]);
    assert.deepEqual(done, [
      ['first', '{"a":1}'],
      ['second', '{"b":2}'],
    ]);
    assert.deepEqual(
      response.output.map((o) => [o.call_id, o.arguments]),
      [
        ['call_a', '{"a":1}'],
        ['call_b', '{"b":2}'],
      ],
    );
    assert.deepEqual(
      all.map((e) => e.data.sequence_number),
      all.map((_, i) => i),
    );
  });

  it('says an answer cut at its length is incomplete, in the item and the response', () => {
    const enc = new ResponseEventEncoder('resp_0123456789abcdef0123456789abcdef', 1, echo);
    enc.start();
    enc.part({ type: 'text-delta', text: 'partial' });
    const { events, response } = enc.end('length', undefined, metadata);
    assert.equal(response.status, 'incomplete');
    assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
    const itemDone = events.find((e) => e.event === 'response.output_item.done');
    assert.equal((itemDone?.data.item as { status: string }).status, 'incomplete');
    assert.equal(events.at(-1)?.event, 'response.incomplete');
  });
});
