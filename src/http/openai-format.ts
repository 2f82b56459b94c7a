/**
 * The OpenAI wire shapes the gateway answers with. Only the HTTP edge produces them.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { AnswerMetadata } from '../gateway/chat-service.js';
import type { ChatResult, FinishReason, StreamPart, ToolCall, Usage } from '../providers/types.js';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** `cached_tokens` are part of `prompt_tokens`; `cache_write_tokens` (OpenRouter's field) too, when a provider bills writes. */
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  const details: OpenAIUsage['prompt_tokens_details'] = { cached_tokens: usage.cacheReadTokens ?? 0 };
  if (usage.cacheWriteTokens) details.cache_write_tokens = usage.cacheWriteTokens;
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens, prompt_tokens_details: details };
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
        message: assistantMessage(result),
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
    ...(result.usage ? { usage: toOpenAIUsage(result.usage) } : {}),
    metadata,
  };
}

/** The answer as an assistant message: content is null when the answer is only tool calls. */
function assistantMessage(result: ChatResult) {
  const calls = result.toolCalls;
  if (!calls || calls.length === 0) return { role: 'assistant' as const, content: result.text, refusal: null };
  return { role: 'assistant' as const, content: result.text === '' ? null : result.text, refusal: null, tool_calls: calls.map(openAIToolCall) };
}

const openAIToolCall = (c: ToolCall) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } });

/**
 * A tool call piece as a chunk delta: the first piece of a call carries its id, type and name,
 * the following ones only the index and their piece of the arguments.
 */
export function toolCallDelta(part: Extract<StreamPart, { type: 'tool-call-delta' }>, first: boolean) {
  const call: Record<string, unknown> = { index: part.index };
  if (part.id !== undefined) {
    call.id = part.id;
    call.type = 'function';
  }
  call.function = part.name !== undefined ? { name: part.name, arguments: part.argumentsDelta } : { arguments: part.argumentsDelta };
  return first ? { role: 'assistant' as const, content: null, tool_calls: [call] } : { tool_calls: [call] };
}

/** One `chat.completion.chunk`, serialised for an SSE `data:` line. */
export function chunkJson(
  id: string,
  created: number,
  model: string,
  delta: { role?: 'assistant'; content?: string | null; tool_calls?: unknown[] },
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
    usage: toOpenAIUsage(usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 }),
  });
}
