/**
 * The providers' prompt caches in the logs: the prompt tokens each request read from a cache or
 * wrote to one (both already counted in prompt_tokens), and what caching saved against the input
 * price (negative when a write cost more than later reads gave back). The hourly totals keep the same.
 */
import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

const TABLES = ['request_logs', 'usage_hourly'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  const money = isPostgres(db) ? 'double precision' : 'real';
  for (const table of TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable(table)
      .addColumn('cache_write_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable(table)
      .addColumn('cache_savings_usd', money, (c) => c.notNull().defaultTo(0))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) for (const column of ['cache_savings_usd', 'cache_write_tokens', 'cache_read_tokens']) await db.schema.alterTable(table).dropColumn(column).execute();
}
