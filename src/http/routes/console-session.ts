/**
 * The web console's sign-in: the session lives in an httpOnly, SameSite=Strict cookie, and every
 * request made with it carries the CSRF token this route gives (see security/console-session.ts).
 *   GET    /api/console/session   whether a session is open (and its CSRF token), whether sign-up is open
 *   POST   /api/console/session   sign in with e-mail and password, or with the operator token
 *   POST   /api/console/signup    create an account and sign in (when ALLOW_SIGNUP allows it)
 *   POST   /api/console/password  change the password; the session goes on with a fresh token, in the cookie
 *   DELETE /api/console/session   sign out (the session's token is revoked)
 * No account token ever appears in these answers: page scripts only ever hold the CSRF token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { z } from 'zod';
import { normaliseEmail, type AccountService } from '../../accounts/accounts.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../security/access-token.js';
import { consoleCookieName, CSRF_HEADER, signOperatorSession } from '../../security/console-session.js';
import { tokenMatchesHash } from '../../security/operator-token.js';
import { clientNetwork } from '../../security/address-policy.js';
import { GatewayError } from '../../core/errors.js';
import { OPERATOR_USER_ID } from '../../gateway/caller.js';
import { consoleSessions, type AuthOptions, type ConsoleSession } from '../auth.js';
import { passwordBody, signupBody, throttled, throttledPasswordCheck, type AuthThrottle } from './account.js';
import { validate } from '../validate.js';

export const consoleSignInBody = z.union([z.object({ email: z.string().max(320), password: z.string().max(1024) }).strict(), z.object({ operator_token: z.string().min(1).max(1024) }).strict()]);

const invalidOperatorToken = () =>
  new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_credentials', message: 'That is not the operator token (CEREBRO_API_TOKEN) of this gateway.' });

const operatorHasNoPassword = () =>
  new GatewayError({ status: 400, type: 'invalid_request_error', code: 'not_an_account', message: 'The operator signs in with CEREBRO_API_TOKEN, which is changed in the environment.' });

/** Ends of a session that mean "signed out", not a fault: the page shows the sign-in form. */
const ENDED = new Set(['session_expired', 'account_disabled', 'invalid_api_key']);
const ended = (err: unknown) => err instanceof GatewayError && ENDED.has(err.code ?? '');

export interface ConsoleSessionDeps {
  accounts: AccountService;
  auth: AuthOptions;
  throttle: AuthThrottle;
}

export function consoleSessionRoutes(root: FastifyInstance, deps: ConsoleSessionDeps): void {
  // A plugin of their own, so their hook runs for these routes only.
  void root.register(async (app) => routes(app, deps));
}

function routes(app: FastifyInstance, deps: ConsoleSessionDeps): void {
  const { accounts, auth, throttle } = deps;
  const sessions = consoleSessions(auth);
  const cookieName = (request: FastifyRequest) => consoleCookieName(request.protocol === 'https');

  const setCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(cookieName(request), token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      // Behind a TLS-terminating proxy this needs TRUST_PROXY, so the request is seen as https.
      secure: request.protocol === 'https',
      maxAge: ACCESS_TOKEN_TTL_SECONDS,
    });
  const clearCookie = (request: FastifyRequest, reply: FastifyReply) => reply.clearCookie(cookieName(request), { path: '/', secure: request.protocol === 'https' });
  const closed = () => ({ signed_in: false, allow_signup: accounts.signupAllowed });

  const view = async (session: ConsoleSession) => {
    const operator = session.caller.userId === OPERATOR_USER_ID;
    return {
      signed_in: true,
      user: operator ? { id: OPERATOR_USER_ID, email: null, plan: null } : await accounts.me(session.caller.userId),
      is_operator: operator,
      csrf_token: session.csrfToken,
      allow_signup: accounts.signupAllowed,
    };
  };

  /**
   * Opens a session on a token just issued: the session the browser held before (another account's,
   * say) is signed out, the cookie set, and the answer is what GET would say.
   */
  const open = async (request: FastifyRequest, reply: FastifyReply, token: string) => {
    const previous = request.cookies[cookieName(request)];
    if (previous !== undefined) {
      await sessions
        .identify(previous)
        .then(({ caller }) => accounts.logout({ userId: caller.userId, ...caller.token }))
        .catch((err: unknown) => {
          if (!ended(err)) throw err;
        });
    }
    setCookie(request, reply, token);
    return view(await sessions.identify(token));
  };

  // What a page reads here (its CSRF token) must never come from a cache.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });

  // The one request a console session makes without its CSRF token: it is how the page gets it.
  app.get('/api/console/session', async (request, reply) => {
    const cookie = request.cookies[cookieName(request)];
    if (cookie === undefined) return closed();
    try {
      return await view(await sessions.identify(cookie));
    } catch (err) {
      if (!ended(err)) throw err;
      clearCookie(request, reply);
      return closed();
    }
  });

  app.post('/api/console/session', async (request, reply) => {
    await throttled(throttle.limiter, `auth-ip:${clientNetwork(request.ip)}`, throttle.perAddress, throttle.now());
    const body = validate(consoleSignInBody, request.body);
    const address = clientNetwork(request.ip);
    if ('operator_token' in body) {
      // Wrong guesses back off per address, like passwords.
      const token = await throttledPasswordCheck(throttle.logins, 'operator-console', address, async () => {
        if (!tokenMatchesHash(body.operator_token, auth.operatorTokenHash)) throw invalidOperatorToken();
        // Signed at the operator account's current version: a burst of sign-outs may have raised it.
        const version = (await auth.accountStates.get(OPERATOR_USER_ID))?.tokenVersion ?? 0;
        return signOperatorSession(auth.secretKey, auth.operatorTokenHash, Math.floor(auth.now() / 1000), version);
      });
      return open(request, reply, token);
    }
    const session = await throttledPasswordCheck(throttle.logins, normaliseEmail(body.email), address, () => accounts.login(body));
    return open(request, reply, session.token);
  });

  app.post('/api/console/signup', async (request, reply) => {
    await throttled(throttle.limiter, `auth-ip:${clientNetwork(request.ip)}`, throttle.perAddress, throttle.now());
    const body = validate(signupBody, request.body);
    const session = await accounts.signup(body);
    const answer = await open(request, reply, session.token);
    return reply.code(201).send(answer);
  });

  // Every earlier token of the account stops working; this session goes on with the fresh one.
  app.post('/api/console/password', async (request, reply) => {
    const cookie = request.cookies[cookieName(request)];
    if (cookie === undefined) throw new GatewayError({ status: 401, type: 'invalid_request_error', code: 'session_expired', message: 'Your console session has ended; sign in again.' });
    const { caller } = await sessions.resolve(cookie, request.headers[CSRF_HEADER]);
    if (caller.userId === OPERATOR_USER_ID) throw operatorHasNoPassword();
    const body = validate(passwordBody, request.body);
    const session = await throttledPasswordCheck(throttle.logins, `user:${caller.userId}`, clientNetwork(request.ip), () =>
      accounts.changePassword(caller.userId, body.current_password, body.new_password, body.revoke_gateway_keys),
    );
    setCookie(request, reply, session.token);
    return view(await sessions.identify(session.token));
  });

  // With the session's CSRF token, like every other console request: another site cannot sign you out.
  app.delete('/api/console/session', async (request, reply) => {
    const cookie = request.cookies[cookieName(request)];
    if (cookie !== undefined) {
      try {
        const { caller } = await sessions.resolve(cookie, request.headers[CSRF_HEADER]);
        await accounts.logout({ userId: caller.userId, ...caller.token });
      } catch (err) {
        if (!ended(err)) throw err;
      }
      clearCookie(request, reply);
    }
    return reply.code(204).send();
  });
}
