/** What each user stores (session memory, in UTF-8 bytes): kept by the database with every write. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class UserStorageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async bytes(userId: string): Promise<number> {
    const row = await this.db.selectFrom('user_storage').select('bytes').where('user_id', '=', userId).executeTakeFirst();
    return row === undefined ? 0 : Number(row.bytes);
  }
}
