/**
 * How a batch of request-log rows reaches the database. The generic path goes through Kysely; on
 * SQLite a prepared statement run once per row inside one transaction (sqlite-log-insert.ts) is
 * several times cheaper than compiling a 500-row Kysely insert, and request logging sits on every
 * request's budget.
 * Both paths add the batch's hourly totals to `usage_hourly` in the same transaction, so the
 * rollup never disagrees with the logs.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { RequestLogRow } from './request-log-writer.js';
import { ROLLUP_COUNTERS, rollUp } from './usage-rollup.js';

export type InsertRequestLogs = (rows: readonly RequestLogRow[]) => Promise<void>;

/** SQLite caps bound parameters per statement; 24 columns × 500 rows stays well below. */
const ROWS_PER_INSERT = 500;

export function kyselyLogInserter(db: Kysely<Database>): InsertRequestLogs {
  return async (rows) => {
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await trx
          .insertInto('request_logs')
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .execute();
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
