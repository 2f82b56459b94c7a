import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkJson, contentChunkSerializer } from '../../src/http/openai-format.js';

describe('contentChunkSerializer', () => {
  it('produces exactly the chunk chunkJson does, escapes included', () => {
    const serialize = contentChunkSerializer('chatcmpl-"x"', 1700000000, 'vendor/m:free');
    for (const text of ['Hello', 'quote " and \\ and \n newline', 'ünïcödé 👋', '']) {
      for (const first of [true, false]) {
        const expected = chunkJson('chatcmpl-"x"', 1700000000, 'vendor/m:free', first ? { role: 'assistant', content: text } : { content: text }, null);
        assert.deepEqual(JSON.parse(serialize(text, first)), JSON.parse(expected));
        assert.equal(serialize(text, first), expected);
      }
    }
  });
});
