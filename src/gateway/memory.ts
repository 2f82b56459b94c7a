/**
 * Session memory as pure functions: where remembered turns go in a prompt, and which of the
 * caller's messages are new turns worth remembering.
 */
import type { ChatMessage } from '../providers/types.js';
import type { NewTurn, StoredTurn } from '../store/session-repository.js';
import { GatewayError } from '../core/errors.js';

/**
 * System/developer instructions stay first, then the remembered turns, then the caller's turns.
 * A caller that sends assistant turns manages its own history: adding ours would say it all twice.
 * The remembered window starts at a user turn (a window cut mid-exchange would start with an answer,
 * which some upstreams refuse).
 */
export function withHistory(messages: readonly ChatMessage[], history: readonly StoredTurn[]): ChatMessage[] {
  const firstUser = history.findIndex((h) => h.role === 'user');
  if (firstUser === -1 || messages.some((m) => m.role === 'assistant')) return [...messages];
  history = history.slice(firstUser);
  const instructions = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const turns = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  return [...instructions, ...history.map((h) => ({ role: h.role, content: h.content })), ...turns];
}

/**
 * The caller's new turns: the user messages after its last assistant message. A client that sends
 * only the new question and one that re-sends the whole conversation both store it once.
 */
export function newUserTurns(messages: readonly ChatMessage[]): NewTurn[] {
  // (An empty question is not worth remembering either.)
  const turns: NewTurn[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'assistant') break;
    if (m.role === 'user' && m.content !== '') turns.unshift({ role: 'user', content: m.content });
  }
  return turns;
}

/**
 * The answer was produced but could not be stored: returning it would break "stored before
 * returned". The database's own words (hosts, ports) stay in the server log.
 */
export const storeFailed = (requestId: string) =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'memory_store_failed',
    headers: { 'retry-after': '2' },
    message: `The answer could not be stored in the session, so it was not returned (request ${requestId}). Try again; if it persists, tell the operator this request id.`,
  });

/** The session's memory cannot be read, or a new turn could not be stored: said before any provider is called. */
export const memoryUnavailable = (what: 'read' | 'stored') =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'memory_unavailable',
    message: `The session's memory cannot be ${what} right now (the database is ${what === 'read' ? 'unreachable' : 'not taking writes'}), so the request was not sent to any provider. Try again shortly, or send it without a session_id.`,
    headers: { 'retry-after': '2' },
  });
