/**
 * Request-log rows into SQLite through prepared statements, one transaction per batch, with the
 * batch's hourly totals added to `usage_hourly` in the same transaction. No Kysely here: the log
 * worker thread loads this file, and Kysely's modules would add about 14 MB to that thread.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { InsertRequestLogs } from './request-log-insert.js';
import type { RequestLogRow } from './request-log-writer.js';
import { ROLLUP_COUNTERS, rollUp } from './usage-rollup.js';

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
  'complexity',
  'route',
  'warnings',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_savings_usd',
] as const satisfies ReadonlyArray<keyof RequestLogRow>;

/** Columns a row may leave out that the table fills with 0 (SQLite has no DEFAULT among bound values). */
const ZERO_BY_DEFAULT = new Set<string>(['cache_read_tokens', 'cache_write_tokens', 'cache_savings_usd']);

export function sqliteLogInserter(sqlite: BetterSqlite3.Database): InsertRequestLogs {
  const insert = sqlite.prepare(`INSERT INTO request_logs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const addHourly = sqlite.prepare(
    `INSERT INTO usage_hourly (hour, provider, model, ${ROLLUP_COUNTERS.join(', ')}) VALUES (?, ?, ?, ${ROLLUP_COUNTERS.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (hour, provider, model) DO UPDATE SET ${ROLLUP_COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
  );
  const insertAll = sqlite.transaction((rows: readonly RequestLogRow[]) => {
    for (const row of rows) insert.run(COLUMNS.map((c) => row[c] ?? (ZERO_BY_DEFAULT.has(c) ? 0 : null)));
    for (const b of rollUp(rows)) addHourly.run([b.hour, b.provider, b.model, ...ROLLUP_COUNTERS.map((c) => b[c])]);
  });
  return async (rows) => {
    insertAll(rows);
  };
}
