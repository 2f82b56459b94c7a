/**
 * What several instances share through Redis, built from REDIS_URL: the connection, whether it is
 * failing (reported once each way), and the shared versions of the per-instance mechanisms.
 */
import type { RateLimiter } from '../accounts/rate-limiter.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { SharedResponseCache } from './shared-response-cache.js';
import { SharedBudgetLedger } from './shared-budget-ledger.js';
import { SharedTokenBudget } from './shared-token-budget.js';
import type { TokenBudget } from '../accounts/daily-usage.js';
import type { BudgetLedger, SpendSince } from '../accounts/budgets.js';
import { SharedStateFallback } from './fallback.js';
import { SharedChanges } from './shared-changes.js';
import { SharedRateLimiter } from './shared-rate-limiter.js';
import { SharedRedis } from './shared-redis.js';

export interface SharedStateConfig {
  url: string;
  prefix: string;
  timeoutMs: number;
  onFailure: 'local' | 'deny';
}

export interface SharedStateHooks {
  now: () => number;
  observe?: (op: string, seconds: number, ok: boolean) => void;
  /** Redis became unreachable (err), or reachable again. */
  onChange?: (degraded: boolean, err?: unknown) => void;
}

/** What GET /health says of Redis. */
export interface SharedStateHealth {
  status: 'ok' | 'unreachable';
  latency_ms: number | null;
  /** Whether limits are counted per instance right now (Redis failed lately). */
  fallback: boolean;
  fallbacks: number;
}

export class SharedState {
  readonly redis: SharedRedis;
  readonly fallback: SharedStateFallback;
  /** Revocations and account changes, told to every instance. */
  readonly changes: SharedChanges;

  constructor(
    readonly config: SharedStateConfig,
    private readonly hooks: SharedStateHooks,
  ) {
    this.redis = new SharedRedis({ url: config.url, prefix: config.prefix, timeoutMs: config.timeoutMs, ...(hooks.observe ? { observe: hooks.observe } : {}) });
    this.fallback = new SharedStateFallback(hooks.onChange);
    this.changes = new SharedChanges(this.redis);
  }

  /** Requests per minute counted across instances, `local` counting while Redis is away. */
  rateLimiter(local: RateLimiter): RateLimiter {
    return new SharedRateLimiter(this.redis, { local, onFailure: this.config.onFailure, fallback: this.fallback, now: this.hooks.now });
  }

  /** The daily token limit held across instances; `local` records usage in the database and counts while Redis is away. */
  tokenBudget(local: TokenBudget): TokenBudget {
    return new SharedTokenBudget(this.redis, { local, onFailure: this.config.onFailure, fallback: this.fallback, now: this.hooks.now });
  }

  /** US-dollar budgets held across instances, `local` counting while Redis is away. */
  budgetLedger(local: BudgetLedger, spendSince: SpendSince): BudgetLedger {
    return new SharedBudgetLedger(this.redis, { local, spendSince, onFailure: this.config.onFailure, fallback: this.fallback, now: this.hooks.now });
  }

  /** The answer cache in Redis, with a small in-process level in front. */
  responseCache(bounds: { maxEntries: number; maxBytes: number; ttlMs: number }): ResponseCache {
    return new SharedResponseCache(this.redis, { ...bounds, now: this.hooks.now, fallback: this.fallback });
  }

  async health(): Promise<SharedStateHealth> {
    const latency = await this.redis.ping();
    return {
      status: latency === undefined ? 'unreachable' : 'ok',
      latency_ms: latency === undefined ? null : Math.round(latency * 100) / 100,
      fallback: this.fallback.degraded,
      fallbacks: this.fallback.fallbacks,
    };
  }

  close(): Promise<void> {
    this.changes.close();
    return this.redis.close();
  }
}
