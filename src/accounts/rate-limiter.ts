/**
 * Requests per minute: fixed one-minute windows, in memory. Pure apart from the clock it is given;
 * behind an interface so a shared (Redis) limiter can take its place when several instances must
 * count together.
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window resets, ms since the epoch. */
  resetAt: number;
  /** The bucket this decision is about (the one that refused, or the tightest). */
  bucket?: string;
}

/** One limit a request counts against: a bucket (`key:<id>`, `user:<id>`…) and its requests per minute. */
export interface RateLimit {
  bucket: string;
  perMinute: number;
}

/** In memory the answer is at hand; shared (Redis) it is a promise. */
export interface RateLimiter {
  hit(bucket: string, limitPerMinute: number): RateLimitDecision | Promise<RateLimitDecision>;
  /**
   * Counts one request against every limit at once, or against none: it is allowed only when all
   * allow it. The decision is the limit that refused it, or else the one with the least left.
   */
  hitAll(limits: readonly RateLimit[]): RateLimitDecision | Promise<RateLimitDecision>;
}

const WINDOW_MS = 60_000;

interface Window {
  start: number;
  count: number;
}

export class FixedWindowRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  /** The window the map was last swept in: finished windows are dropped once a minute. */
  private sweptAt = -1;

  constructor(private readonly now: () => number = Date.now) {}

  hit(bucket: string, limit: number): RateLimitDecision {
    return this.hitAll([{ bucket, perMinute: limit }]);
  }

  hitAll(limits: readonly RateLimit[]): RateLimitDecision {
    const now = this.now();
    const start = now - (now % WINDOW_MS);
    if (start !== this.sweptAt) this.sweep(start);
    const resetAt = start + WINDOW_MS;
    let tightest: RateLimitDecision | undefined;
    const windows: Window[] = [];
    for (const { bucket, perMinute } of limits) {
      let w = this.windows.get(bucket);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        this.windows.set(bucket, w);
      }
      windows.push(w);
      if (w.count >= perMinute) return { allowed: false, limit: perMinute, remaining: 0, resetAt, bucket };
      const remaining = perMinute - w.count - 1;
      if (!tightest || remaining < tightest.remaining) tightest = { allowed: true, limit: perMinute, remaining, resetAt, bucket };
    }
    for (const w of windows) w.count++;
    return tightest ?? { allowed: true, limit: Infinity, remaining: Infinity, resetAt };
  }

  /** How many buckets are held (for tests of the sweep). */
  get size(): number {
    return this.windows.size;
  }

  /** Forgets finished windows, so idle keys and addresses do not pile up. */
  private sweep(currentStart: number): void {
    this.sweptAt = currentStart;
    for (const [bucket, w] of this.windows) if (w.start !== currentStart) this.windows.delete(bucket);
  }
}

/** The headers every rate-limited response carries, as OpenAI-style clients read them. */
export function rateLimitHeaders(d: RateLimitDecision, now: number): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((d.resetAt - now) / 1000));
  return { 'x-ratelimit-limit': String(d.limit), 'x-ratelimit-remaining': String(d.remaining), 'x-ratelimit-reset': String(resetSeconds) };
}
