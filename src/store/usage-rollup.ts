/** Request-log rows → their hourly totals per (provider, model), in key order. Pure. */
import type { RequestLogRow } from './request-log-writer.js';
import type { UsageHourlyTable } from './schema.js';

export type UsageHourlyRow = UsageHourlyTable;

export const ROLLUP_COUNTERS = [
  'requests',
  'successes',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
  'latency_ms_sum',
  'cache_hits',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_savings_usd',
] as const;

export function rollUp(rows: readonly RequestLogRow[]): UsageHourlyRow[] {
  const buckets = new Map<string, UsageHourlyRow>();
  for (const r of rows) {
    const hour = r.created_at.slice(0, 13);
    const provider = r.provider ?? '';
    const model = r.model_used ?? '';
    const key = `${hour}\u0000${provider}\u0000${model}`;
    let b = buckets.get(key);
    if (!b) {
      b = {
        hour,
        provider,
        model,
        requests: 0,
        successes: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        cost_usd: 0,
        latency_ms_sum: 0,
        cache_hits: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cache_savings_usd: 0,
      };
      buckets.set(key, b);
    }
    b.requests += 1;
    if (r.status === 'success') b.successes += 1;
    b.prompt_tokens += r.prompt_tokens;
    b.completion_tokens += r.completion_tokens;
    b.total_tokens += r.total_tokens;
    b.cost_usd += r.cost_usd;
    b.latency_ms_sum += r.latency_ms;
    b.cache_hits += r.cache_hit;
    b.cache_read_tokens += r.cache_read_tokens ?? 0;
    b.cache_write_tokens += r.cache_write_tokens ?? 0;
    b.cache_savings_usd += r.cache_savings_usd ?? 0;
  }
  // One order for every writer: two instances upserting the same hot rows cannot deadlock.
  return [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
}
