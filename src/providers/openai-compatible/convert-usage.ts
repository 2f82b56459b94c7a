import { withCacheCounts } from '../prompt-cache-usage.js';
import type { Usage } from '../types.js';
import type { OpenAIUsage } from './wire-schemas.js';

/**
 * A real 0 stays 0; a missing total is the sum. `prompt_tokens` includes the cached tokens that
 * `prompt_tokens_details` counts (OpenRouter adds the tokens written, for providers that bill writes).
 */
export function convertOpenAIUsage(usage: OpenAIUsage): Usage {
  const out = {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
  };
  const details = usage.prompt_tokens_details;
  if (typeof details !== 'object' || details === null) return out;
  const { cached_tokens, cache_write_tokens } = details as Record<string, unknown>;
  return withCacheCounts(out, { read: cached_tokens, write: cache_write_tokens });
}
