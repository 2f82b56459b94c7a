/** A user's own provider keys, one per provider, encrypted before they get here. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, ProviderKeysTable } from './schema.js';

export type ProviderKeyRow = Selectable<ProviderKeysTable>;

export class ProviderKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(row: ProviderKeyRow): Promise<void> {
    const { user_id: _u, provider: _p, ...changes } = row;
    await this.db
      .insertInto('provider_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'provider']).doUpdateSet(changes))
      .execute();
  }

  listByUser(userId: string): Promise<ProviderKeyRow[]> {
    return this.db.selectFrom('provider_keys').selectAll().where('user_id', '=', userId).orderBy('provider').execute();
  }

  async delete(userId: string, provider: string): Promise<boolean> {
    const result = await this.db.deleteFrom('provider_keys').where('user_id', '=', userId).where('provider', '=', provider).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
