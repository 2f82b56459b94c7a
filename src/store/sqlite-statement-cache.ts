/**
 * better-sqlite3 for Kysely, with prepared statements cached by SQL text. Kysely's SQLite driver
 * prepares every query afresh, and preparing costs more than running a small query: on the memory
 * path (one SELECT and one INSERT per request) that was most of the time spent in SQLite.
 * Statements are reused only synchronously (`all`, `run`); Kysely's `streamQuery` (which would
 * hold a statement open while iterating) is not used by Cerebro.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function withStatementCache(sqlite: BetterSqlite3.Database, maxStatements = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      const cached = cache.get(sql);
      if (cached) {
        // Least recently used goes first: move this one to the back.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql) as unknown as SqliteStatement;
      cache.set(sql, statement);
      if (cache.size > maxStatements) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}
