/**
 * The schema-free reader of plain chat requests must agree with the schema: whatever it accepts,
 * the schema accepts too, and returns the same. Checked on thousands of generated bodies, valid
 * and not, built from the values each field may or may not take.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pick, seededRandom } from '../helpers/seeded-random.js';
import { chatRequestSchema } from '../../src/http/chat-request.js';
import { plainChatRequest } from '../../src/http/plain-chat-request.js';

const ANY: unknown[] = [null, undefined, true, false, 0, -1, 1, 1.5, 2, 2.5, 3, 1e21, '', 'x', 'auto', [], {}, ['a'], { a: 1 }];
const VALUES: Record<string, unknown[]> = {
  model: ['gpt-4o-mini', 'auto', 'vendor/model:free', '', 'has space', 'é', 'x'.repeat(256), 'x'.repeat(257)],
  stream: [true, false],
  temperature: [0, 0.7, 2, -0.1, 2.01, '1'],
  top_p: [0, 0.5, 1, 1.1, -1],
  max_tokens: [1, 100, 0, -5, 1.5, 2 ** 53, 2 ** 53 - 1],
  max_completion_tokens: [1, 64, 0, 3.2],
  session_id: ['s-1', 'user@host:1.2', '', 'bad id', 'x'.repeat(129), 'x'.repeat(128)],
  priority: ['high', 'normal', 'low', 'HIGH'],
  cache: [true, false, 'no'],
  route: ['score', 'cascade', 'other'],
  tools: [[{ type: 'function', function: { name: 'f' } }]],
  user: ['u1'],
  seed: [42],
  stop: ['\n', ['a', 'b']],
  n: [1, 2],
  functions: [[]],
  stream_options: [{ include_usage: true }],
};
const PLAIN_FIELDS = new Set(['model', 'stream', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'session_id', 'priority', 'cache']);
const ROLES: unknown[] = ['system', 'developer', 'user', 'assistant', 'tool', 'function', 'robot', 1];

function message(rnd: () => number): unknown {
  if (rnd() < 0.03) return pick(rnd, ANY);
  const m: Record<string, unknown> = { role: rnd() < 0.8 ? pick(rnd, ['system', 'user', 'assistant', 'developer']) : pick(rnd, ROLES) };
  const r = rnd();
  if (r < 0.8) m.content = pick(rnd, ['hi', '', 'Say hello in five words.', 'line\nbreak']);
  else if (r < 0.9) m.content = pick(rnd, [null, [{ type: 'text', text: 'hi' }], 5]);
  if (rnd() < 0.1) m.name = pick(rnd, ['bob', 7]);
  if (rnd() < 0.05) m.tool_call_id = 'call_1';
  if (rnd() < 0.03) m.extra = 1;
  return m;
}

function body(rnd: () => number): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  if (rnd() < 0.97) b.messages = rnd() < 0.05 ? pick(rnd, ANY) : Array.from({ length: Math.floor(rnd() * 4) }, () => message(rnd));
  for (const [field, values] of Object.entries(VALUES)) {
    // Fields outside the plain set are rarer, so that plain bodies are common enough to test.
    const rate = PLAIN_FIELDS.has(field) ? 0.3 : 0.02;
    const r = rnd();
    if (r < rate) b[field] = pick(rnd, values);
    else if (r < rate + 0.02) b[field] = pick(rnd, ANY);
  }
  if (rnd() < 0.01) b[pick(rnd, ['constructor', 'toString', '__proto__', 'hasOwnProperty'])] = pick(rnd, ANY);
  return b;
}

describe('plain chat requests without the schema', () => {
  it('never accepts what the schema refuses, and returns what the schema returns', () => {
    const rnd = seededRandom(20261123);
    let accepted = 0;
    let refusedBySchema = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = body(rnd);
      const fast = plainChatRequest(b);
      const schema = chatRequestSchema.safeParse(b);
      if (!schema.success) refusedBySchema++;
      if (fast === undefined) continue;
      accepted++;
      assert.ok(schema.success, `accepted a body the schema refuses: ${JSON.stringify(b)}`);
      assert.deepEqual(fast, schema.data, JSON.stringify(b));
    }
    // Both directions were exercised: many plain bodies taken, many bodies the schema refuses.
    assert.ok(accepted > 1_000, `accepted ${accepted}`);
    assert.ok(refusedBySchema > 5_000, `refused ${refusedBySchema}`);
  });

  it('takes the common requests, and leaves everything else to the schema', () => {
    const plain = [
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in five words.' }] },
      {
        model: 'auto',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'hi', name: 'ana' },
        ],
        stream: true,
        temperature: 0.2,
        max_tokens: 50,
        session_id: 's1',
        priority: 'high',
      },
      {
        messages: [
          { role: 'assistant', content: 'earlier' },
          { role: 'user', content: 'and now?' },
        ],
        top_p: 1,
        cache: false,
      },
    ];
    for (const b of plain) assert.ok(plainChatRequest(b), JSON.stringify(b));
    const others = [
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
      { messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f' } }] },
      { messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } },
      { messages: [{ role: 'user', content: 'hi' }], user: 'u1' },
      { messages: [{ role: 'user', content: 'hi' }], model: null },
      { messages: [] },
      { model: 'gpt-4o-mini' },
      JSON.parse('{"messages":[{"role":"user","content":"hi"}],"__proto__":{"x":1}}') as object,
      JSON.parse('{"messages":[{"role":"user","content":"hi"}],"constructor":1}') as object,
      JSON.parse('{"messages":[{"role":"user","content":"hi","__proto__":null}]}') as object,
      Object.assign(Object.create({ inherited: true }) as object, { messages: [{ role: 'user', content: 'hi' }] }),
    ];
    for (const b of others) assert.equal(plainChatRequest(b), undefined, JSON.stringify(b));
  });
});
