import type { FinishReason } from '../types.js';

/**
 * OpenAI-compatible finish reasons are already ours; legacy `function_call` becomes `tool_calls`,
 * and anything unknown (OpenRouter passes some provider-native reasons through) becomes `stop`.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'stop';
  }
}
