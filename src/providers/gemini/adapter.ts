/**
 * The Gemini generateContent wire format (v1beta), streaming through `:streamGenerateContent?alt=sse`.
 * @see https://ai.google.dev/api/generate-content
 */
import { tryParseJson, UpstreamError } from '../errors.js';
import type { ProviderAdapter, StreamDecoder, StreamPart } from '../types.js';
import { buildGeminiBody } from './build-request.js';
import { parseGeminiError } from './parse-error.js';
import { geminiStreamParts, parseGeminiResponse, readGeminiResponse } from './parse-response.js';

/** Gemini's stream simply ends after the element that carries a finish reason; there is no [DONE]. */
class GeminiStreamDecoder implements StreamDecoder {
  finished = false;
  private modelReported = false;
  private readonly calls = { count: 0 };

  decode(event: { data: string }): StreamPart[] {
    const json = tryParseJson(event.data);
    if (json === undefined) throw new UpstreamError({ provider: 'gemini', kind: 'protocol', message: 'unparseable stream event' });
    const response = readGeminiResponse(json);
    const parts = geminiStreamParts(response, this.calls);
    if (!this.modelReported && response.modelVersion) {
      this.modelReported = true;
      parts.unshift({ type: 'model', model: response.modelVersion });
    }
    if (parts.some((p) => p.type === 'finish')) this.finished = true;
    return parts;
  }
}

/** "models/gemini-2.5-flash" and "gemini-2.5-flash" name the same model. */
function modelPath(model: string): string {
  return encodeURIComponent(model.startsWith('models/') ? model.slice('models/'.length) : model);
}

export function createGeminiAdapter(): ProviderAdapter {
  return {
    id: 'gemini',
    // Gemini reads fileData URIs only from its own file store: http(s) images must arrive inline.
    inlineImageUrls: true,
    // Google API keys: "AIza" and 35 more characters. @see https://ai.google.dev/api/models#method:-models.list
    keyPattern: /^AIza[0-9A-Za-z_-]{35}$/,
    buildKeyCheck: (credentials) => ({
      method: 'GET',
      url: `${credentials.baseUrl.replace(/\/+$/, '')}/v1beta/models?pageSize=1`,
      headers: { 'x-goog-api-key': credentials.apiKey },
    }),
    buildRequest(call, credentials) {
      const { body, warnings } = buildGeminiBody(call);
      const base = credentials.baseUrl.replace(/\/+$/, '');
      const method = call.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return {
        http: {
          url: `${base}/v1beta/models/${modelPath(call.model)}:${method}`,
          headers: {
            'content-type': 'application/json',
            'x-goog-api-key': credentials.apiKey,
            ...(call.stream ? { accept: 'text/event-stream' } : {}),
          },
          body: JSON.stringify(body),
        },
        warnings,
      };
    },
    parseResponse: parseGeminiResponse,
    createStreamDecoder: () => new GeminiStreamDecoder(),
    parseError: parseGeminiError,
  };
}
