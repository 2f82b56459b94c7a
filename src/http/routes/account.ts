/** POST /api/auth/signup, POST /api/auth/login (public) and GET /api/auth/me. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { normaliseEmail, type AccountService } from '../../accounts/accounts.js';
import { rateLimitHeaders, type RateLimiter } from '../../accounts/rate-limiter.js';
import { GatewayError } from '../../core/errors.js';
import { PasswordWorkBusyError } from '../../security/passwords.js';
import { validate } from '../validate.js';
import type { LoginThrottle } from '../../accounts/login-throttle.js';
import { clientNetwork } from '../../security/address-policy.js';
import type { Caller } from '../../gateway/caller.js';

export const signupBody = z.object({
  email: z.string().max(320),
  password: z.string().max(1024),
  name: z.string().max(200).optional(),
});
export const loginBody = z.object({ email: z.string().max(320), password: z.string().max(1024) });

export async function throttled(limiter: RateLimiter, bucket: string, perMinute: number, now: number): Promise<void> {
  const d = await limiter.hit(bucket, perMinute);
  if (d.allowed) return;
  throw new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'too_many_attempts',
    message: 'Too many sign-in attempts; wait a minute and try again.',
    headers: { ...rateLimitHeaders(d, now), 'retry-after': String(Math.max(1, Math.ceil((d.resetAt - now) / 1000))) },
  });
}

/** Password hashing at capacity: try again shortly (never a 500). */
async function withPasswordWork<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PasswordWorkBusyError) {
      throw new GatewayError({ status: 503, type: 'service_unavailable', code: 'busy', message: 'Too many sign-ins at once; try again in a moment.', headers: { 'retry-after': '1' } });
    }
    throw err;
  }
}

export interface AuthThrottle {
  limiter: RateLimiter;
  /** Sign-up and log-in attempts per minute per client address. */
  perAddress: number;
  /** Failed log-ins per (e-mail, address), with a growing back-off. */
  logins: LoginThrottle;
  now: () => number;
}

function backingOff(waitMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'too_many_attempts',
    message: `Too many failed sign-ins for this e-mail from your address; wait ${seconds} s and try again.`,
    headers: { 'retry-after': String(seconds) },
  });
}

export function publicAccountRoutes(app: FastifyInstance, accounts: AccountService, throttle: AuthThrottle): void {
  const { limiter, perAddress, logins, now } = throttle;
  app.post('/api/auth/signup', async (request, reply) => {
    await throttled(limiter, `auth-ip:${clientNetwork(request.ip)}`, perAddress, now());
    const body = validate(signupBody, request.body);
    return reply.code(201).send(await withPasswordWork(() => accounts.signup(body)));
  });
  app.post('/api/auth/login', async (request) => {
    await throttled(limiter, `auth-ip:${clientNetwork(request.ip)}`, perAddress, now());
    const body = validate(loginBody, request.body);
    // Failures slow down this e-mail from this address only: nobody can lock the owner out.
    return throttledPasswordCheck(logins, normaliseEmail(body.email), clientNetwork(request.ip), () => accounts.login(body));
  });
}

/**
 * Work that checks a password, counted by the login throttle under (who, address): a wrong one
 * slows down the next try from that address, a right one clears it.
 */
export async function throttledPasswordCheck<T>(logins: LoginThrottle, who: string, address: string, work: () => Promise<T>): Promise<T> {
  const wait = logins.attempt(who, address);
  if (wait > 0) throw backingOff(wait);
  try {
    const result = await withPasswordWork(work);
    logins.succeeded(who, address);
    return result;
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'busy') logins.withdrawn(who, address);
    // The password was right; only the new one was refused.
    if (err instanceof GatewayError && err.code === 'weak_password') logins.succeeded(who, address);
    throw err;
  }
}

export const passwordBody = z.object({
  current_password: z.string().max(1024),
  new_password: z.string().max(1024),
  /** Also revoke every gateway key of the account (when a leaked token may have minted some). */
  revoke_gateway_keys: z.boolean().default(false),
});
export const deleteAccountBody = z.object({ password: z.string().max(1024) });

/** Signing out, changing the password and deleting the account are for account tokens only. */
function accountToken(caller: Caller): NonNullable<Caller['token']> {
  if (caller.via === 'jwt' && caller.token) return caller.token;
  throw new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'not_an_account_token',
    message:
      'Call this with your account token (from POST /api/auth/login); the web console signs out and changes passwords through /api/console/*, the operator token is changed with CEREBRO_API_TOKEN, and gateway keys are revoked with DELETE /api/keys/gateway/{id}.',
  });
}

export function accountRoutes(app: FastifyInstance, accounts: AccountService, logins: LoginThrottle): void {
  app.post('/api/auth/logout', async (request, reply) => {
    const token = accountToken(request.caller);
    await accounts.logout({ userId: request.caller.userId, ...token });
    return reply.code(204).send();
  });

  app.post('/api/auth/password', async (request) => {
    accountToken(request.caller);
    const body = validate(passwordBody, request.body);
    const { userId } = request.caller;
    return throttledPasswordCheck(logins, `user:${userId}`, clientNetwork(request.ip), () => accounts.changePassword(userId, body.current_password, body.new_password, body.revoke_gateway_keys));
  });

  app.delete('/api/auth/me', async (request, reply) => {
    accountToken(request.caller);
    const body = validate(deleteAccountBody, request.body ?? {});
    const { userId } = request.caller;
    await throttledPasswordCheck(logins, `user:${userId}`, clientNetwork(request.ip), () => accounts.deleteAccount(userId, body.password));
    return reply.code(204).send();
  });

  app.get('/api/auth/me', async (request) => {
    const { caller } = request;
    // What this credential may do: a key of the operator's is an admin only with the `admin` scope.
    const me = { ...(await accounts.me(caller.userId)), is_admin: caller.isAdmin, authenticated_with: caller.via };
    return caller.scopes ? { ...me, scopes: caller.scopes } : me;
  });
}
