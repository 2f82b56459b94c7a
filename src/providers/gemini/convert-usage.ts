import { withCacheCounts } from '../prompt-cache-usage.js';
import type { Usage } from '../types.js';
import type { GeminiUsage } from './wire-schemas.js';

/**
 * Thinking tokens are billed as output, as OpenAI's completion_tokens include reasoning tokens.
 * `promptTokenCount` includes the `cachedContentTokenCount` read from the cache.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGeminiUsage(usage: GeminiUsage): Usage {
  const promptTokens = usage.promptTokenCount ?? 0;
  const completionTokens = (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
  return withCacheCounts({ promptTokens, completionTokens, totalTokens: usage.totalTokenCount ?? promptTokens + completionTokens }, { read: usage.cachedContentTokenCount });
}
