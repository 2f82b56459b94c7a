import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/** Migrations need the few places where the dialects differ (auto-increment, float types). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A table as this Kysely instance names it (schema-qualified under `withSchema`), for the rare raw
 * statement the query builder cannot express: raw SQL is not rewritten by Kysely's schema plugin.
 */
export function rawTable(db: Kysely<unknown>, table: string): RawBuilder<unknown> {
  const compiled = (db as Kysely<Record<string, object>>).selectFrom(table).selectAll().compile().sql;
  return sql.raw(compiled.slice('select * from '.length));
}
