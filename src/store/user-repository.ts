/** Accounts. E-mails arrive normalised (see http/routes/auth.ts); the unique index backs that up. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.js';

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

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
}
