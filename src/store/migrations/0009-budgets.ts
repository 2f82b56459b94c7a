/**
 * Budgets in US dollars on gateway keys and users: a limit (null: none) and a period (`daily`,
 * `weekly`, `monthly`; null: a lifetime budget). A key's spend is read from its log rows, by a new index.
 */
import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const money = isPostgres(db) ? 'double precision' : 'real';
  for (const table of ['gateway_keys', 'user_config']) {
    await db.schema.alterTable(table).addColumn('max_budget_usd', money).execute();
    await db.schema.alterTable(table).addColumn('budget_period', 'text').execute();
  }
  await db.schema.createIndex('request_logs_key_created_idx').on('request_logs').columns(['gateway_key_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('request_logs_key_created_idx').execute();
  for (const table of ['user_config', 'gateway_keys']) for (const column of ['budget_period', 'max_budget_usd']) await db.schema.alterTable(table).dropColumn(column).execute();
}
