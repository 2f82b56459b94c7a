/**
 * Who is calling. One `onRequest` hook, before the body is read, accepts:
 * - the operator token (CEREBRO_API_TOKEN): the admin, checked first and in constant time;
 * - a gateway key (`gw_…`): its user, within the key's requests-per-minute limit;
 * - an account's JWT (from /api/auth/login): its user;
 * - with none of those, the web console's session cookie, with its CSRF header (security/console-session.ts).
 */
import type { BudgetPeriod } from '../accounts/budgets.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayKeyService } from '../accounts/gateway-keys.js';
import { rateLimitHeaders, type RateLimit, type RateLimitDecision, type RateLimiter } from '../accounts/rate-limiter.js';
import { OPERATOR, OPERATOR_USER_ID, type Caller } from '../gateway/caller.js';
import { GatewayError } from '../core/errors.js';
import { looksLikeJwt, verifyAccessToken, type AccessTokenClaims } from '../security/access-token.js';
import { accountDisabled } from '../accounts/accounts.js';
import type { AccountStates } from '../accounts/account-states.js';
import { isGatewayKeyShaped } from '../security/gateway-key.js';
import { bearerToken, tokenMatchesHash } from '../security/operator-token.js';
import { parseScopes, type Scope } from '../accounts/scopes.js';
import { consoleCookieName, CSRF_HEADER, csrfTokenFor, csrfTokenMatches, verifyOperatorSession } from '../security/console-session.js';
// Its type augmentation: `request.cookies`.
import type {} from '@fastify/cookie';

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
  /** Requests per minute of a user calling with their account token (keys carry their own). */
  accountRateLimit: number;
  /** Requests per minute of a user across all their keys and account tokens (USER_RATE_LIMIT). */
  userRateLimit: number;
  /** Whether an account exists, is enabled, and which of its tokens are still good (cached). */
  accountStates: AccountStates;
  now: () => number;
}

/** GET routes that read the caller's own account: the `read` scope. */
const READ_ROUTES = new Set(['/api/auth/me', '/api/config', '/api/models', '/api/logs', '/api/logs/:id', '/api/sessions']);

/**
 * The scope a gateway key needs for a route, or undefined when no key may call it: managing keys,
 * provider keys, settings and the account itself takes the account's token (see accounts/scopes.ts).
 */
function scopeNeeded(method: string, route: string | undefined): Scope | undefined {
  if (route === undefined || route.startsWith('/v1/')) return 'chat';
  // `admin` gives the operator's views; changing accounts takes the operator token itself.
  if (route.startsWith('/api/admin/') || route === '/api/health/providers' || route === '/api/cache') return method === 'GET' || method === 'HEAD' ? 'admin' : undefined;
  if (method === 'GET' && (READ_ROUTES.has(route) || route.startsWith('/api/analytics/'))) return 'read';
  return undefined;
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

function rateLimited(headers: Record<string, string>, limit: number, bucket: string | undefined, retryAfter: number): GatewayError {
  const which = bucket?.startsWith('user:') ? 'your account (all its keys and tokens together)' : bucket?.startsWith('key:') ? 'this gateway key' : 'this account token';
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: `Rate limit reached for ${which}: ${limit} requests per minute. Try again in ${retryAfter} s.`,
    headers: { ...headers, 'retry-after': String(retryAfter) },
  });
}

const keyNotAllowed = () =>
  new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'gateway_key_not_allowed',
    message: 'Gateway keys call /v1 and read their own account; manage keys, settings and the account with your account token (POST /api/auth/login).',
  });

const missingScope = (needed: Scope, held: readonly string[], operatorKey: boolean) =>
  new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'missing_scope',
    message:
      needed === 'admin' && !operatorKey
        ? "Only the operator can call this: the 'admin' scope exists only on the operator's own keys."
        : `This gateway key lacks the '${needed}' scope (it has: ${held.join(', ') || 'none'}). Scopes are chosen when a key is created.`,
  });

/** Whether a gateway key may call the route, by its scopes; throws 403 saying why not. */
function checkScope(caller: Caller, method: string, route: string | undefined): void {
  const needed = scopeNeeded(method, route);
  if (needed === undefined) throw keyNotAllowed();
  const held = caller.scopes ?? [];
  if (!held.includes(needed)) throw missingScope(needed, held, caller.userId === OPERATOR_USER_ID);
}

/**
 * Counts a request against its per-minute limits (the key's or token's, and the user's across all
 * of them); the headers, of whichever is tighter, go on every answer, streams included.
 */
function limit(options: AuthOptions, reply: FastifyReply, limits: readonly RateLimit[]): void | Promise<void> {
  const decision = options.rateLimiter.hitAll(limits);
  // Counted in memory the answer is at hand (no await on the hot path); shared in Redis it is awaited.
  return decision instanceof Promise ? decision.then((d) => applyLimit(options, reply, d)) : applyLimit(options, reply, decision);
}

function applyLimit(options: AuthOptions, reply: FastifyReply, decision: RateLimitDecision): void {
  const now = options.now();
  const headers = rateLimitHeaders(decision, now);
  if (!decision.allowed) throw rateLimited(headers, decision.limit, decision.bucket, Math.max(1, Math.ceil((decision.resetAt - now) / 1000)));
  // On the raw response: a hijacked (streamed) reply never sends Fastify's own header list.
  for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
}

/** The operator's resolution, shared: the hot path allocates nothing for it. */
const OPERATOR_RESOLVED = Object.freeze({ caller: OPERATOR });

const tokenRevoked = () =>
  new GatewayError({
    status: 401,
    type: 'invalid_request_error',
    code: 'token_revoked',
    message: 'This account token was signed out or its password changed since; log in again (POST /api/auth/login).',
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

const accountsUnavailable = () =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'database_unavailable',
    message: 'The gateway cannot check accounts right now; try again shortly.',
    headers: { 'retry-after': '1' },
  });

/**
 * The account behind a key or token must still exist and be enabled; an account token must also be
 * of the current version and not signed out. Cached (see AccountStates): no query per request.
 */
async function checkAccount(options: AuthOptions, userId: string, claims: AccessTokenClaims | undefined): Promise<void> {
  let state;
  try {
    state = await options.accountStates.get(userId);
  } catch {
    throw accountsUnavailable();
  }
  if (state === null) throw invalid();
  if (state.disabled) throw accountDisabled();
  // Older than the account's version: issued before a password change. A newer one is a fresh token this
  // instance's cache has not caught up with.
  if (claims && (claims.version < state.tokenVersion || (claims.jti !== undefined && state.revoked.has(claims.jti)))) throw tokenRevoked();
}

/** Resolves the caller of a bearer token, or throws 401. */
export function callerResolver(options: AuthOptions) {
  // The operator's own keys are limited per key only; every other user also by USER_RATE_LIMIT.
  const perUser = (userId: string): RateLimit[] => (userId === OPERATOR_USER_ID ? [] : [{ bucket: `user:${userId}`, perMinute: options.userRateLimit }]);
  // Keys always count against the user's ceiling; the account token's management calls do not, so a
  // leaked key spending it cannot stop its owner from revoking it (the token's own limit still bounds them).
  return async function resolveCaller(token: string): Promise<{ caller: Caller; rateLimits?: RateLimit[] }> {
    if (tokenMatchesHash(token, options.operatorTokenHash)) return OPERATOR_RESOLVED;
    if (isGatewayKeyShaped(token)) {
      const key = await options.gatewayKeys.authenticate(token).catch(() => {
        throw accountsUnavailable();
      });
      if (!key) throw invalid();
      // The operator's own keys (say, one given to n8n) route with the operator's providers.
      if (key.user_id !== OPERATOR_USER_ID) await checkAccount(options, key.user_id, undefined);
      const scopes = parseScopes(key.scopes);
      const caller: Caller = { userId: key.user_id, isAdmin: key.user_id === OPERATOR_USER_ID && scopes.includes('admin'), via: 'gateway_key', gatewayKeyId: key.id, scopes };
      if (key.max_budget_usd !== null) caller.keyBudget = { scope: `key:${key.id}`, limitUsd: Number(key.max_budget_usd), period: (key.budget_period as BudgetPeriod | null) ?? null };
      return { caller, rateLimits: [{ bucket: `key:${key.id}`, perMinute: key.rate_limit }, ...perUser(key.user_id)] };
    }
    if (looksLikeJwt(token)) {
      const claims = await verifyAccessToken(token, options.secretKey, new Date(options.now()));
      // The operator has no account token: a JWT naming it is forged (say, from a leaked database).
      if (claims && claims.userId !== OPERATOR_USER_ID) {
        await checkAccount(options, claims.userId, claims);
        const caller: Caller = { userId: claims.userId, isAdmin: false, via: 'jwt', token: { jti: claims.jti, expiresAt: claims.expiresAt } };
        return { caller, rateLimits: [{ bucket: `jwt:${claims.userId}`, perMinute: options.accountRateLimit }, ...perUser(claims.userId)] };
      }
    }
    throw invalid();
  };
}

const consoleSessionEnded = () => new GatewayError({ status: 401, type: 'invalid_request_error', code: 'session_expired', message: 'Your console session has ended; sign in again.' });

const csrfRefused = () =>
  new GatewayError({ status: 403, type: 'permission_error', code: 'csrf_failed', message: `A console session's request must carry its ${CSRF_HEADER} header (GET /api/console/session gives it).` });

/** A console session cookie's caller, and the CSRF token its requests must carry. */
export interface ConsoleSession {
  caller: Caller & { token: { jti: string; expiresAt: number } };
  csrfToken: string;
  rateLimits?: RateLimit[];
}

/**
 * Console session cookies: a user's account token or an operator session. `identify` reads one (the
 * page asks for its CSRF token so); `resolve` also requires the CSRF token, as every request made with it must.
 */
export function consoleSessions(options: AuthOptions) {
  const perUser = (userId: string): RateLimit[] => [
    { bucket: `jwt:${userId}`, perMinute: options.accountRateLimit },
    { bucket: `user:${userId}`, perMinute: options.userRateLimit },
  ];
  async function identify(cookie: string): Promise<ConsoleSession> {
    if (!looksLikeJwt(cookie)) throw consoleSessionEnded();
    const now = new Date(options.now());
    const user = await verifyAccessToken(cookie, options.secretKey, now);
    const claims = user && user.userId !== OPERATOR_USER_ID ? user : await verifyOperatorSession(cookie, options.secretKey, options.operatorTokenHash, now);
    if (!claims || claims.jti === undefined) throw consoleSessionEnded();
    await checkAccount(options, claims.userId, claims).catch((err: unknown) => {
      throw err instanceof GatewayError && (err.code === 'token_revoked' || err.code === 'invalid_api_key') ? consoleSessionEnded() : err;
    });
    const token = { jti: claims.jti, expiresAt: claims.expiresAt };
    const csrfToken = csrfTokenFor(options.secretKey, claims.jti);
    if (claims.userId === OPERATOR_USER_ID) return { caller: { userId: OPERATOR_USER_ID, isAdmin: true, via: 'console', token }, csrfToken };
    return { caller: { userId: claims.userId, isAdmin: false, via: 'console', token }, csrfToken, rateLimits: perUser(claims.userId) };
  }
  async function resolve(cookie: string, csrf: unknown): Promise<ConsoleSession> {
    const session = await identify(cookie);
    // Checked after the session: a stale page's token for an ended session still reads "sign in again".
    if (!csrfTokenMatches(options.secretKey, session.caller.token.jti, csrf)) throw csrfRefused();
    return session;
  }
  return { identify, resolve };
}

/** The hook: sets `request.caller`, enforces what gateway keys may call and the per-minute limits. */
export function authenticate(options: AuthOptions) {
  const resolve = callerResolver(options);
  const sessions = consoleSessions(options);
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Anthropic-format clients (the /v1/messages entrance) send their key as `x-api-key`.
    const apiKey = request.headers['x-api-key'];
    const token = bearerToken(request.headers.authorization) ?? (typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined);
    let resolved;
    if (token !== undefined) resolved = await resolve(token);
    else {
      const session = request.cookies?.[consoleCookieName(request.protocol === 'https')];
      if (session === undefined) throw missing();
      resolved = await sessions.resolve(session, request.headers[CSRF_HEADER]);
    }
    const { caller, rateLimits } = resolved;
    if (caller.via === 'gateway_key') checkScope(caller, request.method, request.routeOptions.url);
    const accountSession = caller.via === 'jwt' || caller.via === 'console';
    if (rateLimits) {
      const counting = limit(options, reply, accountSession && !request.routeOptions.url?.startsWith('/v1/') ? rateLimits.filter((l) => !l.bucket.startsWith('user:')) : rateLimits);
      if (counting) await counting;
    }
    request.caller = caller;
  };
}
