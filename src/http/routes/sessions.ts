/** Session memory: read a conversation, or forget it. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../gateway/errors.js';
import type { SessionRepository } from '../../store/session-repository.js';
import { SESSION_ID_PATTERN } from '../request-patterns.js';

function sessionIdParam(params: unknown): string {
  const id = (params as { session_id?: string }).session_id ?? '';
  if (!SESSION_ID_PATTERN.test(id)) throw invalidRequest('session_id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -', 'session_id');
  return id;
}

export function sessionsRoutes(app: FastifyInstance, sessions: SessionRepository): void {
  app.get('/v1/sessions/:session_id/messages', async (request) => {
    const sessionId = sessionIdParam(request.params);
    return { session_id: sessionId, messages: await sessions.all(request.caller.userId, sessionId) };
  });

  app.delete('/v1/sessions/:session_id', async (request) => {
    const sessionId = sessionIdParam(request.params);
    const deleted = await sessions.delete(request.caller.userId, sessionId);
    return { session_id: sessionId, deleted: true, messages_deleted: deleted };
  });
}
