/** Gateway keys: stored as SHA-256 only; revoked keys stay listed (with revoked_at) for the record. */
import type { Kysely, Selectable } from 'kysely';
import { isPostgres } from './dialect.js';
import type { Database, GatewayKeysTable } from './schema.js';

export type GatewayKeyRow = Selectable<GatewayKeysTable>;

export class GatewayKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: GatewayKeyRow): Promise<void> {
    await this.db.insertInto('gateway_keys').values(row).execute();
  }

  /**
   * Inserts the key unless its user already has `cap` active keys; returns how many they had.
   * The count and the insert are one transaction, with the user's row locked on Postgres (SQLite
   * runs one transaction at a time), so concurrent requests cannot all pass the count.
   */
  async createWithinCap(row: GatewayKeyRow, cap: number): Promise<{ created: boolean; active: number }> {
    return this.db.transaction().execute(async (trx) => {
      if (isPostgres(trx as unknown as Kysely<unknown>)) await trx.selectFrom('users').select('id').where('id', '=', row.user_id).forUpdate().execute();
      const { active } = await trx
        .selectFrom('gateway_keys')
        .select((eb) => eb.fn.countAll<number>().as('active'))
        .where('user_id', '=', row.user_id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(active) >= cap) return { created: false, active: Number(active) };
      await trx.insertInto('gateway_keys').values(row).execute();
      return { created: true, active: Number(active) + 1 };
    });
  }

  listByUser(userId: string): Promise<GatewayKeyRow[]> {
    return this.db.selectFrom('gateway_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
  }

  findByHash(keyHash: string): Promise<GatewayKeyRow | undefined> {
    return this.db.selectFrom('gateway_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  }

  /** Revokes one of the user's keys; false when the user has no such (active) key. */
  async revoke(userId: string, id: string, at: string): Promise<GatewayKeyRow | undefined> {
    const result = await this.db.updateTable('gateway_keys').set({ revoked_at: at }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.db.selectFrom('gateway_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Changes one of the user's active keys; undefined when the user has no such key. */
  async update(userId: string, id: string, fields: Partial<Pick<GatewayKeyRow, 'name' | 'rate_limit' | 'max_budget_usd' | 'budget_period'>>): Promise<GatewayKeyRow | undefined> {
    if (Object.keys(fields).length > 0) await this.db.updateTable('gateway_keys').set(fields).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    return this.db.selectFrom('gateway_keys').selectAll().where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  }

  /** Writes a batch of last-used times (collected in memory, so a request costs no write). */
  async touch(lastUsed: ReadonlyMap<string, string>): Promise<void> {
    if (lastUsed.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const [id, at] of lastUsed) await trx.updateTable('gateway_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    });
  }
}
