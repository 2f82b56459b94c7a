/** Per-user settings (`user_config`); a user without a row has every default. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, UserConfigTable } from './schema.js';

export type UserConfigRow = Selectable<UserConfigTable>;

export class UserConfigRepository {
  constructor(private readonly db: Kysely<Database>) {}

  get(userId: string): Promise<UserConfigRow | undefined> {
    return this.db.selectFrom('user_config').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async put(row: UserConfigRow): Promise<void> {
    const { user_id: _u, ...changes } = row;
    await this.db
      .insertInto('user_config')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet(changes))
      .execute();
  }
}
