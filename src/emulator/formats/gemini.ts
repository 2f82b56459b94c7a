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
  const usage = (a: EmulatedAnswer) => ({
    promptTokenCount: a.promptTokens,
    candidatesTokenCount: a.completionTokens,
    totalTokenCount: a.promptTokens + a.completionTokens,
    // Included in promptTokenCount, and present only when some were cached.
    ...(a.cache.read > 0 ? { cachedContentTokenCount: a.cache.read } : {}),
  });
  /** Function calls as Gemini sends them: whole, with a thought signature to be sent back. */
  const callParts = (a: EmulatedAnswer) =>
    a.toolCalls.map((c) => ({ functionCall: { name: c.name, args: JSON.parse(c.arguments) as unknown }, thoughtSignature: Buffer.from(`sig:${c.name}`).toString('base64') }));
  const element = (p: EmulatedPrompt, text: string, finish?: string, a?: EmulatedAnswer, calls: unknown[] = []) => ({
    candidates: [{ content: { role: 'model', parts: [...(text !== '' || calls.length === 0 ? [{ text }] : []), ...calls] }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
    ...(a ? { usageMetadata: usage(a) } : {}),
    modelVersion: p.model,
    responseId: id(p),
  });
  return {
    automaticCaching: true,
    readPrompt(raw, model) {
      const body = asRecord(raw);
      if (!model) throw new Error('model is required in the path');
      if (!Array.isArray(body.contents) || body.contents.length === 0) throw new Error('contents is not specified');
      const turns: Array<{ role: string; text: string }> = [];
      const system = body.systemInstruction as { parts?: unknown } | undefined;
      if (system) turns.push({ role: 'system', text: partsText(system.parts) });
      const images: string[] = [];
      let pendingCalls = 0;
      for (const c of body.contents as Array<{ role?: unknown; parts?: unknown }>) {
        if (c.role !== 'user' && c.role !== 'model') throw new Error(`Please use a valid role: user, model.`);
        // The emulator reads request parts as loosely as a provider's server does.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const parts = (Array.isArray(c.parts) ? c.parts : []) as Array<Record<string, any>>;
        const calls = parts.filter((part) => part.functionCall !== undefined);
        const responses = parts.filter((part) => part.functionResponse !== undefined);
        if (responses.length > 0 && responses.length !== pendingCalls) {
          throw new Error('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
        }
        // Gemini 3 wants each call's thought signature back with it.
        if (model.startsWith('gemini-3') && calls.some((part) => typeof part.thoughtSignature !== 'string')) {
          throw new Error('Function call is missing a thought_signature in functionCall parts.');
        }
        pendingCalls = calls.length;
        for (const part of parts) if (part.inlineData) images.push(String(part.inlineData.mimeType));
        const text = responses.length > 0 ? responses.map((part) => JSON.stringify(part.functionResponse.response)).join('') : partsText(parts);
        turns.push({ role: responses.length > 0 ? 'tool' : c.role === 'model' ? 'assistant' : 'user', text });
      }
      const declarations = ((body.tools ?? []) as Array<{ functionDeclarations?: Array<{ name?: string; parametersJsonSchema?: unknown; parameters?: unknown }> }>).flatMap(
        (t) => t.functionDeclarations ?? [],
      );
      const tools = declarations.map((d) => ({ name: String(d.name), schema: d.parametersJsonSchema ?? d.parameters }));
      const calling = (body.toolConfig as { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } } | undefined)?.functionCallingConfig;
      const forcedTool = calling?.mode === 'ANY' ? (calling.allowedFunctionNames?.[0] ?? tools[0]?.name) : undefined;
      const config = body.generationConfig as { maxOutputTokens?: unknown; responseMimeType?: unknown; responseJsonSchema?: unknown; responseSchema?: unknown } | undefined;
      if (config?.responseMimeType === 'application/json' && tools.length > 0) throw new Error("Function calling with a response mime type: 'application/json' is unsupported");
      const schema = config?.responseJsonSchema ?? config?.responseSchema;
      return {
        model,
        turns,
        maxTokens: typeof config?.maxOutputTokens === 'number' ? config.maxOutputTokens : undefined,
        stream: false,
        ...(tools.length > 0 ? { tools } : {}),
        ...(forcedTool ? { forcedTool } : {}),
        ...(config?.responseMimeType === 'application/json' ? { json: schema !== undefined ? { schema } : {} } : {}),
        ...(images.length > 0 ? { images } : {}),
      };
    },
    authorized: (headers, url) => (typeof headers['x-goog-api-key'] === 'string' && headers['x-goog-api-key'] !== '') || url.searchParams.has('key'),
    response: (p, a) => element(p, a.pieces.join(''), a.finish === 'length' ? 'MAX_TOKENS' : 'STOP', a, callParts(a)),
    streamStart: () => [],
    streamPiece: (p, piece) => sse(element(p, piece)),
    streamEnd: (p, a) => [...(a.toolCalls.length > 0 ? [sse(element(p, '', undefined, undefined, callParts(a)))] : []), sse({ ...element(p, '', a.finish === 'length' ? 'MAX_TOKENS' : 'STOP', a) })],
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
