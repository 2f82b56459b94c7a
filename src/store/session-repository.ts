/** Conversation memory: the turns of each session, oldest first. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StoredTurn {
  role: 'user' | 'assistant';
  content: string;
  model_used: string | null;
  created_at: string;
}

export interface NewTurn {
  role: 'user' | 'assistant';
  content: string;
  modelUsed?: string;
}

export class SessionRepository {
  /**
   * Compiled once: this runs on every request with a session, and building and compiling a Kysely
   * query costs more than running it. Its parameters are, in order, the session id and the limit.
   */
  private readonly recentQuery;

  constructor(private readonly db: Kysely<Database>) {
    this.recentQuery = db
      .selectFrom('interactions')
      .select(['role', 'content', 'model_used', 'created_at'])
      .where('session_id', '=', '')
      .orderBy('id', 'desc')
      .limit(0)
      .compile();
  }

  /** The last `limit` turns, oldest first. */
  async recent(sessionId: string, limit: number): Promise<StoredTurn[]> {
    if (limit <= 0) return [];
    const { rows } = await this.db.executeQuery({ ...this.recentQuery, parameters: [sessionId, limit] });
    return rows.reverse() as StoredTurn[];
  }

  async all(sessionId: string): Promise<StoredTurn[]> {
    const rows = await this.db
      .selectFrom('interactions')
      .select(['role', 'content', 'model_used', 'created_at'])
      .where('session_id', '=', sessionId)
      .orderBy('id', 'asc')
      .execute();
    return rows as StoredTurn[];
  }

  /** Appends turns in one statement, so a question is never stored without its answer. */
  async append(sessionId: string, turns: readonly NewTurn[], now: Date = new Date()): Promise<void> {
    if (turns.length === 0) return;
    const createdAt = now.toISOString();
    await this.db
      .insertInto('interactions')
      .values(turns.map((t) => ({ session_id: sessionId, role: t.role, content: t.content, model_used: t.modelUsed ?? null, created_at: createdAt })))
      .execute();
  }

  /** Forgets a session; returns how many turns were deleted. */
  async delete(sessionId: string): Promise<number> {
    const result = await this.db.deleteFrom('interactions').where('session_id', '=', sessionId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
