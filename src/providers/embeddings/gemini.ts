/**
 * Gemini embeddings through `batchEmbedContents` (one call for one text or many).
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 */
import { z } from 'zod';
import { UpstreamError } from '../errors.js';
import type { EmbeddingAdapter } from './types.js';

const responseSchema = z.object({ embeddings: z.array(z.object({ values: z.array(z.number()) })) });

const bare = (model: string) => (model.startsWith('models/') ? model.slice('models/'.length) : model);

export function createGeminiEmbeddingAdapter(): EmbeddingAdapter {
  return {
    id: 'gemini',
    acceptsTokens: false,
    // batchEmbedContents takes at most 100 requests.
    maxInputs: 100,
    buildRequest(call, credentials) {
      const model = bare(call.model);
      const requests = (call.input as string[]).map((text) => {
        const r: Record<string, unknown> = { model: `models/${model}`, content: { parts: [{ text }] } };
        if (call.dimensions !== undefined) r.outputDimensionality = call.dimensions;
        return r;
      });
      return {
        url: `${credentials.baseUrl.replace(/\/+$/, '')}/v1beta/models/${encodeURIComponent(model)}:batchEmbedContents`,
        headers: { 'content-type': 'application/json', 'x-goog-api-key': credentials.apiKey },
        body: JSON.stringify({ requests }),
      };
    },
    parseResponse(body, call) {
      const parsed = responseSchema.safeParse(body);
      if (!parsed.success || parsed.data.embeddings.length !== call.input.length) {
        throw new UpstreamError({ provider: 'gemini', kind: 'protocol', message: 'unexpected embeddings response shape' });
      }
      // Gemini reports no token usage for embeddings: the service counts them itself.
      return { vectors: parsed.data.embeddings.map((e) => e.values), model: call.model };
    },
  };
}
