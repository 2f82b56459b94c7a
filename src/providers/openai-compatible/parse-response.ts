import { hasField, UpstreamError } from '../errors.js';
import type { ChatCall, ChatResult, ProviderId } from '../types.js';
import { convertOpenAIUsage } from './convert-usage.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';
import { inBandOpenAIError } from './parse-error.js';
import { readOpenAIResponse, type OpenAIChatResponse } from './read-response.js';
import { openAIChatResponseSchema, openAIErrorBodySchema } from './wire-schemas.js';

/** The body through the schema, which names what is wrong with it. */
function schemaParse(provider: ProviderId, body: unknown): OpenAIChatResponse {
  const parsed = openAIChatResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new UpstreamError({ provider, kind: 'protocol', message: `unexpected response shape: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
  }
  return parsed.data;
}

export function parseOpenAIChatResponse(provider: ProviderId, body: unknown, call: ChatCall): ChatResult {
  if (hasField(body, 'error')) {
    const inBand = openAIErrorBodySchema.safeParse(body);
    if (inBand.success) throw inBandOpenAIError(provider, inBand.data.error);
  }
  const data = readOpenAIResponse(body) ?? schemaParse(provider, body);
  const choice = data.choices[0]!;
  const result: ChatResult = {
    model: data.model ?? call.model,
    text: choice.message.content ?? choice.message.refusal ?? '',
    finishReason: mapOpenAIFinishReason(choice.finish_reason),
  };
  const calls = choice.message.tool_calls;
  if (calls && calls.length > 0) {
    result.toolCalls = calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
    // OpenAI answers a call forced by tool_choice with finish_reason "stop": clients look for tool_calls.
    if (result.finishReason === 'stop') result.finishReason = 'tool_calls';
  }
  if (data.id !== undefined) result.upstreamId = data.id;
  if (data.usage) result.usage = convertOpenAIUsage(data.usage);
  return result;
}
