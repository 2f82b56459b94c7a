/**
 * GET /api/analytics/overview?timeframe=24h|7d|30d, /cost-breakdown?days=N, /model-distribution.
 * A user sees their own requests; the operator sees everyone's, or one user's with `?user_id=`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../../core/errors.js';
import type { AnalyticsRepository, AnalyticsScope, PromptCacheTotals } from '../../store/analytics-repository.js';
import type { RequestLogQuery } from '../../store/request-log-query.js';
import { validate } from '../validate.js';

const TIMEFRAMES = { '24h': 1, '7d': 7, '30d': 30 } as const;
type Timeframe = keyof typeof TIMEFRAMES;

const userFilter = z.string().min(1).max(100).optional();
export const overviewQuery = z.object({ timeframe: z.enum(['24h', '7d', '30d']).default('24h'), user_id: userFilter });
export const breakdownQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30), user_id: userFilter });
export const distributionQuery = z.object({ timeframe: z.enum(['24h', '7d', '30d']).default('30d'), user_id: userFilter });

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The providers' prompt caches, apart from Cerebro's answer cache (`cache_hits`): tokens read and written, and USD saved. */
const promptCacheFields = (c: PromptCacheTotals) => ({
  prompt_cache_read_tokens: c.readTokens,
  prompt_cache_write_tokens: c.writeTokens,
  prompt_cache_savings_usd: round(c.savingsUsd, 6),
});
const DAY_MS = 86_400_000;

/** Whose rows: the caller's own; the operator's choice (everyone by default). */
function scopeOf(request: FastifyRequest, userId: string | undefined, since: number): AnalyticsScope {
  const caller = request.caller;
  if (userId !== undefined && !caller.isAdmin && userId !== caller.userId) {
    throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', param: 'user_id', message: "Only the operator can see another user's analytics." });
  }
  return { userId: caller.isAdmin ? userId : caller.userId, since: new Date(since).toISOString() };
}

export function analyticsRoutes(app: FastifyInstance, analytics: AnalyticsRepository, logs: Pick<RequestLogQuery, 'latencyPercentile'>, now: () => number): void {
  app.get('/api/analytics/overview', async (request) => {
    const q = validate(overviewQuery, request.query);
    const scope = scopeOf(request, q.user_id, now() - TIMEFRAMES[q.timeframe as Timeframe] * DAY_MS);
    const [t, p95] = await Promise.all([analytics.totals(scope), logs.latencyPercentile(scope.userId, scope.since, 0.95)]);
    return {
      timeframe: q.timeframe,
      since: scope.since,
      user_id: scope.userId ?? null,
      total_requests: t.requests,
      successful_requests: t.successful,
      failed_requests: t.requests - t.successful,
      success_rate: t.requests === 0 ? null : round(t.successful / t.requests, 4),
      // A percentage, as cache_hit_rate is.
      error_rate: t.requests === 0 ? 0 : round((100 * (t.requests - t.successful)) / t.requests, 2),
      total_tokens: t.totalTokens,
      prompt_tokens: t.promptTokens,
      completion_tokens: t.completionTokens,
      total_cost_usd: round(t.costUsd, 6),
      // The backend seed's names: `total_cost` (US dollars), `cache_hit_rate` as a percentage, `period`.
      total_cost: round(t.costUsd, 6),
      avg_latency_ms: round(t.avgLatencyMs, 1),
      // Of the range's most recent 10,000 requests (null with none).
      p95_latency_ms: p95,
      cache_hits: t.cacheHits,
      cache_hit_rate: t.requests === 0 ? 0 : round((100 * t.cacheHits) / t.requests, 2),
      ...promptCacheFields(t.promptCache),
      // The share of prompt tokens the providers read from their caches, as a percentage.
      prompt_cache_read_rate: t.promptTokens === 0 ? 0 : round((100 * t.promptCache.readTokens) / t.promptTokens, 2),
      period: q.timeframe,
    };
  });

  app.get('/api/analytics/cost-breakdown', async (request) => {
    const q = validate(breakdownQuery, request.query);
    const today = Date.parse(new Date(now()).toISOString().slice(0, 10));
    const first = today - (q.days - 1) * DAY_MS;
    const scope = scopeOf(request, q.user_id, first);
    const [days, providers, models] = await Promise.all([analytics.byDay(scope), analytics.byColumn(scope, 'provider'), analytics.byColumn(scope, 'model_used')]);
    // Every day of the range, zeros included, so charts need no gap-filling.
    const byDate = new Map(days.map((d) => [d.key, d]));
    const daily = Array.from({ length: q.days }, (_, i) => {
      const date = new Date(first + i * DAY_MS).toISOString().slice(0, 10);
      const d = byDate.get(date);
      return {
        date,
        cost_usd: round(d?.costUsd ?? 0, 6),
        requests: d?.requests ?? 0,
        tokens: d?.tokens ?? 0,
        ...promptCacheFields(d?.promptCache ?? { readTokens: 0, writeTokens: 0, savingsUsd: 0 }),
      };
    });
    return {
      // The backend seed's shape: one entry a day, `cost` in US dollars.
      data: daily.map((d) => ({ date: d.date, cost: d.cost_usd, requests: d.requests, tokens: d.tokens })),
      days: q.days,
      since: scope.since,
      user_id: scope.userId ?? null,
      total_cost_usd: round(
        days.reduce((sum, d) => sum + d.costUsd, 0),
        6,
      ),
      daily,
      prompt_cache_savings_usd: round(
        days.reduce((sum, d) => sum + d.promptCache.savingsUsd, 0),
        6,
      ),
      by_provider: providers.map((p) => ({ provider: p.key, cost_usd: round(p.costUsd, 6), requests: p.requests, tokens: p.tokens, ...promptCacheFields(p.promptCache) })),
      by_model: models.map((m) => ({ model: m.key, provider: m.provider ?? null, cost_usd: round(m.costUsd, 6), requests: m.requests, tokens: m.tokens, ...promptCacheFields(m.promptCache) })),
    };
  });

  app.get('/api/analytics/model-distribution', async (request) => {
    const q = validate(distributionQuery, request.query);
    const scope = scopeOf(request, q.user_id, now() - TIMEFRAMES[q.timeframe as Timeframe] * DAY_MS);
    const models = await analytics.byColumn(scope, 'model_used');
    const total = models.reduce((sum, m) => sum + m.requests, 0);
    return {
      timeframe: q.timeframe,
      since: scope.since,
      user_id: scope.userId ?? null,
      total_requests: total,
      models: models.map((m) => ({
        model: m.key,
        provider: m.provider ?? null,
        requests: m.requests,
        percentage: total === 0 ? 0 : round((100 * m.requests) / total, 2),
        tokens: m.tokens,
        cost: round(m.costUsd, 6),
        cost_usd: round(m.costUsd, 6),
        avg_latency_ms: round(m.avgLatencyMs, 1),
        ...promptCacheFields(m.promptCache),
      })),
    };
  });
}
