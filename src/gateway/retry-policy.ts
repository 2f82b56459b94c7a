/**
 * When a target that failed is worth another pass, and how long to wait first: the executor walks
 * the plan's targets; this decides the passes after the first.
 */
import type { CancelSignal } from '../core/cancellation.js';
import type { UpstreamError } from '../providers/errors.js';

/** Passes after the first, each after a pause of baseDelayMs × 2^pass × (0.5–1.5), at most 2 s. */
export interface RetryPolicy {
  passes: number;
  baseDelayMs: number;
  random?: () => number;
}

/**
 * A failure that may well not happen again in a moment: a 5xx, a timeout, a dropped connection.
 * Rate limits (429) wait for their Retry-After instead, and credential or billing errors do not heal.
 */
export function isTransient(err: UpstreamError): boolean {
  // A timeout may leave the upstream generating (and billing) the first answer; a protocol error
  // would repeat. A refused or dropped connection, a 408 or a 5xx is worth another go.
  if (err.kind === 'connection') return true;
  if (err.kind !== 'http') return false;
  const status = err.status ?? 0;
  return status === 408 || (status >= 500 && status !== 501);
}

/** The longest pause between passes: a retry should not eat the request's deadline. */
const MAX_RETRY_PAUSE_MS = 2_000;

function cancellableSleep(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Waits before pass `pass` (0-based among the retries); false when the policy allows no more, or the request ended meanwhile. */
export async function pauseBeforePass(policy: RetryPolicy, pass: number, signal: CancelSignal): Promise<boolean> {
  if (pass >= policy.passes) return false;
  const delay = Math.min(MAX_RETRY_PAUSE_MS, policy.baseDelayMs * 2 ** pass * (0.5 + (policy.random ?? Math.random)()));
  await cancellableSleep(delay, signal);
  return !signal.aborted;
}
