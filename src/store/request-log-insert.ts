/**
 * How a batch of request-log rows reaches the database. The generic path goes through Kysely; on
 * SQLite a prepared statement run once per row inside one transaction is several times cheaper
 * than compiling a 500-row Kysely insert, and request logging sits on every request's budget.
 * Both paths add the batch's hourly totals to `usage_hourly` in the same transaction, so the
 * rollup never disagrees with the logs.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { RequestLogRow } from './request-log-writer.js';
import { ROLLUP_COUNTERS, rollUp } from './usage-rollup.js';

export type InsertRequestLogs = (rows: readonly RequestLogRow[]) => Promise<void>;

/** Every column, in one fixed order. */
const COLUMNS = [
  'id',
  'created_at',
  'user_id',
  'gateway_key_id',
  'session_id',
  'endpoint',
  'model_requested',
  'model_used',
  'provider',
  'priority',
  'stream',
  'status',
  'http_status',
  'error',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
  'latency_ms',
  'cache_hit',
  'attempts',
] as const satisfies ReadonlyArray<keyof RequestLogRow>;

/** SQLite caps bound parameters per statement; 21 columns × 500 rows stays well below. */
const ROWS_PER_INSERT = 500;

export function kyselyLogInserter(db: Kysely<Database>): InsertRequestLogs {
  return async (rows) => {
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await trx.insertInto('request_logs').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
      }
      for (const bucket of rollUp(rows)) {
        await trx
          .insertInto('usage_hourly')
          .values(bucket)
          .onConflict((oc) => oc.columns(['hour', 'provider', 'model']).doUpdateSet(Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, sql`usage_hourly.${sql.ref(c)} + excluded.${sql.ref(c)}`]))))
          .execute();
      }
    });
  };
}

export function sqliteLogInserter(sqlite: BetterSqlite3.Database): InsertRequestLogs {
  const insert = sqlite.prepare(`INSERT INTO request_logs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const addHourly = sqlite.prepare(
    `INSERT INTO usage_hourly (hour, provider, model, ${ROLLUP_COUNTERS.join(', ')}) VALUES (?, ?, ?, ${ROLLUP_COUNTERS.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (hour, provider, model) DO UPDATE SET ${ROLLUP_COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
  );
  const insertAll = sqlite.transaction((rows: readonly RequestLogRow[]) => {
    for (const row of rows) insert.run(COLUMNS.map((c) => row[c] ?? null));
    for (const b of rollUp(rows)) addHourly.run([b.hour, b.provider, b.model, ...ROLLUP_COUNTERS.map((c) => b[c])]);
  });
  return async (rows) => {
    insertAll(rows);
  };
}
