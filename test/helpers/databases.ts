/**
 * The databases every store and multi-user test runs against: an embedded SQLite file, and the
 * PostgreSQL running on the machine (CI's too), each test file in a schema of its own, dropped after.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  /** The environment a gateway needs to use it. */
  env: Record<string, string>;
  url: string;
  schema: string | undefined;
  /** Removes the file or drops the schema. */
  drop(): Promise<void>;
}

export function sqliteTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-db-'));
  const url = `sqlite:${join(dir, 'cerebro.db')}`;
  return { dialect: 'sqlite', url, schema: undefined, env: { DATABASE_URL: url }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export function postgresTestDatabase(): TestDatabase {
  const schema = `cerebro_test_${randomBytes(5).toString('hex')}`;
  return {
    dialect: 'postgres',
    url: TEST_POSTGRES_URL,
    schema,
    env: { DATABASE_URL: TEST_POSTGRES_URL, DATABASE_SCHEMA: schema },
    async drop() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Why the test Postgres cannot be reached, or undefined when it can (asked once, within 2 s). */
async function postgresMissing(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return `no Postgres at ${TEST_POSTGRES_URL} (${(err as Error).message}); set TEST_POSTGRES_URL to one`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const POSTGRES_MISSING = await postgresMissing();

/** One of each: run a suite once per entry (`missing` says why an entry cannot run here). */
export const TEST_DIALECTS = [
  { name: 'SQLite', make: sqliteTestDatabase, missing: undefined as string | undefined },
  { name: 'Postgres', make: postgresTestDatabase, missing: POSTGRES_MISSING },
] as const;
