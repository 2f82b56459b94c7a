/** Accounts. E-mails arrive normalised (see http/routes/auth.ts); the unique index backs that up. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.js';
import { DELETED_USER_ID } from './request-log-writer.js';

export type UserRow = Selectable<UsersTable>;

export class EmailTakenError extends Error {
  constructor() {
    super('email already registered');
    this.name = 'EmailTakenError';
  }
}

/** Both dialects' unique-violation errors: Postgres' SQLSTATE and SQLite's message. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'));
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: UserRow): Promise<UserRow> {
    try {
      await this.db.insertInto('users').values(user).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError();
      throw err;
    }
    return user;
  }

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A new password; every token issued before is revoked by the version bump. Returns the new version. */
  async setPassword(id: string, passwordHash: string): Promise<number> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ password_hash: passwordHash, token_version: eb('token_version', '+', 1) }))
      .where('id', '=', id)
      .execute();
    const row = await this.db.selectFrom('users').select('token_version').where('id', '=', id).executeTakeFirstOrThrow();
    return Number(row.token_version);
  }

  /** Revokes every token of the user (a sign-out of a token that carries no id of its own). */
  async bumpTokenVersion(id: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** The operator's changes to an account; returns the updated row, or undefined for no such user. */
  async update(id: string, changes: { disabled_at?: string | null; daily_token_limit?: number | null; plan?: string }): Promise<UserRow | undefined> {
    if (Object.keys(changes).length > 0) await this.db.updateTable('users').set(changes).where('id', '=', id).execute();
    return this.findById(id);
  }

  /** A page of accounts, oldest first, after the (created_at, id) cursor. */
  async page(after: { createdAt: string; id: string } | undefined, limit: number): Promise<{ users: UserRow[]; hasMore: boolean }> {
    let query = this.db
      .selectFrom('users')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1);
    if (after) query = query.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
    const rows = await query.execute();
    return { users: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /**
   * Deletes an account and everything it owns, in one transaction: sessions, keys, provider keys,
   * settings, counters. Its request logs stay for the operator's accounts of cost, anonymised: no
   * user, key or session id.
   */
  async deleteAccount(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('interactions').where('user_id', '=', id).execute();
      for (const table of ['responses', 'gateway_keys', 'provider_keys', 'user_config', 'daily_usage', 'user_storage', 'revoked_tokens'] as const) {
        await trx.deleteFrom(table).where('user_id', '=', id).execute();
      }
      await trx.updateTable('request_logs').set({ user_id: DELETED_USER_ID, gateway_key_id: null, session_id: null }).where('user_id', '=', id).execute();
      await trx.deleteFrom('users').where('id', '=', id).execute();
    });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
}
