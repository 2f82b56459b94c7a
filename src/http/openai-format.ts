/**
 * The OpenAI wire shapes the gateway answers with. Only the HTTP edge produces them.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { AnswerMetadata } from '../gateway/chat-service.js';
import type { ChatResult, FinishReason, Usage } from '../providers/types.js';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}

export function chatCompletion(id: string, created: number, result: ChatResult, metadata: AnswerMetadata) {
  return {
    id,
    object: 'chat.completion' as const,
    created,
    // Like OpenAI's own, the model field names what actually answered (a snapshot, or the model an
    // OpenRouter router picked); metadata.model_used names what the gateway routed to.
    model: result.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: result.text, refusal: null },
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
    ...(result.usage ? { usage: toOpenAIUsage(result.usage) } : {}),
    metadata,
  };
}

/** One `chat.completion.chunk`, serialised for an SSE `data:` line. */
export function chunkJson(
  id: string,
  created: number,
  model: string,
  delta: { role?: 'assistant'; content?: string },
  finishReason: FinishReason | null,
  extra?: Record<string, unknown>,
): string {
  return JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  });
}

/**
 * The content chunks of one stream: everything but the text is the same in each, so it is
 * serialised once and the text alone per chunk. Equal, field for field, to `chunkJson`.
 */
export function contentChunkSerializer(id: string, created: number, model: string): (text: string, first: boolean) => string {
  const prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{`;
  const suffix = '},"logprobs":null,"finish_reason":null}]}';
  return (text, first) => `${prefix}${first ? '"role":"assistant",' : ''}"content":${JSON.stringify(text)}${suffix}`;
}

/** The usage chunk OpenAI sends last when `stream_options.include_usage` is set: no choices. */
export function usageChunkJson(id: string, created: number, model: string, usage: Usage | undefined): string {
  return JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [],
    usage: usage ? toOpenAIUsage(usage) : { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}
