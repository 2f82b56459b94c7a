/**
 * GET /api/logs and GET /api/logs/:id: the caller's request logs, newest first, a page at a time
 * (the operator's: everyone's, or one user's with `user_id`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GatewayError, invalidRequest } from '../../core/errors.js';
import type { LogCursor, LogRow, RequestLogQuery } from '../../store/request-log-query.js';
import { validate } from '../validate.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';

const TIMEFRAMES = { '1h': 1 / 24, '24h': 1, '7d': 7, '30d': 30 } as const;
const DAY_MS = 86_400_000;
const iso = z.iso.datetime({ offset: true });

export const logsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next_cursor` of the previous page. */
  cursor: z.string().max(300).optional(),
  timeframe: z.enum(['1h', '24h', '7d', '30d']).optional(),
  since: iso.optional(),
  until: iso.optional(),
  model: z.string().min(1).max(200).optional(),
  provider: z.string().min(1).max(50).optional(),
  status: z.enum(['ok', 'error', 'cancelled']).optional(),
  key_id: z.string().min(1).max(100).optional(),
  session_id: z.string().min(1).max(128).optional(),
  cache_hit: z.enum(['true', 'false']).optional(),
  user_id: z.string().min(1).max(100).optional(),
});

const idParam = z.object({ id: z.string().min(1).max(200) });

interface StoredAttempt {
  provider: string;
  model: string;
  status: string;
  http_status?: number;
  error?: string;
  reason?: string;
  latency_ms: number;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function logCursor(cursor: string): LogCursor {
  const [createdAt, id] = decodeCursor(cursor) ?? [];
  if (createdAt !== undefined && CURSOR_TIME.test(createdAt) && id !== undefined && id.length > 0 && id.length <= 200) return { createdAt, id };
  throw invalidRequest("Invalid value for 'cursor': must be a next_cursor from the previous page", 'cursor');
}

function parseAttempts(json: string): StoredAttempt[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as StoredAttempt[]) : [];
  } catch {
    return [];
  }
}

const statusOf = (row: LogRow) => (row.http_status === 499 ? 'cancelled' : row.status === 'success' ? 'ok' : 'error');

/**
 * Upstream texts (a 402 body can name the operator's balance) are the operator's to read; anyone
 * else sees the gateway's own words for each failed attempt.
 */
function attemptsFor(attempts: StoredAttempt[], operator: boolean) {
  return attempts.map((a) => ({
    provider: a.provider,
    model: a.model,
    status: a.status,
    http_status: a.http_status ?? null,
    reason: a.reason ?? null,
    latency_ms: a.latency_ms,
    ...(operator && a.error !== undefined ? { error: a.error } : {}),
  }));
}

/** What failed, as the caller may read it: upstream and internal texts are the operator's. */
function errorFor(row: LogRow, attempts: StoredAttempt[], operator: boolean): string | null {
  if (row.error === null || operator) return row.error;
  // A 500 is the gateway's own fault (a bug, the database): its text can name internals.
  if (row.http_status === 500) return 'Internal error; the operator can read it in the logs.';
  if (!attempts.some((a) => a.status === 'error')) return row.error;
  return attempts
    .filter((a) => a.status === 'error')
    .map((a) => `${a.provider}/${a.model}: ${a.http_status ?? ''} ${a.reason ?? 'failed'}`.replace(/\s+/g, ' '))
    .join('; ');
}

function summary(row: LogRow, operator: boolean) {
  const attempts = parseAttempts(row.attempts);
  return {
    id: row.id,
    created_at: row.created_at,
    ...(operator ? { user_id: row.user_id } : {}),
    endpoint: row.endpoint,
    model_requested: row.model_requested,
    model: row.model_used,
    provider: row.provider,
    status: statusOf(row),
    http_status: row.http_status,
    stream: row.stream === 1,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    total_tokens: row.total_tokens,
    // Of prompt_tokens, those the provider read from or wrote to its prompt cache, and what that saved.
    prompt_cache_read_tokens: Number(row.cache_read_tokens),
    prompt_cache_write_tokens: Number(row.cache_write_tokens),
    prompt_cache_savings_usd: Number(row.cache_savings_usd),
    cost_usd: row.cost_usd,
    latency_ms: row.latency_ms,
    complexity: row.complexity,
    route: row.route,
    priority: row.priority,
    cache_hit: row.cache_hit === 1,
    key_id: row.gateway_key_id,
    key_name: row.key_name,
    session_id: row.session_id,
    attempts_count: attempts.length,
    error: errorFor(row, attempts, operator),
  };
}

function parseWarnings(json: string | null): string[] {
  if (json === null) return [];
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? parsed.filter((w): w is string => typeof w === 'string') : [];
  } catch {
    return [];
  }
}

/** Whose rows: the caller's own; the operator's, everyone's unless one user is asked for. */
function ownerOf(request: FastifyRequest, userId: string | undefined): string | undefined {
  const { caller } = request;
  if (userId !== undefined && !caller.isAdmin && userId !== caller.userId) {
    throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', param: 'user_id', message: "Only the operator can see another user's logs." });
  }
  return caller.isAdmin ? userId : caller.userId;
}

export function logsRoutes(app: FastifyInstance, logs: RequestLogQuery, now: () => number): void {
  app.get('/api/logs', async (request) => {
    const q = validate(logsQuery, request.query);
    const since = q.since ?? (q.timeframe ? new Date(now() - TIMEFRAMES[q.timeframe] * DAY_MS).toISOString() : undefined);
    const filter = {
      userId: ownerOf(request, q.user_id),
      since: since === undefined ? undefined : new Date(since).toISOString(),
      until: q.until === undefined ? undefined : new Date(q.until).toISOString(),
      model: q.model,
      provider: q.provider,
      status: q.status,
      gatewayKeyId: q.key_id,
      sessionId: q.session_id,
      cacheHit: q.cache_hit === undefined ? undefined : q.cache_hit === 'true',
    };
    const { rows, hasMore } = await logs.page(filter, q.cursor === undefined ? undefined : logCursor(q.cursor), q.limit);
    const last = rows.at(-1);
    return { object: 'list', data: rows.map((r) => summary(r, request.caller.isAdmin)), has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(last.created_at, last.id) : null };
  });

  app.get('/api/logs/:id', async (request) => {
    const { id } = validate(idParam, request.params);
    const row = await logs.get(id, request.caller.isAdmin ? undefined : request.caller.userId);
    if (!row) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'log_not_found', param: 'id', message: `No request log with id '${id}'.` });
    const operator = request.caller.isAdmin;
    return { ...summary(row, operator), attempts: attemptsFor(parseAttempts(row.attempts), operator), warnings: parseWarnings(row.warnings) };
  });
}
