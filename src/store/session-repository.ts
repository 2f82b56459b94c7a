/** Conversation memory: the turns of each session, oldest first, always within one user's sessions. */
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
   * query costs more than running it. Its parameters are, in order, the user, the session and the limit.
   */
  private readonly recentQuery;

  constructor(private readonly db: Kysely<Database>) {
    this.recentQuery = db
      .selectFrom('interactions')
      .select(['role', 'content', 'model_used', 'created_at'])
      .where('user_id', '=', '')
      .where('session_id', '=', '')
      .orderBy('id', 'desc')
      .limit(0)
      .compile();
  }

  /** The last `limit` turns of the user's session, oldest first. */
  async recent(userId: string, sessionId: string, limit: number): Promise<StoredTurn[]> {
    if (limit <= 0) return [];
    const { rows } = await this.db.executeQuery({ ...this.recentQuery, parameters: [userId, sessionId, limit] });
    return rows.reverse() as StoredTurn[];
  }

  async all(userId: string, sessionId: string): Promise<StoredTurn[]> {
    const rows = await this.db
      .selectFrom('interactions')
      .select(['role', 'content', 'model_used', 'created_at'])
      .where('user_id', '=', userId)
      .where('session_id', '=', sessionId)
      .orderBy('id', 'asc')
      .execute();
    return rows as StoredTurn[];
  }

  /** Appends turns in one statement, so a question is never stored without its answer. */
  async append(userId: string, sessionId: string, turns: readonly NewTurn[], now: Date = new Date()): Promise<void> {
    if (turns.length === 0) return;
    const createdAt = now.toISOString();
    await this.db
      .insertInto('interactions')
      .values(turns.map((t) => ({ user_id: userId, session_id: sessionId, role: t.role, content: t.content, model_used: t.modelUsed ?? null, created_at: createdAt })))
      .execute();
  }

  /** Forgets a session of the user's; returns how many turns were deleted. */
  async delete(userId: string, sessionId: string): Promise<number> {
    const result = await this.db.deleteFrom('interactions').where('user_id', '=', userId).where('session_id', '=', sessionId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
