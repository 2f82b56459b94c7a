/** Stored Responses: one user's, by id; a conversation rebuilt by walking `previous_response_id`. */
import type { Kysely, Selectable } from 'kysely';
import type { ChatMessage } from '../providers/types.js';
import type { Database, ResponsesTable } from './schema.js';

export type StoredResponse = Selectable<ResponsesTable>;

/** How far back a conversation is followed: beyond it, the oldest turns are left out. */
export const MAX_CHAIN = 100;

export class ResponseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async save(row: StoredResponse): Promise<void> {
    await this.db.insertInto('responses').values(row).execute();
  }

  /** The user's response, or undefined (another user's id is as unknown as a missing one). */
  async get(userId: string, id: string): Promise<StoredResponse | undefined> {
    return this.db.selectFrom('responses').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('responses').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * The conversation up to and including response `id`, oldest turn first; undefined when `id` is not
   * the user's. A deleted ancestor ends the walk there, as does MAX_CHAIN.
   */
  async conversation(userId: string, id: string): Promise<ChatMessage[] | undefined> {
    const pieces: ChatMessage[][] = [];
    let next: string | null = id;
    for (let depth = 0; next !== null && depth < MAX_CHAIN; depth++) {
      const row: Pick<StoredResponse, 'turns' | 'previous_response_id'> | undefined = await this.db
        .selectFrom('responses')
        .select(['turns', 'previous_response_id'])
        .where('id', '=', next)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!row) {
        if (depth === 0) return undefined;
        break;
      }
      pieces.push(JSON.parse(row.turns) as ChatMessage[]);
      next = row.previous_response_id;
    }
    return pieces.reverse().flat();
  }
}
