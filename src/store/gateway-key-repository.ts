/** Gateway keys: stored as SHA-256 only; revoked keys stay listed (with revoked_at) for the record. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, GatewayKeysTable } from './schema.js';

export type GatewayKeyRow = Selectable<GatewayKeysTable>;

export class GatewayKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: GatewayKeyRow): Promise<void> {
    await this.db.insertInto('gateway_keys').values(row).execute();
  }

  listByUser(userId: string): Promise<GatewayKeyRow[]> {
    return this.db.selectFrom('gateway_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
  }

  findByHash(keyHash: string): Promise<GatewayKeyRow | undefined> {
    return this.db.selectFrom('gateway_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  }

  /** Revokes one of the user's keys; false when the user has no such (active) key. */
  async revoke(userId: string, id: string, at: string): Promise<GatewayKeyRow | undefined> {
    const result = await this.db
      .updateTable('gateway_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.db.selectFrom('gateway_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Writes a batch of last-used times (collected in memory, so a request costs no write). */
  async touch(lastUsed: ReadonlyMap<string, string>): Promise<void> {
    if (lastUsed.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const [id, at] of lastUsed) await trx.updateTable('gateway_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    });
  }
}
