/** Session memory: read a conversation a page at a time, or forget it. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalidRequest } from '../../core/errors.js';
import type { StorageQuota } from '../../gateway/storage-quota.js';
import type { SessionRepository } from '../../store/session-repository.js';
import { SESSION_ID_PATTERN } from '../request-patterns.js';
import { validate } from '../validate.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';

function sessionIdParam(params: unknown): string {
  const id = (params as { session_id?: string }).session_id ?? '';
  if (!SESSION_ID_PATTERN.test(id)) throw invalidRequest('session_id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -', 'session_id');
  return id;
}

export const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** The `next_cursor` of the previous page: turns after it. */
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a next_cursor from the previous page')
    .optional(),
});

export const sessionsListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next_cursor` of the previous page. */
  cursor: z.string().max(400).optional(),
});

function sessionCursor(cursor: string): { lastActivity: string; sessionId: string } {
  const [lastActivity, sessionId] = decodeCursor(cursor) ?? [];
  if (lastActivity !== undefined && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(lastActivity) && sessionId !== undefined && SESSION_ID_PATTERN.test(sessionId)) return { lastActivity, sessionId };
  throw invalidRequest("Invalid value for 'cursor': must be a next_cursor from the previous page", 'cursor');
}

export function sessionsRoutes(app: FastifyInstance, sessions: SessionRepository, storage?: Pick<StorageQuota, 'forget'>): void {
  // Oldest first, a page at a time: a long conversation never has to leave in one response.
  app.get('/v1/sessions/:session_id/messages', async (request) => {
    const sessionId = sessionIdParam(request.params);
    const q = validate(historyQuery, request.query);
    const { turns, hasMore } = await sessions.page(request.caller.userId, sessionId, q.after === undefined ? 0 : Number(q.after), q.limit);
    const last = turns.at(-1);
    return {
      session_id: sessionId,
      messages: turns,
      has_more: hasMore,
      first_id: turns[0]?.id ?? null,
      last_id: last?.id ?? null,
      next_cursor: hasMore && last ? String(last.id) : null,
    };
  });

  // The caller's conversations, most recently active first.
  app.get('/api/sessions', async (request) => {
    const q = validate(sessionsListQuery, request.query);
    const { sessions: page, hasMore } = await sessions.list(request.caller.userId, q.limit, q.cursor === undefined ? undefined : sessionCursor(q.cursor));
    const last = page.at(-1);
    return { object: 'list', data: page, has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(last.last_activity, last.session_id) : null };
  });

  app.delete('/v1/sessions/:session_id', async (request) => {
    const sessionId = sessionIdParam(request.params);
    const deleted = await sessions.delete(request.caller.userId, sessionId);
    storage?.forget(request.caller.userId);
    return { session_id: sessionId, deleted: true, messages_deleted: deleted };
  });
}
