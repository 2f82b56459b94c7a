/**
 * The daily token limit counted in Redis, so N instances hold one limit: per user and UTC day, the
 * tokens used (seeded from `daily_usage` by the first instance that needs it) and those requests under
 * way hold, checked and held by one Lua script, as the in-process counter does it (a request holds what
 * it may use, at most what remains). The in-process counter still records every request's tokens in
 * `daily_usage`, and stands in while Redis is away.
 */
import type { Redis } from 'ioredis';
import { utcDay, type ReserveResult, type TokenBudget } from '../accounts/daily-usage.js';
import type { SharedStateFallback } from './fallback.js';
import { sharedStateUnavailable } from './shared-rate-limiter.js';
import type { SharedRedis } from './shared-redis.js';

/** KEYS: used, held. ARGV: the tokens wanted, the limit, the seed for `used`, the counters' lifetime. */
const RESERVE = `
local used = redis.call('GET', KEYS[1])
if not used then
  used = ARGV[3]
  redis.call('SET', KEYS[1], used, 'PX', ARGV[4])
end
used = tonumber(used)
local held = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit = tonumber(ARGV[2])
if used + held >= limit then return {0, used, held} end
local grant = math.max(0, math.min(math.ceil(tonumber(ARGV[1])), limit - used - held))
redis.call('INCRBY', KEYS[2], grant)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, grant}`;

/** KEYS: used, held. ARGV: what was held, what was used. */
const SETTLE = `
redis.call('DECRBY', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[2]) end
return 1`;

type WithTokens = Redis & {
  cerebroTokensReserve(used: string, held: string, want: number, limit: number, seed: number, ttlMs: number): Promise<number[]>;
  cerebroTokensSettle(used: string, held: string, grant: number, usedTokens: number): Promise<number>;
};

/** A day's counters outlive it by a day. */
const TTL_MS = 2 * 86_400_000;

export interface SharedTokenBudgetOptions {
  /** Records every request's tokens in `daily_usage`, and counts alone while Redis is away. */
  local: TokenBudget;
  onFailure: 'local' | 'deny';
  fallback: SharedStateFallback;
  now: () => number;
}

export class SharedTokenBudget implements TokenBudget {
  private readonly client: WithTokens;

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: SharedTokenBudgetOptions,
  ) {
    redis.client.defineCommand('cerebroTokensReserve', { numberOfKeys: 2, lua: RESERVE });
    redis.client.defineCommand('cerebroTokensSettle', { numberOfKeys: 2, lua: SETTLE });
    this.client = redis.client as WithTokens;
  }

  async reserve(userId: string, limit: number | null, want: number): Promise<ReserveResult> {
    // Without a limit nothing is held: the request is only counted, here and in daily_usage.
    if (limit === null) return this.options.local.reserve(userId, null, want);
    const [used, held] = this.keys(userId);
    let out: number[];
    try {
      const seed = await this.options.local.tokensToday(userId);
      out = await this.redis.call('tokens_reserve', () => this.client.cerebroTokensReserve(used, held, want, limit, seed, TTL_MS));
      this.options.fallback.succeeded();
    } catch (err) {
      this.options.fallback.failed(err);
      if (this.options.onFailure === 'deny') throw sharedStateUnavailable();
      return this.options.local.reserve(userId, limit, want);
    }
    if (Number(out[0]) === 0) return { granted: false, used: Number(out[1]), reserved: Number(out[2]) };
    const grant = Number(out[1]);
    const counted = await this.options.local.reserve(userId, null, 0);
    let settled = false;
    return {
      granted: true,
      reservation: {
        held: grant,
        settle: (usedTokens) => {
          if (settled) return;
          settled = true;
          if (counted.granted) counted.reservation.settle(usedTokens);
          void this.redis
            .call('tokens_settle', () => this.client.cerebroTokensSettle(used, held, grant, Math.max(0, Math.round(usedTokens))))
            .catch((err: unknown) => this.options.fallback.failed(err));
        },
      },
    };
  }

  async tokensToday(userId: string): Promise<number> {
    try {
      const value = await this.redis.call('tokens_read', (c) => c.get(this.keys(userId)[0]));
      if (value !== null) return Number(value);
    } catch {
      // What this instance and the database know stands in.
    }
    return this.options.local.tokensToday(userId);
  }

  flush(): Promise<void> {
    return this.options.local.flush();
  }

  private keys(userId: string): [string, string] {
    const base = `tokens:${userId}:${utcDay(this.options.now())}`;
    return [`${base}:used`, `${base}:held`];
  }
}
