/** Account tokens signed out before they expired; a row can go once its token would have expired anyway. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class RevokedTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a signed-out token, and clears the user's rows whose tokens have expired since. Returns
   * how many of the user's signed-out tokens are still unexpired.
   */
  async revoke(jti: string, userId: string, expiresAt: string, now: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('revoked_tokens').where('user_id', '=', userId).where('expires_at', '<=', now).execute();
      await trx
        .insertInto('revoked_tokens')
        .values({ jti, user_id: userId, expires_at: expiresAt })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
      const { n } = await trx
        .selectFrom('revoked_tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(n);
    });
  }

  /** Forgets the user's signed-out tokens (their token version has moved past them all). */
  async clear(userId: string): Promise<void> {
    await this.db.deleteFrom('revoked_tokens').where('user_id', '=', userId).execute();
  }

  /** The ids of the user's signed-out tokens that have not expired yet. */
  async active(userId: string, now: string): Promise<string[]> {
    const rows = await this.db.selectFrom('revoked_tokens').select('jti').where('user_id', '=', userId).where('expires_at', '>', now).execute();
    return rows.map((r) => r.jti);
  }
}
