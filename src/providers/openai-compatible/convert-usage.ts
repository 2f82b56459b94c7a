import type { Usage } from '../types.js';
import type { OpenAIUsage } from './wire-schemas.js';

/** A real 0 stays 0; a missing total is the sum. */
export function convertOpenAIUsage(usage: OpenAIUsage): Usage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
  };
}
