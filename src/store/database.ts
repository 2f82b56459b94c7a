/**
 * Opens the database named by DATABASE_URL and brings its schema up to date.
 * SQLite (embedded, zero set-up) is the default; Postgres plugs in as a second Kysely dialect.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations/index.js';
import { sqliteLogInserter, type InsertRequestLogs } from './request-log-insert.js';
import { startSqliteLogThread, type SqliteLogThread } from './sqlite-log-thread.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type { Database } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  /** For the start-up banner: where the data lives. */
  description: string;
  /**
   * The fastest way this dialect has to write a batch of request logs (tables must exist first).
   * On a SQLite file that is a worker thread with its own connection; closed with the database.
   */
  logInserter(): InsertRequestLogs;
  close(): Promise<void>;
}

/** `sqlite:./data/cerebro.db`, `sqlite:/abs/path.db` or `sqlite::memory:`. */
export function sqlitePathFromUrl(url: string): string {
  const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  return path === ':memory:' ? path : resolve(path);
}

export function openDatabase(url: string): OpenedDatabase {
  if (!url.startsWith('sqlite:')) throw new Error(`unsupported DATABASE_URL scheme: ${url.split(':')[0]}`);
  const path = sqlitePathFromUrl(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  // WAL lets readers run beside the log writer; NORMAL sync is durable across process crashes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const threads: SqliteLogThread[] = [];
  return {
    db,
    description: `SQLite ${path}`,
    logInserter() {
      // An in-memory database cannot be shared with another thread.
      if (path === ':memory:') return sqliteLogInserter(sqlite);
      const thread = startSqliteLogThread(path);
      threads.push(thread);
      return thread.insert;
    },
    async close() {
      await Promise.all(threads.splice(0).map((t) => t.close()));
      await db.destroy();
    },
  };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A cheap round trip, for /health. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await db.selectFrom('settings').select('key').limit(1).execute();
}
