/**
 * Opens the database named by DATABASE_URL and brings its schema up to date.
 * SQLite (embedded, zero set-up) is the default; Postgres plugs in as a second Kysely dialect.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, NO_MIGRATIONS, SqliteDialect, type MigrationResultSet } from 'kysely';
import { openPostgres, defaultSslMode, tlsWarning, type PostgresSslMode } from './postgres.js';
import { migrations } from './migrations/index.js';
import { kyselyLogInserter, type InsertRequestLogs } from './request-log-insert.js';
import { sqliteLogInserter } from './sqlite-log-insert.js';
import { startSqliteLogThread, type SqliteLogThread } from './sqlite-log-thread.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type { Database } from './schema.js';
import type { Config } from '../config.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  /** Postgres: the schema that also holds Kysely's migration bookkeeping. */
  migrationSchema: string | undefined;
  /** Creates what must exist before migrating (the Postgres schema). */
  prepare(): Promise<void>;
  /** For the start-up banner: where the data lives. */
  description: string;
  /** What the operator should hear at start (a connection's TLS that does not verify, say). */
  warnings: string[];
  /** The database as migrations use it (no query timeout), and how to let it go. */
  forMigrations(): { db: Kysely<Database>; release(): Promise<void> };
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

export interface DatabaseOptions {
  /** Postgres only: the schema Cerebro's tables live in. */
  schema?: string;
  ssl?: PostgresSslMode;
  caFile?: string;
  maxConnections?: number;
  /** Postgres: connecting, and each query (client side), fail after these. */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Postgres: an idle connection failed (a restart, a failover); the pool replaces it. */
  onConnectionError?: (err: Error) => void;
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

/** The options the configuration gives (Postgres' pool, TLS and timeouts). */
export function databaseOptions(database: Config['database']): DatabaseOptions {
  const { schema, ssl, caFile, poolMax, connectTimeoutMs, queryTimeoutMs } = database;
  return { schema, maxConnections: poolMax, connectTimeoutMs, queryTimeoutMs, ...(ssl !== 'auto' ? { ssl } : {}), ...(caFile ? { caFile } : {}) };
}

/** `sqlite:…` or `postgres(ql)://…`. Migrations are run separately (migrateToLatest). */
export function openDatabase(url: string, options: DatabaseOptions = {}): OpenedDatabase {
  if (isPostgresUrl(url)) {
    const schema = options.schema ?? 'cerebro';
    const fromUrl = defaultSslMode(url);
    if (options.ssl !== undefined && new URL(url).searchParams.has('sslmode') && options.ssl !== fromUrl) {
      throw new Error(`DATABASE_SSL=${options.ssl} contradicts the sslmode in DATABASE_URL; keep one of them`);
    }
    const ssl = options.ssl ?? fromUrl;
    const pg = openPostgres({
      url,
      schema,
      ssl,
      caFile: options.caFile,
      maxConnections: options.maxConnections ?? 10,
      ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.queryTimeoutMs ? { queryTimeoutMs: options.queryTimeoutMs } : {}),
      ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
    });
    const where = new URL(url);
    const warning = tlsWarning(ssl, url);
    return {
      db: pg.db,
      migrationSchema: schema,
      prepare: () => pg.ensureSchema(),
      description: `Postgres ${where.hostname}:${where.port || 5432}${where.pathname} (schema ${schema})`,
      warnings: warning ? [warning] : [],
      forMigrations() {
        const root = pg.migrationRoot();
        return { db: root.withSchema(schema), release: () => root.destroy() };
      },
      // node-postgres is asynchronous already: the generic batched insert keeps the event loop free.
      logInserter: () => kyselyLogInserter(pg.db),
      close: () => pg.root.destroy(),
    };
  }
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
    migrationSchema: undefined,
    prepare: async () => undefined,
    description: `SQLite ${path}`,
    warnings: [],
    forMigrations: () => ({ db, release: async () => undefined }),
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

async function migrate(database: OpenedDatabase, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<string[]> {
  const schema = database.migrationSchema;
  const { db, release } = database.forMigrations();
  try {
    const { error, results } = await run(new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema !== undefined ? { migrationTableSchema: schema } : {}) }));
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  } finally {
    await release();
  }
}

export async function migrateToLatest(database: OpenedDatabase): Promise<string[]> {
  await database.prepare();
  return migrate(database, (m) => m.migrateToLatest());
}

/** Runs every migration's `down`, newest first (tests prove each one reverses cleanly). */
export async function migrateToBottom(database: OpenedDatabase): Promise<string[]> {
  return migrate(database, (m) => m.migrateTo(NO_MIGRATIONS));
}

/** A cheap round trip, for /health. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await db.selectFrom('settings').select('key').limit(1).execute();
}
