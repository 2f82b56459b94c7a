/**
 * Analytics over request_logs. Every query is a range on `created_at`, for one user through the
 * (user_id, created_at) index, or for everyone (the operator) through the created_at index.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
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
}

export interface GroupTotals {
  key: string | null;
  provider?: string | null;
  requests: number;
  tokens: number;
  costUsd: number;
  avgLatencyMs: number;
}

type Logs = SelectQueryBuilder<Database, 'request_logs', object>;

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export class AnalyticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private scoped(scope: AnalyticsScope): Logs {
    let q: Logs = this.db.selectFrom('request_logs').where('created_at', '>=', scope.since);
    if (scope.userId !== undefined) q = q.where('user_id', '=', scope.userId);
    return q;
  }

  async totals(scope: AnalyticsScope): Promise<Totals> {
    const row = await this.scoped(scope)
      .select((eb) => [
        eb.fn.countAll().as('requests'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'success').then(1).else(0).end()).as('successful'),
        eb.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
        eb.fn.sum<number>('completion_tokens').as('completion_tokens'),
        eb.fn.sum<number>('total_tokens').as('total_tokens'),
        eb.fn.sum<number>('cost_usd').as('cost_usd'),
        eb.fn.avg<number>('latency_ms').as('avg_latency_ms'),
        eb.fn.sum<number>('cache_hit').as('cache_hits'),
      ])
      .executeTakeFirstOrThrow();
    return {
      requests: num(row.requests),
      successful: num(row.successful),
      promptTokens: num(row.prompt_tokens),
      completionTokens: num(row.completion_tokens),
      totalTokens: num(row.total_tokens),
      costUsd: num(row.cost_usd),
      avgLatencyMs: num(row.avg_latency_ms),
      cacheHits: num(row.cache_hits),
    };
  }

  /** Totals per UTC day (the ISO timestamp's first ten characters), oldest first. */
  async byDay(scope: AnalyticsScope): Promise<GroupTotals[]> {
    const day = sql<string>`substr(created_at, 1, 10)`;
    const rows = await this.scoped(scope)
      .select((eb) => [day.as('key'), eb.fn.countAll().as('requests'), eb.fn.sum<number>('total_tokens').as('tokens'), eb.fn.sum<number>('cost_usd').as('cost_usd'), eb.fn.avg<number>('latency_ms').as('avg_latency_ms')])
      .groupBy(day)
      .orderBy(day)
      .execute();
    return rows.map((r) => ({ key: r.key, requests: num(r.requests), tokens: num(r.tokens), costUsd: num(r.cost_usd), avgLatencyMs: num(r.avg_latency_ms) }));
  }

  /** Totals per provider, or per (model, provider): biggest first. */
  async byColumn(scope: AnalyticsScope, column: 'provider' | 'model_used'): Promise<GroupTotals[]> {
    const rows = await this.scoped(scope)
      .select((eb) => [
        eb.ref(column).as('key'),
        eb.ref('provider').as('provider'),
        eb.fn.countAll().as('requests'),
        eb.fn.sum<number>('total_tokens').as('tokens'),
        eb.fn.sum<number>('cost_usd').as('cost_usd'),
        eb.fn.avg<number>('latency_ms').as('avg_latency_ms'),
      ])
      .groupBy(column === 'provider' ? ['provider'] : ['model_used', 'provider'])
      .orderBy('requests', 'desc')
      .orderBy('key')
      .execute();
    return rows.map((r) => ({ key: r.key, provider: r.provider, requests: num(r.requests), tokens: num(r.tokens), costUsd: num(r.cost_usd), avgLatencyMs: num(r.avg_latency_ms) }));
  }
}
