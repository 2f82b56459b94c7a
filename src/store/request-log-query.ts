/**
 * The log explorer's reads: one user's (or everyone's) request logs, newest first, a page at a
 * time. Pages are keyed by (created_at, id), so each one is a range scan of the (user_id,
 * created_at) index (the operator's: (created_at)) however deep the caller has paged.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RequestLogsTable } from './schema.js';

export type LogStatus = 'ok' | 'error' | 'cancelled';

export interface LogFilter {
  /** Undefined: every user's rows (the operator's view). */
  userId: string | undefined;
  /** ISO timestamps: created_at >= since, < until. */
  since?: string | undefined;
  until?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  status?: LogStatus | undefined;
  gatewayKeyId?: string | undefined;
  sessionId?: string | undefined;
  cacheHit?: boolean | undefined;
}

/** Where the previous page stopped: its last row's time and id. */
export interface LogCursor {
  createdAt: string;
  id: string;
}

export type LogRow = Selectable<RequestLogsTable> & { key_name: string | null };

/** A client closing the stream is logged as 499 (nginx's "client closed request"). */
const CANCELLED_STATUS = 499;

export class RequestLogQuery {
  constructor(private readonly db: Kysely<Database>) {}

  /** The page's query, compiled (the analytics benchmark shows its plan). */
  pageQuery(filter: LogFilter, after: LogCursor | undefined, limit: number) {
    let q = this.db.selectFrom('request_logs as l').leftJoin('gateway_keys as k', 'k.id', 'l.gateway_key_id').selectAll('l').select('k.name as key_name');
    if (filter.userId !== undefined) q = q.where('l.user_id', '=', filter.userId);
    if (filter.since !== undefined) q = q.where('l.created_at', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('l.created_at', '<', filter.until);
    if (filter.model !== undefined) q = q.where((eb) => eb.or([eb('l.model_used', '=', filter.model!), eb('l.model_requested', '=', filter.model!)]));
    if (filter.provider !== undefined) q = q.where('l.provider', '=', filter.provider);
    if (filter.gatewayKeyId !== undefined) q = q.where('l.gateway_key_id', '=', filter.gatewayKeyId);
    if (filter.sessionId !== undefined) q = q.where('l.session_id', '=', filter.sessionId);
    if (filter.cacheHit !== undefined) q = q.where('l.cache_hit', '=', filter.cacheHit ? 1 : 0);
    if (filter.status === 'ok') q = q.where('l.status', '=', 'success');
    if (filter.status === 'error') q = q.where('l.status', '=', 'error').where('l.http_status', '<>', CANCELLED_STATUS);
    if (filter.status === 'cancelled') q = q.where('l.http_status', '=', CANCELLED_STATUS);
    if (after !== undefined) q = q.where(sql<boolean>`(l.created_at, l.id) < (${after.createdAt}, ${after.id})`);
    return q
      .orderBy('l.created_at', 'desc')
      .orderBy('l.id', 'desc')
      .limit(limit + 1);
  }

  /** Up to `limit` rows after the cursor, and whether more follow. */
  async page(filter: LogFilter, after: LogCursor | undefined, limit: number): Promise<{ rows: LogRow[]; hasMore: boolean }> {
    const rows = (await this.pageQuery(filter, after, limit).execute()) as LogRow[];
    const hasMore = rows.length > limit;
    return { rows: hasMore ? rows.slice(0, limit) : rows, hasMore };
  }

  /** One row by id, within the user's rows (every user's for the operator). */
  async get(id: string, userId: string | undefined): Promise<LogRow | undefined> {
    let q = this.db.selectFrom('request_logs as l').leftJoin('gateway_keys as k', 'k.id', 'l.gateway_key_id').selectAll('l').select('k.name as key_name').where('l.id', '=', id);
    if (userId !== undefined) q = q.where('l.user_id', '=', userId);
    return (await q.executeTakeFirst()) as LogRow | undefined;
  }

  /**
   * What a budget's scope (`key:<id>`, or `user:<id>` and `user-cap:<id>` alike) spent since a time:
   * the sum of its rows' costs, through the (gateway_key_id, created_at) or (user_id, created_at) index.
   */
  async spendSince(scope: string, since: string): Promise<number> {
    const at = scope.indexOf(':');
    const [kind, id] = [scope.slice(0, at), scope.slice(at + 1)];
    const column = kind === 'key' ? 'gateway_key_id' : 'user_id';
    const row = await this.db
      .selectFrom('request_logs')
      .select((eb) => eb.fn.sum<number | string | null>('cost_usd').as('spent'))
      .where(column, '=', id)
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return Number(row?.spent ?? 0);
  }

  /**
   * A latency percentile of the user's (or everyone's) most recent `sample` requests since a time: the
   * overview's p95. Bounded, so a month of everyone's traffic is not sorted on each call.
   */
  async latencyPercentile(userId: string | undefined, since: string, fraction: number, sample = 10_000): Promise<number | null> {
    let q = this.db.selectFrom('request_logs').select('latency_ms').where('created_at', '>=', since);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const latencies = (await q.orderBy('created_at', 'desc').limit(sample).execute()).map((r) => Number(r.latency_ms)).sort((a, b) => a - b);
    if (latencies.length === 0) return null;
    return latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(fraction * latencies.length) - 1))]!;
  }
}
