/**
 * The daily token limit counted in Redis, so N instances hold one limit: per user and UTC day, the
 * tokens used (seeded from `daily_usage` by the first instance that needs it) and those requests under
 * way hold, checked and held by one Lua script, as the in-process counter does it (a request holds what
 * it may use, at most what remains). The in-process counter still records every request's tokens in
 * `daily_usage`, and stands in while Redis is away.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { utcDay, type ReserveResult, type TokenBudget } from '../accounts/daily-usage.js';
import type { SharedStateFallback } from './fallback.js';
import { sharedStateUnavailable } from './shared-rate-limiter.js';
import type { SharedRedis } from './shared-redis.js';

/**
 * KEYS: used, holds (one per request, scored by when it lapses, as budgets keep theirs). ARGV: the
 * tokens wanted, the limit, the seed for `used`, the counters' lifetime, now, the hold's id, when it lapses.
 */
const RESERVE = `
local used = redis.call('GET', KEYS[1])
if not used then
  used = ARGV[3]
  redis.call('SET', KEYS[1], used, 'PX', ARGV[4])
end
used = tonumber(used)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
local held = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  held = held + tonumber(string.match(member, ':(.*)$'))
end
local limit = tonumber(ARGV[2])
if used + held >= limit then return {0, used, held} end
local grant = math.max(0, math.min(math.ceil(tonumber(ARGV[1])), limit - used - held))
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[6] .. ':' .. grant)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, grant}`;

/** KEYS: used, holds. ARGV: the hold (id:tokens), the tokens used. */
const SETTLE = `
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[2]) end
return 1`;

/** How long a hold counts without being settled: longer than any request may run. */
const HOLD_MS = 15 * 60_000;

type WithTokens = Redis & {
  cerebroTokensReserve(used: string, holds: string, want: number, limit: number, seed: number, ttlMs: number, now: number, holdId: string, lapsesAt: number): Promise<number[]>;
  cerebroTokensSettle(used: string, holds: string, hold: string, usedTokens: number): Promise<number>;
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
    const [used, holds] = this.keys(userId);
    const holdId = randomUUID();
    let out: number[];
    try {
      const seed = await this.options.local.tokensToday(userId);
      const now = this.options.now();
      out = await this.redis.call('tokens_reserve', () => this.client.cerebroTokensReserve(used, holds, want, limit, seed, TTL_MS, now, holdId, now + HOLD_MS));
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
            .call('tokens_settle', () => this.client.cerebroTokensSettle(used, holds, `${holdId}:${grant}`, Math.max(0, Math.round(usedTokens))))
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
    return [`${base}:used`, `${base}:holds`];
  }
}
