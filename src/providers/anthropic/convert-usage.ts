import type { Usage } from '../types.js';
import type { AnthropicUsage } from './wire-schemas.js';

/**
 * Anthropic counts cached prompt tokens apart from `input_tokens`; OpenAI's `prompt_tokens`
 * includes them, so they are added back.
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 */
export function convertAnthropicUsage(input: AnthropicUsage, outputTokens?: number | null): Usage {
  const promptTokens = (input.input_tokens ?? 0) + (input.cache_creation_input_tokens ?? 0) + (input.cache_read_input_tokens ?? 0);
  const completionTokens = outputTokens ?? input.output_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
