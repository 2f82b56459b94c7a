import { hasField, UpstreamError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { withSignature } from '../tool-call-id.js';
import type { ChatCall, ChatResult, FinishReason, StreamPart, ToolCall } from '../types.js';
import { convertGeminiUsage } from './convert-usage.js';
import { mapGeminiFinishReason } from './map-finish-reason.js';
import { geminiErrorFromBody } from './parse-error.js';
import { geminiErrorSchema, geminiResponseSchema, type GeminiResponse } from './wire-schemas.js';

/** Validates one GenerateContentResponse (a whole answer, or one stream element). */
export function readGeminiResponse(body: unknown): GeminiResponse {
  if (hasField(body, 'error')) {
    const inBand = geminiErrorSchema.safeParse(body);
    if (inBand.success) throw geminiErrorFromBody(inBand.data.error);
  }
  const parsed = geminiResponseSchema.safeParse(body);
  if (!parsed.success) throw new UpstreamError({ provider: 'gemini', kind: 'protocol', message: 'unexpected response shape' });
  return parsed.data;
}

/** Visible text of the first candidate; thought summaries are not part of the answer. */
export function geminiText(response: GeminiResponse): string {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  let text = '';
  for (const part of parts) if (part.text !== undefined && part.thought !== true) text += part.text;
  return text;
}

/** Gemini gives function calls no id (or only sometimes): one is made, as OpenAI clients need it. */
const newCallId = () => `call_${randomBytes(12).toString('base64url')}`;

/** The first candidate's function calls, with ids (carrying their thought signatures). */
export function geminiToolCalls(response: GeminiResponse): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.functionCall === undefined) continue;
    calls.push({
      id: withSignature(part.functionCall.id || newCallId(), part.thoughtSignature),
      name: part.functionCall.name,
      arguments: JSON.stringify(part.functionCall.args ?? {}),
    });
  }
  return calls;
}

/** Gemini tried to call a function and failed: no usable answer, so another target should answer. */
const BROKEN_CALL = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL']);

/** The finish reason, if this response carries one; a blocked prompt has no candidate at all. */
export function geminiFinish(response: GeminiResponse): FinishReason | undefined {
  if (response.promptFeedback?.blockReason && !response.candidates?.length) return 'content_filter';
  const reason = response.candidates?.[0]?.finishReason;
  if (reason && BROKEN_CALL.has(reason)) {
    throw new UpstreamError({ provider: 'gemini', kind: 'http', status: 502, message: `gemini ended its answer with ${reason} (a function call it could not form)` });
  }
  return reason ? mapGeminiFinishReason(reason) : undefined;
}

export function parseGeminiResponse(body: unknown, call: ChatCall): ChatResult {
  const response = readGeminiResponse(body);
  const toolCalls = geminiToolCalls(response);
  const finish = geminiFinish(response) ?? 'stop';
  const result: ChatResult = {
    model: response.modelVersion ?? call.model,
    text: geminiText(response),
    // Gemini ends an answer that calls functions with STOP; OpenAI clients look for tool_calls.
    finishReason: toolCalls.length > 0 && finish === 'stop' ? 'tool_calls' : finish,
  };
  if (toolCalls.length > 0) result.toolCalls = toolCalls;
  if (response.responseId) result.upstreamId = response.responseId;
  if (response.usageMetadata) result.usage = convertGeminiUsage(response.usageMetadata);
  return result;
}

/**
 * Parts for one stream element. Gemini streams each function call whole, in one element; `calls`
 * counts them across the stream. Usage is repeated on several elements: the last one wins.
 */
export function geminiStreamParts(response: GeminiResponse, calls: { count: number }): StreamPart[] {
  const parts: StreamPart[] = [];
  const text = geminiText(response);
  if (text) parts.push({ type: 'text-delta', text });
  for (const call of geminiToolCalls(response)) {
    parts.push({ type: 'tool-call-delta', index: calls.count++, id: call.id, name: call.name, argumentsDelta: call.arguments });
  }
  const finish = geminiFinish(response);
  if (finish) parts.push({ type: 'finish', finishReason: calls.count > 0 && finish === 'stop' ? 'tool_calls' : finish });
  if (response.usageMetadata) parts.push({ type: 'usage', usage: convertGeminiUsage(response.usageMetadata) });
  return parts;
}
