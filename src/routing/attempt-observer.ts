/** What the executor reports about each upstream call: provider health (health.ts) implements it. */
import type { UpstreamError } from '../providers/errors.js';
import type { ProviderId } from '../providers/types.js';

export interface AttemptObserver {
  /** Whether a target is worth another try now (a retry pass skips the others). */
  available?(provider: ProviderId, model: string): boolean;
  /** A call to this target is about to go out. */
  beforeCall(provider: ProviderId, model: string): void;
  /** `headers`: the upstream's response headers (rate-limit counters ride on them). */
  recordSuccess(provider: ProviderId, model: string, latencyMs: number, headers?: Record<string, string | string[] | undefined>): void;
  recordFailure(provider: ProviderId, model: string, err: UpstreamError): void;
}
