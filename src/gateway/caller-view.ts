/**
 * What a caller may see of a failure. Upstream error texts from calls made with the operator's keys
 * (a 402 or 429 body can name the operator's balance or organisation) become the gateway's generic
 * reasons for anyone but the operator, who reads them whole in the logs and provider health.
 */
import { UpstreamError } from '../providers/errors.js';
import type { ProviderId } from '../providers/types.js';
import { attemptsForCaller, messageForCaller } from './attempts.js';
import { isOperatorAccount, type Caller } from './caller.js';
import type { CallerContext } from './caller-context.js';
import { GatewayError } from '../core/errors.js';

/** Which providers' upstream texts this caller may not read: those it reached with the operator's keys. */
export function hidden(input: { caller: Caller }, ctx: Pick<CallerContext, 'sharedProviders'> | undefined): (provider: string) => boolean {
  if (!ctx || ctx.sharedProviders.size === 0 || isOperatorAccount(input.caller)) return NOTHING_HIDDEN;
  return (provider) => ctx.sharedProviders.has(provider as ProviderId);
}

const NOTHING_HIDDEN = () => false;

/** An error as the caller may see it: upstream texts of hidden providers replaced by generic reasons. */
export function forCaller(err: unknown, redact: (provider: string) => boolean): unknown {
  if (redact === NOTHING_HIDDEN) return err;
  if (err instanceof UpstreamError) {
    if (!redact(err.provider) || err.isRequestFault) return err;
    return new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_failed_mid_stream', message: `${err.provider} failed mid-answer: ${err.label}: ${err.reason}` });
  }
  if (!(err instanceof GatewayError) || err.attempts === undefined) return err;
  const shown = attemptsForCaller(err.attempts, redact);
  if (shown === err.attempts) return err;
  return new GatewayError({ status: err.status, type: err.type, code: err.code, param: err.param, headers: err.headers, attempts: shown, message: messageForCaller(err.message, err.attempts, shown) });
}

/**
 * A user's request that no provider key could serve: what they can do about it (their own key, or
 * the operator sharing the gateway's), not what only the operator could (set an environment variable).
 */
export function explainedForUser(err: unknown, caller: Caller): unknown {
  if (!(err instanceof GatewayError) || err.code !== 'no_provider_available' || isOperatorAccount(caller)) return err;
  const providers = [...new Set((err.attempts ?? []).map((a) => a.provider))].join(', ');
  return new GatewayError({
    status: err.status,
    type: err.type,
    code: err.code,
    headers: err.headers,
    ...(err.attempts ? { attempts: err.attempts } : {}),
    message: `No provider key is available to your account for this request. Store a key of your own for one of: ${providers} (POST /api/keys/providers), or ask the operator to let users share the gateway's keys (USERS_MAY_USE_OPERATOR_KEYS).`,
  });
}
