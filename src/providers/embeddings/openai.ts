/**
 * OpenAI embeddings (`POST /embeddings`), always asked for as floats: the gateway re-encodes for
 * its caller.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import { z } from 'zod';
import { UpstreamError } from '../errors.js';
import type { ProviderId } from '../types.js';
import type { EmbeddingAdapter } from './types.js';

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  model: z.string().optional(),
  usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number().optional() }).optional(),
});

export function createOpenAIEmbeddingAdapter(id: ProviderId): EmbeddingAdapter {
  return {
    id,
    acceptsTokens: true,
    maxInputs: 2048,
    buildRequest(call, credentials) {
      const body: Record<string, unknown> = { model: call.model, input: call.input, encoding_format: 'float' };
      if (call.dimensions !== undefined) body.dimensions = call.dimensions;
      if (call.user !== undefined) body.user = call.user;
      return {
        url: `${credentials.baseUrl.replace(/\/+$/, '')}/embeddings`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credentials.apiKey}` },
        body: JSON.stringify(body),
      };
    },
    parseResponse(body, call) {
      const parsed = responseSchema.safeParse(body);
      if (!parsed.success || parsed.data.data.length !== call.input.length) {
        throw new UpstreamError({ provider: id, kind: 'protocol', message: 'unexpected embeddings response shape' });
      }
      const vectors: number[][] = [];
      for (const item of parsed.data.data) vectors[item.index] = item.embedding;
      // Every input answered exactly once, in range: no holes, no duplicates.
      if (vectors.length !== call.input.length || vectors.some((v) => v === undefined)) {
        throw new UpstreamError({ provider: id, kind: 'protocol', message: 'embeddings response does not answer every input once' });
      }
      const usage = parsed.data.usage;
      return {
        vectors,
        model: parsed.data.model ?? call.model,
        ...(usage ? { usage: { promptTokens: usage.prompt_tokens, completionTokens: 0, totalTokens: usage.total_tokens ?? usage.prompt_tokens } } : {}),
      };
    },
  };
}
