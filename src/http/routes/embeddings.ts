/**
 * POST /v1/embeddings, OpenAI-compatible: text (or token arrays, for OpenAI models) in, vectors out,
 * as float arrays or base64 little-endian float32 (what the official SDKs ask for by default).
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmbeddingService } from '../../gateway/embedding-service.js';
import { type GatewayError, invalidRequest } from '../../core/errors.js';
import { paramPath } from '../chat-request.js';
import type { InFlightRequests } from '../in-flight.js';

/** OpenAI's own limit on inputs per request. */
const MAX_INPUTS = 2048;

const text = z.string().min(1, 'must not be empty');
const tokens = z.array(z.number().int().nonnegative(), { message: 'must be an array of token ids' }).min(1, 'must not be empty');

export const embeddingsRequestSchema = z.looseObject({
  model: z.string({ message: 'must be a string' }).regex(/^[\x21-\x7e]{1,256}$/, 'must be at most 256 visible ASCII characters'),
  input: z.union([text, z.array(text).min(1).max(MAX_INPUTS), tokens, z.array(tokens).min(1).max(MAX_INPUTS)], {
    message: `must be a non-empty string, an array of up to ${MAX_INPUTS} non-empty strings, or token arrays`,
  }),
  encoding_format: z.enum(['float', 'base64'], { message: "must be 'float' or 'base64'" }).optional(),
  dimensions: z.number({ message: 'must be an integer' }).int().min(1).max(65_536).optional(),
  user: z.string({ message: 'must be a string' }).optional(),
});

/** A vector as base64 of its little-endian float32 bytes. */
export function toBase64Float32(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}

export function embeddingsRoute(app: FastifyInstance, options: { embeddings: EmbeddingService; inFlight: InFlightRequests; totalTimeoutMs: number }): void {
  app.post('/v1/embeddings', async (request, reply) => {
    const requestId = `emb-${uuidv7()}`;
    const refuse = (err: GatewayError): never => {
      const model = (request.body as { model?: unknown } | null)?.model;
      options.embeddings.recordRejected({ requestId, caller: request.caller, model: typeof model === 'string' ? model : undefined }, err);
      throw err;
    };
    const parsed = embeddingsRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = paramPath(issue.path);
      refuse(invalidRequest(`Invalid value for '${param || 'body'}': ${issue.message}`, param || null, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value'));
    }
    const req = parsed.data!;
    const inputs = typeof req.input === 'string' ? [req.input] : typeof req.input[0] === 'number' ? [req.input as number[]] : (req.input as string[] | number[][]);
    if (inputs.some((i) => typeof i === 'string' && i.includes('\u0000'))) refuse(invalidRequest("Invalid value for 'input': contains a NUL character", 'input'));
    return options.inFlight.run(
      reply.raw,
      options.totalTimeoutMs,
      async (signal) => {
        const outcome = await options.embeddings.embed(
          {
            requestId,
            caller: request.caller,
            model: req.model,
            input: inputs,
            ...(req.dimensions !== undefined ? { dimensions: req.dimensions } : {}),
            ...(req.user !== undefined ? { user: req.user } : {}),
          },
          signal,
        );
        const base64 = req.encoding_format === 'base64';
        return reply.headers({ 'x-cerebro-provider': outcome.entry.provider, 'x-cerebro-model': outcome.entry.id }).send({
          object: 'list',
          data: outcome.result.vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64Float32(v) : v })),
          model: outcome.entry.id,
          usage: { prompt_tokens: outcome.usage.promptTokens, total_tokens: outcome.usage.totalTokens },
        });
      },
      request.caller.userId,
    );
  });
}
