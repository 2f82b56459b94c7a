/**
 * Requests per minute per gateway key: a fixed one-minute window, in memory. Pure apart from the
 * clock it is given; behind an interface so a shared (Redis) limiter can take its place when
 * several instances must count together.
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window resets, ms since the epoch. */
  resetAt: number;
}

export interface RateLimiter {
  hit(key: string, limitPerMinute: number): RateLimitDecision;
}

const WINDOW_MS = 60_000;

export class FixedWindowRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, limit: number): RateLimitDecision {
    const now = this.now();
    const start = now - (now % WINDOW_MS);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size > 10_000) this.sweep(start);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    const allowed = w.count < limit;
    if (allowed) w.count++;
    return { allowed, limit, remaining: Math.max(0, limit - w.count), resetAt: start + WINDOW_MS };
  }

  /** Forgets finished windows, so idle keys do not pile up. */
  private sweep(currentStart: number): void {
    for (const [key, w] of this.windows) if (w.start !== currentStart) this.windows.delete(key);
  }
}

/** The headers every gateway-key response carries, as OpenAI-style clients read them. */
export function rateLimitHeaders(d: RateLimitDecision, now: number): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((d.resetAt - now) / 1000));
  return { 'x-ratelimit-limit': String(d.limit), 'x-ratelimit-remaining': String(d.remaining), 'x-ratelimit-reset': String(resetSeconds) };
}
