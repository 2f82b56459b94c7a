/**
 * Budget spend counted in Redis, so N instances hold one budget: per budget and window, what was
 * spent (seeded from the logs by the first instance that needs it) and what requests under way hold,
 * checked and held for every budget of a request by one Lua script. When Redis fails, the instance
 * counts alone (LIMITS_ON_REDIS_FAILURE=local) or refuses what it cannot count (deny).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { budgetExceeded, budgetWindow, RecentBudgets, type Budget, type BudgetHold, type BudgetLedger, type SpendSince } from '../accounts/budgets.js';
import type { SharedStateFallback } from './fallback.js';
import { sharedStateUnavailable } from './shared-rate-limiter.js';
import type { SharedRedis } from './shared-redis.js';

/**
 * Holds are kept one per request, in a sorted set scored by when they lapse: a hold whose settle never
 * arrives (its instance died, or gave up waiting on Redis after the script ran) stops counting after
 * HOLD_MS, instead of until the period ends.
 *
 * KEYS: each budget's spent counter and holds, in pairs. ARGV: the amount, the counters' lifetime in ms,
 * now, the hold's id and when it lapses, then each budget's limit and the spend to seed its counter with
 * ('' when not read: {2, i} then asks for it). {1} when held, {0, i, spent} for the first budget that cannot take it.
 */
const RESERVE = `
local amount = tonumber(ARGV[1])
local n = #KEYS / 2
for i = 1, n do
  local spent = redis.call('GET', KEYS[2 * i - 1])
  if not spent then
    spent = ARGV[5 + 2 * i]
    if spent == '' then return {2, i} end
    redis.call('SET', KEYS[2 * i - 1], spent, 'PX', ARGV[2])
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2 * i], '-inf', ARGV[3])
  local held = 0
  for _, member in ipairs(redis.call('ZRANGE', KEYS[2 * i], 0, -1)) do
    held = held + tonumber(string.match(member, ':(.*)$'))
  end
  local total = tonumber(spent) + held
  if total + amount > tonumber(ARGV[4 + 2 * i]) + 1e-12 then return {0, i, tostring(total)} end
end
for i = 1, n do
  redis.call('ZADD', KEYS[2 * i], ARGV[5], ARGV[4] .. ':' .. ARGV[1])
  redis.call('PEXPIRE', KEYS[2 * i], ARGV[2])
end
return {1}`;

/** KEYS: spent counters and holds in pairs; ARGV: the hold (id:amount), what it cost. */
const SETTLE = `
for i = 1, #KEYS / 2 do
  redis.call('ZREM', KEYS[2 * i], ARGV[1])
  if redis.call('EXISTS', KEYS[2 * i - 1]) == 1 then redis.call('INCRBYFLOAT', KEYS[2 * i - 1], ARGV[2]) end
end
return 1`;

/** The logs could not be read to seed a counter: the database's failure, told apart from Redis's. */
class SeedFailure extends Error {
  constructor(readonly reason: unknown) {
    super('the spend could not be read from the request logs', { cause: reason });
  }
}

const isRedisFailure = (err: unknown) => !(err instanceof SeedFailure);

/** How long a hold counts without being settled: longer than any request may run. */
export const HOLD_MS = 15 * 60_000;

type WithBudgets = Redis & {
  cerebroBudgetReserve(numberOfKeys: number, ...args: Array<string | number>): Promise<Array<number | string>>;
  cerebroBudgetSettle(numberOfKeys: number, ...args: Array<string | number>): Promise<number>;
};

const DAY_MS = 86_400_000;
/** A lifetime budget's counters live this long after their last use, then are seeded from the logs again. */
const LIFETIME_TTL_MS = 30 * DAY_MS;

export interface SharedBudgetLedgerOptions {
  local: BudgetLedger;
  spendSince: SpendSince;
  onFailure: 'local' | 'deny';
  fallback: SharedStateFallback;
  now: () => number;
}

/** How long a seed read from the logs is reused: the counter it seeds is in Redis after the first use. */
const SEED_REUSE_MS = 60_000;

export class SharedBudgetLedger implements BudgetLedger {
  private readonly client: WithBudgets;
  /** `scope@windowStart` → the logs' spend when last read, and when: one query a minute per budget, not one a request. */
  private readonly seeds = new Map<string, { spent: Promise<number>; at: number }>();
  private readonly recent = new RecentBudgets();

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: SharedBudgetLedgerOptions,
  ) {
    redis.client.defineCommand('cerebroBudgetReserve', { lua: RESERVE });
    redis.client.defineCommand('cerebroBudgetSettle', { lua: SETTLE });
    this.client = redis.client as WithBudgets;
  }

  async reserve(budgets: readonly Budget[], amountUsd: number): Promise<BudgetHold> {
    if (budgets.length === 0) return { settle: () => undefined };
    this.recent.note(budgets);
    const now = this.options.now();
    const keys = budgets.flatMap((b) => this.keys(b, now));
    const holdId = randomUUID();
    const attempt = (seeds: ReadonlyArray<number | ''>) =>
      this.redis.call('budget_reserve', () =>
        this.client.cerebroBudgetReserve(keys.length, ...keys, amountUsd, this.ttl(budgets, now), now, holdId, now + HOLD_MS, ...budgets.flatMap((b, i) => [b.limitUsd, seeds[i]!])),
      );
    let out: Array<number | string>;
    try {
      out = await attempt(budgets.map(() => ''));
      // A counter Redis does not have yet (a new period, a restart): seeded from the logs, then tried again.
      if (Number(out[0]) === 2) out = await attempt(await this.seedAll(budgets, now));
      this.options.fallback.succeeded();
    } catch (err) {
      if (!isRedisFailure(err)) throw err;
      // Falling back afresh: what this process read of the logs before may be old.
      if (!this.options.fallback.degraded) this.options.local.forget?.();
      this.options.fallback.failed(err);
      if (this.options.onFailure === 'deny') throw sharedStateUnavailable();
      return this.options.local.reserve(budgets, amountUsd);
    }
    if (Number(out[0]) === 0) throw budgetExceeded(budgets[Number(out[1]) - 1]!, Number(out[2]), now);
    let settled = false;
    return {
      settle: (costUsd) => {
        if (settled) return;
        settled = true;
        void this.redis
          .call('budget_settle', () => this.client.cerebroBudgetSettle(keys.length, ...keys, `${holdId}:${amountUsd}`, Math.max(0, costUsd)))
          .catch((err: unknown) => this.options.fallback.failed(err));
      },
    };
  }

  async spent(budget: Budget): Promise<number> {
    const now = this.options.now();
    try {
      const value = await this.redis.call('budget_read', (c) => c.get(this.keys(budget, now)[0]!));
      return value === null ? await this.seed(budget, now) : Number(value);
    } catch {
      return this.options.local.spent(budget);
    }
  }

  tracked(): Budget[] {
    return this.recent.list();
  }

  private keys(budget: Budget, now: number): [string, string] {
    const base = `budget:${budget.scope}:${budgetWindow(budget.period, now).start}`;
    return [`${base}:spent`, `${base}:holds`];
  }

  /** Every budget's spend in the logs; a database that cannot say is not Redis failing. */
  private async seedAll(budgets: readonly Budget[], now: number): Promise<number[]> {
    try {
      return await Promise.all(budgets.map((b) => this.seed(b, now)));
    } catch (err) {
      throw new SeedFailure(err);
    }
  }

  private seed(budget: Budget, now: number): Promise<number> {
    const start = budgetWindow(budget.period, now).start;
    const key = `${budget.scope}@${start}`;
    const found = this.seeds.get(key);
    if (found && now - found.at < SEED_REUSE_MS) return found.spent;
    const spent = this.options.spendSince(budget.scope, new Date(start).toISOString());
    spent.catch(() => this.seeds.delete(key));
    if (this.seeds.size > 10_000) this.seeds.clear();
    this.seeds.set(key, { spent, at: now });
    return spent;
  }

  /** Until a day after the longest window ends, so a window's counters outlive it but not by much. */
  private ttl(budgets: readonly Budget[], now: number): number {
    let ttl = 0;
    for (const b of budgets) {
      const end = budgetWindow(b.period, now).end;
      ttl = Math.max(ttl, end === null ? LIFETIME_TTL_MS : end - now + DAY_MS);
    }
    return Math.round(ttl);
  }
}
