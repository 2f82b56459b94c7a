/** Bearer-token authentication for the API routes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../gateway/errors.js';
import { bearerToken, tokenMatchesHash } from '../security/operator-token.js';

export interface AuthOptions {
  /** SHA-256 of the operator token. */
  operatorTokenHash: Buffer;
}

const missing = () =>
  new GatewayError({
    status: 401,
    type: 'invalid_request_error',
    code: 'missing_api_key',
    message: 'Missing bearer token. Send the header "Authorization: Bearer <CEREBRO_API_TOKEN>".',
    headers: { 'www-authenticate': 'Bearer' },
  });

const invalid = () =>
  new GatewayError({
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided.',
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

/** An onRequest hook: runs before the body is parsed, so anonymous callers cost little. */
export function bearerAuth(options: AuthOptions) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw missing();
    if (!tokenMatchesHash(token, options.operatorTokenHash)) throw invalid();
  };
}
