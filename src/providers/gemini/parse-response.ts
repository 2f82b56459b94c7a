import { hasField, UpstreamError } from '../errors.js';
import type { ChatCall, ChatResult, FinishReason, StreamPart } from '../types.js';
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

/** The finish reason, if this response carries one; a blocked prompt has no candidate at all. */
export function geminiFinish(response: GeminiResponse): FinishReason | undefined {
  if (response.promptFeedback?.blockReason && !response.candidates?.length) return 'content_filter';
  const reason = response.candidates?.[0]?.finishReason;
  return reason ? mapGeminiFinishReason(reason) : undefined;
}

export function parseGeminiResponse(body: unknown, call: ChatCall): ChatResult {
  const response = readGeminiResponse(body);
  const result: ChatResult = {
    model: response.modelVersion ?? call.model,
    text: geminiText(response),
    finishReason: geminiFinish(response) ?? 'stop',
  };
  if (response.responseId) result.upstreamId = response.responseId;
  if (response.usageMetadata) result.usage = convertGeminiUsage(response.usageMetadata);
  return result;
}

/** Parts for one stream element. Usage is repeated on several elements: the last one wins. */
export function geminiStreamParts(response: GeminiResponse): StreamPart[] {
  const parts: StreamPart[] = [];
  const text = geminiText(response);
  if (text) parts.push({ type: 'text-delta', text });
  const finish = geminiFinish(response);
  if (finish) parts.push({ type: 'finish', finishReason: finish });
  if (response.usageMetadata) parts.push({ type: 'usage', usage: convertGeminiUsage(response.usageMetadata) });
  return parts;
}
