/** What happened at each target a request tried, as reported to callers and stored in logs. */
import type { UpstreamError } from '../providers/errors.js';
import type { Target } from '../routing/cascade.js';

export type AttemptStatus = 'ok' | 'error' | 'skipped';

export interface Attempt {
  provider: string;
  model: string;
  status: AttemptStatus;
  /** The upstream HTTP status, when there was one. */
  http_status?: number;
  error?: string;
  latency_ms: number;
}

export function failedAttempt(target: Target, error: UpstreamError, latencyMs: number): Attempt {
  const attempt: Attempt = { provider: target.provider, model: target.model, status: 'error', error: `${error.label}: ${error.publicMessage}`, latency_ms: latencyMs };
  if (error.status !== undefined) attempt.http_status = error.status;
  return attempt;
}

/** "openrouter/x: 429: rate limited; gemini/y: timeout: …" for error messages. */
export function describeAttempts(attempts: readonly Attempt[]): string {
  return attempts.map((a) => `${a.provider}/${a.model}: ${a.status === 'skipped' ? 'skipped' : ''}${a.error ?? a.status}`).join('; ');
}
