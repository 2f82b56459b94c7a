/** Which upstream 404s say that the model itself does not exist, as each provider words it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../src/providers/errors.js';
import type { ProviderId } from '../../src/providers/types.js';

describe('UpstreamError.modelNotFound', () => {
  const cases: Array<[ProviderId, number, string, string | undefined, boolean]> = [
    ['openai', 404, 'The model `gpt-4o-mnii` does not exist or you do not have access to it.', 'model_not_found', true],
    ['anthropic', 404, 'model: claude-sonnet-9', 'not_found_error', true],
    ['gemini', 404, 'models/gemini-9-flash is not found for API version v1beta, or is not supported for generateContent.', 'NOT_FOUND', true],
    ['openrouter', 404, 'No endpoints found for meta-llama/llama-9b:free.', undefined, true],
    ['openrouter', 404, 'No endpoints found that support tool use.', undefined, false],
    ['openrouter', 404, "No endpoints found that support the provided 'tool_choice' value.", undefined, false],
    ['anthropic', 404, 'Not found: /v1/messagez', 'not_found_error', false],
    ['openai', 429, 'The model gpt-4o-mini does not exist', undefined, false],
    ['openai', 404, 'Not Found', undefined, false],
  ];
  for (const [provider, status, message, upstreamCode, expected] of cases) {
    it(`${provider} ${status} "${message.slice(0, 50)}" → ${expected}`, () => {
      const err = new UpstreamError({ provider, kind: 'http', status, message, ...(upstreamCode ? { upstreamCode } : {}) });
      assert.equal(err.modelNotFound, expected);
    });
  }
});
