/**
 * One way errors become answers, used by every entrance with its own body shape: each entrance is an
 * encapsulated plugin with its handler, so no handler guesses a caller's format from the URL.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../core/errors.js';
import { toErrorResponse, type ErrorResponse } from './error-response.js';

export interface ErrorHandlerOptions {
  /** The entrance's own error body (Anthropic's, say); OpenAI's by default. */
  shape?: (res: ErrorResponse) => unknown;
  /** Told of a refusal Fastify made before the route ran (malformed JSON, a body too large). */
  refusedBeforeRoute?: (request: FastifyRequest, res: ErrorResponse) => void;
}

export function errorHandler(options: ErrorHandlerOptions = {}) {
  return (err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    const res = toErrorResponse(err);
    // The route logs everything it refuses itself; GatewayErrors (authentication too) are the route's or
    // the auth hook's, and a 500 came out of the pipeline, which has logged it.
    if (!(err instanceof GatewayError) && res.status < 500) options.refusedBeforeRoute?.(request, res);
    if (res.status >= 500 && res.body.error.code === 'internal_error') request.log.error({ err }, 'unhandled error');
    void reply
      .code(res.status)
      .headers(res.headers)
      .send(options.shape ? options.shape(res) : res.body);
  };
}
