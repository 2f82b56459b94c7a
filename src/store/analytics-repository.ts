/**
 * Analytics. One user's requests are read from request_logs through the (user_id, created_at)
 * index (a user's month is thousands of rows, not millions). Everyone's (the operator's view) is
 * read from usage_hourly, the per-hour totals the log writer keeps, so it does not aggregate a
 * month of logs per call; its ranges start on the hour.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

export interface AnalyticsScope {
  /** Undefined: every user (the operator's view). */
  userId: string | undefined;
  /** ISO timestamp, inclusive. */
  since: string;
}

export interface Totals {
  requests: number;
  successful: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
  avgLatencyMs: number;
  cacheHits: number;
  /** The providers' prompt caches (not Cerebro's answer cache): tokens read, written, and USD saved. */
  promptCache: PromptCacheTotals;
}

export interface PromptCacheTotals {
  readTokens: number;
  writeTokens: number;
  savingsUsd: number;
}

export interface GroupTotals {
  key: string | null;
  provider?: string | null;
  requests: number;
  tokens: number;
  costUsd: number;
  avgLatencyMs: number;
  promptCache: PromptCacheTotals;
}

/** Both sources, seen through the same column names. */
interface Source {
  requests: RawBuilder<unknown>;
  successes: RawBuilder<unknown>;
  promptTokens: RawBuilder<unknown>;
  completionTokens: RawBuilder<unknown>;
  totalTokens: RawBuilder<unknown>;
  cost: RawBuilder<unknown>;
  latencySum: RawBuilder<unknown>;
  cacheHits: RawBuilder<unknown>;
  day: RawBuilder<string>;
  provider: RawBuilder<string | null>;
  model: RawBuilder<string | null>;
}

const LOGS: Source = {
  requests: sql`count(*)`,
  successes: sql`sum(case when status = 'success' then 1 else 0 end)`,
  promptTokens: sql`sum(prompt_tokens)`,
  completionTokens: sql`sum(completion_tokens)`,
  totalTokens: sql`sum(total_tokens)`,
  cost: sql`sum(cost_usd)`,
  latencySum: sql`sum(latency_ms)`,
  cacheHits: sql`sum(cache_hit)`,
  day: sql<string>`substr(created_at, 1, 10)`,
  provider: sql<string | null>`provider`,
  model: sql<string | null>`model_used`,
};

const HOURLY: Source = {
  requests: sql`sum(requests)`,
  successes: sql`sum(successes)`,
  promptTokens: sql`sum(prompt_tokens)`,
  completionTokens: sql`sum(completion_tokens)`,
  totalTokens: sql`sum(total_tokens)`,
  cost: sql`sum(cost_usd)`,
  latencySum: sql`sum(latency_ms_sum)`,
  cacheHits: sql`sum(cache_hits)`,
  day: sql<string>`substr(hour, 1, 10)`,
  // Requests that reached no provider are stored under '' (a key column cannot be null).
  provider: sql<string | null>`nullif(provider, '')`,
  model: sql<string | null>`nullif(model, '')`,
};

/** The prompt-cache columns, named alike in both tables. */
const PROMPT_CACHE = [sql`sum(cache_read_tokens)`.as('cache_read_tokens'), sql`sum(cache_write_tokens)`.as('cache_write_tokens'), sql`sum(cache_savings_usd)`.as('cache_savings_usd')];

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const avg = (sum: unknown, count: unknown) => (num(count) === 0 ? 0 : num(sum) / num(count));
const promptCacheOf = (row: Record<string, unknown>): PromptCacheTotals => ({
  readTokens: num(row.cache_read_tokens),
  writeTokens: num(row.cache_write_tokens),
  savingsUsd: num(row.cache_savings_usd),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyQuery = SelectQueryBuilder<any, any, object>;

export class AnalyticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The query's source for a scope, and its column expressions. */
  private from(scope: AnalyticsScope): { query: AnyQuery; source: Source } {
    if (scope.userId === undefined) {
      return { query: this.db.selectFrom('usage_hourly').where('hour', '>=', scope.since.slice(0, 13)) as AnyQuery, source: HOURLY };
    }
    return { query: this.db.selectFrom('request_logs').where('created_at', '>=', scope.since).where('user_id', '=', scope.userId) as AnyQuery, source: LOGS };
  }

  /** The totals query, compiled (the benchmark shows its plan). */
  totalsQuery(scope: AnalyticsScope) {
    const { query, source: s } = this.from(scope);
    return query.select([
      s.requests.as('requests'),
      s.successes.as('successful'),
      s.promptTokens.as('prompt_tokens'),
      s.completionTokens.as('completion_tokens'),
      s.totalTokens.as('total_tokens'),
      s.cost.as('cost_usd'),
      s.latencySum.as('latency_sum'),
      s.cacheHits.as('cache_hits'),
      ...PROMPT_CACHE,
    ]);
  }

  async totals(scope: AnalyticsScope): Promise<Totals> {
    const row = (await this.totalsQuery(scope).executeTakeFirstOrThrow()) as Record<string, unknown>;
    return {
      requests: num(row.requests),
      successful: num(row.successful),
      promptTokens: num(row.prompt_tokens),
      completionTokens: num(row.completion_tokens),
      totalTokens: num(row.total_tokens),
      costUsd: num(row.cost_usd),
      avgLatencyMs: avg(row.latency_sum, row.requests),
      cacheHits: num(row.cache_hits),
      promptCache: promptCacheOf(row),
    };
  }

  /** Totals per UTC day, oldest first. */
  async byDay(scope: AnalyticsScope): Promise<GroupTotals[]> {
    const { query, source: s } = this.from(scope);
    const rows = (await query
      .select([s.day.as('key'), s.requests.as('requests'), s.totalTokens.as('tokens'), s.cost.as('cost_usd'), s.latencySum.as('latency_sum'), ...PROMPT_CACHE])
      .groupBy(s.day)
      .orderBy(s.day)
      .execute()) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      key: r.key as string,
      requests: num(r.requests),
      tokens: num(r.tokens),
      costUsd: num(r.cost_usd),
      avgLatencyMs: avg(r.latency_sum, r.requests),
      promptCache: promptCacheOf(r),
    }));
  }

  /** Totals per provider, or per (model, provider): biggest first. */
  async byColumn(scope: AnalyticsScope, column: 'provider' | 'model_used'): Promise<GroupTotals[]> {
    const { query, source: s } = this.from(scope);
    const groups = column === 'provider' ? [s.provider] : [s.model, s.provider];
    const rows = (await query
      .select([
        (column === 'provider' ? s.provider : s.model).as('key'),
        s.provider.as('provider'),
        s.requests.as('requests'),
        s.totalTokens.as('tokens'),
        s.cost.as('cost_usd'),
        s.latencySum.as('latency_sum'),
        ...PROMPT_CACHE,
      ])
      .groupBy(groups)
      .execute()) as Array<Record<string, unknown>>;
    return rows
      .map((r) => ({
        key: r.key as string | null,
        provider: r.provider as string | null,
        requests: num(r.requests),
        tokens: num(r.tokens),
        costUsd: num(r.cost_usd),
        avgLatencyMs: avg(r.latency_sum, r.requests),
        promptCache: promptCacheOf(r),
      }))
      .sort((a, b) => b.requests - a.requests || String(a.key).localeCompare(String(b.key)));
  }
}
