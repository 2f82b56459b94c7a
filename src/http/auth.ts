/**
 * Who is calling. One `onRequest` hook, before the body is read, accepts:
 * - the operator token (CEREBRO_API_TOKEN): the admin, checked first and in constant time;
 * - a gateway key (`gw_…`): its user, within the key's requests-per-minute limit;
 * - an account's JWT (from /api/auth/login): its user.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayKeyService } from '../accounts/gateway-keys.js';
import { rateLimitHeaders, type RateLimiter } from '../accounts/rate-limiter.js';
import { OPERATOR, OPERATOR_USER_ID, type Caller } from '../gateway/caller.js';
import { GatewayError } from '../gateway/errors.js';
import { looksLikeJwt, verifyAccessToken } from '../security/access-token.js';
import { isGatewayKeyShaped } from '../security/gateway-key.js';
import { bearerToken, tokenMatchesHash } from '../security/operator-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated route. */
    caller: Caller;
  }
}

export interface AuthOptions {
  /** SHA-256 of the operator token. */
  operatorTokenHash: Buffer;
  gatewayKeys: GatewayKeyService;
  rateLimiter: RateLimiter;
  secretKey: string;
  now: () => number;
}

const missing = () =>
  new GatewayError({
    status: 401,
    type: 'invalid_request_error',
    code: 'missing_api_key',
    message: 'Missing bearer token. Send the header "Authorization: Bearer <key>" with CEREBRO_API_TOKEN, a gateway key (gw_…) or an account token.',
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

function rateLimited(headers: Record<string, string>, limit: number, retryAfter: number): GatewayError {
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: `Rate limit reached for this gateway key: ${limit} requests per minute. Try again in ${retryAfter} s.`,
    headers: { ...headers, 'retry-after': String(retryAfter) },
  });
}

/** Resolves the caller of a bearer token, or throws 401/429. */
export function callerResolver(options: AuthOptions) {
  return async function resolveCaller(token: string, reply: FastifyReply | undefined): Promise<Caller> {
    if (tokenMatchesHash(token, options.operatorTokenHash)) return OPERATOR;
    if (isGatewayKeyShaped(token)) {
      const key = await options.gatewayKeys.authenticate(token);
      if (!key) throw invalid();
      const decision = options.rateLimiter.hit(key.id, key.rate_limit);
      const now = options.now();
      const headers = rateLimitHeaders(decision, now);
      if (!decision.allowed) throw rateLimited(headers, decision.limit, Math.max(1, Math.ceil((decision.resetAt - now) / 1000)));
      reply?.headers(headers);
      // The operator's own keys (say, one given to n8n) act as the operator, the only admin.
      return { userId: key.user_id, isAdmin: key.user_id === OPERATOR_USER_ID, via: 'gateway_key', gatewayKeyId: key.id };
    }
    if (looksLikeJwt(token)) {
      const claims = await verifyAccessToken(token, options.secretKey, new Date(options.now()));
      if (claims) return { userId: claims.userId, isAdmin: false, via: 'jwt' };
    }
    throw invalid();
  };
}

/** The hook: sets `request.caller`. */
export function authenticate(options: AuthOptions) {
  const resolve = callerResolver(options);
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw missing();
    request.caller = await resolve(token, reply);
  };
}
