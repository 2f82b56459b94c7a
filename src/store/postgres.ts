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

function sslConfig(options: PostgresOptions): pg.PoolConfig['ssl'] {
  if (options.ssl === 'off') return false;
  if (options.ssl === 'require') return { rejectUnauthorized: false };
  return options.caFile ? { rejectUnauthorized: true, ca: readFileSync(options.caFile, 'utf8') } : { rejectUnauthorized: true };
}

export function openPostgres(options: PostgresOptions): { db: Kysely<Database>; root: Kysely<Database>; ensureSchema(): Promise<void> } {
  // sslmode in the URL would override our ssl object (and pg reads `require` as `verify-full`); it has
  // been turned into options.ssl already (defaultSslMode), unless DATABASE_SSL said otherwise.
  const url = new URL(options.url);
  url.searchParams.delete('sslmode');
  const pool = new (postgresDriver().Pool)({ connectionString: url.toString(), ssl: sslConfig(options), max: options.maxConnections, idleTimeoutMillis: 30_000 });
  const root = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    root,
    db: root.withSchema(options.schema),
    async ensureSchema() {
      await sql`create schema if not exists ${sql.id(options.schema)}`.execute(root);
    },
  };
}
