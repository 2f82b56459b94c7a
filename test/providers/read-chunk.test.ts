/** The hand-written chunk reader agrees with the narrow zod schema it stands in for. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOpenAIChunk } from '../../src/providers/openai-compatible/read-chunk.js';
import { openAIChatChunkSchema } from '../../src/providers/openai-compatible/wire-schemas.js';

const cases: unknown[] = [
  { id: 'a', model: 'm', choices: [{ delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  { choices: [{ delta: { content: 'Hi' } }] },
  { choices: [{ delta: { refusal: 'no' }, finish_reason: 'content_filter' }] },
  { choices: [{ delta: {}, finish_reason: 'stop' }], usage: null },
  { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
  { choices: [{ delta: null }] },
  { error: { code: 502, message: 'Provider disconnected' }, choices: [{ delta: { content: '' }, finish_reason: 'error' }] },
  { error: { message: 'x', type: 'server_error', code: null } },
  { choices: [{ delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] } }] },
  { choices: [{ delta: { tool_calls: [{ index: 1, function: { arguments: '{"a":' } }] } }] },
  { choices: [{ delta: { tool_calls: null } }] },
  // malformed
  { choices: [{ delta: { tool_calls: [{ id: 'x' }] } }] },
  { choices: [{ delta: { tool_calls: [{ index: -1 }] } }] },
  { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: 5 } }] } }] },
  { choices: [{ delta: { tool_calls: {} } }] },
  { choices: [{ delta: { content: 5 } }] },
  { choices: 'nope' },
  { choices: [{ finish_reason: 7 }] },
  { usage: { prompt_tokens: '1', completion_tokens: 2 } },
  { model: 3 },
  { error: 'boom' },
  [],
  null,
  'text',
  // JSON reads 1e999 as Infinity, which z.number() refuses.
  JSON.parse('{"choices":[],"usage":{"prompt_tokens":1e999,"completion_tokens":2}}') as unknown,
  JSON.parse('{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":-1e999}}') as unknown,
];

describe('readOpenAIChunk', () => {
  for (const [i, value] of cases.entries()) {
    it(`case ${i}: accepts exactly what the schema accepts, and reads the same fields`, () => {
      const schema = openAIChatChunkSchema.safeParse(value);
      const read = readOpenAIChunk(value);
      assert.equal(read !== undefined, schema.success, JSON.stringify(value));
      if (!schema.success || !read) return;
      const d = schema.data;
      // An error chunk is thrown as an error; its other fields are never read.
      if (d.error) return assert.equal(read.error?.message, d.error.message);
      const choice = d.choices?.[0];
      assert.equal(read.text, (choice?.delta?.content ?? choice?.delta?.refusal) || undefined);
      assert.equal(read.finishReason, choice?.finish_reason || undefined);
      assert.deepEqual(read.usage, d.usage ?? undefined);
      assert.equal(read.model, d.model);
      const calls = (choice?.delta?.tool_calls ?? []).map((c) => {
        const out: Record<string, unknown> = { index: c.index };
        if (c.id != null) out.id = c.id;
        if (c.function?.name != null) out.name = c.function.name;
        if (c.function?.arguments != null) out.arguments = c.function.arguments;
        return out;
      });
      assert.deepEqual(read.toolCalls ?? [], calls);
    });
  }
});
