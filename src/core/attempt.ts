/** What happened at each target a request tried: the shape callers and logs see. */
export type AttemptStatus = 'ok' | 'error' | 'skipped';

export interface Attempt {
  provider: string;
  model: string;
  status: AttemptStatus;
  /** The upstream HTTP status, when there was one. */
  http_status?: number;
  /** What failed, with the upstream's own words (the operator's view; see `forCaller`). */
  error?: string;
  /** What failed in the gateway's words only, quoting nothing from the upstream. */
  reason?: string;
  latency_ms: number;
}
