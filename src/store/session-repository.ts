/** Conversation memory: the turns of each session, oldest first, always within one user's sessions. */
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StoredTurn {
  role: 'user' | 'assistant';
  content: string;
  model_used: string | null;
  created_at: string;
}

/** A stored turn with its id, which orders turns and is the cursor of paged reads. */
export interface PagedTurn extends StoredTurn {
  id: number;
}

/** One of a user's conversations, as the sessions list shows it. */
export interface SessionSummary {
  session_id: string;
  messages: number;
  started_at: string;
  last_activity: string;
  /** The start of its first turn, to tell conversations apart. */
  preview: string;
}

export interface NewTurn {
  role: 'user' | 'assistant';
  content: string;
  modelUsed?: string;
}

/** The columns an appended turn fills, in the order the compiled INSERT takes them. */
const APPEND_COLUMNS = ['user_id', 'session_id', 'role', 'content', 'model_used', 'created_at'] as const;

export class SessionRepository {
  /**
   * Compiled once: this runs on every request with a session, and building and compiling a Kysely
   * query costs more than running it. Its parameters are, in order, the user, the session and the limit.
   */
  private readonly recentQuery;

  /** Append statements by number of turns (usually 2: the question and its answer), compiled on first use. */
  private readonly appendQueries = new Map<number, CompiledQuery>();

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

  /**
   * Up to `limit` turns of the user's session after the turn `afterId` (0: from the start), oldest
   * first, and whether more follow: one range scan of the (user_id, session_id, id) index.
   */
  async page(userId: string, sessionId: string, afterId: number, limit: number): Promise<{ turns: PagedTurn[]; hasMore: boolean }> {
    const rows = await this.db
      .selectFrom('interactions')
      .select(['id', 'role', 'content', 'model_used', 'created_at'])
      .where('user_id', '=', userId)
      .where('session_id', '=', sessionId)
      .where('id', '>', afterId)
      .orderBy('id', 'asc')
      .limit(limit + 1)
      .execute();
    const hasMore = rows.length > limit;
    return { turns: (hasMore ? rows.slice(0, limit) : rows).map((r) => ({ ...r, id: Number(r.id) })) as PagedTurn[], hasMore };
  }

  /** Appends turns in one statement, so a question is never stored without its answer. */
  async append(userId: string, sessionId: string, turns: readonly NewTurn[], now: Date = new Date()): Promise<void> {
    if (turns.length === 0) return;
    const createdAt = now.toISOString();
    const parameters: unknown[] = [];
    for (const t of turns) parameters.push(userId, sessionId, t.role, t.content, t.modelUsed ?? null, createdAt);
    await this.db.executeQuery({ ...this.appendQuery(turns.length), parameters });
  }

  /**
   * The INSERT for `count` turns, compiled once: this runs on every request with a session, and
   * building it cost about as much as SQLite's own work. Its parameters are each turn's columns
   * in the order of APPEND_COLUMNS.
   */
  private appendQuery(count: number): CompiledQuery {
    let query = this.appendQueries.get(count);
    if (!query) {
      const row = Object.fromEntries(APPEND_COLUMNS.map((c) => [c, ''])) as Record<(typeof APPEND_COLUMNS)[number], string>;
      query = this.db
        .insertInto('interactions')
        .values(Array.from({ length: count }, () => row))
        .compile();
      if (count <= 16) this.appendQueries.set(count, query);
    }
    return query;
  }

  /**
   * The user's sessions, most recently active first, up to `limit` after the cursor (the last
   * activity and id of the previous page's last session), and whether more follow.
   */
  async list(userId: string, limit: number, after?: { lastActivity: string; sessionId: string }): Promise<{ sessions: SessionSummary[]; hasMore: boolean }> {
    let q = this.db
      .selectFrom('interactions as i')
      .select((eb) => [
        'i.session_id',
        eb.fn.countAll<number>().as('messages'),
        eb.fn.min('i.created_at').as('started_at'),
        eb.fn.max('i.created_at').as('last_activity'),
        eb.fn.min('i.id').as('first_id'),
      ])
      .where('i.user_id', '=', userId)
      .groupBy('i.session_id');
    if (after) q = q.having(sql<boolean>`(max(i.created_at), i.session_id) < (${after.lastActivity}, ${after.sessionId})`);
    const rows = await q
      .orderBy(sql`max(i.created_at)`, 'desc')
      .orderBy('i.session_id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const firstIds = page.map((r) => Number(r.first_id));
    const previews = new Map<number, string>();
    if (firstIds.length > 0) {
      for (const r of await this.db
        .selectFrom('interactions')
        .select(['id', sql<string>`substr(content, 1, 120)`.as('preview')])
        .where('id', 'in', firstIds)
        .execute()) {
        previews.set(Number(r.id), r.preview);
      }
    }
    return {
      sessions: page.map((r) => ({
        session_id: r.session_id,
        messages: Number(r.messages),
        started_at: String(r.started_at),
        last_activity: String(r.last_activity),
        preview: previews.get(Number(r.first_id)) ?? '',
      })),
      hasMore: rows.length > limit,
    };
  }

  /** Forgets a session of the user's; returns how many turns were deleted. */
  async delete(userId: string, sessionId: string): Promise<number> {
    const result = await this.db.deleteFrom('interactions').where('user_id', '=', userId).where('session_id', '=', sessionId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
