/**
 * The hand-written chat.completion reader agrees with the narrow schema it stands in for: whatever
 * it accepts, the schema accepts and returns the same. Checked on thousands of generated bodies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pick, seededRandom } from '../helpers/seeded-random.js';
import { readOpenAIResponse } from '../../src/providers/openai-compatible/read-response.js';
import { openAIChatResponseSchema } from '../../src/providers/openai-compatible/wire-schemas.js';

const ODD: unknown[] = [null, true, 0, 1.5, '', 'x', [], {}, [1], { a: 1 }];
/** Absent (undefined: the key is left out), a good value, or an odd one. */
function field(rnd: () => number, good: () => unknown, absentRate = 0.3): unknown {
  const r = rnd();
  return r < absentRate ? undefined : r < 0.9 ? good() : pick(rnd, ODD);
}
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function toolCall(rnd: () => number): unknown {
  const c: Record<string, unknown> = {};
  put(
    c,
    'id',
    field(rnd, () => `call_${Math.floor(rnd() * 100)}`, 0.05),
  );
  put(c, 'type', 'function');
  const fn: Record<string, unknown> = {};
  put(
    fn,
    'name',
    field(rnd, () => 'lookup', 0.05),
  );
  put(
    fn,
    'arguments',
    field(rnd, () => '{"q":1}', 0.05),
  );
  put(c, 'function', rnd() < 0.95 ? fn : pick(rnd, ODD));
  return c;
}

function choice(rnd: () => number): unknown {
  if (rnd() < 0.03) return pick(rnd, ODD);
  const message: Record<string, unknown> = { role: 'assistant' };
  put(
    message,
    'content',
    field(rnd, () => pick(rnd, ['Hello!', '', null])),
  );
  put(
    message,
    'refusal',
    field(rnd, () => null, 0.7),
  );
  put(
    message,
    'tool_calls',
    field(rnd, () => (rnd() < 0.2 ? null : Array.from({ length: Math.floor(rnd() * 3) }, () => toolCall(rnd))), 0.7),
  );
  const c: Record<string, unknown> = { index: 0 };
  put(c, 'message', rnd() < 0.97 ? message : pick(rnd, ODD));
  put(
    c,
    'finish_reason',
    field(rnd, () => pick(rnd, ['stop', 'length', 'tool_calls', null]), 0.1),
  );
  put(c, 'logprobs', null);
  return c;
}

function body(rnd: () => number): unknown {
  if (rnd() < 0.02) return pick(rnd, ODD);
  const b: Record<string, unknown> = { object: 'chat.completion', created: 1 };
  put(
    b,
    'id',
    field(rnd, () => 'chatcmpl-1', 0.1),
  );
  put(
    b,
    'model',
    field(rnd, () => 'gpt-4o-mini', 0.1),
  );
  put(b, 'choices', rnd() < 0.95 ? Array.from({ length: Math.floor(rnd() * 3) + (rnd() < 0.9 ? 1 : 0) }, () => choice(rnd)) : pick(rnd, ODD));
  const usage: Record<string, unknown> = {};
  put(
    usage,
    'prompt_tokens',
    field(rnd, () => 12, 0.05),
  );
  put(
    usage,
    'completion_tokens',
    field(rnd, () => 7, 0.05),
  );
  put(
    usage,
    'total_tokens',
    field(rnd, () => 19),
  );
  put(
    b,
    'usage',
    field(rnd, () => (rnd() < 0.1 ? null : usage), 0.2),
  );
  return b;
}

describe('chat.completion reader', () => {
  it('never accepts what the schema refuses, and returns what the schema returns', () => {
    const rnd = seededRandom(7);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const b: unknown = JSON.parse(JSON.stringify(body(rnd)));
      const fast = readOpenAIResponse(b);
      const schema = openAIChatResponseSchema.safeParse(b);
      if (!schema.success) refused++;
      if (fast === undefined) {
        // Refusing a valid body is allowed (the schema then reads it) but should be rare.
        continue;
      }
      accepted++;
      assert.ok(schema.success, `accepted what the schema refuses: ${JSON.stringify(b)}`);
      assert.deepEqual(fast, schema.data, JSON.stringify(b));
    }
    assert.ok(accepted > 3_000, `accepted ${accepted}`);
    assert.ok(refused > 3_000, `refused ${refused}`);
  });

  it('refuses numbers JSON reads as infinite, as the schema does', () => {
    for (const text of [
      '{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":1e999,"completion_tokens":5}}',
      '{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":1,"completion_tokens":-1e999}}',
      '{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":1e999}}',
    ]) {
      const b: unknown = JSON.parse(text);
      assert.equal(openAIChatResponseSchema.safeParse(b).success, false);
      assert.equal(readOpenAIResponse(b), undefined, text);
    }
  });

  it('reads every body the schema accepts (the schema is only the error path)', () => {
    const rnd = seededRandom(11);
    for (let i = 0; i < 5_000; i++) {
      const b: unknown = JSON.parse(JSON.stringify(body(rnd)));
      if (openAIChatResponseSchema.safeParse(b).success) assert.ok(readOpenAIResponse(b), JSON.stringify(b));
    }
  });
});
