import { PostgresAdapter, type Kysely } from 'kysely';

/** Migrations need the few places where the dialects differ (auto-increment, float types). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
