/**
 * Session memory as pure functions: where remembered turns go in a prompt, and which of the
 * caller's messages are new turns worth remembering.
 */
import type { ChatMessage } from '../providers/types.js';
import type { NewTurn, StoredTurn } from '../store/session-repository.js';

/** System/developer instructions stay first, then the remembered turns, then the caller's turns. */
export function withHistory(messages: readonly ChatMessage[], history: readonly StoredTurn[]): ChatMessage[] {
  if (history.length === 0) return [...messages];
  const instructions = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const turns = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  return [...instructions, ...history.map((h) => ({ role: h.role, content: h.content })), ...turns];
}

/**
 * The caller's new turns: the user messages after its last assistant message. A client that sends
 * only the new question and one that re-sends the whole conversation both store it once.
 */
export function newUserTurns(messages: readonly ChatMessage[]): NewTurn[] {
  const turns: NewTurn[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'assistant') break;
    if (m.role === 'user') turns.unshift({ role: 'user', content: m.content });
  }
  return turns;
}
