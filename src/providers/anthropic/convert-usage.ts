import { withCacheCounts } from '../prompt-cache-usage.js';
import type { Usage } from '../types.js';
import type { AnthropicUsage } from './wire-schemas.js';

/**
 * Anthropic counts cached prompt tokens apart from `input_tokens`; OpenAI's `prompt_tokens`
 * includes them, so they are added back, and kept apart in the cache fields.
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 */
export function convertAnthropicUsage(input: AnthropicUsage, outputTokens?: number | null): Usage {
  const read = input.cache_read_input_tokens ?? 0;
  const write = input.cache_creation_input_tokens ?? 0;
  const promptTokens = (input.input_tokens ?? 0) + write + read;
  const completionTokens = outputTokens ?? input.output_tokens ?? 0;
  return withCacheCounts({ promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }, { read, write, write1h: input.cache_creation?.ephemeral_1h_input_tokens });
}
