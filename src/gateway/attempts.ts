/** What happened at each target a request tried, as reported to callers and stored in logs. */
import type { UpstreamError } from '../providers/errors.js';
import type { Target } from '../routing/cascade.js';

export type { Attempt, AttemptStatus } from '../core/attempt.js';
import type { Attempt } from '../core/attempt.js';

/** Attempts whose upstream text describes the caller's own request (a request fault), which they need to fix it. */
const DESCRIBE_THE_REQUEST = new WeakSet<Attempt>();

export function failedAttempt(target: Target, error: UpstreamError, latencyMs: number): Attempt {
  const attempt: Attempt = { provider: target.provider, model: target.model, status: 'error', error: `${error.label}: ${error.publicMessage}`, reason: error.reason, latency_ms: latencyMs };
  if (error.isRequestFault) DESCRIBE_THE_REQUEST.add(attempt);
  if (error.status !== undefined) attempt.http_status = error.status;
  return attempt;
}

/** "openrouter/x: 429: rate limited; gemini/y: timeout: …" for error messages. */
export function describeAttempts(attempts: readonly Attempt[]): string {
  return attempts.map((a) => `${a.provider}/${a.model}: ${a.status === 'skipped' ? 'skipped, ' : ''}${a.error ?? a.status}`).join('; ');
}

/**
 * A request fault (400/413/422): the upstream's words describe the caller's own request. Not a 400 the
 * adapter recognised as the provider's own (a retired model id, a key refused as INVALID_ARGUMENT).
 */
const describesRequest = (a: Attempt) => DESCRIBE_THE_REQUEST.has(a);

/**
 * The attempts as a caller may see them: on providers called with the operator's keys
 * (`redacted`), an upstream's words become the gateway's generic reason. The same array comes
 * back when nothing needs hiding.
 */
export function attemptsForCaller(attempts: Attempt[], redacted: (provider: string) => boolean): Attempt[] {
  if (!attempts.some((a) => needsRedaction(a, redacted))) return attempts;
  return attempts.map((a) => (needsRedaction(a, redacted) ? { ...a, error: `${a.error!.slice(0, a.error!.indexOf(': ') + 2)}${a.reason}` } : a));
}

const needsRedaction = (a: Attempt, redacted: (provider: string) => boolean) => a.reason !== undefined && a.error !== undefined && !describesRequest(a) && redacted(a.provider);

/** An error's message with each attempt's text replaced as `attemptsForCaller` replaced it. */
export function messageForCaller(message: string, original: readonly Attempt[], shown: readonly Attempt[]): string {
  let out = message;
  original.forEach((a, i) => {
    const b = shown[i];
    if (a.error !== undefined && b?.error !== undefined && a.error !== b.error) out = out.split(a.error).join(b.error);
  });
  return out;
}
