/**
 * Requests per minute counted in Redis, so N instances enforce one limit, not N: the same fixed
 * one-minute windows as the in-memory limiter, every limit of a request checked and counted in one
 * Lua script (one round trip, atomic: counted against all or none). When Redis fails, the instance
 * counts alone (LIMITS_ON_REDIS_FAILURE=local) or refuses what it cannot count (deny).
 */
import type { Redis } from 'ioredis';
import { GatewayError } from '../core/errors.js';
import type { RateLimit, RateLimitDecision, RateLimiter } from '../accounts/rate-limiter.js';
import type { SharedStateFallback } from './fallback.js';
import type { SharedRedis } from './shared-redis.js';

const WINDOW_MS = 60_000;

/**
 * KEYS: one window counter per limit; ARGV: each limit, then the counters' lifetime in ms.
 * Returns {1, count…} when counted, {0, index} (1-based) for the first limit already reached.
 */
const HIT_ALL = `
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i]) then return {0, i} end
end
local out = {1}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[#KEYS + 1]) end
  out[i + 1] = count
end
return out`;

type WithHitAll = Redis & { cerebroHitAll(numberOfKeys: number, ...args: Array<string | number>): Promise<number[]> };

export const sharedStateUnavailable = () =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'limits_unavailable',
    headers: { 'retry-after': '2' },
    message: "The gateway's shared limits cannot be counted right now (its Redis is unreachable), so the request was refused. Try again shortly.",
  });

export interface SharedRateLimiterOptions {
  /** Counts alone while Redis is away. */
  local: RateLimiter;
  onFailure: 'local' | 'deny';
  fallback: SharedStateFallback;
  now: () => number;
}

export class SharedRateLimiter implements RateLimiter {
  private readonly client: WithHitAll;

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: SharedRateLimiterOptions,
  ) {
    redis.client.defineCommand('cerebroHitAll', { lua: HIT_ALL });
    this.client = redis.client as WithHitAll;
  }

  hit(bucket: string, limitPerMinute: number): Promise<RateLimitDecision> {
    return this.hitAll([{ bucket, perMinute: limitPerMinute }]);
  }

  async hitAll(limits: readonly RateLimit[]): Promise<RateLimitDecision> {
    const now = this.options.now();
    const start = now - (now % WINDOW_MS);
    const resetAt = start + WINDOW_MS;
    if (limits.length === 0) return { allowed: true, limit: Infinity, remaining: Infinity, resetAt };
    let out: number[];
    try {
      const keys = limits.map((l) => `rl:${l.bucket}:${start}`);
      out = await this.redis.call('rate_limit', () => this.client.cerebroHitAll(keys.length, ...keys, ...limits.map((l) => l.perMinute), WINDOW_MS * 2));
      this.options.fallback.succeeded();
    } catch (err) {
      this.options.fallback.failed(err);
      if (this.options.onFailure === 'deny') throw sharedStateUnavailable();
      return this.options.local.hitAll(limits);
    }
    if (out[0] === 0) {
      const refused = limits[(out[1] ?? 1) - 1]!;
      return { allowed: false, limit: refused.perMinute, remaining: 0, resetAt, bucket: refused.bucket };
    }
    let tightest: RateLimitDecision | undefined;
    limits.forEach(({ bucket, perMinute }, i) => {
      const remaining = Math.max(0, perMinute - (out[i + 1] ?? 0));
      if (!tightest || remaining < tightest.remaining) tightest = { allowed: true, limit: perMinute, remaining, resetAt, bucket };
    });
    return tightest!;
  }
}
