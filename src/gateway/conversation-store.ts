/**
 * What a request keeps of its conversation, before its answer is returned: the session's memory read
 * first, the new turns and the answer stored after, and the answer as its entrance keeps it (stored
 * Responses). The database away or refusing writes is a 503, never a silently lost turn.
 */
import type { ChatMessage } from '../providers/types.js';
import type { SessionRepository } from '../store/session-repository.js';
import type { CallerContext } from './caller-context.js';
import type { ChatInput, PersistedAnswer } from './chat-input.js';
import type { DatabaseHealth } from './database-health.js';
import { memoryUnavailable, newUserTurns, storeFailed, withHistory } from './memory.js';
import type { RequestHolds } from './request-holds.js';
import { storedBytes } from './storage-quota.js';

export interface ConversationStoreDeps {
  sessions: SessionRepository;
  databaseHealth?: Pick<DatabaseHealth, 'writeSucceeded' | 'writeFailed'> | undefined;
  onStoreError?: ((err: unknown, requestId: string) => void) | undefined;
}

export class ConversationStore {
  constructor(private readonly deps: ConversationStoreDeps) {}

  /** The session's memory before the new turns; the database away is a 503 before any provider is called. */
  async promptWithMemory(input: ChatInput, ctx: CallerContext): Promise<ChatMessage[]> {
    if (input.sessionId === undefined) return input.messages;
    let history;
    try {
      history = await this.deps.sessions.recent(input.caller.userId, input.sessionId, ctx.memoryMessages);
    } catch (err) {
      this.deps.onStoreError?.(err, input.requestId);
      throw memoryUnavailable('read');
    }
    return withHistory(input.messages, history);
  }

  /**
   * Stores the caller's new turns with the answer, before the answer is returned. An empty answer
   * (a content filter, a reasoning model out of tokens) is not remembered: replayed, it would be
   * an empty turn that some upstreams refuse.
   */
  async remember(input: ChatInput, answer: string, modelUsed: string, holds: RequestHolds): Promise<void> {
    if (input.sessionId === undefined) return;
    const turns = newUserTurns(input.messages);
    // A model can write U+0000, which Postgres text cannot hold (callers' own NULs are refused earlier).
    if (answer !== '') turns.push({ role: 'assistant', content: answer.includes('\u0000') ? answer.replaceAll('\u0000', '\uFFFD') : answer, modelUsed });
    try {
      await this.deps.sessions.append(input.caller.userId, input.sessionId, turns);
      this.deps.databaseHealth?.writeSucceeded();
      holds.storage.settle(storedBytes(turns.map((t) => t.content)));
    } catch (err) {
      this.deps.databaseHealth?.writeFailed();
      this.deps.onStoreError?.(err, input.requestId);
      throw storeFailed(input.requestId);
    }
  }

  /** Stores the answer as its entrance keeps it (stored Responses), before the caller gets it. */
  async persist(input: ChatInput, answer: PersistedAnswer, holds: RequestHolds): Promise<void> {
    if (!input.persist) return;
    try {
      const bytes = await input.persist(answer);
      this.deps.databaseHealth?.writeSucceeded();
      // Once: a request with a session settled its hold with its turns already.
      holds.storage.settle(bytes);
    } catch (err) {
      this.deps.databaseHealth?.writeFailed();
      this.deps.onStoreError?.(err, input.requestId);
      throw storeFailed(input.requestId);
    }
  }
}
