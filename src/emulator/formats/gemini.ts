/** Gemini generateContent / streamGenerateContent?alt=sse. */
import type { EmulatedAnswer, EmulatedPrompt } from '../answer.js';
import { asRecord, responseIds, sse, type EmulatedFormat } from './types.js';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const partsText = (parts: unknown) => (Array.isArray(parts) ? parts.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('') : '');

export function geminiFormat(): EmulatedFormat {
  const id = responseIds('emu-');
  const usage = (a: EmulatedAnswer) => ({ promptTokenCount: a.promptTokens, candidatesTokenCount: a.completionTokens, totalTokenCount: a.promptTokens + a.completionTokens });
  const element = (p: EmulatedPrompt, text: string, finish?: string, a?: EmulatedAnswer) => ({
    candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
    ...(a ? { usageMetadata: usage(a) } : {}),
    modelVersion: p.model,
    responseId: id(p),
  });
  return {
    readPrompt(raw, model) {
      const body = asRecord(raw);
      if (!model) throw new Error('model is required in the path');
      if (!Array.isArray(body.contents) || body.contents.length === 0) throw new Error('contents is not specified');
      const turns: Array<{ role: string; text: string }> = [];
      const system = body.systemInstruction as { parts?: unknown } | undefined;
      if (system) turns.push({ role: 'system', text: partsText(system.parts) });
      for (const c of body.contents as Array<{ role?: unknown; parts?: unknown }>) {
        if (c.role !== 'user' && c.role !== 'model') throw new Error(`Please use a valid role: user, model.`);
        turns.push({ role: c.role === 'model' ? 'assistant' : 'user', text: partsText(c.parts) });
      }
      const config = body.generationConfig as { maxOutputTokens?: unknown } | undefined;
      return { model, turns, maxTokens: typeof config?.maxOutputTokens === 'number' ? config.maxOutputTokens : undefined, stream: false };
    },
    authorized: (headers, url) => (typeof headers['x-goog-api-key'] === 'string' && headers['x-goog-api-key'] !== '') || url.searchParams.has('key'),
    response: (p, a) => element(p, a.pieces.join(''), a.finish === 'length' ? 'MAX_TOKENS' : 'STOP', a),
    streamStart: () => [],
    streamPiece: (p, piece) => sse(element(p, piece)),
    streamEnd: (p, a) => [sse({ ...element(p, '', a.finish === 'length' ? 'MAX_TOKENS' : 'STOP', a) })],
    streamError: (_p, status, message) => sse({ error: { code: status, message, status: STATUS_NAMES[status] ?? 'INTERNAL' } }),
    errorBody: (status, message, retryAfterSeconds) => ({
      error: {
        code: status,
        message,
        status: STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'),
        ...(retryAfterSeconds !== undefined ? { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` }] } : {}),
      },
    }),
  };
}
