/**
 * Postgres (Supabase in production) through Kysely and node-postgres. Cerebro's tables live in
 * their own schema (`DATABASE_SCHEMA`, default `cerebro`): Supabase's REST API only exposes the
 * schemas listed in its settings (`public` by default), and every table also has row-level
 * security on with no policy, so the anon key reads nothing either way.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';

export type PostgresSslMode = 'off' | 'require' | 'verify';

export interface PostgresOptions {
  url: string;
  schema: string;
  /** `off`; `require` (encrypted, certificate not checked); `verify` (checked against `caFile` or the system CAs). */
  ssl: PostgresSslMode;
  caFile?: string | undefined;
  maxConnections: number;
  /** A connection that cannot be made within this fails (the pool never waits forever for one). */
  connectTimeoutMs?: number;
  /**
   * A statement running longer than this is cancelled by the server (`SET statement_timeout` on each
   * new connection: as a startup parameter poolers such as PgBouncer would refuse it), and a query
   * with no answer a few seconds after that fails client side (a dead network). Migrations run on a
   * connection of their own without either.
   */
  queryTimeoutMs?: number;
  /**
   * An idle pooled connection failed (the server restarted, a pooler failed over): the pool drops it
   * and makes a new one when needed. Told here; unhandled, node-postgres's 'error' event ends the process.
   */
  onConnectionError?: (err: Error) => void;
}

let driver: typeof pg | undefined;

/**
 * node-postgres, loaded on the first Postgres connection: a gateway on SQLite never holds its
 * modules in memory (it is CommonJS, so a synchronous require serves).
 */
function postgresDriver(): typeof pg {
  if (driver) return driver;
  driver = createRequire(import.meta.url)('pg') as typeof pg;
  // Postgres returns bigint (int8) and numeric as strings to avoid precision loss; our counters and
  // sums stay far below 2^53, so numbers are what every caller expects.
  driver.types.setTypeParser(driver.types.builtins.INT8, (v) => Number(v));
  driver.types.setTypeParser(driver.types.builtins.NUMERIC, (v) => Number(v));
  return driver;
}

/** libpq's sslmode values, as ours: `prefer`/`require` encrypt, `verify-*` also check the certificate. */
const SSLMODES: Record<string, PostgresSslMode> = { disable: 'off', allow: 'require', prefer: 'require', require: 'require', 'verify-ca': 'verify', 'verify-full': 'verify' };

/**
 * The URL's own `sslmode` when it has one; otherwise none for local hosts, and TLS for anything else
 * (Supabase).
 */
export function defaultSslMode(url: string): PostgresSslMode {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null) {
    const mode = SSLMODES[sslmode];
    if (!mode) throw new Error(`DATABASE_URL: unknown sslmode '${sslmode}' (use disable, require or verify-full)`);
    return mode;
  }
  const host = parsed.hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]' || host === '' ? 'off' : 'require';
}

/** What an operator should hear at start about this connection's TLS, if anything. */
export function tlsWarning(mode: PostgresSslMode, url: string): string | undefined {
  if (mode !== 'require') return undefined;
  return `Postgres at ${new URL(url).hostname}: TLS encrypts the connection but does not verify the server's certificate, so a machine in the middle could pose as the database. Set DATABASE_SSL=verify (and DATABASE_CA_CERT to your provider's CA, e.g. Supabase's) to check it.`;
}

function sslConfig(options: PostgresOptions): pg.PoolConfig['ssl'] {
  if (options.ssl === 'off') return false;
  if (options.ssl === 'require') return { rejectUnauthorized: false };
  return options.caFile ? { rejectUnauthorized: true, ca: readFileSync(options.caFile, 'utf8') } : { rejectUnauthorized: true };
}

export function openPostgres(options: PostgresOptions): { db: Kysely<Database>; root: Kysely<Database>; ensureSchema(): Promise<void>; migrationRoot(): Kysely<Database> } {
  // sslmode in the URL would override our ssl object (and pg reads `require` as `verify-full`); it has
  // been turned into options.ssl already (defaultSslMode), unless DATABASE_SSL said otherwise.
  const url = new URL(options.url);
  url.searchParams.delete('sslmode');
  // keepAlive: a connection whose peer vanished (a network cut) is noticed instead of waited on forever.
  const base: pg.PoolConfig = { connectionString: url.toString(), ssl: sslConfig(options), idleTimeoutMillis: 30_000, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000, keepAlive: true };
  const timeout = options.queryTimeoutMs;
  const pool = new (postgresDriver().Pool)({ ...base, max: options.maxConnections, ...(timeout ? { query_timeout: timeout + 5_000 } : {}) });
  // Idle clients' errors reach the pool's 'error' event; a client handed out (a query running) emits its
  // own, which node-postgres throws when nobody listens: every client gets a listener for its whole life.
  const tellConnectionError = (err: Error) => options.onConnectionError?.(err);
  pool.on('error', tellConnectionError);
  pool.on('connect', (client) => client.on('error', tellConnectionError));
  // Queued before the pool hands the connection out, so it runs ahead of any query on it.
  if (timeout) pool.on('connect', (client) => void client.query(`set statement_timeout = ${Math.floor(timeout)}`).catch(() => undefined));
  const root = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    root,
    db: root.withSchema(options.schema),
    // A backfill over a large table may take longer than any request should.
    migrationRoot: () => {
      const migrationPool = new (postgresDriver().Pool)({ ...base, max: 1 });
      migrationPool.on('error', tellConnectionError);
      migrationPool.on('connect', (client) => client.on('error', tellConnectionError));
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool: migrationPool }) });
    },
    async ensureSchema() {
      await sql`create schema if not exists ${sql.id(options.schema)}`.execute(root);
    },
  };
}
